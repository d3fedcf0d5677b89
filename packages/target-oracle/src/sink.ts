import { errorMessage, type Logger, type Metrics, SingerError } from '@wms-singer/singer';
import type { ValidateFunction } from 'ajv';
import { IsolationStopped, isolateRefusedRows, MAX_REFUSED_ROWS } from './batch-isolation.js';
import type {
  BatchFill,
  CellProblem,
  CellValue,
  Dialect,
  RowBatch,
  RowBuffer,
  TableSpec,
  WriteMode,
} from './dialects/dialect.js';
import type { RecordScanner } from './records/record-scanner.js';
import { describeValidationError } from './records/record-validator.js';
import { ArrayRowBuffer } from './records/row-buffer.js';
import { type RecordContext, type RowBuilder, rowKey } from './records/row-builder.js';
import type { StreamLayout } from './schema/stream-layout.js';
import type { InvalidRecordPolicy, LoadMethod } from './settings.js';

/** Everything a sink derives from its stream's SCHEMA and the table it loads. */
export interface SinkShape {
  table: TableSpec;
  layout: StreamLayout;
  builder: RowBuilder;
  /** Undefined when records are not validated. */
  validate: ValidateFunction | undefined;
  /** Reads the stream's RECORD lines straight into rows; undefined when it cannot (RecordScanner.compile). */
  scanner?: RecordScanner | undefined;
}

export interface SinkOptions {
  dialect: Dialect;
  metrics: Metrics;
  logger?: Logger;
  batchSizeRows: number;
  loadMethod: LoadMethod;
  /** Called after each batch commits, so the target can release the states it covers. */
  onCommitted(): void;
  /** Called once when a batch fails; the target stops reading. */
  onFailure(error: SingerError): void;
  /**
   * invalid_record_policy for a row the database refuses for a value the row check did not foresee
   * (Dialect.valueError); undefined: a refused batch fails whole (the rejects table's sink).
   */
  policy?: InvalidRecordPolicy;
  /** A row refused alone under skip or dead_letter (its batch committed without it); the target applies the policy. */
  onRefused?(stream: string, line: number, reason: string, record: Record<string, unknown> | undefined): void;
}

/** A buffered row's record, or how to get it again (a scanned row's line, parsed on demand). */
type RecordSource = Record<string, unknown> | (() => Record<string, unknown>);

