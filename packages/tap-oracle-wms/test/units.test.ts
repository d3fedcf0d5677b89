import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { peekNextPage, readListPage } from '../src/client/list-page.js';
import { backoffMs, retryAfterMs } from '../src/client/retry.js';
import { filterInstant, instantMicros, ModTsHigh } from '../src/streams/bookmarks.js';
import { hasFieldsBeyond, projectRecords, RecordText } from '../src/streams/record-text.js';
import { propertySchema } from '../src/streams/schema-from-describe.js';

describe('list pages read without parsing records', () => {
  test('records keep their exact text; the envelope is parsed', () => {
    const a = '{"id":1,"s":"a \\"quoted\\" ] } [ { text","fk":{"id":2,"key":"K","url":"u"},"n":null}';
    const b = '{"id":2,"s":"back\\\\","arr":[1,{"x":[]}]}';
    const page = readListPage(`{"next_page":"http://x/?cursor=a","results":[${a}, ${b}],"page_nbr":1}`);
    assert.deepEqual(page.records, [a, b]);
    assert.deepEqual(page.envelope, { next_page: 'http://x/?cursor=a', results: [], page_nbr: 1 });
    assert.equal(page.compact, true);
    for (const record of page.records) JSON.parse(record);
  });

  test('a key named results inside a record, and an empty list', () => {
    const page = readListPage('{"results":[{"results":[1],"id":1}],"next_page":null}');
    assert.deepEqual(page.records, ['{"results":[1],"id":1}']);
    assert.deepEqual(readListPage('{"next_page":null,"results":[]}').records, []);
  });

  test('line breaks between tokens are flagged; inside strings they are escaped anyway', () => {
    assert.equal(readListPage('{"results":[{"id":1,\n"a":2}]}').compact, false);
    assert.equal(readListPage('{"results":[\n{"id":1,"a":"x\\ny"}\n]}').compact, true);
  });

  test('truncated or malformed answers are errors (and so are retried)', () => {
    const whole = '{"next_page":null,"results":[{"id":1,"s":"abc"},{"id":2}]}';
    for (let cut = 1; cut < whole.length; cut++) {
      assert.throws(() => readListPage(whole.slice(0, cut)), Error, `cut at ${cut} must not pass`);
    }
    assert.throws(() => readListPage('{"results":{"id":1}}'), /not an array/);
    assert.throws(() => readListPage('{"results":[1,2]}'), /not an object/);
    assert.throws(() => readListPage('{"next_page":null}'), /no "results"/);
  });
});

describe('next_page at the head of an answer', () => {
  test('read from the opening of a sequenced envelope only', () => {
    assert.equal(
      peekNextPage('{"next_page":"http://h/x/?cursor=cD0y\\u0026a=1","results":['),
      'http://h/x/?cursor=cD0y&a=1',
    );
    assert.equal(peekNextPage(' { "next_page" : "http:\\/\\/h\\/x" ,'), 'http://h/x');
    assert.equal(peekNextPage('{"next_page":null,"results":[]}'), undefined);
    assert.equal(peekNextPage('{"result_count":3,"next_page":"http://h/x"}'), undefined);
  });
});

describe('record text', () => {
  test('a key value is found without parsing, and with parsing when spaced or null', () => {
    const modTs = new RecordText('mod_ts');
    assert.equal(
      modTs.valueOf('{"id":1,"mod_ts":"2025-01-02T03:04:05.123456+01:00"}'),
      '2025-01-02T03:04:05.123456+01:00',
    );
    assert.equal(
      modTs.valueOf('{"id":1, "mod_ts" : "2025-01-02T03:04:05+01:00"}'),
      '2025-01-02T03:04:05+01:00',
    );
    assert.equal(modTs.valueOf('{"id":1,"mod_ts":null}'), null);
  });

  test('projection keeps only selected fields', () => {
    const selected = new Set(['id', 'a']);
    assert.equal(hasFieldsBeyond('{"id":1,"a":2}', selected), false);
    assert.equal(hasFieldsBeyond('{"id":1,"a":2,"b":3}', selected), true);
    assert.deepEqual(projectRecords(['{"id":1,\n"a":2,"b":3}'], ['id', 'a']), ['{"id":1,"a":2}']);
  });
});

describe('instants', () => {
  test('offsets are compared as instants, with microseconds', () => {
    const a = instantMicros('2025-04-10T12:01:48.391494+01:00');
    const b = instantMicros('2025-04-10T11:01:48.391495Z');
    assert.equal(b - a, 1);
    assert.equal(instantMicros('2025-04-10T06:31:48.391494-04:30'), a);
    assert.ok(Number.isNaN(instantMicros('yesterday')));
    const high = new ModTsHigh();
    assert.equal(high.offer('2025-04-10T12:00:00.000001+01:00'), true);
    assert.equal(
      high.offer('2025-04-10T11:30:00+00:00'),
      true,
      'later as an instant though smaller as a string',
    );
    assert.equal(high.offer('2025-04-10T12:10:00+02:00'), false);
    assert.equal(high.text, '2025-04-10T11:30:00+00:00');
  });

  test('filter values: whole seconds, explicit offset, rounded outward', () => {
    const micros = instantMicros('2025-04-10T12:01:48.391494+01:00');
    assert.equal(filterInstant(micros, 'down'), '2025-04-10T11:01:48+00:00');
    assert.equal(filterInstant(micros, 'up'), '2025-04-10T11:01:49+00:00');
    const whole = instantMicros('2025-04-10T11:01:48Z');
    assert.equal(filterInstant(whole, 'up'), '2025-04-10T11:01:48+00:00');
    assert.equal(
      new URLSearchParams({ v: filterInstant(whole, 'down') }).toString(),
      'v=2025-04-10T11%3A01%3A48%2B00%3A00',
    );
  });
});

describe('describe types', () => {
  test('known types map to Singer conventions; unknown ones are kept permissive', () => {
    assert.deepEqual(propertySchema('qty', { type: 'decimal' }), {
      type: ['string', 'null'],
      format: 'singer.decimal',
    });
    assert.deepEqual(propertySchema('x', { type: 'string', max_length: 30 }), {
      type: ['string', 'null'],
      maxLength: 30,
    });
    assert.deepEqual(propertySchema('id', { type: 'integer' }), { type: 'integer' });
    assert.equal(propertySchema('shape', { type: 'geometry' }).type, undefined);
    assert.equal(propertySchema('no_type', {}).type, undefined);
  });
});

describe('retry timing', () => {
  test('Retry-After as seconds or a date; backoff doubles with jitter under a cap', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(retryAfterMs('soon'), undefined);
    const policy = { maxRetries: 5, baseSeconds: 1, capSeconds: 4 };
    assert.equal(
      backoffMs(policy, 0, () => 0),
      500,
    );
    assert.equal(
      backoffMs(policy, 1, () => 0.999_999),
      2000,
    );
    assert.equal(
      backoffMs(policy, 5, () => 0.999_999),
      4000,
    );
  });
});
