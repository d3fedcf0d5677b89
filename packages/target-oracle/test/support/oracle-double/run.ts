// The engine and the Oracle dialect in process, over the rule-enforcing double.
import { createOracleDialect, type OracleDialectOptions } from '../../../src/dialects/oracle/index.js';
import type { TargetConfig } from '../../../src/settings.js';
import { engineDefaults, type InProcessRun, runInProcess } from '../in-process.js';
import type { OracleDouble } from './index.js';

export const doubleConfig: TargetConfig = {
  ...engineDefaults,
  dialect: 'oracle',
  user: 'loader',
  password: 'secret',
  connect_string: '127.0.0.1:1521/FREEPDB1',
  default_target_schema: 'wms',
};

export type DoubleRun = InProcessRun;

/** Runs the target over `input` (Singer lines) against the double. */
export function runOnDouble(
  db: OracleDouble,
  input: string,
  settings: Partial<TargetConfig> = {},
  options: Partial<OracleDialectOptions> = {},
): Promise<DoubleRun> {
  const config = { ...doubleConfig, ...settings } as TargetConfig;
  return runInProcess(
    config,
    (logger) =>
      createOracleDialect(config, logger, {
        sessionSource: async () => db,
        backoff: async () => undefined,
        runTag: 'r1',
        ...options,
      }),
    input,
  );
}

export const lines = (...messages: object[]): string =>
  `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`;
