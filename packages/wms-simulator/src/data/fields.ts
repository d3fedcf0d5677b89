/** How an entity's fields are declared: a name, a describe() type and a pure getter over a RowContext. */
import type { RowContext } from './row.js';

/** Value kinds the simulator knows how to render and filter. */
export type FieldType =
  | 'integer'
  | 'string'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'relation'
  | 'child_set';

/**
 * A field value as held while serving: integer, decimal (scaled integer, see FieldSpec.scale), relation (target id), child_set (count)
 * -> number; datetime -> epoch micros; date -> day number; string; boolean; null.
 */
export type FieldValue = number | string | boolean | null;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Type name reported by describe (defaults to `type`). */
  readonly describeType: string;
  readonly required: 'Y' | 'N' | 'C' | 'X';
  readonly allowBlank: boolean;
  readonly maxLength: number | null;
  readonly filterable: boolean;
  /** Relation / child_set target entity. */
  readonly target?: string;
  /** Child set: the field of the target entity pointing back here. */
  readonly via?: string;
  /** Decimals: getters return the value times 10^scale as an integer (fast to render exactly). */
  readonly scale: number;
  /** Strings that may need JSON escaping (free text); generated codes never do. */
  readonly escape: boolean;
  readonly get: (row: RowContext) => FieldValue;
}

interface FieldOptions {
  required?: 'Y' | 'N' | 'C' | 'X';
  maxLength?: number | null;
  filterable?: boolean;
  describeType?: string;
  escape?: boolean;
  allowBlank?: boolean;
  target?: string;
  via?: string;
  scale?: number;
}

function field(
  name: string,
  type: FieldType,
  get: (row: RowContext) => FieldValue,
  options: FieldOptions = {},
): FieldSpec {
  return {
    name,
    type,
    describeType: options.describeType ?? type,
    required: options.required ?? 'N',
    allowBlank: options.allowBlank ?? type === 'string',
    maxLength: type === 'string' ? (options.maxLength === undefined ? 50 : options.maxLength) : null,
    filterable: options.filterable ?? false,
    escape: options.escape ?? false,
    scale: options.scale ?? 0,
    get,
    ...(options.target === undefined ? {} : { target: options.target }),
    ...(options.via === undefined ? {} : { via: options.via }),
  };
}

export const f = {
  int: (name: string, get: (row: RowContext) => number | null, o?: FieldOptions) =>
    field(name, 'integer', get, o),
  str: (name: string, get: (row: RowContext) => string | null, o?: FieldOptions) =>
    field(name, 'string', get, o),
  dec: (name: string, scale: number, get: (row: RowContext) => number | null, o?: FieldOptions) =>
    field(name, 'decimal', get, { ...o, scale }),
  bool: (name: string, get: (row: RowContext) => boolean | null, o?: FieldOptions) =>
    field(name, 'boolean', get, o),
  date: (name: string, get: (row: RowContext) => number | null, o?: FieldOptions) =>
    field(name, 'date', get, o),
  ts: (name: string, get: (row: RowContext) => number | null, o?: FieldOptions) =>
    field(name, 'datetime', get, o),
  rel: (name: string, target: string, get: (row: RowContext) => number | null, o?: FieldOptions) =>
    field(name, 'relation', get, { ...o, target }),
  set: (name: string, target: string, via: string, get: (row: RowContext) => number | null) =>
    field(name, 'child_set', get, { target, via, describeType: 'child_set' }),
};
