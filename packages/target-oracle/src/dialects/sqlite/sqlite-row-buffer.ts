import type { BatchFill, CellValue, RowBatch, RowBuffer, TableSpec } from '../dialect.js';

/**
 * A batch as the SQLite worker receives it: the rows' text, UTF-8 in `bytes`, which is
 * transferred to the worker (not copied) and transferred back once written.
 *
 * A row's text is its cells joined by the unit separator U+001F (what `Array.prototype.join`
 * makes, and `String.prototype.split` undoes, without looking inside a cell), each cell written
 * so that the reader knows its type from the column and the cell's first character:
 * - `null` is empty;
 * - in a numeric column (integer, number, boolean) a number is its decimal text, a boolean `1`
 *   or `0` (SQLite has no boolean);
 * - in any other column a string is itself, unless it is empty or starts with a control
 *   character; those, and any string in a numeric column, are written after `\u0001`;
 * - a number in a non-numeric column is written after `\u0002`.
 * A row with a separator inside one of its strings is written instead as `\u001d` and the JSON
 * array of the same cells (JSON escapes control characters). Rows end where the next starts
 * (`starts`); newlines inside cells need no escaping.
 *
 * This is cheaper on both threads than a JSON array per row: joining and splitting do not scan
 * strings for characters to escape, and the worker builds no array from JSON text.
 */
export interface EncodedRows {
  bytes: ArrayBuffer;
  /** Bytes used. */
  length: number;
  /** Where each row starts; a dropped row's start is stored as its bitwise complement (negative). */
  starts: Int32Array;
  /** Rows in the batch, dropped ones not counted. */
  count: number;
  /** 1 for each column whose plain cells are numbers. */
  numeric: Uint8Array;
  fill: BatchFill | undefined;
  /**
   * The rows' indexes in the order of their integer key, when the table's key is one integer
   * column (the rowid): read in that order, a batch whose keys are scattered over the table
   * (a tap reads in `mod_ts` order, not in id order) visits each page once, left to right.
   */
  order?: Int32Array;
}

/** A cell as the worker binds it: SQLite has no boolean, so booleans are already 1 or 0. */
export type BoundCell = string | number | null;

/** Past this many bytes of encoded rows a batch asks to be flushed, whatever its row count. */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;
const INITIAL_BYTES = 1024 * 1024;
const SEPARATOR = '\u001f';
/** Before a cell: what follows is a string, as it is. */
const STRING = '\u0001';
const STRING_CODE = 0x01;
/** Before a cell: what follows is a number's text. */
const NUMBER = '\u0002';
const NUMBER_CODE = 0x02;
/** Before a row: the JSON array of its cells follows. */
const JSON_ROW = '\u001d';
const JSON_ROW_CODE = 0x1d;

/** For each of `columns`, 1 when the table stores it as a number (integer, number, boolean). */
/**
 * Where the table's key sits in `columns` when the key is one integer column, else -1. SQLite
 * stores such a table in key order (the key is the rowid), so that is the order to insert in.
 */
export function integerKeyIndexOf(table: TableSpec, columns: string[]): number {
  if (table.primaryKey.length !== 1) return -1;
  const key = table.primaryKey[0]!;
  const column = table.columns.find((c) => c.name === key);
  return column?.type.kind === 'integer' ? columns.indexOf(key) : -1;
}

