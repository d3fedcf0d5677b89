import type { Logger } from '@wms-singer/singer';
import { filterInstant } from './bookmarks.js';
import { Iblt, isTableId } from './iblt.js';
import type { CatchUpReport, LateRowsHost } from './late-rows.js';
import type { RowKey } from './row-keys.js';

/** Id ranges kept (and probed) per stream. */
const MAX_ID_RANGES = 16;
/**
 * Cells of an id range's table, when it is made from the range's ids (one size for all, so
 * neighbours merge by adding their tables; a kept table of another size is still compared).
 */
const RANGE_CELLS = 48;
/** Count probes in flight at once. */
const PROBES_AT_ONCE = 4;
/** A range of up to this many rows is listed every run instead of counted: one request either way. */
export const LIST_EVERY_RUN_ROWS = 1250;
/** Ids per `id__in` request when rows are read again by id. */
const IDS_PER_REQUEST = 100;
/**
 * When the rows a difference too large to peel cannot rule out are more than this share of the
 * rows listed, the hour or range is read whole instead: a page holds ten times the rows a
 * request by id does (1000 against 100), so it takes fewer requests.
 */
export const READ_WHOLE_SHARE = 0.1;

/**
 * An id range as kept in `late_rows.ids`: `[from, to)`, the rows loaded in it, and the table
 * (iblt.ts) of their ids. A bookmark written before the tables existed has no table.
 */
export type IdRangeState = [from: number, to: number, loaded: number, table?: string];

/** An id range of a bookmark, when it has the expected shape. */
export function readIdRange(value: unknown): IdRangeState | undefined {
  if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4)) return undefined;
  const [from, to, loaded, table] = value as unknown[];
  if (![from, to, loaded].every((n) => Number.isInteger(n) && (n as number) >= 0)) return undefined;
  if (table === undefined) return [from as number, to as number, loaded as number];
  if (typeof table !== 'string' || Iblt.decode(table) === undefined) return undefined;
  return [from as number, to as number, loaded as number, table];
}

interface Range {
  from: number;
  to: number;
  loaded: number;
  table: Iblt | undefined;
  /** The ids known loaded, when the range was listed or read whole this run. */
  ids?: Set<number>;
}

/**
 * Rows made visible with a mod_ts older than the window (a user's facility eligibility widened)
 * show nowhere in the hours: the catch-up keeps up to 16 id ranges over the ids loaded, each
 * with the number of rows loaded and the table of their ids. Each run lists every range of up to
 * 1250 rows (`fields=id`: one request, as a count would be); a larger range is counted first (a
 * one-row request) and listed when its count differs in either direction from the rows loaded,
 * and one large range a run is listed in turn whatever its count. A listed range's table is
 * compared with the kept one and the ids that arrived are read again by id (the whole range
 * when the difference is too large to peel). The limit: a range of more than 1250 rows that lost
 * exactly as many rows (hard deletes, purges) as it gained visible rows between two runs counts
 * the same: its revealed rows wait for its turn (at most one run per large range, 16 at most).
 */
export class IdRanges {
  private readonly ranges: Range[];
  /** Ids past the last range (new rows), written this run: 8 bytes an id (a first load notes every row). */
  private readonly fresh = new IdList();
  private readonly top: number;
  private maxId = -1;
  private disabled = false;
  /** Ids written before the ranges are checked (rows read again by hour): not read a second time. */
  private readBefore: Set<number> | undefined = new Set();
  /** Where the turn of the large ranges stands: the first id of the next one to list whatever its count. */
  private turn: number;

  constructor(
    private readonly host: LateRowsHost,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly report: CatchUpReport,
    previous: readonly IdRangeState[],
    turn: number,
  ) {
    this.turn = turn;
    this.ranges = previous.map(([from, to, loaded, table]) => ({
      from,
      to,
      loaded,
      table: table === undefined ? undefined : Iblt.decode(table),
    }));
    this.top = this.ranges.at(-1)?.to ?? 0;
  }

