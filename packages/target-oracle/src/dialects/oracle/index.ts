// The Oracle dialect's public face: its settings and a factory. See docs/oracle.md.
import { ConfigError, type Logger, type SettingSchema } from '@wms-singer/singer';
import type { Dialect, DialectPlugin } from '../dialect.js';
import {
  type ConnectOptions,
  easyConnect,
  type SessionSourceFactory,
  thinPoolSource,
} from './oracle-connection.js';
import { OracleDialect, type OracleDialectOptions } from './oracle-dialect.js';
import { createOracleQueryRunner } from './oracle-query-runner.js';
import { type TransportSettings, transportAttributes, transportSettings } from './oracle-transport.js';

export type {
  BindDef,
  Binds,
  OracleSession,
  QueryResult,
  SessionSource,
  SessionSourceFactory,
} from './oracle-connection.js';
export { poolAttributes, thinPoolSource } from './oracle-connection.js';
export { OracleDialect, type OracleDialectOptions } from './oracle-dialect.js';
export { createOracleQueryRunner, type OracleQueryRunnerOptions } from './oracle-query-runner.js';

export interface OracleSettings extends TransportSettings {
  user?: string;
  password?: string;
  connect_string?: string;
  host?: string;
  port?: number;
  service_name?: string;
  wallet_location?: string;
  wallet_password?: string;
  config_dir?: string;
  pool_size?: number;
  staging_method?: 'array_insert' | 'direct_path';
  max_attempts?: number;
  oracle_compatible?: string;
  call_timeout_seconds?: number;
  expire_time_minutes?: number;
  default_target_schema?: string;
}

/** Settings the Oracle dialect adds to the target's settings schema. */
export const oracleSettings: Record<string, SettingSchema> = {
  user: { type: 'string', title: 'User', description: 'Oracle user the target connects as.' },
  password: {
    type: 'string',
    title: 'Password',
    secret: true,
    description: 'Password of the Oracle user.',
  },
  connect_string: {
    type: 'string',
    title: 'Connect string',
    description:
      'Easy Connect string (host:port/service_name) or a TNS alias from tnsnames.ora in config_dir. Overrides host, port and service_name.',
  },
  host: { type: 'string', title: 'Host', description: 'Database host, used when connect_string is not set.' },
  port: {
    type: 'integer',
    title: 'Port',
    minimum: 1,
    maximum: 65535,
    default: 1521,
    description: 'Listener port, used with host.',
  },
  service_name: {
    type: 'string',
    title: 'Service name',
    description: 'Database service name (e.g. FREEPDB1), used with host.',
  },
  wallet_location: {
    type: 'string',
    title: 'Wallet location',
    description: 'Directory holding ewallet.pem for TLS (mTLS) connections, e.g. Autonomous Database.',
  },
  wallet_password: {
    type: 'string',
    title: 'Wallet password',
    secret: true,
    description: 'Password of the PEM wallet in wallet_location.',
  },
  ...transportSettings,
  config_dir: {
    type: 'string',
    title: 'Configuration directory',
    description: 'Directory with tnsnames.ora, for connect_string given as a TNS alias.',
  },
  pool_size: {
    type: 'integer',
    title: 'Pool size',
    minimum: 1,
    maximum: 64,
    default: 4,
    description: 'Most database sessions the target opens at once.',
  },
  staging_method: {
    type: 'string',
    title: 'Staging method',
    enum: ['array_insert', 'direct_path'],
    default: 'array_insert',
    description:
      'How batches reach the staging table: array_insert (executeMany, any server) or direct_path (node-oracledb direct path load; tables with CLOB or JSON columns still use array_insert).',
  },
  oracle_compatible: {
    type: 'string',
    title: 'Planned COMPATIBLE',
    pattern: '^[0-9]+(\\.[0-9]+)*$',
    default: '19.0.0',
    description:
      'Only for target-oracle --plan-sql, which connects to nothing: the COMPATIBLE parameter of the server the SQL is planned for (19.0.0: JSON in CLOB, booleans in NUMBER(1); 21.0.0: the JSON type; 23.0.0: JSON and BOOLEAN). A connected run reads it from the server.',
  },
  call_timeout_seconds: {
    type: 'integer',
    title: 'Call timeout',
    minimum: 0,
    default: 600,
    description:
      'Seconds one database round trip may take (node-oracledb callTimeout); past it the call fails and the batch is replayed on a new session, so a half-open connection or a lost session holding locks cannot stall the run for ever (0: no limit).',
  },
  expire_time_minutes: {
    type: 'integer',
    title: 'Dead connection detection',
    minimum: 0,
    default: 2,
    description:
      'Minutes between keep-alive probes on idle connections (node-oracledb expireTime), so a connection a firewall dropped is noticed (0: off).',
  },
  max_attempts: {
    type: 'integer',
    title: 'Attempts per batch',
    minimum: 1,
    maximum: 20,
    default: 4,
    description:
      'Attempts for a batch or statement that fails with a transient error (lost connection, deadlock).',
  },
};

/** Connection options from settings; one line naming the missing setting otherwise. */
export function connectOptions(settings: OracleSettings): ConnectOptions {
  if (!settings.user)
    throw new ConfigError('CONFIG_INVALID', 'setting user is required for the Oracle dialect');
  if (settings.password === undefined) {
    throw new ConfigError('CONFIG_INVALID', 'setting password is required for the Oracle dialect');
  }
  let connectString = settings.connect_string;
  if (!connectString) {
    if (!settings.host || !settings.service_name) {
      throw new ConfigError(
        'CONFIG_INVALID',
        'the Oracle dialect needs connect_string, or host and service_name (setting connect_string)',
      );
    }
    connectString = easyConnect(settings.host, settings.port, settings.service_name);
  }
  return {
    user: settings.user,
    password: settings.password,
    connectString,
    ...(settings.config_dir ? { configDir: settings.config_dir } : {}),
    ...(settings.wallet_location ? { walletLocation: settings.wallet_location } : {}),
    ...(settings.wallet_password ? { walletPassword: settings.wallet_password } : {}),
    poolMax: settings.pool_size ?? 4,
    expireTime: settings.expire_time_minutes ?? 2,
    transport: transportAttributes(settings),
  };
}

/**
 * The dialect for these settings. `overrides` lets tests inject a fake session source, a no-op
 * backoff and small chunks; production passes nothing.
 */
export function createOracleDialect(
  settings: OracleSettings,
  logger: Logger,
  overrides: Partial<OracleDialectOptions> & { sessionSource?: SessionSourceFactory } = {},
): Dialect {
  const options = connectOptions(settings);
  const factory = overrides.sessionSource ?? thinPoolSource;
  return new OracleDialect({
    connect: () => factory(options),
    logger,
    loadMethod: settings.staging_method ?? 'array_insert',
    maxAttempts: settings.max_attempts ?? 4,
    callTimeoutMs: (settings.call_timeout_seconds ?? 600) * 1000,
    ...overrides,
  });
}

export const oracleDialect: DialectPlugin = {
  name: 'oracle',
  loads: 'Oracle Database 19c, 21c or 23ai through node-oracledb in Thin mode',
  settings: oracleSettings,
  create: (config, logger, metrics) =>
    createOracleDialect(config as OracleSettings, logger, metrics === undefined ? {} : { metrics }),
  openQueries: (config, logger) => createOracleQueryRunner(config as OracleSettings, logger),
};
