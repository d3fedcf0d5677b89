// One test per defect issue 13 found in the Oracle dialect, each run on the rule-enforcing double
// (test/support/oracle-double), which answers the ORA error a real server would. Each failed
// before its fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, SingerError } from '@wms-singer/singer';
import type { TableSpec } from '../src/dialects/dialect.js';
import {
  connectOptions,
  createOracleDialect,
  type OracleDialectOptions,
  poolAttributes,
} from '../src/dialects/oracle/index.js';
import { type DoubleOptions, OracleDouble } from './support/oracle-double/index.js';
import { lines, runOnDouble } from './support/oracle-double/run.js';
import { driverError } from './support/oracle-fake.js';

const schema = (stream: string, properties: object, key_properties: string[] = ['id']) => ({
  type: 'SCHEMA',
  stream,
  schema: { type: 'object', properties },
  key_properties,
});
const record = (stream: string, value: object) => ({ type: 'RECORD', stream, record: value });

async function openOn(db: OracleDouble, options: Partial<OracleDialectOptions> = {}) {
  const logs: string[] = [];
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (l) => logs.push(l) } });
  const dialect = createOracleDialect({ user: 'u', password: 'p', connect_string: 'x' }, logger, {
    sessionSource: async () => db,
    backoff: async () => undefined,
    runTag: 'r1',
    ...options,
  });
  await dialect.open();
  return { dialect, logs };
}

test('ORA-02329: a stream keyed on a date-time creates its table, and one instant in two offsets is one key', async () => {
  const db = new OracleDouble();
  const input = lines(
    schema('events', { at: { type: 'string', format: 'date-time' }, v: { type: 'integer' } }, ['at']),
    record('events', { at: '2025-04-10T12:00:00.123456+02:00', v: 1 }),
    record('events', { at: '2025-04-10T10:00:00.123456Z', v: 2 }),
    record('events', { at: '2025-04-11T00:00:00Z', v: 3 }),
  );
  const run = await runOnDouble(db, input, { batch_size_rows: 1 });
  assert.equal(run.error, undefined, String(run.error));
  const rows = db.rowsOf('WMS', 'EVENTS').map((r) => [r.AT, r.V]);
  assert.deepEqual(rows, [
    ['2025-04-10T10:00:00.123456000+00:00', '2'],
    ['2025-04-11T00:00:00.000000000+00:00', '3'],
  ]);
});

test('ORA-01450: two unbounded string keys fit the index key limit, and a second run finds the table as it left it', async () => {
  const db = new OracleDouble();
  const input = lines(
    schema('pairs', { a: { type: 'string' }, b: { type: 'string' }, n: { type: 'integer' } }, ['a', 'b']),
    record('pairs', { a: 'x'.repeat(500), b: 'y', n: 1 }),
    record('pairs', { a: 'x'.repeat(500), b: 'y', n: 2 }),
  );
  for (let run = 0; run < 2; run++) {
    const result = await runOnDouble(db, input);
    assert.equal(result.error, undefined, String(result.error));
  }
  const table = db.table('WMS', 'PAIRS')!;
  assert.deepEqual(table.primaryKey?.columns, ['A', 'B']);
  assert.deepEqual(
    db.rowsOf('WMS', 'PAIRS').map((r) => r.N),
    ['2'],
  );
});

test('overwrite: replacing the table does not grow its segment (no APPEND above the high-water mark)', async () => {
  const db = new OracleDouble();
  const records = Array.from({ length: 40 }, (_, i) => record('snap', { id: i, v: i }));
  const input = lines(schema('snap', { id: { type: 'integer' }, v: { type: 'integer' } }), ...records);
  for (let run = 0; run < 3; run++) {
    const result = await runOnDouble(db, input, { load_method: 'overwrite' });
    assert.equal(result.error, undefined, String(result.error));
  }
  assert.equal(db.rowsOf('WMS', 'SNAP').length, 40);
  assert.equal(db.table('WMS', 'SNAP')!.segmentRows, 40, 'the segment holds one copy of the table');
});

test('ORA-40478: widening text longer than 4000 bytes to JSON keeps it, as a JSON string', async () => {
  const db = new OracleDouble();
  const long = '😀'.repeat(1000); // 4000 bytes; as a JSON string 4002
  const input = lines(
    schema('notes', { id: { type: 'integer' }, note: { type: 'string', maxLength: 1000 } }),
    record('notes', { id: 1, note: long }),
    schema('notes', { id: { type: 'integer' }, note: { type: ['string', 'object'] } }),
    record('notes', { id: 2, note: { a: 1 } }),
  );
  const run = await runOnDouble(db, input);
  assert.equal(run.error, undefined, String(run.error));
  const rows = db.rowsOf('WMS', 'NOTES');
  assert.equal(rows[0]!.NOTE, JSON.stringify(long));
  assert.equal(rows[1]!.NOTE, '{"a":1}');
});

