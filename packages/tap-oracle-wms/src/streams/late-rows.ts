import type { Logger } from '@wms-singer/singer';
import { filterInstant } from './bookmarks.js';
import type { RowKey } from './row-keys.js';

const US_PER_SECOND = 1_000_000;
const US_PER_HOUR = 3_600 * US_PER_SECOND;
/** Count probes in flight at once. */
const PROBES_AT_ONCE = 4;

/**
 * What the catch-up keeps in a stream's bookmark (`late_rows`): the row count of each clock
 * hour of the window behind the bookmark, as last seen. At most window + 1 entries.
 */
export interface LateRowsState {
  /** Epoch hour (hours since 1970 UTC) -> rows with mod_ts in that hour. */
  hours: Record<string, number>;
  /**
   * Id ranges `[from, to)` with their row counts, at most MAX_ID_RANGES: rows that become
   * visible with an old mod_ts (a user's facility eligibility widened) show as a range that
   * grew, whatever their mod_ts.
   */
  ids?: Array<[number, number, number]>;
}

/** Id ranges kept (and probed) per stream. */
const MAX_ID_RANGES = 16;

/** The stream side of the catch-up. */
export interface LateRowsHost {
  readonly name: string;
  /** Rows matching the filters (a one-row paged request's result_count); undefined when the WMS gives no count. */
  countRows(bounds: Record<string, string>): Promise<number | undefined>;
  /** Reads and writes every row within the filters, leaving the bookmark where it is. */
  reread(bounds: Record<string, string>): Promise<number>;
}

export interface CatchUpReport {
  probes: number;
  reread_id_ranges: number;
  reread_hours: number;
  reread_rows: number;
  backdated_rows: number;
}

/**
 * Late-visible rows: a long WMS transaction can commit rows whose mod_ts lies behind a bookmark
 * already passed. Before the incremental walk, the catch-up counts the rows of each clock hour
 * of the window behind the bookmark (`late_rows_window_hours`) that this run's walk does not
 * re-read, and re-reads only the hours whose count grew since the last run; then one `create_ts`
 * pass reads rows created since the bookmark whose mod_ts lies before the walk's lower bound
 * (backdated rows). The hours the walk reads are counted as they pass, so the next run compares
 * against exactly what was read. Counts cannot tell a late row from a row that left the same
 * hour meanwhile: such a pair goes unnoticed until a full sync (as in every count-based check).
 */
export class LateRowsCatchUp {
  private readonly counted = new Map<number, number>();
  private readonly probed = new Map<number, number>();
  /** Rows at or after this instant are counted from the walk; those before it by the probes. */
  private cut = Number.NEGATIVE_INFINITY;
  private disabled = false;
  readonly report: CatchUpReport = {
    probes: 0,
    reread_id_ranges: 0,
    reread_hours: 0,
    reread_rows: 0,
    backdated_rows: 0,
  };
  /** The id ranges as probed this run. */
  private ranges: Array<[number, number, number]> = [];
  /** The highest id written this run. */
  private maxId = -1;
  /** The scope filters of the probes (the stream's filters without the walk's bounds). */
  private base: Record<string, string> = {};
  private upper = Number.POSITIVE_INFINITY;

  constructor(
    private readonly host: LateRowsHost,
    private readonly key: string,
    private readonly windowHours: number,
    private readonly logger: Logger,
    /** Whether the entity has create_ts (the backdated-rows pass). */
    private readonly hasCreateTs: boolean,
  ) {}

