import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isDate, isDateTime, isTime } from '../src/records/date-formats.js';

type Check = (text: string) => boolean;
const reference = (format: unknown): Check => (format as { validate: Check }).validate;
const pairs: [string, Check, Check][] = [
  ['date', isDate, reference(fullFormats.date)],
  ['time', isTime, reference(fullFormats.time)],
  ['date-time', isDateTime, reference(fullFormats['date-time'])],
];

const seeds = [
  '2026-02-28',
  '2024-02-29',
  '2023-02-29',
  '1900-02-29',
  '2000-02-29',
  '2026-13-01',
  '2026-04-31',
  '23:59:60Z',
  '23:59:60.5+00:00',
  '00:59:60+01:00',
  '12:00:00',
  '12:00:00.123456-05:00',
  '24:00:00Z',
  '12:00:00+2400',
  '12:00:00+05',
  '12:00:00+0530',
  '12:00:00.Z',
  '2026-01-10T01:11:21.123456-05:00',
  '2026-01-10t01:11:21z',
  '2026-01-10 01:11:21Z',
  '2026-01-10\u00a001:11:21Z',
  '2026-01-10TT01:11:21Z',
  '2016-12-31T18:59:60-05:00',
  '2026-01-10T01:11:21',
];

test('date, time and date-time accept exactly what ajv-formats full mode accepts', () => {
  const accepted = { date: 0, time: 0, 'date-time': 0 };
  const alphabet = '0123456789:-+.TtZz \u00a0\n\u2028x';
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const texts = [...seeds];
  for (let i = 0; i < 60_000; i++) {
    let text = seeds[Math.floor(random() * seeds.length)]!;
    const at = Math.floor(random() * (text.length + 1));
    const char = alphabet[Math.floor(random() * alphabet.length)]!;
    const edit = random();
    text =
      edit < 0.4
        ? text.slice(0, at) + char + text.slice(at + 1)
        : edit < 0.7
          ? text.slice(0, at) + char + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1);
    texts.push(text);
  }
  for (const text of texts) {
    for (const [name, ours, theirs] of pairs) {
      const expected = theirs(text);
      assert.equal(ours(text), expected, `${name} ${JSON.stringify(text)}`);
      if (expected) accepted[name as keyof typeof accepted]++;
    }
  }
  // the corpus exercises both outcomes of every format
  for (const count of Object.values(accepted)) assert.ok(count > 100 && count < texts.length / 2);
});
