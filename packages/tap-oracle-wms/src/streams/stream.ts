import {
  type Bookmark,
  type CatalogEntry,
  ConfigError,
  type JsonObject,
  type JsonSchema,
  type Logger,
  type MappedStream,
  type Metrics,
  type SingerWriter,
  type StreamMaps,
  type StreamReplication,
  selectedProperties,
  selectedSchema,
  streamReplication,
} from '@wms-singer/singer';
import type { Page } from '../client/paging.js';
import type { WmsClient } from '../client/wms-client.js';
import { normaliseStartDate, type TapConfig } from '../settings.js';
import { filterInstant, instantMicros, ModTsHigh, secondsToMicros } from './bookmarks.js';
import { scopeFilters } from './filters.js';
import { LateRowsCatchUp, type LateRowsHost, readLateRows } from './late-rows.js';
import { hasFieldsBeyond, projectRecords, quoteDecimals, RecordText } from './record-text.js';
import type { RowKey } from './row-keys.js';
import type { StateBook } from './state-book.js';
import { ListWalk, type QueryVariant, type WalkContext, type WalkHost } from './walk.js';
import { extractWindows, type WindowWalker } from './windows.js';

/** Rows per request when the catch-up lists keys: the most the API serves. */
const LIST_PAGE_SIZE = 1250;

export interface StreamRun {
  config: TapConfig;
  apiRoot: string;
  client: WmsClient;
  output: SingerWriter;
  states: StateBook;
  logger: Logger;
  metrics: Metrics;
  /** Epoch ms the run started: the upper bound of incremental windows. */
  runStartMs: number;
  /** The `stream_maps` setting; undefined when there is none (records go out as read). */
  maps?: StreamMaps;
}

/** One lgfapi entity as a Singer stream: its query, its pages, its bookmark. */
export class WmsStream implements WalkHost, LateRowsHost, WindowWalker {
  readonly name: string;
  readonly replication: StreamReplication;
  private readonly fields: string[];
  private readonly schema: JsonSchema;
  private readonly allFields: string[];
  private readonly fieldSet: Set<string>;
  /** The stream map applied to this stream's output; undefined sends records as the WMS wrote them. */
  private readonly mapped: MappedStream | undefined;
  /** `stream_maps` drops the stream: it is not extracted at all. */
  readonly dropped: boolean;
  /** The stream name downstream (an `__alias__`, or the entity). */
  private readonly outName: string;
  /** Selected decimal fields: a WMS sending them as JSON numbers gets them quoted, digit for digit. */
  private readonly decimals: string[];
  /** The full-table version the RECORDs carry, during a full-table walk. */
  private version: number | undefined;
  /** What this run's walks of the stream have said in the log already. */
  private readonly notes = { orderIgnored: false };
  /** The late-rows catch-up of this run's incremental walk (it counts the rows walked by hour). */
  private catchUp: LateRowsCatchUp | undefined;

  constructor(
    entry: CatalogEntry,
    private readonly run: StreamRun,
  ) {
    this.name = entry.tap_stream_id;
    this.replication = streamReplication(entry);
    this.fields = selectedProperties(entry);
    this.schema = selectedSchema(entry);
    this.allFields = Object.keys(entry.schema.properties ?? {});
    this.fieldSet = new Set(this.fields);
    const keys = this.replication.keyProperties.length > 0 ? this.replication.keyProperties : ['id'];
    const decision = run.maps?.forStream(this.name, this.schema, keys);
    this.dropped = decision?.kind === 'drop';
    this.mapped = decision?.kind === 'map' ? decision.mapped : undefined;
    this.outName = this.mapped?.stream ?? this.name;
    const properties = this.schema.properties ?? {};
    this.decimals = this.fields.filter((name) => properties[name]?.format === 'singer.decimal');
  }