const refused: Array<[string, object, string]> = [
  ['a leap second (ORA-01852)', { at: '2016-12-31T23:59:60Z' }, 'at'],
  ['year 0000 (ORA-01841)', { at: '0000-01-01T00:00:00Z' }, 'at'],
  ['an offset beyond 15 hours (ORA-01874)', { at: '2025-01-01T00:00:00+16:00' }, 'at'],
  ['a number beyond 1E126 (ORA-01426)', { amount: '1e200' }, 'amount'],
  [
    'a decimal of 40 digits (rounded by NUMBER)',
    { amount: '1234567890123456789012345678901234567890' },
    'amount',
  ],
  // biome-ignore lint/correctness/noPrecisionLoss: the point: a JSON integer no double holds
  ['an integer of 23 digits (ORA-01438)', { n: 12345678901234567890123 }, 'n'],
];

test('values the server would refuse: each record is rejected by the policy, naming stream, line and field; the rest load', async () => {
  const db = new OracleDouble();
  const props = {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    amount: { type: 'string', format: 'singer.decimal' },
    n: { type: 'integer' },
  };
  const input = lines(
    schema('vals', props),
    record('vals', { id: 0, at: '2025-01-01T00:00:00Z', amount: '1.5', n: 1 }),
    ...refused.map(([, value], i) => record('vals', { id: i + 1, ...value })),
  );
  const skipped = await runOnDouble(db, input, { invalid_record_policy: 'skip' });
  assert.equal(skipped.error, undefined, String(skipped.error));
  assert.deepEqual(
    db.rowsOf('WMS', 'VALS').map((r) => r.ID),
    ['0'],
  );
  for (const [what, , field] of refused) {
    const line = refused.findIndex(([w]) => w === what) + 3;
    assert.ok(
      skipped.logs.some((l) => l.includes(`"line":${line}`) && l.includes(`field \\"${field}\\"`)),
      `${what}: no rejection naming line ${line} and field ${field}`,
    );
  }
  const failed = await runOnDouble(new OracleDouble(), input, { invalid_record_policy: 'fail' });
  assert.ok(failed.error instanceof SingerError);
  assert.match(failed.error.message, /stream "vals", line 3/);
  assert.match(failed.error.message, /"at"/);
});

for (const names of ['sql', 'verbatim'] as const) {
  test(`direct path staging loads tables with names that need quotes (directPathLoad reading names ${names === 'sql' ? 'as SQL identifiers' : 'verbatim'})`, async () => {
    const db = new OracleDouble({ directPathNames: names });
    const { dialect, logs } = await openOn(db, { loadMethod: 'direct_path' });
    const table: TableSpec = {
      schema: 'wms',
      name: 'order',
      columns: [
        { name: 'id', type: { kind: 'integer' }, nullable: false },
        { name: 'size', type: { kind: 'string', maxLength: 20 }, nullable: true },
        { name: '_sdc_batched_at', type: { kind: 'datetime' }, nullable: true },
      ],
      primaryKey: ['id'],
      indexes: [],
    };
    await dialect.createTable(table);
    const batch = { columns: ['id', 'size', '_sdc_batched_at'], rows: [[1, 'L', '2025-01-01T00:00:00Z']] };
    await dialect.writeBatch(table, batch, 'upsert');
    await dialect.writeBatch(table, { ...batch, rows: [[2, 'M', null]] }, 'upsert');
    assert.equal(db.of('directPathLoad').length, 2, 'both batches went by direct path');
    assert.ok(!logs.some((l) => l.includes('direct path load refused')));
    assert.deepEqual(
      db.rowsOf('WMS', 'ORDER').map((r) => [r.ID, r.SIZE]),
      [
        ['1', 'L'],
        ['2', 'M'],
      ],
    );
  });
}

