/**
 * Filters as the real API reads them: `field[__relation...][__part][__lookup][!]=value`, all ANDed.
 * Each filter compiles to a predicate over a RowContext; relation paths load the related row on demand.
 */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec, FieldValue } from '../data/fields.js';
import { formatScaled } from '../data/render.js';
import { RowContext } from '../data/row.js';
import type { Table } from '../data/table.js';
import { type DateParts, formatDay, instantParts, parseDay, parseInstant, US_PER_DAY } from '../data/time.js';
import { apiError } from '../errors.js';

const TEXT_LOOKUP_NAMES = [
  'iexact',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
] as const;
export const LOOKUPS = [
  'exact',
  ...TEXT_LOOKUP_NAMES,
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'range',
  'isnull',
] as const;
export type Lookup = (typeof LOOKUPS)[number];
const DATE_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'week_day'] as const;
type DatePart = (typeof DATE_PARTS)[number];

export interface Filter {
  readonly key: string;
  /** Fields walked: all but the last are relations. */
  readonly path: readonly FieldSpec[];
  readonly lookup: Lookup;
  readonly part: DatePart | undefined;
  readonly negate: boolean;
  /** Parsed operands (one, two for range, many for in). */
  readonly operands: readonly FieldValue[];
  readonly test: (row: RowContext) => boolean;
}

