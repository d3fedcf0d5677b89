import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COMMON_SETTINGS,
  ConfigError,
  type SettingsSchema,
  secretSettingNames,
  settingsMarkdown,
  validateConfig,
  withCommonSettings,
} from '../src/index.js';

const schema: SettingsSchema = withCommonSettings({
  type: 'object',
  additionalProperties: false,
  required: ['base_url', 'username', 'password'],
  properties: {
    base_url: { type: 'string', format: 'uri', description: 'WMS base URL.' },
    username: { type: 'string', description: 'User.' },
    password: { type: 'string', secret: true, description: 'Password.' },
    api_token: { type: 'string', writeOnly: true, description: 'Token.' },
    page_size: { type: 'integer', minimum: 1, maximum: 1250, default: 1000, description: 'Rows | per page.' },
    mode: { type: 'string', enum: ['fast', 'safe'], description: 'Mode.' },
    retry: {
      type: 'object',
      required: ['attempts'],
      properties: { attempts: { type: 'integer', description: 'Attempts.' } },
      description: 'Retry policy.',
    },
  },
});

function configError(config: Record<string, unknown>): string {
  try {
    validateConfig(schema, config);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.exitCode, 2);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail('expected the config to be rejected');
}

const valid = { base_url: 'https://wms.example/lgfapi', username: 'u', password: 'hunter2-secret' };

describe('validateConfig', () => {
  it('accepts a valid config, fills defaults, and leaves the input alone', () => {
    const input = { ...valid };
    const config = validateConfig<Record<string, unknown>>(schema, input);
    assert.equal(config.page_size, 1000);
    assert.equal(config.metrics_interval_seconds, 60);
    assert.equal('page_size' in input, false);
  });

  it('names a missing setting', () => {
    assert.equal(configError({ base_url: 'https://x', username: 'u' }), 'setting "password" is required');
  });

  it('names a nested missing setting', () => {
    assert.equal(configError({ ...valid, retry: {} }), 'setting "retry.attempts" is required');
  });

  it('names a setting of the wrong type and shows the value', () => {
    assert.equal(
      configError({ ...valid, page_size: 'lots' }),
      'setting "page_size" must be integer (got "lots")',
    );
  });

  it('names a setting out of range', () => {
    assert.equal(
      configError({ ...valid, page_size: 5000 }),
      'setting "page_size" must be <= 1250 (got 5000)',
    );
  });

  it('lists the allowed values of an enum', () => {
    assert.equal(
      configError({ ...valid, mode: 'turbo' }),
      'setting "mode" must be one of "fast", "safe" (got "turbo")',
    );
  });

  it('checks formats', () => {
    assert.match(
      configError({ ...valid, base_url: 'not a url' }),
      /^setting "base_url" must match format "uri"/,
    );
  });

  it('names an unknown setting when the schema forbids extras', () => {
    assert.equal(configError({ ...valid, pasword: 'typo' }), 'setting "pasword" is not a known setting');
  });

  it('never shows the value of a secret setting', () => {
    const message = configError({ ...valid, password: 12345678 });
    assert.equal(message, 'setting "password" must be string');
    const token = configError({ ...valid, api_token: 987654321 });
    assert.equal(token, 'setting "api_token" must be string');
  });

  it('checks the common settings', () => {
    assert.equal(
      configError({ ...valid, log_level: 'loud' }),
      'setting "log_level" must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")',
    );
    assert.match(
      configError({ ...valid, metrics_interval_seconds: -1 }),
      /^setting "metrics_interval_seconds" must be >= 0/,
    );
  });
});

