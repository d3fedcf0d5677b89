import { type Logger, SingerError } from '@wms-singer/singer';
import type { PageMode } from '../settings.js';
import { peekNextPage } from './list-page.js';
import type { WmsClient } from './wms-client.js';

export interface Page {
  /** Each record's JSON text, as the WMS sent it. */
  records: string[];
  /** False when some record spans lines (it must be re-serialised). */
  compact: boolean;
  /** RFC 3339 UTC instant the page arrived: the RECORDs' time_extracted. */
  receivedAt: string;
}

export interface PagerOptions {
  entity: string;
  mode: PageMode;
  logger: Logger;
}

/**
 * Walks a list by following `next_page` exactly as the WMS gives it, fetching ahead of the
 * page being written. A 404 or an empty page is "no (more) rows"; a short page is not the end. After a timeout or a 504 the page size is halved
 * for the rest of the walk: the only edit ever made to a `next_page` URL (and in paged mode
 * the page number, so the row offset stays the same).
 *
 * Sequenced mode: when `next_page` opens the answer (as it does on the WMS's sequenced
 * envelope) the next request leaves as soon as the body is in, before the records are
 * scanned, so the WMS is not idle while the tap reads. Memory stays bounded: a page may start
 * its successor early only while at most one other page is held (at most three in all).
 */
export class Pager {
  private pageSize = 0;
  private host = '';
  /** Pages fetched and not yet given back by the consumer. */
  private held = 0;

  /** The page size asked for now (halved after slow pages). */
  get currentPageSize(): number {
    return this.pageSize;
  }

  constructor(
    private readonly client: WmsClient,
    private readonly options: PagerOptions,
  ) {}

  async *pages(firstUrl: string): AsyncGenerator<Page> {
    this.pageSize = pageSizeOf(firstUrl);
    this.host = new URL(firstUrl).hostname;
    let pending: Promise<FetchedPage | undefined> | undefined = this.fetch(firstUrl);
    while (pending !== undefined) {
      const page: FetchedPage | undefined = await pending;
      if (page === undefined) return;
      if (page.next === undefined) pending = undefined;
      else if (page.early?.url === page.next) pending = page.early.page;
      else pending = this.fetch(page.next);
      // Each page would otherwise hold its successor's promise, and so the whole walk: a
      // chain that measured 600 MB by the millionth row.
      page.early = undefined;
      // The prefetch may fail while this page is written; its error surfaces at the next await.
      pending?.catch(() => undefined);
      if (page.records.length > 0)
        yield { records: page.records, compact: page.compact, receivedAt: page.receivedAt };
      this.held--;
    }
  }

  private async fetch(given: string): Promise<FetchedPage | undefined> {
    if (given !== '' && new URL(given).hostname !== this.host) {
      // The Authorization header goes wherever next_page points: only to the WMS we were given.
      throw new SingerError(
        'WMS_PAYLOAD_INVALID',
        `entity ${this.options.entity}: next_page points to ${new URL(given).hostname}, not to ${this.host}: refusing to send credentials there`,
      );
    }
    const givenSize = pageSizeOf(given);
    const url =
      Number.isFinite(givenSize) && this.pageSize < givenSize
        ? resize(given, this.pageSize, this.options.mode)
        : given;
    let early: FetchedPage['early'];
    const response = await this.client.getListPage(url, {
      endpoint: 'list',
      entity: this.options.entity,
      // Paged mode: a page after the first answering 500 may lie past the end of a shrinking
      // list; the walk resumes after its last row instead of retrying it (stream walk).
      failFast: this.options.mode === 'paged' && /[?&]page=(?!1(?:&|$))\d/.test(url) ? [500] : undefined,
      onSlow: (slowUrl) => this.halve(slowUrl),
      onBody: (text) => {
        if (early !== undefined || this.options.mode !== 'sequenced' || this.held > 1) return;
        const next = peekNextPage(text);
        if (next === undefined) return;
        const page = this.fetch(next);
        page.catch(() => undefined);
        early = { url: next, page };
      },
    });
    const receivedAt = new Date().toISOString();
    if (response.status === 404 || response.body === undefined) {
      this.options.logger.debug({ stream: this.options.entity }, 'the list answered 404: no (more) rows');
      return undefined;
    }
    const { records, envelope, compact } = response.body;
    const nextPage = envelope.next_page;
    // The walk ends only on an empty page, a 404 or no next_page: paged mode may serve short
    // pages in the middle of a walk, and its counts go stale while data changes.
    let next = typeof nextPage === 'string' && nextPage !== '' ? nextPage : undefined;
    if (records.length === 0) next = undefined;
    this.held++;
    return { records, compact, next, receivedAt, early };
  }

  private halve(url: string): string {
    const current = pageSizeOf(url);
    const halved = Math.max(1, Math.floor(current / 2));
    if (halved >= current) return url;
    const params = new URL(url).searchParams;
    const pageNumber = Number(params.get('page') ?? '1');
    // Paged mode: page N of size S starts at row (N-1)*S; that row must start a page of the new size.
    if (this.options.mode === 'paged' && pageNumber > 1 && ((pageNumber - 1) * current) % halved !== 0) {
      this.options.logger.warn(
        { stream: this.options.entity },
        `slow page: page_size ${current} cannot be halved at page ${pageNumber}`,
      );
      return url;
    }
    this.pageSize = halved;
    this.options.logger.warn(
      { stream: this.options.entity, page_size: halved },
      'slow page (timeout or 504): halving page_size',
    );
    return resize(url, halved, this.options.mode);
  }
}

interface FetchedPage {
  records: string[];
  compact: boolean;
  /** The successor requested from the head of this page's body, before it was scanned. */
  early?: { url: string; page: Promise<FetchedPage | undefined> } | undefined;
  next: string | undefined;
  receivedAt: string;
}

function pageSizeOf(url: string): number {
  const match = /[?&]page_size=(\d+)/.exec(url);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

function resize(url: string, size: number, mode: PageMode): string {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  const old = Number(params.get('page_size'));
  if (mode === 'paged' && params.has('page') && old > 0) {
    const first = (Number(params.get('page')) - 1) * old;
    params.set('page', String(Math.floor(first / size) + 1));
  }
  params.set('page_size', String(size));
  return parsed.toString();
}
