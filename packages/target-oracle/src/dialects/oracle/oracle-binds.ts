/**
 * How cells travel: each column has a staging ("wire") type that node-oracledb binds exactly, a
 * conversion of the engine's cell into that bind value, and the SQL expression that turns the
 * staged value into the target type inside MERGE / INSERT ... SELECT.
 *
 * Nothing goes through a JS Date (milliseconds only) or a float: date-times travel as normalised
 * ISO text converted by TO_TIMESTAMP_TZ, decimals as text converted by TO_NUMBER (the session sets
 * NLS_NUMERIC_CHARACTERS to '.,' so the decimal point is always '.').
 */
import type { CellValue, ColumnSpec } from '../dialect.js';
import type { OracleFeatures } from './oracle-features.js';
import { columnDdlType } from './oracle-types.js';

export const TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FFTZH:TZM';
export const DATE_FORMAT = 'YYYY-MM-DD';

/** The node-oracledb bind type of a staged column (mapped to oracledb.DB_TYPE_* by the driver). */
export type BindKind = 'varchar' | 'clob' | 'number' | 'double' | 'boolean';
export type BindValue = string | number | boolean | null;

export interface ColumnCodec {
  readonly column: ColumnSpec;
  /** DDL type of the staging column. */
  readonly stagingType: string;
  readonly bind: BindKind;
  /** Converts one cell; throws a CellError when the value cannot be represented. */
  readonly encode: (cell: CellValue) => BindValue;
  /** SQL turning the staged value (an expression such as `s.COL`) into the target type. */
  readonly toTarget: (staged: string) => string;
}

/** A cell the dialect cannot send; the dialect adds the table and row to the message. */
export class CellError extends Error {
  readonly column: string;
  constructor(column: string, message: string) {
    super(message);
    this.name = 'CellError';
    this.column = column;
  }
}

// Date, time, optional fraction, optional offset (Z, +HH:MM, +HHMM, +HH); 'T' or a space between.
const ISO_DATETIME =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Normalises an ISO-8601 instant to the one shape TO_TIMESTAMP_TZ reads with TIMESTAMP_TZ_FORMAT:
 * `YYYY-MM-DDTHH:MM:SS.f+HH:MM`. A missing fraction becomes `.0`; `Z` and a missing offset become
 * `+00:00` (Singer date-times without an offset are UTC by convention).
 */
export function normaliseDateTime(text: string): string | undefined {
  const match = ISO_DATETIME.exec(text);
  if (match === null) return undefined;
  const fraction = match[3] ?? '0';
  const zone = match[4];
  let offset: string;
  if (zone === undefined || zone === 'Z' || zone === 'z') offset = '+00:00';
  else if (zone.length === 3) offset = `${zone}:00`;
  else if (zone.length === 5) offset = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  else offset = zone;
  return `${match[1]}T${match[2]}.${fraction}${offset}`;
}

const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/;

function stringCell(column: string, cell: CellValue): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  throw new CellError(column, `expected text, got ${typeof cell}`);
}

function numberCell(column: string, cell: CellValue): number {
  if (typeof cell === 'number' && Number.isFinite(cell)) return cell;
  if (typeof cell === 'string' && cell.trim() !== '' && Number.isFinite(Number(cell))) return Number(cell);
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  throw new CellError(column, `expected a number, got ${JSON.stringify(cell)}`);
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const same = (staged: string): string => staged;

/** The codec of one column, for the server's features. */
export function columnCodec(column: ColumnSpec, features: OracleFeatures, indexed: boolean): ColumnCodec {
  const name = column.name;
  const codec = (
    stagingType: string,
    bind: BindKind,
    encode: (cell: Exclude<CellValue, null>) => BindValue,
    toTarget: (staged: string) => string = same,
  ): ColumnCodec => ({
    column,
    stagingType,
    bind,
    encode: (cell) => (cell === null ? null : encode(cell)),
    toTarget,
  });
  switch (column.type.kind) {
    case 'string':
    case 'time': {
      const ddl = columnDdlType(column.type, features, indexed);
      return codec(ddl, ddl === 'CLOB' ? 'clob' : 'varchar', (cell) => stringCell(name, cell));
    }
    case 'json':
      // Textual JSON converts implicitly into a JSON column (21c+) and is stored as is in a CLOB.
      return codec('CLOB', 'clob', (cell) => (typeof cell === 'string' ? cell : JSON.stringify(cell)));
    case 'integer':
      return codec('NUMBER', 'number', (cell) => {
        const value = numberCell(name, cell);
        if (!Number.isInteger(value)) throw new CellError(name, `expected an integer, got ${value}`);
        return value;
      });
    case 'number':
      return codec('BINARY_DOUBLE', 'double', (cell) => numberCell(name, cell));
    case 'decimal':
      return codec(
        'VARCHAR2(200)',
        'varchar',
        (cell) => {
          const text = typeof cell === 'number' ? String(cell) : stringCell(name, cell).trim();
          if (!DECIMAL_TEXT.test(text))
            throw new CellError(name, `not a decimal number: ${JSON.stringify(cell)}`);
          return text;
        },
        (staged) => `TO_NUMBER(${staged})`,
      );
    case 'boolean':
      return features.booleanType
        ? codec('BOOLEAN', 'boolean', (cell) => cell === true || cell === 'true' || cell === 1)
        : codec('NUMBER(1)', 'number', (cell) => (cell === true || cell === 'true' || cell === 1 ? 1 : 0));
    case 'datetime':
      return codec(
        'VARCHAR2(64)',
        'varchar',
        (cell) => {
          const text = typeof cell === 'string' ? normaliseDateTime(cell.trim()) : undefined;
          if (text === undefined)
            throw new CellError(name, `not an ISO-8601 date-time: ${JSON.stringify(cell)}`);
          return text;
        },
        (staged) => `TO_TIMESTAMP_TZ(${staged}, '${TIMESTAMP_TZ_FORMAT}')`,
      );
    case 'date':
      return codec(
        'VARCHAR2(64)',
        'varchar',
        (cell) => {
          const match = typeof cell === 'string' ? ISO_DATE.exec(cell.trim()) : null;
          if (match === null) throw new CellError(name, `not an ISO-8601 date: ${JSON.stringify(cell)}`);
          return match[1]!;
        },
        (staged) => `TO_DATE(${staged}, '${DATE_FORMAT}')`,
      );
  }
}