describe('settings schema helpers', () => {
  it('withCommonSettings adds log_level and metrics_interval_seconds without touching its input', () => {
    const own: SettingsSchema = { type: 'object', properties: { a: { type: 'string', description: 'A.' } } };
    const merged = withCommonSettings(own);
    assert.deepEqual(Object.keys(merged.properties), ['a', ...Object.keys(COMMON_SETTINGS)]);
    assert.deepEqual(Object.keys(own.properties), ['a']);
  });

  it('secretSettingNames lists secret and writeOnly settings', () => {
    assert.deepEqual(secretSettingNames(schema), ['password', 'api_token']);
  });

  it('settingsMarkdown renders one row per setting, escaping pipes, hiding secret defaults', () => {
    const table = settingsMarkdown(schema).split('\n');
    assert.equal(table[0], '| Setting | Type | Notes | Default | Description |');
    assert.equal(table.length, 2 + Object.keys(schema.properties).length);
    assert.ok(table.includes('| `page_size` | integer |  | `1000` | Rows \\| per page. |'));
    assert.ok(table.includes('| `password` | string | required, secret |  | Password. |'));
    assert.ok(table.includes('| `mode` | string |  |  | Mode. (`fast`, `safe`) |'));
  });
});

describe('number settings given as text (how Meltano hands over a setting of kind string)', () => {
  const numbers: SettingsSchema = withCommonSettings({
    type: 'object',
    additionalProperties: false,
    properties: {
      timeout: { type: 'number', exclusiveMinimum: 0, default: 300, description: 'Seconds.' },
      window: { type: ['number', 'null'], minimum: 0, maximum: 168, description: 'Hours.' },
      page_size: { type: 'integer', minimum: 1, description: 'Rows.' },
      pin: { type: 'number', secret: true, description: 'Secret number.' },
      retry: {
        type: 'object',
        properties: { backoff: { type: 'number', description: 'Seconds.' } },
        description: 'Nested.',
      },
    },
  });
  const parse = (config: Record<string, unknown>) => validateConfig<Record<string, unknown>>(numbers, config);
  const refused = (config: Record<string, unknown>): string => {
    try {
      parse(config);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.ok(!error.message.includes('\n'), 'one line');
      return error.message;
    }
    assert.fail('expected the config to be rejected');
  };

  it('reads numeric text as the number it spells, leaving the input alone', () => {
    const input = {
      timeout: '2.5',
      window: '0.5',
      metrics_interval_seconds: '0',
      stop_grace_seconds: ' 30 ',
    };
    const config = parse(input);
    assert.equal(config.timeout, 2.5);
    assert.equal(config.window, 0.5);
    assert.equal(config.metrics_interval_seconds, 0);
    assert.equal(config.stop_grace_seconds, 30);
    assert.equal(input.timeout, '2.5');
    assert.equal(parse({ timeout: '1e3' }).timeout, 1000);
    assert.equal(parse({ timeout: '.25' }).timeout, 0.25);
    assert.equal(parse({ timeout: 7 }).timeout, 7, 'a number stays a number');
    assert.equal(parse({ window: null }).window, null);
  });

  it('applies the range checks to the number', () => {
    assert.equal(refused({ timeout: '0' }), 'setting "timeout" must be > 0 (got 0)');
    assert.equal(refused({ window: '168.5' }), 'setting "window" must be <= 168 (got 168.5)');
    assert.equal(
      refused({ metrics_interval_seconds: '-1' }),
      'setting "metrics_interval_seconds" must be >= 0 (got -1)',
    );
  });

  it('refuses text that is no plain decimal number, naming the setting', () => {
    for (const text of ['abc', '', ' ', '1,5', '0x10', 'Infinity', 'NaN', '1e400', '5s', '1.2.3']) {
      assert.equal(
        refused({ timeout: text }),
        `setting "timeout" must be a number (got ${JSON.stringify(text)})`,
        text,
      );
    }
  });

  it('only where the setting is a number: an integer or nested setting given as text is refused', () => {
    assert.equal(refused({ page_size: '5' }), 'setting "page_size" must be integer (got "5")');
    assert.equal(
      refused({ retry: { backoff: '0.5' } }),
      'setting "retry.backoff" must be number (got "0.5")',
    );
  });

  it('never shows the text of a secret number setting', () => {
    assert.equal(refused({ pin: 'hunter2' }), 'setting "pin" must be a number');
    assert.equal(parse({ pin: '1234' }).pin, 1234);
  });
});
