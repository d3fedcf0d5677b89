/**
 * mod_ts bookmarks. The WMS renders instants in the facility's offset with microseconds, so
 * values are compared as instants (epoch microseconds, exact in a double until year 2255),
 * never as strings. Filter values are sent in whole seconds with an explicit offset: lower
 * bounds rounded down, upper bounds rounded up.
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const US_PER_SECOND = 1_000_000;

/** Epoch microseconds of an ISO-8601 instant; a value without an offset is read as UTC. NaN when unreadable. */
export function instantMicros(text: string): number {
  const m = INSTANT.exec(text);
  if (m === null) return Number.NaN;
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  const fraction = m[7] === undefined ? 0 : Number(m[7].slice(0, 6).padEnd(6, '0'));
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes =
      (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * (zone[0] === '-' ? -1 : 1);
  }
  return (ms - offsetMinutes * 60_000) * 1000 + fraction;
}

/** `YYYY-MM-DDTHH:MM:SS+00:00` of an instant, rounded to whole seconds in the given direction. */
export function filterInstant(micros: number, round: 'down' | 'up'): string {
  const seconds = round === 'down' ? Math.floor(micros / US_PER_SECOND) : Math.ceil(micros / US_PER_SECOND);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** The highest instant seen so far, kept in the text the API rendered it in. */
export class ModTsHigh {
  text: string | undefined;
  micros = Number.NEGATIVE_INFINITY;

  constructor(initial?: string) {
    if (initial !== undefined) this.offer(initial);
  }

  /** Takes the value if it is a later instant; returns whether it did. */
  offer(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const micros = instantMicros(value);
    if (!(micros > this.micros)) return false;
    this.micros = micros;
    this.text = value;
    return true;
  }
}

export const secondsToMicros = (seconds: number): number => seconds * US_PER_SECOND;