  /** Writes SCHEMA, the records page by page with a STATE after each, and returns the record count. */
  async sync(): Promise<number> {
    const { output } = this.run;
    const { method, key, keyProperties } = this.replication;
    const schema = this.mapped?.schema ?? this.schema;
    output.writeSchema({
      stream: this.outName,
      schema,
      key_properties: this.mapped?.keyProperties ?? (keyProperties.length > 0 ? keyProperties : ['id']),
      ...(key === undefined || schema.properties?.[key] === undefined ? {} : { bookmark_properties: [key] }),
    });
    if (method === 'INCREMENTAL' && key !== undefined) return this.syncIncremental(key);
    return this.syncFullTable();
  }

  private async syncIncremental(key: string): Promise<number> {
    const { config, states, runStartMs } = this.run;
    const previous = states.get(this.name);
    const bookmarkValue =
      previous?.replication_key === undefined || previous.replication_key === key
        ? previous?.replication_key_value
        : undefined;
    let lower: number | undefined;
    if (bookmarkValue !== undefined) {
      lower = instantMicros(String(bookmarkValue)) - secondsToMicros(config.replication_overlap_seconds);
      if (Number.isNaN(lower)) {
        throw new ConfigError(
          'STATE_INVALID',
          `stream ${this.name}: bookmark ${JSON.stringify(bookmarkValue)} is not an instant`,
        );
      }
    } else if (config.start_date !== undefined) {
      lower = instantMicros(normaliseStartDate(config.start_date));
    }
    const bounds: Record<string, string> = { [`${key}__lt`]: filterInstant(runStartMs * 1000, 'up') };
    if (lower !== undefined) bounds[`${key}__gte`] = filterInstant(lower, 'down');
    const high = new ModTsHigh(bookmarkValue === undefined ? undefined : String(bookmarkValue));
    const startBookmark: Bookmark = { ...previous, replication_key: key };
    if (high.text !== undefined) startBookmark.replication_key_value = high.text;
    const bookmark = (): Bookmark =>
      high.text === undefined ? startBookmark : { ...startBookmark, replication_key_value: high.text };
    let count = 0;
    const lateState = readLateRows(previous?.late_rows);
    const catchUp =
      config.late_rows_window_hours > 0
        ? new LateRowsCatchUp(
            this,
            key,
            config.late_rows_window_hours,
            this.run.logger,
            this.fieldSet.has('create_ts'),
            config.start_date === undefined
              ? undefined
              : instantMicros(normaliseStartDate(config.start_date)),
            lateState,
          )
        : undefined;
    if (catchUp !== undefined && bookmarkValue !== undefined && lower !== undefined) {
      const { [`${key}__gte`]: _lower, [`${key}__lt`]: _upper, ...scope } = bounds;
      await catchUp.before(lateState, high.micros, lower, runStartMs * 1000, scope);
      count += catchUp.report.reread_rows + catchUp.report.backdated_rows;
    }
    this.catchUp = catchUp;
    if (config.parallel_windows > 1) {
      count += await extractWindows(this, {
        key,
        keyText: new RecordText(key),
        lower,
        upper: runStartMs * 1000,
        lanes: config.parallel_windows,
        pageSize: config.page_size,
        logger: this.run.logger,
        advance: (text) => {
          if (high.offer(text)) states.put(this.name, bookmark());
        },
      });
    } else {
      // The last bookmark every written row is covered by: it moves with pages read in proven
      // key order; rows read otherwise move it only when the walk is complete.
      let covered = startBookmark;
      await new ListWalk(this, this.walkContext(), key).run(bounds, (records, mark) => {
        if (mark.latest?.text !== undefined) high.offer(mark.latest.text);
        catchUp?.countRead(mark.keys);
        if (mark.ordered) covered = bookmark();
        this.run.states.put(this.name, covered);
        count += records.length;
      });
    }
    this.catchUp = undefined;
    const done = bookmark();
    const late = catchUp?.finish(high.micros);
    if (late !== undefined) done.late_rows = late as unknown as JsonObject;
    if (catchUp !== undefined && bookmarkValue !== undefined)
      this.run.logger.info(
        { stream: this.name, ...catchUp.report },
        `stream ${this.name}: late rows catch-up`,
      );
    this.run.states.put(this.name, done);
    return count;
  }

