import { readFileSync } from 'node:fs';
import {
  type ConnectorDefinition,
  openInput,
  type SettingSchema,
  type SettingsSchema,
  STREAM_MAP_SETTINGS,
} from '@wms-singer/singer';
import { createDialect, dialectChoiceSetting, dialectSettings } from './dialects/index.js';
import { engineSettings, type TargetConfig } from './settings.js';
import { Target } from './target.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** target-oracle as the Singer kit runs it. */
export const targetDefinition: ConnectorDefinition<TargetConfig> = {
  name: 'target-oracle',
  version: packageJson.version,
  description:
    'Singer target that loads Oracle Database, or an embedded SQLite file, with upsert, append-only or overwrite, schema evolution and state printed only after commit.',
  kind: 'target',
  capabilities: [
    'about',
    'schema-flattening',
    'target-schema',
    'validate-records',
    'activate-version',
    'hard-delete',
    'soft-delete',
    'stream-maps',
  ],
  settings: targetSettings(),
  async run(context) {
    const dialect = createDialect(context.config, context.logger, context.metrics);
    const target = new Target(context.config, dialect, context);
    const input = openInput(context.input);
    try {
      await target.load(input);
    } finally {
      // stdin (a pipe or socket) and a file stream both count what they read
      const bytesRead = (input as { bytesRead?: unknown }).bytesRead;
      if (typeof bytesRead === 'number') context.summary.note({ input_bytes: bytesRead });
    }
  },
};

/**
 * The target's settings: `dialect` (its choices from the registry), the engine's, then every
 * dialect's. A setting no part defines is refused with its name (additionalProperties), and a
 * name or title defined twice is a programming error caught at load.
 */
export function targetSettings(): SettingsSchema {
  const properties: Record<string, SettingSchema> = { dialect: dialectChoiceSetting() };
  for (const [name, setting] of [
    ...Object.entries(engineSettings),
    ...Object.entries(STREAM_MAP_SETTINGS),
    ...Object.entries(dialectSettings()),
  ]) {
    if (properties[name] !== undefined) throw new Error(`setting ${name} is defined twice`);
    properties[name] = setting;
  }
  const titles = new Map<string, string>();
  for (const [name, setting] of Object.entries(properties)) {
    const title = setting.title ?? name;
    const other = titles.get(title);
    if (other !== undefined) throw new Error(`settings ${other} and ${name} share the title "${title}"`);
    titles.set(title, name);
  }
  return { type: 'object', additionalProperties: false, properties };
}
