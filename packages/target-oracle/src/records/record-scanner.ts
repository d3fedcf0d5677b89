import { type JsonSchema, RFC3339 } from '@wms-singer/singer';
import type { CellValue } from '../dialects/dialect.js';
import type { StreamLayout } from '../schema/stream-layout.js';
import { LinePattern } from './line-pattern.js';
import {
  anyField,
  compileObject,
  type Field,
  MAX_DIGITS,
  type ObjectShape,
  objectProperties,
  T_BOOLEAN,
  T_INTEGER,
  T_NULL,
  T_NUMBER,
  T_OBJECT,
  T_STRING,
} from './record-shape.js';
import { cellOf, type RowBuilder } from './row-builder.js';

/**
 * The RECORD lines of a stream whose shape is known, read straight from their text into the row
 * a RowBuilder would make, without JSON.parse, the schema validator or the record object.
 *
 * A scanner takes only lines it is sure of, and answers undefined for any other line, which is
 * then parsed, validated and built as usual: the row it returns is the row that path would
 * build, and it returns none where that path would refuse the record or fail on the line. It is
 * sure of a line when:
 * - the line holds no control character (JSON.parse would refuse it); a string without a
 *   backslash is the text between its quotes, one with escapes is decoded by JSON.parse;
 * - the envelope is `{"type":"RECORD","stream":"<name>","record":{...}` followed by nothing but
 *   `time_extracted` (an RFC 3339 string) and `version` (an integer), with no whitespace;
 * - every number is an integer of at most 15 digits (exact as a double; anything else may need
 *   the exact-number path);
 * - every value meets its property's schema, in the subset of JSON Schema the scanner reads:
 *   `type`, `maxLength`, `format` (date, date-time, time, singer.decimal), `properties`,
 *   `required`, and annotations. A stream whose schema uses any other keyword has no scanner;
 * - an object stored as JSON text is already in JSON.stringify's form (keys in schema order,
 *   none twice, none unknown, canonical numbers): its text is then the cell;
 * - no array, and every key property present and not null.
 *
 * bench/target-sqlite.ts measures it; test/record-scanner.test.ts compares it with the parse,
 * validate and build path on every line of the conformance streams and on lines made to break
 * each rule above.
 */
export class RecordScanner {
  private readonly record: ObjectShape;
  private readonly keyColumns: number[];
  /** Bumped for each object scanned: a field seen in the current object carries the stamp. */
  private stamp = 0;
  /** Whether the line last read had no escape (so none of its strings holds a control character). */
  plain = false;
  /** Where the next backslash of the line is (at or after the position being read), or -1. */
  private backslash = -1;
  /** The end of the line being read. */
  private end = 0;
  private readonly width: number;

  /** The whole line as one pattern, for records written as a tap writes them (see LinePattern). */
  private readonly line: LinePattern | undefined;

  private constructor(
    record: ObjectShape,
    keyColumns: number[],
    width: number,
    line: LinePattern | undefined,
  ) {
    this.record = record;
    this.keyColumns = keyColumns;
    this.width = width;
    this.line = line;
  }

  /** Whether lines written as a tap writes them are read by one pattern (LinePattern). */
  get patterned(): boolean {
    return this.line !== undefined;
  }

