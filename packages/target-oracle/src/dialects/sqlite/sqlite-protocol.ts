import type {
  ColumnChange,
  ColumnSpec,
  RetireVersionsRequest,
  RowBatch,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';

/** Messages between the SQLite dialect (main thread) and its worker thread. */
export type SqliteRequest = { id: number } & (
  | { op: 'describeTable'; table: TableRef }
  | { op: 'createTable'; table: TableSpec }
  | { op: 'addColumns'; table: TableRef; columns: ColumnSpec[] }
  | { op: 'alterColumns'; table: TableRef; changes: ColumnChange[] }
  | { op: 'writeBatch'; table: TableSpec; batch: RowBatch; mode: WriteMode }
  | { op: 'retireVersions'; request: RetireVersionsRequest }
  | { op: 'close' }
);

export type SqliteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string };
