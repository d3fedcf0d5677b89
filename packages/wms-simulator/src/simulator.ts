/** startSimulator(): the in-process entry point used by tests, the CLI and benchmarks. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Dataset } from './data/dataset.js';
import { Sequence } from './data/hash.js';
import { advance } from './data/mutation.js';
import { Api } from './http/api.js';
import { Gatekeeper } from './http/auth.js';
import type { ControlTarget } from './http/control.js';
import { FaultPlan } from './http/faults.js';
import { Workers } from './http/load.js';
import { dispatch, TOKEN_PATH } from './http/server.js';
import { parseQuirks, Quirks } from './quirks.js';
import type {
  AdvanceRequest,
  AdvanceResult,
  FaultConfig,
  RecordedRequest,
  Simulator,
  SimulatorOptions,
} from './types.js';

export const DEFAULTS = {
  port: 0,
  seed: 42,
  environment: 'demo',
  username: 'wms_user',
  password: 'wms_password',
  oauthClientId: 'wms_client',
  oauthClientSecret: 'wms_secret',
  tokenTtlSeconds: 3600,
  readOnlyUsers: { no_access_user: 'no_access_password' } as Record<string, string>,
  defaultPageSize: 100,
} as const;

function checkOptions(options: SimulatorOptions): void {
  const rate = options.integrityViolationRate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`integrityViolationRate must be within 0..1, got ${rate}`);
  const size = options.defaultPageSize ?? DEFAULTS.defaultPageSize;
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`defaultPageSize must be a positive integer, got ${size}`);
  if (options.environment !== undefined && !/^[A-Za-z0-9_-]+$/.test(options.environment)) {
    throw new Error(`environment must be a URL path segment, got "${options.environment}"`);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(options);
  const seed = options.seed ?? DEFAULTS.seed;
  const environment = options.environment ?? DEFAULTS.environment;
  const quirks = new Quirks(parseQuirks(options.quirks), options.lateCommitMaxSeconds, options.bulkGroupRows);
  const ds = new Dataset({
    quirks,
    seed,
    rows: options.rows ?? {},
    integrityViolationRate: options.integrityViolationRate ?? 0,
    timestampOffset: options.timestampOffset ?? 'row-facility',
    clock: options.clock ?? 'simulated',
    ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
  });
  let faults = new FaultPlan(options.faults, seed);
  const advanceRng = new Sequence(seed ^ 0xadadad);
  const gate = new Gatekeeper({
    username: options.username ?? DEFAULTS.username,
    password: options.password ?? DEFAULTS.password,
    readOnlyUsers: options.readOnlyUsers ?? DEFAULTS.readOnlyUsers,
    clientId: options.oauthClientId ?? DEFAULTS.oauthClientId,
    clientSecret: options.oauthClientSecret ?? DEFAULTS.oauthClientSecret,
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds,
    ropcOnly: quirks.has('ropc-only'),
  });
  const api = new Api(
    ds,
    {
      entityListShape: options.entityListShape ?? 'object',
      describeForbidden: options.describeForbidden ?? [],
      defaultPageSize: options.defaultPageSize ?? DEFAULTS.defaultPageSize,
      oversizePageSize: options.oversizePageSize ?? 'clamp',
      subsecondFilters: quirks.has('subsecond-reject') ? 'reject' : (options.subsecondFilters ?? 'accept'),
    },
    () => faults,
  );
  const workers = new Workers({
    pageLatencyMs: options.pageLatencyMs ?? 0,
    maxConcurrentRequests: options.maxConcurrentRequests ?? 0,
  });
  const requests: RecordedRequest[] = [];
  const doAdvance = (change: AdvanceRequest = {}): AdvanceResult => advance(ds, change, advanceRng);
  const snapshot = (entity: string): Record<string, unknown>[] => {
    const table = ds.table(entity);
    return Array.from(
      table.liveRows(),
      (idx) => JSON.parse(api.renderRow(table, idx)) as Record<string, unknown>,
    );
  };
  const setFaults = (config: FaultConfig | undefined) => {
    faults = new FaultPlan(config, seed);
  };
  const target: ControlTarget = {
    ds,
    api,
    advance: doAdvance,
    setFaults,
    faults: () => faults.config,
    expireTokens: () => gate.expire(),
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    load: () => ({ ...workers.load }),
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    dispatch(
      {
        environment,
        api,
        gate,
        faults: () => faults,
        requests,
        gzip: options.gzip ?? true,
        control: target,
        workers,
        htmlGateway: quirks.has('gateway-html-errors'),
      },
      req,
      res,
    ).catch((error: unknown) => {
      console.error('wms-simulator: request failed', error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
  // HTTPS when given a certificate and key (PEM): the same API, for TLS and proxy tests.
  const server: Server = options.tls
    ? createTlsServer({ keepAliveTimeout: 65_000, cert: options.tls.cert, key: options.tls.key }, handler)
    : createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULTS.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const baseUrl = `${origin}/${environment}`;
  const apiUrl = `${baseUrl}/wms/lgfapi/v10`;
  ds.setUrls(apiUrl);
  return {
    baseUrl,
    apiUrl,
    tokenUrl: origin + TOKEN_PATH,
    requests,
    clearRequests: target.clearRequests,
    advance: doAdvance,
    snapshot,
    setFaults,
    expireTokens: target.expireTokens,
    load: target.load,
    resetLoadPeaks: () => workers.resetPeaks(),
    entities: () => ds.names(),
    quirks: quirks.list(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
