// meltano.yml against the executables it names, and what Meltano itself reads from it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MeltanoSandbox, projectRoot, run } from './support/meltano.js';
import {
  type MeltanoSetting,
  meltanoYmlPath,
  type PluginName,
  readAbout,
  settingsFromAbout,
} from './support/meltano-settings.js';

interface PluginDefinitionConfig {
  name: string;
  config?: Record<string, unknown>;
}

interface PluginDefinition {
  name: string;
  config?: Record<string, unknown>;
  inherit_from?: string;
  namespace?: string;
  pip_url?: string;
  executable?: string;
  capabilities?: string[];
  settings?: MeltanoSetting[];
  settings_group_validation?: string[][];
  metadata?: Record<string, Record<string, unknown>>;
}

interface Project {
  default_environment: string;
  environments: { name: string; config?: unknown }[];
  plugins: { extractors: PluginDefinition[]; loaders: PluginDefinition[] };
  jobs: { name: string; tasks: string[] }[];
  schedules: { name: string; interval: string; job: string }[];
}

let project: Project;
let sandbox: MeltanoSandbox;

before(async () => {
  // Meltano's own YAML library reads the file, as Meltano would.
  const python = resolve(projectRoot, '.venv/bin/python');
  const read = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  const result = await run(python, ['-c', read, meltanoYmlPath]);
  assert.equal(
    result.status,
    0,
    `${python} could not read meltano.yml (run scripts/setup.sh): ${result.stderr}`,
  );
  project = JSON.parse(result.stdout) as Project;
  sandbox = new MeltanoSandbox({});
});

after(() => sandbox?.remove());

function plugin(name: string): PluginDefinition {
  const found = [...project.plugins.extractors, ...project.plugins.loaders].find(
    (entry) => entry.name === name,
  );
  assert.ok(found, `meltano.yml has no plugin ${name}`);
  return found;
}

