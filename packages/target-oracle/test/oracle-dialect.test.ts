// The Oracle dialect against a recording fake of node-oracledb sessions: call sequence, binds and
// bindDefs, chunk sizes, commit points, retry and replay, one-line permanent errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, Metrics, SingerError } from '@wms-singer/singer';
import type { ColumnChange, RowBatch, TableSpec } from '../src/dialects/dialect.js';
import {
  createOracleDialect,
  type OracleDialectOptions,
  type OracleSettings,
} from '../src/dialects/oracle/index.js';
import {
  type Call,
  driverError,
  FakeCatalog,
  type FakeServer,
  RecordingOracle,
} from './support/oracle-fake.js';

const settings: OracleSettings = {
  user: 'loader',
  password: 'secret',
  connect_string: '127.0.0.1:1521/FREEPDB1',
};

function logLines(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ name: 'test', level: 'debug', destination: { write: (l) => lines.push(l) } }),
  };
}

async function openDialect(server: FakeServer = {}, options: Partial<OracleDialectOptions> = {}) {
  const fake = new RecordingOracle(server);
  const { lines, logger } = logLines();
  const dialect = createOracleDialect(settings, logger, {
    sessionSource: async () => fake,
    backoff: async () => undefined,
    runTag: 'run1',
    ...options,
  });
  await dialect.open();
  const opened = fake.calls.length;
  return { dialect, fake, lines, opened };
}

const orders: TableSpec = {
  schema: 'wms',
  name: 'order_hdr',
  columns: [
    { name: 'id', type: { kind: 'integer' }, nullable: false },
    { name: 'order_nbr', type: { kind: 'string', maxLength: 10 }, nullable: true },
    { name: 'mod_ts', type: { kind: 'datetime' }, nullable: true },
    { name: 'total_orig_ord_qty', type: { kind: 'decimal' }, nullable: true },
    { name: 'stop_ship_flg', type: { kind: 'boolean' }, nullable: true },
    { name: 'ord_date', type: { kind: 'date' }, nullable: true },
  ],
  primaryKey: ['id'],
  indexes: [['mod_ts']],
};

const batch: RowBatch = {
  columns: ['id', 'order_nbr', 'mod_ts', 'total_orig_ord_qty', 'stop_ship_flg', 'ord_date'],
  rows: [
    [1, 'ORD-1', '2025-04-10T12:01:48.391494+01:00', '12345678901234567890.123456789', true, '2025-04-10'],
    [2, 'ORD-é', '2025-04-10T11:00:00Z', '0.1', false, null],
    [3, null, null, null, null, null],
  ],
};

test('open reads the server version, identifier limit and string size into features', async () => {
  const old = await openDialect({ version: 1_903_000_000, maxIdentifierLength: 30 });
  assert.equal(old.dialect.maxIdentifierLength, 30);
  const modern = await openDialect({ version: 2_304_000_000, maxStringSize: 'EXTENDED' });
  assert.equal(modern.dialect.maxIdentifierLength, 128);
  await modern.dialect.createTable(orders);
  const ddl = modern.fake.of('execute', 'CREATE TABLE')[0]!.sql!;
  assert.match(ddl, /STOP_SHIP_FLG BOOLEAN/);
  await old.dialect.createTable(orders);
  assert.match(old.fake.of('execute', 'CREATE TABLE')[0]!.sql!, /STOP_SHIP_FLG NUMBER\(1\)/);
  const denied = await openDialect({ maxStringSize: 'DENIED' });
  assert.equal(
    denied.dialect.maxIdentifierLength,
    128,
    'V$PARAMETER without privilege falls back, still opens',
  );
});

