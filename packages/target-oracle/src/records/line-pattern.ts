import { RFC3339 } from '@wms-singer/singer';
import type { CellValue } from '../dialects/dialect.js';
import type { EnvelopeTail } from './record-scanner.js';
import {
  DECIMAL_FORMAT,
  type Field,
  MAX_DIGITS,
  type ObjectShape,
  T_ANY,
  T_ARRAY,
  T_BOOLEAN,
  T_INTEGER,
  T_NULL,
  T_NUMBER,
  T_OBJECT,
  T_STRING,
} from './record-shape.js';
import { DECIMAL_TEXT } from './record-validator.js';
import { cellOf } from './row-builder.js';

/** A string without quote, backslash or control character (so without escapes). */
const PLAIN = '[^"\\\\\\u0000-\\u001f]';
/** An integer as integerEnd reads it. */
const INTEGER = `-?(?:0|[1-9]\\d{0,${MAX_DIGITS - 1}})`;
/** DECIMAL_TEXT as a part of a pattern (without its anchors). */
const DECIMAL = DECIMAL_TEXT.source.slice(1, -1);
const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** Where a top-level property's value lands in the pattern's groups (-1: no such alternative). */
interface Slot {
  column: number;
  conversion: number;
  object: number;
  string: number;
  integer: number;
  boolean: number;
  /** A format the pattern does not check itself. */
  format: ((value: string) => boolean) | undefined;
}

/**
 * A RECORD line written the way a tap writes it (every property of the schema present, in the
 * schema's order, no escapes, nested objects complete and in order) as one sticky regular
 * expression from the line's first character to its last: the expression checks the keys, the
 * types, maxLength, decimal text and JSON's grammar in native code and captures the values.
 * A line it does not match goes to the scanner's own reading, which takes any key order, missing
 * keys, escapes and partial objects.
 */
export class LinePattern {
  private constructor(
    private readonly pattern: RegExp,
    private readonly slots: Slot[],
    private readonly timeGroup: number,
    private readonly versionGroup: number,
  ) {}

  /** The pattern of a stream's lines, or undefined when a property is beyond what it expresses. */
  static compile(stream: string, record: ObjectShape): LinePattern | undefined {
    let group = 0;
    const slots: Slot[] = [];
    const parts: string[] = [];
    for (const [i, field] of record.ordered.entries()) {
      if (field.column < 0 || field.flattened) return undefined;
      const slot: Slot = {
        column: field.column,
        conversion: field.conversion,
        object: -1,
        string: -1,
        integer: -1,
        boolean: -1,
        // The pattern checks decimal text itself (valuePattern); any other format is checked after.
        format: stringPattern(field) === DECIMAL ? undefined : field.format,
      };
      const alternatives = valuePattern(field, (kind) => {
        slot[kind] = ++group;
      });
      if (alternatives === undefined) return undefined;
      parts.push(`${i === 0 ? '' : ','}${escapeRegExp(record.quotedKeys[i]!)}${alternatives}`);
      slots.push(slot);
    }
    const timeGroup = ++group;
    const versionGroup = ++group;
    const head = escapeRegExp(`{"type":"RECORD","stream":${JSON.stringify(stream)},"record":{`);
    const tail = `(?:,"time_extracted":(?:"(${PLAIN}*)"|null))?(?:,"version":(?:(${INTEGER})|null))?\\}`;
    return new LinePattern(
      new RegExp(`${head}${parts.join('')}\\}${tail}`, 'y'),
      slots,
      timeGroup,
      versionGroup,
    );
  }

