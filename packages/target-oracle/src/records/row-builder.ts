import { exactText, HAS_EXACT_NUMBERS, stringifyExactly } from '@wms-singer/singer';
import type { CellValue, ColumnKind } from '../dialects/dialect.js';
import type { LoadColumn, MetadataField } from '../schema/stream-layout.js';

/** Per-record facts the metadata columns need, set once per input chunk where possible. */
export interface RecordContext {
  timeExtracted: string | undefined;
  version: number | undefined;
  receivedAt: string;
  sequence: number;
}

// Small integers so the per-cell switch compiles to a jump table.
const TEXT = 0;
const NUMERIC = 1;
const DECIMAL = 2;
const BOOLEAN = 3;
const JSON_TEXT = 4;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** The JavaScript type a conversion passes through untouched. */
const FAST_TYPE = ['string', 'number', 'string', 'boolean', 'string'];

const CONVERSION: Record<ColumnKind, number> = {
  string: TEXT,
  datetime: TEXT,
  date: TEXT,
  time: TEXT,
  integer: NUMERIC,
  number: NUMERIC,
  decimal: DECIMAL,
  boolean: BOOLEAN,
  json: JSON_TEXT,
};

/**
 * Turns records into rows in a fixed column order. Each cell is converted for the kind of the
 * table's column (which may be wider than the schema's): decimals stay exact text, nested values
 * become JSON text, datetimes stay the ISO text the tap sent. Allocation per record: the row.
 */
export class RowBuilder {
  readonly columns: string[];
  private readonly keys: (string | undefined)[];
  private readonly properties: string[];
  private readonly paths: (readonly string[] | undefined)[];
  private readonly metadata: (MetadataField | undefined)[];
  private readonly conversions: number[];
  private readonly kinds: ColumnKind[];
  /** Index of `_sdc_batched_at`, filled when the batch is flushed; -1 when absent. */
  readonly batchedAtIndex: number;
  /** Metadata columns filled from the record's context (not from the record). */
  private readonly contextColumns: number[];
  private readonly compiled: (record: Record<string, unknown>, context: RecordContext) => CellValue[];

  constructor(
    columns: LoadColumn[],
    tableKinds: ColumnKind[],
    private readonly syncStartedAt: number,
  ) {
    this.columns = columns.map((c) => c.name);
    this.keys = columns.map((c) => (c.path.length === 1 ? c.path[0] : undefined));
    this.properties = columns.map((c) => c.property);
    this.paths = columns.map((c) => (c.path.length > 1 ? c.path : undefined));
    this.metadata = columns.map((c) => c.metadata);
    this.conversions = tableKinds.map((kind) => CONVERSION[kind]);
    this.kinds = tableKinds;
    this.batchedAtIndex = columns.findIndex((c) => c.metadata === '_sdc_batched_at');
    this.contextColumns = [];
    for (const [i, column] of columns.entries()) {
      if (column.metadata !== undefined && column.metadata !== '_sdc_deleted_at') this.contextColumns.push(i);
    }
    this.compiled = this.compile();
  }

  /** Each column's conversion (for RecordScanner, which converts with `cellOf`). */
  get conversionsByColumn(): readonly number[] {
    return this.conversions;
  }

  /**
   * Fills the metadata cells of a row RecordScanner read from a record's text (every metadata
   * column but `_sdc_deleted_at`, which the scanner reads from the record), as `build` would.
   */
  fillMetadata(row: CellValue[], context: RecordContext): void {
    for (const i of this.contextColumns) {
      row[i] = cellOf(this.metadataValue(this.metadata[i]!, EMPTY_RECORD, context), this.conversions[i]!);
    }
  }

  build(record: Record<string, unknown>, context: RecordContext): CellValue[] {
    const row = this.compiled(record, context);
    // Set only on records whose line held a number JSON.parse rounded (singer kit, exact-numbers.ts).
    if ((record as Record<symbol, unknown>)[HAS_EXACT_NUMBERS] !== undefined) this.exact(record, row);
    return row;
  }

  /**
   * Why a record cannot be stored without rounding one of its numbers, or undefined. Nothing is
   * ever rounded: a number beyond a double's range, an integer outside 64 bits for an integer
   * column, or an integer beyond 2^53 for a floating-point column is refused (the engine applies
   * invalid_record_policy to the record).
   */
  exactProblem(record: Record<string, unknown>): string | undefined {
    const flag = (record as Record<symbol, unknown>)[HAS_EXACT_NUMBERS];
    if (flag === undefined) return undefined;
    if (typeof flag === 'string') return `field "${flag}": not a finite number`;
    for (let i = 0; i < this.columns.length; i++) {
      const { holder, key } = this.holderOf(record, i);
      if (key === undefined) continue;
      const text = exactText(holder, key);
      if (text === undefined || !/^-?\d+$/.test(text)) continue;
      const kind = this.kinds[i];
      if (kind === 'integer' && (BigInt(text) > INT64_MAX || BigInt(text) < INT64_MIN)) {
        return `field "${this.properties[i]}": ${text} is outside the 64-bit range of an integer column`;
      }
      if (kind === 'number') {
        return `field "${this.properties[i]}": ${text} is beyond 2^53 and a floating-point column would round it`;
      }
    }
    return undefined;
  }

