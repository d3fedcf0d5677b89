import { type Logger, SingerError } from '@wms-singer/singer';
import { type Page, Pager } from '../client/paging.js';
import { type WmsClient, WmsRequestError } from '../client/wms-client.js';
import type { PageMode } from '../settings.js';
import { filterInstant, instantMicros } from './bookmarks.js';
import { checkPage, compareKeys, latestKey, type RowKey, RowKeyReader } from './row-keys.js';

/** What the first request asks for; a 400 (or a 414 on `fields=`) walks down to plainer variants. */
export interface QueryVariant {
  ordering: string | undefined;
  sendFields: boolean;
}

/** What one written page says about the bookmark. */
export interface PageMark {
  /** The rows came in proven key order: every row up to `latest` has been written. */
  ordered: boolean;
  /** The latest key among the page's rows (by instant); undefined in a walk by id alone. */
  latest: RowKey | undefined;
  /** Each written row's key. */
  keys: readonly RowKey[];
  /** The page came from a walk asking for key order (windows.ts checks the order itself). */
  inKeyOrder: boolean;
  /** The page was as long as asked for. */
  full: boolean;
}

/** The stream side of a walk: its URLs and how a page's records go out. */
export interface WalkHost {
  readonly name: string;
  firstUrl(bounds: Record<string, string>, variant: QueryVariant): string;
  /** Writes the records (the page's, or the part of them not written before) and waits for the output. */
  emit(page: Page, records: string[], variant: QueryVariant): Promise<void>;
}

export interface WalkContext {
  client: WmsClient;
  mode: PageMode;
  logger: Logger;
  /** Shared by the stream's walks of one run, so a WMS ignoring ordering is said once. */
  notes: { orderIgnored: boolean };
}

const US_PER_SECOND = 1_000_000;

/**
 * A list walk that never loops and never skips. It follows `next_page`, and checks each page
 * against the last row written, by `(key, id)` (or by id alone):
 * - rows served again (a cursor that steps over a tie with a capped offset) are dropped; a page
 *   with nothing new is a cursor stuck on a tied instant: that second is read by itself, ordered
 *   and keyed on id (`id__gt`), and the walk starts again from the next second;
 * - a page out of order means the WMS ignored `ordering`: said once in the log, and the walk
 *   starts again by id, its bookmark advancing only at the end;
 * - in paged mode, a page after the first answering 500 (past the end of a list that shrank)
 *   ends that walk, which starts again after the last row written.
 * A bookmark may advance with a page only once the order is proven: a page in key order that is
 * not also in id order (a WMS ignoring `ordering` answers in id order).
 */
export class ListWalk {
  private readonly reader: RowKeyReader;

  constructor(
    private readonly host: WalkHost,
    private readonly context: WalkContext,
    /** The replication key (a walk by `key,id`), or undefined for a walk by id. */
    private readonly key: string | undefined,
  ) {
    this.reader = new RowKeyReader(key);
  }

