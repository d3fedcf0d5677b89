import type { Logger } from '@wms-singer/singer';
import { filterInstant } from './bookmarks.js';
import { Iblt, isTableId, type KeyOf } from './iblt.js';
import { type IdRangeState, IdRanges, READ_WHOLE_SHARE, readIdRange, rereadByIds } from './late-ranges.js';
import type { RowKey } from './row-keys.js';

const US_PER_SECOND = 1_000_000;
const US_PER_HOUR = 3_600 * US_PER_SECOND;
/** Listings in flight at once. */
const LISTINGS_AT_ONCE = 4;

/**
 * What the catch-up keeps in a stream's bookmark (`late_rows`). Hours: for each clock hour of
 * the window behind the bookmark (at most window + 1), an invertible Bloom lookup table
 * (iblt.ts) of the `(id, mod_ts)` of the rows loaded with a mod_ts in that hour up to the
 * bookmark ("" for none). Ids: at most 16 id ranges with the rows loaded in each and the table
 * of their ids (late-ranges.ts).
 */
export interface LateRowsState {
  /** Epoch hour (hours since 1970 UTC) -> table of the rows loaded in that hour. */
  hours: Record<string, string>;
  ids?: IdRangeState[];
  /** The first id of the large id range the next run lists whatever its count (its turn). */
  ids_turn?: number;
}

/** The stream side of the catch-up. */
export interface LateRowsHost {
  readonly name: string;
  /** Rows matching the filters (a one-row paged request's result_count); undefined when the WMS gives no count. */
  countRows(bounds: Record<string, string>): Promise<number | undefined>;
  /** The keys of the rows matching the filters (`fields=id,<key>`, or `id` alone by id), writing nothing. */
  listKeys(bounds: Record<string, string>, byId: boolean): Promise<RowKey[]>;
  /** Reads and writes every row within the filters, leaving the bookmark where it is; gives each page's keys. */
  reread(bounds: Record<string, string>, onKeys: (keys: readonly RowKey[]) => void): Promise<number>;
}

export interface CatchUpReport {
  /** Id-range count probes. */
  probes: number;
  /** Hours (and id ranges) whose keys were listed. */
  listed_hours: number;
  listed_id_ranges: number;
  /** Rows found visible now and not loaded before (read again by id). */
  arrivals: number;
  /**
   * Hours and id ranges whose difference was too large to peel whole: the rows whose keys it
   * could not rule out are counted among the arrivals (a superset of them, read by id).
   */
  unpeeled: number;
  /** Hours read again whole: no table kept for them, or a difference too large to peel. */
  reread_hours: number;
  reread_id_ranges: number;
  reread_rows: number;
  backdated_rows: number;
}

/** An element of an hour's set: `id/offset` (offset: microseconds into the hour). */
const element = (id: number, offset: number): string => `${id}/${offset}`;

/**
 * Late-visible rows: a long WMS transaction can commit rows whose mod_ts lies behind a bookmark
 * already passed, and a widened facility eligibility makes old rows visible. Before the walk,
 * for each clock hour of the window behind the bookmark (`late_rows_window_hours`) that starts
 * before the walk's lower bound, the catch-up lists the `(id, mod_ts)` of the hour's rows, builds
 * their table, subtracts the table the last run kept and peels the difference: the keys present
 * now and not before are exactly the rows that arrived since (late commits, late updates, rows
 * revealed with a mod_ts in the window), and only those are read again (by id); keys that left
 * (updated away, deleted) cost nothing. A difference too large to peel, or an hour without a
 * table, is read again whole. Then the id ranges (late-ranges.ts) find rows revealed with a
 * mod_ts older than the window, and one `create_ts` pass reads rows created since the bookmark
 * with an older mod_ts (backdated rows). What the run loads (walk and re-reads) makes the
 * tables the next run compares with: a key is kept only once its row was written (or the last
 * run's table had it), so a row is never taken for loaded when it was not.
 */
export class LateRowsCatchUp {
  /** Per epoch hour, the keys known loaded (listed and kept last run, or written this run). */
  private readonly hourSets = new Map<number, Set<string>>();
  /** Hours whose set is complete this run (listed, or read again whole). */
  private readonly covered = new Set<number>();
  /** Hours holding a row whose id no table can hold (kept without a table). */
  private readonly untabled = new Set<number>();
  /** Rows from this instant on are all read by the walk (its lower bound). */
  private walkFrom = Number.NEGATIVE_INFINITY;
  /** The latest key instant written: hours far behind it cannot end in the window any more. */
  private latest = Number.NEGATIVE_INFINITY;
  readonly report: CatchUpReport = {
    probes: 0,
    listed_hours: 0,
    listed_id_ranges: 0,
    arrivals: 0,
    unpeeled: 0,
    reread_hours: 0,
    reread_id_ranges: 0,
    reread_rows: 0,
    backdated_rows: 0,
  };
  private ranges: IdRanges;