  /** A one-row paged request's result_count (LateRowsHost). */
  async countRows(bounds: Record<string, string>): Promise<number | undefined> {
    const url = new URL(this.firstUrl(bounds, { ordering: undefined, sendFields: false }));
    url.searchParams.set('page_size', '1');
    url.searchParams.set('page_mode', 'paged');
    url.searchParams.set('fields', 'id');
    const response = await this.run.client.getJson(url.toString(), { endpoint: 'list', entity: this.name });
    if (response.status === 404) return 0;
    const total = (response.body as { result_count?: unknown } | null)?.result_count;
    return typeof total === 'number' ? total : undefined;
  }

  /** The keys of the rows within the filters, 1250 a page, writing nothing (LateRowsHost). */
  async listKeys(bounds: Record<string, string>, byId: boolean): Promise<RowKey[]> {
    const key = byId ? undefined : this.replication.key;
    const lister: WalkHost = {
      name: this.name,
      firstUrl: (filters, variant) => {
        const url = new URL(this.firstUrl(filters, { ordering: variant.ordering, sendFields: false }));
        if (variant.sendFields) url.searchParams.set('fields', key === undefined ? 'id' : `id,${key}`);
        url.searchParams.set('page_size', String(LIST_PAGE_SIZE));
        return url.toString();
      },
      emit: async () => {},
    };
    const keys: RowKey[] = [];
    await new ListWalk(lister, this.walkContext(), key).run(bounds, (_records, mark) => {
      keys.push(...mark.keys);
    });
    return keys;
  }

  /** Reads rows again without moving the bookmark (LateRowsHost). */
  async reread(bounds: Record<string, string>, onKeys: (keys: readonly RowKey[]) => void): Promise<number> {
    let rows = 0;
    const untouched = this.run.states.get(this.name) ?? {};
    await new ListWalk(this, this.walkContext(), this.replication.key).run(bounds, (records, mark) => {
      this.run.states.put(this.name, untouched);
      onKeys(mark.keys);
      rows += records.length;
    });
    return rows;
  }

  private async syncFullTable(): Promise<number> {
    const { output, states, runStartMs } = this.run;
    const previous = states.get(this.name);
    const resumed = typeof previous?.version === 'number';
    const version = resumed ? (previous?.version as number) : runStartMs;
    if (!resumed) output.writeActivateVersion(this.outName, version);
    const trackModTs = this.fields.includes('mod_ts');
    const high = new ModTsHigh();
    const modTs = new RecordText('mod_ts');
    let count = 0;
    this.version = version;
    await new ListWalk(this, this.walkContext(), undefined).run({}, (records) => {
      if (trackModTs) for (const record of records) high.offer(modTs.valueOf(record));
      states.put(this.name, { ...previous, version });
      count += records.length;
    });
    this.version = undefined;
    output.writeActivateVersion(this.outName, version);
    const done: Bookmark = { ...previous };
    delete done.version;
    if (high.text !== undefined) {
      // Rows changed during the run may carry later instants than rows not re-read: the next
      // incremental run starts no later than this run did.
      const capped = high.micros < runStartMs * 1000 ? high.text : filterInstant(runStartMs * 1000, 'down');
      done.replication_key = 'mod_ts';
      done.replication_key_value = capped;
    }
    states.put(this.name, done);
    return count;
  }

  /** One window of a window-parallel walk (windows.ts): ordered by the key, cut where the next window starts. */
  walkWindow(
    bounds: Record<string, string>,
    cut: (records: string[], ordered: boolean) => number | undefined,
    afterPage: (records: string[], ordered: boolean, full: boolean) => void,
  ): Promise<void> {
    return new ListWalk(this, this.walkContext(), this.replication.key).run(
      bounds,
      (records, mark) => {
        this.catchUp?.countRead(mark.keys);
        afterPage(records, mark.inKeyOrder, mark.full);
      },
      undefined,
      cut,
    );
  }