describe('meltano.yml', () => {
  for (const name of ['tap-oracle-wms', 'target-oracle'] as PluginName[]) {
    test(`${name}: settings and capabilities are the ones --about reports`, () => {
      const about = readAbout(name);
      const definition = plugin(name);
      assert.deepEqual(definition.settings, settingsFromAbout(about), 'regenerate: see docs/meltano.md');
      assert.deepEqual(definition.capabilities, about.capabilities);
      const required = about.settings.required ?? [];
      assert.deepEqual(definition.settings_group_validation ?? [], required.length > 0 ? [required] : []);
      assert.equal(definition.executable, name);
      assert.equal(
        definition.pip_url,
        `--no-index --find-links=\${MELTANO_PROJECT_ROOT}/dist/wheels wms-singer-${name}`,
        'the wheels of scripts/package.sh',
      );
      for (const setting of definition.settings ?? []) {
        const secret = about.settings.properties[setting.name]?.secret === true;
        assert.equal(setting.sensitive === true, secret, `${name}.${setting.name}: sensitive`);
      }
    });
  }

  test('environments: dev by default, staging and prod hold no secret', () => {
    assert.equal(project.default_environment, 'dev');
    assert.deepEqual(project.environments.map((environment) => environment.name).sort(), [
      'dev',
      'prod',
      'staging',
    ]);
    const secrets = [...project.plugins.extractors, ...project.plugins.loaders].flatMap((entry) =>
      (entry.settings ?? []).filter((setting) => setting.sensitive).map((setting) => setting.name),
    );
    assert.ok(secrets.includes('password'));
    // staging and prod may name a secret only as the variable Meltano would read anyway.
    for (const environment of project.environments.filter((entry) => entry.name !== 'dev')) {
      const config = environment.config as { plugins?: Record<string, PluginDefinitionConfig[]> };
      for (const entry of Object.values(config?.plugins ?? {}).flat()) {
        const prefix = entry.name.toUpperCase().replaceAll('-', '_');
        for (const [setting, value] of Object.entries(entry.config ?? {})) {
          if (!secrets.includes(setting)) continue;
          assert.equal(
            value,
            `\${${prefix}_${setting.toUpperCase()}}`,
            `${environment.name} sets ${setting}`,
          );
        }
      }
    }
  });

  test("staging and prod replace the simulator address and demo account; dev is the plugins' config", () => {
    assert.equal(plugin('tap-oracle-wms').config?.base_url, 'http://127.0.0.1:8765/demo');
    assert.equal(plugin('target-oracle').config?.dialect, 'sqlite');
    for (const name of ['staging', 'prod']) {
      const config = project.environments.find((entry) => entry.name === name)?.config as {
        plugins: { extractors: PluginDefinitionConfig[]; loaders: PluginDefinitionConfig[] };
      };
      const tap = config.plugins.extractors.find((entry) => entry.name === 'tap-oracle-wms')?.config;
      for (const setting of ['base_url', 'username', 'password']) {
        assert.equal(tap?.[setting], `\${TAP_ORACLE_WMS_${setting.toUpperCase()}}`, `${name}: ${setting}`);
      }
      const target = config.plugins.loaders.find((entry) => entry.name === 'target-oracle')?.config;
      assert.equal(target?.dialect, 'oracle', `${name}: dialect`);
      assert.equal(target?.hard_delete, false, `${name}: hard_delete`);
    }
  });

  test('every variable docs/meltano.md names is a setting of its plugin', () => {
    const docs = readFileSync(resolve(projectRoot, 'docs/meltano.md'), 'utf8');
    const names = new Set(
      [...docs.matchAll(/\b(TAP_ORACLE_WMS|TARGET_ORACLE)_([A-Z_]+)\b/g)].map((match) => match[0]),
    );
    assert.ok(names.size > 10, 'docs/meltano.md lists the variables');
    const variables = new Set(
      (['tap-oracle-wms', 'target-oracle'] as PluginName[]).flatMap((name) =>
        (plugin(name).settings ?? []).map(
          (setting) => `${name.toUpperCase().replaceAll('-', '_')}_${setting.name.toUpperCase()}`,
        ),
      ),
    );
    for (const name of names) assert.ok(variables.has(name), `${name} is no setting`);
  });

  test('the full-sync variant inherits the tap and forces FULL_TABLE; jobs and schedules', () => {
    const full = plugin('tap-oracle-wms--full');
    assert.equal(full.inherit_from, 'tap-oracle-wms');
    assert.deepEqual(full.metadata, { '*': { 'replication-method': 'FULL_TABLE' } });
    assert.deepEqual(project.jobs, [
      { name: 'full-sync', tasks: ['tap-oracle-wms--full target-oracle', 'wms-quality:check'] },
      { name: 'incremental-sync', tasks: ['tap-oracle-wms target-oracle', 'wms-quality:check'] },
    ]);
  });
});

describe('meltano reads the project', () => {
  for (const name of ['tap-oracle-wms', 'target-oracle'] as PluginName[]) {
    test(`meltano config list ${name} --all shows every setting with its variable`, async () => {
      const result = await sandbox.meltanoOk(['config', 'list', name, '--all']);
      const variable = name.toUpperCase().replaceAll('-', '_');
      for (const setting of Object.keys(readAbout(name).settings.properties)) {
        const line = new RegExp(`^${setting} \\[env: ${variable}_${setting.toUpperCase()}\\]`, 'm');
        assert.match(result.stdout, line);
      }
    });
  }

  test('meltano schedule list shows the weekly full sync and the two-hourly incremental sync', async () => {
    const text = await sandbox.meltanoOk(['schedule', 'list']);
    assert.match(text.stdout, /^\[@weekly\] job full-sync-weekly: full-sync → /m);
    assert.match(text.stdout, /^\[0 \*\/2 \* \* \*\] job incremental-sync-every-2h: incremental-sync → /m);
    const listed = JSON.parse((await sandbox.meltanoOk(['schedule', 'list', '--format', 'json'])).stdout) as {
      schedules: { job: { name: string; cron_interval: string; job: { name: string } }[] };
    };
    const schedules = listed.schedules.job.map((entry) => [entry.job.name, entry.cron_interval]);
    assert.deepEqual(schedules, [
      ['full-sync', '0 0 * * 0'],
      ['incremental-sync', '0 */2 * * *'],
    ]);
  });
});