test('an upsert batch: staging rows with typed bindDefs, one MERGE, then exactly one commit', async () => {
  const { dialect, fake, opened } = await openDialect();
  await dialect.writeBatch(orders, batch, 'upsert');
  assert.deepEqual(fake.trace(opened), [
    '2:execute CREATE GLOBAL TEMPORARY TABLE',
    '2:executeMany INSERT INTO',
    '2:execute MERGE INTO',
    '2:commit',
    '2:close keep',
  ]);
  const insert = fake.of('executeMany')[0]!;
  assert.deepEqual(
    insert.bindDefs!.map((d) => d.kind),
    ['varchar', 'varchar', 'varchar', 'varchar', 'number', 'varchar', 'number'],
  );
  // maxSize is the longest value's bytes in the chunk: 'ORD-é' is 6 bytes, the datetime 32.
  assert.equal(insert.bindDefs![1]!.maxSize, 6);
  assert.equal(insert.bindDefs![2]!.maxSize, '2025-04-10T12:01:48.391494+01:00'.length);
  assert.deepEqual(insert.rows, [
    ['1', 'ORD-1', '2025-04-10T12:01:48.391494+01:00', '12345678901234567890.123456789', 1, '2025-04-10', 0],
    ['2', 'ORD-é', '2025-04-10T11:00:00.0+00:00', '0.1', 0, null, 1],
    ['3', null, null, null, null, null, 2],
  ]);
  const merge = fake.of('execute', 'MERGE')[0]!.sql!;
  assert.match(merge, /TO_TIMESTAMP_TZ\(x\.C3, 'YYYY-MM-DD"T"HH24:MI:SS\.FFTZH:TZM'\) AS MOD_TS/);
  assert.match(merge, /TO_NUMBER\(x\.C4\) AS TOTAL_ORIG_ORD_QTY/);
  assert.match(merge, /ROW_NUMBER\(\) OVER \(PARTITION BY TO_NUMBER\(x\.C1\) ORDER BY x\.STG\$SEQ DESC\)/);
  assert.match(merge, /ON \(t\.ID = s\.ID\)/);
  assert.doesNotMatch(
    merge.split('WHEN MATCHED THEN UPDATE SET')[1]!.split('WHEN NOT MATCHED')[0]!,
    /t\.ID =/,
  );
  // The staging table is created once per run and column set.
  await dialect.writeBatch(orders, batch, 'upsert');
  assert.equal(fake.of('execute', 'CREATE GLOBAL TEMPORARY').length, 1);
});

test('executeMany chunks stay under the byte budget and the batch still commits once', async () => {
  const { dialect, fake, opened } = await openDialect({}, { chunkBytes: 4096 });
  const rows = Array.from({ length: 500 }, (_, i) => [
    i,
    `N${i}`,
    '2025-01-01T00:00:00.123456Z',
    String(i),
    i % 2 === 0,
    null,
  ]);
  await dialect.writeBatch(orders, { columns: batch.columns, rows }, 'upsert');
  const chunks = fake.of('executeMany');
  assert.ok(chunks.length > 5, `expected several chunks, got ${chunks.length}`);
  // The dialect's estimate: 22 per row, UTF-8 bytes + 3 per string, 22 per number, 1 per NULL.
  const rowBytes = (row: unknown[]): number =>
    row
      .slice(0, -1)
      .reduce<number>(
        (sum, v) => sum + (typeof v === 'string' ? Buffer.byteLength(v) + 3 : v === null ? 1 : 22),
        22,
      );
  for (const [i, chunk] of chunks.entries()) {
    const bytes = chunk.rows!.reduce<number>((sum, row) => sum + rowBytes(row), 0);
    assert.ok(bytes <= 4096, `chunk ${i} holds ${bytes} bytes`);
    const next = chunks[i + 1]?.rows?.[0];
    if (next !== undefined) assert.ok(bytes + rowBytes(next) > 4096, `chunk ${i} was cut early`);
  }
  const seqs = chunks.flatMap((c) => c.rows!.map((r) => r[r.length - 1]));
  assert.deepEqual(
    seqs,
    rows.map((_, i) => i),
    'every row staged once, in order',
  );
  const trace = fake.trace(opened);
  assert.equal(trace.filter((t) => t.endsWith('commit')).length, 1);
  assert.equal(trace.at(-2), '2:commit');
  assert.equal(trace.at(-3), '2:execute MERGE INTO');
});

