import type { Logger } from 'pino';

export type MetricTags = Record<string, string | number | boolean>;

interface CounterSlot {
  metric: string;
  tags: MetricTags;
  pending: number;
  /** Everything counted in the run (the run summary reads it). */
  total: number;
}

/**
 * Metrics in the Meltano SDK line format, `METRIC: {"type":...,"metric":...,"value":...,"tags":{...}}`,
 * logged through the connector's logger (stderr). Counters accumulate and are logged as deltas every
 * interval and at exit; a timer is logged when it stops, its value in seconds.
 */
export class Metrics {
  private readonly counters = new Map<string, CounterSlot>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalSeconds = 60,
  ) {}

  start(): void {
    if (this.timer !== undefined || this.intervalSeconds <= 0) return;
    this.timer = setInterval(() => this.flush(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Adds to a counter; cheap enough for once per page, not meant per record. */
  count(metric: string, tags: MetricTags, value = 1): void {
    const key = `${metric}\u0000${JSON.stringify(tags)}`;
    let slot = this.counters.get(key);
    if (slot === undefined) {
      slot = { metric, tags, pending: 0, total: 0 };
      this.counters.set(key, slot);
    }
    slot.pending += value;
    slot.total += value;
  }

  /** Each tag set's run total of a counter. */
  totals(metric: string): Array<{ tags: MetricTags; value: number }> {
    const result: Array<{ tags: MetricTags; value: number }> = [];
    for (const slot of this.counters.values()) {
      if (slot.metric === metric) result.push({ tags: slot.tags, value: slot.total });
    }
    return result;
  }

  /** Logs one timer observation, in seconds. */
  time(metric: string, tags: MetricTags, seconds: number): void {
    this.emit('timer', metric, Math.round(seconds * 1e6) / 1e6, tags);
  }

  /** Starts a timer; call the returned function with any extra tags when the work ends. */
  startTimer(metric: string, tags: MetricTags): (extra?: MetricTags) => number {
    const started = process.hrtime.bigint();
    return (extra) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.time(metric, extra ? { ...tags, ...extra } : tags, seconds);
      return seconds;
    };
  }

  /** Logs every counter's delta since the last flush. */
  flush(): void {
    for (const slot of this.counters.values()) {
      if (slot.pending === 0) continue;
      this.emit('counter', slot.metric, slot.pending, slot.tags);
      slot.pending = 0;
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private emit(type: 'counter' | 'timer', metric: string, value: number, tags: MetricTags): void {
    this.logger.info(`METRIC: ${JSON.stringify({ type, metric, value, tags })}`);
  }
}
