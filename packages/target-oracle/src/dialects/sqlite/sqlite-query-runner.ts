/** The SQLite side of the query seam (dialects/query-runner.ts): one connection, autocommit. */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError, SingerError } from '@wms-singer/singer';
import type { TableRef } from '../dialect.js';
import type { QueryBinds, QueryRow, QueryRunner } from '../query-runner.js';
import { quoteIdentifier } from './sqlite-types.js';

export class SqliteQueryRunner implements QueryRunner {
  readonly dialect = 'sqlite';
  readonly maxIdentifierLength = 128;

  private constructor(private readonly db: DatabaseSync) {}

  /** Opens an existing database file; a missing file is a configuration error, not a new database. */
  static open(path: string): SqliteQueryRunner {
    if (!existsSync(path)) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `setting "sqlite_path": ${path} does not exist (nothing was loaded there)`,
      );
    }
    const db = new DatabaseSync(path);
    // The target may be writing (WAL): wait for its transaction rather than failing.
    db.exec('PRAGMA busy_timeout = 10000');
    return new SqliteQueryRunner(db);
  }

  identifier(name: string): string {
    return quoteIdentifier(name);
  }

  table(ref: TableRef): string {
    return quoteIdentifier(ref.name);
  }

  async columns(ref: TableRef): Promise<string[] | undefined> {
    const rows = this.run(() => this.db.prepare('SELECT name FROM pragma_table_info(?)').all(ref.name));
    return rows.length === 0 ? undefined : rows.map((row) => String(row.name));
  }

  async query(sql: string, binds: QueryBinds = {}): Promise<QueryRow[]> {
    return this.run(() => lowerKeys(this.db.prepare(sql).all(binds) as QueryRow[]));
  }

  async execute(sql: string, binds: QueryBinds = {}): Promise<number> {
    return this.run(() => Number(this.db.prepare(sql).run(binds).changes));
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private run<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw new SingerError('SQLITE_QUERY', `SQLite: ${(error as Error).message}`, { cause: error });
    }
  }
}

function lowerKeys(rows: QueryRow[]): QueryRow[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
}
