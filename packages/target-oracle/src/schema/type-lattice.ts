import type { ColumnType } from '../dialects/dialect.js';

/**
 * The widening lattice. A column only ever widens; `joinTypes(a, b)` is the narrowest type that
 * holds every value of both, or undefined when none is safe (an impossible change):
 * - same kind: itself (strings take the longer maxLength, no maxLength being the longest);
 * - numbers: integer < number < decimal (a float's shortest text is exact in a decimal);
 * - any scalar (boolean, integer, number, decimal, date, time, datetime) widens to unbounded text;
 * - JSON takes anything, serialised;
 * - anything else (for example boolean with integer, or a date with JSON) has no join.
 */
export function joinTypes(a: ColumnType, b: ColumnType): ColumnType | undefined {
  if (a.kind === b.kind) {
    if (a.kind === 'string' && b.kind === 'string') {
      if (a.maxLength === undefined || b.maxLength === undefined) return { kind: 'string' };
      return { kind: 'string', maxLength: Math.max(a.maxLength, b.maxLength) };
    }
    return a;
  }
  const ra = NUMERIC_RANK[a.kind];
  const rb = NUMERIC_RANK[b.kind];
  if (ra !== undefined && rb !== undefined) return ra >= rb ? a : b;
  if (a.kind === 'json' || b.kind === 'json') return { kind: 'json' };
  if (a.kind === 'string' || b.kind === 'string') return { kind: 'string' };
  return undefined;
}

const NUMERIC_RANK: Partial<Record<ColumnType['kind'], number>> = { integer: 0, number: 1, decimal: 2 };

/**
 * Whether an existing column already holds values of `incoming` without a change. Besides the
 * lattice, unbounded text keeps JSON as its serialised text (no reason to retype a text column).
 */
export function accepts(existing: ColumnType, incoming: ColumnType): boolean {
  if (existing.kind === 'string' && existing.maxLength === undefined && incoming.kind === 'json') return true;
  const joined = joinTypes(existing, incoming);
  return joined !== undefined && sameType(joined, existing);
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'string' && b.kind === 'string') return a.maxLength === b.maxLength;
  return true;
}

export function describeType(type: ColumnType): string {
  return type.kind === 'string' && type.maxLength !== undefined ? `string(${type.maxLength})` : type.kind;
}