  /**
   * The row of the line `text[start, end)`: null when the pattern does not match it (the scanner
   * reads it then), undefined when it matches but a value fails its format or time_extracted is
   * not RFC 3339 (the parse path would refuse or fail it).
   */
  match(
    text: string,
    start: number,
    end: number,
    width: number,
    tail: EnvelopeTail,
  ): CellValue[] | null | undefined {
    const pattern = this.pattern;
    pattern.lastIndex = start;
    const found = pattern.exec(text);
    if (found === null || pattern.lastIndex !== end) return null;
    const cells: CellValue[] = new Array(width).fill(null);
    for (const slot of this.slots) {
      const string = slot.string === -1 ? undefined : found[slot.string];
      if (string !== undefined) {
        if (slot.format !== undefined && !slot.format(string)) return undefined;
        cells[slot.column] = cellOf(string, slot.conversion);
        continue;
      }
      const integer = slot.integer === -1 ? undefined : found[slot.integer];
      if (integer !== undefined) {
        cells[slot.column] = cellOf(Number(integer), slot.conversion);
        continue;
      }
      const object = slot.object === -1 ? undefined : found[slot.object];
      if (object !== undefined) {
        cells[slot.column] = object; // the object's own text: JSON.stringify's form, checked by the pattern
        continue;
      }
      const boolean = slot.boolean === -1 ? undefined : found[slot.boolean];
      if (boolean !== undefined) cells[slot.column] = cellOf(boolean === 'true', slot.conversion);
    }
    const time = found[this.timeGroup];
    if (time !== undefined && !RFC3339.test(time)) return undefined;
    tail.timeExtracted = time;
    const version = found[this.versionGroup];
    tail.version = version === undefined ? undefined : Number(version);
    return cells;
  }
}

/** The kinds of value a pattern tells apart by its groups. */
type Kind = 'object' | 'string' | 'integer' | 'boolean';

/**
 * `(?:...|...)`: the values a field admits, as a pattern; with `capture`, each kind's value is a
 * group, told in the groups' order. Undefined when the field needs a check a pattern does not
 * make (an array, any type at all, an object whose properties do).
 */
function valuePattern(field: Field, capture?: (kind: Kind) => void): string | undefined {
  if ((field.types & T_ARRAY) !== 0 || field.types === T_ANY) return undefined;
  const group = (kind: Kind, pattern: string): string => {
    if (capture === undefined) return pattern;
    capture(kind);
    return `(${pattern})`;
  };
  const alternatives: string[] = [];
  if ((field.types & T_OBJECT) !== 0) {
    const inner = field.nested === undefined ? undefined : objectPattern(field.nested);
    if (inner === undefined) return undefined;
    alternatives.push(group('object', inner));
  }
  if ((field.types & T_STRING) !== 0) alternatives.push(`"${group('string', stringPattern(field))}"`);
  if ((field.types & (T_INTEGER | T_NUMBER)) !== 0) alternatives.push(group('integer', INTEGER));
  if ((field.types & T_BOOLEAN) !== 0) alternatives.push(group('boolean', 'true|false'));
  if ((field.types & T_NULL) !== 0) alternatives.push('null');
  return `(?:${alternatives.join('|')})`;
}

/** A string's text: decimal text checked by the pattern itself, or any text within maxLength. */
function stringPattern(field: Field): string {
  if (field.format === DECIMAL_FORMAT && field.maxLength === Number.POSITIVE_INFINITY) return DECIMAL;
  return `${PLAIN}${field.maxLength === Number.POSITIVE_INFINITY ? '*' : `{0,${field.maxLength}}`}`;
}

/**
 * An object stored as its text, complete, keys in schema order: the pattern of JSON.stringify's
 * form of it (no groups), or undefined when a property needs a check a pattern does not make.
 */
function objectPattern(shape: ObjectShape): string | undefined {
  const parts: string[] = [];
  for (const [i, field] of shape.ordered.entries()) {
    // Inside an object no format is checked after the match: a formatted property is beyond it.
    const value = field.format === undefined ? valuePattern(field) : undefined;
    if (value === undefined) return undefined;
    parts.push(`${i === 0 ? '' : ','}${escapeRegExp(shape.quotedKeys[i]!)}${value}`);
  }
  return `\\{${parts.join('')}\\}`;
}

function escapeRegExp(text: string): string {
  return text.replace(REGEXP_SPECIAL, '\\$&');
}
