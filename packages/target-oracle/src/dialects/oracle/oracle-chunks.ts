/**
 * Turns a RowBatch into bind rows once (a replay after a lost connection reuses them), cut into
 * chunks below a byte budget: one executeMany or directPathLoad call per chunk, each far below
 * node-oracledb's 1 GiB direct path message limit.
 */
import { SingerError } from '@wms-singer/singer';
import type { CellProblem, CellValue, RowBatch } from '../dialect.js';
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
 * The dialect's row check (Dialect.rowCheck): every cell encoded as it would be sent, so a value
 * Oracle would refuse or round is named with its column when the record arrives, and the engine
 * applies invalid_record_policy to it alone.
 */
export function rowChecker(codecs: ColumnCodec[]): (row: CellValue[]) => CellProblem | undefined {
  const limits = charLimits(codecs);
  return (row) => {
    for (let c = 0; c < codecs.length; c++) {
      const codec = codecs[c]!;
      let value: BindValue;
      try {
        value = codec.encode(row[c] ?? null);
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        return { column: error.column, message: error.message };
      }
      if (typeof value === 'string' && value.length > limits[c]! && characters(value) > limits[c]!) {
        return {
          column: codec.column.name,
          message: `${characters(value)} characters, the column holds ${limits[c]}`,
        };
      }
    }
    return undefined;
  };
}

/** Encodes every row; a cell that cannot be sent is reported with its table, column and row. */
export function encodeBatch(
  batch: RowBatch,
  codecs: ColumnCodec[],
  limits: ChunkLimits,
  tableName: string,
): Chunk[] {
  const width = codecs.length;
  // VARCHAR2(n CHAR) limits, checked here so an overlong value is one clear line, not ORA-12899.
  const limitsByColumn = charLimits(codecs);
  const chunks: Chunk[] = [];
  let rows: BindValue[][] = [];
  let maxSizes = new Array<number>(width).fill(1);
  let bytes = 0;
  const flush = (): void => {
    if (rows.length === 0) return;
    const bindDefs: BindDef[] = codecs.map((codec, i) =>
      codec.bind === 'varchar' || codec.bind === 'clob'
        ? { kind: codec.bind, maxSize: maxSizes[i]! }
        : { kind: codec.bind },
    );
    bindDefs.push({ kind: 'number' });
    chunks.push({ rows, bindDefs, bytes });
    rows = [];
    maxSizes = new Array<number>(width).fill(1);
    bytes = 0;
  };
  for (let r = 0; r < batch.rows.length; r++) {
    const cells = batch.rows[r]!;
    const out = new Array<BindValue>(width + 1);
    let rowBytes = 22;
    for (let c = 0; c < width; c++) {
      let value: BindValue;
      try {
        value = codecs[c]!.encode(cells[c] ?? null);
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        throw new SingerError(
          'ORACLE_BAD_VALUE',
          `table ${tableName}, column ${error.column}, row ${r + 1} of the batch: ${error.message}`,
        );
      }
      if (typeof value === 'string') {
        const size = Buffer.byteLength(value);
        if (size > maxSizes[c]!) maxSizes[c] = size;
        if (value.length > limitsByColumn[c]! && characters(value) > limitsByColumn[c]!) {
          throw new SingerError(
            'ORACLE_VALUE_TOO_LONG',
            `table ${tableName}, column ${codecs[c]!.column.name}, row ${r + 1} of the batch: ${characters(value)} characters, the column holds ${limitsByColumn[c]}`,
          );
        }
        rowBytes += size + 3;
      } else {
        rowBytes += value === null ? 1 : 22;
      }
      out[c] = value;
    }
    out[width] = r;
    if (rows.length > 0 && (bytes + rowBytes > limits.maxBytes || rows.length >= limits.maxRows)) flush();
    rows.push(out);
    bytes += rowBytes;
  }
  flush();
  return chunks;
}