  async run(
    base: Record<string, string>,
    afterPage: (records: string[], mark: PageMark) => void,
    preferred?: QueryVariant,
    /** Sees each page before it is written and may end the walk: how many of its rows to write (windows.ts). */
    cut?: (records: string[], inKeyOrder: boolean) => number | undefined,
  ): Promise<void> {
    const { logger, mode } = this.context;
    const { key } = this;
    const variants = fallbackVariants(
      preferred ?? { ordering: key === undefined ? 'id' : `${key},id`, sendFields: true },
    );
    let variantIndex = 0;
    let variant = variants[0]!;
    let byId = key === undefined || variant.ordering === 'id';
    let proven = false;
    let segment: Record<string, string> = {};
    let last: RowKey | undefined;
    let progressed = true;
    for (;;) {
      const unordered = variant.ordering === undefined;
      const pager = new Pager(this.context.client, { entity: this.host.name, mode, logger });
      let pages = 0;
      let restart: 'tie' | 'reorder' | 'resume' | undefined;
      try {
        for await (const page of pager.pages(this.host.firstUrl({ ...base, ...segment }, variant))) {
          pages++;
          const full = page.records.length >= pager.currentPageSize;
          if (unordered) {
            await this.host.emit(page, page.records, variant);
            const keys = page.records.map((r) => this.reader.read(r));
            afterPage(page.records, {
              ordered: false,
              latest: latestKey(keys),
              keys,
              inKeyOrder: false,
              full,
            });
            continue;
          }
          const checked = checkPage(page.records, this.reader, last, byId);
          if (checked.disordered) {
            if (byId) {
              throw new SingerError(
                'WMS_PAYLOAD_INVALID',
                `entity ${this.host.name}: the WMS answers in no order even with ordering=id: it cannot be paged without losing rows`,
              );
            }
            this.warnOrder();
            byId = true;
            variant = { ordering: 'id', sendFields: variant.sendFields };
            segment = {};
            last = undefined;
            restart = 'reorder';
            break;
          }
          if (checked.repeated === page.records.length) {
            if (byId || last === undefined) {
              throw new SingerError(
                'WMS_PAYLOAD_INVALID',
                `entity ${this.host.name}: next_page served only rows already read (by id): stopping rather than looping`,
              );
            }
            restart = 'tie';
            break;
          }
          if (!byId && !checked.alsoById) proven = true;
          let fresh = checked.repeated > 0 ? page.records.slice(checked.repeated) : page.records;
          let keys = checked.repeated > 0 ? checked.keys.slice(checked.repeated) : checked.keys;
          const keep = cut?.(fresh, !byId);
          if (keep !== undefined) {
            fresh = fresh.slice(0, keep);
            keys = keys.slice(0, keep);
          }
          if (keys.length > 0) {
            last = keys[keys.length - 1]!;
            progressed = true;
            await this.host.emit(page, fresh, variant);
          }
          afterPage(fresh, {
            ordered: !byId && proven,
            latest: byId ? latestKey(keys) : last?.text === undefined ? undefined : last,
            keys,
            inKeyOrder: !byId,
            full,
          });
          if (keep !== undefined) return;
        }
      } catch (error) {
        const next = variants[variantIndex + 1];
        if (pages === 0 && next !== undefined && isRefusal(error)) {
          const refused = error as WmsRequestError;
          // A URL too long for the WMS: the long part is fields=, so ask for every field.
          const fallback = refused.status === 414 ? { ordering: variant.ordering, sendFields: false } : next;
          logger.warn(
            {
              stream: this.host.name,
              ordering: variant.ordering ?? null,
              fields: variant.sendFields,
              detail: refused.detail,
            },
            `entity ${this.host.name}: the WMS refused the query (HTTP ${refused.status}); retrying with ordering=${fallback.ordering ?? '(none)'}${fallback.sendFields ? '' : ' and without fields='}`,
          );
          variantIndex = Math.max(
            variantIndex + 1,
            variants.findIndex(
              (v) => v.ordering === fallback.ordering && v.sendFields === fallback.sendFields,
            ),
          );
          variant = variants[variantIndex]!;
          byId = key === undefined || variant.ordering === 'id';
          continue;
        }
        if (
          mode === 'paged' &&
          pages > 0 &&
          last !== undefined &&
          progressed &&
          !unordered &&
          error instanceof SingerError &&
          error.code === 'WMS_UNAVAILABLE'
        ) {
          logger.warn(
            { stream: this.host.name },
            `entity ${this.host.name}: a page after the last full one failed (a list that shrank answers 500 past its end): starting again after the last row read`,
          );
          restart = 'resume';
        } else {
          throw error;
        }
      }
      if (restart === undefined) return;
      if (restart === 'tie') {
        const after = await this.readSecond(base, last!, variant, afterPage);
        if (after === undefined) return;
        segment = { [`${key}__gte`]: filterInstant(after, 'down') };
        last = undefined;
        // The walk moved past a whole second: a later resume is progress again.
        progressed = true;
      } else if (restart === 'resume') {
        progressed = false;
        segment = byId
          ? { id__gt: String(last!.id) }
          : {
              [`${key}__gte`]: filterInstant(
                Math.floor(last!.micros / US_PER_SECOND) * US_PER_SECOND,
                'down',
              ),
            };
      }
    }
  }

