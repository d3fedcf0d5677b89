import yargs from 'yargs';
import { type Catalog, readCatalogFile, readJsonFile } from './catalog.js';
import { ConfigError, ExitCode, errorMessage, SingerError } from './errors.js';
import { createLogger, type Logger, SecretRegistry } from './logging.js';
import type { JsonObject } from './messages.js';
import { Metrics } from './metrics.js';
import { RunSummary } from './run-summary.js';
import {
  type SettingsSchema,
  secretSettingNames,
  settingsMarkdown,
  validateConfig,
  withCommonSettings,
} from './settings.js';
import { readStateFile, type State } from './state.js';
import { SingerWriter, streamErrorReason } from './writer.js';

export interface ConnectorDefinition<Config> {
  name: string;
  version: string;
  description: string;
  kind: 'tap' | 'target';
  /** Singer capabilities the connector really supports (listed by `--about`). */
  capabilities: string[];
  settings: SettingsSchema;
  run(context: RunContext<Config>): Promise<void>;
}

export interface RunContext<Config> {
  config: Config;
  catalog: Catalog | undefined;
  state: State | undefined;
  discover: boolean;
  /** `--input FILE`; undefined means stdin. */
  input: string | undefined;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretRegistry;
  /** The Singer channel (stdout). */
  output: SingerWriter;
  /** Aborted on SIGINT or SIGTERM: stop reading, finish what is safe, return. */
  signal: AbortSignal;
  /** The run's audit line (logged by the harness at the end); connectors may add facts. */
  summary: RunSummary;
}

export interface ParsedArguments {
  config: string[];
  state: string | undefined;
  catalog: string | undefined;
  discover: boolean;
  about: boolean;
  format: 'json' | 'markdown';
  version: boolean;
  input: string | undefined;
}

export function parseArguments(name: string, argv: string[]): ParsedArguments {
  let failure: string | undefined;
  const parsed = yargs(argv)
    .scriptName(name)
    .version(false)
    .help(false)
    .option('config', { type: 'string', description: 'config JSON file (repeatable; later files win)' })
    .option('state', { type: 'string', description: 'state JSON file' })
    .option('catalog', { type: 'string', description: 'catalog JSON file' })
    .option('properties', { type: 'string', description: 'legacy name of --catalog' })
    .option('discover', { type: 'boolean', default: false, description: 'print the catalog and exit' })
    .option('about', { type: 'boolean', default: false, description: 'print capabilities and settings' })
    .option('format', { choices: ['json', 'markdown'] as const, default: 'json' as const })
    .option('version', { type: 'boolean', default: false })
    .option('input', { type: 'string', description: 'read Singer messages from this file instead of stdin' })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      failure = message;
    })
    .parseSync();
  if (failure !== undefined) throw new ConfigError('USAGE', failure);
  const config = parsed.config === undefined ? [] : ([] as string[]).concat(parsed.config);
  for (const [option, value] of Object.entries({
    config,
    state: parsed.state,
    catalog: parsed.catalog,
    properties: parsed.properties,
    input: parsed.input,
  })) {
    if (
      Array.isArray(value)
        ? value.some((v) => typeof v !== 'string')
        : value !== undefined && typeof value !== 'string'
    ) {
      throw new ConfigError('USAGE', `--${option} takes one file path`);
    }
  }
  return {
    config,
    state: parsed.state,
    catalog: parsed.catalog ?? parsed.properties,
    discover: parsed.discover,
    about: parsed.about,
    format: parsed.format,
    version: parsed.version,
    input: parsed.input,
  };
}

/** Reads every `--config` file in order; later files win, setting by setting. */
export function mergeConfigFiles(paths: string[]): JsonObject {
  const merged: JsonObject = {};
  for (const path of paths) {
    const value = readJsonFile(path, 'config', {});
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError('CONFIG_INVALID', `config file ${path}: expected a JSON object`);
    }
    Object.assign(merged, value);
  }
  return merged;
}

export function aboutJson(definition: ConnectorDefinition<unknown>): JsonObject {
  return {
    name: definition.name,
    description: definition.description,
    version: definition.version,
    capabilities: definition.capabilities,
    settings: withCommonSettings(definition.settings),
  };
}

export function aboutMarkdown(definition: ConnectorDefinition<unknown>): string {
  return [
    `# \`${definition.name}\``,
    '',
    definition.description,
    '',
    `Version ${definition.version}. Built with the project's own Singer kit (\`@wms-singer/singer\`).`,
    '',
    '## Capabilities',
    '',
    ...definition.capabilities.map((capability) => `- \`${capability}\``),
    '',
    '## Settings',
    '',
    settingsMarkdown(withCommonSettings(definition.settings)),
    '',
  ].join('\n');
}

/**
 * Runs a connector as a CLI: arguments, config validation, logging, metrics, signals, and
 * the one line reported for a failure. Exit codes: 0 success, 1 runtime failure, 2 usage or
 * configuration error, 128+signal when stopped by SIGINT or SIGTERM.
 */