  /**
   * The scanner of a stream, or undefined when its schema or layout uses something the scanner
   * does not read (its records then all take the parse, validate and build path).
   */
  static compile(
    stream: string,
    schema: JsonSchema,
    layout: StreamLayout,
    builder: RowBuilder,
    validating: boolean,
  ): RecordScanner | undefined {
    const columns = layout.columns;
    const conversions = builder.conversionsByColumn;
    // Columns by property path; metadata columns are the builder's, filled from the context.
    const byPath = new Map<string, number>();
    let deletedAt: number | undefined;
    for (const [index, column] of columns.entries()) {
      if (column.metadata === '_sdc_deleted_at') {
        // Read from the record's own `_sdc_deleted_at`, which the schema must not describe.
        if (objectProperties(schema)?.has('_sdc_deleted_at') !== false) return undefined;
        deletedAt = index;
      } else if (column.metadata === undefined) {
        if (column.path.length === 0) return undefined;
        byPath.set(JSON.stringify(column.path), index);
      }
    }
    const record = compileObject(schema, [], byPath, conversions, validating);
    if (record === undefined) return undefined;
    if (deletedAt !== undefined)
      record.addField('_sdc_deleted_at', anyField(deletedAt, conversions[deletedAt]!));
    // Every column must be reached, or the scanner would leave one null where the builder fills it.
    const reached = new Set<number>();
    record.collectColumns(reached);
    for (const index of byPath.values()) if (!reached.has(index)) return undefined;
    const keyColumns: number[] = [];
    for (const key of layout.keyProperties) {
      const field = record.fields.get(key);
      if (field === undefined || field.column < 0) return undefined;
      keyColumns.push(field.column);
    }
    const line = validating ? LinePattern.compile(stream, record) : undefined;
    return new RecordScanner(record, keyColumns, columns.length, line);
  }

  /**
   * The row of the RECORD line `text[start, end)` of this scanner's stream, read from `from`
   * (just after `"record":`) on, with the envelope's tail; undefined when the line is not one the
   * scanner is sure of. Metadata cells are left null for the builder.
   */
  scan(text: string, start: number, from: number, end: number, tail: EnvelopeTail): CellValue[] | undefined {
    if (text.charCodeAt(from) !== OPEN_BRACE) return undefined;
    const line = this.line;
    if (line !== undefined) {
      const cells = line.match(text, start, end, this.width, tail);
      if (cells !== null) {
        if (cells === undefined) return undefined;
        for (const column of this.keyColumns) if (cells[column] === null) return undefined;
        this.plain = true; // the pattern admits no backslash and no control character
        return cells;
      }
    }
    // The first control character or backslash; the line's own newline (or the end of the text)
    // ends the search.
    UNSURE.lastIndex = start;
    const unsure = UNSURE.exec(text);
    this.backslash = -1;
    this.end = end;
    if (unsure !== null && unsure.index < end) {
      // A control character, or an escape before the record (in the envelope's head): the parse path.
      if (text.charCodeAt(unsure.index) !== BACKSLASH || unsure.index < from) return undefined;
      CONTROL.lastIndex = unsure.index;
      const control = CONTROL.exec(text);
      if (control !== null && control.index < end) return undefined;
      this.backslash = unsure.index;
    }
    this.plain = this.backslash === -1;
    const cells: CellValue[] = new Array(this.width).fill(null);
    let pos = this.scanObject(text, from, this.record, cells, false);
    if (pos < 0) return undefined;
    for (const column of this.keyColumns) if (cells[column] === null) return undefined;
    tail.timeExtracted = undefined;
    tail.version = undefined;
    // The envelope's tail: time_extracted and version, each at most once, in either order.
    let seen = 0;
    while (pos < end && text.charCodeAt(pos) === COMMA) {
      if (text.startsWith(TIME_EXTRACTED, pos) && (seen & 1) === 0) {
        seen |= 1;
        pos += TIME_EXTRACTED.length;
        if (text.startsWith('null', pos)) {
          pos += 4;
          continue;
        }
        if (text.charCodeAt(pos) !== QUOTE) return undefined;
        const close = text.indexOf('"', pos + 1);
        if (close < 0 || close >= end) return undefined;
        const value = text.slice(pos + 1, close);
        if (!RFC3339.test(value)) return undefined; // a backslash is no part of a date-time
        tail.timeExtracted = value;
        pos = close + 1;
      } else if (text.startsWith(VERSION, pos) && (seen & 2) === 0) {
        seen |= 2;
        pos += VERSION.length;
        if (text.startsWith('null', pos)) {
          pos += 4;
          continue;
        }
        const after = integerEnd(text, pos);
        if (after < 0) return undefined;
        tail.version = Number(text.slice(pos, after));
        pos = after;
      } else {
        return undefined;
      }
    }
    if (pos !== end - 1 || text.charCodeAt(pos) !== CLOSE_BRACE) return undefined;
    return cells;
  }

