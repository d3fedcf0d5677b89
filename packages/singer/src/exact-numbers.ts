/**
 * Numbers JSON.parse cannot hold exactly: integers beyond 2^53 (64-bit ids), decimals of more
 * than 15 significant digits, and numbers beyond a double's range (1e400 parses as Infinity).
 * A Singer line that might carry one (a run of 16 digits, or a 3-digit exponent) is parsed a
 * second time with a reviver that reads each number's source text (V8's JSON.parse source text
 * access, Node 22+) and keeps the text of those numbers beside them: on the object or array
 * holding the number, under EXACT_NUMBERS, by key. Every object above such a number carries
 * HAS_EXACT_NUMBERS: `true`, or the path of the first non-finite number (which nothing can store).
 * Lines without a long digit run pay one regular-expression scan (bench/singer-reader.ts).
 */

/** On a holder: `{ [key]: source text }` of the numbers it holds that JSON.parse rounded. */
export const EXACT_NUMBERS: unique symbol = Symbol('exact numbers');
/** On every object above such a number: `true`, or the dotted path of a non-finite number. */
export const HAS_EXACT_NUMBERS: unique symbol = Symbol('has exact numbers');

type Holder = Record<string | symbol, unknown>;

/** Text that may hold a number JSON.parse rounds (the definition `suspect` implements faster). */
export const SUSPECT = /\d{16}|\d[eE][+-]?\d{3}/;
const INTEGER = /^-?\d+$/;

/** True when the number's text says no more than the double does. */
function heldExactly(value: number, source: string): boolean {
  if (!Number.isFinite(value)) return false;
  if (INTEGER.test(source)) return Number.isSafeInteger(value);
  const mantissa = source
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length <= 15;
}

function mark(holder: Holder, flag: true | string): void {
  const current = holder[HAS_EXACT_NUMBERS];
  if (typeof current === 'string') return; // the first non-finite number's path wins
  Object.defineProperty(holder, HAS_EXACT_NUMBERS, { value: flag, configurable: true, enumerable: false });
}

function reviver(this: Holder, key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number') {
    const source = context?.source;
    if (source === undefined || heldExactly(value, source)) return value;
    let texts = this[EXACT_NUMBERS] as Record<string, string> | undefined;
    if (texts === undefined) {
      texts = Object.create(null) as Record<string, string>;
      Object.defineProperty(this, EXACT_NUMBERS, { value: texts, enumerable: false });
    }
    texts[key] = source;
    mark(this, Number.isFinite(value) ? true : key);
  } else if (value !== null && typeof value === 'object') {
    const flag = (value as Holder)[HAS_EXACT_NUMBERS];
    if (flag !== undefined) mark(this, typeof flag === 'string' ? `${key}.${flag}` : true);
  }
  return value;
}

/** JSON.parse, keeping the exact text of the numbers it would round (see above). */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!suspect(text)) return value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

const EXPONENT = /[eE][+-]?\d\d\d/g;

/**
 * `SUSPECT.test(text)`, in about half the time on WMS records, whose timestamps, ids and
 * decimals make the regular expression try a 16-digit run at almost every digit (1.9 us of a
 * 5 us JSON.parse per 1.7 KB order_dtl line; bench/RESULTS.md).
 */
export function suspect(text: string): boolean {
  return hasDigitRun16(text) || hasLongExponent(text);
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/**
 * A run of 16 digits. Looks at every 16th character: a run of 16 covers one of them, so where
 * that character is not a digit no run ends within the next 16; where it is, the whole run
 * around it is measured and the look resumes 16 past its end.
 */
function hasDigitRun16(text: string): boolean {
  const length = text.length;
  let at = 15;
  while (at < length) {
    if (!isDigit(text.charCodeAt(at))) {
      at += 16;
      continue;
    }
    let start = at;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= 16) return true;
    at = end + 16;
  }
  return false;
}

/** A digit, then `e` or `E`, an optional sign and three digits. */
function hasLongExponent(text: string): boolean {
  EXPONENT.lastIndex = 0;
  for (let match = EXPONENT.exec(text); match !== null; match = EXPONENT.exec(text)) {
    if (match.index > 0 && isDigit(text.charCodeAt(match.index - 1))) return true;
    EXPONENT.lastIndex = match.index + 1;
  }
  return false;
}

/** The exact text of `holder[key]` when JSON.parse rounded it, else undefined. */
export function exactText(holder: unknown, key: string): string | undefined {
  if (holder === null || typeof holder !== 'object') return undefined;
  return ((holder as Holder)[EXACT_NUMBERS] as Record<string, string> | undefined)?.[key];
}

/** JSON.stringify that writes the numbers JSON.parse rounded as their exact text. */
export function stringifyExactly(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const text = exactText(this, key);
    return text === undefined ? v : (JSON as unknown as { rawJSON(t: string): unknown }).rawJSON(text);
  });
}

/**
 * Carries the exact texts of `from` over to `to`, a copy of it (a stream map's output): for each
 * property `to` holds with the very same value, so a mapped record keeps its 64-bit ids exact.
 */
export function carryExactNumbers(from: object, to: object): void {
  const source = from as Holder;
  const flag = source[HAS_EXACT_NUMBERS];
  if (flag === undefined) return;
  const target = to as Holder;
  const texts = source[EXACT_NUMBERS] as Record<string, string> | undefined;
  if (texts !== undefined) {
    for (const [key, text] of Object.entries(texts)) {
      if (!Object.hasOwn(target, key) || target[key] !== source[key]) continue;
      let copied = target[EXACT_NUMBERS] as Record<string, string> | undefined;
      if (copied === undefined) {
        copied = Object.create(null) as Record<string, string>;
        Object.defineProperty(target, EXACT_NUMBERS, { value: copied, enumerable: false });
      }
      copied[key] = text;
      mark(target, typeof flag === 'string' && flag === key ? key : true);
    }
  }
  for (const [key, value] of Object.entries(target)) {
    if (value === null || typeof value !== 'object') continue;
    const inner = (value as Holder)[HAS_EXACT_NUMBERS];
    if (inner !== undefined) mark(target, typeof inner === 'string' ? `${key}.${inner}` : true);
  }
}