  constructor(
    private readonly host: LateRowsHost,
    private readonly key: string,
    private readonly windowHours: number,
    private readonly logger: Logger,
    /** Whether the entity has create_ts (the backdated-rows pass). */
    private readonly hasCreateTs: boolean,
    /** start_date (epoch microseconds), when set: rows before it are never loaded. */
    private readonly startFloor: number | undefined,
    previous: LateRowsState | undefined,
  ) {
    if (startFloor !== undefined) this.walkFrom = startFloor;
    this.ranges = new IdRanges(host, key, logger, this.report, previous?.ids ?? [], previous?.ids_turn ?? 0);
  }

  /**
   * Runs before the walk. `bookmark` is the previous bookmark, `lower` the walk's lower bound
   * (bookmark minus the overlap), `upper` the run's start (epoch microseconds), `base` the
   * stream's filters without the walk's bounds. Each hour is listed up to the bookmark's next
   * whole second: the span the last run's table covers.
   */
  async before(
    previous: LateRowsState | undefined,
    bookmark: number,
    lower: number,
    upper: number,
    base: Record<string, string>,
  ): Promise<void> {
    const { key } = this;
    this.walkFrom = lower;
    const cut = Math.min(Math.ceil(bookmark / US_PER_SECOND) * US_PER_SECOND, upper);
    const firstHour = Math.floor((bookmark - this.windowHours * US_PER_HOUR) / US_PER_HOUR);
    const hours: number[] = [];
    for (let hour = firstHour; hour * US_PER_HOUR < Math.min(lower, cut); hour++) hours.push(hour);
    const span = (hour: number, end: number): Record<string, string> => ({
      ...base,
      [`${key}__gte`]: filterInstant(hour * US_PER_HOUR, 'down'),
      [`${key}__lt`]: filterInstant(Math.min((hour + 1) * US_PER_HOUR, end), 'up'),
    });
    const whole: number[] = [];
    const arrivals: number[] = [];
    for (let at = 0; at < hours.length; at += LISTINGS_AT_ONCE) {
      const batch = hours.slice(at, at + LISTINGS_AT_ONCE);
      const outcomes = await Promise.all(
        batch.map(async (hour) => {
          const kept = previous?.hours[String(hour)];
          const table = kept === undefined ? undefined : kept === '' ? null : Iblt.decode(kept);
          if (table === undefined) return undefined;
          const keys = await this.host.listKeys(span(hour, cut), false);
          this.report.listed_hours++;
          return this.compareHour(hour, keys, table);
        }),
      );
      for (const [i, hour] of batch.entries()) {
        const outcome = outcomes[i];
        if (outcome === undefined) whole.push(hour);
        else {
          // Arrivals from the walk's lower bound on are read by the walk.
          for (const arrival of outcome) if (arrival.micros < lower) arrivals.push(arrival.id);
          this.covered.add(hour);
        }
      }
    }
    for (const hour of whole) {
      const rows = await this.host.reread(span(hour, lower), (keys) => this.countRead(keys));
      this.covered.add(hour);
      this.report.reread_hours++;
      this.report.reread_rows += rows;
      this.logger.info(
        { stream: this.host.name, hour: filterInstant(hour * US_PER_HOUR, 'down'), rows },
        `entity ${this.host.name}: an hour behind the bookmark read again whole (no table kept for it, or too many changes to tell by id)`,
      );
    }
    this.report.arrivals += arrivals.length;
    const onKeys = (keys: readonly RowKey[]): void => this.countRead(keys);
    const lateRows = await rereadByIds(
      this.host,
      arrivals,
      { ...base, [`${key}__lt`]: filterInstant(lower, 'up') },
      onKeys,
    );
    this.report.reread_rows += lateRows;
    if (arrivals.length > 0)
      this.logger.info(
        { stream: this.host.name, arrivals: arrivals.length, rows: lateRows },
        `entity ${this.host.name}: rows that arrived behind the bookmark since the last run read again by id`,
      );
    await this.ranges.check(base, upper, this.startFloor, onKeys);
    if (this.hasCreateTs) {
      // Backdated rows: created since the bookmark, with a mod_ts before what the walk reads.
      this.report.backdated_rows = await this.host.reread(
        {
          ...base,
          create_ts__gte: filterInstant(bookmark, 'down'),
          [`${key}__lt`]: filterInstant(lower, 'up'),
        },
        onKeys,
      );
    }
  }