  /** Notes a written row's id. */
  note(id: number): void {
    // An id no table can hold is in no range (not looked for: docs/tap.md, Limits).
    if (!isTableId(id)) return;
    if (id > this.maxId) this.maxId = id;
    this.readBefore?.add(id);
    if (id >= this.top) {
      this.fresh.push(id);
      return;
    }
    // Ranges are sorted and adjacent: a binary search finds the one holding the id.
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = this.ranges[mid]!;
      if (id < range.from) hi = mid - 1;
      else if (id >= range.to) lo = mid + 1;
      else {
        range.ids?.add(id);
        return;
      }
    }
  }

  /**
   * Counts each range and settles those whose count differs from the rows loaded. `floor` is
   * start_date (rows before it are never loaded); `onKeys` sees the keys of the rows written.
   */
  async check(
    base: Record<string, string>,
    upper: number,
    floor: number | undefined,
    onKeys: (keys: readonly RowKey[]) => void,
  ): Promise<void> {
    const scope = {
      ...base,
      [`${this.key}__lt`]: filterInstant(upper, 'up'),
      ...(floor === undefined ? {} : { [`${this.key}__gte`]: filterInstant(floor, 'down') }),
    };
    const bounds = (range: Range): Record<string, string> => ({
      ...scope,
      id__gte: String(range.from),
      id__lt: String(range.to),
    });
    const readBefore = this.readBefore ?? new Set<number>();
    this.readBefore = undefined;
    if (this.ranges.length === 0) {
      // An incremental run without ranges (the catch-up just switched on, or a bookmark from
      // before it): the walk reads only what changed, so the ids are listed once and what the
      // WMS lists is taken as loaded; the ranges are cut from them at the end of the run.
      for (const key of await this.host.listKeys(scope, true)) this.note(key.id);
      this.report.listed_id_ranges++;
      return;
    }
    // Small ranges are listed anyway (count NaN: not probed); larger ones are counted first,
    // but for one of them each run, in turn, listed whatever its count.
    const large = this.ranges.filter(
      (range) => range.table !== undefined && range.loaded > LIST_EVERY_RUN_ROWS,
    );
    const inTurn = large.find((range) => range.from >= this.turn) ?? large[0];
    this.turn = inTurn?.to ?? 0;
    const listed = (range: Range): boolean =>
      range.table !== undefined && (range.loaded <= LIST_EVERY_RUN_ROWS || range === inTurn);
    const counts: Array<number | undefined> = [];
    for (let at = 0; at < this.ranges.length; at += PROBES_AT_ONCE) {
      const batch = this.ranges.slice(at, at + PROBES_AT_ONCE);
      const probe = (range: Range) => (listed(range) ? Number.NaN : this.host.countRows(bounds(range)));
      counts.push(...(await Promise.all(batch.map(probe))));
      this.report.probes += batch.filter((range) => !listed(range)).length;
    }
    if (counts.some((count) => count === undefined)) {
      this.logger.warn(
        { stream: this.host.name },
        `entity ${this.host.name}: the WMS gives no result_count in paged mode: rows made visible with an old mod_ts are not looked for`,
      );
      this.disabled = true;
      return;
    }
    // The ranges to list: their count changed, or they are small (or have no table yet).
    const settle = this.ranges.filter((range, i) => counts[i] !== range.loaded || range.table === undefined);
    const outcomes: Array<number[] | undefined> = [];
    for (let at = 0; at < settle.length; at += PROBES_AT_ONCE) {
      const batch = settle.slice(at, at + PROBES_AT_ONCE);
      outcomes.push(...(await Promise.all(batch.map((range) => this.compare(range, bounds(range))))));
    }
    const arrived: number[] = [];
    for (const [i, range] of settle.entries()) {
      const found = outcomes[i];
      if (found === undefined) {
        range.ids = new Set();
        const rows = await this.host.reread(bounds(range), onKeys);
        this.report.reread_id_ranges++;
        this.report.reread_rows += rows;
        this.logger.info(
          { stream: this.host.name, from: range.from, to: range.to, loaded: range.loaded, rows },
          `entity ${this.host.name}: an id range read again whole (no table kept for it, too many changes to tell by id, or ids a table cannot hold)`,
        );
        continue;
      }
      for (const id of found) if (readBefore.has(id)) range.ids?.add(id);
      const fresh = found.filter((id) => !readBefore.has(id));
      arrived.push(...fresh);
      if (fresh.length > 0)
        this.logger.info(
          { stream: this.host.name, from: range.from, to: range.to, rows: fresh.length },
          `entity ${this.host.name}: rows visible since the last run in an id range (whatever their mod_ts): read again by id`,
        );
    }
    this.report.arrivals += arrived.length;
    this.report.reread_rows += await rereadByIds(this.host, arrived, scope, onKeys);
  }

  /**
   * Lists a range's ids, keeps those loaded before and returns the arrivals (or, when the
   * difference is too large to peel, the ids it cannot rule out). A range without a table (a
   * bookmark from before the tables) whose count is unchanged takes what the WMS lists as
   * loaded, once; with a changed count it has to be read again whole (undefined), as when
   * the ids it cannot rule out are too many (READ_WHOLE_SHARE).
   */
  private async compare(range: Range, bounds: Record<string, string>): Promise<number[] | undefined> {
    const listed = new Set((await this.host.listKeys(bounds, true)).map((key) => key.id));
    this.report.listed_id_ranges++;
    if (range.table === undefined) {
      if (listed.size !== range.loaded) return undefined;
      range.ids = listed;
      return [];
    }
    if (![...listed].every(isTableId)) return undefined;
    const keys = [...listed].map((id) => ({ id, offset: 0 }));
    const found = Iblt.of(keys, keys.length, range.table.cells).minus(range.table).arrivals(keys);
    if (!found.exact) {
      this.report.unpeeled++;
      if (found.keys.length > keys.length * READ_WHOLE_SHARE) return undefined;
    }
    const arrived = found.keys.map((key) => key.id);
    for (const id of arrived) listed.delete(id);
    range.ids = listed;
    return arrived.sort((a, b) => a - b);
  }

  /** Where the turn of the large ranges stands after this run. */
  get nextTurn(): number {
    return this.turn;
  }

  /** The ranges to keep: settled ones with their new tables, the new ids as one more range (16 on a first run). */
  finish(): IdRangeState[] {
    if (this.disabled) return this.ranges.map(rangeState);
    const ranges = this.ranges.map((range): Range => {
      if (range.ids === undefined) return range;
      const ids = [...range.ids];
      return { ...range, loaded: ids.length, table: idTable(ids) };
    });
    const end = this.maxId + 1;
    if (end > this.top) {
      const ids = this.fresh.sortedDistinct();
      const parts = ranges.length === 0 ? MAX_ID_RANGES : 1;
      const width = Math.ceil((end - this.top) / parts);
      let at = 0;
      for (let from = this.top; from < end; from += width) {
        const to = Math.min(from + width, end);
        const start = at;
        while (at < ids.length && ids[at]! < to) at++;
        const part = ids.subarray(start, at);
        ranges.push({ from, to, loaded: part.length, table: idTable(part) });
      }
    }
    // Neighbours merge, the pair with the fewest rows first among those whose tables add up.
    const mergeable = (i: number): boolean => ranges[i]!.table?.cells === ranges[i + 1]!.table?.cells;
    const cost = (i: number): number =>
      ranges[i]!.loaded + ranges[i + 1]!.loaded + (mergeable(i) ? 0 : Number.MAX_SAFE_INTEGER / 2);
    while (ranges.length > MAX_ID_RANGES) {
      let best = 0;
      for (let i = 1; i < ranges.length - 1; i++) if (cost(i) < cost(best)) best = i;
      const [a, b] = [ranges[best]!, ranges[best + 1]!];
      const table = mergeable(best) && a.table !== undefined ? a.table.plus(b.table!) : undefined;
      ranges.splice(best, 2, { from: a.from, to: b.to, loaded: a.loaded + b.loaded, table });
    }
    return ranges.map(rangeState);
  }
}

