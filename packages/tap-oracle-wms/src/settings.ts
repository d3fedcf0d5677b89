import { ConfigError, type SettingsSchema, STREAM_MAP_SETTINGS } from '@wms-singer/singer';

export const DEFAULT_OAUTH_SCOPE = 'urn:resource:fusion:scm:logistics:wms:lgfapi/';
export const CORE_ENTITIES = ['allocation', 'order_hdr', 'order_dtl'];
/** The documented ceiling of `page_size`; behaviour above it is undocumented, so we never ask for more. */
export const MAX_PAGE_SIZE = 1250;

/** Chosen from bench/tap-extract.ts figures (docs/tap.md, "Window-parallel extraction"). */
export const DEFAULT_PARALLEL_WINDOWS = 4;

export type PageMode = 'sequenced' | 'paged';

/** Settings after validation (defaults filled by the kit's ajv pass). */
export interface TapConfig {
  base_url: string;
  api_version: string;
  auth_method: 'basic' | 'oauth2';
  username?: string;
  password?: string;
  oauth_token_url?: string;
  oauth_client_id?: string;
  oauth_client_secret?: string;
  oauth_scope: string;
  oauth_grant_type: 'password' | 'client_credentials';
  entities: string[];
  page_size: number;
  page_mode: PageMode;
  start_date?: string;
  facility_code?: string;
  company_code?: string;
  entity_filters: Record<string, Record<string, string | number | boolean>>;
  replication_overlap_seconds: number;
  late_rows_window_hours: number;
  request_timeout_seconds: number;
  max_retries: number;
  retry_backoff_seconds: number;
  max_concurrent_streams: number;
  parallel_windows: number;
  discovery_mode: 'describe' | 'bundled';
  ca_bundle?: string;
  tls_verify: boolean;
  proxy_url?: string;
  stream_maps?: Record<string, unknown>;
  stream_map_config?: Record<string, unknown>;
}

const ENTITY_NAME = '^[a-z][a-z0-9_]*$';

