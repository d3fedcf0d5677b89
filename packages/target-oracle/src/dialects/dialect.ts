/**
 * The seam between the loading engine and a database.
 *
 * The engine decides *what* happens: which table, which columns to add or widen, which rows
 * survive dedupe, when a version retires old rows, when state may be printed. A dialect answers
 * only *how*, in its own SQL. Nothing outside a dialect's folder knows its database's quirks, so
 * an engine test that passes on SQLite tells us the engine is right for Oracle too.
 */

import type { Logger, Metrics, SettingSchema } from '@wms-singer/singer';
import type { QueryRunner } from './query-runner.js';

/** Database-neutral column types, decided by the engine from JSON Schema. */
export type ColumnType =
  | { kind: 'string'; maxLength?: number } // no maxLength: unbounded text
  | { kind: 'integer' }
  | { kind: 'decimal' } // exact; values arrive as decimal strings or JSON numbers
  | { kind: 'number' } // binary floating point
  | { kind: 'boolean' }
  | { kind: 'datetime' } // an instant with its offset and microseconds; values are ISO-8601 strings
  | { kind: 'date' } // YYYY-MM-DD strings
  | { kind: 'time' } // HH:MM:SS[.ffffff] strings
  | { kind: 'json' }; // objects, arrays, and properties with no usable type; values are JSON text

export type ColumnKind = ColumnType['kind'];

/**
 * A column as the engine names it: `name` is already normalised (lower case `[a-z0-9_]`,
 * within the dialect's identifier limit). How it is written in SQL (quoted, upper-cased) is the
 * dialect's business. Every column but the primary key is nullable.
 */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export interface TableRef {
  /** The target schema (Oracle user); undefined means the connection's default. */
  schema?: string;
  name: string;
}

export interface TableSpec extends TableRef {
  columns: ColumnSpec[];
  /** Column names of the primary key; empty for a keyless stream (append only). */
  primaryKey: string[];
  /** Each entry is one index over those columns (the bookmark properties). */
  indexes: string[][];
}

/** What a dialect reads back from an existing table. */
export interface ExistingColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /**
   * Position in the table's primary key (1 first), 0 when the column is not in it; absent when
   * the dialect cannot tell. The engine refuses a stream whose key differs from the table's.
   */
  key?: number;
}

/**
 * A cell as the engine hands it to a dialect:
 * - string: strings, decimals (exact text), datetimes/dates/times (ISO text), JSON (serialised text)
 * - number: integers and floats
 * - boolean: booleans
 * - null: missing or null
 */
export type CellValue = string | number | boolean | null;

/** A cell a dialect cannot store as sent (see Dialect.rowCheck). */
export interface CellProblem {
  column: string;
  message: string;
}

/** Rows in `columns` order; every row has exactly `columns.length` cells. */
export interface RowBatch {
  columns: string[];
  rows: CellValue[][];
  /** The dialect's own encoding of the rows, made by its row buffer; `rows` is then empty. */
  encoded?: unknown;
}

/** A value every row of a batch takes in one column, known only when the batch is taken. */
export interface BatchFill {
  index: number;
  value: string;
}

/**
 * Where a sink keeps the rows of the batch it is building. The engine's default keeps the cell
 * arrays; a dialect may encode each row as it arrives instead (`Dialect.createRowBuffer`), so a
 * batch waiting for its flush is one compact block rather than thousands of small objects.
 */
export interface RowBuffer {
  /** Rows buffered and not dropped. */
  readonly count: number;
  /** True when the buffer wants a flush whatever the row count (its bytes reached the dialect's limit). */
  readonly full: boolean;
  /**
   * Buffers a row (the sink no longer touches it); returns its handle for `drop`: the row's
   * position among the rows added since the last `take` (0, 1, 2...). `plain`: no string cell
   * holds a control character (the record scanner knows it of the lines it reads).
   */
  add(row: CellValue[], plain?: boolean): number;
  /** Drops a buffered row: a later row with the same key replaced it. */
  drop(handle: number): void;
  /** The buffered rows as a batch for `writeBatch`, with `fill` applied; the buffer is empty again. */
  take(fill: BatchFill | undefined): RowBatch;
}

/**
 * - `upsert`: merge into the table on its primary key. The engine has already deduplicated the
 *   batch (at most one row per key, the last to arrive), so the dialect never sees two rows with
 *   one key. Columns absent from the batch keep their values on update.
 * - `append`: insert every row.
 * - `replace`: the table's content becomes exactly these rows, atomically where the database
 *   allows (the first batch of an `overwrite` load).
 */
