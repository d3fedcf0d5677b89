// The Oracle dialect against a real database. Runs only when ORACLE_USER, ORACLE_PASSWORD and
// ORACLE_CONNECT_STRING are set (see docs/oracle.md for Oracle Database Free in a container);
// otherwise every test here is reported as skipped, never as passed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@wms-singer/singer';
import type { ColumnSpec, Dialect, ExistingColumn, RowBatch, TableSpec } from '../src/dialects/dialect.js';
import { createOracleDialect, type OracleSettings } from '../src/dialects/oracle/index.js';
import { CONFORMANCE_DIR, EVERY_TYPE } from './support/oracle-corpus.js';

const { ORACLE_USER, ORACLE_PASSWORD, ORACLE_CONNECT_STRING } = process.env;
const configured = Boolean(ORACLE_USER && ORACLE_PASSWORD && ORACLE_CONNECT_STRING);
const SKIP = configured
  ? false
  : 'live Oracle suite skipped: set ORACLE_USER, ORACLE_PASSWORD and ORACLE_CONNECT_STRING (docs/oracle.md)';
if (!configured) console.error(SKIP);

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../../bin/target-oracle.js');
const tag = `l${randomBytes(3).toString('hex')}`;
const settings: OracleSettings = {
  user: ORACLE_USER ?? '',
  password: ORACLE_PASSWORD ?? '',
  connect_string: ORACLE_CONNECT_STRING ?? '',
};

interface Connection {
  execute(
    sql: string,
    binds?: unknown,
    options?: unknown,
  ): Promise<{ rows?: Array<Record<string, unknown>> }>;
  close(): Promise<void>;
}
interface Driver {
  OUT_FORMAT_OBJECT: unknown;
  getConnection(options: Record<string, unknown>): Promise<Connection>;
}

let reader: Connection | undefined;
const created: string[] = [];

async function query(sql: string, binds: unknown = {}): Promise<Array<Record<string, unknown>>> {
  const driver = createRequire(import.meta.url)('oracledb') as Driver;
  const result = await reader!.execute(sql, binds, { outFormat: driver.OUT_FORMAT_OBJECT });
  return result.rows ?? [];
}

/** Creates a table for a test and registers it for the final clean-up. */
async function createTable(target: Dialect, spec: TableSpec): Promise<void> {
  await target.createTable(spec);
  created.push(spec.name.toUpperCase());
}

const col = (name: string, type: ColumnSpec['type'], nullable = true): ColumnSpec => ({
  name,
  type,
  nullable,
});

