// The target run in process over Singer lines, with any dialect: what it printed on stdout (the
// state values), its log lines, and the error it stopped with.
import { Readable, Writable } from 'node:stream';
import { createLogger, type Logger, Metrics, SingerWriter } from '@wms-singer/singer';
import type { Dialect } from '../../src/dialects/dialect.js';
import type { TargetConfig } from '../../src/settings.js';
import { Target } from '../../src/target.js';

/** The engine's settings with their defaults (what the settings schema fills), for tests to override. */
export const engineDefaults: TargetConfig = {
  dialect: 'sqlite',
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

export interface InProcessRun {
  error: Error | undefined;
  /** stdout lines (the state values). */
  stdout: string[];
  /** log lines (JSON). */
  logs: string[];
}

export async function runInProcess(
  config: TargetConfig,
  makeDialect: (logger: Logger) => Dialect,
  input: string,
): Promise<InProcessRun> {
  const stdout: string[] = [];
  const logs: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) stdout.push(line);
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (l) => logs.push(l) } });
  const target = new Target(config, makeDialect(logger), {
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