  /**
   * Compares an hour's listed keys with the table kept for it: keeps the keys both have (loaded
   * before) and returns the arrivals (or, when the difference is too large to peel, the keys it
   * cannot rule out); undefined when those are too many (READ_WHOLE_SHARE) or a key does not
   * fit the table: the hour is read whole.
   */
  private compareHour(hour: number, keys: readonly RowKey[], kept: Iblt | null): RowKey[] | undefined {
    const start = hour * US_PER_HOUR;
    const now = new Map<string, RowKey>();
    for (const key of keys) {
      const offset = key.micros - start;
      if (!(offset >= 0 && offset < US_PER_HOUR) || !isTableId(key.id)) return undefined;
      now.set(element(key.id, offset), key);
    }
    let added: Iterable<string> = now.keys();
    if (kept !== null) {
      const listed = [...now.values()].map((key) => ({ id: key.id, offset: key.micros - start }));
      const found = Iblt.of(listed, listed.length, kept.cells).minus(kept).arrivals(listed);
      if (!found.exact) {
        this.report.unpeeled++;
        if (found.keys.length > listed.length * READ_WHOLE_SHARE) return undefined;
      }
      added = found.keys.map((k) => element(k.id, k.offset));
    }
    const arrived = new Set(added);
    const set = this.hourSet(hour);
    for (const name of now.keys()) if (!arrived.has(name)) set?.add(name);
    return [...arrived].map((name) => now.get(name)).filter((key) => key !== undefined);
  }

  /** The set of an hour, unless the hour is too far behind what was written to end in the window. */
  private hourSet(hour: number): Set<string> | undefined {
    const oldest = Math.floor(this.latest / US_PER_HOUR) - this.windowHours - 1;
    if (hour < oldest) return undefined;
    let set = this.hourSets.get(hour);
    if (set === undefined) {
      set = new Set();
      this.hourSets.set(hour, set);
    }
    return set;
  }

  /** Notes the keys of rows written (walk and re-reads): they are loaded. */
  countRead(keys: readonly RowKey[]): void {
    let moved = false;
    for (const key of keys) {
      this.ranges.note(key.id);
      if (!Number.isFinite(key.micros)) continue;
      if (key.micros > this.latest) {
        if (Math.floor(key.micros / US_PER_HOUR) > Math.floor(this.latest / US_PER_HOUR)) moved = true;
        this.latest = key.micros;
      }
      const hour = Math.floor(key.micros / US_PER_HOUR);
      // A row id no table can hold leaves its hour without one: read whole by the next run.
      if (isTableId(key.id)) this.hourSet(hour)?.add(element(key.id, key.micros - hour * US_PER_HOUR));
      else this.untabled.add(hour);
    }
    if (moved) {
      const oldest = Math.floor(this.latest / US_PER_HOUR) - this.windowHours - 1;
      for (const hour of this.hourSets.keys()) if (hour < oldest) this.hourSets.delete(hour);
    }
  }

  /**
   * The state to keep after a complete walk: the table of each hour of the window behind the
   * new bookmark whose rows are all known (listed, read whole, or walked), and the id ranges.
   * An hour not known (the window moved past rows not walked) is left out: the next run reads
   * it again whole.
   */
  finish(bookmark: number): LateRowsState | undefined {
    if (!Number.isFinite(bookmark)) return undefined;
    const hours: Record<string, string> = {};
    const first = Math.floor((bookmark - this.windowHours * US_PER_HOUR) / US_PER_HOUR);
    const last = Math.floor(bookmark / US_PER_HOUR);
    for (let hour = first; hour <= last; hour++) {
      if (this.untabled.has(hour) || (!this.covered.has(hour) && hour * US_PER_HOUR < this.walkFrom))
        continue;
      const set = this.hourSets.get(hour);
      if (set === undefined || set.size === 0) {
        hours[String(hour)] = '';
        continue;
      }
      const keys: KeyOf[] = [];
      for (const name of set) {
        const slash = name.indexOf('/');
        keys.push({ id: Number(name.slice(0, slash)), offset: Number(name.slice(slash + 1)) });
      }
      hours[String(hour)] = Iblt.of(keys, keys.length).encode();
    }
    return { hours, ids: this.ranges.finish(), ids_turn: this.ranges.nextTurn };
  }
}

/** The `late_rows` of a bookmark, when it has the expected shape (tables that do not decode are dropped). */
export function readLateRows(value: unknown): LateRowsState | undefined {
  const hours = (value as { hours?: unknown } | null | undefined)?.hours;
  if (typeof hours !== 'object' || hours === null) return undefined;
  const clean: Record<string, string> = {};
  // An older bookmark kept counts here: those hours have no table (read again once).
  for (const [hour, table] of Object.entries(hours))
    if (typeof table === 'string' && (table === '' || Iblt.decode(table) !== undefined)) clean[hour] = table;
  const ids = (value as { ids?: unknown }).ids;
  const ranges = Array.isArray(ids)
    ? ids.map(readIdRange).filter((range): range is IdRangeState => range !== undefined)
    : [];
  const turn = (value as { ids_turn?: unknown }).ids_turn;
  return {
    hours: clean,
    ids: ranges,
    ...(Number.isSafeInteger(turn) && (turn as number) >= 0 ? { ids_turn: turn as number } : {}),
  };
}
