// The settings of the wms-quality utility in meltano.yml, derived from its settings schema: the
// database settings read the target's variables, the WMS settings the tap's (env_aliases).
//   node packages/wms-quality/dist/test/support/meltano-settings.js --write   rewrites meltano.yml
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SettingSchema } from '@wms-singer/singer';
import { TAP_SETTINGS } from 'tap-oracle-wms';
import { settingsSchema } from '../../src/config.js';

export const meltanoYml = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../meltano.yml');

/** The tap's settings a quality run uses (the WMS's counts with the tap's filters, entity groups). */
export const WMS_SETTINGS = [
  'base_url',
  'api_version',
  'auth_method',
  'username',
  'password',
  'oauth_token_url',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_scope',
  'entities',
  'facility_code',
  'company_code',
  'entity_filters',
];
/** wms-quality's own settings: no other plugin's variable stands for them. */
const OWN = new Set([
  'checks',
  'results_table',
  'report_runs',
  'log_level',
  'metrics_interval_seconds',
  'stop_grace_seconds',
]);

const KINDS: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'decimal',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
};

export interface UtilitySetting {
  name: string;
  label: string;
  kind: string;
  value?: unknown;
  options?: Array<{ label: string; value: unknown }>;
  sensitive?: true;
  env_aliases?: string[];
  description: string;
}

function setting(
  name: string,
  schema: SettingSchema,
  alias: string | undefined,
  labelPrefix = '',
): UtilitySetting {
  const type = (Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type) ?? 'string';
  const result: UtilitySetting = {
    name,
    label: `${labelPrefix}${schema.title ?? name}`,
    kind: schema.enum ? 'options' : (KINDS[String(type)] ?? 'string'),
    description: schema.description,
  };
  if (schema.default !== undefined && !(typeof schema.default === 'object' && schema.default !== null)) {
    result.value = schema.default;
  }
  if (schema.enum) result.options = schema.enum.map((value) => ({ label: String(value), value }));
  if (schema.secret === true || schema.writeOnly === true) result.sensitive = true;
  if (alias !== undefined) result.env_aliases = [alias];
  return result;
}

export function utilitySettings(): UtilitySetting[] {
  const settings: UtilitySetting[] = [];
  for (const [name, schema] of Object.entries(settingsSchema().properties)) {
    if (name === 'wms') {
      for (const wmsName of WMS_SETTINGS) {
        const tap = TAP_SETTINGS.properties[wmsName];
        if (tap === undefined) throw new Error(`the tap has no setting ${wmsName}`);
        settings.push(setting(`wms.${wmsName}`, tap, `TAP_ORACLE_WMS_${wmsName.toUpperCase()}`, 'WMS '));
      }
      continue;
    }
    settings.push(setting(name, schema, OWN.has(name) ? undefined : `TARGET_ORACLE_${name.toUpperCase()}`));
  }
  return settings;
}

const START = '\n  utilities:\n    - name: wms-quality\n';

/** The utility's `settings:` block as meltano.yml holds it (JSON is YAML). */
export function renderSettings(): string {
  const lines = ['      settings:'];
  for (const s of utilitySettings()) lines.push(`        - ${JSON.stringify(s)}`);
  return `${lines.join('\n')}\n`;
}

/** The current block in meltano.yml: from the utility's `settings:` to the end of its entry. */
export function currentSettings(text: string): { start: number; end: number } {
  const entry = text.indexOf(START);
  if (entry === -1) throw new Error('meltano.yml has no wms-quality utility');
  const start = text.indexOf('      settings:\n', entry);
  const rest = text.slice(start + 1);
  const next = rest.search(/\n(?! {7,}| {6}settings:)(?=\S| {0,6}\S)/);
  return { start, end: next === -1 ? text.length : start + 1 + next + 1 };
}

if (process.argv.includes('--write')) {
  const text = readFileSync(meltanoYml, 'utf8');
  const { start, end } = currentSettings(text);
  writeFileSync(meltanoYml, text.slice(0, start) + renderSettings() + text.slice(end));
  console.log(`meltano.yml: ${utilitySettings().length} wms-quality settings written`);
}
