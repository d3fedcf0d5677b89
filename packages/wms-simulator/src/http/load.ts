/**
 * Server time: a list request takes time in proportion to the rows it serves, and the server
 * serves only so many requests at once (a pool of workers); the rest wait their turn in order.
 * No 429 or Retry-After is documented for lgfapi, while large pages with many concurrent
 * queries are documented to degrade the server: requests over the limit queue (they get slower)
 * rather than fail.
 */

import type { ServerLoad } from '../types.js';

/** The rows of a page whose service takes `pageLatencyMs`. */
export const LATENCY_PAGE_ROWS = 1000;
/** Share of `pageLatencyMs` every list request costs whatever it serves (query, auth, envelope). */
export const LATENCY_FIXED_SHARE = 0.25;

export interface LoadOptions {
  /** Service time of a list page of 1000 rows, in ms (0: none). */
  pageLatencyMs: number;
  /** API requests served at once; the rest queue in arrival order (0: unlimited). */
  maxConcurrentRequests: number;
}

export function checkLoadOptions(options: LoadOptions): void {
  for (const name of ['pageLatencyMs', 'maxConcurrentRequests'] as const) {
    const value = options[name];
    if (!(Number.isFinite(value) && value >= 0))
      throw new Error(`${name} must be a number >= 0, got ${String(value)}`);
  }
  if (!Number.isInteger(options.maxConcurrentRequests))
    throw new Error(`maxConcurrentRequests must be an integer, got ${options.maxConcurrentRequests}`);
}

/** The time a list answer of `rows` rows takes to serve. */
export function listLatencyMs(pageLatencyMs: number, rows: number): number {
  if (pageLatencyMs <= 0) return 0;
  return pageLatencyMs * (LATENCY_FIXED_SHARE + ((1 - LATENCY_FIXED_SHARE) * rows) / LATENCY_PAGE_ROWS);
}

export class Workers {
  private readonly waiting: Array<() => void> = [];
  readonly load: ServerLoad = { active: 0, queued: 0, peakActive: 0, peakQueued: 0 };

  constructor(readonly options: LoadOptions) {
    checkLoadOptions(options);
  }

  /** Waits for a free worker; the returned function gives it back (to the next in the queue, if any). */
  async acquire(): Promise<() => void> {
    const limit = this.options.maxConcurrentRequests;
    if (limit > 0 && this.load.active >= limit) {
      this.load.queued++;
      this.load.peakQueued = Math.max(this.load.peakQueued, this.load.queued);
      // The releasing request hands its worker over: `active` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.load.queued--;
    } else {
      this.load.active++;
      this.load.peakActive = Math.max(this.load.peakActive, this.load.active);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next === undefined) this.load.active--;
      else next();
    };
  }

  resetPeaks(): void {
    this.load.peakActive = this.load.active;
    this.load.peakQueued = this.load.queued;
  }
}
