import {
  type Bookmark,
  type CatalogEntry,
  ConfigError,
  type JsonObject,
  type JsonSchema,
  type Logger,
  type MappedStream,
  type Metrics,
  SingerError,
  type SingerWriter,
  type StreamMaps,
  type StreamReplication,
  selectedProperties,
  selectedSchema,
  streamReplication,
} from '@wms-singer/singer';
import { type Page, Pager } from '../client/paging.js';
import { type WmsClient, WmsRequestError } from '../client/wms-client.js';
import { normaliseStartDate, type TapConfig } from '../settings.js';
import { filterInstant, instantMicros, ModTsHigh, secondsToMicros } from './bookmarks.js';
import { scopeFilters } from './filters.js';
import { hasFieldsBeyond, projectRecords, RecordText } from './record-text.js';
import type { StateBook } from './state-book.js';
import { extractWindows, type WindowWalker } from './windows.js';

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

/** What the first request asks for; a 400 walks down to plainer variants. */
interface QueryVariant {
  ordering: string | undefined;
  sendFields: boolean;
}

/** One lgfapi entity as a Singer stream: its query, its pages, its bookmark. */
export class WmsStream implements WindowWalker {
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
    const keyText = new RecordText(key);
    if (config.parallel_windows > 1) {
      count = await extractWindows(this, {
        key,
        keyText,
        lower,
        upper: runStartMs * 1000,
        lanes: config.parallel_windows,
        pageSize: config.page_size,
        logger: this.run.logger,
        advance: (text) => {
          if (high.offer(text)) states.put(this.name, bookmark());
        },
      });
      states.put(this.name, bookmark());
      return count;
    }
    await this.walk(bounds, { ordering: `${key},id`, sendFields: true }, (records, variant) => {
      // Ordered by the key, the page's last row carries its highest value and a resumed run
      // may start there; otherwise only the end of the walk proves every row was seen.
      if (variant.ordering?.startsWith(key)) {
        high.offer(keyText.valueOf(records[records.length - 1]!));
        this.run.states.put(this.name, bookmark());
      } else {
        for (const record of records) high.offer(keyText.valueOf(record));
        this.run.states.put(this.name, startBookmark);
      }
      count += records.length;
    });
    this.run.states.put(this.name, bookmark());
    return count;
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
    await this.walk(
      {},
      { ordering: 'id', sendFields: true },
      (records) => {
        if (trackModTs) for (const record of records) high.offer(modTs.valueOf(record));
        states.put(this.name, { ...previous, version });
        count += records.length;
      },
      version,
    );
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

  /**
   * Pages through the list, writing each page's records then (through `afterPage`) its STATE,
   * and waits for the output to drain before the next page. A 400 on the first page walks down
   * the variants (ordering by id, no ordering, no `fields`) and says so in the log.
   */
  private async walk(
    bounds: Record<string, string>,
    preferred: QueryVariant,
    afterPage: (records: string[], variant: QueryVariant, full: boolean) => void,
    version?: number,
    cut?: (records: string[], variant: QueryVariant) => number | undefined,
  ): Promise<void> {
    const { output, metrics, logger } = this.run;
    const variants = fallbackVariants(preferred);
    for (let index = 0; index < variants.length; index++) {
      const variant = variants[index]!;
      const pager = new Pager(this.run.client, {
        entity: this.name,
        mode: this.run.config.page_mode,
        logger,
      });
      let pages = 0;
      let last: string | undefined;
      let lastFull = false;
      try {
        for await (const page of pager.pages(this.firstUrl(bounds, variant))) {
          pages++;
          last = page.records[page.records.length - 1];
          lastFull = page.records.length >= pager.currentPageSize;
          // A window of a window-parallel walk ends where the next one starts (windows.ts).
          const keep = cut?.(page.records, variant);
          if (keep !== undefined) page.records = page.records.slice(0, keep);
          const records = this.outgoing(page, variant);
          const sent = this.mapped === undefined ? records : mapRecords(this.mapped, records);
          if (sent.length > 0) output.writeRecordsJson(this.outName, sent, page.receivedAt, version);
          afterPage(records, variant, lastFull);
          metrics.count('record_count', { stream: this.outName }, sent.length);
          metrics.count('record_bytes', { stream: this.outName }, utf8Bytes(sent));
          await output.drain();
          if (keep !== undefined) return;
        }
        return;
      } catch (error) {
        if (lastFull && (await this.endedAfterPhantomPage(error, bounds, variant, last))) return;
        const next = variants[index + 1];
        if (!(error instanceof WmsRequestError) || error.status !== 400 || pages > 0 || next === undefined)
          throw error;
        logger.warn(
          {
            stream: this.name,
            ordering: variant.ordering ?? null,
            fields: variant.sendFields,
            detail: error.detail,
          },
          `entity ${this.name}: the WMS refused the query (HTTP 400); retrying with ordering=${next.ordering ?? '(none)'}${next.sendFields ? '' : ' and without fields='}`,
        );
      }
    }
  }

