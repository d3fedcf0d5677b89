/**
 * The dialect registry: every database the target can load is one plug-in in this list. The
 * `dialect` setting, the settings schema (`--about`, docs/settings.md, meltano.yml) and the
 * factory are derived from it; the engine never names a dialect.
 */
import type { Logger, Metrics, SettingSchema } from '@wms-singer/singer';
import type { Dialect, DialectPlugin } from './dialect.js';
import { oracleDialect } from './oracle/index.js';
import { sqliteDialect } from './sqlite/index.js';

export type { Dialect, DialectPlugin } from './dialect.js';

/** Every dialect; the first is the default. */
export const DIALECTS: readonly DialectPlugin[] = [oracleDialect, sqliteDialect];

/** The `dialect` setting, its choices taken from the registry. */
export function dialectChoiceSetting(dialects: readonly DialectPlugin[] = DIALECTS): SettingSchema {
  return {
    type: 'string',
    title: 'Dialect',
    enum: dialects.map((d) => d.name),
    default: dialects[0]!.name,
    description: `Database to load: ${dialects.map((d) => `${d.name}, ${d.loads}`).join('; ')}.`,
  };
}

/**
 * Every dialect's settings in one record. Two dialects defining one name (or one title) would make
 * the reference ambiguous: refused here, at load, so a new plug-in cannot ship that way.
 */
export function dialectSettings(
  dialects: readonly DialectPlugin[] = DIALECTS,
): Record<string, SettingSchema> {
  const merged: Record<string, SettingSchema> = {};
  const owner = new Map<string, string>();
  for (const dialect of dialects) {
    for (const [name, setting] of Object.entries(dialect.settings)) {
      if (owner.has(name)) {
        throw new Error(`dialects ${owner.get(name)} and ${dialect.name} both define setting ${name}`);
      }
      owner.set(name, dialect.name);
      merged[name] = setting;
    }
  }
  return merged;
}

/** The plug-in the config names (the settings schema has already checked the name). */
export function dialectPlugin(name: string, dialects: readonly DialectPlugin[] = DIALECTS): DialectPlugin {
  const plugin = dialects.find((d) => d.name === name);
  if (plugin === undefined) throw new Error(`no dialect named ${name}`);
  return plugin;
}

/** The dialect the config names. */
export function createDialect(
  config: Readonly<Record<string, unknown>>,
  logger: Logger,
  metrics?: Metrics,
): Dialect {
  return dialectPlugin(String(config.dialect ?? DIALECTS[0]!.name)).create(config, logger, metrics);
}
