// Load methods, versions, metadata, value fidelity, schema evolution and names, on SQLite.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  columnTypes,
  METRIC,
  openDatabase,
  query,
  record,
  rows,
  runTarget,
  schema,
  singer,
  state,
  tables,
  workspaces,
} from './support/target-run.js';

const fresh = workspaces();

describe('load methods', { concurrency: 2 }, () => {
  test('upsert merges across runs: updated keys change, new keys add', async () => {
    const ws = fresh();
    const cfg = ws.config();
    const first = await runTarget(
      cfg,
      singer(schema('m', METRIC), record('m', { id: 1, metric: 1 }), record('m', { id: 2, metric: 2 })),
    );
    assert.equal(first.code, 0, first.stderr);
    const second = await runTarget(
      cfg,
      singer(schema('m', METRIC), record('m', { id: 2, metric: 20 }), record('m', { id: 3, metric: 30 })),
    );
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(rows(ws.db, 'm', 'id'), [
      { id: 1, metric: 1 },
      { id: 2, metric: 20 },
      { id: 3, metric: 30 },
    ]);
  });

  test('upsert keeps the values of columns a later schema no longer lists', async () => {
    const ws = fresh();
    const cfg = ws.config();
    await runTarget(
      cfg,
      singer(
        schema('m', { ...METRIC, note: { type: 'string' } }),
        record('m', { id: 1, metric: 1, note: 'kept' }),
      ),
    );
    const second = await runTarget(cfg, singer(schema('m', METRIC), record('m', { id: 1, metric: 5 })));
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(rows(ws.db, 'm'), [{ id: 1, metric: 5, note: 'kept' }]);
  });

  test('append-only inserts every record, duplicates included, no primary key', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config({ load_method: 'append-only' }),
      singer(schema('m', METRIC), record('m', { id: 1, metric: 1 }), record('m', { id: 1, metric: 2 })),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 'm'), [
      { id: 1, metric: 1 },
      { id: 1, metric: 2 },
    ]);
  });

  test('overwrite: the first batch of the run replaces the table, later batches merge', async () => {
    const ws = fresh();
    const first = await runTarget(
      ws.config({ load_method: 'overwrite' }),
      singer(schema('m', METRIC), ...[1, 2, 3].map((id) => record('m', { id, metric: id }))),
    );
    assert.equal(first.code, 0, first.stderr);
    const second = await runTarget(
      ws.config({ load_method: 'overwrite', batch_size_rows: 2 }),
      singer(
        schema('m', METRIC),
        record('m', { id: 7, metric: 70 }),
        record('m', { id: 8, metric: 80 }),
        record('m', { id: 9, metric: 90 }),
        record('m', { id: 7, metric: 71 }),
      ),
    );
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(rows(ws.db, 'm', 'id'), [
      { id: 7, metric: 71 },
      { id: 8, metric: 80 },
      { id: 9, metric: 90 },
    ]);
  });
});

