// What the dialect contract suite runs against: one harness per database (SQLite, the
// rule-enforcing Oracle double, live Oracle), each giving a fresh database per case, a way to run
// the target in process over Singer lines, the rows of a table as comparable text, and a way to
// make the database refuse rows (to test failed writes).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@wms-singer/singer';
import type { ColumnKind, Dialect, ExistingColumn } from '../../../src/dialects/dialect.js';
import {
  connectOptions,
  createOracleDialect,
  type OracleSettings,
  type SessionSource,
  thinPoolSource,
} from '../../../src/dialects/oracle/index.js';
import { SqliteDialect } from '../../../src/dialects/sqlite/index.js';
import type { TargetConfig } from '../../../src/settings.js';
import { engineDefaults, runInProcess } from '../in-process.js';
import { OracleDouble } from '../oracle-double/index.js';
import { driverError } from '../oracle-fake.js';

export interface RunResult {
  error: Error | undefined;
  /** STATE values printed on stdout, parsed. */
  states: unknown[];
  logs: string[];
}

/** One fresh database. Table names are the engine's (lower case); rows come back as text. */
export interface ContractDatabase {
  run(input: string, settings?: Partial<TargetConfig>): Promise<RunResult>;
  /** The table's columns as the dialect reads them back. */
  describe(table: string): Promise<ExistingColumn[] | undefined>;
  /** Every row, columns by engine name, values normalised by `normalise`, ordered by `orderBy`. */
  rows(table: string, orderBy?: string): Promise<Array<Record<string, string | null>>>;
  /** From now on the database refuses to write a row of `table` whose `id` is `id` or more. */
  refuseFrom(table: string, id: number): Promise<void>;
  close(): Promise<void>;
}

export interface Harness {
  name: string;
  /** Why this harness cannot run here (reported as a skip, never as a pass). */
  unavailable: string | undefined;
  open(): Promise<ContractDatabase>;
}

const baseConfig: TargetConfig = engineDefaults;

async function runTarget(
  makeDialect: (logger: Logger) => Dialect,
  config: TargetConfig,
  input: string,
): Promise<RunResult> {
  const run = await runInProcess(config, makeDialect, input);
  return { error: run.error, states: run.stdout.map((l) => JSON.parse(l) as unknown), logs: run.logs };
}

/**
 * A stored value as comparable text, from its column kind: integers and decimals canonical
 * (`12.50` and `12.5` are one value), instants as UTC with microseconds, dates `YYYY-MM-DD`,
 * booleans `true`/`false`. Text and JSON text are kept as they are.
 */