export function numericColumnsOf(table: TableSpec, columns: string[]): Uint8Array {
  const kinds = new Map(table.columns.map((c) => [c.name, c.type.kind]));
  return Uint8Array.from(columns, (name) => {
    const kind = kinds.get(name);
    return kind === 'integer' || kind === 'number' || kind === 'boolean' ? 1 : 0;
  });
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
 * The SQLite dialect's row buffer: each row is encoded (see EncodedRows) straight into a byte
 * block as the sink adds it. A batch waiting for its flush is then one block outside the
 * JavaScript heap, not thousands of arrays the garbage collector must trace and promote, and
 * handing it to the worker moves the block instead of copying a string.
 */
export class TextRowBuffer implements RowBuffer {
  private block: Buffer;
  private used = 0;
  private starts: number[] = [];
  private dropped = 0;
  /** Each row's integer key (see EncodedRows.order); undefined once a key is not a plain number. */
  private keys: number[] | undefined;

  constructor(
    private readonly columns: string[],
    private readonly numeric: Uint8Array,
    private readonly pool: BlockPool,
    /** Index of the table's integer key column, or -1 (integerKeyIndexOf). */
    private readonly keyIndex = -1,
  ) {
    this.block = pool.acquire(INITIAL_BYTES);
    this.keys = keyIndex >= 0 ? [] : undefined;
  }

  get count(): number {
    return this.starts.length - this.dropped;
  }

  get full(): boolean {
    return this.used >= MAX_BATCH_BYTES;
  }

  /** Encodes the row's cells in place (the sink no longer needs them), then writes its text. */
  add(row: CellValue[], plain = false): number {
    if (this.keys !== undefined) {
      const key = row[this.keyIndex];
      // An integer beyond 2^53 arrives as its exact text: such a batch is read as it came.
      if (typeof key === 'number') this.keys.push(key);
      else this.keys = undefined;
    }
    const numeric = this.numeric;
    // A plain row has no separator (a control character) in its strings: nothing to look for.
    let joinable = true;
    let look = !plain;
    for (let i = 0; i < row.length; i++) {
      const cell = row[i];
      if (typeof cell === 'string') {
        if (numeric[i] === 1 || !(cell.charCodeAt(0) >= 0x20)) row[i] = STRING + cell;
        if (look && cell.indexOf(SEPARATOR) !== -1) {
          joinable = false;
          look = false;
        }
      } else if (typeof cell === 'number') {
        if (numeric[i] === 0) row[i] = NUMBER + cell;
      } else if (typeof cell === 'boolean') {
        row[i] = numeric[i] === 1 ? Number(cell) : NUMBER + Number(cell);
      } else if (cell === null) {
        // What join writes for null anyway; an array without nulls takes join's faster path.
        row[i] = '';
      }
    }
    const text = joinable ? row.join(SEPARATOR) : JSON_ROW + JSON.stringify(row);
    // A UTF-16 unit becomes at most 3 UTF-8 bytes.
    const room = this.used + text.length * 3;
    if (room > this.block.length) this.grow(room);
    const start = this.used;
    this.used += this.block.write(text, start, 'utf8');
    return this.starts.push(start) - 1;
  }

  drop(handle: number): void {
    const start = this.starts[handle];
    if (start === undefined || start < 0) return;
    this.starts[handle] = ~start;
    this.dropped++;
  }

  take(fill: BatchFill | undefined): RowBatch {
    const encoded: EncodedRows = {
      bytes: this.block.buffer as ArrayBuffer,
      length: this.used,
      starts: Int32Array.from(this.starts),
      count: this.count,
      numeric: this.numeric,
      fill,
    };
    if (this.keys !== undefined && this.keys.length > 1) encoded.order = keyOrder(this.keys, this.starts);
    this.block = this.pool.acquire(Math.min(this.block.length, MAX_BATCH_BYTES));
    this.used = 0;
    this.starts = [];
    this.dropped = 0;
    this.keys = this.keyIndex >= 0 ? [] : undefined;
    return { columns: this.columns, rows: [], encoded };
  }

  private grow(bytes: number): void {
    const block = Buffer.allocUnsafeSlow(Math.max(bytes, this.block.length * 2));
    this.block.copy(block, 0, 0, this.used);
    this.block = block;
  }
}

/** The indexes of the rows not dropped, in ascending order of their key. */
function keyOrder(keys: number[], starts: number[]): Int32Array {
  const order: number[] = [];
  for (let i = 0; i < starts.length; i++) if (starts[i]! >= 0) order.push(i);
  order.sort((a, b) => keys[a]! - keys[b]!);
  return Int32Array.from(order);
}

/**
 * Reads an encoded batch back one row at a time, as values ready to bind, so the worker never
 * holds the batch as one large string or as thousands of rows at once.
 */
export class RowReader {
  private readonly block: Buffer;
  private index = 0;

  constructor(private readonly encoded: EncodedRows) {
    this.block = Buffer.from(encoded.bytes, 0, encoded.length);
  }

  /** Bytes of encoded rows in the batch. */
  get bytes(): number {
    return this.block.length;
  }

  /** The next row (in key order when the batch has one), or undefined after the last. */
  next(): BoundCell[] | undefined {
    const { starts, numeric, fill, order } = this.encoded;
    const rows = order === undefined ? starts.length : order.length;
    while (this.index < rows) {
      const at = order === undefined ? this.index : order[this.index]!;
      this.index++;
      const start = starts[at]!;
      if (start < 0) continue; // a dropped row
      const following = at + 1 < starts.length ? starts[at + 1]! : this.block.length;
      const end = following < 0 ? ~following : following;
      const text = this.block.toString('utf8', start, end);
      const row: BoundCell[] =
        text.charCodeAt(0) === JSON_ROW_CODE ? JSON.parse(text.slice(1)) : text.split(SEPARATOR);
      for (let i = 0; i < row.length; i++) {
        const cell = row[i];
        if (typeof cell !== 'string') continue; // a JSON row's number or null
        const first = cell.charCodeAt(0);
        if (first === STRING_CODE) row[i] = cell.slice(1);
        else if (first === NUMBER_CODE) row[i] = Number(cell.slice(1));
        else if (cell.length === 0) row[i] = null;
        else if (numeric[i] === 1) row[i] = Number(cell);
      }
      if (fill !== undefined) row[fill.index] = fill.value;
      return row;
    }
    return undefined;
  }
}

/** Encodes rows given as cell arrays (a batch that did not come through a row buffer). */
export function encodeRows(table: TableSpec, batch: RowBatch, pool: BlockPool): RowBatch {
  const buffer = new TextRowBuffer(
    batch.columns,
    numericColumnsOf(table, batch.columns),
    pool,
    integerKeyIndexOf(table, batch.columns),
  );
  for (const row of batch.rows) buffer.add(row);
  return buffer.take(undefined);
}
