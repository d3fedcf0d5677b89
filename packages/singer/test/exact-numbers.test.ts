// Numbers JSON.parse would round keep their exact text beside them (exact-numbers.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUSPECT, suspect } from '../src/exact-numbers.js';
import {
  carryExactNumbers,
  EXACT_NUMBERS,
  exactText,
  HAS_EXACT_NUMBERS,
  parseJson,
  parseMessage,
  stringifyExactly,
} from '../src/index.js';

test('a line without long digit runs parses as JSON.parse does, with no marks', () => {
  const value = parseJson('{"a":1,"b":[0.5,"x"],"c":{"d":123456789012345}}') as Record<
    string | symbol,
    unknown
  >;
  assert.deepEqual({ ...value }, { a: 1, b: [0.5, 'x'], c: { d: 123456789012345 } });
  assert.equal(value[HAS_EXACT_NUMBERS], undefined);
});

test('integers beyond 2^53 and long decimals keep their text; safe numbers do not', () => {
  const value = parseJson(
    '{"id":9007199254740993,"ok":9007199254740991,"d":12345678901234567890.123456789,"f":0.1,"s":"12345678901234567890"}',
  ) as Record<string | symbol, unknown>;
  assert.equal(exactText(value, 'id'), '9007199254740993');
  assert.equal(exactText(value, 'd'), '12345678901234567890.123456789');
  assert.equal(exactText(value, 'ok'), undefined);
  assert.equal(exactText(value, 'f'), undefined);
  assert.equal(exactText(value, 's'), undefined, 'a string of digits is already exact');
  assert.equal(value[HAS_EXACT_NUMBERS], true);
  assert.equal(Object.keys(value).includes(String(EXACT_NUMBERS)), false, 'the marks are not properties');
  assert.equal(JSON.stringify(value).includes('9007199254740992'), true, 'plain stringify still rounds');
});

test('nested numbers mark every object above them, and stringifyExactly writes them exactly', () => {
  const value = parseJson('{"j":{"list":[1,123456789012345678901234567890]}}') as Record<
    string | symbol,
    unknown
  >;
  assert.equal(value[HAS_EXACT_NUMBERS], true);
  assert.equal(stringifyExactly(value.j), '{"list":[1,123456789012345678901234567890]}');
});

test('a number beyond the double range is marked with its path', () => {
  const value = parseJson('{"a":{"b":1e400}}') as Record<string | symbol, unknown>;
  assert.equal(value[HAS_EXACT_NUMBERS], 'a.b');
  assert.equal(exactText(value.a, 'b'), '1e400');
});

test('parseMessage keeps exact texts on the record', () => {
  const message = parseMessage('{"type":"RECORD","stream":"s","record":{"id":18446744073709551615}}', 1);
  assert.equal(message.type, 'RECORD');
  if (message.type !== 'RECORD') return;
  assert.equal(exactText(message.record, 'id'), '18446744073709551615');
  assert.equal((message.record as Record<symbol, unknown>)[HAS_EXACT_NUMBERS], true);
});

test('a copy of a record (a stream map) keeps the exact texts of the values it kept as they were', () => {
  const record = parseJson(
    '{"id":9007199254740993,"n":18446744073709551615,"j":{"x":123456789012345678901}}',
  ) as Record<string, unknown>;
  const copy: Record<string, unknown> = { ...record, n: 1 };
  assert.equal((copy as Record<symbol, unknown>)[HAS_EXACT_NUMBERS], undefined, 'a spread loses the marks');
  carryExactNumbers(record, copy);
  assert.equal(exactText(copy, 'id'), '9007199254740993');
  assert.equal(exactText(copy, 'n'), undefined, 'a value the map replaced is not exact text any more');
  assert.equal((copy as Record<symbol, unknown>)[HAS_EXACT_NUMBERS], true);
  assert.equal(stringifyExactly(copy.j), '{"x":123456789012345678901}');
});

test('the fast suspect scan answers as the SUSPECT expression on every kind of text', () => {
  // Seeded strings over an alphabet rich in digits, exponent letters, signs and separators.
  let seed = 17;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = '0123456789012345678901234567890123456789eE+-.:"xT ';
  const texts = ['', '1e100', '1E-999', 'e100', 'x1e+10', '1234567890123456', '123456789012345', '1.5e30'];
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    const length = next(60);
    for (let j = 0; j < length; j++) text += alphabet[next(alphabet.length)];
    texts.push(text);
  }
  for (const text of texts) assert.equal(suspect(text), SUSPECT.test(text), JSON.stringify(text));
  assert.ok(texts.filter((text) => SUSPECT.test(text)).length > 1000, 'both answers are exercised');
  assert.ok(texts.filter((text) => !SUSPECT.test(text)).length > 1000, 'both answers are exercised');
});
