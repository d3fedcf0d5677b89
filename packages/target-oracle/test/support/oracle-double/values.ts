// Oracle's values and conversions as the double models them, with the errors a server raises
// (the rules are listed in docs/oracle.md): NUMBER keeps at most 38 significant digits and
// overflows past 1E126, TO_TIMESTAMP_TZ refuses a leap second, year 0000 and offsets past
// +-15 hours, VARCHAR2 counts characters or bytes, JSON_* functions return 4000 bytes at most.
import { SqlError } from './sql.js';

/** A NUMBER: canonical decimal text (no exponent, no trailing zeros, `-0` is `0`). */
export class OraNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A TIMESTAMP WITH TIME ZONE: `YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM`, and its UTC instant for comparisons. */
export class OraTimestamp {
  constructor(
    readonly text: string,
    readonly utc: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

/** A DATE (the dialect never stores a time in one): `YYYY-MM-DD`. */
export class OraDate {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Value = null | string | number | boolean | OraNumber | OraTimestamp | OraDate;

/** A column type from DDL. */
export interface ColumnType {
  base: string;
  /** VARCHAR2(n CHAR) */
  chars?: number;
  /** VARCHAR2(n) / VARCHAR2(n BYTE) */
  bytes?: number;
  precision?: number;
  scale?: number;
}

export function parseType(ddl: string): ColumnType {
  const text = ddl.trim().toUpperCase().replace(/\s+/g, ' ');
  let m = /^VARCHAR2\((\d+)( CHAR| BYTE)?\)$/.exec(text);
  if (m)
    return m[2] === ' CHAR'
      ? { base: 'VARCHAR2', chars: Number(m[1]) }
      : { base: 'VARCHAR2', bytes: Number(m[1]) };
  m = /^NUMBER(?:\((\d+)(?:, ?(-?\d+))?\))?$/.exec(text);
  if (m) {
    if (m[1] === undefined) return { base: 'NUMBER' };
    const precision = Number(m[1]);
    if (precision < 1 || precision > 38)
      throw new SqlError('ORA-01727', 'numeric precision specifier is out of range (1 to 38)');
    return { base: 'NUMBER', precision, scale: m[2] === undefined ? 0 : Number(m[2]) };
  }
  if (/^TIMESTAMP(\(\d\))? WITH TIME ZONE$/.test(text)) return { base: 'TIMESTAMP WITH TIME ZONE' };
  if (/^TIMESTAMP(\(\d\))?$/.test(text)) return { base: 'TIMESTAMP' };
  if (['DATE', 'CLOB', 'BLOB', 'JSON', 'BOOLEAN', 'BINARY_DOUBLE', 'BINARY_FLOAT'].includes(text))
    return { base: text };
  throw new SqlError('ORA-00902', `invalid datatype ${ddl}`);
}

export const isLob = (type: ColumnType): boolean => ['CLOB', 'BLOB', 'JSON'].includes(type.base);

/** Largest number of bytes a value of the type takes in an index key (AL32UTF8: 4 bytes a character). */
export function keyBytes(type: ColumnType, maxStringBytes: number): number {
  switch (type.base) {
    case 'VARCHAR2':
      return type.chars !== undefined ? Math.min(type.chars * 4, maxStringBytes) : (type.bytes ?? 0);
    case 'NUMBER':
      return 22;
    case 'BINARY_DOUBLE':
      return 8;
    case 'DATE':
      return 7;
    case 'TIMESTAMP':
      return 11;
    case 'TIMESTAMP WITH TIME ZONE':
      return 13;
    case 'BOOLEAN':
      return 1;
    default:
      return 4000;
  }
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** TO_NUMBER of text (NLS_NUMERIC_CHARACTERS '.,'): ORA-01722 for anything else, ORA-01426 past 1E126. */
export function toNumber(value: Value): OraNumber | null {
  if (value === null) return null;
  if (value instanceof OraNumber) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SqlError('ORA-01426', 'numeric overflow');
    return toNumber(String(value));
  }
  if (typeof value === 'boolean')
    throw new SqlError('ORA-00932', 'inconsistent datatypes: expected NUMBER got BOOLEAN');
  const text = String(value).trim();
  const m = DECIMAL.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw new SqlError('ORA-01722', 'invalid number');
  const sign = m[1] === '-' ? '-' : '';
  let digits = `${m[2]}${m[3] ?? ''}`;
  let point = m[2]!.length + Number(m[4] ?? 0); // position of the decimal point in `digits`
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return new OraNumber('0');
  digits = digits.slice(lead);
  point -= lead;
  digits = digits.replace(/0+$/, '');
  // Oracle keeps 38 significant digits (up to 40 in some cases): more are rounded away.
  if (digits.length > 38) {
    const kept = digits.slice(0, 38);
    const up = Number(digits[38]) >= 5;
    let rounded = BigInt(kept) + (up ? 1n : 0n);
    let text38 = rounded.toString();
    if (text38.length > 38) {
      point += 1;
      rounded /= 10n;
      text38 = rounded.toString();
    }
    digits = text38.replace(/0+$/, '');
  }
  if (point > 126) throw new SqlError('ORA-01426', 'numeric overflow');
  if (point < -129) return new OraNumber('0');
  let canonical: string;
  if (point <= 0) canonical = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) canonical = digits + '0'.repeat(point - digits.length);
  else canonical = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return new OraNumber(sign + canonical);
}

/** A NUMBER into NUMBER(p, s): rounded to s decimals, ORA-01438 when it needs more than p - s integer digits. */
export function fitNumber(value: OraNumber, type: ColumnType): OraNumber {
  if (type.precision === undefined) return value;
  const scale = type.scale ?? 0;
  const negative = value.text.startsWith('-');
  const [int = '0', frac = ''] = value.text.replace('-', '').split('.');
  let scaled = BigInt(int + frac.padEnd(scale, '0').slice(0, Math.max(0, scale)) || '0');
  if (frac.length > scale && Number(frac[scale]) >= 5) scaled += 1n;
  const digits = scaled.toString();
  const integerDigits = Math.max(0, digits.length - scale);
  if (integerDigits > type.precision - scale) {
    throw new SqlError('ORA-01438', 'value larger than specified precision allowed for this column');
  }
  const padded = digits.padStart(scale + 1, '0');
  const text = scale > 0 ? `${padded.slice(0, -scale)}.${padded.slice(-scale)}` : padded;
  return toNumber((negative && scaled !== 0n ? '-' : '') + text)!;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkDate(year: number, month: number, day: number): void {
  if (year === 0 || year < -4713 || year > 9999)
    throw new SqlError('ORA-01841', '(full) year must be between -4713 and +9999, and not be 0');
  if (month < 1 || month > 12) throw new SqlError('ORA-01843', 'not a valid month');
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const last = month === 2 && !leap ? 28 : DAYS[month - 1]!;
  if (day < 1 || day > last)
    throw new SqlError('ORA-01847', 'day of month must be between 1 and last day of month');
}

const TSTZ_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{1,9})([+-])(\d{2}):(\d{2})$/;
export const TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FFTZH:TZM';

/** TO_TIMESTAMP_TZ(text, 'YYYY-MM-DD"T"HH24:MI:SS.FFTZH:TZM'): the format the dialect uses. */
export function toTimestampTz(value: Value, format: string): OraTimestamp | null {
  if (value === null) return null;
  if (format !== TIMESTAMP_TZ_FORMAT)
    throw new SqlError('ORA-01821', `date format not recognized: ${format}`);
  const m = TSTZ_TEXT.exec(String(value));
  if (m === null) throw new SqlError('ORA-01861', 'literal does not match format string');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  checkDate(year!, month!, day!);
  if (hour! > 23) throw new SqlError('ORA-01850', 'hour must be between 0 and 23');
  if (minute! > 59) throw new SqlError('ORA-01851', 'minutes must be between 0 and 59');
  if (second! > 59) throw new SqlError('ORA-01852', 'seconds must be between 0 and 59');
  const tzh = Number(m[9]);
  const tzm = Number(m[10]);
  if (tzh > 15) throw new SqlError('ORA-01874', 'time zone hour must be between -15 and 15');
  if (tzm > 59) throw new SqlError('ORA-01875', 'time zone minute must be between -59 and 59');
  return timestamp(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`,
    m[7]!.padEnd(9, '0'),
    `${m[8]}${m[9]}:${m[10]}`,
  );
}

/** A timestamp from its parts; the UTC text orders and compares instants. */
export function timestamp(local: string, fraction9: string, offset: string): OraTimestamp {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const ms = Date.parse(`${local}Z`) - minutes * 60_000;
  const utc = `${new Date(ms).toISOString().slice(0, 19)}.${fraction9}`;
  return new OraTimestamp(`${local}.${fraction9}${offset}`, utc);
}

/** Stored in TIMESTAMP(6): the fraction rounded to microseconds (kept simple: cut, never carried). */
export function toMicros(value: OraTimestamp): OraTimestamp {
  const m = /^(.*)\.(\d{9})(.*)$/.exec(value.text)!;
  const micros = `${m[2]!.slice(0, 6)}000`;
  return timestamp(m[1]!, micros, m[3]!);
}

export function toDate(value: Value, format: string): OraDate | null {
  if (value === null) return null;
  if (format !== 'YYYY-MM-DD') throw new SqlError('ORA-01821', `date format not recognized: ${format}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (m === null) throw new SqlError('ORA-01861', 'literal does not match format string');
  checkDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return new OraDate(m[0]);
}

/** JSON_ARRAY(value): VARCHAR2(4000) unless RETURNING CLOB (ORA-40478 beyond). */
export function jsonArray(values: Value[], returning: string | undefined): string {
  const parts = values.map((v) => {
    if (v === null) return undefined; // ABSENT ON NULL
    if (v instanceof OraNumber) return v.text.replace(/^(-?)\./, '$10.');
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return JSON.stringify(String(v));
  });
  const text = `[${parts.filter((p) => p !== undefined).join(',')}]`;
  if (returning !== 'CLOB' && Buffer.byteLength(text) > 4000) {
    throw new SqlError('ORA-40478', 'output value too large (maximum: 4000)');
  }
  return text;
}

/** Text of a value the way an implicit conversion to VARCHAR2 renders it. */
export function toText(value: Value): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof OraNumber) return value.text.replace(/^(-?)0\./, '$1.');
  return String(value);
}

export function toChar(value: Value, format: string | undefined): string | null {
  if (value === null) return null;
  if (value instanceof OraTimestamp) {
    if (format !== 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM')
      throw new SqlError('ORA-01821', `date format not recognized: ${format}`);
    const m = /^(.*)\.(\d{9})(.*)$/.exec(value.text)!;
    return `${m[1]}.${m[2]!.slice(0, 6)}${m[3]}`;
  }
  if (value instanceof OraDate) {
    if (format !== 'YYYY-MM-DD') throw new SqlError('ORA-01821', `date format not recognized: ${format}`);
    return value.text;
  }
  return toText(value);
}

/** Compares two values of one column (for keys and version predicates). */
export function compare(a: Value, b: Value): number {
  if (a === null || b === null) return Number.NaN;
  if (a instanceof OraTimestamp && b instanceof OraTimestamp)
    return a.utc < b.utc ? -1 : a.utc > b.utc ? 1 : 0;
  if (a instanceof OraNumber || b instanceof OraNumber || typeof a === 'number' || typeof b === 'number') {
    const x = toNumber(a as Value)!.text;
    const y = toNumber(b as Value)!.text;
    if (x === y) return 0;
    return Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : x < y ? -1 : 1;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A key's identity (instants by UTC, numbers canonical). */
export function keyOf(value: Value): string {
  if (value instanceof OraTimestamp) return `t:${value.utc}`;
  if (value instanceof OraNumber) return `n:${value.text}`;
  if (typeof value === 'number') return `n:${toNumber(value)!.text}`;
  return `${typeof value}:${String(value)}`;
}
