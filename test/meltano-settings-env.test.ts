// Every numeric setting of the plugins from an environment variable (and from `meltano config
// set`), through the real Meltano of .venv on this meltano.yml. Meltano 4 reads a `kind: decimal`
// setting from a variable as a Python Decimal and then fails to write it as JSON ("Object of
// type Decimal is not JSON serializable"); meltano.yml gives number settings `kind: string`
// instead, and the kit's validateConfig reads their text as the number (docs/meltano.md).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SettingSchema, type SettingsSchema, validateConfig } from '@wms-singer/singer';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { settingsSchema as qualitySettingsSchema } from 'wms-quality';
import { type Completed, MeltanoSandbox, meltanoBin, run } from './support/meltano.js';
import { meltanoYmlPath, type PluginName, readAbout } from './support/meltano-settings.js';
import { readTables } from './support/meltano-tables.js';

interface NumericSetting {
  name: string;
  variable: string;
  kind: 'integer' | 'number';
  /** The variable's text. */
  text: string;
  /** The number the plugin must see. */
  value: number;
}

const variablePrefix = (plugin: string): string => `${plugin.toUpperCase().replaceAll('-', '_')}_`;

/**
 * One valid value per integer or number setting, unlike its default: a fraction for a number
 * (a different one each), the default plus one (or the minimum) for an integer.
 */
function numericSettings(plugin: string, properties: Record<string, SettingSchema>): NumericSetting[] {
  const settings: NumericSetting[] = [];
  for (const [name, setting] of Object.entries(properties)) {
    const types = Array.isArray(setting.type) ? setting.type : [setting.type];
    const kind = types.includes('integer') ? 'integer' : types.includes('number') ? 'number' : undefined;
    if (kind === undefined) continue;
    const minimum = (setting.minimum ?? setting.exclusiveMinimum ?? 0) as number;
    const maximum = (setting.maximum ?? Number.POSITIVE_INFINITY) as number;
    let value: number;
    if (kind === 'number') {
      value = minimum + settings.length + 0.5;
    } else {
      const above = typeof setting.default === 'number' ? setting.default + 1 : minimum + 1;
      value = above <= maximum ? above : minimum;
    }
    assert.ok(value >= minimum && value <= maximum && value !== setting.default, `${plugin}.${name}`);
    settings.push({
      name,
      variable: variablePrefix(plugin) + name.toUpperCase(),
      kind,
      text: String(value),
      value,
    });
  }
  return settings;
}

const variables = (settings: NumericSetting[]): Record<string, string> =>
  Object.fromEntries(settings.map((setting) => [setting.variable, setting.text]));

const log = (result: Completed): string => (result.stdout + result.stderr).slice(-3000);

const schemaOf = (plugin: PluginName): SettingsSchema => readAbout(plugin).settings as SettingsSchema;
const connectors: PluginName[] = ['tap-oracle-wms', 'target-oracle'];
const numeric = Object.fromEntries(
  connectors.map((plugin) => [plugin, numericSettings(plugin, schemaOf(plugin).properties)]),
) as Record<PluginName, NumericSetting[]>;
const qualityNumeric = numericSettings('wms-quality', qualitySettingsSchema().properties);

/** What a plugin's settings validation makes of the config: the same function its CLI runs. */
function assertPluginSees(
  plugin: PluginName,
  config: Record<string, unknown>,
  settings: { name: string; value: number }[],
): void {
  const parsed = validateConfig<Record<string, unknown>>(schemaOf(plugin), config);
  for (const setting of settings)
    assert.equal(parsed[setting.name], setting.value, `${plugin}.${setting.name}`);
}

let sandbox: MeltanoSandbox;
before(() => {
  sandbox = new MeltanoSandbox({});
});
after(() => sandbox?.remove());

