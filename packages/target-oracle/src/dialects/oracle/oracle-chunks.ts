/**
 * Turns a RowBatch into bind rows once (a replay after a lost connection reuses them), cut into
 * chunks below a byte budget: one executeMany or directPathLoad call per chunk, each far below
 * node-oracledb's 1 GiB direct path message limit.
 */
import { SingerError } from '@wms-singer/singer';
import type { BatchFill, CellProblem, CellValue, RowBatch, RowBuffer } from '../dialect.js';
import { type BindValue, CellError, type ColumnCodec } from './oracle-binds.js';
import type { BindDef } from './oracle-connection.js';

export interface Chunk {
  /** Bind rows: the codecs' values, then the row's sequence number in the batch. */
  rows: BindValue[][];
  /** One per codec, then the sequence column. */
  bindDefs: BindDef[];
  bytes: number;
}

export interface ChunkLimits {
  maxBytes: number;
  maxRows: number;
}

const characters = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** VARCHAR2(n CHAR) limits per codec (Infinity for others), checked before a value is sent. */
function charLimits(codecs: ColumnCodec[]): number[] {
  return codecs.map((codec) => {
    const limit =
      codec.bind === 'varchar' ? /^VARCHAR2\((\d+) CHAR\)$/.exec(codec.stagingType)?.[1] : undefined;
    return limit === undefined ? Number.POSITIVE_INFINITY : Number(limit);
  });
}

/**
 * One row's cells as bind values, with a last slot left for its sequence number (set when the
 * batch is cut into chunks), or the problem of the first cell that cannot be sent as it is.
 */
export function encodeRow(
  codecs: ColumnCodec[],
  limits: number[],
  cells: CellValue[],
): BindValue[] | CellProblem {
  const width = codecs.length;
  const out = new Array<BindValue>(width + 1);
  for (let c = 0; c < width; c++) {
    const codec = codecs[c]!;
    let value: BindValue;
    try {
      value = codec.encode(cells[c] ?? null);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      return { column: error.column, message: error.message };
    }
    // VARCHAR2(n CHAR) limits, checked here so an overlong value is one clear line, not ORA-12899.
    if (typeof value === 'string' && value.length > limits[c]! && characters(value) > limits[c]!) {
      return {
        column: codec.column.name,
        message: `${characters(value)} characters, the column holds ${limits[c]}`,
      };
    }
    out[c] = value;
  }
  return out;
}

/**
 * Encodes rows as they arrive: the row check (Dialect.rowCheck) keeps each row's encoding, so the
 * row buffer and the batch take it instead of encoding every cell a second time.
 */
export class RowEncoder {
  private readonly limits: number[];
  private readonly encoded = new WeakMap<CellValue[], BindValue[]>();

  constructor(readonly codecs: ColumnCodec[]) {
    this.limits = charLimits(codecs);
  }

  /** The row check: undefined when every cell can be sent (its encoding is then kept). */
  check(row: CellValue[]): CellProblem | undefined {
    const result = encodeRow(this.codecs, this.limits, row);
    if (!Array.isArray(result)) return result;
    this.encoded.set(row, result);
    return undefined;
  }

  /** The row's encoding, from the check when it ran. */
  encode(row: CellValue[], tableName: string): BindValue[] {
    const kept = this.encoded.get(row);
    if (kept !== undefined) return kept;
    const result = encodeRow(this.codecs, this.limits, row);
    if (Array.isArray(result)) return result;
    throw new SingerError(
      'ORACLE_BAD_VALUE',
      `table ${tableName}, column ${result.column}: ${result.message}`,
    );
  }
}

/** Encodes every row; a cell that cannot be sent is reported with its table, column and row. */
export function encodeBatch(
  batch: RowBatch,
  codecs: ColumnCodec[],
  limits: ChunkLimits,
  tableName: string,
): Chunk[] {
  const limitsByColumn = charLimits(codecs);
  const rows = batch.rows.map((cells, r) => {
    const result = encodeRow(codecs, limitsByColumn, cells);
    if (Array.isArray(result)) return result;
    const code = /characters, the column holds/.test(result.message)
      ? 'ORACLE_VALUE_TOO_LONG'
      : 'ORACLE_BAD_VALUE';
    throw new SingerError(
      code,
      `table ${tableName}, column ${result.column}, row ${r + 1} of the batch: ${result.message}`,
    );
  });
  return chunkRows(rows, codecs, limits);
}