  /**
   * Reads the whole second of `last` by itself, ordered and keyed on id, and returns the
   * instant the walk goes on from (the next second), or undefined when that is past the
   * walk's upper bound. Its rows leave the bookmark where it was until the second is done.
   */
  private async readSecond(
    base: Record<string, string>,
    last: RowKey,
    variant: QueryVariant,
    afterPage: (records: string[], mark: PageMark) => void,
  ): Promise<number | undefined> {
    const key = this.key!;
    const second = Math.floor(last.micros / US_PER_SECOND) * US_PER_SECOND;
    const upperText = base[`${key}__lt`];
    const upper = upperText === undefined ? Number.POSITIVE_INFINITY : instantMicros(upperText);
    const end = Math.min(second + US_PER_SECOND, upper);
    this.context.logger.info(
      { stream: this.host.name, second: filterInstant(second, 'down') },
      `entity ${this.host.name}: the cursor makes no progress inside one instant (a tie larger than it steps over): reading that second by id`,
    );
    const bounds = {
      ...base,
      [`${key}__gte`]: filterInstant(second, 'down'),
      [`${key}__lt`]: filterInstant(end, 'up'),
    };
    const byId: QueryVariant = { ordering: 'id', sendFields: variant.sendFields };
    let afterId: number | undefined;
    let rows = 0;
    for (;;) {
      const url = this.host.firstUrl(
        afterId === undefined ? bounds : { ...bounds, id__gt: String(afterId) },
        byId,
      );
      const response = await this.context.client.getListPage(url, {
        endpoint: 'list',
        entity: this.host.name,
      });
      if (response.status === 404 || response.body === undefined || response.body.records.length === 0) break;
      const { records, compact } = response.body;
      const keys = records.map((raw) => this.reader.read(raw));
      for (const key of keys) {
        if (afterId !== undefined && !(key.id > afterId)) {
          throw new SingerError(
            'WMS_PAYLOAD_INVALID',
            `entity ${this.host.name}: rows of one second came back out of id order (ordering=id, id__gt): cannot read them without looping`,
          );
        }
        afterId = key.id;
      }
      // Rows up to the last one the walk wrote were written already.
      const fresh = records.filter((_, i) => compareKeys(keys[i]!, last) > 0);
      if (fresh.length === 0) continue;
      rows += fresh.length;
      await this.host.emit({ records: fresh, compact, receivedAt: new Date().toISOString() }, fresh, byId);
      const freshKeys = keys.filter((key) => compareKeys(key, last) > 0);
      afterPage(fresh, {
        ordered: false,
        latest: latestKey(freshKeys),
        keys: freshKeys,
        inKeyOrder: false,
        full: records.length >= this.pageSize(url),
      });
    }
    this.context.logger.info(
      { stream: this.host.name, rows },
      `entity ${this.host.name}: the tied second is read`,
    );
    return end >= upper ? undefined : end;
  }

  private pageSize(url: string): number {
    return Number(new URL(url).searchParams.get('page_size') ?? Number.POSITIVE_INFINITY);
  }

  private warnOrder(): void {
    if (this.context.notes.orderIgnored) return;
    this.context.notes.orderIgnored = true;
    this.context.logger.warn(
      { stream: this.host.name },
      `entity ${this.host.name}: the WMS ignores ordering=${this.key},id (rows came out of mod_ts order): reading it by id instead; its bookmark advances only when the walk is complete`,
    );
  }
}

function isRefusal(error: unknown): boolean {
  return error instanceof WmsRequestError && (error.status === 400 || error.status === 414);
}

export function fallbackVariants(preferred: QueryVariant): QueryVariant[] {
  const variants: QueryVariant[] = [preferred];
  const add = (variant: QueryVariant): void => {
    if (!variants.some((v) => v.ordering === variant.ordering && v.sendFields === variant.sendFields))
      variants.push(variant);
  };
  add({ ordering: 'id', sendFields: true });
  add({ ordering: undefined, sendFields: true });
  add({ ordering: preferred.ordering, sendFields: false });
  add({ ordering: 'id', sendFields: false });
  add({ ordering: undefined, sendFields: false });
  return variants;
}