  /**
   * Scans the object at `pos` into `cells`; returns the position after its closing brace, or -1.
   * `canonical`: the object is stored as its text, so it must be in JSON.stringify's form.
   */
  private scanObject(
    text: string,
    pos: number,
    shape: ObjectShape,
    cells: CellValue[],
    canonical: boolean,
  ): number {
    const stamp = ++this.stamp;
    pos++;
    if (text.charCodeAt(pos) === CLOSE_BRACE) return shape.required.length === 0 ? pos + 1 : -1;
    let expected = 0;
    const { quotedKeys, ordered } = shape;
    for (;;) {
      let field: Field | undefined;
      const quoted = quotedKeys[expected];
      if (quoted !== undefined && text.startsWith(quoted, pos)) {
        field = ordered[expected]!;
        expected++;
        pos += quoted.length;
      } else {
        if (canonical || text.charCodeAt(pos) !== QUOTE) return -1;
        const close = text.indexOf('"', pos + 1);
        if (close < 0 || text.charCodeAt(close + 1) !== COLON) return -1;
        if (this.backslash !== -1 && this.backslash < close) return -1; // an escaped key: the parse path
        field = shape.fields.get(text.slice(pos + 1, close));
        pos = close + 2;
        if (field === undefined) {
          // A property the schema does not describe: allowed, not loaded; its value must parse.
          pos = this.skipScalar(text, pos);
          if (pos < 0) return -1;
        } else {
          expected = field.position + 1;
        }
      }
      if (field !== undefined) {
        field.stamp = stamp;
        pos = this.scanValue(text, pos, field, cells, canonical);
        if (pos < 0) return -1;
      }
      const next = text.charCodeAt(pos);
      if (next === COMMA) {
        pos++;
        continue;
      }
      if (next !== CLOSE_BRACE) return -1;
      for (const required of shape.required) if (required.stamp !== stamp) return -1;
      return pos + 1;
    }
  }

  /** Scans one value for `field`; returns the position after it, or -1. */
  private scanValue(text: string, pos: number, field: Field, cells: CellValue[], canonical: boolean): number {
    const c = text.charCodeAt(pos);
    const column = field.column;
    if (c === QUOTE) {
      if ((field.types & T_STRING) === 0) return -1;
      let close = text.indexOf('"', pos + 1);
      if (close < 0) return -1;
      let value: string | undefined;
      if (this.backslash !== -1 && this.backslash < close) {
        // Escapes: the token's end is the first quote not escaped; JSON.parse decodes it.
        close = this.stringEnd(text, pos);
        if (close < 0) return -1;
        const token = text.slice(pos, close + 1);
        try {
          value = JSON.parse(token) as string;
        } catch {
          return -1;
        }
        // Inside an object kept as text, the text must be what JSON.stringify writes.
        if (canonical && JSON.stringify(value) !== token) return -1;
        this.backslash = this.nextBackslash(text, close + 1);
        if (value.length > field.maxLength) return -1;
      } else if (close - pos - 1 > field.maxLength) return -1;
      if (column >= 0 || field.format !== undefined) {
        value ??= text.slice(pos + 1, close);
        if (field.format !== undefined && !field.format(value)) return -1;
        if (column >= 0) cells[column] = cellOf(value, field.conversion);
      }
      if (field.flattened) for (const leaf of field.nested!.leaves) cells[leaf] = null;
      return close + 1;
    }
    if (c === OPEN_BRACE) {
      if ((field.types & T_OBJECT) === 0) return -1;
      const nested = field.nested;
      if (nested === undefined) return -1;
      if (field.flattened) {
        for (const leaf of nested.leaves) cells[leaf] = null;
        return this.scanObject(text, pos, nested, cells, canonical);
      }
      const after = this.scanObject(text, pos, nested, cells, true);
      if (after < 0) return -1;
      if (column >= 0) cells[column] = text.slice(pos, after);
      return after;
    }
    if (c === N_LOWER) {
      if (!text.startsWith('null', pos) || (field.types & T_NULL) === 0) return -1;
      if (column >= 0) cells[column] = null;
      if (field.flattened) for (const leaf of field.nested!.leaves) cells[leaf] = null;
      return pos + 4;
    }
    if (c === T_LOWER || c === F_LOWER) {
      const value = c === T_LOWER;
      if (!text.startsWith(value ? 'true' : 'false', pos) || (field.types & T_BOOLEAN) === 0) return -1;
      if (column >= 0) cells[column] = cellOf(value, field.conversion);
      if (field.flattened) for (const leaf of field.nested!.leaves) cells[leaf] = null;
      return pos + (value ? 4 : 5);
    }
    const after = integerEnd(text, pos);
    if (after < 0 || (field.types & (T_INTEGER | T_NUMBER)) === 0) return -1;
    if (column >= 0) cells[column] = cellOf(Number(text.slice(pos, after)), field.conversion);
    if (field.flattened) for (const leaf of field.nested!.leaves) cells[leaf] = null;
    return after;
  }

