import { errorMessage, type Metrics, SingerError } from '@wms-singer/singer';
import type { ValidateFunction } from 'ajv';
import type {
  BatchFill,
  CellProblem,
  CellValue,
  Dialect,
  RowBuffer,
  TableSpec,
  WriteMode,
} from './dialects/dialect.js';
import { describeValidationError } from './records/record-validator.js';
import { ArrayRowBuffer } from './records/row-buffer.js';
import { type RecordContext, type RowBuilder, rowKey } from './records/row-builder.js';
import type { StreamLayout } from './schema/stream-layout.js';
import type { LoadMethod } from './settings.js';

/** Everything a sink derives from its stream's SCHEMA and the table it loads. */
export interface SinkShape {
  table: TableSpec;
  layout: StreamLayout;
  builder: RowBuilder;
  /** Undefined when records are not validated. */
  validate: ValidateFunction | undefined;
}

export interface SinkOptions {
  dialect: Dialect;
  metrics: Metrics;
  batchSizeRows: number;
  loadMethod: LoadMethod;
  /** Called after each batch commits, so the target can release the states it covers. */
  onCommitted(): void;
  /** Called once when a batch fails; the target stops reading. */
  onFailure(error: SingerError): void;
}

interface Flight {
  firstLine: number;
  done: boolean;
  promise: Promise<void>;
}

/**
 * One stream's buffer. Records become rows as they arrive (deduplicated by key for merges, the
 * last to arrive winning) and go into a row buffer, the dialect's own when it has one; a flush
 * hands the batch to the dialect and returns once the write is under way, so parsing continues
 * while the database works. A sink keeps at most one batch in flight: its batches commit in
 * arrival order whatever the dialect's concurrency.
 */
export class Sink {
  shape: SinkShape;
  private buffer!: RowBuffer;
  /** Key of each buffered row -> its handle in the buffer (merges only). */
  private readonly handles = new Map<unknown, number>();
  private keyIndexes: number[] = [];
  /** The dialect's check of each row (values its database would refuse or round); undefined when none. */
  private check: ((row: CellValue[]) => CellProblem | undefined) | undefined;
  private properties = new Map<string, string>();
  private dedupe = false;
  private firstLine = Number.POSITIVE_INFINITY;
  private lastLine = 0;
  /** When the oldest buffered row arrived (ms). */
  firstAt = 0;
  private flight: Flight | undefined;
  private submitted = 0;

  constructor(
    readonly stream: string,
    shape: SinkShape,
    private readonly options: SinkOptions,
  ) {
    this.shape = shape;
    this.reshape(shape);
  }

  /** Takes a new shape after a schema change; the caller has flushed and settled the sink. */
  reshape(shape: SinkShape): void {
    this.shape = shape;
    const columns = shape.builder.columns;
    const { dialect } = this.options;
    this.buffer = dialect.createRowBuffer?.(shape.table, columns) ?? new ArrayRowBuffer(columns);
    this.check = dialect.rowCheck?.(shape.table, columns);
    this.properties = new Map(shape.layout.columns.map((c) => [c.name, c.property]));
    this.keyIndexes = shape.layout.keyColumns.map((key) => columns.indexOf(key));
    this.dedupe = this.keyIndexes.length > 0 && this.options.loadMethod !== 'append-only';
  }

  get buffered(): number {
    return this.buffer.count;
  }

  get full(): boolean {
    return this.buffer.count >= this.options.batchSizeRows || this.buffer.full;
  }

  /** Buffers one record; returns why it was rejected, or undefined when it was taken. */
  add(
    record: Record<string, unknown>,
    lineNumber: number,
    context: RecordContext,
    now: number,
  ): string | undefined {
    const { validate, layout } = this.shape;
    if (validate !== undefined && !validate(record)) return describeValidationError(validate.errors);
    for (const key of layout.keyProperties) {
      const value = record[key];
      if (value === undefined || value === null) return `key property "${key}" is missing`;
    }
    const exactProblem = this.shape.builder.exactProblem(record);
    if (exactProblem !== undefined) return exactProblem;
    const row = this.shape.builder.build(record, context);
    if (this.check !== undefined) {
      const problem = this.check(row);
      if (problem !== undefined) {
        return `field "${this.properties.get(problem.column) ?? problem.column}": ${problem.message}`;
      }
    }
    const buffer = this.buffer;
    if (buffer.count === 0) {
      this.firstLine = lineNumber;
      this.firstAt = now;
    }
    this.lastLine = lineNumber;
    if (this.dedupe) {
      const key = rowKey(row, this.keyIndexes);
      const earlier = this.handles.get(key);
      if (earlier !== undefined) buffer.drop(earlier);
      this.handles.set(key, buffer.add(row));
    } else {
      buffer.add(row);
    }
    return undefined;
  }

  /** Line of the oldest record not yet committed (in flight or buffered); Infinity when none. */
  pendingFrom(): number {
    const flight = this.flight;
    if (flight !== undefined && !flight.done) return flight.firstLine;
    // Set by the first buffered row and cleared only once its batch is handed to the dialect:
    // a batch taken but still waiting for the previous one to settle stays pending.
    return this.firstLine;
  }

  /** Starts writing the buffered rows (after the previous batch committed); does not wait for the commit. */
  async flush(): Promise<void> {
    const count = this.buffer.count; // the callbacks below keep the count, not the rows, alive
    if (count === 0) return;
    const { builder, table } = this.shape;
    const { dialect } = this.options;
    const fill: BatchFill | undefined =
      builder.batchedAtIndex >= 0
        ? { index: builder.batchedAtIndex, value: new Date().toISOString() }
        : undefined;
    // Taken before the previous batch settles; its lines stay pending (firstLine) until the write
    // below is under way, and nothing is added meanwhile because the target runs every step
    // through Target.exclusive.
    const batch = this.buffer.take(fill);
    this.handles.clear();
    await this.settle();
    const firstLine = this.firstLine;
    const lastLine = this.lastLine;
    this.firstLine = Number.POSITIVE_INFINITY;

    const mode = this.nextMode();
    this.submitted++;
    const flight: Flight = { firstLine, done: false, promise: Promise.resolve() };
    flight.promise = dialect.writeBatch(table, batch, mode).then(
      () => {
        flight.done = true;
        if (this.flight === flight) this.flight = undefined;
        this.options.metrics.count('record_count', { stream: this.stream }, count);
        this.options.onCommitted();
      },
      (error: unknown) => {
        // The dialect says what failed; the sink adds which stream and which input lines.
        const detail =
          error instanceof SingerError
            ? error.message
            : `writing ${count} rows to table "${table.name}" failed: ${errorMessage(error)}`;
        const failure = new SingerError(
          error instanceof SingerError ? error.code : 'WRITE_FAILED',
          `stream "${this.stream}", lines ${firstLine}-${lastLine}: ${detail}`,
          { cause: error },
        );
        this.options.onFailure(failure);
        throw failure;
      },
    );
    flight.promise.catch(() => undefined); // reported through onFailure and settle()
    this.flight = flight;
  }

  /** Resolves once the batch in flight (if any) committed; rejects if it failed. */
  async settle(): Promise<void> {
    const flight = this.flight;
    if (flight !== undefined) await flight.promise;
  }

  private nextMode(): WriteMode {
    const keyed = this.shape.layout.keyColumns.length > 0;
    switch (this.options.loadMethod) {
      case 'append-only':
        return 'append';
      case 'overwrite':
        if (this.submitted === 0) return 'replace';
        return keyed ? 'upsert' : 'append';
      default:
        return keyed ? 'upsert' : 'append';
    }
  }
}
