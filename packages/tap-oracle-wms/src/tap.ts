import { readFileSync } from 'node:fs';
import {
  type ConnectorDefinition,
  type RunContext,
  SingerError,
  StreamMaps,
  selectedStreams,
} from '@wms-singer/singer';
import { openWmsClient } from './client/open-client.js';
import { discoverCatalog } from './discovery.js';
import { apiRoot, checkSettings, TAP_SETTINGS, type TapConfig } from './settings.js';
import { StateBook } from './streams/state-book.js';
import { type StreamRun, WmsStream } from './streams/stream.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const tapOracleWms: ConnectorDefinition<TapConfig> = {
  name: 'tap-oracle-wms',
  version: VERSION,
  description:
    'Singer tap for the Oracle WMS Cloud REST API (lgfapi v10): discovery from describe, incremental on mod_ts, full table with ACTIVATE_VERSION.',
  kind: 'tap',
  capabilities: ['catalog', 'discover', 'state', 'properties', 'about', 'activate-version', 'stream-maps'],
  settings: TAP_SETTINGS,
  run,
};

async function run(context: RunContext<TapConfig>): Promise<void> {
  const { config, logger, metrics, output, secrets } = context;
  checkSettings(config);
  const maps = StreamMaps.fromConfig(config);
  if (config.tls_verify === false) context.summary.note({ tls_verify: false });
  const stop = new AbortController();
  const onStop = (): void => stop.abort(context.signal.reason);
  context.signal.addEventListener('abort', onStop, { once: true });
  const { client, close } = openWmsClient(config, {
    logger,
    metrics,
    secrets,
    signal: stop.signal,
    userAgent: `tap-oracle-wms/${VERSION}`,
  });
  const root = apiRoot(config);
  try {
    if (context.discover) {
      const catalog = await discoverCatalog(config, client, root, logger);
      output.writeLine(JSON.stringify(catalog, null, 2));
      return;
    }
    const catalog = context.catalog ?? (await discoverCatalog(config, client, root, logger));
    const runStream: StreamRun = {
      config,
      apiRoot: root,
      client,
      output,
      states: new StateBook(context.state ?? {}, output),
      logger,
      metrics,
      runStartMs: Date.now(),
      ...(maps === undefined ? {} : { maps }),
    };
    const streams = selectedStreams(catalog)
      .map((entry) => new WmsStream(entry, runStream))
      .filter((stream) => {
        if (stream.dropped)
          logger.info({ stream: stream.name }, `stream ${stream.name} dropped by stream_maps: not extracted`);
        return !stream.dropped;
      });
    if (streams.length === 0) logger.warn('no stream is selected in the catalog: nothing to do');
    await runConcurrently(streams, config.max_concurrent_streams, stop, async (stream) => {
      const started = Date.now();
      const count = await stream.sync();
      logger.info(
        {
          stream: stream.name,
          records: count,
          method: stream.replication.method,
          seconds: (Date.now() - started) / 1000,
        },
        `stream ${stream.name} done`,
      );
    });
    const inFlight = client.requestsInFlight;
    if (inFlight !== undefined)
      logger.info(
        { request_budget: inFlight.budget, requests_in_flight_peak: inFlight.peak },
        `at most ${inFlight.peak} requests were in flight at once (budget ${inFlight.budget})`,
      );
  } catch (error) {
    // Stopped by a signal: what was written, with its STATE, stands; the harness sets the exit code.
    if (context.signal.aborted) {
      logger.warn('stopped: a run resumed from the last STATE written loses nothing');
      return;
    }
    throw error;
  } finally {
    context.signal.removeEventListener('abort', onStop);
    close();
  }
}

/**
 * Runs up to `limit` streams at once. Each stream writes its messages in order; streams
 * interleave at page granularity (a page's records and its STATE are written synchronously).
 * The first failure stops the others at their next request and is the one reported.
 */
async function runConcurrently<T>(
  items: T[],
  limit: number,
  stop: AbortController,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (failure === undefined && !stop.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        if (failure === undefined) failure = error;
        stop.abort(
          error instanceof SingerError ? error : new SingerError('STOPPED', 'another stream failed'),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== undefined) throw failure;
}
