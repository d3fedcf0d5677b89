// Placeholder until the Oracle dialect lands: the exports it will provide.
import type { SettingSchema } from '@wms-singer/singer';
import type { Logger } from '@wms-singer/singer';
import type { Dialect } from '../dialect.js';

export interface OracleSettings {
  user?: string;
  password?: string;
  connect_string?: string;
  host?: string;
  port?: number;
  service_name?: string;
  wallet_location?: string;
  wallet_password?: string;
  pool_size?: number;
  default_target_schema?: string;
}

/** Settings the Oracle dialect adds to the target's settings schema. */
export const oracleSettings: Record<string, SettingSchema> = {};

export function createOracleDialect(_settings: OracleSettings, _logger: Logger): Dialect {
  throw new Error('the Oracle dialect is not built yet');
}
