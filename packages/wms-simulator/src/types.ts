/** Public option and result types of the simulator (the in-process contract). */
import type { Quirk } from './quirks.js';

export type { Quirk } from './quirks.js';

/** Fault kinds that change one response. */
export type RequestFaultKind =
  | '500'
  | '503'
  | '504'
  | '429'
  | '429-retry-after'
  | '409'
  | 'reset'
  | 'truncated'
  | 'slow'
  | 'token-expiry'
  | '502';

/** Fault kinds that switch a paged-mode behaviour on for every request. */
export type ModeFaultKind = 'phantom-page' | 'stale-page-count';

export type FaultKind = RequestFaultKind | ModeFaultKind;

export const REQUEST_FAULT_KINDS: readonly RequestFaultKind[] = [
  '500',
  '503',
  '504',
  '429',
  '429-retry-after',
  '409',
  'reset',
  'truncated',
  'slow',
  'token-expiry',
  '502',
];
/** Kinds drawn by `rate` when `kinds` is absent: every request kind but '502' (kept out so seeded draws stay as before). */
export const DEFAULT_RANDOM_FAULT_KINDS: readonly RequestFaultKind[] = REQUEST_FAULT_KINDS.filter(
  (k) => k !== '502',
);
export const MODE_FAULT_KINDS: readonly ModeFaultKind[] = ['phantom-page', 'stale-page-count'];

/** Which API endpoint a request hit. */
export type Endpoint = 'entities' | 'describe' | 'list' | 'retrieve' | 'token';

/** One scheduled fault: fires on the requests it matches. */
export interface FaultRule {
  kind: RequestFaultKind;
  /** Only requests to this entity (list, retrieve, describe). */
  entity?: string;
  /** Only this endpoint (default: any API endpoint except 'token'). */
  endpoint?: Endpoint;
  /** Fire on the Nth matching request (1-based); a list fires on each of those. */
  nth?: number | number[];
  /** Only list pages with this page number (paged: page_nbr; sequenced: 1-based page in the walk). */
  page?: number;
  /** How many times the rule may fire (default: unlimited, or the count of `nth`). */
  times?: number;
}

export interface FaultConfig {
  /** Share (0..1) of API requests that fail with a fault drawn from `kinds`. */
  rate?: number;
  /** Kinds drawn by `rate` (default: every request kind). Mode kinds listed here switch that mode on. */
  kinds?: FaultKind[];
  /** Seed of the fault draws (default: the simulator seed). */
  seed?: number;
  /** Scheduled faults, checked before `rate`. */
  schedule?: FaultRule[];
  /** Entity -> ordering fields answering 400 (`ordering` naming any of them, with or without `-`). */
  orderingErrors?: Record<string, string[]>;
  /** Paged mode: a page past the last answers 500 instead of 404. */
  phantomPage?: boolean;
  /** Paged mode: page_count (and result_count) are reported this many pages too high. */
  stalePageCount?: number;
  /** Delay of a 'slow' response in ms (default 500). */
  slowMs?: number;
  /** Delay before a 504 in ms (default 500). */
  gatewayTimeoutMs?: number;
  /** Retry-After seconds of '429-retry-after' (default 1). */
  retryAfterSeconds?: number;
}

