/**
 * Column types both ways: the engine's ColumnType to Oracle DDL, and ALL_TAB_COLUMNS back to
 * ColumnType. The mapping round-trips: every DDL type reads back as the ColumnType that produced
 * it. Two kinds share a storage type with plain text (`time` as VARCHAR2, `json` as CLOB before
 * 21c), so those columns carry a column comment naming their kind.
 */
import type { ColumnType } from '../dialect.js';
import type { OracleFeatures } from './oracle-features.js';

/** Most characters a key or index string column holds (4000 bytes in AL32UTF8). */
export const KEY_STRING_CHARS = 1000;
/**
 * Bytes an index key may take (ORA-01450): about 6,398 with 8 KB blocks, the smallest block size
 * a loader meets. Each column costs its largest value's bytes plus one.
 */
export const INDEX_KEY_BYTES = 6398;

/**
 * How a column takes part in the table's keys. `unique`: in the primary key, where Oracle refuses
 * TIMESTAMP WITH TIME ZONE (ORA-02329), so key instants are stored as UTC TIMESTAMP. `chars`: the
 * longest string it may hold so that every index it is in fits INDEX_KEY_BYTES.
 */
export interface KeyRole {
  unique: boolean;
  chars: number;
}

const FIXED_KEY_BYTES: Partial<Record<ColumnType['kind'], number>> = {
  integer: 22,
  decimal: 22,
  number: 8,
  boolean: 22,
  datetime: 13,
  date: 7,
  time: 32 * 4, // VARCHAR2(TIME_TEXT_CHARS CHAR)
};

/**
 * The key role of every column in the primary key or an index. The string columns of one index
 * share what the fixed-size columns leave of INDEX_KEY_BYTES (two unbounded strings: 799
 * characters each, not 1000 + 1000, which would fail with ORA-01450).
 */
export function keyRoles(spec: {
  columns: Array<{ name: string; type: ColumnType }>;
  primaryKey: string[];
  indexes: string[][];
}): Map<string, KeyRole> {
  const types = new Map(spec.columns.map((c) => [c.name, c.type]));
  const roles = new Map<string, KeyRole>();
  const unique = new Set(spec.primaryKey);
  for (const index of [spec.primaryKey, ...spec.indexes]) {
    if (index.length === 0) continue;
    let fixed = 0;
    const strings: string[] = [];
    for (const name of index) {
      const type = types.get(name);
      if (type?.kind === 'string') strings.push(name);
      else fixed += (type === undefined ? 22 : (FIXED_KEY_BYTES[type.kind] ?? 4000)) + 1;
    }
    const share =
      strings.length === 0
        ? KEY_STRING_CHARS
        : Math.min(
            KEY_STRING_CHARS,
            Math.floor((INDEX_KEY_BYTES - fixed - strings.length) / (4 * strings.length)),
          );
    for (const name of index) {
      const known = roles.get(name);
      roles.set(name, {
        unique: unique.has(name),
        chars: Math.max(1, Math.min(known?.chars ?? KEY_STRING_CHARS, share)),
      });
    }
  }
  return roles;
}
/** `time` values (`HH:MM:SS.ffffff+HH:MM`) are text: Oracle has no time-of-day type with an offset. */
export const TIME_TEXT_CHARS = 32;
export const TIMESTAMP_TZ = 'TIMESTAMP(6) WITH TIME ZONE';
/** A primary-key instant: UTC, without its offset (ORA-02329 refuses TIMESTAMP WITH TIME ZONE in a key). */
export const TIMESTAMP_UTC = 'TIMESTAMP(6)';

/** Longest VARCHAR2(n CHAR) that can never overflow the byte limit (AL32UTF8: 4 bytes a character). */
export const maxVarcharChars = (features: OracleFeatures): number => Math.floor(features.maxStringBytes / 4);

/**
 * The DDL type of a target column. Key and index columns (`role`) cannot be LOBs: their strings
 * are bounded to the role's share of the index key; a primary-key instant is a UTC TIMESTAMP.
 */