/** The settings schema `--about` prints and the kit validates against. */
export const TAP_SETTINGS: SettingsSchema = {
  type: 'object',
  required: ['base_url'],
  additionalProperties: false,
  properties: {
    base_url: {
      type: 'string',
      title: 'Base URL',
      pattern: '^https?://[^/@\\s]+(/[^\\s?#]*)?$',
      description:
        'WMS instance URL without the API path: https://{cluster}.wms.ocs.oraclecloud.com/{environment}. Never put credentials in it.',
    },
    api_version: {
      type: 'string',
      title: 'API version',
      default: 'v10',
      pattern: '^v[0-9]+$',
      description: 'lgfapi version segment of the URL ({base_url}/wms/lgfapi/{api_version}/).',
    },
    auth_method: {
      type: 'string',
      title: 'Authentication method',
      enum: ['basic', 'oauth2'],
      default: 'basic',
      description:
        'basic: HTTP Basic with username/password; oauth2: bearer tokens from the identity domain (see oauth_grant_type).',
    },
    oauth_grant_type: {
      type: 'string',
      title: 'OAuth2 grant type',
      enum: ['password', 'client_credentials'],
      default: 'client_credentials',
      description:
        "password: the ROPC grant Oracle documents for lgfapi (the WMS user's username/password plus the client id/secret); client_credentials: the client alone (where the identity domain app allows it).",
    },
    username: {
      type: 'string',
      title: 'Username',
      minLength: 1,
      description:
        'WMS user for HTTP Basic or the OAuth2 password grant (needs the lgfapi_read_access permission).',
    },
    password: {
      type: 'string',
      title: 'Password',
      secret: true,
      writeOnly: true,
      description: 'Password of the WMS user (HTTP Basic or the OAuth2 password grant).',
    },
    oauth_token_url: {
      type: 'string',
      title: 'OAuth2 token URL',
      pattern: '^https?://[^/@\\s]+(/[^\\s]*)?$',
      description: 'Token endpoint, e.g. https://idcs-{tenant}.identity.oraclecloud.com/oauth2/v1/token.',
    },
    oauth_client_id: {
      type: 'string',
      title: 'OAuth2 client id',
      minLength: 1,
      description: 'Confidential application client id (sent as HTTP Basic on the token request).',
    },
    oauth_client_secret: {
      type: 'string',
      title: 'OAuth2 client secret',
      secret: true,
      writeOnly: true,
      description: 'Confidential application client secret.',
    },
    oauth_scope: {
      type: 'string',
      title: 'OAuth2 scope',
      default: DEFAULT_OAUTH_SCOPE,
      description: 'Scope asked for on the token request (the documented lgfapi scope by default).',
    },
    entities: {
      type: 'array',
      title: 'Entities',
      items: { type: 'string', pattern: `${ENTITY_NAME}|^\\*$` },
      minItems: 1,
      uniqueItems: true,
      default: CORE_ENTITIES,
      description:
        'lgfapi entities to discover, one stream each; "*" stands for every entity of the entity list the user can read.',
    },
    page_size: {
      type: 'integer',
      title: 'Page size',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: 1000,
      description: 'Rows per request (1..1250). Halved for the rest of a stream after a timeout or a 504.',
    },
    page_mode: {
      type: 'string',
      title: 'Page mode',
      enum: ['sequenced', 'paged'],
      default: 'sequenced',
      description:
        'sequenced: cursor paging without counts (recommended by Oracle, stable while data changes); paged: numbered pages.',
    },
    start_date: {
      type: 'string',
      title: 'Start date',
      pattern: '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?)?$',
      description:
        'Lower bound of mod_ts for incremental streams without a bookmark (ISO-8601; without an offset it is read as UTC).',
    },
    facility_code: {
      type: 'string',
      title: 'Facility code',
      minLength: 1,
      description: 'Only rows of this facility (facility_id__code, or through the order relation).',
    },
    company_code: {
      type: 'string',
      title: 'Company code',
      minLength: 1,
      description: 'Only rows of this company (company_id__code, or through the order relation).',
    },
    entity_filters: {
      type: 'object',
      title: 'Entity filters',
      default: {},
      propertyNames: { type: 'string', pattern: ENTITY_NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
      },
      description:
        'Extra lgfapi filters per entity, e.g. {"order_hdr": {"status_id__in": "10,20"}}; ANDed with the tap\'s own.',
    },
    replication_overlap_seconds: {
      type: 'integer',
      title: 'Replication overlap',
      minimum: 0,
      default: 300,
      description:
        'Incremental runs re-read this many seconds before the bookmark, catching rows committed late; the target upserts them.',
    },
    late_rows_window_hours: {
      type: 'number',
      title: 'Late rows window',
      minimum: 0,
      maximum: 168,
      default: 24,
      description:
        'Incremental runs list the keys of each clock hour this far behind the bookmark and count id ranges, compare them with what was loaded, and read again only the rows that arrived: rows committed late with an old mod_ts, or made visible late. 0 turns the catch-up off.',
    },
    request_timeout_seconds: {
      type: 'number',
      title: 'Request timeout',
      exclusiveMinimum: 0,
      default: 300,
      description: 'Seconds one HTTP request may take before it is abandoned and retried.',
    },
    max_retries: {
      type: 'integer',
      title: 'Maximum retries',
      minimum: 0,
      maximum: 20,
      default: 5,
      description: 'Retries of one request after 429, 409, 5xx, a timeout or a reset connection.',
    },
    retry_backoff_seconds: {
      type: 'number',
      title: 'Retry backoff',
      minimum: 0,
      default: 1,
      description:
        'First retry delay; doubled on each retry (with jitter, capped at 60 s) unless Retry-After says otherwise.',
    },
    max_concurrent_streams: {
      type: 'integer',
      title: 'Maximum concurrent streams',
      minimum: 1,
      maximum: 16,
      default: 2,
      description:
        'Streams extracted at the same time. Keep it modest: large pages in parallel degrade the WMS.',
    },
    parallel_windows: {
      type: 'integer',
      title: 'Parallel windows',
      minimum: 1,
      maximum: 16,
      default: DEFAULT_PARALLEL_WINDOWS,
      description:
        'mod_ts windows of one incremental stream fetched at once (1: one page after another). The tap keeps at most max_concurrent_streams x parallel_windows list requests in flight: size it against what the WMS can serve besides its warehouse users (docs/tap.md).',
    },
    ca_bundle: {
      type: 'string',
      title: 'CA bundle',
      minLength: 1,
      description:
        "Certificates trusted besides the default store, for the API and the token endpoint: the path of a PEM file, or the PEM text itself (a TLS-inspecting corporate proxy's CA, a private CA).",
    },
    tls_verify: {
      type: 'boolean',
      title: 'Verify TLS certificates',
      default: true,
      description:
        'Verify the server certificates of the API and the token endpoint. false is for a test bench only: every run then logs a warning, and the run summary says so.',
    },
    proxy_url: {
      type: 'string',
      title: 'Proxy URL',
      secret: true,
      writeOnly: true,
      pattern: '^https?://[^\\s]+$',
      description:
        'HTTP proxy for every request of the tap (API and token endpoint), e.g. http://user:password@proxy.example.com:3128; HTTPS goes through a CONNECT tunnel. Secret, since it may hold credentials. When unset, HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply.',
    },
    discovery_mode: {
      type: 'string',
      title: 'Discovery mode',
      enum: ['describe', 'bundled'],
      default: 'describe',
      description:
        'describe: schemas from the entity describe endpoint (bundled ones stand in where describe is forbidden); bundled: only the schemas shipped with the tap.',
    },
    ...STREAM_MAP_SETTINGS,
  },
};

/** Checks that need more than one setting; the kit's schema validation has already run. */
export function checkSettings(config: TapConfig): void {
  const userRequired =
    config.auth_method === 'basic'
      ? 'auth_method is basic'
      : config.oauth_grant_type === 'password'
        ? 'oauth_grant_type is password'
        : undefined;
  if (userRequired !== undefined) {
    if (!config.username)
      throw new ConfigError('CONFIG_INVALID', `setting "username" is required when ${userRequired}`);
    if (config.password === undefined) {
      throw new ConfigError('CONFIG_INVALID', `setting "password" is required when ${userRequired}`);
    }
  }
  if (config.auth_method === 'oauth2') {
    for (const name of ['oauth_token_url', 'oauth_client_id', 'oauth_client_secret'] as const) {
      if (!config[name]) {
        throw new ConfigError('CONFIG_INVALID', `setting "${name}" is required when auth_method is oauth2`);
      }
    }
  }
  if (config.start_date !== undefined && Number.isNaN(Date.parse(normaliseStartDate(config.start_date)))) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `setting "start_date" is not a valid date (got "${config.start_date}")`,
    );
  }
}

/** A start_date without an offset is read as UTC; a bare date is its midnight. */
export function normaliseStartDate(value: string): string {
  const text = value.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00Z`;
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) return text;
  return `${text}Z`;
}

/** `{base}/wms/lgfapi/{version}` without a trailing slash. */
export function apiRoot(config: TapConfig): string {
  return `${config.base_url.replace(/\/+$/, '')}/wms/lgfapi/${config.api_version}`;
}
