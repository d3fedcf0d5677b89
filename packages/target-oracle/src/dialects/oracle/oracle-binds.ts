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
import { columnDdlType, type KeyRole, TIMESTAMP_UTC } from './oracle-types.js';

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
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why Oracle would refuse a normalised date or date-time (TO_DATE / TO_TIMESTAMP_TZ), or
 * undefined: year 0000 (ORA-01841), a month or day that does not exist (ORA-01843/01847), a leap
 * second (ORA-01852: seconds 0-59), an offset beyond +-15 hours (ORA-01874/01875).
 */
export function oracleRefusesInstant(text: string): string | undefined {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (year === 0) return 'year 0000 does not exist in Oracle (ORA-01841)';
  if (month < 1 || month > 12) return 'no such month (ORA-01843)';
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day < 1 || day > (month === 2 && !leap ? 28 : DAYS[month - 1]!)) return 'no such day (ORA-01847)';
  if (text.length <= 10) return undefined;
  if (Number(text.slice(11, 13)) > 23) return 'hour past 23 (ORA-01850)';
  if (Number(text.slice(14, 16)) > 59) return 'minute past 59 (ORA-01851)';
  if (Number(text.slice(17, 19)) > 59) return 'a leap second (:60): Oracle keeps seconds 0-59 (ORA-01852)';
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (offset !== null && Number(offset[2]) > 15) return 'an offset beyond 15 hours (ORA-01874)';
  if (offset !== null && Number(offset[3]) > 59) return 'an offset minute past 59 (ORA-01875)';
  return undefined;
}

/**
 * Why Oracle's NUMBER cannot hold a decimal text exactly, or undefined: more than 38 significant
 * digits (it would round them away), a magnitude of 1E126 or more (ORA-01426), or one below
 * 1E-130 (it would become 0). `precision`: at most this many digits before the point (NUMBER(19):
 * ORA-01438).
 */
export function numberRefuses(text: string, integerDigits?: number): string | undefined {
  const match = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return undefined;
  const digits = `${match[1]}${match[2] ?? ''}`;
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return undefined; // zero
  const significant = digits.slice(lead).replace(/0+$/, '');
  // Position of the decimal point relative to the first significant digit.
  const magnitude = (match[1] ?? '').length - lead + Number(match[3] ?? 0);
  if (significant.length > 38)
    return `${significant.length} significant digits: Oracle's NUMBER keeps 38 and would round the rest`;
  if (magnitude > 126) return "a number of 1E126 or more overflows Oracle's NUMBER (ORA-01426)";
  if (magnitude < -129) return "a number below 1E-130 would be stored as 0 by Oracle's NUMBER";
  if (integerDigits !== undefined && magnitude > integerDigits)
    return `${magnitude} digits before the point: the column holds ${integerDigits} (ORA-01438)`;
  return undefined;
}

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

/** Digits an integer column (NUMBER(19)) holds: every 64-bit integer. */
const INTEGER_DIGITS = 19;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** An integer cell as exact text: a safe JS integer, or the exact text the engine kept for a larger one. */
function integerText(column: string, cell: Exclude<CellValue, null>): string {
  if (typeof cell === 'number') {
    if (Number.isSafeInteger(cell)) return String(cell);
    if (!Number.isFinite(cell)) throw new CellError(column, `not a finite number: ${cell}`);
    if (Number.isInteger(cell))
      throw new CellError(column, `${cell} is beyond 2^53 and was not kept exactly`);
    throw new CellError(column, `expected an integer, got ${cell}`);
  }
  if (typeof cell === 'boolean') return cell ? '1' : '0';
  const text = cell.trim();
  if (!INTEGER_TEXT.test(text))
    throw new CellError(column, `expected an integer, got ${JSON.stringify(cell)}`);
  return text.replace(/^\+/, '');
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const same = (staged: string): string => staged;

/** The codec of one column, for the server's features. */
export function columnCodec(column: ColumnSpec, features: OracleFeatures, role?: KeyRole): ColumnCodec {
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
      const ddl = columnDdlType(column.type, features, role);
      return codec(ddl, ddl === 'CLOB' ? 'clob' : 'varchar', (cell) => stringCell(name, cell));
    }
    case 'json':
      // Textual JSON converts implicitly into a JSON column (21c+) and is stored as is in a CLOB.
      return codec('CLOB', 'clob', (cell) => (typeof cell === 'string' ? cell : JSON.stringify(cell)));
    case 'integer':
      // Text, converted by TO_NUMBER: a 64-bit id beyond 2^53 arrives as exact text and stays exact.
      return codec(
        'VARCHAR2(40)',
        'varchar',
        (cell) => {
          const text = integerText(name, cell);
          const refused = numberRefuses(text, INTEGER_DIGITS);
          if (refused !== undefined) throw new CellError(name, refused);
          return text;
        },
        (staged) => `TO_NUMBER(${staged})`,
      );
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
          const refused = numberRefuses(text);
          if (refused !== undefined) throw new CellError(name, refused);
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
          const refused = oracleRefusesInstant(text);
          if (refused !== undefined) throw new CellError(name, `${JSON.stringify(cell)}: ${refused}`);
          return text;
        },
        columnDdlType(column.type, features, role) === TIMESTAMP_UTC
          ? (staged) => `SYS_EXTRACT_UTC(TO_TIMESTAMP_TZ(${staged}, '${TIMESTAMP_TZ_FORMAT}'))`
          : (staged) => `TO_TIMESTAMP_TZ(${staged}, '${TIMESTAMP_TZ_FORMAT}')`,
      );
    case 'date':
      return codec(
        'VARCHAR2(64)',
        'varchar',
        (cell) => {
          const match = typeof cell === 'string' ? ISO_DATE.exec(cell.trim()) : null;
          if (match === null) throw new CellError(name, `not an ISO-8601 date: ${JSON.stringify(cell)}`);
          const refused = oracleRefusesInstant(match[1]!);
          if (refused !== undefined) throw new CellError(name, `${JSON.stringify(cell)}: ${refused}`);
          return match[1]!;
        },
        (staged) => `TO_DATE(${staged}, '${DATE_FORMAT}')`,
      );
  }
}
