// Bench: the Oracle dialect's own cost per row, without a database. order_dtl-shaped rows
// (about 65 columns: decimals as text, microsecond date-times with offsets, JSON foreign keys)
// go through writeBatch against a session source that answers instantly, so the figure is the
// ceiling the client side puts on a load: encoding, byte budgeting, bindDefs, SQL building.
// Building the test rows is not timed.
//
//   npx tsc -b bench && node bench/dist/oracle-dialect.js [--rows 50000] [--batch 10000] [--instant]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '@wms-singer/singer';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}
const total = argument('rows', 50_000);
const batchSize = argument('batch', 10_000);

type Cell = string | number | boolean | null;
interface Session {
  oracleServerVersion: number;
  maxIdentifierLength: number;
  execute(sql: string): Promise<{ rows?: Array<Record<string, unknown>> }>;
  executeMany(sql: string, rows: unknown[][]): Promise<object>;
  directPathLoad(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}
interface OracleModule {
  createOracleDialect(
    settings: Record<string, unknown>,
    logger: ReturnType<typeof createLogger>,
    overrides: Record<string, unknown>,
  ): {
    open(): Promise<void>;
    close(): Promise<void>;
    writeBatch(table: unknown, batch: { columns: string[]; rows: Cell[][] }, mode: string): Promise<void>;
  };
}

const { createOracleDialect } = (await import(
  pathToFileURL(join(repoRoot, 'packages/target-oracle/dist/src/dialects/oracle/index.js')).href
)) as OracleModule;

let stagedRows = 0;
let calls = 0;
const session: Session = {
  oracleServerVersion: 1_926_000_000,
  maxIdentifierLength: 128,
  execute: async (sql) => ({ rows: sql.includes('SCHEMA_NAME') ? [{ SCHEMA_NAME: 'LOADER' }] : [] }),
  executeMany: async (_sql, rows) => {
    stagedRows += rows.length;
    calls++;
    return {};
  },
  directPathLoad: async () => undefined,
  commit: async () => undefined,
  rollback: async () => undefined,
  close: async () => undefined,
};

const dec = { kind: 'decimal' };
const columns: Array<{ name: string; type: object; nullable: boolean }> = [
  { name: 'id', type: { kind: 'integer' }, nullable: false },
  { name: 'url', type: { kind: 'string', maxLength: 1000 }, nullable: true },
  { name: 'create_ts', type: { kind: 'datetime' }, nullable: true },
  { name: 'mod_ts', type: { kind: 'datetime' }, nullable: true },
  { name: 'create_user', type: { kind: 'string', maxLength: 30 }, nullable: true },
  { name: 'mod_user', type: { kind: 'string', maxLength: 30 }, nullable: true },
  ...['order_id', 'item_id', 'uom_id', 'facility_id', 'company_id'].map((name) => ({
    name,
    type: { kind: 'json' },
    nullable: true,
  })),
  ...Array.from({ length: 20 }, (_, i) => ({ name: `qty_${i}`, type: dec, nullable: true })),
  ...Array.from({ length: 20 }, (_, i) => ({
    name: `field_${i}`,
    type: { kind: 'string', maxLength: 50 },
    nullable: true,
  })),
  ...Array.from({ length: 10 }, (_, i) => ({
    name: `number_${i}`,
    type: { kind: 'integer' },
    nullable: true,
  })),
  ...Array.from({ length: 5 }, (_, i) => ({ name: `date_${i}`, type: { kind: 'date' }, nullable: true })),
  { name: 'flag', type: { kind: 'boolean' }, nullable: true },
];
const table = { schema: 'wms', name: 'order_dtl', columns, primaryKey: ['id'], indexes: [['mod_ts']] };
const names = columns.map((c) => c.name);
const fk = (entity: string, id: number) =>
  JSON.stringify({
    id,
    key: `${entity.toUpperCase()}${id}`,
    url: `https://wms.example.com/wms/lgfapi/v10/entity/${entity}/${id}/`,
  });
const ts = (s: number) =>
  `2026-01-1${s % 10}T0${s % 10}:1${s % 6}:2${s % 10}.${String(123456 + (s % 800000)).padStart(6, '0')}-05:00`;

function row(id: number): Cell[] {
  return columns.map((c) => {
    if (c.name === 'id') return id;
    const kind = (c.type as { kind: string }).kind;
    switch (kind) {
      case 'datetime':
        return ts(id);
      case 'json':
        return fk(c.name.replace('_id', ''), id % 5000);
      case 'decimal':
        return ((id % 100000) / 100).toFixed(2);
      case 'integer':
        return id % 977;
      case 'date':
        return '2026-01-15';
      case 'boolean':
        return id % 2 === 0;
      default:
        return c.name === 'url'
          ? `https://wms.example.com/wms/lgfapi/v10/entity/order_dtl/${id}/`
          : `VALUE-${id % 1000}`;
    }
  });
}

// The rule-enforcing double (test/support/oracle-double) answers like a server: the dialect's SQL
// and binds must be ones Oracle would take. Its own time (executing the SQL) is measured apart and
// subtracted, so the figure is what the target itself spends per row: the per-record check
// (Dialect.rowCheck, run as records arrive), encoding, byte budgeting, bindDefs, SQL building.
const useDouble = !process.argv.includes('--instant');
const { OracleDouble } = (await import(
  pathToFileURL(join(repoRoot, 'packages/target-oracle/dist/test/support/oracle-double/index.js')).href
)) as {
  OracleDouble: new () => {
    serverMs: number;
    acquire(): Promise<unknown>;
    close(): Promise<void>;
    of(kind: string): unknown[];
  };
};
const db = new OracleDouble();
const dialect = createOracleDialect(
  { user: 'bench', password: 'bench', connect_string: '127.0.0.1:1/X' },
  createLogger({ name: 'bench', level: 'warn' }),
  {
    sessionSource: async () =>
      useDouble ? db : { acquire: async () => session, close: async () => undefined },
  },
);
await dialect.open();
if (useDouble) await (dialect as unknown as { createTable(t: unknown): Promise<void> }).createTable(table);
// As the engine's sink does: the dialect's row check, then its row buffer (which keeps the check's encoding).
const engineSide = dialect as unknown as {
  rowCheck(t: unknown, c: string[]): (row: Cell[]) => unknown;
  createRowBuffer(t: unknown, c: string[]): { add(row: Cell[]): number; take(fill: undefined): unknown };
};
const check = engineSide.rowCheck(table, names);
const buffer = engineSide.createRowBuffer(table, names);
// Only the check and writeBatch are timed; each batch is built just before it, as the engine holds one at a time.
let elapsed = 0n;
let bareParse = 0n;
const serverBefore = db.serverMs;
for (let start = 0; start < total; start += batchSize) {
  const rows = Array.from({ length: Math.min(batchSize, total - start) }, (_, i) => row(start + i));
  // The bare parse of the same rows as Singer RECORD lines, for scale.
  const lines = rows.map((r) =>
    JSON.stringify({
      type: 'RECORD',
      stream: 'order_dtl',
      record: Object.fromEntries(names.map((n, i) => [n, r[i]])),
    }),
  );
  const parsing = process.hrtime.bigint();
  for (const text of lines) JSON.parse(text);
  bareParse += process.hrtime.bigint() - parsing;
  const started = process.hrtime.bigint();
  for (const r of rows) {
    if (check(r) !== undefined) throw new Error('the bench rows must pass the check');
    buffer.add(r);
  }
  await dialect.writeBatch(table, buffer.take(undefined) as { columns: string[]; rows: Cell[][] }, 'upsert');
  elapsed += process.hrtime.bigint() - started;
}
const serverSeconds = useDouble ? (db.serverMs - serverBefore) / 1000 : 0;
const seconds = Number(elapsed) / 1e9 - serverSeconds;
const parseSeconds = Number(bareParse) / 1e9;
await dialect.close();
const staged = useDouble
  ? (db.of('executeMany') as Array<{ rows: unknown[] }>).reduce((n, c) => n + c.rows.length, 0)
  : stagedRows;
console.log(
  `oracle dialect, client side (${useDouble ? 'against the rule-enforcing double, its own time subtracted' : 'instant session'}): ` +
    `${total} rows x ${columns.length} columns in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} rows/s ` +
    `(${useDouble ? (db.of('executeMany') as unknown[]).length : calls} executeMany calls, ${staged} rows staged, batches of ${batchSize}; ` +
    `the double itself: ${serverSeconds.toFixed(2)} s)`,
);
console.log(
  `bare JSON.parse of the same rows as RECORD lines: ${parseSeconds.toFixed(2)} s = ${Math.round(total / parseSeconds)} rows/s; ` +
    `the dialect costs ${(seconds / parseSeconds).toFixed(2)}x the bare parse`,
);