function recordOf(source: RecordSource | undefined): Record<string, unknown> | undefined {
  return typeof source === 'function' ? source() : source;
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
  /** Input line of each buffered row by handle (-1: dropped), when refused rows can be isolated. */
  private lines: number[] | undefined;
  /** Each buffered record by handle, kept for dead letters (invalid_record_policy dead_letter). */
  private records: (RecordSource | undefined)[] | undefined;

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
    const isolating = this.options.policy !== undefined && dialect.valueError !== undefined;
    this.lines = isolating ? [] : undefined;
    this.records = isolating && this.options.policy === 'dead_letter' ? [] : undefined;
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
    return this.take(this.shape.builder.build(record, context), lineNumber, now, record);
  }

  /**
   * Buffers the row RecordScanner read from a record's text (valid, key present, exact: the
   * scanner took only such lines); `record` parses the line again, only for a dead letter;
   * `plain`: the line had no escape, so no cell holds a control character.
   * Returns why the row was rejected (the dialect's row check), or undefined when it was taken.
   */
  addScanned(
    row: CellValue[],
    lineNumber: number,
    context: RecordContext,
    now: number,
    record: () => Record<string, unknown>,
    plain: boolean,
  ): string | undefined {
    this.shape.builder.fillMetadata(row, context);
    return this.take(row, lineNumber, now, record, plain);
  }

  private take(
    row: CellValue[],
    lineNumber: number,
    now: number,
    record: RecordSource,
    plain = false,
  ): string | undefined {
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
    let handle: number;
    if (this.dedupe) {
      const key = rowKey(row, this.keyIndexes);
      const earlier = this.handles.get(key);
      if (earlier !== undefined) {
        buffer.drop(earlier);
        if (this.lines !== undefined) this.lines[earlier] = -1;
      }
      handle = buffer.add(row, plain);
      this.handles.set(key, handle);
    } else {
      handle = buffer.add(row, plain);
    }
    if (this.lines !== undefined) {
      this.lines[handle] = lineNumber;
      if (this.records !== undefined) this.records[handle] = record;
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
    const rowLines = this.lines;
    const rowRecords = this.records;
    if (rowLines !== undefined) this.lines = [];
    if (rowRecords !== undefined) this.records = [];
    await this.settle();
    const firstLine = this.firstLine;
    const lastLine = this.lastLine;
    this.firstLine = Number.POSITIVE_INFINITY;

    const mode = this.nextMode();
    this.submitted++;
    const flight: Flight = { firstLine, done: false, promise: Promise.resolve() };
    const written = dialect.writeBatch(table, batch, mode).then(() => count);
    const settled =
      rowLines === undefined
        ? written
        : written.catch((error: unknown) => this.isolate(error, batch, mode, count, rowLines, rowRecords));
    flight.promise = settled.then(
      (committed) => {
        flight.done = true;
        if (this.flight === flight) this.flight = undefined;
        this.options.metrics.count('record_count', { stream: this.stream }, committed);
        this.options.onCommitted();
      },
      (error: unknown) => {
        if (error instanceof SingerError && error.code === 'RECORD_INVALID') {
          this.options.onFailure(error); // one refused row, already located
          throw error;
        }
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

  /**
   * A batch refused for a value: writes it again in halves to find the rows refused alone (see
   * batch-isolation.ts) and applies invalid_record_policy to them; returns how many rows committed.
   * An error not about a value, or too many refused rows, fails the batch as a whole.
   */
  private async isolate(
    error: unknown,
    batch: RowBatch,
    mode: WriteMode,
    count: number,
    lines: number[],
    records: (RecordSource | undefined)[] | undefined,
  ): Promise<number> {
    const { dialect, policy } = this.options;
    const valueError = dialect.valueError?.bind(dialect);
    if (valueError === undefined || valueError(error) === undefined) throw error;
    const slice =
      dialect.sliceBatch?.bind(dialect) ??
      (batch.encoded === undefined
        ? (b: RowBatch, start: number, end: number): RowBatch => ({
            columns: b.columns,
            rows: b.rows.slice(start, end),
          })
        : undefined);
    if (slice === undefined) throw error;
    // Positions in the batch -> input lines (a row replaced by a later one with its key was dropped).
    const kept: number[] = [];
    const keptRecords: (RecordSource | undefined)[] = [];
    lines.forEach((line, handle) => {
      if (line < 0) return;
      kept.push(line);
      keptRecords.push(records?.[handle]);
    });
    const { table } = this.shape;
    const keyed = this.shape.layout.keyColumns.length > 0;
    this.options.logger?.warn(
      { stream: this.stream, table: table.name, rows: count },
      'batch refused for a value: writing it again in halves to find the row',
    );
    let refused: Awaited<ReturnType<typeof isolateRefusedRows>>;
    try {
      refused = await isolateRefusedRows(count, error, {
        write: (start, end, m) => dialect.writeBatch(table, slice(batch, start, end), m),
        mode,
        later: mode === 'replace' ? (keyed ? 'upsert' : 'append') : mode,
        valueError,
        stopAtFirst: policy === 'fail',
      });
    } catch (stopped) {
      if (!(stopped instanceof IsolationStopped)) throw stopped;
      if (policy !== 'fail') {
        this.options.logger?.warn(
          { stream: this.stream, table: table.name },
          `more than ${MAX_REFUSED_ROWS} rows of the batch refused: not isolated further`,
        );
        throw error;
      }
      const row = stopped.refused[0]!;
      throw new SingerError(
        'RECORD_INVALID',
        `stream "${this.stream}", line ${kept[row.index]}: ${this.refusal(row.error, row.column)}`,
        { cause: row.error },
      );
    }
    for (const row of refused) {
      this.options.onRefused?.(
        this.stream,
        kept[row.index]!,
        this.refusal(row.error, row.column),
        recordOf(keptRecords[row.index]),
      );
    }
    return count - refused.length;
  }

  /** `field "f": <the dialect's one line>`: why the database refused a row alone. */
  private refusal(error: unknown, column: string | undefined): string {
    const detail = error instanceof SingerError ? error.message : errorMessage(error);
    if (column === undefined) return detail;
    const name = column.toLowerCase();
    const property = this.properties.get(name) ?? this.properties.get(column);
    return property === undefined ? detail : `field "${property}": ${detail}`;
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
