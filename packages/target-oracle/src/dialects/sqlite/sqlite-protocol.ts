import type {
  ColumnChange,
  ColumnSpec,
  RetireVersionsRequest,
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
  // Rows travel as one JSON text: JSON.parse in the worker costs it less than deserialising a
  // structured clone of as many small values, and the worker is the busier thread.
  | { op: 'writeBatch'; table: TableSpec; columns: string[]; rows: string; mode: WriteMode }
  | { op: 'retireVersions'; request: RetireVersionsRequest }
  | { op: 'close' }
);

export type SqliteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string };
