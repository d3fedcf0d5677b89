// The command line's edges: usage and configuration errors (exit 2, one line), settings from
// WMS_QUALITY_* variables as Meltano passes them, and secrets kept out of every line.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { configFromEnvironment, settingsSchema } from '../src/config.js';
import { executables, run, tempDir, writeJson } from './support/warehouse.js';

const dir = tempDir();
const quality = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [executables.quality, ...args], env);

test('usage and configuration errors: one line each, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /^wms-quality: usage: wms-quality check --config FILE/],
    [['check', '--bogus'], /^wms-quality: Unknown argument: bogus/],
    [
      ['report', '--config', writeJson(dir, 'a.json', { dialect: 'sqlite', sqlite_path: 'x.db' })],
      /report needs --html OUT/,
    ],
    [
      ['check', '--config', writeJson(dir, 'b.json', { dialect: 'sqlite', sqlite_path: 'x.db', bogus: 1 })],
      /setting "bogus" is not a known setting/,
    ],
    [
      [
        'check',
        '--config',
        writeJson(dir, 'c.json', { dialect: 'sqlite', sqlite_path: join(dir, 'none.db') }),
      ],
      /setting "sqlite_path": .*none\.db does not exist/,
    ],
    [
      ['check', '--config', writeJson(dir, 'd.json', { dialect: 'sqlite' })],
      /setting "sqlite_path" is required when "dialect" is "sqlite"/,
    ],
    [
      [
        'check',
        '--config',
        writeJson(dir, 'e.json', {
          dialect: 'sqlite',
          sqlite_path: 'x.db',
          checks: { freshness: { severity: 'loud' } },
        }),
      ],
      /setting "checks\.freshness\.severity" must be one of "warn", "fail"/,
    ],
    [
      [
        'check',
        '--config',
        writeJson(dir, 'f.json', { dialect: 'sqlite', sqlite_path: 'x.db', checks: { made_up: {} } }),
      ],
      /setting "checks\.made_up" is not a known setting/,
    ],
    [
      [
        'check',
        '--config',
        writeJson(dir, 'g.json', {
          dialect: 'sqlite',
          sqlite_path: 'x.db',
          wms: { base_url: 'http://127.0.0.1:1/demo' },
        }),
      ],
      /setting "username" is required when auth_method is basic/,
    ],
  ];
  for (const [args, line] of cases) {
    const result = await quality(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, line);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
});

test('an unreachable Oracle: exit 1 with one line, and the password in no line', async () => {
  const secret = 'Oracle-Secret-4711';
  const config = writeJson(dir, 'oracle.json', {
    dialect: 'oracle',
    user: 'quality',
    password: secret,
    connect_string: '127.0.0.1:9/FREEPDB1',
    log_level: 'debug',
  });
  const result = await quality(['check', '--config', config]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /^wms-quality: /m);
  assert.ok(!result.stderr.includes(secret), result.stderr);
});

test('settings from WMS_QUALITY_* variables, as Meltano hands them to a utility', () => {
  const config = configFromEnvironment(settingsSchema(), {
    WMS_QUALITY_DIALECT: 'sqlite',
    WMS_QUALITY_SQLITE_PATH: '/data/w.db',
    WMS_QUALITY_CHECKS: '{"freshness":{"window_hours":3}}',
    WMS_QUALITY_REPORT_RUNS: '10',
    WMS_QUALITY_WMS_BASE_URL: 'http://127.0.0.1:1/demo',
    WMS_QUALITY_WMS_ENTITIES: '["order_hdr"]',
    WMS_QUALITY_TABLE_PREFIX: '',
  });
  assert.deepEqual(config, {
    dialect: 'sqlite',
    sqlite_path: '/data/w.db',
    checks: { freshness: { window_hours: 3 } },
    report_runs: 10,
    wms: { base_url: 'http://127.0.0.1:1/demo', entities: ['order_hdr'] },
  });
  assert.throws(
    () => configFromEnvironment(settingsSchema(), { WMS_QUALITY_CHECKS: '{not json' }),
    /environment variable WMS_QUALITY_CHECKS: not valid JSON/,
  );
});

test('--about prints the settings schema (json, markdown) on stdout', async () => {
  const json = await quality(['--about']);
  assert.equal(json.status, 0, json.stderr);
  const about = JSON.parse(json.stdout) as {
    name: string;
    settings: { properties: Record<string, unknown> };
  };
  assert.equal(about.name, 'wms-quality');
  for (const name of ['dialect', 'sqlite_path', 'password', 'wms', 'checks', 'results_table']) {
    assert.ok(name in about.settings.properties, name);
  }
  const markdown = await quality(['--about', '--format', 'markdown']);
  assert.equal(markdown.status, 0, markdown.stderr);
  assert.match(markdown.stdout, /^# `wms-quality`/);
  assert.match(markdown.stdout, /\| `checks` \| object \|/);
});
