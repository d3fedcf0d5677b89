import type { JsonSchema } from '@wms-singer/singer';
import { isDate, isDateTime, isTime } from './date-formats.js';
import { DECIMAL_TEXT } from './record-validator.js';

/**
 * What RecordScanner and LinePattern know of a stream's schema: per object, its properties in
 * order with the JSON types each admits, its checks (maxLength, format) and its column in the
 * row; compiled from the schema and the stream's layout, or undefined for a schema using a
 * keyword they do not read.
 */

/** Digits a double holds exactly, whatever they are. */
export const MAX_DIGITS = 15;

// JSON types a property admits, as bits.
export const T_STRING = 1;
export const T_INTEGER = 2;
export const T_NUMBER = 4;
export const T_BOOLEAN = 8;
export const T_NULL = 16;
export const T_OBJECT = 32;
export const T_ARRAY = 64;
export const T_ANY = 127;
const TYPE_BITS: Record<string, number> = {
  string: T_STRING,
  integer: T_INTEGER,
  number: T_NUMBER | T_INTEGER,
  boolean: T_BOOLEAN,
  null: T_NULL,
  object: T_OBJECT,
  array: T_ARRAY,
};

/** The formats the scanner checks, with the validator's own functions. */
export const DECIMAL_FORMAT = (value: string): boolean => DECIMAL_TEXT.test(value);
const FORMATS: Record<string, (value: string) => boolean> = {
  date: isDate,
  'date-time': isDateTime,
  time: isTime,
  'singer.decimal': DECIMAL_FORMAT,
};

/** Schema keywords the validator ignores (annotations) or the scanner reads. */
const KNOWN_KEYWORDS = new Set([
  'type',
  'maxLength',
  'format',
  'properties',
  'required',
  'title',
  'description',
  '$comment',
  'examples',
  'default',
  'readOnly',
  'writeOnly',
]);

export interface Field {
  /** Place in its object's `properties` (the order a tap writes them in). */
  position: number;
  types: number;
  maxLength: number;
  format: ((value: string) => boolean) | undefined;
  /** Column of the value itself, or -1. */
  column: number;
  conversion: number;
  /** The object's properties, when the schema describes them. */
  nested: ObjectShape | undefined;
  /** True when the layout spreads the object over columns of its properties. */
  flattened: boolean;
  /** Stamp of the last object this field was seen in. */
  stamp: number;
}

/** A field the schema does not describe (`_sdc_deleted_at`): any scalar; its place is set by addField. */
export function anyField(column: number, conversion: number): Field {
  return {
    position: 0,
    types: T_ANY & ~T_OBJECT & ~T_ARRAY,
    maxLength: Number.POSITIVE_INFINITY,
    format: undefined,
    column,
    conversion,
    nested: undefined,
    flattened: false,
    stamp: 0,
  };
}

export class ObjectShape {
  readonly fields = new Map<string, Field>();
  /** `"key":` of each field in schema order, for the in-order fast check. */
  readonly quotedKeys: string[] = [];
  readonly ordered: Field[] = [];
  readonly required: Field[] = [];
  /** Every column below this object (flattened), set to null before the object is read. */
  readonly leaves: number[] = [];

  addField(name: string, field: Field): void {
    field.position = this.ordered.length;
    this.fields.set(name, field);
    this.quotedKeys.push(`${JSON.stringify(name)}:`);
    this.ordered.push(field);
  }

  collectColumns(into: Set<number>): void {
    for (const field of this.ordered) {
      if (field.column >= 0) into.add(field.column);
      if (field.flattened) field.nested!.collectColumns(into);
    }
  }
}

export function objectProperties(schema: JsonSchema): Set<string> | undefined {
  const properties = (schema as { properties?: unknown }).properties;
  return properties !== null && typeof properties === 'object' ? new Set(Object.keys(properties)) : undefined;
}

/** The shape of an object schema at `path`, or undefined when it uses what the scanner does not read. */
export function compileObject(
  schema: JsonSchema,
  path: readonly string[],
  byPath: Map<string, number>,
  conversions: readonly number[],
  validating: boolean,
): ObjectShape | undefined {
  const properties = (schema as { properties?: Record<string, JsonSchema> }).properties;
  if (properties === null || typeof properties !== 'object') return undefined;
  const shape = new ObjectShape();
  for (const [name, property] of Object.entries(properties)) {
    if (property === null || typeof property !== 'object' || Array.isArray(property)) return undefined;
    for (const keyword of Object.keys(property)) if (!KNOWN_KEYWORDS.has(keyword)) return undefined;
    const here = [...path, name];
    const column = byPath.get(JSON.stringify(here)) ?? -1;
    let types = T_ANY;
    let maxLength = Number.POSITIVE_INFINITY;
    let format: Field['format'];
    if (validating) {
      const type = (property as { type?: unknown }).type;
      if (type !== undefined) {
        const names = Array.isArray(type) ? type : [type];
        types = 0;
        for (const typeName of names) {
          const bits = typeof typeName === 'string' ? TYPE_BITS[typeName] : undefined;
          if (bits === undefined) return undefined;
          types |= bits;
        }
      }
      const limit = (property as { maxLength?: unknown }).maxLength;
      if (limit !== undefined) {
        if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) return undefined;
        maxLength = limit;
      }
      const formatName = (property as { format?: unknown }).format;
      if (formatName !== undefined) {
        format = typeof formatName === 'string' ? FORMATS[formatName] : undefined;
        if (format === undefined) return undefined;
      }
    }
    let nested: ObjectShape | undefined;
    if ((property as { properties?: unknown }).properties !== undefined) {
      nested = compileObject(property, here, byPath, conversions, validating);
      if (nested === undefined) return undefined;
    }
    const prefix = JSON.stringify(here).slice(0, -1);
    let flattened = false;
    for (const [key, index] of byPath) {
      if (key.startsWith(`${prefix},`)) {
        flattened = true;
        nested?.leaves.push(index);
      }
    }
    if (flattened && (nested === undefined || column >= 0)) return undefined;
    const field: Field = {
      position: 0,
      types,
      maxLength,
      format,
      column,
      conversion: column >= 0 ? conversions[column]! : 0,
      nested,
      flattened,
      stamp: 0,
    };
    shape.addField(name, field);
  }
  const required = (schema as { required?: unknown }).required;
  if (required !== undefined && validating) {
    if (!Array.isArray(required)) return undefined;
    for (const name of required) {
      const field = typeof name === 'string' ? shape.fields.get(name) : undefined;
      if (field === undefined) return undefined; // required but not described: the parse path decides
      shape.required.push(field);
    }
  }
  for (const keyword of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(keyword)) return undefined;
  return shape;
}
