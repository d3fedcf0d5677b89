import type { Readable } from 'node:stream';
import {
  type ActivateVersionMessage,
  type Logger,
  type MessageBatch,
  type Metrics,
  type RecordMessage,
  readMessageBatches,
  type SchemaMessage,
  SingerError,
  type SingerWriter,
  StreamMaps,
} from '@wms-singer/singer';
import type { Dialect, TableRef } from './dialects/dialect.js';
import { RecordLines, reparse, type ScannedRecord } from './records/record-lines.js';
import { RecordScanner } from './records/record-scanner.js';
import { RecordValidators } from './records/record-validator.js';
import type { RecordContext } from './records/row-builder.js';
import { REJECT_SCHEMA, REJECTS_STREAM, RecordRejects } from './rejects.js';
import { normaliseName } from './schema/names.js';
import { ALL_METADATA, layoutStream, VERSION_FIELDS } from './schema/stream-layout.js';
import type { TargetConfig } from './settings.js';
import { Sink } from './sink.js';
import { StateLedger } from './state-ledger.js';
import { StreamRoutes } from './stream-routes.js';
import { StreamTables } from './stream-tables.js';

export interface TargetContext {
  logger: Logger;
  metrics: Metrics;
  output: SingerWriter;
  signal: AbortSignal;
}

/** A stream the target has seen a SCHEMA for. */
interface StreamEntry {
  sink: Sink;
  schema: SchemaMessage;
  fingerprint: string;
  /** Rows carry `_sdc_table_version` (a versioned record or an ACTIVATE_VERSION was seen). */
  versioned: boolean;
  table: TableRef;
}

/**
 * Routes messages to one sink per stream and keeps the state discipline: a STATE is printed
 * only once every record that arrived before it is committed, and the latest state is printed
 * at the end. The database is reached only through the dialect.
 */
export class Target {
  private readonly streams = new Map<string, StreamEntry>();
  private readonly rejects: RecordRejects;
  private readonly states = new StateLedger();
  private readonly validators = new RecordValidators();
  private readonly syncStartedAt = Date.now();
  private readonly context: RecordContext = {
    timeExtracted: undefined,
    version: undefined,
    receivedAt: '',
    sequence: 0,
  };
  private lock: Promise<unknown> = Promise.resolve();
  private failure: SingerError | undefined;
  private input: Readable | undefined;
  /** `stream_maps`; undefined without them, and then records go to their sinks as they came. */
  private readonly routes: StreamRoutes | undefined;
  /** RECORD lines read straight into rows, for the reader (records/record-lines.ts). */
  private readonly recordLines = new RecordLines((stream) => this.streams.get(stream)?.sink.shape.scanner);
  /** Each stream's table: its name, and its creation or evolution before a sink loads it. */
  private readonly streamTables: StreamTables;

  constructor(
    private readonly config: TargetConfig,
    private readonly dialect: Dialect,
    private readonly run: TargetContext,
  ) {
    this.rejects = new RecordRejects(config.invalid_record_policy, run.logger, run.metrics, (line) =>
      this.openRejectSink(line),
    );
    const maps = StreamMaps.fromConfig({
      stream_maps: config.stream_maps,
      stream_map_config: config.stream_map_config,
    });
    this.routes = maps === undefined ? undefined : new StreamRoutes(maps);
    this.streamTables = new StreamTables(config, dialect, run.logger, this.syncStartedAt);
  }

  async load(input: Readable): Promise<void> {
    this.input = input;
    const { signal, logger } = this.run;
    await this.dialect.open();
    const stop = (): void => {
      input.destroy();
    };
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop(); // a signal while the database was opening
    const tickMs = Math.min(1000, this.config.batch_max_age_seconds * 1000);
    const ageTimer =
      this.config.batch_max_age_seconds > 0
        ? setInterval(() => {
            this.exclusive(() => this.flushAged()).catch((error: unknown) => this.fail(error));
          }, tickMs)
        : undefined;
    ageTimer?.unref();
    try {
      let readError: unknown;
      try {
        // Records are read straight from their text where the stream's scanner can (not through
        // stream maps, which change records before they reach a sink).
        const scan =
          this.routes === undefined
            ? (text: string, start: number, end: number) => this.recordLines.scan(text, start, end)
            : undefined;
        for await (const batch of readMessageBatches<ScannedRecord>(input, { scan })) {
          await this.exclusive(() => this.process(batch));
          if (this.failure !== undefined || signal.aborted) break;
        }
      } catch (error) {
        readError = error;
      }
      clearInterval(ageTimer);
      await this.lock.catch(() => undefined);
      if (this.failure !== undefined) {
        await this.settleAll().catch(() => undefined);
        this.releaseStates();
        throw this.failure;
      }
      if (readError !== undefined && !signal.aborted) {
        // Bad input: what came before it is valid, so commit it and print the state covering it.
        try {
          await this.finish();
        } catch (secondary) {
          logger.error({ err: String(secondary) }, 'could not commit the records before the bad input');
        }
        throw readError;
      }
      await this.finish();
      if (signal.aborted)
        logger.warn('stopped by a signal: buffered records committed, covering state printed');
    } finally {
      clearInterval(ageTimer);
      signal.removeEventListener('abort', stop);
      await this.dialect.close();
    }
  }

