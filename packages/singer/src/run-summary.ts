import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Counters the summary reads from the run's metrics (one mechanism for both). */
export const SUMMARY_METRICS = {
  records: 'record_count',
  bytes: 'record_bytes',
  retries: 'retry_count',
  rejects: 'record_rejected',
} as const;

export type RunStatus = 'succeeded' | 'failed' | 'stopped';

export interface StreamSummary {
  records: number;
  bytes?: number;
}

/**
 * The audit line each executable logs once at the end of every run: `run_summary`, with the
 * run's id (Meltano's when it passes one), its bounds, the streams with records and bytes, the
 * bookmarks before and after, retries, rejects and the exit status. Counts come from the run's
 * metrics; the bookmarks after are the last STATE the run printed.
 */
export class RunSummary {
  readonly runId: string;
  readonly meltanoRunId: string | undefined;
  readonly startedAt = new Date();
  private readonly environment: string | undefined;
  private bookmarksBefore: unknown = null;
  private extra: Record<string, unknown> = {};
  private logged = false;

  constructor(
    private readonly executable: string,
    private readonly version: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const meltano = env.MELTANO_RUN_ID?.trim();
    this.meltanoRunId = meltano === undefined || meltano === '' ? undefined : meltano;
    this.runId = this.meltanoRunId ?? randomUUID();
    this.environment = env.MELTANO_ENVIRONMENT || undefined;
  }

  /** The bookmarks of the state the run started from (`--state`). */
  startedFrom(state: unknown): void {
    this.bookmarksBefore = bookmarksOf(state);
  }

  /** Run-level facts a connector adds (e.g. the target's input bytes). */
  note(facts: Record<string, unknown>): void {
    Object.assign(this.extra, facts);
  }

  /** Logs the line; only the first call per run logs (a forced exit may race the normal end). */
  log(
    logger: Logger,
    outcome: { exitCode: number; error?: string; metrics?: Metrics; lastState?: unknown },
  ): void {
    if (this.logged) return;
    this.logged = true;
    const endedAt = new Date();
    const streams: Record<string, StreamSummary> = {};
    let records = 0;
    let bytes = 0;
    const metrics = outcome.metrics;
    for (const { tags, value } of metrics?.totals(SUMMARY_METRICS.records) ?? []) {
      const stream = String(tags.stream ?? '');
      streams[stream] = { ...streams[stream], records: (streams[stream]?.records ?? 0) + value };
      records += value;
    }
    for (const { tags, value } of metrics?.totals(SUMMARY_METRICS.bytes) ?? []) {
      const stream = String(tags.stream ?? '');
      const entry = streams[stream] ?? { records: 0 };
      entry.bytes = (entry.bytes ?? 0) + value;
      streams[stream] = entry;
      bytes += value;
    }
    const sum = (metric: string): number =>
      (metrics?.totals(metric) ?? []).reduce((total, entry) => total + entry.value, 0);
    const status: RunStatus =
      outcome.exitCode === 0 ? 'succeeded' : outcome.exitCode >= 128 ? 'stopped' : 'failed';
    logger.info(
      {
        event: 'run_summary',
        run_id: this.runId,
        meltano_run_id: this.meltanoRunId ?? null,
        meltano_environment: this.environment ?? null,
        executable: this.executable,
        version: this.version,
        started_at: this.startedAt.toISOString(),
        ended_at: endedAt.toISOString(),
        duration_seconds: (endedAt.getTime() - this.startedAt.getTime()) / 1000,
        status,
        exit_code: outcome.exitCode,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        streams,
        records,
        bytes,
        retries: sum(SUMMARY_METRICS.retries),
        rejects: sum(SUMMARY_METRICS.rejects),
        bookmarks_before: this.bookmarksBefore,
        bookmarks_after: outcome.lastState === undefined ? null : bookmarksOf(outcome.lastState),
        ...this.extra,
      },
      'run_summary',
    );
  }
}

/**
 * The run_summary records in a log text: our stderr, or Meltano's log where each of our lines
 * sits after Meltano's own prefix (a line holds at most one).
 */
export function runSummaries(text: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    const json = /\{"level".*"msg":"run_summary"\}/.exec(line)?.[0];
    if (json !== undefined) found.push(JSON.parse(json) as Record<string, unknown>);
  }
  return found;
}

function bookmarksOf(state: unknown): unknown {
  if (typeof state !== 'object' || state === null) return null;
  const bookmarks = (state as { bookmarks?: unknown }).bookmarks;
  if (bookmarks === undefined) return null;
  if (typeof bookmarks !== 'object' || bookmarks === null) return bookmarks;
  // Each bookmark's scalar fields: a connector's bulkier bookkeeping (the tap's late_rows
  // tables) would make the line tens of kilobytes.
  const out: Record<string, unknown> = {};
  for (const [stream, bookmark] of Object.entries(bookmarks)) {
    if (typeof bookmark !== 'object' || bookmark === null) {
      out[stream] = bookmark;
      continue;
    }
    out[stream] = Object.fromEntries(
      Object.entries(bookmark).filter(([, value]) => typeof value !== 'object' || value === null),
    );
  }
  return out;
}
