import { type SettingSchema, type SettingsSchema, secretSettingNames } from '@wms-singer/singer';
import { TAP_SETTINGS, type TapConfig } from 'tap-oracle-wms';
import { engineSettings, targetSettings } from 'target-oracle';

export type Severity = 'warn' | 'fail';

/** One check's settings after defaults: every check has these; some add their own. */
export interface CheckSettings {
  enabled: boolean;
  severity: Severity;
  /** Most failing rows allowed: a share of the checked rows, or a count (see the check's `unit`). */
  threshold: number;
  /** freshness: hours the newest mod_ts may lag the run. */
  window_hours?: number;
  /** freshness, completeness: the streams (tables before table_prefix) to look at. */
  tables?: string[];
}

export interface QualityConfig {
  /** A dialect registered in the target (`oracle`, `sqlite`). */
  dialect: string;
  sqlite_path?: string;
  default_target_schema?: string;
  table_prefix: string;
  /** The tap's settings, for the WMS's own counts (completeness); absent: completeness is skipped. */
  wms?: TapConfig;
  checks: Record<string, Partial<CheckSettings>>;
  results_table: string;
  report_runs: number;
  log_level?: string;
  [oracleSetting: string]: unknown;
}

/** The engine's settings that say where the loaded tables are (the rest are about loading). */
const ENGINE_SETTINGS_KEPT = ['default_target_schema', 'table_prefix'];
/** Dialect settings about loading only, not about reaching the database. */
const LOAD_ONLY = new Set([
  'pool_size',
  'staging_method',
  'max_attempts',
  'stream_maps',
  'stream_map_config',
]);

/**
 * The target's settings wms-quality takes: `dialect`, every dialect's connection settings (SQLite's
 * path; Oracle's user, password, connect string, wallet, TLS ...), the target schema and prefix.
 */
function databaseSettings(): Record<string, SettingSchema> {
  const target = targetSettings().properties;
  return Object.fromEntries(
    Object.entries(target).filter(
      ([name]) => ENGINE_SETTINGS_KEPT.includes(name) || (!(name in engineSettings) && !LOAD_ONLY.has(name)),
    ),
  );
}

const checkSettingsSchema: SettingSchema = {
  type: 'object',
  description: 'One check: enabled, severity (warn|fail), threshold, and its own options.',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', description: 'Run this check.' },
    severity: {
      type: 'string',
      enum: ['warn', 'fail'],
      description: 'fail: a broken check makes the run exit 1.',
    },
    threshold: { type: 'number', minimum: 0, description: 'Most failing rows allowed (share or count).' },
    window_hours: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'freshness: allowed lag of the newest mod_ts.',
    },
    tables: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9_]+$' },
      description: 'freshness, completeness: the streams to look at.',
    },
  },
};

/** The settings schema of `wms-quality` (validated by the Singer kit's ajv pass). */
export function qualitySettings(checkNames: string[]): SettingsSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...databaseSettings(),
      wms: {
        type: 'object',
        title: 'WMS settings',
        description:
          "The tap's settings (base_url, credentials, filters), for the WMS's own row counts (completeness). Without base_url, completeness is skipped.",
        properties: TAP_SETTINGS.properties,
        additionalProperties: false,
      },
      checks: {
        type: 'object',
        title: 'Checks',
        default: {},
        description: `Per check (${checkNames.join(', ')}): enabled, severity, threshold and its own options (docs/quality.md).`,
        properties: Object.fromEntries(checkNames.map((name) => [name, checkSettingsSchema])),
        additionalProperties: false,
      },
      results_table: {
        type: 'string',
        title: 'Results table',
        default: 'wms_quality_results',
        pattern: '^[a-z][a-z0-9_]*$',
        description: 'Table the results are written to (created when missing), in default_target_schema.',
      },
      report_runs: {
        type: 'integer',
        title: 'Runs in the report',
        minimum: 1,
        maximum: 1000,
        default: 30,
        description: 'How many of the latest runs the HTML report charts.',
      },
    },
  };
}

/** Values of secret settings (top level and inside `wms`): they never reach a log line. */
export function secretValues(schema: SettingsSchema, config: Record<string, unknown>): unknown[] {
  const wms = (config.wms ?? {}) as Record<string, unknown>;
  return [
    ...secretSettingNames(schema).map((name) => config[name]),
    ...secretSettingNames(TAP_SETTINGS).map((name) => wms[name]),
  ];
}