export function normalise(kind: ColumnKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  // node-oracledb returns a JSON-type column as a JS value: compare it as JSON text.
  if (typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  const text = typeof value === 'bigint' ? value.toString() : String(value);
  switch (kind) {
    case 'integer':
    case 'decimal':
    case 'number':
      return canonicalNumber(text);
    case 'boolean':
      return text === '1' || text === 'true' || text === 'TRUE' ? 'true' : 'false';
    case 'datetime':
      return utcInstant(text);
    case 'date':
      return text.slice(0, 10);
    default:
      return text;
  }
}

export function canonicalNumber(text: string): string {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (m === null) return text;
  let digits = `${m[2]}${m[3] ?? ''}`;
  let point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return '0';
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  const sign = m[1] === '-' ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** `2025-04-10T12:00:00.5+02:00` -> `2025-04-10T10:00:00.500000Z`. */
export function utcInstant(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (m === null) return text;
  const zone =
    m[4] === undefined || m[4] === 'Z'
      ? '+00:00'
      : m[4].length === 5
        ? `${m[4].slice(0, 3)}:${m[4].slice(3)}`
        : m[4];
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return `${new Date(ms).toISOString().slice(0, 19)}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

async function rowsBy(
  describe: ExistingColumn[] | undefined,
  raw: Array<Record<string, unknown>>,
  orderBy: string | undefined,
): Promise<Array<Record<string, string | null>>> {
  if (describe === undefined) throw new Error('no such table');
  const kinds = new Map(describe.map((c) => [c.name, c.type.kind]));
  const rows = raw.map((row) => {
    const out: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(row)) {
      const column = name.toLowerCase();
      out[column] = normalise(kinds.get(column) ?? 'string', value);
    }
    return out;
  });
  if (orderBy !== undefined) {
    rows.sort((a, b) => {
      const x = a[orderBy] ?? '';
      const y = b[orderBy] ?? '';
      const nx = Number(x);
      const ny = Number(y);
      return Number.isFinite(nx) && Number.isFinite(ny) && nx !== ny ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    });
  }
  return rows;
}

const silent = createLogger({ name: 'contract', level: 'silent' });

// node:sqlite (Node 22.5+), read with readBigInts so integers come back exact. @types/node 20
// does not describe it: the slice used here.
interface SqliteStatement {
  all(): Array<Record<string, unknown>>;
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}
const nodeSqlite = (): {
  DatabaseSync: new (path: string, options?: { readBigInts?: boolean }) => SqliteDatabase;
} => createRequire(import.meta.url)('node:sqlite');

export const sqliteHarness: Harness = {
  name: 'SQLite',
  unavailable: undefined,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'contract-sqlite-'));
    const path = join(dir, 'db.sqlite');
    const config = { ...baseConfig, dialect: 'sqlite', sqlite_path: path } as TargetConfig;
    const { DatabaseSync } = nodeSqlite();
    const withDialect = async <T>(work: (d: SqliteDialect) => Promise<T>): Promise<T> => {
      const dialect = new SqliteDialect(path, silent);
      await dialect.open();
      try {
        return await work(dialect);
      } finally {
        await dialect.close();
      }
    };
    return {
      run: (input, settings = {}) =>
        runTarget(
          (logger) => new SqliteDialect(path, logger),
          { ...config, ...settings } as TargetConfig,
          input,
        ),
      describe: (table) => withDialect((d) => d.describeTable({ name: table })),
      async rows(table, orderBy) {
        const described = await withDialect((d) => d.describeTable({ name: table }));
        const db = new DatabaseSync(path, { readBigInts: true });
        try {
          const raw = db.prepare(`SELECT * FROM "${table}"`).all() as Array<Record<string, unknown>>;
          return rowsBy(described, raw, orderBy);
        } finally {
          db.close();
        }
      },
      async refuseFrom(table, id) {
        const db = new DatabaseSync(path);
        try {
          for (const event of ['INSERT', 'UPDATE']) {
            db.exec(
              `CREATE TRIGGER "refuse_${event}_${table}" BEFORE ${event} ON "${table}" WHEN NEW.id >= ${id} BEGIN SELECT RAISE(ABORT, 'refused by the contract test'); END`,
            );
          }
        } finally {
          db.close();
        }
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The Oracle dialect on the rule-enforcing double (schema WMS). */
export function doubleHarness(
  options: ConstructorParameters<typeof OracleDouble>[0] = {},
  name = 'Oracle double',
): Harness {
  return {
    name,
    unavailable: undefined,
    async open() {
      const db = new OracleDouble(options);
      const config = {
        ...baseConfig,
        dialect: 'oracle',
        user: 'loader',
        password: 'secret',
        connect_string: '127.0.0.1:1521/FREEPDB1',
        default_target_schema: 'wms',
      } as TargetConfig;
      const dialectFor = (logger: Logger): Dialect =>
        createOracleDialect(config as OracleSettings, logger, {
          sessionSource: async () => db,
          backoff: async () => undefined,
          runTag: 'c1',
        });
      const describe = async (table: string) => {
        const dialect = dialectFor(silent);
        await dialect.open();
        try {
          return await dialect.describeTable({ schema: 'wms', name: table });
        } finally {
          await dialect.close();
        }
      };
      return {
        run: (input, settings = {}) =>
          runTarget(dialectFor, { ...config, ...settings } as TargetConfig, input),
        describe,
        async rows(table, orderBy) {
          return rowsBy(await describe(table), db.rowsOf('WMS', table.toUpperCase()), orderBy);
        },
        async refuseFrom(table, id) {
          // Oracle's answer to a refused row: a permanent error on the statement that moves it.
          const name = table.toUpperCase();
          db.failOn(
            (call) =>
              (call.kind === 'executeMany' &&
                (call.rows ?? []).some((row) => Number(row[0]) >= id) &&
                (call.sql ?? '').includes(`_${name}`)) ||
              false,
            driverError('ORA-20001', 'refused by the contract test'),
            1_000_000,
          );
        },
        async close() {},
      };
    },
  };
}

const liveSettings = (): OracleSettings | undefined => {
  const { ORACLE_USER, ORACLE_PASSWORD, ORACLE_CONNECT_STRING } = process.env;
  if (!ORACLE_USER || !ORACLE_PASSWORD || !ORACLE_CONNECT_STRING) return undefined;
  return { user: ORACLE_USER, password: ORACLE_PASSWORD, connect_string: ORACLE_CONNECT_STRING };
};

/** Live Oracle from ORACLE_USER / ORACLE_PASSWORD / ORACLE_CONNECT_STRING (docs/oracle.md). */
export const liveHarness: Harness = {
  name: 'live Oracle',
  unavailable:
    liveSettings() === undefined
      ? 'ORACLE_USER, ORACLE_PASSWORD and ORACLE_CONNECT_STRING are not set'
      : undefined,
  async open() {
    const settings = liveSettings()!;
    const prefix = `k${randomBytes(3).toString('hex')}_`;
    const config = { ...baseConfig, dialect: 'oracle', ...settings, table_prefix: prefix } as TargetConfig;
    const source: SessionSource = await thinPoolSource(connectOptions(settings));
    const created = new Set<string>();
    const dialectFor = (logger: Logger): Dialect => createOracleDialect(settings, logger);
    const describe = async (table: string) => {
      const dialect = dialectFor(silent);
      await dialect.open();
      try {
        return await dialect.describeTable({ name: `${prefix}${table}` });
      } finally {
        await dialect.close();
      }
    };
    const query = async (sql: string): Promise<Array<Record<string, unknown>>> => {
      const session = await source.acquire();
      try {
        return (await session.execute(sql)).rows ?? [];
      } finally {
        await session.close(false);
      }
    };
    return {
      run: async (input, more = {}) => {
        for (const m of input.matchAll(/"stream":"([a-z0-9_]+)"/g))
          created.add(`${prefix}${m[1]}`.toUpperCase());
        return runTarget(dialectFor, { ...config, ...more } as TargetConfig, input);
      },
      describe,
      async rows(table, orderBy) {
        const columns = await describe(table);
        if (columns === undefined) throw new Error('no such table');
        // Every value as text, so nothing passes through a JS number or Date.
        const types = new Map(
          (
            await query(
              `SELECT COLUMN_NAME, DATA_TYPE FROM USER_TAB_COLUMNS WHERE TABLE_NAME = '${`${prefix}${table}`.toUpperCase()}'`,
            )
          ).map((r) => [String(r.COLUMN_NAME), String(r.DATA_TYPE)]),
        );
        const list = columns.map((c) => {
          const name = `"${c.name.toUpperCase()}"`;
          const zoned = (types.get(c.name.toUpperCase()) ?? '').includes('TIME ZONE');
          switch (c.type.kind) {
            case 'integer':
            case 'decimal':
            case 'number':
            case 'boolean':
              return `TO_CHAR(${name}) AS ${name}`;
            case 'datetime':
              return zoned
                ? `TO_CHAR(${name}, 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM') AS ${name}`
                : `TO_CHAR(${name}, 'YYYY-MM-DD"T"HH24:MI:SS.FF6') || 'Z' AS ${name}`;
            case 'date':
              return `TO_CHAR(${name}, 'YYYY-MM-DD') AS ${name}`;
            default:
              return name;
          }
        });
        const raw = await query(`SELECT ${list.join(', ')} FROM "${`${prefix}${table}`.toUpperCase()}"`);
        return rowsBy(columns, raw, orderBy);
      },
      async refuseFrom(table, id) {
        const name = `${prefix}${table}`.toUpperCase();
        await query(
          `CREATE OR REPLACE TRIGGER "${name}_RF" BEFORE INSERT OR UPDATE ON "${name}" FOR EACH ROW WHEN (NEW.ID >= ${id}) BEGIN RAISE_APPLICATION_ERROR(-20001, 'refused by the contract test'); END;`,
        );
      },
      async close() {
        for (const table of created) await query(`DROP TABLE "${table}" PURGE`).catch(() => undefined);
        await source.close();
      },
    };
  },
};

export const HARNESSES: Harness[] = [sqliteHarness, doubleHarness(), liveHarness];