describe('ACTIVATE_VERSION', { concurrency: 2 }, () => {
  const fullSync = (version: number, ids: number[]) =>
    singer(
      schema('v', METRIC),
      { type: 'ACTIVATE_VERSION', stream: 'v', version },
      ...ids.map((id) => record('v', { id, metric: id * version }, { version })),
      { type: 'ACTIVATE_VERSION', stream: 'v', version },
      state({ v: version }),
    );

  test('a full sync long enough to be read straight from its text: versions and retirement as before', async () => {
    const ws = fresh();
    const cfg = ws.config();
    const ids = Array.from({ length: 3000 }, (_, i) => i + 1);
    assert.equal((await runTarget(cfg, fullSync(1, ids))).code, 0);
    // The second sync drops the first 10 ids; the records after the first input slice are scanned.
    const second = await runTarget(cfg, fullSync(2, ids.slice(10)));
    assert.equal(second.code, 0, second.stderr);
    const db = openDatabase(ws.db);
    try {
      assert.deepEqual(
        query(
          db,
          'SELECT _sdc_table_version AS version, _sdc_deleted_at IS NULL AS live, count(*) AS n, sum(metric) AS metrics FROM v GROUP BY 1, 2 ORDER BY 1',
        ),
        [
          { version: 1, live: 0, n: 10, metrics: 55 },
          { version: 2, live: 1, n: 2990, metrics: 2 * (4501500 - 55) },
        ],
      );
    } finally {
      db.close();
    }
  });

  test('soft delete: rows of older versions get _sdc_deleted_at, current rows do not', async () => {
    const ws = fresh();
    const cfg = ws.config();
    assert.equal((await runTarget(cfg, fullSync(1, [1, 2, 3]))).code, 0);
    const second = await runTarget(cfg, fullSync(2, [1, 2]));
    assert.equal(second.code, 0, second.stderr);
    const loaded = rows(ws.db, 'v', 'id');
    assert.deepEqual(
      loaded.map((r) => [r.id, r.metric, r._sdc_table_version, r._sdc_deleted_at === null]),
      [
        [1, 2, 2, true],
        [2, 4, 2, true],
        [3, 3, 1, false],
      ],
    );
    assert.match(loaded[2]!._sdc_deleted_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(second.states, [{ v: 2 }]);
  });

  test('hard delete: rows of older versions are deleted', async () => {
    const ws = fresh();
    const cfg = ws.config({ hard_delete: true });
    assert.equal((await runTarget(cfg, fullSync(1, [1, 2, 3]))).code, 0);
    assert.equal((await runTarget(cfg, fullSync(2, [2]))).code, 0);
    assert.deepEqual(
      rows(ws.db, 'v', 'id').map((r) => [r.id, r._sdc_table_version]),
      [[2, 2]],
    );
  });
});

describe('values and metadata', { concurrency: 2 }, () => {
  test('decimals, datetimes, dates, booleans and FK objects are stored faithfully', async () => {
    const ws = fresh();
    const fk = { id: 12, key: 'FAC12', url: 'https://wms.example.com/wms/lgfapi/v10/entity/facility/12/' };
    const result = await runTarget(
      ws.config(),
      singer(
        schema('d', {
          id: { type: 'integer' },
          qty: { type: ['string', 'null'], format: 'singer.decimal' },
          price: { type: 'number', format: 'singer.decimal' },
          ts: { type: ['string', 'null'], format: 'date-time' },
          day: { type: 'string', format: 'date' },
          flag: { type: 'boolean' },
          ratio: { type: 'number' },
          facility_id: {
            type: ['object', 'null'],
            properties: { id: { type: 'integer' }, key: { type: 'string' }, url: { type: 'string' } },
          },
          name: { type: 'string', maxLength: 30 },
        }),
        record('d', {
          id: 1,
          qty: '12345678901234567890.123456789',
          price: 19.99,
          ts: '2026-01-02T03:04:05.123456+02:00',
          day: '2026-01-02',
          flag: true,
          ratio: 0.1,
          facility_id: fk,
          name: 'Zoë "quoted" \u2028',
        }),
        record('d', { id: 2, qty: '12.50', ts: '2026-01-02T03:04:05Z', flag: false, facility_id: null }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    const loaded = rows(ws.db, 'd', 'id');
    assert.deepEqual(loaded[0], {
      id: 1,
      qty: '12345678901234567890.123456789',
      price: '19.99',
      ts: '2026-01-02T03:04:05.123456+02:00',
      day: '2026-01-02',
      flag: 1,
      ratio: 0.1,
      facility_id: JSON.stringify(fk),
      name: 'Zoë "quoted" \u2028',
    });
    assert.deepEqual(loaded[1], {
      id: 2,
      qty: '12.50',
      price: null,
      ts: '2026-01-02T03:04:05Z',
      day: null,
      flag: 0,
      ratio: null,
      facility_id: null,
      name: null,
    });
    assert.deepEqual(columnTypes(ws.db, 'd'), {
      id: 'BIGINT', // a lone integer key is not the rowid (sqlite-statements.ts createTableSql)
      qty: 'DECIMAL_TEXT',
      price: 'DECIMAL_TEXT',
      ts: 'DATETIME_TEXT',
      day: 'DATE_TEXT',
      flag: 'BOOLEAN',
      ratio: 'REAL',
      facility_id: 'JSON_TEXT',
      name: 'VARCHAR(30)',
    });
    const db = openDatabase(ws.db);
    assert.equal(
      (db.prepare('SELECT typeof(qty) AS t FROM d WHERE id = 2').get() as { t: string }).t,
      'text',
    );
    db.close();
  });

  test('text that looks like the row encoding between threads is stored as sent', async () => {
    // The SQLite dialect joins cells with U+001F and marks cells with control characters
    // (sqlite-row-buffer.ts); none of that may show in the table. Validation is off so that a
    // string can reach an integer column.
    const ws = fresh();
    const result = await runTarget(
      ws.config({ validate_records: false }),
      singer(
        schema('t', {
          id: { type: 'integer' },
          name: { type: ['string', 'null'] },
          note: { type: ['string', 'null'] },
          count: { type: ['integer', 'null'] },
          flag: { type: ['boolean', 'null'] },
          doc: { type: ['object', 'null'], properties: { a: { type: 'string' } } },
        }),
        record('t', { id: 1, name: '', note: null, count: 'abc', flag: true, doc: { a: '\u001f' } }),
        record('t', { id: 2, name: 'unit\u001fseparator', note: '\u0001one', count: 7, flag: false }),
        record('t', { id: 3, name: 'line\nbreak\r\n', note: '\u001dstart', count: null, doc: {} }),
        record('t', { id: 4, name: '\u0002two', note: '\u0000', count: 12, flag: null }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(rows(ws.db, 't', 'id'), [
      { id: 1, name: '', note: null, count: 'abc', flag: 1, doc: '{"a":"\\u001f"}' },
      { id: 2, name: 'unit\u001fseparator', note: '\u0001one', count: 7, flag: 0, doc: null },
      { id: 3, name: 'line\nbreak\r\n', note: '\u001dstart', count: null, flag: null, doc: '{}' },
      { id: 4, name: '\u0002two', note: '\u0000', count: 12, flag: null, doc: null },
    ]);
  });

  test('add_record_metadata adds the SDK _sdc_* columns', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config({ add_record_metadata: true }),
      singer(
        schema('m', METRIC),
        record('m', { id: 1, metric: 1 }, { time_extracted: '2026-11-25T10:00:00.123456Z', version: 5 }),
        record('m', { id: 2, metric: 2 }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    const [first, second] = rows(ws.db, 'm', 'id');
    assert.deepEqual(Object.keys(first!).sort(), [
      '_sdc_batched_at',
      '_sdc_deleted_at',
      '_sdc_extracted_at',
      '_sdc_received_at',
      '_sdc_sequence',
      '_sdc_sync_started_at',
      '_sdc_table_version',
      'id',
      'metric',
    ]);
    assert.equal(first!._sdc_extracted_at, '2026-11-25T10:00:00.123456Z');
    assert.equal(first!._sdc_table_version, 5);
    assert.equal(second!._sdc_table_version, null);
    assert.equal(first!._sdc_deleted_at, null);
    assert.match(first!._sdc_received_at as string, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.match(first!._sdc_batched_at as string, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.ok((second!._sdc_sequence as number) > (first!._sdc_sequence as number));
    assert.equal(typeof first!._sdc_sync_started_at, 'number');
  });
});

describe('schema evolution', { concurrency: 2 }, () => {
  test('records read ahead of a SCHEMA that adds a column take the new shape', async () => {
    // The reader reads an input slice (about 64 KiB) before the target handles it, and records of a
    // stream whose shape is known are read straight into rows as they are read. 300 KB of records
    // first, so the SCHEMA and the records around it come in a later slice than the first SCHEMA.
    const ws = fresh();
    const filler = Array.from({ length: 1500 }, (_, i) => record('g', { id: 1000 + i, a: 'y'.repeat(180) }));
    const result = await runTarget(
      ws.config(),
      singer(
        schema('g', { id: { type: 'integer' }, a: { type: 'string' } }),
        ...filler,
        record('g', { id: 1, a: 'x', b: 'ignored: not in the schema yet' }),
        schema('g', { id: { type: 'integer' }, a: { type: 'string' }, b: { type: 'string' } }),
        // Read with the first shape, b would be an unknown property and left out.
        record('g', { id: 2, a: 'x', b: 'kept' }),
        record('g', { id: 3, a: 'x', b: 'kept too' }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    const db = openDatabase(ws.db);
    try {
      assert.deepEqual(query(db, 'SELECT id, a, b FROM g WHERE id < 1000 ORDER BY id'), [
        { id: 1, a: 'x', b: null },
        { id: 2, a: 'x', b: 'kept' },
        { id: 3, a: 'x', b: 'kept too' },
      ]);
      assert.deepEqual(query(db, 'SELECT count(*) AS n FROM g'), [{ n: 1503 }]);
    } finally {
      db.close();
    }
  });

  test('wider types widen in place: integer -> number, string(10) -> text; values kept', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config(),
      singer(
        schema('e', {
          id: { type: 'integer' },
          amount: { type: 'integer' },
          code: { type: 'string', maxLength: 10 },
        }),
        record('e', { id: 1, amount: 5, code: 'short' }),
        schema('e', { id: { type: 'integer' }, amount: { type: 'number' }, code: { type: 'string' } }),
        record('e', { id: 2, amount: 2.5, code: 'x'.repeat(40) }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(columnTypes(ws.db, 'e'), { id: 'BIGINT', amount: 'REAL', code: 'TEXT' });
    assert.deepEqual(rows(ws.db, 'e', 'id'), [
      { id: 1, amount: 5, code: 'short' },
      { id: 2, amount: 2.5, code: 'x'.repeat(40) },
    ]);
  });

  test('an impossible change is a clear error; rows before it stay committed', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config(),
      singer(
        schema('e', { id: { type: 'integer' }, flag: { type: 'integer' } }),
        record('e', { id: 1, flag: 1 }),
        state({ e: 1 }),
        schema('e', { id: { type: 'integer' }, flag: { type: 'boolean' } }),
        record('e', { id: 2, flag: true }),
      ),
    );
    assert.equal(result.code, 1);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "e", line 4: field "flag": column "flag" is integer and cannot hold boolean',
    ]);
    assert.deepEqual(rows(ws.db, 'e'), [{ id: 1, flag: 1 }]);
    assert.deepEqual(result.states, [{ e: 1 }]);
  });

  test('a new property in a later run adds a column; existing rows get NULL', async () => {
    const ws = fresh();
    const cfg = ws.config();
    await runTarget(cfg, singer(schema('e', METRIC), record('e', { id: 1, metric: 1 })));
    const second = await runTarget(
      cfg,
      singer(
        schema('e', { ...METRIC, extra: { type: 'string' } }),
        record('e', { id: 2, metric: 2, extra: 'new' }),
      ),
    );
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(rows(ws.db, 'e', 'id'), [
      { id: 1, metric: 1, extra: null },
      { id: 2, metric: 2, extra: 'new' },
    ]);
  });

  test('the bookmark property gets an index', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config(),
      singer(
        schema('b', { id: { type: 'integer' }, mod_ts: { type: 'string', format: 'date-time' } }, ['id'], {
          bookmark_properties: ['mod_ts'],
        }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    const db = openDatabase(ws.db);
    const indexes = query(db, "SELECT name FROM pragma_index_list('b') WHERE origin = 'c'") as {
      name: string;
    }[];
    const columns = indexes.flatMap((i) =>
      (query(db, 'SELECT name FROM pragma_index_info(?)', i.name) as { name: string }[]).map((c) => c.name),
    );
    db.close();
    assert.deepEqual(columns, ['mod_ts']);
  });
});

describe('names', { concurrency: 2 }, () => {
  test('stream and property names cannot inject SQL; table_prefix applies, SQLite ignores default_target_schema', async () => {
    const ws = fresh();
    const evil = 'x"; DROP TABLE keep; --';
    const evilProperty = 'a"); DELETE FROM wms_keep; --';
    const cfg = ws.config({ table_prefix: 'wms_', default_target_schema: 'wms' });
    await runTarget(cfg, singer(schema('keep', METRIC), record('keep', { id: 1, metric: 1 })));
    const result = await runTarget(
      cfg,
      singer(
        schema(evil, { id: { type: 'integer' }, [evilProperty]: { type: 'string' } }),
        record(evil, { id: 1, [evilProperty]: 'v' }),
      ),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(tables(ws.db), ['wms_keep', 'wms_x___drop_table_keep____']);
    assert.deepEqual(rows(ws.db, 'wms_keep'), [{ id: 1, metric: 1 }]);
    assert.deepEqual(rows(ws.db, 'wms_x___drop_table_keep____'), [
      { id: 1, a____delete_from_wms_keep____: 'v' },
    ]);
  });

  test('names over the identifier limit are shortened deterministically', async () => {
    const ws = fresh();
    const long = `p_${'a'.repeat(140)}`;
    const cfg = ws.config();
    const run = () =>
      runTarget(
        cfg,
        singer(
          schema('s', { id: { type: 'integer' }, [long]: { type: 'integer' } }),
          record('s', { id: 1, [long]: 7 }),
        ),
      );
    assert.equal((await run()).code, 0);
    assert.equal((await run()).code, 0);
    const [row] = rows(ws.db, 's');
    const column = Object.keys(row!).find((name) => name !== 'id')!;
    assert.equal(column.length, 128);
    assert.match(column, /^p_a+_[0-9a-f]{8}$/);
    assert.equal(row![column], 7);
  });

  test('two properties colliding after normalisation are a clear error', async () => {
    const ws = fresh();
    const result = await runTarget(
      ws.config(),
      singer(
        schema('c', {
          id: { type: 'integer' },
          clientName: { type: 'string' },
          client_name: { type: 'string' },
          ClientName: { type: 'string' },
        }),
      ),
    );
    assert.equal(result.code, 1);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "c", line 1: properties "clientName" and "ClientName" both become column "clientname"',
    ]);
    assert.deepEqual(tables(ws.db), []);
  });

  test('two streams colliding after normalisation are a clear error', async () => {
    const ws = fresh();
    const result = await runTarget(ws.config(), singer(schema('Orders', METRIC), schema('orders', METRIC)));
    assert.equal(result.code, 1);
    assert.deepEqual(result.errors, [
      'target-oracle: stream "orders", line 2: streams "Orders" and "orders" both become table "orders"',
    ]);
  });
});