export function columnDdlType(type: ColumnType, features: OracleFeatures, role?: KeyRole): string {
  switch (type.kind) {
    case 'string': {
      const limit = role !== undefined ? role.chars : maxVarcharChars(features);
      if (type.maxLength !== undefined && type.maxLength <= limit) {
        return `VARCHAR2(${Math.max(1, type.maxLength)} CHAR)`;
      }
      return role !== undefined ? `VARCHAR2(${limit} CHAR)` : 'CLOB';
    }
    case 'integer':
      return 'NUMBER(19)';
    case 'decimal':
      return 'NUMBER';
    case 'number':
      return 'BINARY_DOUBLE';
    case 'boolean':
      return features.booleanType ? 'BOOLEAN' : 'NUMBER(1)';
    case 'datetime':
      return role?.unique ? TIMESTAMP_UTC : TIMESTAMP_TZ;
    case 'date':
      return 'DATE';
    case 'time':
      return `VARCHAR2(${TIME_TEXT_CHARS} CHAR)`;
    case 'json':
      return features.jsonType ? 'JSON' : 'CLOB';
  }
}

/**
 * The column comment that marks a kind stored as plain text. (An `IS JSON` check would be the
 * natural marker for JSON in a CLOB, but the published PL/SQL grammar rejects it.)
 */
export function kindComment(type: ColumnType, features: OracleFeatures): string | undefined {
  if (type.kind === 'time') return 'singer:time';
  if (type.kind === 'json' && !features.jsonType) return 'singer:json';
  return undefined;
}

/**
 * The comment that marks the new column of a widening in progress (see OracleSql.widening): it
 * names the column the values come from, as stored, and the comment that column ends with, so a
 * widening cut short by a crash can be undone or finished from the catalog alone.
 */
export interface WideningMarker {
  base: string;
  comment: string | undefined;
}

const WIDENING_MARKER = /^singer:widening of (\S+)(?: as (\S+))?$/;

export function wideningMarker(marker: WideningMarker): string {
  return `singer:widening of ${marker.base}${marker.comment === undefined ? '' : ` as ${marker.comment}`}`;
}

export function parseWideningMarker(comment: string | null): WideningMarker | undefined {
  const match = comment === null ? null : WIDENING_MARKER.exec(comment);
  if (match === null) return undefined;
  return { base: match[1]!, comment: match[2] };
}

/** A row of ALL_TAB_COLUMNS (the fields describeTable selects). */
export interface CatalogColumn {
  COLUMN_NAME: string;
  DATA_TYPE: string;
  DATA_LENGTH: number;
  CHAR_LENGTH: number | null;
  CHAR_USED: string | null;
  DATA_PRECISION: number | null;
  DATA_SCALE: number | null;
  NULLABLE: string;
  COMMENTS: string | null;
  /** Position in the primary key, null when not in it (absent from old fakes). */
  KEY_POSITION?: number | null;
}

/** Reads a catalog column back as the ColumnType that would have created it. */
export function columnTypeFromCatalog(column: CatalogColumn): ColumnType {
  const dataType = column.DATA_TYPE.toUpperCase();
  const isJson = column.COMMENTS === 'singer:json';
  if (column.COMMENTS === 'singer:time' && dataType === 'VARCHAR2') return { kind: 'time' };
  if (dataType === 'VARCHAR2' || dataType === 'NVARCHAR2' || dataType === 'CHAR' || dataType === 'NCHAR') {
    const chars = column.CHAR_USED === 'C' ? column.CHAR_LENGTH : null;
    return { kind: 'string', maxLength: chars ?? column.CHAR_LENGTH ?? column.DATA_LENGTH };
  }
  if (dataType === 'CLOB' || dataType === 'NCLOB' || dataType === 'LONG') {
    return isJson ? { kind: 'json' } : { kind: 'string' };
  }
  if (dataType === 'JSON' || (dataType === 'BLOB' && isJson)) return { kind: 'json' };
  if (dataType === 'NUMBER') {
    if (column.DATA_SCALE === 0) {
      return column.DATA_PRECISION === 1 ? { kind: 'boolean' } : { kind: 'integer' };
    }
    return { kind: 'decimal' };
  }
  if (dataType === 'BINARY_DOUBLE' || dataType === 'BINARY_FLOAT' || dataType === 'FLOAT') {
    return { kind: 'number' };
  }
  if (dataType === 'BOOLEAN') return { kind: 'boolean' };
  if (dataType.startsWith('TIMESTAMP')) return { kind: 'datetime' };
  if (dataType === 'DATE') return { kind: 'date' };
  // Anything this dialect never creates (RAW, XMLTYPE, INTERVAL...) is opaque text to the engine.
  return { kind: 'string' };
}