export async function runConnector<Config>(
  definition: ConnectorDefinition<Config>,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const secrets = new SecretRegistry();
  let logger: Logger | undefined;
  let metrics: Metrics | undefined;
  let summary: RunSummary | undefined;
  let summaryLogger: Logger | undefined;
  /** The run_summary line, whatever log_level says (an audit trail is not optional). */
  const logSummary = (exitCode: number, error?: string): void => {
    if (summary === undefined) return;
    summaryLogger ??= createLogger({ name: definition.name, level: 'info', secrets });
    summary.log(summaryLogger, { exitCode, error, metrics, lastState: output.lastState() });
  };
  const output = new SingerWriter(process.stdout, {
    name: definition.name,
    onStreamError: (error) => {
      const reason = streamErrorReason(error);
      process.stderr.write(`${definition.name}: ${reason}\n`);
      metrics?.stop();
      logSummary(ExitCode.runtime, reason);
      process.exit(ExitCode.runtime);
    },
  });
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  let graceSeconds = 120;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stoppedBy !== undefined) {
      logSummary(signal === 'SIGINT' ? 130 : 143, `stopped by a second ${signal}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stoppedBy = signal;
    controller.abort(new SingerError('STOPPED', `stopped by ${signal}`));
    // Nothing is lost by not waiting longer: a state is only ever printed after its data
    // committed, so what was not committed is read again from the last printed state.
    setTimeout(() => {
      const line = `stopped by ${signal}; still finishing after stop_grace_seconds (${graceSeconds} s), exiting without waiting`;
      process.stderr.write(`${definition.name}: ${line}\n`);
      logSummary(signal === 'SIGINT' ? 130 : 143, line);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }, graceSeconds * 1000).unref();
  };
  let exitCode: number = ExitCode.ok;
  let failure: string | undefined;
  try {
    const args = parseArguments(definition.name, argv);
    if (args.version) {
      process.stdout.write(`${definition.name} ${definition.version}\n`);
      return finish(ExitCode.ok);
    }
    if (args.about) {
      const text =
        args.format === 'markdown'
          ? aboutMarkdown(definition as ConnectorDefinition<unknown>)
          : `${JSON.stringify(aboutJson(definition as ConnectorDefinition<unknown>), null, 2)}\n`;
      process.stdout.write(text);
      return finish(ExitCode.ok);
    }
    summary = new RunSummary(definition.name, definition.version);
    const schema = withCommonSettings(definition.settings);
    const raw = mergeConfigFiles(args.config);
    for (const name of secretSettingNames(schema)) secrets.add(raw[name]);
    const config = validateConfig<
      Config & { log_level?: string; metrics_interval_seconds?: number; stop_grace_seconds?: number }
    >(schema, raw);
    graceSeconds = config.stop_grace_seconds ?? graceSeconds;
    logger = createLogger({ name: definition.name, level: config.log_level, secrets });
    metrics = new Metrics(logger, config.metrics_interval_seconds ?? 60);
    const catalog = args.catalog !== undefined && !args.discover ? readCatalogFile(args.catalog) : undefined;
    const state = args.state !== undefined && !args.discover ? readStateFile(args.state) : undefined;
    summary.startedFrom(state);
    summary.note({ mode: args.discover ? 'discover' : definition.kind === 'tap' ? 'sync' : 'load' });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    metrics.start();
    await definition.run({
      config,
      catalog,
      state,
      discover: args.discover,
      input: args.input,
      logger,
      metrics,
      secrets,
      output,
      signal: controller.signal,
      summary,
    });
    await output.drain();
    if (stoppedBy !== undefined) exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
  } catch (error) {
    exitCode = error instanceof SingerError ? error.exitCode : ExitCode.runtime;
    // A connector that gives up because it was told to stop still ends as stopped by the signal.
    if (stoppedBy !== undefined) exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
    const line = error instanceof SingerError ? error.message : `unexpected error: ${errorMessage(error)}`;
    failure = secrets.scrub(oneLine(line));
    process.stderr.write(`${definition.name}: ${failure}\n`);
    if (!(error instanceof SingerError) && error instanceof Error)
      logger?.debug({ stack: error.stack }, 'stack');
    try {
      await output.drain();
    } catch {
      // the output is gone; the line above already says why we stop
    }
  } finally {
    metrics?.stop();
  }
  logSummary(exitCode, failure);
  return finish(exitCode);
}

/**
 * Ends the process once stdout and stderr have handed everything to the OS: a connector left
 * hanging is worse than none, but on Linux a pipe is written asynchronously, so `process.exit`
 * with bytes still queued would cut the Singer stream short.
 */
async function finish(code: number): Promise<number> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** Resolves once every byte queued before the call has been written (or the stream failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  // Writes complete in order, so an empty write's callback runs after all queued before it,
  // whether or not the stream ever crossed its high-water mark (a 'drain' may never come).
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** A library's multi-line message still makes one stderr line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