/** Reads rows again by id within the filters, a batch of ids per request; returns the rows read. */
export async function rereadByIds(
  host: LateRowsHost,
  ids: readonly number[],
  bounds: Record<string, string>,
  onKeys: (keys: readonly RowKey[]) => void,
): Promise<number> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  let rows = 0;
  for (let at = 0; at < unique.length; at += IDS_PER_REQUEST) {
    const batch = unique.slice(at, at + IDS_PER_REQUEST).join(',');
    rows += await host.reread({ ...bounds, id__in: batch }, onKeys);
  }
  return rows;
}

function idTable(ids: ArrayLike<number>): Iblt {
  const table = Iblt.empty(RANGE_CELLS);
  for (let i = 0; i < ids.length; i++) table.add(ids[i]!, 0, 1);
  return table;
}

/** A growing list of ids in a Float64Array (ids up to 2^48 are exact doubles). */
class IdList {
  private ids = new Float64Array(1024);
  private length = 0;

  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Float64Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }

  /** The ids in ascending order, each once (sorted in place). */
  sortedDistinct(): Float64Array {
    const ids = this.ids.subarray(0, this.length).sort();
    let kept = 0;
    for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) ids[kept++] = ids[i]!;
    return ids.subarray(0, kept);
  }
}

function rangeState(range: Range): IdRangeState {
  return range.table === undefined
    ? [range.from, range.to, range.loaded]
    : [range.from, range.to, range.loaded, range.table.encode()];
}