export type WriteMode = 'upsert' | 'append' | 'replace';

export interface ColumnChange {
  column: string;
  from: ColumnType;
  to: ColumnType;
}

export interface RetireVersionsRequest {
  table: TableRef;
  /** Rows whose version column is below this version (or null) are retired. */
  version: number;
  versionColumn: string;
  /** `delete` removes them; `soft` sets `deletedAtColumn` to `deletedAt` where it is still null. */
  mode: 'delete' | 'soft';
  deletedAtColumn: string;
  /** ISO-8601 instant. */
  deletedAt: string;
}

export interface Dialect {
  readonly name: string;
  /** Longest identifier the database accepts, known once `open()` has resolved. */
  readonly maxIdentifierLength: number;

  open(): Promise<void>;
  close(): Promise<void>;

  /** The table's columns, or undefined when the table does not exist. */
  describeTable(table: TableRef): Promise<ExistingColumn[] | undefined>;
  createTable(table: TableSpec): Promise<void>;
  addColumns(table: TableRef, columns: ColumnSpec[]): Promise<void>;
  /** Widen columns in place; the engine only asks for changes it judged safe (see the type lattice). */
  alterColumns(table: TableRef, changes: ColumnChange[]): Promise<void>;

  /**
   * Writes one batch and commits it. When the promise resolves the rows are durable; when it
   * rejects nothing of the batch is visible. A dialect may retry transient failures by replaying
   * the whole batch (every mode is idempotent for a replay except `append`, which must not
   * commit twice).
   */
  writeBatch(table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void>;

  /**
   * Optional: a buffer that encodes each row in the dialect's own format as the sink adds it;
   * `writeBatch` then receives what its `take` returns. Without it the engine keeps cell arrays.
   */
  createRowBuffer?(table: TableSpec, columns: string[]): RowBuffer;

  /**
   * Optional: a check of each row against what the database stores exactly, run as the sink takes
   * a record (before it is buffered). It names the column and says what is wrong, or returns
   * undefined; the engine then applies invalid_record_policy to that record alone, so a value the
   * server would refuse (or round) never fails a whole batch without naming its row.
   */
  rowCheck?(table: TableSpec, columns: string[]): ((row: CellValue[]) => CellProblem | undefined) | undefined;

  /**
   * Optional: whether an error of `writeBatch` is about one row's value (a data or conversion
   * error: a number too large for the column, a bad date, a string too long...) rather than the
   * batch, the table or the connection. Returns the column when the error names it (the engine's
   * name, or the database's, matched without case). The engine then writes the batch again in
   * halves to find the row(s) and applies invalid_record_policy to them alone.
   */
  valueError?(error: unknown): { column?: string } | undefined;

  /**
   * Optional, for a dialect whose row buffer encodes rows: rows [start, end) of a batch its buffer
   * made, as a batch `writeBatch` takes (the batch is not changed). Without it the engine slices
   * `rows`, and cannot isolate a refused row of an encoded batch.
   */
  sliceBatch?(batch: RowBatch, start: number, end: number): RowBatch;

  /** Retires rows of versions older than the activated one and commits; returns how many. */
  retireVersions(request: RetireVersionsRequest): Promise<number>;
}

/**
 * A dialect as a plug-in: one self-contained module (its folder's `index.ts`) exporting one of
 * these. The registry (`dialects/index.ts`) lists them; the `dialect` setting's choices, the
 * settings schema and the settings reference are derived from that list, so adding a database
 * touches its own folder and one line of the registry, never the engine.
 */
export interface DialectPlugin {
  /** The value of the `dialect` setting that selects it. */
  readonly name: string;
  /** What it loads, for the `dialect` setting's description ("Oracle Database 19c and later"). */
  readonly loads: string;
  /**
   * The settings only this dialect reads. Names are shared by every dialect's settings and the
   * engine's: the registry refuses two definitions of one name and two settings with one title.
   */
  readonly settings: Record<string, SettingSchema>;
  /**
   * The dialect for a validated config (the engine's settings and every dialect's, defaults
   * filled). A required setting of this dialect that is missing is one ConfigError naming it.
   */
  create(config: Readonly<Record<string, unknown>>, logger: Logger, metrics?: Metrics): Dialect;
  /**
   * A small connection for tools reading what the target loaded (wms-quality): SELECTs, and
   * DDL/DML on their own tables. Same config as `create`. See dialects/query-runner.ts.
   */
  openQueries?(config: Readonly<Record<string, unknown>>, logger: Logger): Promise<QueryRunner>;
}
