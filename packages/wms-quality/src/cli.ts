import { readFileSync, writeFileSync } from 'node:fs';
import {
  ConfigError,
  createLogger,
  ExitCode,
  errorMessage,
  type Logger,
  SecretRegistry,
  SingerError,
  settingsMarkdown,
} from '@wms-singer/singer';
import { openQueryRunner } from 'target-oracle';
import yargs from 'yargs';
import { CHECKS } from './checks/index.js';
import { loadConfig, settingsSchema } from './config.js';
import { renderReport } from './report/html.js';
import { ResultsTable } from './results.js';
import { runChecks } from './runner.js';
import type { QualityConfig } from './settings.js';
import { qualitySqlFor } from './sql/index.js';
import { WmsCounts } from './wms-counts.js';

const NAME = 'wms-quality';
const DESCRIPTION =
  'The WMS business rules checked on the tables target-oracle loaded (SQLite or Oracle): results in a table, one line per check, an HTML report.';
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface Arguments {
  command: 'check' | 'report';
  config: string[];
  html: string | undefined;
}

function parseArguments(argv: string[]): Arguments | 'version' | { about: 'json' | 'markdown' } {
  let failure: string | undefined;
  const parsed = yargs(argv)
    .scriptName(NAME)
    .version(false)
    .help(false)
    .command('check', 'run the checks, record the results, exit 1 when a fail check broke')
    .command('report', 'write the HTML report of the recorded results')
    .option('config', { type: 'string', description: 'config JSON file (repeatable; later files win)' })
    .option('html', { type: 'string', description: 'report: the HTML file to write' })
    .option('version', { type: 'boolean', default: false })
    .option('about', { type: 'boolean', default: false, description: 'print the settings' })
    .option('format', { choices: ['json', 'markdown'] as const, default: 'json' as const })
    .strict()
    .exitProcess(false)
    .fail((message) => {
      failure = message;
    })
    .parseSync();
  if (failure !== undefined) throw new ConfigError('USAGE', failure);
  if (parsed.version) return 'version';
  if (parsed.about) return { about: parsed.format };
  const [command, ...extra] = parsed._.map(String);
  if (command !== 'check' && command !== 'report') {
    throw new ConfigError(
      'USAGE',
      'usage: wms-quality check --config FILE | wms-quality report --config FILE --html OUT',
    );
  }
  if (extra.length > 0) throw new ConfigError('USAGE', `unexpected argument ${extra[0]}`);
  const config = parsed.config === undefined ? [] : ([] as unknown[]).concat(parsed.config);
  if (config.some((c) => typeof c !== 'string'))
    throw new ConfigError('USAGE', '--config takes one file path');
  if (command === 'report' && (typeof parsed.html !== 'string' || parsed.html === '')) {
    throw new ConfigError('USAGE', 'report needs --html OUT (the file to write)');
  }
  return { command, config: config as string[], html: parsed.html };
}

/** Where the data is, for the report's heading: no password, no full connect string credentials. */
function sourceOf(config: QualityConfig): string {
  if (config.dialect === 'sqlite') return `SQLite ${String(config.sqlite_path ?? '')}`;
  const where = String(
    config.connect_string ?? `${String(config.host ?? '')}/${String(config.service_name ?? '')}`,
  );
  return `Oracle ${where}${config.default_target_schema ? ` schema ${config.default_target_schema}` : ''}`;
}

async function check(config: QualityConfig, logger: Logger, secrets: SecretRegistry): Promise<number> {
  // The WMS settings are checked (one line naming a missing credential) before the database opens.
  const wms =
    config.wms === undefined ? undefined : new WmsCounts(config.wms, logger, secrets, `${NAME}/${VERSION}`);
  const runner = await openQueryRunner(config, logger).catch((error: unknown) => {
    wms?.close();
    throw error;
  });
  try {
    const summary = await runChecks(config, {
      runner,
      logger,
      wms,
      line: (text) => process.stderr.write(`${secrets.scrub(text)}\n`),
    });
    return summary.failed ? ExitCode.runtime : ExitCode.ok;
  } finally {
    wms?.close();
    await runner.close();
  }
}

async function report(config: QualityConfig, logger: Logger, html: string): Promise<number> {
  const runner = await openQueryRunner(config, logger);
  try {
    const sql = qualitySqlFor(runner.dialect);
    const table = new ResultsTable(runner, sql, config.results_table, config.default_target_schema);
    const results = await table.recent(config.report_runs * CHECKS.length * 2);
    writeFileSync(
      html,
      renderReport({ results, runs: config.report_runs, source: sourceOf(config), generatedAt: new Date() }),
    );
    const runs = new Set(results.map((r) => r.run_id)).size;
    process.stderr.write(
      `${NAME}: report of ${Math.min(runs, config.report_runs)} run(s) written to ${html}\n`,
    );
    return ExitCode.ok;
  } finally {
    await runner.close();
  }
}

/** `wms-quality check|report`: exit 0, 1 (a fail check broke, or a runtime failure), 2 (usage, config). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const secrets = new SecretRegistry();
  let logger: Logger | undefined;
  try {
    const args = parseArguments(argv);
    if (args === 'version') {
      process.stdout.write(`${NAME} ${VERSION}\n`);
      return ExitCode.ok;
    }
    if ('about' in args) {
      const schema = settingsSchema();
      process.stdout.write(
        args.about === 'markdown'
          ? `# \`${NAME}\`\n\n${DESCRIPTION}\n\nVersion ${VERSION}.\n\n## Settings\n\n${settingsMarkdown(schema)}\n`
          : `${JSON.stringify({ name: NAME, description: DESCRIPTION, version: VERSION, settings: schema }, null, 2)}\n`,
      );
      return ExitCode.ok;
    }
    const config = loadConfig(args.config, process.env, secrets);
    logger = createLogger({ name: NAME, level: config.log_level, secrets });
    return args.command === 'check'
      ? await check(config, logger, secrets)
      : await report(config, logger, args.html!);
  } catch (error) {
    const line = error instanceof SingerError ? error.message : `unexpected error: ${errorMessage(error)}`;
    process.stderr.write(`${NAME}: ${secrets.scrub(line.replace(/\s*[\r\n]+\s*/g, ' ').trim())}\n`);
    if (!(error instanceof SingerError) && error instanceof Error)
      logger?.debug({ stack: error.stack }, 'stack');
    return error instanceof SingerError ? error.exitCode : ExitCode.runtime;
  }
}

process.exitCode = await main();
