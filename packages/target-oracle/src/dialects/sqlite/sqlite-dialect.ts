import { Worker } from 'node:worker_threads';
import { type Logger, SingerError } from '@wms-singer/singer';
import type {
  ColumnChange,
  ColumnSpec,
  Dialect,
  ExistingColumn,
  RetireVersionsRequest,
  RowBatch,
  RowBuffer,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';
import type { SqliteReply, SqliteRequest } from './sqlite-protocol.js';
import {
  BlockPool,
  type EncodedRows,
  encodeRows,
  integerKeyIndexOf,
  numericColumnsOf,
  TextRowBuffer,
} from './sqlite-row-buffer.js';

type Request = SqliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
  what: string;
}

/**
 * The embedded SQLite dialect. The connection lives in a worker thread: requests are queued and
 * served in order, and a batch's rows are copied to the worker once, so the engine keeps parsing
 * while SQLite writes (the overlap performance-notes.md measures).
 */
export class SqliteDialect implements Dialect {
  readonly name = 'sqlite';
  /** SQLite has no practical limit; 128 keeps names portable to Oracle 12.2+. */
  readonly maxIdentifierLength = 128;
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private broken: Error | undefined;
  private readonly blocks = new BlockPool();

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  async open(): Promise<void> {
    const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), {
      workerData: { path: this.path },
    });
    this.worker = worker;
    worker.on('message', (reply: SqliteReply) => {
      if (reply.block !== undefined) this.blocks.release(reply.block);
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new SingerError('SQLITE_FAILED', `SQLite: ${waiter.what} failed: ${reply.message}`));
    });
    worker.on('error', (error) => this.breakDown(error));
    worker.on('exit', (code) => this.breakDown(new Error(`the SQLite worker stopped (exit code ${code})`)));
    // Opening happens in the worker's first statements: a round trip proves the file is usable.
    await this.call({ op: 'describeTable', table: { name: 'sqlite_master' } }, `opening ${this.path}`);
    this.logger.debug({ path: this.path }, 'SQLite database open');
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    if (this.broken === undefined)
      await this.call({ op: 'close' }, 'closing the database').catch(() => undefined);
    this.worker = undefined;
    worker.removeAllListeners('exit');
    await worker.terminate();
  }

  describeTable(table: TableRef): Promise<ExistingColumn[] | undefined> {
    return this.call({ op: 'describeTable', table }, `reading table "${table.name}"`) as Promise<
      ExistingColumn[] | undefined
    >;
  }

  async createTable(table: TableSpec): Promise<void> {
    await this.call({ op: 'createTable', table }, `creating table "${table.name}"`);
  }

  async addColumns(table: TableRef, columns: ColumnSpec[]): Promise<void> {
    await this.call({ op: 'addColumns', table, columns }, `adding columns to table "${table.name}"`);
  }

  async alterColumns(table: TableRef, changes: ColumnChange[]): Promise<void> {
    await this.call({ op: 'alterColumns', table, changes }, `widening columns of table "${table.name}"`);
  }

  /** Rows are encoded as the sink buffers them, into blocks that move to the worker (sqlite-row-buffer.ts). */
  createRowBuffer(table: TableSpec, columns: string[]): RowBuffer {
    return new TextRowBuffer(
      columns,
      numericColumnsOf(table, columns),
      this.blocks,
      integerKeyIndexOf(table, columns),
    );
  }

  /** Not async: nothing here holds the batch while the worker writes it. */
  writeBatch(table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void> {
    const rows = (batch.encoded ?? encodeRows(table, batch, this.blocks).encoded) as EncodedRows;
    const what = `writing ${rows.count} rows to "${table.name}"`;
    const transfer = [rows.bytes, rows.starts.buffer as ArrayBuffer];
    if (rows.order !== undefined) transfer.push(rows.order.buffer as ArrayBuffer);
    return this.call({ op: 'writeBatch', table, columns: batch.columns, rows, mode }, what, transfer).then(
      () => undefined,
    );
  }

  async retireVersions(request: RetireVersionsRequest): Promise<number> {
    return (await this.call(
      { op: 'retireVersions', request },
      `retiring old versions in table "${request.table.name}"`,
    )) as number;
  }

  private call(request: Request, what: string, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.worker;
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (worker === undefined)
      return Promise.reject(new SingerError('SQLITE_CLOSED', 'SQLite: the dialect is not open'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, what });
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  private breakDown(error: Error): void {
    const failure = new SingerError('SQLITE_FAILED', `SQLite: ${error.message} (${this.path})`);
    this.broken ??= failure;
    for (const waiter of this.waiting.values()) waiter.reject(failure);
    this.waiting.clear();
  }
}