export interface SimulatorOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Default 42. */
  seed?: number;
  /** Default 'demo' -> baseUrl http://127.0.0.1:PORT/demo */
  environment?: string;
  /** Rows per entity; unspecified ones derive from order_dtl (see docs/wms-simulator.md). */
  rows?: Partial<Record<string, number>>;
  /** Default 'wms_user'. */
  username?: string;
  /** Default 'wms_password'. */
  password?: string;
  /** Default 'wms_client'. */
  oauthClientId?: string;
  /** Default 'wms_secret'. */
  oauthClientSecret?: string;
  /** Default 3600. */
  tokenTtlSeconds?: number;
  /** Extra Basic users WITHOUT lgfapi_read_access -> 403 (default {'no_access_user':'no_access_password'}). */
  readOnlyUsers?: Record<string, string>;
  /** Unconfirmed shape of GET entity/: an object {name: url} (default) or a list of names. */
  entityListShape?: 'object' | 'list';
  /** Entities whose describe answers 403. */
  describeForbidden?: string[];
  faults?: FaultConfig;
  /** Share of rows breaking consistency (default 0). */
  integrityViolationRate?: number;
  /** The user's rows per page (default 100). */
  defaultPageSize?: number;
  /** Unconfirmed: page_size above 1250 is clamped (default) or answers 400. */
  oversizePageSize?: 'clamp' | 'reject';
  /** Unconfirmed: sub-second filter values are accepted (default), truncated to the second, or answer 400. */
  subsecondFilters?: 'accept' | 'truncate' | 'reject';
  /**
   * Offset of rendered `*_ts` values: each row's facility offset (default; rows without facility use the
   * user's default facility), or always the user's default facility (facility 1).
   */
  timestampOffset?: 'row-facility' | 'user-facility';
  /** First instant of the simulated clock, ISO-8601 with offset (default: seeded, mid 2025; wall clock: now). */
  startTime?: string;
  /**
   * 'simulated' (default): time moves only by `advance` (`seconds`, default 60). 'wall': the clock starts at the
   * real time and `advance` stamps changes at the real time (never earlier than before), so a client bounding
   * a run with its own clock (`mod_ts__lt=<run start>`) sees changes made during the run only in the next one.
   */
  clock?: 'simulated' | 'wall';
  /** Answer gzip when the client accepts it (default true). */
  gzip?: boolean;
  /** Serve HTTPS with this certificate and key (PEM text); HTTP when absent. */
  tls?: { cert: string; key: string };
  /**
   * Server time of a list page of 1000 rows, in ms (default 0): a quarter of it for any list request, the
   * rest in proportion to the rows served (a 404 "no rows" costs the quarter).
   */
  pageLatencyMs?: number;
  /** API requests served at once; more wait in arrival order (default 0: unlimited). No 429 is documented. */
  maxConcurrentRequests?: number;
  /**
   * Behaviours of a real lgfapi the default does not play (docs/wms-simulator.md#quirks): a list of names,
   * a comma list, or 'all'. Default none.
   */
  quirks?: readonly (Quirk | 'all')[] | string;
  /** `late-commits`: how far behind the clock a late row's mod_ts may lie, in seconds (default 21600). */
  lateCommitMaxSeconds?: number;
  /** `cursor-ties`: rows of a bulk group (generated: at most 70% of a table; per advance: at most its live rows). Default 1300. */
  bulkGroupRows?: number;
}

/** Requests in service and waiting for a worker (see `maxConcurrentRequests`). */
export interface ServerLoad {
  active: number;
  queued: number;
  /** Highest values since the start or `resetLoadPeaks()`. */
  peakActive: number;
  peakQueued: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  auth: 'basic' | 'bearer' | 'none';
  /** The fault injected into this request, if any. */
  fault?: RequestFaultKind;
}

export interface AdvanceRequest {
  /** One entity, or every entity when absent. */
  entity?: string;
  updates?: number;
  inserts?: number;
  deletes?: number;
  /** How far the clock moves at least (default 60 with the simulated clock, 0 with the wall clock). */
  seconds?: number;
}

export interface EntityChange {
  updated: number[];
  inserted: number[];
  deleted: number[];
  /** `late-commits`: ids among updated/inserted whose mod_ts lies before this advance's `from`. */
  late?: number[];
  /** `late-commits`: hidden rows made visible by this advance, with their old mod_ts. */
  revealed?: number[];
}

export interface AdvanceResult {
  /** The simulated clock before and after, ISO-8601 in UTC with microseconds. */
  from: string;
  now: string;
  /** Ids touched per entity (cascades and parent updates included). */
  changes: Record<string, EntityChange>;
}

export interface Simulator {
  readonly baseUrl: string;
  readonly apiUrl: string;
  readonly tokenUrl: string;
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  advance(change?: AdvanceRequest): AdvanceResult;
  snapshot(entity: string): Record<string, unknown>[];
  setFaults(faults: FaultConfig | undefined): void;
  expireTokens(): void;
  /** API requests in service and queued now, and their peaks. */
  load(): ServerLoad;
  resetLoadPeaks(): void;
  entities(): string[];
  /** The quirks switched on (docs/wms-simulator.md#quirks). */
  readonly quirks: readonly Quirk[];
  stop(): Promise<void>;
}
