// The dialect seam as a plug-in contract: the registry derives the `dialect` setting and the
// settings schema; unknown settings are refused by name; no two settings share a name or title.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, STREAM_MAP_SETTINGS, validateConfig, withCommonSettings } from '@wms-singer/singer';
import { targetSettings } from '../src/definition.js';
import type { DialectPlugin } from '../src/dialects/dialect.js';
import { createDialect, DIALECTS, dialectChoiceSetting, dialectSettings } from '../src/dialects/index.js';
import { engineSettings } from '../src/settings.js';

const logger = createLogger({ name: 'test', level: 'silent' });

test('the dialect setting lists exactly the registered dialects, the first as default', () => {
  const setting = dialectChoiceSetting();
  assert.deepEqual(setting.enum, ['oracle', 'sqlite']);
  assert.equal(setting.default, 'oracle');
  for (const dialect of DIALECTS) assert.match(setting.description, new RegExp(`${dialect.name}, `));
});

test('the settings schema is the engine settings (and the kit stream maps) plus every dialect settings, and nothing else', () => {
  const schema = targetSettings();
  const expected = new Set([
    'dialect',
    ...Object.keys(engineSettings),
    ...Object.keys(STREAM_MAP_SETTINGS),
    ...DIALECTS.flatMap((d) => Object.keys(d.settings)),
  ]);
  assert.deepEqual(new Set(Object.keys(schema.properties)), expected);
  assert.equal(schema.additionalProperties, false);
  // The engine holds no dialect's settings.
  for (const dialect of DIALECTS)
    for (const name of Object.keys(dialect.settings)) assert.equal(engineSettings[name], undefined, name);
});

test('no two settings share a title (two were called "Load method")', () => {
  const titles = Object.values(withCommonSettings(targetSettings()).properties).map((s) => s.title);
  assert.equal(new Set(titles).size, titles.length, titles.join(', '));
  assert.equal(targetSettings().properties.staging_method?.title, 'Staging method');
});

test('two dialects defining one setting are refused when the registry is built', () => {
  const a: DialectPlugin = {
    name: 'a',
    loads: 'a',
    settings: { path: { type: 'string', title: 'Path A', description: 'a' } },
    create: () => {
      throw new Error('unused');
    },
  };
  const b: DialectPlugin = { ...a, name: 'b', settings: { path: { ...a.settings.path!, title: 'Path B' } } };
  assert.throws(() => dialectSettings([a, b]), /dialects a and b both define setting path/);
});

test('an unknown target setting is refused with its name', () => {
  const schema = withCommonSettings(targetSettings());
  assert.throws(
    () => validateConfig(schema, { dialect: 'sqlite', sqlite_path: 'x.db', batch_rows: 5 }),
    /setting "batch_rows" is not a known setting/,
  );
  const config = validateConfig<Record<string, unknown>>(schema, { dialect: 'sqlite', sqlite_path: 'x.db' });
  assert.equal(config.load_method, 'upsert');
});

test('createDialect builds the named plug-in; its own required settings are checked by it', () => {
  assert.equal(createDialect({ dialect: 'sqlite', sqlite_path: ':memory:' }, logger).name, 'sqlite');
  assert.throws(() => createDialect({ dialect: 'sqlite' }, logger), /setting "sqlite_path" is required/);
  assert.throws(
    () => createDialect({ dialect: 'oracle', password: 'p' }, logger),
    /setting user is required/,
  );
});