// Top-level tests, each with the skip reason, so the runner counts every one of them as skipped.
{
  let dialect: Dialect;

  before(async () => {
    if (!configured) return;
    const driver = createRequire(import.meta.url)('oracledb') as Driver;
    reader = await driver.getConnection({
      user: ORACLE_USER,
      password: ORACLE_PASSWORD,
      connectString: ORACLE_CONNECT_STRING,
    });
    dialect = createOracleDialect(settings, createLogger({ name: 'live', level: 'warn' }));
    await dialect.open();
  });

  after(async () => {
    if (!configured) return;
    await dialect?.close();
    for (const table of created) await reader?.execute(`DROP TABLE ${table} PURGE`).catch(() => undefined);
    await reader?.close();
  });

  const every: TableSpec = {
    name: `${tag}_every_type`,
    columns: [col('id', { kind: 'integer' }, false), ...EVERY_TYPE.map((t, i) => col(`c${i}_${t.kind}`, t))],
    primaryKey: ['id'],
    indexes: [['c10_datetime']],
  };
  const names = every.columns.map((c) => c.name);
  const row = (id: number, text: string, ts: string, dec: string): RowBatch['rows'][number] =>
    every.columns.map((c) => {
      if (c.name === 'id') return id;
      switch (c.type.kind) {
        case 'string':
          return c.type.maxLength === 1 ? 'x' : text;
        case 'integer':
          return 9007199254740991;
        case 'decimal':
          return dec;
        case 'number':
          return 0.1;
        case 'boolean':
          return id % 2 === 0;
        case 'datetime':
          return ts;
        case 'date':
          return '2025-04-10';
        case 'time':
          return '12:01:48.391494';
        default:
          return JSON.stringify({ id, nested: [1, 'two'] });
      }
    });

  test('create, describe: every type reads back as created', { skip: SKIP }, async () => {
    await createTable(dialect, every);
    const described = await dialect.describeTable(every);
    assert.ok(described);
    for (const column of every.columns) {
      const found: ExistingColumn | undefined = described.find((c) => c.name === column.name);
      assert.ok(found, column.name);
      // Strings too long for VARCHAR2 become CLOBs, which read back as unbounded strings.
      const lob: boolean =
        column.type.kind === 'string' && found.type.kind === 'string' && found.type.maxLength === undefined;
      assert.deepEqual(found.type, lob ? { kind: 'string' } : column.type, column.name);
    }
  });

  test('upsert keeps microseconds, offsets and exact decimals; a second upsert updates in place', {
    skip: SKIP,
  }, async () => {
    const rows = [
      row(1, 'é ünïcödé', '2025-04-10T12:01:48.391494+01:00', '12345678901234567890.123456789'),
      row(2, 'plain', '2025-04-10T11:00:00Z', '0.1'),
    ];
    await dialect.writeBatch(every, { columns: names, rows }, 'upsert');
    const dt = every.columns.find((c) => c.type.kind === 'datetime')!.name.toUpperCase();
    const dec = every.columns.find((c) => c.type.kind === 'decimal')!.name.toUpperCase();
    const got = await query(
      `SELECT ID, TO_CHAR(${dt}, 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM') AS TS, TO_CHAR(${dec}) AS DEC FROM ${every.name.toUpperCase()} ORDER BY ID`,
    );
    assert.deepEqual(got, [
      { ID: 1, TS: '2025-04-10T12:01:48.391494+01:00', DEC: '12345678901234567890.123456789' },
      { ID: 2, TS: '2025-04-10T11:00:00.000000+00:00', DEC: '.1' },
    ]);
    await dialect.writeBatch(every, { columns: ['id', dec.toLowerCase()], rows: [[2, '2.5']] }, 'upsert');
    assert.deepEqual(await query(`SELECT COUNT(*) AS N FROM ${every.name.toUpperCase()}`), [{ N: 2 }]);
    const again = await query(`SELECT TO_CHAR(${dec}) AS D FROM ${every.name.toUpperCase()} WHERE ID = 2`);
    assert.deepEqual(again, [{ D: '2.5' }]);
  });

  test('CLOB and JSON text longer than 32767 bytes is bound inline and arrives whole', {
    skip: SKIP,
  }, async () => {
    const lob = every.columns.find((c) => c.type.kind === 'string' && c.type.maxLength === undefined)!.name;
    const json = every.columns.find((c) => c.type.kind === 'json')!.name;
    const big = 'ø'.repeat(60_000); // 120 000 bytes
    const doc = JSON.stringify({
      items: Array.from({ length: 5000 }, (_, i) => ({ i, text: 'abcdefghij' })),
    });
    await dialect.writeBatch(every, { columns: ['id', lob, json], rows: [[3, big, doc]] }, 'upsert');
    const got = await query(
      `SELECT DBMS_LOB.GETLENGTH(${lob.toUpperCase()}) AS L, ${lob.toUpperCase()} AS V FROM ${every.name.toUpperCase()} WHERE ID = 3`,
    );
    assert.equal(got[0]?.L, 60_000);
    assert.equal(got[0]?.V, big);
  });

  test('append inserts every row; replace leaves exactly the new rows', { skip: SKIP }, async () => {
    const log: TableSpec = {
      name: `${tag}_log`,
      columns: [col('id', { kind: 'integer' }), col('note', { kind: 'string', maxLength: 20 })],
      primaryKey: [],
      indexes: [],
    };
    await createTable(dialect, log);
    const batch = {
      columns: ['id', 'note'],
      rows: [
        [1, 'a'],
        [1, 'a'],
        [2, 'b'],
      ],
    };
    await dialect.writeBatch(log, batch, 'append');
    await dialect.writeBatch(log, batch, 'append');
    assert.deepEqual(await query(`SELECT COUNT(*) AS N FROM ${log.name.toUpperCase()}`), [{ N: 6 }]);
    await dialect.writeBatch(log, { columns: ['id', 'note'], rows: [[9, 'z']] }, 'replace');
    assert.deepEqual(await query(`SELECT ID, NOTE FROM ${log.name.toUpperCase()}`), [{ ID: 9, NOTE: 'z' }]);
  });

  test('evolution: add columns and widen them in place and through a new column', {
    skip: SKIP,
  }, async () => {
    const ref = { name: every.name };
    await dialect.addColumns(ref, [
      col('added_text', { kind: 'string', maxLength: 5 }),
      col('added_json', { kind: 'json' }),
    ]);
    await dialect.alterColumns(ref, [
      { column: 'added_text', from: { kind: 'string', maxLength: 5 }, to: { kind: 'string', maxLength: 50 } },
      { column: 'c6_integer', from: { kind: 'integer' }, to: { kind: 'decimal' } },
      { column: 'c1_string', from: { kind: 'string', maxLength: 30 }, to: { kind: 'string' } },
    ]);
    const described = await dialect.describeTable(ref);
    const type = (name: string) => described?.find((c) => c.name === name)?.type;
    assert.deepEqual(type('added_text'), { kind: 'string', maxLength: 50 });
    assert.deepEqual(type('c6_integer'), { kind: 'decimal' });
    assert.deepEqual(type('c1_string'), { kind: 'string' });
    assert.deepEqual(type('added_json'), { kind: 'json' });
    const kept = await query(`SELECT C1_STRING AS S FROM ${every.name.toUpperCase()} WHERE ID = 1`);
    assert.deepEqual(kept, [{ S: 'é ünïcödé' }]);
  });

  test('a widening cut short by a crash after its old column was dropped is finished on the next describe', {
    skip: SKIP,
  }, async () => {
    const crashed: TableSpec = {
      name: `${tag}_crashed`,
      columns: [col('id', { kind: 'integer' }, false), col('note', { kind: 'string', maxLength: 10 })],
      primaryKey: ['id'],
      indexes: [],
    };
    await createTable(dialect, crashed);
    await dialect.writeBatch(crashed, { columns: ['id', 'note'], rows: [[1, 'kept']] }, 'upsert');
    // The first steps of a widening to CLOB, as the dialect runs them, then the process dies.
    const table = crashed.name.toUpperCase();
    for (const sql of [
      `ALTER TABLE ${table} ADD (NOTE_W$ CLOB)`,
      `COMMENT ON COLUMN ${table}.NOTE_W$ IS 'singer:widening of NOTE'`,
      `UPDATE ${table} SET NOTE_W$ = TO_CLOB(NOTE)`,
      'COMMIT',
      `ALTER TABLE ${table} DROP COLUMN NOTE`,
    ])
      await query(sql);
    const described = await dialect.describeTable({ name: crashed.name });
    assert.deepEqual(
      described?.map((c) => [c.name, c.type]),
      [
        ['id', { kind: 'integer' }],
        ['note', { kind: 'string' }],
      ],
    );
    const kept = await query(`SELECT TO_CHAR(NOTE) AS NOTE FROM ${table} WHERE ID = 1`);
    assert.deepEqual(kept, [{ NOTE: 'kept' }]);
  });

  test('retireVersions deletes or soft-deletes older versions', { skip: SKIP }, async () => {
    const versioned: TableSpec = {
      name: `${tag}_versioned`,
      columns: [
        col('id', { kind: 'integer' }, false),
        col('_sdc_table_version', { kind: 'integer' }),
        col('_sdc_deleted_at', { kind: 'datetime' }),
      ],
      primaryKey: ['id'],
      indexes: [],
    };
    await createTable(dialect, versioned);
    await dialect.writeBatch(
      versioned,
      {
        columns: ['id', '_sdc_table_version'],
        rows: [
          [1, 1],
          [2, 2],
          [3, null],
        ],
      },
      'upsert',
    );
    const base = {
      table: versioned,
      version: 2,
      versionColumn: '_sdc_table_version',
      deletedAtColumn: '_sdc_deleted_at',
      deletedAt: '2025-04-10T12:00:00.123456Z',
    };
    assert.equal(await dialect.retireVersions({ ...base, mode: 'soft' }), 2);
    assert.equal(await dialect.retireVersions({ ...base, mode: 'delete' }), 2);
    assert.deepEqual(await query(`SELECT ID FROM ${versioned.name.toUpperCase()}`), [{ ID: 2 }]);
  });

  test('direct path staging loads a table without LOB columns', { skip: SKIP }, async () => {
    const warnings: string[] = [];
    const fast = createOracleDialect(
      { ...settings, staging_method: 'direct_path' },
      createLogger({ name: 'live', level: 'warn', destination: { write: (line) => warnings.push(line) } }),
    );
    await fast.open();
    try {
      const spec: TableSpec = {
        name: `${tag}_direct`,
        columns: [
          col('id', { kind: 'integer' }, false),
          col('qty', { kind: 'decimal' }),
          col('ts', { kind: 'datetime' }),
        ],
        primaryKey: ['id'],
        indexes: [],
      };
      await createTable(fast, spec);
      const rows = Array.from({ length: 5000 }, (_, i) => [i, `${i}.25`, '2025-04-10T12:01:48.000001+02:00']);
      await fast.writeBatch(spec, { columns: ['id', 'qty', 'ts'], rows }, 'upsert');
      await fast.writeBatch(spec, { columns: ['id', 'qty', 'ts'], rows }, 'upsert');
      assert.deepEqual(await query(`SELECT COUNT(*) AS N, SUM(QTY) AS S FROM ${spec.name.toUpperCase()}`), [
        { N: 5000, S: 12498750 },
      ]);
      // The fallback to array inserts would load the rows too: this test is about direct path.
      assert.deepEqual(
        warnings.filter((line) => line.includes('direct path load refused')),
        [],
        'the server refused the direct path load',
      );
    } finally {
      await fast.close();
    }
  });

  test('the target CLI loads the conformance streams and a WMS-shaped stream into Oracle', {
    skip: SKIP,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oracle-live-'));
    try {
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ dialect: 'oracle', ...settings, table_prefix: `${tag}_` }));
      const run = (input: string) =>
        new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
          const child = spawn(process.execPath, [BIN, '--config', config], {
            stdio: ['pipe', 'ignore', 'pipe'],
            env: { ...process.env, LOG_LEVEL: 'warn' },
          });
          let stderr = '';
          child.stderr.setEncoding('utf8').on('data', (c: string) => {
            stderr += c;
          });
          child.on('close', (code) => resolveRun({ code, stderr }));
          createReadStream(input).pipe(child.stdin);
        });
      const count = async (table: string) =>
        (await query(`SELECT COUNT(*) AS N FROM "${`${tag}_${table}`.toUpperCase()}"`))[0]?.N;
      const expectations: Array<[string, string, number]> = [
        ['array_data', 'test_array_data', 4],
        ['duplicate_records', 'test_duplicate_records', 2],
        ['no_primary_keys', 'test_no_pk', 3],
        ['no_primary_keys_append', 'test_no_pk', 8],
        ['optional_attributes', 'test_optional_attributes', 4],
        ['schema_updates', 'test_schema_updates', 6],
        ['user_location_data', 'test_users', 5],
      ];
      for (const [file, table, rows] of expectations) {
        const result = await run(join(CONFORMANCE_DIR, `${file}.singer`));
        assert.equal(result.code, 0, `${file}: ${result.stderr}`);
        created.push(`"${`${tag}_${table}`.toUpperCase()}"`);
        assert.equal(await count(table), rows, file);
      }
      const wms = join(dir, 'wms.singer');
      const lines = [
        JSON.stringify({
          type: 'SCHEMA',
          stream: 'order_hdr',
          key_properties: ['id'],
          schema: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              order_nbr: { type: ['string', 'null'], maxLength: 50 },
              mod_ts: { type: 'string', format: 'date-time' },
              ord_date: { type: ['string', 'null'], format: 'date' },
              total_orig_ord_qty: { type: ['string', 'null'], format: 'decimal' },
              stop_ship_flg: { type: ['boolean', 'null'] },
              facility_id: { type: ['object', 'null'] },
            },
          },
        }),
        ...Array.from({ length: 2500 }, (_, i) =>
          JSON.stringify({
            type: 'RECORD',
            stream: 'order_hdr',
            record: {
              id: i % 2000,
              order_nbr: `ORD-${i}`,
              mod_ts: `2025-04-10T12:01:48.${String(i).padStart(6, '0')}+01:00`,
              ord_date: '2025-04-10',
              total_orig_ord_qty: `${i}.5`,
              stop_ship_flg: i % 3 === 0,
              facility_id: { id: 1, key: 'FAC1', url: 'https://example.invalid/facility/1' },
            },
          }),
        ),
        JSON.stringify({
          type: 'STATE',
          value: { bookmarks: { order_hdr: { replication_key_value: '2025-04-10T12:01:48+01:00' } } },
        }),
      ];
      writeFileSync(wms, `${lines.join('\n')}\n`);
      const result = await run(wms);
      assert.equal(result.code, 0, result.stderr);
      created.push(`"${`${tag}_order_hdr`.toUpperCase()}"`);
      assert.equal(await count('order_hdr'), 2000);
      const sample = await query(
        `SELECT ORDER_NBR, TO_CHAR(MOD_TS, 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM') AS TS FROM "${`${tag}_order_hdr`.toUpperCase()}" WHERE ID = 1`,
      );
      assert.deepEqual(sample, [{ ORDER_NBR: 'ORD-2001', TS: '2025-04-10T12:01:48.002001+01:00' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