export interface ValueRules {
  subsecond: 'accept' | 'truncate' | 'reject';
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** Parses one operand for a terminal field type, or throws 400. */
function parseOperand(
  ds: Dataset,
  key: string,
  field: FieldSpec,
  text: string,
  rules: ValueRules,
): FieldValue {
  const bad = () =>
    apiError(400, `Invalid value "${text}" for filter ${key}`, { field: key, value: text, type: field.type });
  switch (field.type) {
    case 'integer':
    case 'relation':
    case 'child_set':
      if (!/^-?\d+$/.test(text)) throw bad();
      return Number(text);
    case 'decimal': {
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw bad();
      // Compare in the field's scaled integers; an operand finer than the scale stays fractional.
      const scaled = Number(text) * 10 ** field.scale;
      const rounded = Math.round(scaled);
      return Math.abs(scaled - rounded) < 1e-6 ? rounded : scaled;
    }
    case 'boolean': {
      const b = parseBoolean(text);
      if (b === undefined) throw bad();
      return b;
    }
    case 'datetime': {
      const parsed = parseInstant(text, ds.userOffset);
      if (parsed === undefined) throw bad();
      if (parsed.hasFraction && rules.subsecond === 'reject') throw bad();
      if (rules.subsecond === 'truncate') return Math.floor(parsed.micros / 1_000_000) * 1_000_000;
      return parsed.micros;
    }
    case 'date': {
      const day = parseDay(text.length > 10 ? text.slice(0, 10) : text);
      if (day === undefined) throw bad();
      return day;
    }
    default:
      return text;
  }
}

function partOf(value: number, field: FieldSpec, part: DatePart, row: RowContext): number {
  const parts: DateParts =
    field.type === 'date' ? instantParts(value * US_PER_DAY, 0) : instantParts(value, row.offset);
  return parts[part];
}

const TEXT_LOOKUPS = new Set<Lookup>(TEXT_LOOKUP_NAMES);

function comparison(lookup: Lookup, operands: readonly FieldValue[]): (v: FieldValue) => boolean {
  const a = operands[0] as FieldValue;
  const b = operands[1] as FieldValue;
  switch (lookup) {
    case 'exact':
      return (v) => v === a;
    case 'gt':
      return (v) => v !== null && (v as number) > (a as number);
    case 'gte':
      return (v) => v !== null && (v as number) >= (a as number);
    case 'lt':
      return (v) => v !== null && (v as number) < (a as number);
    case 'lte':
      return (v) => v !== null && (v as number) <= (a as number);
    case 'range':
      return (v) => v !== null && (v as number) >= (a as number) && (v as number) <= (b as number);
    case 'in': {
      const set = new Set(operands);
      return (v) => v !== null && set.has(v);
    }
    case 'isnull':
      return (v) => (v === null) === a;
    default: {
      const needle = String(a);
      const lower = needle.toLowerCase();
      switch (lookup) {
        case 'iexact':
          return (v) => v !== null && String(v).toLowerCase() === lower;
        case 'contains':
          return (v) => v !== null && String(v).includes(needle);
        case 'icontains':
          return (v) => v !== null && String(v).toLowerCase().includes(lower);
        case 'startswith':
          return (v) => v !== null && String(v).startsWith(needle);
        case 'istartswith':
          return (v) => v !== null && String(v).toLowerCase().startsWith(lower);
        case 'endswith':
          return (v) => v !== null && String(v).endsWith(needle);
        default:
          return (v) => v !== null && String(v).toLowerCase().endsWith(lower);
      }
    }
  }
}

/** Parses one filter parameter against an entity, or throws 400 naming the parameter. */
export function parseFilter(
  ds: Dataset,
  table: Table,
  rawKey: string,
  text: string,
  rules: ValueRules,
): Filter {
  const negate = rawKey.endsWith('!');
  const key = negate ? rawKey.slice(0, -1) : rawKey;
  const parts = key.split('__');
  const path: FieldSpec[] = [];
  let def = table.def;
  let i = 0;
  for (;;) {
    const name = parts[i] as string;
    const field = def.fields.find((candidate) => candidate.name === name);
    if (field === undefined) {
      throw apiError(400, `Invalid filter: unknown field "${name}" in ${key} on ${def.name}`, { field: key });
    }
    path.push(field);
    i++;
    const nextName = parts[i];
    if (field.type !== 'relation' || nextName === undefined || !ds.has(field.target as string)) break;
    const target = ds.table(field.target as string).def;
    if (!target.fields.some((candidate) => candidate.name === nextName)) break;
    def = target;
  }
  const terminal = path[path.length - 1] as FieldSpec;
  let rest = parts.slice(i);
  let part: DatePart | undefined;
  if (rest.length > 0 && (DATE_PARTS as readonly string[]).includes(rest[0] as string)) {
    if (terminal.type !== 'date' && terminal.type !== 'datetime') {
      throw apiError(400, `Invalid filter ${key}: ${rest[0]} applies to dates only`, { field: key });
    }
    part = rest[0] as DatePart;
    rest = rest.slice(1);
  }
  if (rest.length > 1 || (rest.length === 1 && !(LOOKUPS as readonly string[]).includes(rest[0] as string))) {
    throw apiError(400, `Invalid filter: unsupported lookup "${rest.join('__')}" in ${key}`, { field: key });
  }
  const lookup = (rest[0] ?? 'exact') as Lookup;
  const operandField: FieldSpec =
    part !== undefined
      ? { ...terminal, type: 'integer' }
      : TEXT_LOOKUPS.has(lookup)
        ? { ...terminal, type: 'string' }
        : terminal;
  let operands: FieldValue[];
  if (lookup === 'isnull') {
    const b = parseBoolean(text);
    if (b === undefined) throw apiError(400, `Invalid value "${text}" for filter ${key}`, { field: key });
    operands = [b];
  } else if (lookup === 'in') {
    operands = text.split(',').map((t) => parseOperand(ds, key, operandField, t, rules));
  } else if (lookup === 'range') {
    const bounds = text.split(',');
    if (bounds.length !== 2) throw apiError(400, `Invalid range "${text}" for filter ${key}`, { field: key });
    operands = bounds.map((t) => parseOperand(ds, key, operandField, t, rules));
  } else {
    operands = [parseOperand(ds, key, operandField, text, rules)];
  }
  const compare = comparison(lookup, operands);
  const raw = compileValue(ds, path);
  const value = TEXT_LOOKUPS.has(lookup) ? (row: RowContext) => textOf(terminal, raw(row), row) : raw;
  const tested =
    part === undefined
      ? (row: RowContext) => compare(value(row))
      : (row: RowContext) => {
          const v = value(row);
          return compare(v === null ? null : partOf(v as number, terminal, part, row));
        };
  const test = negate ? (row: RowContext) => !tested(row) : tested;
  return { key: rawKey, path, lookup, part, negate, operands, test };
}

/** Text lookups (contains, iexact, ...) match the value as the API renders it. */
function textOf(field: FieldSpec, value: FieldValue, row: RowContext): FieldValue {
  if (value === null) return null;
  switch (field.type) {
    case 'decimal':
      return formatScaled(value as number, field.scale);
    case 'datetime':
      return row.ds.tsText(value as number, row.offset);
    case 'date':
      return formatDay(value as number);
    default:
      return value;
  }
}

/** A reader of the path's terminal value; related rows are loaded into contexts owned by the reader. */
function compileValue(ds: Dataset, path: readonly FieldSpec[]): (row: RowContext) => FieldValue {
  const [first, ...rest] = path as [FieldSpec, ...FieldSpec[]];
  if (rest.length === 0) return first.get;
  const hops = path
    .slice(0, -1)
    .map((field) => ({ table: ds.table(field.target as string), row: new RowContext(ds) }));
  const fields = path;
  return (row) => {
    let current = row;
    for (let i = 0; i < hops.length; i++) {
      const id = (fields[i] as FieldSpec).get(current);
      const hop = hops[i] as { table: Table; row: RowContext };
      if (id === null || !hop.table.isLive(id as number)) return null;
      current = hop.row.load(hop.table, (id as number) - 1);
    }
    return (fields[fields.length - 1] as FieldSpec).get(current);
  };
}
