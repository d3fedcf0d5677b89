#!/usr/bin/env node
/** wms-simulator: serves a local lgfapi v10 until SIGINT/SIGTERM; the base URL is the first stdout line. */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  DEFAULT_BULK_GROUP_ROWS,
  DEFAULT_LATE_COMMIT_MAX_SECONDS,
  parseQuirks,
  QUIRK_NAMES,
} from './quirks.js';
import { DEFAULTS, startSimulator } from './simulator.js';
import type { FaultConfig, FaultKind, SimulatorOptions } from './types.js';

function pairs(values: readonly string[] | undefined, flag: string): Array<[string, string]> {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '')
    .map((v) => {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new Error(`--${flag} expects NAME=VALUE, got "${v}"`);
      return [v.slice(0, eq), v.slice(eq + 1)];
    });
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('wms-simulator')
    .usage(
      '$0 [options]\n\nA local Oracle WMS Cloud lgfapi v10. Prints its base URL, then serves until SIGINT/SIGTERM.',
    )
    .option('port', { type: 'number', default: DEFAULTS.port, describe: 'Port on 127.0.0.1 (0: ephemeral)' })
    .option('seed', { type: 'number', default: DEFAULTS.seed, describe: 'Seed of the generated data' })
    .option('environment', {
      type: 'string',
      default: DEFAULTS.environment,
      describe: 'Path segment of the base URL',
    })
    .option('rows', { type: 'string', array: true, describe: 'Rows of an entity, ENTITY=N (repeatable)' })
    .option('username', { type: 'string', default: DEFAULTS.username, describe: 'HTTP Basic user' })
    .option('password', { type: 'string', default: DEFAULTS.password, describe: 'HTTP Basic password' })
    .option('client-id', {
      alias: 'oauth-client-id',
      type: 'string',
      default: DEFAULTS.oauthClientId,
      describe: 'OAuth2 client id',
    })
    .option('client-secret', {
      alias: 'oauth-client-secret',
      type: 'string',
      default: DEFAULTS.oauthClientSecret,
      describe: 'OAuth2 client secret',
    })
    .option('token-ttl', {
      type: 'number',
      default: DEFAULTS.tokenTtlSeconds,
      describe: 'Bearer token lifetime (s)',
    })
    .option('default-page-size', {
      type: 'number',
      default: DEFAULTS.defaultPageSize,
      describe: "The user's rows per page",
    })
    .option('fault-rate', { type: 'number', default: 0, describe: 'Share of API requests that fail (0..1)' })
    .option('faults', {
      type: 'string',
      describe:
        'Comma list of fault kinds drawn by --fault-rate: 500,503,504,429,429-retry-after,409,reset,truncated,slow,' +
        'token-expiry; phantom-page and stale-page-count switch those paged-mode modes on',
    })
    .option('fault-seed', { type: 'number', describe: 'Seed of the fault draws (default: --seed)' })
    .option('slow-ms', { type: 'number', describe: 'Delay of a slow response (default 500)' })
    .option('gateway-timeout-ms', { type: 'number', describe: 'Delay before a 504 (default 500)' })
    .option('retry-after', { type: 'number', describe: 'Retry-After seconds of 429-retry-after (default 1)' })
    .option('ordering-400', {
      type: 'string',
      array: true,
      describe: 'ENTITY=FIELD answering 400 to ordering (repeatable)',
    })
    .option('stale-page-count', {
      type: 'number',
      describe: 'Paged mode: page_count this many pages too high',
    })
    .option('phantom-page', { type: 'boolean', describe: 'Paged mode: a page past the end answers 500' })
    .option('integrity-violation-rate', {
      type: 'number',
      default: 0,
      describe: 'Share of rows breaking consistency',
    })
    .option('entity-list-shape', { choices: ['object', 'list'] as const, default: 'object' as const })
    .option('describe-forbidden', {
      type: 'string',
      describe: 'Comma list of entities whose describe answers 403',
    })
    .option('oversize-page-size', { choices: ['clamp', 'reject'] as const, default: 'clamp' as const })
    .option('subsecond-filters', {
      choices: ['accept', 'truncate', 'reject'] as const,
      default: 'accept' as const,
    })
    .option('timestamp-offset', {
      choices: ['row-facility', 'user-facility'] as const,
      default: 'row-facility' as const,
    })
    .option('clock', {
      choices: ['simulated', 'wall'] as const,
      default: 'simulated' as const,
      describe: 'simulated: time moves only by advance; wall: changes are stamped at the real time',
    })
    .option('start-time', { type: 'string', describe: 'First instant of the simulated clock (ISO-8601)' })
    .option('page-latency-ms', {
      type: 'number',
      default: 0,
      describe:
        'Server time of a 1000-row list page (ms): a quarter for any list request, the rest in proportion to the rows',
    })
    .option('max-concurrent-requests', {
      type: 'number',
      default: 0,
      describe: 'API requests served at once; more wait in arrival order (0: unlimited)',
    })
    .option('quirks', {
      type: 'string',
      describe: `Comma list of real-WMS behaviours to play, or all (default none): ${QUIRK_NAMES.join(', ')}`,
    })
    .option('late-commit-max-seconds', {
      type: 'number',
      default: DEFAULT_LATE_COMMIT_MAX_SECONDS,
      describe: 'late-commits: how far behind the clock a late row mod_ts may lie (s)',
    })
    .option('bulk-group-rows', {
      type: 'number',
      default: DEFAULT_BULK_GROUP_ROWS,
      describe: 'cursor-ties: rows of a bulk group sharing one mod_ts',
    })
    .option('tls-cert', {
      type: 'string',
      describe: 'Serve HTTPS with this certificate (PEM file; needs --tls-key)',
    })
    .option('tls-key', { type: 'string', describe: 'Private key of --tls-cert (PEM file)' })
    .option('gzip', {
      type: 'boolean',
      default: true,
      describe: 'Compress when the client accepts gzip (--no-gzip)',
    })
    .strict()
    // Usage errors reach main().catch: one line on stderr, exit 2, instead of the whole help text.
    .fail(false)
    .wrap(null)
    .help()
    .parseAsync();

  const rows: Record<string, number> = {};
  for (const [name, value] of pairs(argv.rows, 'rows')) {
    if (!/^\d+$/.test(value)) throw new Error(`--rows ${name}: not a row count: "${value}"`);
    rows[name] = Number(value);
  }
  const faults: FaultConfig = {};
  if (argv['fault-rate'] > 0) faults.rate = argv['fault-rate'];
  if (argv.faults !== undefined) faults.kinds = argv.faults.split(',').filter((k) => k !== '') as FaultKind[];
  if (argv['fault-seed'] !== undefined) faults.seed = argv['fault-seed'];
  if (argv['slow-ms'] !== undefined) faults.slowMs = argv['slow-ms'];
  if (argv['gateway-timeout-ms'] !== undefined) faults.gatewayTimeoutMs = argv['gateway-timeout-ms'];
  if (argv['retry-after'] !== undefined) faults.retryAfterSeconds = argv['retry-after'];
  if (argv['stale-page-count'] !== undefined) faults.stalePageCount = argv['stale-page-count'];
  if (argv['phantom-page'] !== undefined) faults.phantomPage = argv['phantom-page'];
  const orderingErrors: Record<string, string[]> = {};
  for (const [entity, field] of pairs(argv['ordering-400'], 'ordering-400')) {
    orderingErrors[entity] = [...(orderingErrors[entity] ?? []), field];
  }
  if (Object.keys(orderingErrors).length > 0) faults.orderingErrors = orderingErrors;

  const quirks = [...parseQuirks(argv.quirks)];
  const options: SimulatorOptions = {
    port: argv.port,
    quirks,
    lateCommitMaxSeconds: argv['late-commit-max-seconds'],
    bulkGroupRows: argv['bulk-group-rows'],
    seed: argv.seed,
    environment: argv.environment,
    rows,
    username: argv.username,
    password: argv.password,
    oauthClientId: argv['client-id'],
    oauthClientSecret: argv['client-secret'],
    tokenTtlSeconds: argv['token-ttl'],
    defaultPageSize: argv['default-page-size'],
    faults,
    integrityViolationRate: argv['integrity-violation-rate'],
    entityListShape: argv['entity-list-shape'],
    describeForbidden: (argv['describe-forbidden'] ?? '').split(',').filter((e) => e !== ''),
    oversizePageSize: argv['oversize-page-size'],
    subsecondFilters: argv['subsecond-filters'],
    timestampOffset: argv['timestamp-offset'],
    gzip: argv.gzip,
    pageLatencyMs: argv['page-latency-ms'],
    maxConcurrentRequests: argv['max-concurrent-requests'],
    clock: argv.clock,
    ...(argv['start-time'] === undefined ? {} : { startTime: argv['start-time'] }),
  };
  if ((argv['tls-cert'] === undefined) !== (argv['tls-key'] === undefined))
    throw new Error('--tls-cert and --tls-key go together');
  if (argv['tls-cert'] !== undefined && argv['tls-key'] !== undefined)
    options.tls = {
      cert: readFileSync(argv['tls-cert'], 'utf8'),
      key: readFileSync(argv['tls-key'], 'utf8'),
    };
  const simulator = await startSimulator(options);
  // Handlers go in before the URL is printed: a caller may signal as soon as it reads the line.
  const stop = (signal: string) => {
    console.error(`wms-simulator: ${signal}, stopping`);
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(simulator.baseUrl + '\n');
  console.error(
    `wms-simulator: serving ${simulator.apiUrl} (token URL ${simulator.tokenUrl}); ` +
      `entities ${simulator.entities().join(', ')}; ` +
      `quirks ${simulator.quirks.length === 0 ? 'none' : simulator.quirks.join(',')}; Ctrl-C to stop`,
  );
}

main().catch((error: unknown) => {
  console.error(`wms-simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