  /** Replaces the cells JSON.parse rounded by their exact text. */
  private exact(record: Record<string, unknown>, row: CellValue[]): void {
    for (let i = 0; i < row.length; i++) {
      const conversion = this.conversions[i];
      const { holder, key } = this.holderOf(record, i);
      if (key === undefined || holder === null || typeof holder !== 'object') continue;
      const value = (holder as Record<string, unknown>)[key];
      if (conversion === JSON_TEXT) {
        if (value !== null && typeof value === 'object') row[i] = stringifyExactly(value);
        else if (exactText(holder, key) !== undefined) row[i] = exactText(holder, key)!;
        continue;
      }
      const text = exactText(holder, key);
      if (text === undefined || this.kinds[i] === 'number') continue;
      if (this.kinds[i] === 'integer' && !/^-?\d+$/.test(text)) continue;
      row[i] = text;
    }
  }

  private holderOf(record: Record<string, unknown>, i: number): { holder: unknown; key: string | undefined } {
    const key = this.keys[i];
    if (key !== undefined) return { holder: record, key };
    const path = this.paths[i];
    if (path === undefined) return { holder: undefined, key: undefined };
    return { holder: valueAt(record, path.slice(0, -1)), key: path[path.length - 1] };
  }

  /**
   * The per-record function, generated once per shape: one property read per column with the
   * name as a constant, so each read site stays monomorphic (a loop reading `record[key]` with
   * ever-changing keys is megamorphic and several times slower on 65-field records). Names enter
   * the source only through JSON.stringify, so they are string literals, never code.
   */
  private compile(): (record: Record<string, unknown>, context: RecordContext) => CellValue[] {
    const cells = this.conversions.map((conversion, i) => {
      const key = this.keys[i];
      const path = this.paths[i];
      const read =
        key !== undefined
          ? `record[${JSON.stringify(key)}]`
          : path !== undefined
            ? `valueAt(record, paths[${i}])`
            : `metadata(${JSON.stringify(this.metadata[i])}, record, context)`;
      const fast =
        conversion === JSON_TEXT
          ? 'JSON.stringify(v)'
          : `typeof v === ${JSON.stringify(FAST_TYPE[conversion])} ? v : toCell(v, ${conversion})`;
      return `((v = ${read}) === undefined || v === null ? null : ${fast})`;
    });
    const factory = new Function(
      'valueAt',
      'paths',
      'metadata',
      'toCell',
      `return function buildRow(record, context) { let v; return [${cells.join(', ')}]; };`,
    ) as (
      valueAt: (record: Record<string, unknown>, path: readonly string[]) => unknown,
      paths: (readonly string[] | undefined)[],
      metadata: (field: MetadataField, record: Record<string, unknown>, context: RecordContext) => unknown,
      convert: (value: unknown, conversion: number) => CellValue,
    ) => (record: Record<string, unknown>, context: RecordContext) => CellValue[];
    return factory(
      valueAt,
      this.paths,
      (field, record, context) => this.metadataValue(field, record, context),
      toCell,
    );
  }

  private metadataValue(
    field: MetadataField,
    record: Record<string, unknown>,
    context: RecordContext,
  ): unknown {
    switch (field) {
      case '_sdc_extracted_at':
        return context.timeExtracted;
      case '_sdc_received_at':
        return context.receivedAt;
      case '_sdc_batched_at':
        return null;
      case '_sdc_deleted_at':
        return record._sdc_deleted_at;
      case '_sdc_sequence':
        return context.sequence;
      case '_sdc_table_version':
        return context.version;
      case '_sdc_sync_started_at':
        return this.syncStartedAt;
    }
  }
}

function valueAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const EMPTY_RECORD: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * A value as the cell of a column with this conversion: what the generated `buildRow` computes
 * inline for each cell (see `compile`), for callers that convert one value at a time.
 */
export function cellOf(value: unknown, conversion: number): CellValue {
  if (value === undefined || value === null) return null;
  if (conversion === JSON_TEXT) return JSON.stringify(value);
  return typeof value === FAST_TYPE[conversion] ? (value as CellValue) : toCell(value, conversion);
}

function toCell(value: unknown, conversion: number): CellValue {
  if (conversion === JSON_TEXT) return JSON.stringify(value);
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return conversion === TEXT || conversion === DECIMAL ? String(value) : value;
    case 'boolean':
      if (conversion === BOOLEAN) return value;
      if (conversion === NUMERIC) return value ? 1 : 0;
      return value ? 'true' : 'false';
    default:
      // an object in a scalar column (only possible with validation off): keep it as JSON text
      return JSON.stringify(value);
  }
}

/** The key of a row for in-batch dedupe: the cell itself for one key column, else a joined text. */
export function rowKey(row: CellValue[], keyIndexes: number[]): unknown {
  if (keyIndexes.length === 1) return row[keyIndexes[0]!];
  let key = '';
  for (const index of keyIndexes) key += `${typeof row[index]}:${String(row[index])}\u0000`;
  return key;
}
