// The engine and the Oracle dialect in process, over the rule-enforcing double.
import { Readable, Writable } from 'node:stream';
import { createLogger, Metrics, SingerWriter } from '@wms-singer/singer';
import { createOracleDialect, type OracleDialectOptions } from '../../../src/dialects/oracle/index.js';
import type { TargetConfig } from '../../../src/settings.js';
import { Target } from '../../../src/target.js';
import type { OracleDouble } from './index.js';

export const doubleConfig: TargetConfig = {
  dialect: 'oracle',
  user: 'loader',
  password: 'secret',
  connect_string: '127.0.0.1:1521/FREEPDB1',
  default_target_schema: 'wms',
  table_prefix: '',
  load_method: 'upsert',
  batch_size_rows: 100,
  batch_max_age_seconds: 0,
  add_record_metadata: false,
  validate_records: true,
  invalid_record_policy: 'fail',
  hard_delete: false,
  flattening_enabled: false,
  flattening_max_depth: 1,
};

export interface DoubleRun {
  error: Error | undefined;
  /** stdout lines (the state values). */
  stdout: string[];
  /** log lines (JSON). */
  logs: string[];
}

/** Runs the target over `input` (Singer lines) against the double. */
export async function runOnDouble(
  db: OracleDouble,
  input: string,
  settings: Partial<TargetConfig> = {},
  options: Partial<OracleDialectOptions> = {},
): Promise<DoubleRun> {
  const config = { ...doubleConfig, ...settings } as TargetConfig;
  const stdout: string[] = [];
  const logs: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) stdout.push(line);
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (l) => logs.push(l) } });
  const dialect = createOracleDialect(config, logger, {
    sessionSource: async () => db,
    backoff: async () => undefined,
    runTag: 'r1',
    ...options,
  });
  const target = new Target(config, dialect, {
    logger,
    metrics: new Metrics(logger, 0),
    output: new SingerWriter(out),
    signal: new AbortController().signal,
  });
  let error: Error | undefined;
  try {
    await target.load(Readable.from([input]));
  } catch (caught) {
    error = caught as Error;
  }
  return { error, stdout, logs };
}

export const lines = (...messages: object[]): string =>
  `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`;
