/**
 * Window-parallel extraction of one incremental stream. The stream's mod_ts range (from the
 * bookmark, or start_date, to the run's start) is cut into windows walked at the same time,
 * each by the stream's ordinary walk with its own `mod_ts__gte` / `mod_ts__lt`:
 *
 * - The range starts as one window. After its first full page, one request finds the range's
 *   last row (descending order, one row): it tells where the data ends and whether the WMS
 *   honours the ordering at all. Only then is the range split.
 * - A lane (at most `lanes` per stream) without a window splits the window with the most
 *   mod_ts left to read at the middle second of what is left: the old window stops where the
 *   new one starts (its walk is cut at the first row at or after that second), so no row is
 *   asked for twice and a window heavy with rows is split again while light ones end.
 *   Boundaries are whole seconds (what filters take), so neighbours partition the range.
 * - Pages are written as they arrive (records of different windows interleave; the target
 *   upserts them). The bookmark only moves over the windows that are complete from the start of
 *   the range, plus what the first unfinished one has read in order: a run stopped at any moment
 *   resumes from its last STATE and reads again whatever came after it.
 * - Memory: each walk holds at most three pages and waits for the output to drain after each.
 */
import type { Logger } from '@wms-singer/singer';
import { filterInstant, instantMicros } from './bookmarks.js';
import type { RecordText } from './record-text.js';

const US_PER_SECOND = 1_000_000;

/** What windows.ts needs of a stream: its walk over bounds, and a probe for the range's last row. */
export interface WindowWalker {
  readonly name: string;
  /**
   * Walks the list within `bounds`, writing every page. `cut` sees each page (and whether it is
   * ordered by the key) before it is written and may end the walk: it returns how many of the
   * page's records to write before stopping. `afterPage` sees what was written.
   */
  walkWindow(
    bounds: Record<string, string>,
    cut: (records: string[], ordered: boolean) => number | undefined,
    afterPage: (records: string[], ordered: boolean, full: boolean) => void,
  ): Promise<void>;
  /** The id and key value of the last row within `bounds` in descending key order; undefined when none. */
  lastRow(bounds: Record<string, string>): Promise<{ id: unknown; key: unknown } | undefined>;
}

export interface WindowPlan {
  key: string;
  keyText: RecordText;
  /** Epoch microseconds; undefined: no lower bound (no bookmark, no start_date). */
  lower: number | undefined;
  /** Epoch microseconds of the run's start (exclusive). */
  upper: number;
  /** Walks at once for this stream. */
  lanes: number;
  /** Rows per page: a window is split only when each half should still fill a page. */
  pageSize: number;
  logger: Logger;
  /** Called with the key's text whenever the contiguous part read so far moves on. */
  advance: (keyText: string) => void;
}

interface Position {
  micros: number;
  text: string;
}

class Window {
  /** The key of the last row written, in order. */
  position: Position | undefined;
  /** The key of the first row written (where an open first window really starts). */
  firstKey: number | undefined;
  /** Rows written in key order. */
  orderedRows = 0;
  /** Highest key seen when the walk is not ordered (then only its end proves anything). */
  unorderedHigh: Position | undefined;
  pages = 0;
  /** The last page was full and ordered: more rows probably follow, so it is worth splitting. */
  more = true;
  done = false;

  constructor(
    /** Inclusive; undefined for an open first window. */
    readonly start: number | undefined,
    /** Exclusive; moves down when the window is split. */
    public end: number,
  ) {}

  bounds(key: string): Record<string, string> {
    const bounds: Record<string, string> = { [`${key}__lt`]: filterInstant(this.end, 'up') };
    if (this.start !== undefined) bounds[`${key}__gte`] = filterInstant(this.start, 'down');
    return bounds;
  }
}

