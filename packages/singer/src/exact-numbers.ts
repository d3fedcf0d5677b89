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

const SUSPECT = /\d{16}|\d[eE][+-]?\d{3}/;
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
  if (!SUSPECT.test(text)) return value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
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
