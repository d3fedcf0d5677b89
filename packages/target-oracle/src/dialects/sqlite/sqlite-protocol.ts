import type {
  ColumnChange,
  ColumnSpec,
  RetireVersionsRequest,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';
import type { EncodedRows } from './sqlite-row-buffer.js';

/** Messages between the SQLite dialect (main thread) and its worker thread. */
export type SqliteRequest = { id: number } & (
  | { op: 'describeTable'; table: TableRef }
  | { op: 'createTable'; table: TableSpec }
  | { op: 'addColumns'; table: TableRef; columns: ColumnSpec[] }
  | { op: 'alterColumns'; table: TableRef; changes: ColumnChange[] }
  // Rows travel as text in a transferred block (see sqlite-row-buffer.ts): splitting it in the
  // worker costs less than deserialising a structured clone of as many small values.
  | { op: 'writeBatch'; table: TableSpec; columns: string[]; rows: EncodedRows; mode: WriteMode }
  | { op: 'retireVersions'; request: RetireVersionsRequest }
  | { op: 'close' }
);

/** `block`: a writeBatch's byte block, handed back for reuse whether the write succeeded or not. */
export type SqliteReply = { id: number; block?: ArrayBuffer } & (
  | { ok: true; value: unknown }
  | { ok: false; message: string }
);
