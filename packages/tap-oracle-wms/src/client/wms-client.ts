import { type Logger, type Metrics, type MetricTags, SingerError } from '@wms-singer/singer';
import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Authenticator } from './auth.js';
import type { RequestBudget } from './budget.js';
import { displayUrl, proxyRefusal, tlsFailure } from './http.js';
import { type ListPage, readListPage } from './list-page.js';
import {
  backoffMs,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
  sleep,
  type TransportFailure,
  transportFailure,
} from './retry.js';

export type Endpoint = 'entities' | 'describe' | 'list';

export interface RequestContext {
  endpoint: Endpoint;
  /** The entity (stream) the request is for; absent for the entity list. */
  entity?: string;
  /**
   * Called before retrying after a timeout or a 504: returns the URL to try next (the pager
   * halves page_size there). Not called for other failures.
   */
  onSlow?: (url: string) => string;
  /** Called with a 200 body before it is read (the pager peeks at next_page there). */
  onBody?: (text: string) => void;
  /** HTTP statuses given up on at once (WMS_UNAVAILABLE) instead of retried. */
  failFast?: readonly number[] | undefined;
}

export interface WmsResponse<Body = unknown> {
  /** 200, or 404 (a list without rows, or an unknown entity: the caller decides). */
  status: 200 | 404;
  /** The read body of a 200; the parsed error body (if any) of a 404. */
  body: Body;
  /** The URL that answered (after any page-size rewrite). */
  url: string;
}

/** A 4xx the caller may be able to work around (400 on ordering, 405, ...). */
export class WmsRequestError extends SingerError {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly detail: string,
    message: string,
  ) {
    super(`WMS_HTTP_${status}`, message);
    this.name = 'WmsRequestError';
  }
}

const subject = (context: RequestContext): string =>
  context.entity === undefined ? 'entity list' : `entity ${context.entity}`;

/** Authenticated GETs of WMS JSON with retries, the one-line errors, and request metrics. */
export class WmsClient {
  constructor(
    private readonly http: AxiosInstance,
    private readonly auth: Authenticator,
    private readonly retry: RetryPolicy,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly signal?: AbortSignal,
    /** Shared by every request of the run: bounds the requests in flight. */
    private readonly budget?: RequestBudget,
  ) {}

  /** The request budget's size and the most requests that were in flight at once (none without a budget). */
  get requestsInFlight(): { budget: number; peak: number } | undefined {
    return this.budget === undefined ? undefined : { budget: this.budget.size, peak: this.budget.peak };
  }

  getJson(url: string, context: RequestContext): Promise<WmsResponse> {
    return this.get(url, context, (text) => JSON.parse(text) as unknown);
  }

  /** A list page, its records left as JSON text (see list-page.ts). */
  getListPage(url: string, context: RequestContext): Promise<WmsResponse<ListPage | undefined>> {
    return this.get<ListPage | undefined>(url, context, readListPage);
  }

  /**
   * GET with retries. `read` turns a 200 body into its value; when it throws (a truncated or
   * garbled body) the request is retried like a reset connection.
   */
  private async get<Body>(
    startUrl: string,
    context: RequestContext,
    read: (text: string) => Body,
  ): Promise<WmsResponse<Body>> {
    let url = startUrl;
    let refreshedAfter401 = false;
    for (let retryNumber = 0; ; ) {
      const authorization = await this.auth.header(this.signal);
      const tags: MetricTags = { endpoint: context.endpoint };
      if (context.entity !== undefined) tags.stream = context.entity;
      const release = await this.budget?.acquire();
      const stopTimer = this.metrics.startTimer('http_request_duration', tags);
      let failure: TransportFailure | `HTTP ${number}` | 'unparsable body';
      let delay: number | undefined;
      let slow = false;
      try {
        let response: AxiosResponse<string>;
        try {
          response = await this.http.get<string>(url, {
            headers: { Authorization: authorization },
            signal: this.signal,
          });
        } finally {
          release?.();
        }
        const status = response.status;
        stopTimer({ status });
        if (status === 200) {
          context.onBody?.(response.data);
          try {
            return { status: 200, body: read(response.data), url };
          } catch {
            failure = 'unparsable body';
          }
        } else if (status === 404) {
          return { status: 404, body: parseQuietly(response.data) as Body, url };
        } else if (status === 401) {
          if (this.auth.kind === 'bearer' && !refreshedAfter401) {
            refreshedAfter401 = true;
            this.auth.invalidate(authorization);
            this.logger.info(
              { stream: context.entity },
              'the WMS refused the bearer token (401): getting a new one',
            );
            continue;
          }
          throw new SingerError(
            'WMS_UNAUTHORIZED',
            `${subject(context)}: the WMS rejected the credentials (HTTP 401) at ${displayUrl(url)} — ${this.auth.credentialHint}`,
          );
        } else if (status === 407) {
          throw new SingerError('PROXY_REFUSED', `${subject(context)}: ${proxyRefusal(url)}`);
        } else if (status === 403) {
          throw new SingerError(
            'WMS_FORBIDDEN',
            `${subject(context)}: the WMS user lacks the lgfapi_read_access permission (HTTP 403) at ${displayUrl(url)}`,
          );
        } else if (isRetryableStatus(status)) {
          failure = `HTTP ${status}`;
          delay = retryAfterMs(response.headers['retry-after']);
          slow = status === 504;
        } else {
          const detail = errorDetail(response.data);
          throw new WmsRequestError(
            status,
            url,
            detail,
            `${subject(context)}: the WMS answered HTTP ${status} at ${displayUrl(url)}${detail ? ` (${detail})` : ''}`,
          );
        }
      } catch (error) {
        if (error instanceof SingerError) throw error;
        if (this.signal?.aborted) throw this.signal.reason;
        const tls = tlsFailure(error, url);
        if (tls !== undefined) throw new SingerError('TLS_FAILED', `${subject(context)}: ${tls}`);
        const kind = transportFailure(error);
        stopTimer({ status: kind ?? 'error' });
        if (kind === undefined) {
          throw new SingerError(
            'WMS_REQUEST_FAILED',
            `${subject(context)}: request to ${displayUrl(url)} failed (${(error as Error).message})`,
          );
        }
        failure = kind;
        slow = kind === 'timeout';
      }
      if (
        retryNumber >= this.retry.maxRetries ||
        context.failFast?.some((code) => failure === `HTTP ${code}`)
      ) {
        throw new SingerError(
          'WMS_UNAVAILABLE',
          `${subject(context)}: giving up on ${displayUrl(url)} after ${retryNumber + 1} attempts (last: ${failure})`,
        );
      }
      if (slow && context.onSlow !== undefined) url = context.onSlow(url);
      const wait = delay ?? backoffMs(this.retry, retryNumber);
      this.logger.warn(
        { stream: context.entity, attempt: retryNumber + 1, delay_ms: wait },
        `${subject(context)}: ${failure} from ${displayUrl(url)}: retrying`,
      );
      retryNumber++;
      this.metrics.count('retry_count', { endpoint: context.endpoint });
      await sleep(wait, this.signal);
    }
  }
}

function parseQuietly(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The WMS error body's message (`{reference, code, message, details}`), shortened to one line. */
function errorDetail(text: unknown): string {
  const body = parseQuietly(text) as { code?: unknown; message?: unknown } | undefined;
  const parts = [body?.code, body?.message].filter((part) => typeof part === 'string' && part !== '');
  return parts.join(': ').replace(/\s+/g, ' ').slice(0, 300);
}