  /** One window of a window-parallel walk (windows.ts): ordered by the key, cut where the next window starts. */
  walkWindow(
    bounds: Record<string, string>,
    cut: (records: string[], ordered: boolean) => number | undefined,
    afterPage: (records: string[], ordered: boolean, full: boolean) => void,
  ): Promise<void> {
    const key = this.replication.key!;
    const ordered = (variant: QueryVariant): boolean => variant.ordering?.startsWith(key) === true;
    return this.walk(
      bounds,
      { ordering: `${key},id`, sendFields: true },
      (records, variant, full) => afterPage(records, ordered(variant), full),
      undefined,
      (records, variant) => cut(records, ordered(variant)),
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

  /**
   * Paged mode with stale counts: after a full page, `next_page` may point past the end, and
   * that page has been seen to answer 500 rather than 404. When the retries of such a page are
   * exhausted, ask for one row after the last one written (by the walk's own ordering): a 404
   * proves the list had ended. Rows sharing the last mod_ts are re-read by the next run's overlap.
   */
  private async endedAfterPhantomPage(
    error: unknown,
    bounds: Record<string, string>,
    variant: QueryVariant,
    lastText: string | undefined,
  ): Promise<boolean> {
    if (this.run.config.page_mode !== 'paged' || lastText === undefined) return false;
    if (!(error instanceof SingerError) || error.code !== 'WMS_UNAVAILABLE') return false;
    const last = JSON.parse(lastText) as JsonObject;
    const key = this.replication.key;
    let after: Record<string, string>;
    if (variant.ordering === 'id') after = { id__gt: String(last.id) };
    else if (key !== undefined && variant.ordering?.startsWith(key) && typeof last[key] === 'string')
      after = { [`${key}__gt`]: last[key] };
    else return false;
    const probe = new URL(
      this.firstUrl({ ...bounds, ...after }, { ordering: variant.ordering, sendFields: false }),
    );
    probe.searchParams.set('page_size', '1');
    probe.searchParams.set('fields', 'id');
    const response = await this.run.client.getJson(probe.toString(), { endpoint: 'list', entity: this.name });
    if (response.status !== 404) return false;
    this.run.logger.warn(
      { stream: this.name },
      `entity ${this.name}: the page after the last full page failed, and no row follows it: the list has ended (stale page count)`,
    );
    return true;
  }

  private firstUrl(bounds: Record<string, string>, variant: QueryVariant): string {
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
  private outgoing(page: Page, variant: QueryVariant): string[] {
    const first = page.records[0];
    const exact =
      page.compact && variant.sendFields && first !== undefined && !hasFieldsBeyond(first, this.fieldSet);
    return exact ? page.records : projectRecords(page.records, this.fields);
  }
}

function fallbackVariants(preferred: QueryVariant): QueryVariant[] {
  const variants: QueryVariant[] = [preferred];
  const add = (variant: QueryVariant): void => {
    if (!variants.some((v) => v.ordering === variant.ordering && v.sendFields === variant.sendFields))
      variants.push(variant);
  };
  add({ ordering: 'id', sendFields: true });
  add({ ordering: undefined, sendFields: true });
  add({ ordering: preferred.ordering, sendFields: false });
  add({ ordering: undefined, sendFields: false });
  return variants;
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