/**
 * Cuts encoded rows into chunks under the byte budget, numbering each row (its last slot) in
 * batch order; bindDefs carry each text column's longest value in bytes.
 */
export function chunkRows(rows: BindValue[][], codecs: ColumnCodec[], limits: ChunkLimits): Chunk[] {
  const width = codecs.length;
  const chunks: Chunk[] = [];
  let chunk: BindValue[][] = [];
  let maxSizes = new Array<number>(width).fill(1);
  let bytes = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    const bindDefs: BindDef[] = codecs.map((codec, i) =>
      codec.bind === 'varchar' || codec.bind === 'clob'
        ? { kind: codec.bind, maxSize: maxSizes[i]! }
        : { kind: codec.bind },
    );
    bindDefs.push({ kind: 'number' });
    chunks.push({ rows: chunk, bindDefs, bytes });
    chunk = [];
    maxSizes = new Array<number>(width).fill(1);
    bytes = 0;
  };
  for (let r = 0; r < rows.length; r++) {
    const out = rows[r]!;
    let rowBytes = 22;
    for (let c = 0; c < width; c++) {
      const value = out[c];
      if (typeof value === 'string') {
        const size = Buffer.byteLength(value);
        if (size > maxSizes[c]!) maxSizes[c] = size;
        rowBytes += size + 3;
      } else {
        rowBytes += value === null || value === undefined ? 1 : 22;
      }
    }
    out[width] = r;
    if (chunk.length > 0 && (bytes + rowBytes > limits.maxBytes || chunk.length >= limits.maxRows)) flush();
    chunk.push(out);
    bytes += rowBytes;
  }
  flush();
  return chunks;
}

/** Encoded rows the Oracle row buffer hands to writeBatch (RowBatch.encoded). */
export interface EncodedRows {
  rows: BindValue[][];
}

/**
 * The Oracle dialect's row buffer (Dialect.createRowBuffer): each row's bind values, encoded once
 * (by the row check, or here), so a batch is never encoded twice.
 */
export class OracleRowBuffer implements RowBuffer {
  private rows: (BindValue[] | undefined)[] = [];
  private dropped = 0;

  constructor(
    private readonly encoder: RowEncoder,
    private readonly columns: string[],
    private readonly tableName: string,
  ) {}

  get count(): number {
    return this.rows.length - this.dropped;
  }

  get full(): boolean {
    return false;
  }

  add(row: CellValue[]): number {
    return this.rows.push(this.encoder.encode(row, this.tableName)) - 1;
  }

  drop(handle: number): void {
    if (this.rows[handle] === undefined) return;
    this.rows[handle] = undefined;
    this.dropped++;
  }

  take(fill: BatchFill | undefined): RowBatch {
    const rows = (this.dropped === 0 ? this.rows : this.rows.filter((r) => r !== undefined)) as BindValue[][];
    this.rows = [];
    this.dropped = 0;
    if (fill !== undefined) {
      const value = this.encoder.codecs[fill.index]!.encode(fill.value);
      for (const row of rows) row[fill.index] = value;
    }
    const encoded: EncodedRows = { rows };
    return { columns: this.columns, rows: [], encoded };
  }
}

/** Rows [start, end) of a batch the Oracle row buffer made (Dialect.sliceBatch). */
export function sliceEncoded(batch: RowBatch, start: number, end: number): RowBatch {
  const encoded = batch.encoded as EncodedRows | undefined;
  if (encoded === undefined) return { columns: batch.columns, rows: batch.rows.slice(start, end) };
  const slice: EncodedRows = { rows: encoded.rows.slice(start, end) };
  return { columns: batch.columns, rows: [], encoded: slice };
}