  /** The last row within the bounds in descending key order (one row, id and key only); undefined when none. */
  async lastRow(bounds: Record<string, string>): Promise<{ id: unknown; key: unknown } | undefined> {
    const key = this.replication.key!;
    const url = new URL(this.firstUrl(bounds, { ordering: `-${key},-id`, sendFields: false }));
    url.searchParams.set('page_size', '1');
    url.searchParams.set('fields', `id,${key}`);
    const response = await this.run.client.getJson(url.toString(), { endpoint: 'list', entity: this.name });
    if (response.status === 404) return undefined;
    const row = (response.body as { results?: Array<Record<string, unknown>> }).results?.[0];
    return row === undefined ? undefined : { id: row.id, key: row[key] };
  }

  private walkContext(): WalkContext {
    return {
      client: this.run.client,
      mode: this.run.config.page_mode,
      logger: this.run.logger,
      notes: this.notes,
    };
  }

  /** Writes a page's records (WalkHost), the RECORDs carrying the full-table version if any. */
  async emit(page: Page, records: string[], variant: QueryVariant): Promise<void> {
    const { output, metrics } = this.run;
    const outgoing = this.outgoing(page, records, variant);
    const sent = this.mapped === undefined ? outgoing : mapRecords(this.mapped, outgoing);
    if (sent.length > 0) output.writeRecordsJson(this.outName, sent, page.receivedAt, this.version);
    metrics.count('record_count', { stream: this.outName }, sent.length);
    metrics.count('record_bytes', { stream: this.outName }, utf8Bytes(sent));
    await output.drain();
  }

  firstUrl(bounds: Record<string, string>, variant: QueryVariant): string {
    const { config, apiRoot, logger } = this.run;
    const params = new URLSearchParams();
    const own = config.entity_filters[this.name] ?? {};
    for (const [name, value] of Object.entries(own)) params.set(name, String(value));
    for (const [name, value] of Object.entries(scopeFilters(this.name, this.allFields, config, logger)))
      params.set(name, value);
    for (const [name, value] of Object.entries(bounds)) params.set(name, value);
    if (variant.ordering === undefined) params.delete('ordering');
    else params.set('ordering', variant.ordering);
    if (variant.sendFields) params.set('fields', this.fields.join(','));
    params.set('page_size', String(config.page_size));
    params.set('page_mode', config.page_mode);
    return `${apiRoot}/entity/${encodeURIComponent(this.name)}/?${params.toString()}`;
  }

  /**
   * The page's records as they go out: the WMS's own text, unless it spread a record over
   * lines, or sent fields outside the selection (checked on the first record of each page).
   */
  private outgoing(page: Page, records: string[], variant: QueryVariant): string[] {
    const first = records[0];
    const exact =
      page.compact && variant.sendFields && first !== undefined && !hasFieldsBeyond(first, this.fieldSet);
    const out = exact ? records : projectRecords(records, this.fields);
    return this.decimals.length === 0 ? out : quoteDecimals(out, this.decimals);
  }
}

/** The page's records through the stream map: parsed, mapped (or filtered out), serialised. */
function mapRecords(mapped: MappedStream, records: readonly string[]): string[] {
  const sent: string[] = [];
  for (const text of records) {
    const out = mapped.transform(JSON.parse(text) as JsonObject);
    if (out !== undefined) sent.push(JSON.stringify(out));
  }
  return sent;
}

/** UTF-8 bytes of the records' JSON (the run summary's bytes per stream). */
function utf8Bytes(records: readonly string[]): number {
  let bytes = 0;
  for (const record of records) bytes += Buffer.byteLength(record, 'utf8');
  return bytes;
}