  /** The next backslash of the line at or after `pos`, or -1 (the search ends at the newline). */
  private nextBackslash(text: string, pos: number): number {
    BACKSLASH_OR_NEWLINE.lastIndex = pos;
    const found = BACKSLASH_OR_NEWLINE.exec(text);
    return found !== null && found.index < this.end && text.charCodeAt(found.index) === BACKSLASH
      ? found.index
      : -1;
  }

  /** The closing quote of the string at `pos` (escapes skipped), or -1. */
  private stringEnd(text: string, pos: number): number {
    for (let p = pos + 1; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === BACKSLASH) p++;
      else if (c === QUOTE) return p;
    }
    return -1;
  }

  /** Skips a string, integer, boolean or null at `pos`; -1 for anything else. */
  private skipScalar(text: string, pos: number): number {
    const c = text.charCodeAt(pos);
    if (c === QUOTE) {
      const close = this.stringEnd(text, pos);
      if (close < 0) return -1;
      if (this.backslash !== -1 && this.backslash < close) {
        try {
          JSON.parse(text.slice(pos, close + 1)); // an escape JSON.parse refuses fails the line there
        } catch {
          return -1;
        }
        this.backslash = this.nextBackslash(text, close + 1);
      }
      return close + 1;
    }
    if (c === N_LOWER) return text.startsWith('null', pos) ? pos + 4 : -1;
    if (c === T_LOWER) return text.startsWith('true', pos) ? pos + 4 : -1;
    if (c === F_LOWER) return text.startsWith('false', pos) ? pos + 5 : -1;
    return integerEnd(text, pos);
  }
}

/** What the scanner read of the envelope after the record. */
export interface EnvelopeTail {
  timeExtracted: string | undefined;
  version: number | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const N_LOWER = 0x6e;
const T_LOWER = 0x74;
const F_LOWER = 0x66;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const TIME_EXTRACTED = ',"time_extracted":';
/** A control character (JSON.parse refuses it raw) or a backslash (an escape). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const UNSURE = /[\u0000-\u001f\\]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL = /[\u0000-\u001f]/g;
const BACKSLASH_OR_NEWLINE = /[\\\n]/g;
const VERSION = ',"version":';

/**
 * The end of the integer at `pos` in JSON's grammar (no leading zero, no `-0`), at most
 * MAX_DIGITS digits, followed by `,` or `}`; -1 for anything else (fractions and exponents
 * included: they take the parse path).
 */
function integerEnd(text: string, pos: number): number {
  let p = pos;
  if (text.charCodeAt(p) === MINUS) p++;
  const first = p;
  let c = text.charCodeAt(p);
  if (c === ZERO) {
    p++;
    if (first !== pos) return -1; // -0
  } else {
    while (c >= ZERO && c <= NINE) c = text.charCodeAt(++p);
  }
  const digits = p - first;
  if (digits === 0 || digits > MAX_DIGITS) return -1;
  c = text.charCodeAt(p);
  return c === COMMA || c === CLOSE_BRACE ? p : -1;
}
