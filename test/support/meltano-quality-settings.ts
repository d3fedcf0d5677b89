// The settings of the wms-quality utility in meltano.yml, derived from its settings schema the way
// the connectors' are from --about (meltanoSetting): the database settings also read the target's
// variables, the WMS settings the tap's (env_aliases).
//   node test/dist/support/meltano-quality-settings.js --write-quality   rewrites its block in meltano.yml
import { readFileSync, writeFileSync } from 'node:fs';
import { TAP_SETTINGS } from 'tap-oracle-wms';
import { settingsSchema } from 'wms-quality';
import { formatMeltanoYml, type MeltanoSetting, meltanoSetting, meltanoYmlPath } from './meltano-settings.js';

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

export type UtilitySetting = MeltanoSetting & { env_aliases?: string[] };

function setting(
  name: string,
  schema: Parameters<typeof meltanoSetting>[1],
  alias?: string,
  label = '',
): UtilitySetting {
  const result: UtilitySetting = meltanoSetting(name, schema);
  if (label) result.label = `${label}${result.label}`;
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

// Its own flag: meltano-settings.js (imported above) rewrites the connectors' blocks on --write.
if (process.argv.includes('--write-quality')) {
  const text = readFileSync(meltanoYmlPath, 'utf8');
  const { start, end } = currentSettings(text);
  writeFileSync(meltanoYmlPath, text.slice(0, start) + renderSettings() + text.slice(end));
  formatMeltanoYml();
  console.log(`meltano.yml: ${utilitySettings().length} wms-quality settings written`);
}