  /**
   * Runs before the walk. `bookmark` is the previous bookmark, `lower` the walk's lower bound
   * (bookmark minus the overlap), `upper` the run's start (epoch microseconds). Each hour up to
   * the bookmark is counted up to the bookmark's next whole second: the same span the last run
   * counted, so a grown count means rows arrived behind it.
   */
  async before(
    previous: LateRowsState | undefined,
    bookmark: number,
    lower: number,
    upper: number,
    base: Record<string, string>,
  ): Promise<void> {
    const { key } = this;
    this.cut = Math.ceil(bookmark / US_PER_SECOND) * US_PER_SECOND;
    this.base = base;
    this.upper = upper;
    const firstHour = Math.floor((bookmark - this.windowHours * US_PER_HOUR) / US_PER_HOUR);
    const lastHour = Math.floor((this.cut - 1) / US_PER_HOUR);
    const hours: number[] = [];
    for (let hour = firstHour; hour <= lastHour; hour++) hours.push(hour);
    const probeEnd = (hour: number): number => Math.min((hour + 1) * US_PER_HOUR, this.cut, upper);
    // Probes are one-row requests: a few at a time.
    for (let at = 0; at < hours.length; at += PROBES_AT_ONCE) {
      const batch = hours.slice(at, at + PROBES_AT_ONCE);
      const counts = await Promise.all(
        batch.map((hour) =>
          this.host.countRows({
            ...base,
            [`${key}__gte`]: filterInstant(hour * US_PER_HOUR, 'down'),
            [`${key}__lt`]: filterInstant(probeEnd(hour), 'up'),
          }),
        ),
      );
      this.report.probes += batch.length;
      if (counts.some((count) => count === undefined)) {
        this.logger.warn(
          { stream: this.host.name },
          `entity ${this.host.name}: the WMS gives no result_count in paged mode: late-visible rows are not looked for`,
        );
        this.disabled = true;
        return;
      }
      for (const [i, hour] of batch.entries()) this.probed.set(hour, counts[i]!);
    }
    for (const hour of hours) {
      const start = hour * US_PER_HOUR;
      const count = this.probed.get(hour)!;
      const before = previous?.hours[String(hour)];
      // The walk reads everything from `lower` on: only the part before it is read again.
      if (before === undefined || count <= before || start >= lower) continue;
      const rows = await this.host.reread({
        ...base,
        [`${key}__gte`]: filterInstant(start, 'down'),
        [`${key}__lt`]: filterInstant(Math.min(start + US_PER_HOUR, lower), 'up'),
      });
      this.report.reread_hours++;
      this.report.reread_rows += rows;
      this.logger.info(
        { stream: this.host.name, hour: filterInstant(start, 'down'), before, now: count, rows },
        `entity ${this.host.name}: an hour behind the bookmark has rows it did not have: read again`,
      );
    }
    await this.checkIdRanges(previous?.ids ?? []);
    if (this.hasCreateTs) {
      // Backdated rows: created since the bookmark, with a mod_ts before what the walk reads.
      this.report.backdated_rows = await this.host.reread({
        ...base,
        create_ts__gte: filterInstant(bookmark, 'down'),
        [`${key}__lt`]: filterInstant(lower, 'up'),
      });
    }
  }

  /**
   * Counts each id range of the last run again and reads again the ranges that grew: rows that
   * appeared with any mod_ts (deletes in the same range can hide them; a full sync settles it).
   */
  private async checkIdRanges(previous: ReadonlyArray<[number, number, number]>): Promise<void> {
    const bounds = this.idBounds.bind(this);
    for (let at = 0; at < previous.length; at += PROBES_AT_ONCE) {
      const batch = previous.slice(at, at + PROBES_AT_ONCE);
      const counts = await Promise.all(batch.map((range) => this.host.countRows(bounds(range))));
      this.report.probes += batch.length;
      for (const [i, range] of batch.entries()) this.ranges.push([range[0], range[1], counts[i] ?? range[2]]);
    }
    for (let i = 0; i < this.ranges.length; i++) {
      const range = this.ranges[i]!;
      if (!(range[2] > previous[i]![2])) continue;
      const rows = await this.host.reread(bounds(range));
      this.report.reread_id_ranges++;
      this.report.reread_rows += rows;
      this.logger.info(
        {
          stream: this.host.name,
          from: range[0],
          to: range[1],
          before: previous[i]![2],
          now: range[2],
          rows,
        },
        `entity ${this.host.name}: an id range has rows it did not have (visible since, whatever their mod_ts): read again`,
      );
    }
  }

