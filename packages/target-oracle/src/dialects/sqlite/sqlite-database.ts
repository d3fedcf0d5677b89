import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type {
  ColumnChange,
  ColumnSpec,
  ExistingColumn,
  RetireVersionsRequest,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';
import { Checkpointer } from './sqlite-checkpointer.js';
import type { RowReader } from './sqlite-row-buffer.js';
import {
  addColumnSql,
  createIndexSql,
  createTableSql,
  integerKeyDefinition,
  retireSql,
  writeSql,
} from './sqlite-statements.js';
import { declaredType, logicalType, quoteIdentifier as q } from './sqlite-types.js';

/**
 * Once about this much has been written since the WAL last started again, the next write
 * transaction waits for the checkpoint thread (see Checkpointer).
 */
export const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

/**
 * The SQLite database, synchronously (Node's built-in `node:sqlite`). It runs inside the dialect's worker
 * thread, so its writes overlap the engine's parsing on the main thread. Every write is one
 * transaction: a batch is all there or not at all.
 */
export class SqliteDatabase {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Checkpoints the WAL from another thread; undefined when this connection does it itself. */
  private checkpointer: Checkpointer | undefined;
  /**
   * Bytes committed since the WAL last started again (encoded rows: a close estimate of the
   * pages written); a write of unknown size counts as the whole limit.
   */
  private walBytes = 0;
  /** Bytes per page (a WAL frame holds one page). */
  private readonly pageSize: number;

  constructor(
    path: string,
    private readonly walLimitBytes = WAL_LIMIT_BYTES,
  ) {
    this.db = new DatabaseSync(path);
    // 16 KiB pages (SQLite's default is 4 KiB) for WMS rows of about 1 KB: fewer pages and WAL
    // frames per row, about a quarter less CPU per inserted row when keys arrive in order and
    // still less at 1M scattered keys (bench/RESULTS.md). Only a new database takes it: an
    // existing file keeps its page size.
    this.db.exec('PRAGMA page_size = 16384');
    const mode = (this.db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string })
      .journal_mode;
    // WAL with synchronous=NORMAL: a commit survives a crash of the process (what a state printed
    // after it relies on); only a power loss can take back the last commits.
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA busy_timeout = 10000');
    this.db.exec('PRAGMA cache_size = -32768');
    this.db.exec('PRAGMA temp_store = MEMORY');
    // A commit then costs WAL writes only; the checkpoint and its fsyncs run on their own thread.
    // (An in-memory database has no WAL to checkpoint.)
    this.pageSize = Number((this.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
    if (mode === 'wal') {
      this.checkpointer = new Checkpointer(path);
      this.db.exec('PRAGMA wal_autocheckpoint = 0');
    }
  }

  describeTable(table: TableRef): ExistingColumn[] | undefined {
    const columns = this.columnInfo(table.name);
    if (columns.length === 0) return undefined;
    return columns.map((c) => ({
      name: c.name,
      type: logicalType(c.type),
      nullable: c.notnull === 0,
      key: c.pk,
    }));
  }

  createTable(table: TableSpec): void {
    this.ddl(() => {
      this.db.exec(createTableSql(table));
      for (const index of table.indexes) this.db.exec(createIndexSql(table, index));
    });
  }

  addColumns(table: TableRef, columns: ColumnSpec[]): void {
    this.ddl(() => {
      for (const column of columns) this.db.exec(addColumnSql(table.name, column));
    });
  }

  /**
   * SQLite cannot retype a column: the table is rebuilt (create, copy, drop, rename, indexes
   * again) in one transaction; the copy converts stored values to the new column's affinity.
   */
  alterColumns(table: TableRef, changes: ColumnChange[]): void {
    const widened = new Map(changes.map((c) => [c.column, c.to]));
    const converted = new Map(changes.map((c) => [c.column, convertSql(q(c.column), c)]));
    this.ddl(() => {
      const columns = this.columnInfo(table.name);
      const indexSql = (
        this.db
          .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
          .all(table.name) as { sql: string }[]
      ).map((row) => row.sql);
      const keys = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      const definitions = columns.map((c) => {
        const to = widened.get(c.name);
        const type = to === undefined ? c.type : declaredType(to);
        // A lone integer key stays off the rowid, with its check (createTableSql).
        if (keys.length === 1 && c.pk > 0 && type === 'BIGINT')
          return integerKeyDefinition(c.name, c.notnull === 0);
        return `${q(c.name)} ${type}${c.notnull ? ' NOT NULL' : ''}`;
      });
      if (keys.length > 0) definitions.push(`PRIMARY KEY (${keys.map((c) => q(c.name)).join(', ')})`);
      const rebuilt = `${table.name}__widening`;
      const names = columns.map((c) => q(c.name)).join(', ');
      this.db.exec(`DROP TABLE IF EXISTS ${q(rebuilt)}`);
      this.db.exec(`CREATE TABLE ${q(rebuilt)} (${definitions.join(', ')})`);
      const values = columns.map((c) => converted.get(c.name) ?? q(c.name)).join(', ');
      this.db.exec(`INSERT INTO ${q(rebuilt)} (${names}) SELECT ${values} FROM ${q(table.name)}`);
      this.db.exec(`DROP TABLE ${q(table.name)}`);
      this.db.exec(`ALTER TABLE ${q(rebuilt)} RENAME TO ${q(table.name)}`);
      for (const sql of indexSql) this.db.exec(sql);
    });
  }

  /**
   * One transaction; rows are decoded one at a time as they are inserted, with booleans already
   * as 1 and 0 (RowReader); cells are bound as the statement's arguments.
   */
  writeBatch(table: TableSpec, columns: string[], rows: RowReader, mode: WriteMode): void {
    const statement = this.prepare(writeSql(table, columns, mode));
    this.beforeWrite();
    this.transaction(() => {
      if (mode === 'replace') this.db.exec(`DELETE FROM ${q(table.name)}`);
      for (let row = rows.next(); row !== undefined; row = rows.next()) statement.run(...row);
    });
    this.afterWrite(rows.bytes);
  }

  retireVersions(request: RetireVersionsRequest): number {
    const statement = this.db.prepare(retireSql(request));
    this.beforeWrite();
    const result =
      request.mode === 'delete'
        ? statement.run(request.version)
        : statement.run(request.deletedAt, request.version);
    this.afterWrite(this.walLimitBytes);
    return Number(result.changes);
  }

  /** Closes the checkpoint thread's connection first, so this close checkpoints and removes the WAL. */
  close(): void {
    this.statements.clear();
    this.checkpointer?.stop();
    this.checkpointer = undefined;
    this.db.close();
  }

  /**
   * Before a write transaction. When the checkpoint thread has copied every commit, this
   * transaction starts the WAL again from its beginning; otherwise, once the WAL may hold more
   * than `walLimitBytes`, wait for the checkpoint so that it does. If the checkpoint thread
   * failed, this connection checkpoints by itself again.
   */
  private beforeWrite(): void {
    const checkpointer = this.checkpointer;
    if (checkpointer === undefined) return;
    // The rows' bytes underestimate what a batch writes to the WAL when its keys are scattered
    // over the table (every page they touch is written whole), so the size the checkpoint thread
    // last saw counts as well.
    const full =
      this.walBytes >= this.walLimitBytes || checkpointer.walFrames * this.pageSize >= this.walLimitBytes;
    if (!checkpointer.caughtUp && full) checkpointer.catchUp();
    if (checkpointer.caughtUp) {
      this.walBytes = 0;
      checkpointer.restarted();
    }
    if (checkpointer.failed) {
      this.checkpointer = undefined;
      this.db.exec('PRAGMA wal_autocheckpoint = 1000');
    }
  }

  private afterWrite(bytes: number): void {
    if (this.checkpointer === undefined) return;
    this.walBytes += bytes;
    this.checkpointer.request();
  }

  private columnInfo(table: string): ColumnInfo[] {
    return this.db
      .prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)')
      .all(table) as unknown as ColumnInfo[];
  }

  private ddl(work: () => void): void {
    this.statements.clear();
    this.beforeWrite();
    this.transaction(work);
    this.afterWrite(this.walLimitBytes);
  }

  /** `work` in one transaction: committed when it returns, rolled back when it throws. */
  private transaction(work: () => void): void {
    this.db.exec('BEGIN');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      // SQLite may already have rolled back (for example after SQLITE_FULL); then this fails harmlessly.
      try {
        this.db.exec('ROLLBACK');
      } catch {}
      throw error;
    }
  }

  private prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * A stored value converted as the engine converts new values for the widened column (so old and
 * new rows agree, as on Oracle): a boolean becomes `true`/`false` text, text kinds become JSON
 * strings in a JSON column; numbers keep their text.
 */
function convertSql(column: string, change: ColumnChange): string {
  const { from, to } = change;
  if (from.kind === 'boolean' && (to.kind === 'string' || to.kind === 'json')) {
    return `CASE ${column} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END`;
  }
  const text =
    from.kind === 'string' || from.kind === 'date' || from.kind === 'datetime' || from.kind === 'time';
  if (to.kind === 'json' && text)
    return `CASE WHEN ${column} IS NULL THEN NULL ELSE json_quote(${column}) END`;
  return column;
}
