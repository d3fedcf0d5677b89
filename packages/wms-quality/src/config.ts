import {
  ConfigError,
  type JsonObject,
  mergeConfigFiles,
  type SecretRegistry,
  type SettingsSchema,
  validateConfig,
  withCommonSettings,
} from '@wms-singer/singer';
import { CHECKS } from './checks/index.js';
import { type QualityConfig, qualitySettings, secretValues } from './settings.js';

export const ENV_PREFIX = 'WMS_QUALITY_';

export function settingsSchema(): SettingsSchema {
  return withCommonSettings(qualitySettings(CHECKS.map((c) => c.name)));
}

/**
 * Settings from `WMS_QUALITY_<NAME>` variables (how Meltano hands a utility its settings):
 * text as is, other types as JSON; `wms` settings also one by one as `WMS_QUALITY_WMS_<NAME>`.
 */
export function configFromEnvironment(schema: SettingsSchema, env: NodeJS.ProcessEnv): JsonObject {
  const config: JsonObject = {};
  const read = (variable: string, type: unknown): unknown => {
    const text = env[variable];
    if (text === undefined || text === '') return undefined;
    if (type === 'string') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ConfigError('CONFIG_INVALID', `environment variable ${variable}: not valid JSON`);
    }
  };
  for (const [name, setting] of Object.entries(schema.properties)) {
    const value = read(ENV_PREFIX + name.toUpperCase(), setting.type);
    if (value !== undefined) config[name] = value as JsonObject[string];
  }
  const wmsSettings = (schema.properties.wms?.properties ?? {}) as Record<string, { type?: unknown }>;
  const wms: JsonObject =
    typeof config.wms === 'object' && config.wms !== null ? (config.wms as JsonObject) : {};
  for (const [name, setting] of Object.entries(wmsSettings)) {
    const value = read(`${ENV_PREFIX}WMS_${name.toUpperCase()}`, setting.type);
    if (value !== undefined) wms[name] = value as JsonObject[string];
  }
  if (Object.keys(wms).length > 0) config.wms = wms;
  return config;
}

/** Environment first, then each `--config` file (later wins, setting by setting); validated once. */
export function loadConfig(files: string[], env: NodeJS.ProcessEnv, secrets: SecretRegistry): QualityConfig {
  const schema = settingsSchema();
  const fromEnv = configFromEnvironment(schema, env);
  const fromFiles = mergeConfigFiles(files);
  const merged: JsonObject = { ...fromEnv, ...fromFiles };
  if (fromEnv.wms && fromFiles.wms)
    merged.wms = { ...(fromEnv.wms as JsonObject), ...(fromFiles.wms as JsonObject) };
  for (const value of secretValues(schema, merged)) secrets.add(value);
  const config = validateConfig<QualityConfig>(schema, merged);
  if (config.wms !== undefined && !config.wms.base_url) delete config.wms;
  return config;
}
