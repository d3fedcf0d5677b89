import { ConfigError, type Logger, type SettingSchema } from '@wms-singer/singer';
import type { TargetConfig } from '../settings.js';
import type { Dialect } from './dialect.js';
import { createOracleDialect, type OracleSettings, oracleSettings } from './oracle/index.js';
import { SqliteDialect } from './sqlite/sqlite-dialect.js';

export type { Dialect } from './dialect.js';

/** Settings every dialect adds to the target's settings schema. */
export const dialectSettings: Record<string, SettingSchema> = { ...oracleSettings };

/** The dialect the config names. */
export function createDialect(config: TargetConfig, logger: Logger): Dialect {
  switch (config.dialect) {
    case 'sqlite': {
      const path = config.sqlite_path;
      if (typeof path !== 'string' || path.length === 0) {
        throw new ConfigError(
          'CONFIG_INVALID',
          'setting "sqlite_path" is required when "dialect" is "sqlite"',
        );
      }
      return new SqliteDialect(path, logger);
    }
    case 'oracle':
      return createOracleDialect(config as OracleSettings, logger);
  }
}
