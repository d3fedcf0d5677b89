import type { BatchFill, CellValue, RowBatch, RowBuffer, TableSpec } from '../dialect.js';

/**
 * A batch as the SQLite worker receives it: one row per line, UTF-8 in `bytes`, which is
 * transferred to the worker (not copied) and transferred back once written. A line is the JSON
 * array of the row's cells, then for each JSON column a tab and the cell's JSON text as it is
 * (empty for null): nested inside the array, those texts would be escaped and unescaped again.
 * A dropped row's line is blank. JSON.stringify never writes a raw newline or tab, so lines
 * and cells split without parsing.
 */
export interface EncodedRows {
  bytes: ArrayBuffer;
  /** Bytes used. */
  length: number;
  /** Rows in the batch (blank lines not counted). */
  count: number;
  /** Indexes of the JSON columns, whose text follows the array. */
  jsonColumns: number[];
  fill: BatchFill | undefined;
}

/** Past this many bytes of encoded rows a batch asks to be flushed, whatever its row count. */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;
const INITIAL_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const SPACE = 0x20;

/** Indexes of the columns of kind `json` among `columns`. */
export function jsonColumnsOf(table: TableSpec, columns: string[]): number[] {
  const json = new Set(table.columns.filter((c) => c.type.kind === 'json').map((c) => c.name));
  return columns.flatMap((name, i) => (json.has(name) ? [i] : []));
}

/**
 * Byte blocks the row buffers fill and the worker hands back, so a steady load reuses two or
 * three blocks instead of allocating one per batch.
 */
export class BlockPool {
  private readonly free: ArrayBuffer[] = [];

  /** A block of at least `bytes` bytes, from the pool when one is big enough. */
  acquire(bytes: number): Buffer {
    const index = this.free.findIndex((block) => block.byteLength >= bytes);
    if (index !== -1) return Buffer.from(this.free.splice(index, 1)[0]!);
    // allocUnsafeSlow: a block of its own (never a slice of Node's shared pool), so it can be transferred.
    return Buffer.allocUnsafeSlow(bytes);
  }

  release(block: ArrayBuffer): void {
    if (this.free.length < 3) this.free.push(block);
  }
}

/**
 * The SQLite dialect's row buffer: each row is encoded as a line of JSON straight into a byte
 * block as the sink adds it. A batch waiting for its flush is then one block outside the
 * JavaScript heap, not thousands of arrays the garbage collector must trace and promote, and
 * handing it to the worker moves the block instead of copying a string. A dropped row (a later
 * one had the same key) is blanked in place.
 */
export class JsonRowBuffer implements RowBuffer {
  private block: Buffer;
  private used = 0;
  /** Where each row's line starts; it ends one byte (the newline) before the next one starts. */
  private starts: number[] = [];
  private dropped = 0;

  constructor(
    private readonly columns: string[],
    private readonly jsonColumns: number[],
    private readonly pool: BlockPool,
  ) {
    this.block = pool.acquire(INITIAL_BYTES);
  }

  get count(): number {
    return this.starts.length - this.dropped;
  }

  get full(): boolean {
    return this.used >= MAX_BATCH_BYTES;
  }

  add(row: CellValue[]): number {
    let tail = '';
    for (const i of this.jsonColumns) {
      const cell = row[i];
      tail += '\t';
      if (typeof cell === 'string') {
        tail += cell;
        row[i] = null;
      }
    }
    const text = JSON.stringify(row) + tail;
    // A UTF-16 unit becomes at most 3 UTF-8 bytes; one more for the newline.
    const room = this.used + text.length * 3 + 1;
    if (room > this.block.length) this.grow(room);
    const start = this.used;
    const end = start + this.block.write(text, start, 'utf8');
    this.block[end] = NEWLINE;
    this.used = end + 1;
    return this.starts.push(start) - 1;
  }

  drop(handle: number): void {
    const start = this.starts[handle];
    if (start === undefined || this.block[start] === SPACE) return;
    const end = (this.starts[handle + 1] ?? this.used) - 1;
    this.block.fill(SPACE, start, end);
    this.dropped++;
  }

  take(fill: BatchFill | undefined): RowBatch {
    const encoded: EncodedRows = {
      bytes: this.block.buffer as ArrayBuffer,
      length: this.used,
      count: this.count,
      jsonColumns: this.jsonColumns,
      fill,
    };
    this.block = this.pool.acquire(Math.min(this.block.length, MAX_BATCH_BYTES));
    this.used = 0;
    this.starts = [];
    this.dropped = 0;
    return { columns: this.columns, rows: [], encoded };
  }

  private grow(bytes: number): void {
    const block = Buffer.allocUnsafeSlow(Math.max(bytes, this.block.length * 2));
    this.block.copy(block, 0, 0, this.used);
    this.block = block;
  }
}

/**
 * Reads an encoded batch back one row at a time, so the worker never holds the batch as one
 * large string or as thousands of parsed rows at once.
 */
export class RowReader {
  private readonly block: Buffer;
  private position = 0;

  constructor(private readonly encoded: EncodedRows) {
    this.block = Buffer.from(encoded.bytes, 0, encoded.length);
  }

  /** Bytes of encoded rows in the batch. */
  get bytes(): number {
    return this.block.length;
  }

  /** The next row, or undefined after the last. */
  next(): CellValue[] | undefined {
    const { block } = this;
    while (this.position < block.length) {
      const start = this.position;
      let end = block.indexOf(NEWLINE, start);
      if (end === -1) end = block.length;
      this.position = end + 1;
      if (block[start] === SPACE) continue; // a dropped row
      const line = block.toString('utf8', start, end);
      const { jsonColumns } = this.encoded;
      let tab = jsonColumns.length === 0 ? line.length : line.indexOf('\t');
      const row = JSON.parse(line.slice(0, tab)) as CellValue[];
      for (const i of jsonColumns) {
        const from = tab + 1;
        tab = line.indexOf('\t', from);
        if (tab === -1) tab = line.length;
        if (tab > from) row[i] = line.slice(from, tab);
      }
      const fill = this.encoded.fill;
      if (fill !== undefined) row[fill.index] = fill.value;
      return row;
    }
    return undefined;
  }
}

/** Encodes rows given as cell arrays (a batch that did not come through a row buffer). */
export function encodeRows(table: TableSpec, batch: RowBatch, pool: BlockPool): RowBatch {
  const buffer = new JsonRowBuffer(batch.columns, jsonColumnsOf(table, batch.columns), pool);
  for (const row of batch.rows) buffer.add(row);
  return buffer.take(undefined);
}