  private idBounds([from, to]: readonly [number, number, number?]): Record<string, string> {
    return {
      ...this.base,
      id__gte: String(from),
      id__lt: String(to),
      [`${this.key}__lt`]: filterInstant(this.upper, 'up'),
    };
  }

  /** Counts, by hour, the rows the walk read past the probes' span; notes the highest id. */
  countRead(keys: readonly RowKey[]): void {
    for (const key of keys) {
      if (key.id > this.maxId) this.maxId = key.id;
      if (!(key.micros >= this.cut)) continue;
      const hour = Math.floor(key.micros / US_PER_HOUR);
      this.counted.set(hour, (this.counted.get(hour) ?? 0) + 1);
    }
  }

  /**
   * The state to keep after a complete walk: each hour of the window behind the new bookmark,
   * its rows up to that bookmark (probed before the cut, read after it), and the id ranges
   * (the ids new to this run counted by one more probe; a first run's split in equal parts).
   */
  async finish(
    bookmark: number,
    upper: number,
    base: Record<string, string>,
  ): Promise<LateRowsState | undefined> {
    if (this.disabled || !Number.isFinite(bookmark)) return undefined;
    this.base = base;
    this.upper = upper;
    const hours: Record<string, number> = {};
    const first = Math.floor((bookmark - this.windowHours * US_PER_HOUR) / US_PER_HOUR);
    const last = Math.floor(bookmark / US_PER_HOUR);
    for (let hour = first; hour <= last; hour++) {
      const probed = this.probed.get(hour);
      const read = this.counted.get(hour);
      // An hour before the cut that was not probed (the window moved past it unseen) stays unknown.
      if (probed === undefined && (hour + 1) * US_PER_HOUR <= this.cut) continue;
      hours[String(hour)] = (probed ?? 0) + (read ?? 0);
    }
    const ranges = this.ranges.map((range) => [...range] as [number, number, number]);
    const from = ranges.at(-1)?.[1] ?? 0;
    const top = this.maxId + 1;
    if (top > from) {
      const parts = ranges.length === 0 ? MAX_ID_RANGES : 1;
      const width = Math.ceil((top - from) / parts);
      const added: Array<[number, number]> = [];
      for (let lo = from; lo < top; lo += width) added.push([lo, Math.min(lo + width, top)]);
      const counts = await Promise.all(added.map((range) => this.host.countRows(this.idBounds(range))));
      this.report.probes += added.length;
      for (const [i, [lo, hi]] of added.entries()) ranges.push([lo, hi, counts[i] ?? 0]);
    }
    while (ranges.length > MAX_ID_RANGES) {
      let best = 0;
      for (let i = 1; i < ranges.length - 1; i++)
        if (ranges[i]![2] + ranges[i + 1]![2] < ranges[best]![2] + ranges[best + 1]![2]) best = i;
      const [a, b] = [ranges[best]!, ranges[best + 1]!];
      ranges.splice(best, 2, [a[0], b[1], a[2] + b[2]]);
    }
    return { hours, ids: ranges };
  }
}

/** The `late_rows` of a bookmark, when it has the expected shape. */
export function readLateRows(value: unknown): LateRowsState | undefined {
  const hours = (value as { hours?: unknown } | null | undefined)?.hours;
  if (typeof hours !== 'object' || hours === null) return undefined;
  const clean: Record<string, number> = {};
  for (const [hour, count] of Object.entries(hours)) if (typeof count === 'number') clean[hour] = count;
  const ids = (value as { ids?: unknown }).ids;
  const ranges = Array.isArray(ids)
    ? ids.filter(
        (range): range is [number, number, number] =>
          Array.isArray(range) && range.length === 3 && range.every((n) => Number.isInteger(n)),
      )
    : [];
  return { hours: clean, ids: ranges };
}
