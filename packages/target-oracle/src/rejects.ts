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
 * What happens to a record that fails validation or lacks a key property, by
 * `invalid_record_policy`: `fail` stops the run with one line naming stream, line and field;
 * `skip` counts and logs it; `dead_letter` also keeps it, with its reason, in the rejects table
 * (a sink like any other, so the state discipline covers it).
 */
export class RecordRejects {
  private sink: Sink | undefined;

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
