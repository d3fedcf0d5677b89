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
  private readonly paths: (readonly string[] | undefined)[];
  private readonly metadata: (MetadataField | undefined)[];
  private readonly conversions: number[];
  /** Index of `_sdc_batched_at`, filled when the batch is flushed; -1 when absent. */
  readonly batchedAtIndex: number;
  private readonly compiled: (record: Record<string, unknown>, context: RecordContext) => CellValue[];

  constructor(
    columns: LoadColumn[],
    tableKinds: ColumnKind[],
    private readonly syncStartedAt: number,
  ) {
    this.columns = columns.map((c) => c.name);
    this.keys = columns.map((c) => (c.path.length === 1 ? c.path[0] : undefined));
    this.paths = columns.map((c) => (c.path.length > 1 ? c.path : undefined));
    this.metadata = columns.map((c) => c.metadata);
    this.conversions = tableKinds.map((kind) => CONVERSION[kind]);
    this.batchedAtIndex = columns.findIndex((c) => c.metadata === '_sdc_batched_at');
    this.compiled = this.compile();
  }

  build(record: Record<string, unknown>, context: RecordContext): CellValue[] {
    return this.compiled(record, context);
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