/** Extracts the plan's range with up to `lanes` windows at once; returns the records written. */
export async function extractWindows(walker: WindowWalker, plan: WindowPlan): Promise<number> {
  const { key, keyText, logger } = plan;
  const first = new Window(plan.lower, plan.upper);
  const windows: Window[] = [first];
  let count = 0;
  let splitting = false;
  /** No page has come out of key order (then windows are no longer cut, split or trusted in between). */
  let inOrder = true;
  /** Microseconds just past the range's last row (from the probe). */
  let dataEnd = plan.upper;
  let failure: unknown;
  /** The id of the first row of the first page: the probe must not answer it again. */
  let firstId: unknown;
  let wake: (() => void) | undefined;
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const notify = (): void => {
    const resolve = wake;
    changed = new Promise<void>((next) => {
      wake = next;
    });
    resolve?.();
  };
  const micros = (record: string): number => instantMicros(String(keyText.valueOf(record)));

  const publish = (): void => {
    if (!inOrder) {
      // Since a page came out of key order, only the end of every walk proves anything.
      if (!windows.every((w) => w.done)) return;
      let highest: Position | undefined;
      for (const w of windows)
        for (const p of [w.position, w.unorderedHigh])
          if (p !== undefined && p.micros > (highest?.micros ?? Number.NEGATIVE_INFINITY)) highest = p;
      if (highest !== undefined) plan.advance(highest.text);
      return;
    }
    let candidate: Position | undefined;
    for (const window of windows) {
      const reached = window.done ? (window.position ?? window.unorderedHigh) : window.position;
      if (reached !== undefined) candidate = reached;
      if (!window.done) break;
    }
    if (candidate !== undefined) plan.advance(candidate.text);
  };

  const walk = async (window: Window): Promise<void> => {
    const cut = (records: string[], ordered: boolean): number | undefined => {
      if (failure !== undefined) return 0;
      if (!ordered || !inOrder || records.length === 0) return undefined;
      if (micros(records[records.length - 1]!) < window.end) return undefined;
      // The page reaches into the next window: keep only the rows before it, but only when the
      // whole page is in order and continues from where the window stood (otherwise the WMS is
      // not ordering, and cutting could drop rows: read on to the end of the query instead).
      const keys = records.map(micros);
      const from = window.position?.micros ?? Number.NEGATIVE_INFINITY;
      if (!(keys[0]! >= from) || keys.some((value, i) => i > 0 && !(value >= keys[i - 1]!))) {
        if (splitting)
          logger.warn(
            { stream: walker.name },
            `entity ${walker.name}: a page is not in ${key} order: windows stop splitting and each is read to its end`,
          );
        splitting = false;
        inOrder = false;
        return undefined;
      }
      return keys.findIndex((value) => value >= window.end);
    };
    const afterPage = (records: string[], ordered: boolean, full: boolean): void => {
      if (window === first && window.pages === 0 && records[0] !== undefined)
        firstId = (JSON.parse(records[0]) as { id?: unknown }).id;
      count += records.length;
      window.pages++;
      window.more = full && ordered;
      if (!ordered && splitting) {
        logger.warn(
          { stream: walker.name },
          `entity ${walker.name}: a window's walk is no longer in ${key} order: windows stop splitting and each is read to its end`,
        );
        splitting = false;
      }
      if (!ordered) inOrder = false;
      const last = records[records.length - 1];
      if (last !== undefined) {
        if (ordered) {
          window.position = { micros: micros(last), text: String(keyText.valueOf(last)) };
          window.firstKey ??= window.start ?? micros(records[0]!);
          window.orderedRows += records.length;
        } else
          for (const record of records) {
            const value = micros(record);
            if (value > (window.unorderedHigh?.micros ?? Number.NEGATIVE_INFINITY))
              window.unorderedHigh = { micros: value, text: String(keyText.valueOf(record)) };
          }
      }
      publish();
      notify();
    };
    // A window that fails is never done: the bookmark stays before it.
    await walker.walkWindow(window.bounds(key), cut, afterPage);
    window.done = true;
    publish();
    notify();
  };

  /**
   * Splits the window with the most left to read, if both halves should still fill a page at the
   * density (rows per microsecond) read so far; returns the new window, or undefined.
   */
  const split = (): Window | undefined => {
    let rows = 0;
    let span = 0;
    for (const window of windows) {
      if (window.position === undefined || window.firstKey === undefined) continue;
      rows += window.orderedRows;
      span += window.position.micros - window.firstKey;
    }
    const density = span > 0 ? rows / span : Number.POSITIVE_INFINITY;
    let best: { window: Window; at: number; left: number } | undefined;
    for (const window of windows) {
      if (window.done || !window.more) continue;
      const from = window.position?.micros ?? window.start;
      if (from === undefined) continue;
      const to = Math.min(window.end, dataEnd);
      const at = Math.floor((from + to) / 2 / US_PER_SECOND) * US_PER_SECOND;
      if (!(at > from && at < window.end) || (to - from) * density < 2 * plan.pageSize) continue;
      if (best === undefined || to - from > best.left) best = { window, at, left: to - from };
    }
    if (best === undefined) return undefined;
    const created = new Window(best.at, best.window.end);
    best.window.end = best.at;
    windows.splice(windows.indexOf(best.window) + 1, 0, created);
    return created;
  };

  const lane = async (): Promise<void> => {
    while (failure === undefined) {
      const window = splitting ? split() : undefined;
      if (window !== undefined) {
        await walk(window);
        continue;
      }
      if (windows.every((w) => w.done)) return;
      await changed;
    }
  };

  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  /** A lane's failure ends the stream at once (the tap then stops the other requests). */
  const guarded = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (failure === undefined) {
        failure = error;
        fail(error);
      }
      notify();
    }
  };

  // The first window walks alone until its first page says whether splitting is worth it.
  const lanes: Promise<void>[] = [];
  const startLanes = async (): Promise<void> => {
    const last = await probe(walker, first, key, firstId);
    if (last === undefined) return;
    if (typeof last === 'string') {
      logger.warn({ stream: walker.name }, `entity ${walker.name}: not splitting into windows: ${last}`);
      return;
    }
    dataEnd = Math.min(plan.upper, last + 1);
    splitting = true;
    for (let i = 1; i < plan.lanes; i++) lanes.push(guarded(lane));
    notify();
  };
  const firstLane = guarded(async () => {
    const opened = (async () => {
      while (failure === undefined && !first.done && first.pages === 0) await changed;
      if (failure === undefined && !first.done && first.more && plan.lanes > 1) await startLanes();
    })();
    await Promise.all([walk(first), opened]);
    await lane();
  });
  await Promise.race([
    (async () => {
      await firstLane;
      await Promise.all(lanes);
    })(),
    failed,
  ]);
  if (failure !== undefined) throw failure;
  return count;
}

/**
 * The range's last key, asked for in descending key order: where the data ends, and a check
 * that the WMS orders at all (an entity that ignores `ordering` answers its first row again).
 * A string says why not to split; undefined: no row (the range emptied meanwhile).
 */
async function probe(
  walker: WindowWalker,
  first: Window,
  key: string,
  firstId: unknown,
): Promise<number | string | undefined> {
  const seen = first.position;
  if (seen === undefined) return undefined;
  let last: { id: unknown; key: unknown } | undefined;
  try {
    last = await walker.lastRow(first.bounds(key));
  } catch (error) {
    return `the WMS refused ordering=-${key} (${(error as Error).message})`;
  }
  if (last === undefined || typeof last.key !== 'string') return undefined;
  const lastMicros = instantMicros(last.key);
  if (last.id === firstId || !(lastMicros >= seen.micros))
    return `the WMS does not seem to order by ${key} (descending order gave the first row, or one before rows already read)`;
  return lastMicros;
}
