// Every Meltano SDK target test stream gives the outcome test/fixtures/singer-conformance/README.md lists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { conformanceDir, rows, runTarget, tables, workspaces } from './support/target-run.js';

const dir = conformanceDir();
const stream = (name: string): string => readFileSync(join(dir, `${name}.singer`), 'utf8');

describe('Singer SDK conformance streams on SQLite', { concurrency: 2 }, () => {
  const fresh = workspaces();

  test('every conformance file has a test here', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.singer'))
      .map((f) => f.replace(/\.singer$/, ''))
      .sort();
    assert.deepEqual(files, [...COVERED].sort());
  });

  const COVERED = [
    'array_data',
    'camelcase',
    'duplicate_records',
    'invalid_schema',
    'no_primary_keys',
    'no_primary_keys_append',
    'optional_attributes',
    'record_before_schema',
    'record_missing_fields',
    'record_missing_key_property',
    'record_missing_required_property',
    'schema_no_properties',
    'schema_updates',
    'user_location_data',
  ];

  test('array_data: 4 rows, fruits as JSON text that round-trips', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('array_data'));
    assert.equal(result.code, 0, result.stderr);
    const loaded = rows(ws.db, 'test_array_data', 'id');
    assert.equal(loaded.length, 4);
    assert.deepEqual(JSON.parse(loaded[0]!.fruits as string), ['apple', 'orange', 'pear']);
    assert.deepEqual(JSON.parse(loaded[3]!.fruits as string), ['orange', 'banana', 'apple', 'pear']);
    assert.deepEqual(result.states, [{ test_array_data: 4 }]);
  });

  test('camelcase: names lower-cased by the documented rule, 2 rows', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('camelcase'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(tables(ws.db), ['testcamelcase']);
    assert.deepEqual(rows(ws.db, 'testcamelcase', 'id'), [
      { id: '1', clientname: 'Gitter Windows Desktop App' },
      { id: '2', clientname: 'Gitter iOS App' },
    ]);
  });

  test('duplicate_records: last record per key wins inside one batch', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('duplicate_records'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_duplicate_records', 'id'), [
      { id: 1, metric: 100 },
      { id: 2, metric: 20 },
    ]);
    assert.deepEqual(result.states, [{ test_duplicate_records: 2 }]);
  });

  test('duplicate_records: last wins across batches too (batch of 1 row)', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config({ batch_size_rows: 1 }), stream('duplicate_records'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_duplicate_records', 'id'), [
      { id: 1, metric: 100 },
      { id: 2, metric: 20 },
    ]);
  });

  test('invalid_schema: non-zero exit, one clear line, nothing written', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('invalid_schema'));
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "test_invalid_schema", line 1: SCHEMA has no "properties" object',
    ]);
    assert.deepEqual(tables(ws.db), []);
    assert.equal(result.stdout, '');
  });

  test('no_primary_keys then no_primary_keys_append: 3 rows, then 8 in all', async () => {
    const ws = fresh();
    const first = await runTarget(ws.config(), stream('no_primary_keys'));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(rows(ws.db, 'test_no_pk').length, 3);
    assert.deepEqual(first.states, [{ test_no_pk: 3 }]);
    const second = await runTarget(ws.config(), stream('no_primary_keys_append'));
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      rows(ws.db, 'test_no_pk').map((r) => r.metric),
      [11, 22, 33, 101, 202, 303, 404, 505],
    );
    assert.deepEqual(second.states, [{ test_no_pk: 5 }]);
  });

  test('optional_attributes: 4 rows, missing optional values are NULL', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('optional_attributes'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_optional_attributes', 'id'), [
      { id: 1, optional: 'This is optional' },
      { id: 2, optional: null },
      { id: 3, optional: 'Also optional' },
      { id: 4, optional: null },
    ]);
  });

  test('record_before_schema: non-zero exit naming stream and line 1, no table', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('record_before_schema'));
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "test_record_before_schema", line 1: RECORD before any SCHEMA for this stream',
    ]);
    assert.deepEqual(tables(ws.db), []);
  });

  test('record_missing_fields: 2 rows and the final state {} on stdout', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('record_missing_fields'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'record_missing_fields', 'id'), [
      { id: 1, optional: 'now you see me' },
      { id: 2, optional: null },
    ]);
    assert.equal(result.stdout, '{}\n');
  });

  test('record_missing_key_property: non-zero exit naming key "id" and line 2', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('record_missing_key_property'));
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "test_record_missing_key_property", line 2: key property "id" is missing',
    ]);
    assert.deepEqual(rows(ws.db, 'test_record_missing_key_property'), []);
  });

  test('record_missing_required_property, fail: non-zero exit and a clear error', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('record_missing_required_property'));
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "test_record_missing_required_property", line 2: field "id": is required but missing',
    ]);
    assert.deepEqual(rows(ws.db, 'test_record_missing_required_property'), []);
  });

  test('record_missing_required_property, skip: 0 rows, the reject counted and logged', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config({ invalid_record_policy: 'skip', log_level: 'info' }),
      stream('record_missing_required_property'),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_record_missing_required_property'), []);
    assert.match(
      result.stderr,
      /rejected record: stream \\"test_record_missing_required_property\\", line 2/,
    );
    assert.match(result.stderr, /record_rejected\\",\\"value\\":1/);
    assert.deepEqual(tables(ws.db), ['test_record_missing_required_property']);
  });

  test('record_missing_required_property, dead_letter: 0 rows, the reject kept with its reason', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config({ invalid_record_policy: 'dead_letter', log_level: 'info' }),
      stream('record_missing_required_property'),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_record_missing_required_property'), []);
    assert.match(result.stderr, /record_rejected\\",\\"value\\":1/);
    const rejects = rows(ws.db, '_sdc_rejects');
    assert.equal(rejects.length, 1);
    assert.equal(rejects[0]!.stream, 'test_record_missing_required_property');
    assert.equal(rejects[0]!.line_number, 2);
    assert.equal(rejects[0]!.reason, 'field "id": is required but missing');
    assert.deepEqual(JSON.parse(rejects[0]!.record as string), { metric: 3215 });
    assert.match(rejects[0]!.rejected_at as string, /^\d{4}-\d\d-\d\dT/);
  });

  test('schema_no_properties: objects with and without properties load as JSON', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('schema_no_properties'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      rows(ws.db, 'test_object_schema_with_properties').map((r) => JSON.parse(r.object_store as string)),
      [
        { id: 1, metric: 187 },
        { id: 2, metric: 203 },
      ],
    );
    assert.deepEqual(
      rows(ws.db, 'test_object_schema_no_properties').map((r) => JSON.parse(r.object_store as string)),
      [
        { id: 1, metric: 1 },
        { id: 2, metric: 2 },
      ],
    );
  });

  test('schema_updates: columns a3..a6 added, 6 rows, earlier rows NULL in later columns', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('schema_updates'));
    assert.equal(result.code, 0, result.stderr);
    const loaded = rows(ws.db, 'test_schema_updates', 'id');
    assert.equal(loaded.length, 6);
    assert.deepEqual(loaded[0], { id: 1, a1: 101, a2: 'string1', a3: null, a4: null, a5: null, a6: null });
    assert.deepEqual(loaded[2], {
      id: 3,
      a1: 103,
      a2: 'string3',
      a3: 0,
      a4: '{"id":1,"value":1}',
      a5: '["banana","apple"]',
      a6: null,
    });
    assert.equal(loaded[5]!.a6, 341);
    assert.deepEqual(result.states, [{ test_schema_updates: 6 }]);
  });

  test('user_location_data: 3 tables of 5, 3, 3 rows, info as JSON', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), stream('user_location_data'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(rows(ws.db, 'test_users').length, 5);
    assert.equal(rows(ws.db, 'test_locations').length, 3);
    const visits = rows(ws.db, 'test_user_in_location', 'id');
    assert.equal(visits.length, 3);
    assert.deepEqual(JSON.parse(visits[0]!.info as string), { weather: 'rainy', mood: 'sad' });
    assert.deepEqual(result.states, [{ test_users: 5, test_locations: 3, test_user_in_location: 3 }]);
  });

  test('user_location_data with flattening: info becomes info__weather and info__mood', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config({ flattening_enabled: true }), stream('user_location_data'));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'test_user_in_location', 'id')[1], {
      id: 2,
      user_id: 1,
      location_id: 2,
      info__weather: 'sunny',
      info__mood: 'satisfied',
    });
  });
});
