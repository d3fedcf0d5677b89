// Runs the built target-oracle CLI as a child process against a temporary SQLite file.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, from packages/target-oracle/dist/test/support. */
export const repoRoot = resolve(here, '../../../../..');
export const BIN = join(repoRoot, 'packages/target-oracle/bin/target-oracle.js');

/** The Singer SDK conformance streams, kept in the repository (test/fixtures); missing is a failure. */
export function conformanceDir(): string {
  const dir = resolve(repoRoot, 'test', 'fixtures', 'singer-conformance');
  if (!existsSync(dir)) throw new Error(`the Singer conformance streams are missing: expected ${dir}`);
  return dir;
}

export interface Workspace {
  dir: string;
  db: string;
  config(settings?: Record<string, unknown>): string;
  remove(): void;
}

/** Returns a maker of fresh workspaces, all removed when the test file's tests are done. */
export function workspaces(): () => Workspace {
  const made: Workspace[] = [];
  after(() => {
    for (const ws of made) ws.remove();
  });
  return () => {
    const ws = workspace();
    made.push(ws);
    return ws;
  };
}

/** The schema properties most tests load. */
export const METRIC = { id: { type: 'integer' }, metric: { type: 'integer' } };

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'target-oracle-'));
  const db = join(dir, 'out.db');
  let n = 0;
  return {
    dir,
    db,
    config(settings = {}) {
      const path = join(dir, `config-${n++}.json`);
      writeFileSync(path, JSON.stringify({ dialect: 'sqlite', sqlite_path: db, ...settings }));
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout lines parsed as JSON (the state values). */
  states: unknown[];
  /** stderr lines that are not pino JSON log lines (the one-line error). */
  errors: string[];
}

export function spawnTarget(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcessWithoutNullStreams): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const errors = stderr.split('\n').filter((line) => line.length > 0 && !line.startsWith('{'));
      resolvePromise({
        code,
        stdout,
        stderr,
        errors,
        // parsed on access: a non-JSON stdout line fails the test that looks at states
        get states() {
          return stdout
            .split('\n')
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as unknown);
        },
      });
    });
  });
}

/** Runs the target with a config file on the given input text (stdin). */
export async function runTarget(
  configPath: string,
  input: string,
  extraArgs: string[] = [],
): Promise<RunResult> {
  const child = spawnTarget(['--config', configPath, ...extraArgs]);
  const result = collect(child);
  child.stdin.on('error', () => undefined); // the target may stop reading early on bad input
  child.stdin.end(input);
  return result;
}

/** Singer lines from message objects. */
export function singer(...messages: object[]): string {
  return messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
}

export const schema = (
  stream: string,
  properties: Record<string, unknown>,
  keys: string[] = ['id'],
  extra: Record<string, unknown> = {},
): object => ({
  type: 'SCHEMA',
  stream,
  key_properties: keys,
  schema: { type: 'object', properties },
  ...extra,
});

export const record = (
  stream: string,
  value: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): object => ({
  type: 'RECORD',
  stream,
  record: value,
  ...extra,
});

export const state = (value: unknown): object => ({ type: 'STATE', value });

/**
 * The SQLite file, read-only. The target may still be writing it: a read waits up to 5 s for a
 * lock instead of failing at once (node:sqlite's default).
 */
export function openDatabase(dbPath: string): DatabaseSync {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

/**
 * The rows of a query as plain objects. Integers come back as numbers, except one beyond 2^53,
 * which comes back as an exact BigInt (node:sqlite would otherwise refuse to read it).
 */
export function query(db: DatabaseSync, sql: string, ...params: SQLInputValue[]): Record<string, unknown>[] {
  const statement = db.prepare(sql);
  statement.setReadBigInts(true);
  return statement.all(...params).map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row))
      plain[column] =
        typeof value === 'bigint' &&
        value <= BigInt(Number.MAX_SAFE_INTEGER) &&
        value >= BigInt(Number.MIN_SAFE_INTEGER)
          ? Number(value)
          : value;
    return plain;
  });
}

/** All rows of a table, ordered by the given SQL expression. */
export function rows(dbPath: string, table: string, orderBy = 'rowid'): Record<string, unknown>[] {
  const db = openDatabase(dbPath);
  try {
    return query(db, `SELECT * FROM "${table}" ORDER BY ${orderBy}`);
  } finally {
    db.close();
  }
}

export function tables(dbPath: string): string[] {
  if (!existsSync(dbPath)) return [];
  const db = openDatabase(dbPath);
  try {
    return query(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) =>
      String(r.name),
    );
  } finally {
    db.close();
  }
}

/** Declared column types of a table, by column name. */
export function columnTypes(dbPath: string, table: string): Record<string, string> {
  const db = openDatabase(dbPath);
  try {
    const info = query(db, 'SELECT name, type FROM pragma_table_info(?)', table) as {
      name: string;
      type: string;
    }[];
    return Object.fromEntries(info.map((c) => [c.name, c.type]));
  } finally {
    db.close();
  }
}
