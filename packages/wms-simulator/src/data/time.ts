/**
 * Instants are epoch microseconds held in float64 (exact below 2^53). Rendering avoids Date objects on the
 * hot path: a day-number cache gives the date part, the rest is integer arithmetic.
 */

export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60_000_000;
export const US_PER_DAY = 86_400_000_000;

const dayCache = new Map<number, string>();

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad6(n: number): string {
  const s = String(n);
  return '000000'.slice(s.length) + s;
}

/** Days since 1970-01-01 -> YYYY-MM-DD. */
export function formatDay(day: number): string {
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(day, text);
  }
  return text;
}

const offsetCache = new Map<number, string>();

/** Minutes east of UTC -> +HH:MM. */
export function formatOffset(minutes: number): string {
  let text = offsetCache.get(minutes);
  if (text === undefined) {
    const abs = Math.abs(minutes);
    text = (minutes < 0 ? '-' : '+') + pad2(Math.floor(abs / 60)) + ':' + pad2(abs % 60);
    offsetCache.set(minutes, text);
  }
  return text;
}

/** Epoch micros -> 2025-04-10T12:01:48.391494+01:00 in the given offset. */
export function formatInstant(micros: number, offsetMinutes: number): string {
  const local = micros + offsetMinutes * US_PER_MINUTE;
  const day = Math.floor(local / US_PER_DAY);
  let rest = local - day * US_PER_DAY;
  const hour = Math.floor(rest / 3_600_000_000);
  rest -= hour * 3_600_000_000;
  const minute = Math.floor(rest / US_PER_MINUTE);
  rest -= minute * US_PER_MINUTE;
  const second = Math.floor(rest / US_PER_SECOND);
  const micro = rest - second * US_PER_SECOND;
  return (
    formatDay(day) +
    'T' +
    pad2(hour) +
    ':' +
    pad2(minute) +
    ':' +
    pad2(second) +
    '.' +
    pad6(micro) +
    formatOffset(offsetMinutes)
  );
}

/** Epoch micros -> 2025-04-10T11:01:48.391494Z, or 2025-04-10T11:01:48Z when the microseconds are zero (`utc-z`). */
export function formatUtcZ(micros: number): string {
  const text = formatInstant(micros, 0);
  return micros % US_PER_SECOND === 0 ? text.slice(0, 19) + 'Z' : text.slice(0, 26) + 'Z';
}

/** Calendar parts of an instant seen at an offset (for the year/month/... lookups). */
export function instantParts(micros: number, offsetMinutes: number): DateParts {
  const local = micros + offsetMinutes * US_PER_MINUTE;
  const date = new Date(Math.floor(local / 1000));
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    week_day: date.getUTCDay() + 1,
  };
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** Django's convention: 1 = Sunday ... 7 = Saturday. */
  week_day: number;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface ParsedInstant {
  micros: number;
  hasFraction: boolean;
}

/**
 * Parses a filter value as an instant. Without an offset the value is read at `defaultOffsetMinutes`
 * (the user's default facility), as the real API does. Returns undefined when the text is not a date-time.
 */
export function parseInstant(text: string, defaultOffsetMinutes: number): ParsedInstant | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  const fraction = m[7] === undefined ? 0 : Math.floor(Number('0.' + m[7]) * US_PER_SECOND + 1e-7);
  let offset = defaultOffsetMinutes;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    offset = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  } else if (zone === 'Z') {
    offset = 0;
  }
  return { micros: ms * 1000 + fraction - offset * US_PER_MINUTE, hasFraction: m[7] !== undefined };
}

/** Parses YYYY-MM-DD into a day number, undefined when malformed. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (formatDay(ms / 86_400_000) !== text) return undefined;
  return ms / 86_400_000;
}

/** Epoch micros -> ISO-8601 UTC with microseconds (for control answers and logs). */
export function isoUtc(micros: number): string {
  return formatInstant(micros, 0).replace('+00:00', 'Z');
}