  /** Runs engine steps one at a time: input chunks and the batch age timer never interleave. */
  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const next = this.lock.then(step);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure =
      error instanceof SingerError
        ? error
        : new SingerError('TARGET_FAILED', error instanceof Error ? error.message : String(error));
    this.input?.destroy();
  }

  private async process(batch: MessageBatch<ScannedRecord>): Promise<void> {
    await this.rejects.applyDeferred(this.context);
    const { messages, lineNumbers } = batch;
    const now = Date.now();
    const context = this.context;
    if (this.config.add_record_metadata) context.receivedAt = new Date(now).toISOString();
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const line = lineNumbers[i]!;
      switch (message.type) {
        case 'SCANNED': {
          const entry = this.streams.get(message.stream);
          const version = message.version;
          if (
            entry === undefined ||
            entry.sink.shape.scanner !== message.scanner ||
            (version !== undefined && !entry.versioned)
          ) {
            // The stream's shape changed since the line was read, or is about to: the parse path.
            await this.record(reparse(message, line), line, now);
            break;
          }
          this.setContext(message.timeExtracted, version, line);
          const record = (): Record<string, unknown> => reparse(message, line).record;
          const rejected = entry.sink.addScanned(message.cells, line, context, now, record, message.plain);
          await this.afterAdd(entry.sink, message.stream, line, rejected, record, now);
          break;
        }
        case 'RECORD':
          await this.record(message, line, now);
          break;
        case 'SCHEMA': {
          const schema = this.routes === undefined ? message : this.routes.schema(message);
          if (schema !== undefined) await this.shapeStream(schema, line, this.streams.get(schema.stream));
          break;
        }
        case 'STATE':
          this.states.push(line, message.value);
          break;
        case 'ACTIVATE_VERSION': {
          const activate = this.routes === undefined ? message : this.routes.activateVersion(message);
          if (activate !== undefined) await this.activateVersion(activate, line);
          break;
        }
      }
    }
    this.recordLines.resume();
    this.releaseStates();
  }

  private async record(message: RecordMessage, line: number, now: number): Promise<void> {
    let stream = message.stream;
    let record = message.record;
    if (this.routes !== undefined) {
      const routed = this.routes.record(message, line);
      if (routed === undefined) return;
      stream = routed.stream;
      record = routed.record;
    }
    const entry = this.streams.get(stream);
    if (entry === undefined) {
      throw new SingerError(
        'RECORD_BEFORE_SCHEMA',
        `stream "${stream}", line ${line}: RECORD before any SCHEMA for this stream`,
      );
    }
    const version = message.version ?? undefined;
    if (version !== undefined && !entry.versioned) {
      entry.versioned = true;
      await this.shapeStream(entry.schema, line, entry, true);
    }
    this.setContext(message.time_extracted ?? undefined, version, line);
    const rejected = entry.sink.add(record, line, this.context, now);
    await this.afterAdd(entry.sink, stream, line, rejected, () => record, now);
  }

  /** The record's own facts in the context its metadata cells are filled from. */
  private setContext(timeExtracted: string | undefined, version: number | undefined, line: number): void {
    const context = this.context;
    context.timeExtracted = timeExtracted;
    context.version = version;
    context.sequence = this.syncStartedAt * 1000 + line;
  }

  /** After a record was offered to its sink: the policy for a rejected one, or a flush when full. */
  private async afterAdd(
    sink: Sink,
    stream: string,
    line: number,
    rejected: string | undefined,
    record: () => Record<string, unknown>,
    now: number,
  ): Promise<void> {
    if (rejected !== undefined)
      await this.rejects.reject(stream, line, rejected, record(), this.context, now);
    else if (sink.full) await sink.flush();
  }

  /**
   * Creates or evolves the stream's table for a SCHEMA (or for the version columns), after the
   * sink's buffered rows are committed under the old shape.
   */
  private async shapeStream(
    message: SchemaMessage,
    line: number,
    entry: StreamEntry | undefined,
    force = false,
  ): Promise<void> {
    const fingerprint = JSON.stringify([message.schema, message.key_properties, message.bookmark_properties]);
    const versioned = entry?.versioned ?? false;
    if (!force && entry !== undefined && entry.fingerprint === fingerprint) return; // a resent SCHEMA
    const where = `stream "${message.stream}", line ${line}`;
    const before = entry?.schema.key_properties ?? [];
    const after = message.key_properties ?? [];
    if (entry !== undefined && this.config.load_method !== 'append-only' && before.join() !== after.join()) {
      throw new SingerError(
        'KEY_CHANGED',
        `${where}: key_properties changed mid-stream from [${before.join(', ')}] to [${after.join(', ')}]; a table's key is not changed in place: send one key per stream, or load the new key into a new table (another table_prefix), or use load_method append-only`,
      );
    }
    const metadata = this.config.add_record_metadata ? ALL_METADATA : versioned ? VERSION_FIELDS : [];
    const layout = layoutStream(
      message.stream,
      line,
      message.schema,
      message.key_properties,
      message.bookmark_properties ?? [],
      {
        maxIdentifierLength: this.dialect.maxIdentifierLength,
        flatteningMaxDepth: this.config.flattening_enabled ? this.config.flattening_max_depth : 0,
        metadata,
      },
    );
    const table = entry?.table ?? this.streamTables.claim(message.stream, where);
    if (entry !== undefined) {
      await entry.sink.flush();
      await entry.sink.settle();
    }
    const validate = this.config.validate_records ? this.validators.validatorFor(message.schema) : undefined;
    const shape = await this.streamTables.prepare(table, layout, validate, where);
    if (this.routes === undefined) {
      shape.scanner = RecordScanner.compile(
        message.stream,
        message.schema,
        layout,
        shape.builder,
        validate !== undefined,
      );
    }
    if (entry === undefined) {
      const sink = new Sink(message.stream, shape, this.sinkOptions());
      this.streams.set(message.stream, { sink, schema: message, fingerprint, versioned, table });
    } else {
      entry.sink.reshape(shape);
      entry.schema = message;
      entry.fingerprint = fingerprint;
    }
  }

  private sinkOptions(): ConstructorParameters<typeof Sink>[2] {
    return {
      dialect: this.dialect,
      metrics: this.run.metrics,
      logger: this.run.logger,
      policy: this.config.invalid_record_policy,
      onRefused: (stream, line, reason, record) => this.rejects.defer(stream, line, reason, record),
      batchSizeRows: this.config.batch_size_rows,
      loadMethod: this.config.load_method,
      onCommitted: () => this.releaseStates(),
      onFailure: (error) => this.fail(error),
    };
  }

  private async activateVersion(message: ActivateVersionMessage, line: number): Promise<void> {
    const entry = this.streams.get(message.stream);
    if (entry === undefined) {
      throw new SingerError(
        'ACTIVATE_VERSION_BEFORE_SCHEMA',
        `stream "${message.stream}", line ${line}: ACTIVATE_VERSION before any SCHEMA for this stream`,
      );
    }
    if (!entry.versioned) {
      entry.versioned = true;
      await this.shapeStream(entry.schema, line, entry, true);
    }
    await entry.sink.flush();
    await entry.sink.settle();
    const retired = await this.dialect.retireVersions({
      table: entry.table,
      version: message.version,
      versionColumn: normaliseName('_sdc_table_version', this.dialect.maxIdentifierLength),
      mode: this.config.hard_delete ? 'delete' : 'soft',
      deletedAtColumn: normaliseName('_sdc_deleted_at', this.dialect.maxIdentifierLength),
      deletedAt: new Date().toISOString(),
    });
    this.run.logger.info(
      { stream: message.stream, version: message.version, retired, hard_delete: this.config.hard_delete },
      'activated version',
    );
  }

  /** The dead-letter table's sink, created on the first record kept there. */
  private async openRejectSink(line: number): Promise<Sink> {
    const where = `rejects table, line ${line}`;
    const table = this.streamTables.claim(REJECTS_STREAM, where);
    const layout = layoutStream(REJECTS_STREAM, line, REJECT_SCHEMA, [], [], {
      maxIdentifierLength: this.dialect.maxIdentifierLength,
      flatteningMaxDepth: 0,
      metadata: [],
    });
    const shape = await this.streamTables.prepare(table, layout, undefined, where);
    const options = { ...this.sinkOptions(), loadMethod: 'append-only' as const, policy: undefined };
    return new Sink(REJECTS_STREAM, shape, options);
  }

  private async flushAged(): Promise<void> {
    await this.rejects.applyDeferred(this.context);
    const limit = Date.now() - this.config.batch_max_age_seconds * 1000;
    for (const sink of this.sinks()) {
      if (sink.buffered > 0 && sink.firstAt <= limit) await sink.flush();
    }
  }

  private *sinks(): Generator<Sink> {
    for (const entry of this.streams.values()) yield entry.sink;
    const deadLetters = this.rejects.deadLetters;
    if (deadLetters !== undefined) yield deadLetters;
  }

  /** Commits everything buffered, then prints the latest state. */
  private async finish(): Promise<void> {
    for (const sink of this.sinks()) await sink.flush();
    await this.settleAll();
    while (this.rejects.deferred > 0) {
      // Rows refused by the batches just committed: their dead letters are committed too.
      await this.rejects.applyDeferred(this.context);
      for (const sink of this.sinks()) await sink.flush();
      await this.settleAll();
    }
    this.releaseStates();
  }

  private async settleAll(): Promise<void> {
    for (const sink of this.sinks()) await sink.settle();
  }

  private releaseStates(): void {
    if (this.states.waiting === 0) return;
    let watermark = Number.POSITIVE_INFINITY;
    for (const sink of this.sinks()) watermark = Math.min(watermark, sink.pendingFrom());
    watermark = Math.min(watermark, this.rejects.pendingFrom());
    const text = this.states.release(watermark);
    if (text === undefined) return;
    this.run.output.writeStateValue(text);
    this.run.output.drain().catch(() => undefined); // a dead stdout is reported by the writer itself
  }
}