test('a simulated NJS-500 mid-batch: the session is dropped and the whole batch replays on a new one', async () => {
  const { dialect, fake, opened, lines } = await openDialect({}, { chunkBytes: 150 });
  let manyCalls = 0;
  fake.failOn(
    (call) => call.kind === 'executeMany' && ++manyCalls === 2,
    driverError('NJS-500', 'connection to the Oracle Database was broken', true),
  );
  await dialect.writeBatch(orders, batch, 'upsert');
  const trace = fake.trace(opened);
  const first = trace.filter((t) => t.startsWith('2:'));
  const second = trace.filter((t) => t.startsWith('3:'));
  assert.deepEqual(first.slice(-1), ['2:close drop'], 'the broken session is discarded, not returned');
  assert.ok(!first.includes('2:commit'), 'nothing committed on the broken session');
  assert.ok(first.filter((t) => t.includes('executeMany')).length === 2);
  // The replay stages every chunk again (the temporary table lost its rows with the session).
  const stagedAgain = fake.calls
    .filter((c) => c.session === 3 && c.kind === 'executeMany')
    .flatMap((c) => c.rows!);
  assert.equal(stagedAgain.length, batch.rows.length);
  assert.deepEqual(second.slice(-3), ['3:execute MERGE INTO', '3:commit', '3:close keep']);
  assert.ok(lines.some((l) => l.includes('NJS-500') && l.includes('retrying')));
  assert.ok(!lines.some((l) => l.includes('secret')), 'the password is never logged');
});

test('a permanent ORA error: one line with code, table and column; rollback, no commit, no retry', async () => {
  const { dialect, fake, opened } = await openDialect();
  fake.failOn(
    (call) => call.kind === 'execute' && (call.sql ?? '').startsWith('MERGE'),
    driverError(
      'ORA-12899',
      'value too large for column "WMS"."ORDER_HDR"."ORDER_NBR" (actual: 12, maximum: 10)',
    ),
  );
  await assert.rejects(dialect.writeBatch(orders, batch, 'upsert'), (error: unknown) => {
    assert.ok(error instanceof SingerError);
    assert.equal(error.code, 'ORACLE_ORA_12899');
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /ORA-12899/);
    assert.match(error.message, /table WMS\.ORDER_HDR/);
    assert.match(error.message, /column ORDER_NBR/);
    assert.match(error.message, /longer than the column allows/);
    return true;
  });
  const trace = fake.trace(opened);
  assert.ok(!trace.some((t) => t.endsWith('commit')));
  assert.deepEqual(trace.slice(-2), ['2:rollback', '2:close keep']);
  assert.equal(fake.sessionsOpened, 2, 'no second attempt');
});

test('transient errors that never stop: gives up after max attempts, each on a new session', async () => {
  const { dialect, fake } = await openDialect({}, { maxAttempts: 3 });
  fake.failOn(
    (c) => c.kind === 'executeMany',
    driverError('ORA-03113', 'end-of-file on communication channel'),
    99,
  );
  await assert.rejects(dialect.writeBatch(orders, batch, 'upsert'), /ORA-03113.*after 3 attempts/);
  assert.equal(fake.of('close').filter((c) => c.drop).length, 3);
  assert.equal(fake.of('commit').length, 0);
});

test('each retry after a transient error is counted for the run summary (retry_count)', async () => {
  const { logger } = logLines();
  const metrics = new Metrics(logger, 0);
  const { dialect, fake } = await openDialect({}, { maxAttempts: 3, metrics });
  fake.failOn(
    (c) => c.kind === 'executeMany',
    driverError('ORA-03113', 'end-of-file on communication channel'),
    2,
  );
  await dialect.writeBatch(orders, batch, 'upsert');
  assert.deepEqual(
    metrics.totals('retry_count').map((t) => t.value),
    [2],
  );
});