describe('numeric settings from environment variables', () => {
  test('every connector has number settings (the kind that failed) and integer ones', () => {
    for (const plugin of connectors) {
      const kinds = new Set(numeric[plugin].map((setting) => setting.kind));
      assert.deepEqual([...kinds].sort(), ['integer', 'number'], plugin);
    }
    assert.ok(numeric['tap-oracle-wms'].some((setting) => setting.name === 'late_rows_window_hours'));
    assert.ok(qualityNumeric.some((setting) => setting.name === 'metrics_interval_seconds'));
  });

  for (const plugin of connectors) {
    test(`meltano config print ${plugin}: integers as numbers, number settings as their text`, async () => {
      const result = await sandbox.meltano(['config', 'print', plugin], variables(numeric[plugin]));
      assert.equal(result.status, 0, log(result));
      const printed = JSON.parse(result.stdout) as Record<string, unknown>;
      for (const setting of numeric[plugin]) {
        const expected = setting.kind === 'integer' ? setting.value : setting.text;
        assert.equal(printed[setting.name], expected, setting.name);
      }
    });

    test(`meltano invoke --dump=config ${plugin}: the config file the plugin reads parses to the numbers`, async () => {
      const result = await sandbox.meltano(['invoke', '--dump=config', plugin], variables(numeric[plugin]));
      assert.equal(result.status, 0, log(result));
      assertPluginSees(plugin, JSON.parse(result.stdout) as Record<string, unknown>, numeric[plugin]);
    });
  }

  test('meltano config print wms-quality', async () => {
    const result = await sandbox.meltano(['config', 'print', 'wms-quality'], variables(qualityNumeric));
    assert.equal(result.status, 0, log(result));
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    for (const setting of qualityNumeric) {
      const expected = setting.kind === 'integer' ? setting.value : setting.text;
      assert.equal(printed[setting.name], expected, setting.name);
    }
  });

  test('meltano invoke: the tap (discovery) and the target accept every one of them', async () => {
    const tap = await sandbox.meltano(['invoke', 'tap-oracle-wms', '--discover'], {
      ...variables(numeric['tap-oracle-wms']),
      TAP_ORACLE_WMS_DISCOVERY_MODE: 'bundled', // the schemas shipped with the tap: no WMS needed
    });
    assert.equal(tap.status, 0, log(tap));
    assert.ok((JSON.parse(tap.stdout) as { streams: unknown[] }).streams.length > 0);
    const target = await sandbox.meltano(['invoke', 'target-oracle'], variables(numeric['target-oracle']));
    assert.equal(target.status, 0, log(target));
  });

  test("meltano invoke: the plugin's range checks apply to a number given as text; other text is refused", async () => {
    const invoke = (variable: string, text: string) =>
      sandbox.meltano(['invoke', 'tap-oracle-wms', '--discover'], {
        TAP_ORACLE_WMS_DISCOVERY_MODE: 'bundled',
        [variable]: text,
      });
    const zero = await invoke('TAP_ORACLE_WMS_REQUEST_TIMEOUT_SECONDS', '0');
    assert.equal(zero.status, 2, log(zero));
    assert.match(zero.stderr, /tap-oracle-wms: setting "request_timeout_seconds" must be > 0 \(got 0\)/);
    const word = await invoke('TAP_ORACLE_WMS_RETRY_BACKOFF_SECONDS', 'soon');
    assert.equal(word.status, 2, log(word));
    assert.match(
      word.stderr,
      /tap-oracle-wms: setting "retry_backoff_seconds" must be a number \(got "soon"\)/,
    );
  });
});

describe('meltano config set', () => {
  test('a fraction set with meltano config set, or as a variable reference in meltano.yml, reaches the plugin as that number', async () => {
    // A copy of meltano.yml in a folder of its own (config set rewrites the file) and no
    // plugins installed there: `config print` needs none, and nothing can install over ours.
    const project = join(sandbox.directory, 'project');
    mkdirSync(join(project, 'system'), { recursive: true });
    copyFileSync(meltanoYmlPath, join(project, 'meltano.yml'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
      MELTANO_SYS_DIR_ROOT: join(project, 'system'),
      GRACE_FROM_THE_ENVIRONMENT: '3.5',
    };
    const meltano = async (args: string[]) => {
      const result = await run(meltanoBin, args, { cwd: project, env });
      assert.equal(result.status, 0, `meltano ${args.join(' ')}\n${log(result)}`);
      return result;
    };
    // [setting, what config set stores, what config print shows, what the plugin sees]
    const values: Record<PluginName, [string, string, unknown, number][]> = {
      'tap-oracle-wms': [
        ['retry_backoff_seconds', '0.25', '0.25', 0.25],
        ['late_rows_window_hours', '1.5', '1.5', 1.5],
        ['max_retries', '7', 7, 7], // kind integer: a number
        // Meltano expands the variable, then treats it as it treats a variable's value
        ['stop_grace_seconds', `\${GRACE_FROM_THE_ENVIRONMENT}`, '3.5', 3.5],
      ],
      'target-oracle': [
        ['batch_max_age_seconds', '2.5', '2.5', 2.5],
        ['batch_size_rows', '500', 500, 500],
      ],
    };
    for (const plugin of connectors) {
      for (const [name, text] of values[plugin]) await meltano(['config', 'set', plugin, name, text]);
      const printed = JSON.parse((await meltano(['config', 'print', plugin])).stdout) as Record<
        string,
        unknown
      >;
      for (const [name, , shown] of values[plugin]) assert.equal(printed[name], shown, name);
      assertPluginSees(
        plugin,
        printed,
        values[plugin].map(([name, , , value]) => ({ name, value })),
      );
    }
  });
});

describe('meltano run', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await startSimulator({
      seed: 11,
      rows: { order_dtl: 120 },
      startTime: new Date(Date.now() - 30 * 60_000).toISOString(),
    });
    simulator.advance({ updates: 3, seconds: 60 }); // recent rows, so the freshness check passes
  });
  after(() => simulator?.stop());

  test('the incremental-sync job with every number setting of the three plugins from a variable', async () => {
    const fractions = [...numeric['tap-oracle-wms'], ...numeric['target-oracle'], ...qualityNumeric].filter(
      (setting) => setting.kind === 'number',
    );
    const result = await sandbox.meltano(['run', 'incremental-sync'], {
      TAP_ORACLE_WMS_BASE_URL: simulator.baseUrl,
      ...variables(fractions),
    });
    assert.equal(result.status, 0, log(result));
    const tables = readTables(sandbox.sqlitePath);
    for (const entity of ['allocation', 'order_hdr', 'order_dtl']) {
      assert.equal(tables.get(entity)?.size, simulator.snapshot(entity).length, entity);
    }
    assert.match(result.stderr + result.stdout, /wms-quality: freshness pass/);
  });
});