test('a connection lost with its locks held: the call timeout ends the wait, DDL retries past ORA-00054, the batch lands once', async () => {
  const db = new OracleDouble();
  const { dialect } = await openOn(db);
  const table: TableSpec = {
    name: 'locked',
    columns: [
      { name: 'id', type: { kind: 'integer' }, nullable: false },
      { name: 'v', type: { kind: 'integer' }, nullable: true },
    ],
    primaryKey: ['id'],
    indexes: [],
  };
  await dialect.createTable(table);
  // The MERGE ran, then the connection died: the server-side session still holds the table's lock.
  db.loseConnectionAfter((sql) => sql.startsWith('MERGE'), 4);
  await dialect.writeBatch(table, { columns: ['id', 'v'], rows: [[1, 1]] }, 'upsert');
  assert.deepEqual(db.rowsOf('LOADER', 'LOCKED'), [{ ID: '1', V: '1' }]);
  db.loseConnectionAfter((sql) => sql.startsWith('MERGE'), 3);
  await dialect.writeBatch(table, { columns: ['id', 'v'], rows: [[2, 2]] }, 'upsert');
  await dialect.addColumns(table, [{ name: 'w', type: { kind: 'integer' }, nullable: true }]);
  assert.equal(db.rowsOf('LOADER', 'LOCKED').length, 2);
});

test('the pool probes idle connections (expireTime) and every session gets the call timeout', async () => {
  assert.equal(
    poolAttributes(connectOptions({ user: 'u', password: 'p', connect_string: 'x' })).expireTime,
    2,
  );
  assert.equal(
    poolAttributes(connectOptions({ user: 'u', password: 'p', connect_string: 'x', expire_time_minutes: 0 }))
      .expireTime,
    0,
  );
  const db = new OracleDouble();
  const sessions: Array<{ callTimeout: number }> = [];
  const source = {
    acquire: async () => {
      const session = await db.acquire();
      sessions.push(session);
      return session;
    },
    close: async () => undefined,
  };
  const logger = createLogger({ name: 'test', level: 'silent' });
  const dialect = createOracleDialect(
    { user: 'u', password: 'p', connect_string: 'x', call_timeout_seconds: 30 },
    logger,
    {
      sessionSource: async () => source,
    },
  );
  await dialect.open();
  assert.ok(sessions.length > 0);
  assert.ok(sessions.every((s) => s.callTimeout === 30_000));
});

test('session exhaustion (ORA-12516, ORA-12520, ORA-00018, NJS-040) is transient: retried on a new session', async () => {
  const db = new OracleDouble();
  const errors = ['ORA-12516', 'ORA-12520', 'ORA-00018', 'NJS-040'].map((code) =>
    driverError(code, 'no session'),
  );
  const source = {
    acquire: async () => {
      const next = errors.shift();
      if (next !== undefined) throw next;
      return db.acquire();
    },
    close: async () => undefined,
  };
  const logger = createLogger({ name: 'test', level: 'silent' });
  const dialect = createOracleDialect(
    { user: 'u', password: 'p', connect_string: 'x', max_attempts: 5 },
    logger,
    {
      sessionSource: async () => source,
      backoff: async () => undefined,
    },
  );
  await dialect.open();
  assert.equal(errors.length, 0);
});

const compatibility: Array<[string, DoubleOptions, string, string]> = [
  ['21c with COMPATIBLE 19', { version: 2_103_000_000, compatible: '19.0.0' }, 'CLOB', 'NUMBER(1)'],
  ['23ai with COMPATIBLE 23', { version: 2_304_000_000, compatible: '23.0.0' }, 'JSON', 'BOOLEAN'],
  ['23ai with COMPATIBLE 21', { version: 2_304_000_000, compatible: '21.0.0' }, 'JSON', 'NUMBER(1)'],
  [
    '23ai without access to V$PARAMETER',
    { version: 2_304_000_000, parametersReadable: false },
    'CLOB',
    'NUMBER(1)',
  ],
];

for (const [server, options, json, boolean] of compatibility) {
  test(`JSON and BOOLEAN columns follow COMPATIBLE, not the release: ${server}`, async () => {
    const db = new OracleDouble(options);
    const { dialect } = await openOn(db);
    const table: TableSpec = {
      name: 't',
      columns: [
        { name: 'id', type: { kind: 'integer' }, nullable: false },
        { name: 'doc', type: { kind: 'json' }, nullable: true },
        { name: 'ok', type: { kind: 'boolean' }, nullable: true },
      ],
      primaryKey: ['id'],
      indexes: [],
    };
    await dialect.createTable(table);
    await dialect.writeBatch(table, { columns: ['id', 'doc', 'ok'], rows: [[1, '{"a":1}', true]] }, 'upsert');
    const columns = db.table('LOADER', 'T')!.columns;
    assert.equal(columns[1]!.ddl, json);
    assert.equal(columns[2]!.ddl, boolean);
    assert.deepEqual(
      (await dialect.describeTable(table))?.map(({ name, type, nullable }) => ({ name, type, nullable })),
      table.columns,
    );
  });
}