test('append: a conventional INSERT then commit; a connection lost during COMMIT is not replayed', async () => {
  const { dialect, fake, opened } = await openDialect();
  await dialect.writeBatch(orders, batch, 'append');
  assert.deepEqual(fake.trace(opened).slice(-4), [
    '2:executeMany INSERT INTO',
    '2:execute INSERT INTO',
    '2:commit',
    '2:close keep',
  ]);
  assert.match(fake.of('execute', 'INSERT INTO')[0]!.sql!, /^INSERT INTO WMS\.ORDER_HDR \(/);

  fake.failOn((c) => c.kind === 'commit', driverError('NJS-500', 'connection broken', true));
  await assert.rejects(dialect.writeBatch(orders, batch, 'append'), (error: unknown) => {
    assert.ok(error instanceof SingerError && error.code === 'ORACLE_COMMIT_UNKNOWN');
    assert.match(error.message, /WMS\.ORDER_HDR/);
    return true;
  });
  assert.equal(
    fake.of('execute', 'INSERT INTO WMS.ORDER_HDR').length,
    2,
    'the append ran once more only for the failed batch, never replayed',
  );
});

test('upsert: a connection lost during COMMIT is replayed (MERGE is idempotent)', async () => {
  const { dialect, fake } = await openDialect();
  fake.failOn((c) => c.kind === 'commit', driverError('NJS-500', 'connection broken', true));
  await dialect.writeBatch(orders, batch, 'upsert');
  assert.equal(fake.of('execute', 'MERGE').length, 2);
  assert.equal(fake.of('commit').length, 2);
});

test('replace: DELETE and INSERT in one transaction (never TRUNCATE of the target), one commit', async () => {
  const { dialect, fake, opened } = await openDialect();
  await dialect.writeBatch(orders, batch, 'replace');
  assert.deepEqual(fake.trace(opened).slice(-5), [
    '2:executeMany INSERT INTO',
    '2:execute DELETE FROM',
    '2:execute INSERT INTO',
    '2:commit',
    '2:close keep',
  ]);
  assert.ok(!fake.calls.some((c) => (c.sql ?? '').startsWith('TRUNCATE')));
  // An empty replace still empties the table.
  await dialect.writeBatch(orders, { columns: batch.columns, rows: [] }, 'replace');
  assert.equal(fake.of('execute', 'DELETE FROM').length, 2);
});

test('direct path staging: heap staging emptied, directPathLoad per chunk, then MERGE and commit', async () => {
  const { dialect, fake, opened } = await openDialect(
    { currentSchema: 'LOADER' },
    { loadMethod: 'direct_path', chunkBytes: 150 },
  );
  await dialect.writeBatch(orders, batch, 'upsert');
  const trace = fake.trace(opened);
  assert.equal(trace[0], '2:execute CREATE TABLE');
  assert.equal(trace[1], '2:execute TRUNCATE TABLE');
  const loads = fake.of('directPathLoad');
  assert.ok(loads.length >= 2);
  assert.equal(loads[0]!.target!.schema, 'WMS');
  assert.equal(loads[0]!.target!.table, 'STG_RUN1_1_ORDER_HDR');
  assert.deepEqual(loads[0]!.target!.columns, ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'STG$SEQ']);
  assert.deepEqual(trace.slice(-3), ['2:execute MERGE INTO', '2:commit', '2:close keep']);
  // LOB columns cannot be direct-path loaded: that table stages with executeMany.
  const withJson: TableSpec = {
    ...orders,
    name: 'with_json',
    columns: [...orders.columns, { name: 'facility_id', type: { kind: 'json' }, nullable: true }],
  };
  await dialect.writeBatch(withJson, { columns: ['id', 'facility_id'], rows: [[1, '{"id":1}']] }, 'upsert');
  assert.equal(fake.of('executeMany').length, 1);
  // CLOB text is bound with its length (sent inline), never as a temporary LOB per value.
  assert.deepEqual(fake.of('executeMany')[0]!.bindDefs, [
    { kind: 'varchar', maxSize: 1 },
    { kind: 'clob', maxSize: 8 },
    { kind: 'number' },
  ]);
});

test('a value that cannot be sent fails before any database call, naming table, column and row', async () => {
  const { dialect, fake, opened } = await openDialect();
  const bad: RowBatch = {
    columns: ['id', 'mod_ts'],
    rows: [
      [1, '2025-04-10T12:00:00Z'],
      [2, 'yesterday'],
    ],
  };
  await assert.rejects(
    dialect.writeBatch(orders, bad, 'upsert'),
    /table WMS\.ORDER_HDR, column mod_ts, row 2 of the batch: not an ISO-8601 date-time/,
  );
  const long: RowBatch = { columns: ['id', 'order_nbr'], rows: [[1, 'é'.repeat(11)]] };
  await assert.rejects(
    dialect.writeBatch(orders, long, 'upsert'),
    /column order_nbr, row 1 of the batch: 11 characters, the column holds 10/,
  );
  assert.equal(fake.calls.length, opened);
});

