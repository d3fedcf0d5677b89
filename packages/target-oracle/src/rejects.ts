import { type Logger, type Metrics, SingerError } from '@wms-singer/singer';
import type { RecordContext } from './records/row-builder.js';
import type { InvalidRecordPolicy } from './settings.js';
import type { Sink } from './sink.js';

/** The dead-letter table (after `table_prefix`), and the schema of its rows. */
export const REJECTS_STREAM = '_sdc_rejects';
export const REJECT_SCHEMA = {
  type: 'object',
  properties: {
    stream: { type: 'string' },
    line_number: { type: 'integer' },
    reason: { type: 'string' },
    record: { type: 'object' },
    rejected_at: { type: 'string', format: 'date-time' },
  },
};

/**
 * What happens to a record that fails validation, lacks a key property or is refused alone by the
 * database (a value error, see Sink.isolate), by
 * `invalid_record_policy`: `fail` stops the run with one line naming stream, line and field;
 * `skip` counts and logs it; `dead_letter` also keeps it, with its reason, in the rejects table
 * (a sink like any other, so the state discipline covers it).
 */
export class RecordRejects {
  private sink: Sink | undefined;
  /**
   * Rows the database refused alone (Dialect.valueError) while their batch was being written,
   * waiting to be rejected in an engine step (so the dead-letter sink is only touched there).
   */
  private waiting: { stream: string; line: number; reason: string; record: Record<string, unknown> }[] = [];

  constructor(
    private readonly policy: InvalidRecordPolicy,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    /** Creates the rejects table's sink on the first dead letter. */
    private readonly openSink: (lineNumber: number) => Promise<Sink>,
  ) {}

  /** The dead-letter sink, once a record was kept. */
  get deadLetters(): Sink | undefined {
    return this.sink;
  }

  /** A row refused by the database, rejected at the next applyDeferred. */
  defer(stream: string, line: number, reason: string, record: Record<string, unknown> | undefined): void {
    this.waiting.push({ stream, line, reason, record: record ?? {} });
  }

  /** How many refused rows wait for applyDeferred. */
  get deferred(): number {
    return this.waiting.length;
  }

  /** Line of the oldest refused row not yet rejected (its state must wait); Infinity when none. */
  pendingFrom(): number {
    let line = Number.POSITIVE_INFINITY;
    for (const row of this.waiting) line = Math.min(line, row.line);
    return line;
  }

  /** Rejects the deferred rows by the policy (a dead letter is buffered in the rejects sink). */
  async applyDeferred(context: RecordContext): Promise<void> {
    const now = Date.now();
    while (this.waiting.length > 0) {
      const { stream, line, reason, record } = this.waiting[0]!;
      await this.reject(stream, line, reason, record, context, now);
      this.waiting.shift();
    }
  }

  async reject(
    stream: string,
    lineNumber: number,
    reason: string,
    record: Record<string, unknown>,
    context: RecordContext,
    now: number,
  ): Promise<void> {
    const text = `stream "${stream}", line ${lineNumber}: ${reason}`;
    const policy = this.policy;
    if (policy === 'fail') throw new SingerError('RECORD_INVALID', text);
    this.metrics.count('record_rejected', { stream, policy });
    this.logger.warn({ stream, line: lineNumber, policy }, `rejected record: ${text}`);
    if (policy !== 'dead_letter') return;
    this.sink ??= await this.openSink(lineNumber);
    const deadLetter = {
      stream,
      line_number: lineNumber,
      reason,
      record,
      rejected_at: new Date(now).toISOString(),
    };
    this.sink.add(deadLetter, lineNumber, context, now);
    if (this.sink.full) await this.sink.flush();
  }
}