test('retireVersions: DELETE or soft UPDATE with binds, committed, returns rows affected', async () => {
  const { dialect, fake } = await openDialect({
    query: (sql) => (sql.startsWith('DELETE') || sql.startsWith('UPDATE') ? { rowsAffected: 7 } : undefined),
  });
  const table = { schema: 'wms', name: 'order_hdr' };
  const base = {
    table,
    version: 42,
    versionColumn: '_sdc_table_version',
    deletedAtColumn: '_sdc_deleted_at',
    deletedAt: '2025-04-10T12:00:00Z',
  };
  assert.equal(await dialect.retireVersions({ ...base, mode: 'delete' }), 7);
  assert.equal(await dialect.retireVersions({ ...base, mode: 'soft' }), 7);
  const [del, soft] = [fake.of('execute', 'DELETE')[0]!, fake.of('execute', 'UPDATE')[0]!];
  assert.equal(
    del.sql,
    'DELETE FROM WMS.ORDER_HDR WHERE "_SDC_TABLE_VERSION" < :version OR "_SDC_TABLE_VERSION" IS NULL',
  );
  assert.deepEqual(del.binds, { version: 42 });
  assert.match(soft.sql!, /SET "_SDC_DELETED_AT" = TO_TIMESTAMP_TZ\(:deleted_at, /);
  assert.deepEqual(soft.binds, { version: 42, deleted_at: '2025-04-10T12:00:00.0+00:00' });
  assert.equal(fake.of('commit').length, 2);
});

test('describeTable reads ALL_TAB_COLUMNS back into column types; a missing table is undefined', async () => {
  const catalog = [
    ['ID', 'NUMBER', 22, 0, null, 19, 0, 'N', null],
    ['ORDER_NBR', 'VARCHAR2', 40, 10, 'C', null, null, 'Y', null],
    ['MOD_TS', 'TIMESTAMP(6) WITH TIME ZONE', 13, 0, null, null, 6, 'Y', null],
    ['QTY', 'NUMBER', 22, 0, null, null, null, 'Y', null],
    ['FLAG', 'NUMBER', 22, 0, null, 1, 0, 'Y', null],
    ['RATIO', 'BINARY_DOUBLE', 8, 0, null, null, null, 'Y', null],
    ['ORD_DATE', 'DATE', 7, 0, null, null, null, 'Y', null],
    ['FACILITY_ID', 'CLOB', 4000, 0, null, null, null, 'Y', 'singer:json'],
    ['NOTE', 'CLOB', 4000, 0, null, null, null, 'Y', null],
    ['AT_TIME', 'VARCHAR2', 128, 32, 'C', null, null, 'Y', 'singer:time'],
    ['DOC', 'JSON', 8200, 0, null, null, null, 'Y', null],
    ['OK', 'BOOLEAN', 1, 0, null, null, null, 'Y', null],
  ].map(
    ([
      COLUMN_NAME,
      DATA_TYPE,
      DATA_LENGTH,
      CHAR_LENGTH,
      CHAR_USED,
      DATA_PRECISION,
      DATA_SCALE,
      NULLABLE,
      COMMENTS,
    ]) => ({
      COLUMN_NAME,
      DATA_TYPE,
      DATA_LENGTH,
      CHAR_LENGTH,
      CHAR_USED,
      DATA_PRECISION,
      DATA_SCALE,
      NULLABLE,
      COMMENTS,
    }),
  );
  let asked: Call['binds'];
  const { dialect } = await openDialect({
    query: (sql, binds) => {
      if (!sql.includes('ALL_TAB_COLUMNS')) return undefined;
      asked = binds;
      return { rows: binds?.table_name === 'ORDER_HDR' ? catalog : [] };
    },
  });
  const columns = await dialect.describeTable({ schema: 'wms', name: 'order_hdr' });
  assert.deepEqual(asked, { owner: 'WMS', table_name: 'ORDER_HDR' });
  assert.deepEqual(
    columns?.map((c) => [c.name, c.type, c.nullable]),
    [
      ['id', { kind: 'integer' }, false],
      ['order_nbr', { kind: 'string', maxLength: 10 }, true],
      ['mod_ts', { kind: 'datetime' }, true],
      ['qty', { kind: 'decimal' }, true],
      ['flag', { kind: 'boolean' }, true],
      ['ratio', { kind: 'number' }, true],
      ['ord_date', { kind: 'date' }, true],
      ['facility_id', { kind: 'json' }, true],
      ['note', { kind: 'string' }, true],
      ['at_time', { kind: 'time' }, true],
      ['doc', { kind: 'json' }, true],
      ['ok', { kind: 'boolean' }, true],
    ],
  );
  assert.equal(await dialect.describeTable({ name: 'missing' }), undefined);
  assert.deepEqual(asked, { owner: null, table_name: 'MISSING' });
});

test('DDL replays tolerate what the lost attempt already did; close drops the staging tables', async () => {
  const { dialect, fake } = await openDialect();
  fake.failOn((c) => (c.sql ?? '').startsWith('CREATE INDEX'), driverError('NJS-500', 'broken', true));
  fake.failOn(
    (c) => c.session === 3 && (c.sql ?? '').startsWith('CREATE TABLE'),
    driverError('ORA-00955', 'name is already used by an existing object'),
  );
  await dialect.createTable(orders);
  assert.equal(fake.of('execute', 'CREATE INDEX').length, 2);
  await dialect.writeBatch(orders, batch, 'upsert');
  await dialect.close();
  assert.equal(fake.of('execute', 'DROP TABLE')[0]!.sql, 'DROP TABLE WMS.STG_RUN1_1_ORDER_HDR PURGE');
  assert.ok(fake.closed);
});

test('settings: one clear line for a missing connection setting; host and service_name make an Easy Connect string', async () => {
  const { logger } = logLines();
  assert.throws(
    () => createOracleDialect({ user: 'u', password: 'p' }, logger),
    /connect_string, or host and service_name/,
  );
  assert.throws(
    () => createOracleDialect({ password: 'p', connect_string: 'x' }, logger),
    /setting user is required/,
  );
  let seen = '';
  const dialect = createOracleDialect(
    { user: 'u', password: 'p', host: 'db.local', service_name: 'FREEPDB1' },
    logger,
    {
      sessionSource: async (options) => {
        seen = options.connectString;
        return new RecordingOracle();
      },
    },
  );
  await dialect.open();
  assert.equal(seen, 'db.local:1521/FREEPDB1');
});

test('the real Thin driver: a refused connection on 127.0.0.1 is transient, retried on a new session, then one line', async () => {
  const { lines, logger } = logLines();
  const dialect = createOracleDialect(
    { user: 'u', password: 'not-logged', connect_string: '127.0.0.1:1/FREEPDB1', max_attempts: 2 },
    logger,
    { backoff: async () => undefined },
  );
  await assert.rejects(dialect.open(), (error: unknown) => {
    assert.ok(error instanceof SingerError);
    assert.equal(error.code, 'ORACLE_NJS_503');
    assert.match(
      error.message,
      /^connecting to Oracle failed: NJS-503 the database host could not be reached .*127\.0\.0\.1 port 1.*\(after 2 attempts\)$/,
    );
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  await dialect.close();
  assert.equal(lines.filter((l) => l.includes('retrying on a new connection')).length, 1);
  assert.ok(!lines.some((l) => l.includes('not-logged')));
});

test('direct path refused by the server: the batch falls back to array inserts, and so does the run', async () => {
  const { dialect, fake, lines } = await openDialect({}, { loadMethod: 'direct_path' });
  fake.failOn(
    (c) => c.kind === 'directPathLoad',
    driverError('ORA-26002', 'table has index defined upon it'),
  );
  await dialect.writeBatch(orders, batch, 'upsert');
  await dialect.writeBatch(orders, batch, 'upsert');
  assert.equal(fake.of('directPathLoad').length, 1, 'tried once, then never again');
  assert.equal(fake.of('executeMany').length, 2);
  assert.equal(fake.of('commit').length, 2);
  assert.ok(lines.some((l) => l.includes('direct path load refused') && l.includes('ORA-26002')));
  await dialect.close();
  const dropped = fake.of('execute', 'DROP TABLE').map((c) => c.sql);
  assert.deepEqual(dropped, [
    'DROP TABLE WMS.STG_RUN1_1_ORDER_HDR PURGE',
    'DROP TABLE WMS.STG_RUN1_2_ORDER_HDR PURGE',
  ]);
});

// Widening through a new column takes several DDL steps, each committed on its own. A crash between
// them must neither lose values nor leave the engine a half-widened table, and a replay after a
// lost connection must not copy values twice.
const hdr = { schema: 'wms', name: 'order_hdr' };
const toText: ColumnChange = {
  column: 'order_nbr',
  from: { kind: 'string', maxLength: 10 },
  to: { kind: 'string' },
};
const marker = 'singer:widening of ORDER_NBR';

const crashes: Array<{
  when: string;
  catalog: ConstructorParameters<typeof FakeCatalog>[0];
  described: unknown[][];
  state: string[];
  log?: string;
}> = [
  {
    when: 'after the old column was dropped: it is finished',
    catalog: [
      ['ID', 'NUMBER'],
      ['ORDER_NBR_W$', 'CLOB', marker],
    ],
    described: [
      ['id', { kind: 'integer' }],
      ['order_nbr', { kind: 'string' }],
    ],
    state: ['ID NUMBER', 'ORDER_NBR CLOB'],
    log: 'it is finished',
  },
  {
    when: 'before the old column was dropped: it is undone',
    catalog: [
      ['ID', 'NUMBER'],
      ['ORDER_NBR', 'VARCHAR2(10 CHAR)'],
      ['ORDER_NBR_W$', 'CLOB', marker],
    ],
    described: [
      ['id', { kind: 'integer' }],
      ['order_nbr', { kind: 'string', maxLength: 10 }],
    ],
    state: ['ID NUMBER', 'ORDER_NBR VARCHAR2'],
    log: 'its new column is dropped and the widening runs again',
  },
  {
    when: 'after the rename: it gets its final comment',
    catalog: [
      ['ID', 'NUMBER'],
      ['ORDER_NBR', 'CLOB', `${marker} as singer:json`],
    ],
    described: [
      ['id', { kind: 'integer' }],
      ['order_nbr', { kind: 'json' }],
    ],
    state: ['ID NUMBER', 'ORDER_NBR CLOB singer:json'],
  },
];

for (const crash of crashes) {
  test(`a widening cut short by a crash ${crash.when} when the table is next described`, async () => {
    const catalog = new FakeCatalog(crash.catalog);
    const { dialect, lines } = await openDialect(catalog.server());
    const columns = await dialect.describeTable(hdr);
    assert.deepEqual(
      columns?.map((c) => [c.name, c.type]),
      crash.described,
    );
    assert.deepEqual(catalog.state, crash.state);
    if (crash.log !== undefined)
      assert.ok(lines.some((l) => l.includes('"column":"order_nbr"') && l.includes(crash.log!)));
    // The engine can then widen the column as usual.
    await dialect.alterColumns(hdr, [toText]);
    assert.equal(catalog.state[1]?.startsWith('ORDER_NBR CLOB'), true);
  });
}

for (const [lostAfter, updates, retried] of [
  // the new column is there: the copy runs again (the old column still holds the old values)
  ['UPDATE', 2, ['UPDATE WMS.ORDER_HDR', 'ALTER TABLE', 'ALTER TABLE', 'COMMENT ON']],
  // renamed: a second copy would convert converted values; only the final comment is left
  ['ALTER TABLE WMS.ORDER_HDR RENAME', 1, ['COMMENT ON']],
  // finished, but the answer was lost: nothing is left to do
  ["COMMENT ON COLUMN WMS.ORDER_HDR.ORDER_NBR IS ''", 1, []],
] as const) {
  test(`a connection lost after "${lostAfter.split(' ').slice(0, 5).join(' ')}" resumes the widening where it stopped`, async () => {
    const catalog = new FakeCatalog([
      ['ID', 'NUMBER'],
      ['ORDER_NBR', 'VARCHAR2(10 CHAR)'],
    ]);
    let lost = false;
    catalog.afterStatement = (sql) => {
      if (!lost && sql.startsWith(lostAfter)) {
        lost = true;
        throw driverError('NJS-500', 'connection to the Oracle Database was broken', true);
      }
    };
    const { dialect, fake } = await openDialect(catalog.server());
    await dialect.alterColumns(hdr, [toText]);
    assert.ok(lost);
    assert.deepEqual(catalog.state, ['ID NUMBER', 'ORDER_NBR CLOB']);
    assert.equal(fake.of('execute', 'UPDATE').length, updates);
    const last = Math.max(...fake.calls.map((c) => c.session));
    const replayed = fake.calls
      .filter((c) => c.session === last && c.kind === 'execute' && !(c.sql ?? '').includes('ALL_TAB_COLUMNS'))
      .map((c) => (c.sql ?? '').split(' ').slice(0, 2).join(' '));
    assert.deepEqual(replayed, retried);
  });
}
