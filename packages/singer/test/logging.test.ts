import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createLogger, redactSecretFields, resolveLogLevel, SecretRegistry } from '../src/index.js';

function capture(level?: string, secrets?: SecretRegistry) {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    ...(level === undefined ? {} : { level }),
    ...(secrets === undefined ? {} : { secrets }),
    destination: { write: (line: string) => lines.push(line) },
  });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('log level', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.LOG_LEVEL;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });

  it('the log_level setting wins over LOG_LEVEL', () => {
    process.env.LOG_LEVEL = 'debug';
    assert.equal(resolveLogLevel('warn'), 'warn');
  });

  it('LOG_LEVEL applies when the setting is unset, case-insensitively', () => {
    process.env.LOG_LEVEL = 'DEBUG';
    assert.equal(resolveLogLevel(undefined), 'debug');
  });

  it('info when neither is set or the value is unknown', () => {
    delete process.env.LOG_LEVEL;
    assert.equal(resolveLogLevel(undefined), 'info');
    assert.equal(resolveLogLevel('chatty'), 'info');
  });

  it('the logger drops lines below its level', () => {
    const { logger, records } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    assert.deepEqual(
      records().map((r) => r.msg),
      ['shown'],
    );
  });
});

describe('redaction', () => {
  it('redacts secret keys at the top level and nested, whatever the depth', () => {
    const { logger, lines, records } = capture('info');
    logger.info(
      {
        password: 'p1-secret',
        config: { client_secret: 'p2-secret', headers: { Authorization: 'Basic dXNlcjpwYXNz' } },
        err: { config: { headers: { authorization: 'Bearer deep-token-123' } } },
        token: 'tok-value',
        refresh_token: 'refresh-value',
        wallet_password: 'wallet-value',
        keep: 'visible',
      },
      'request',
    );
    const text = lines.join('');
    for (const secret of [
      'p1-secret',
      'p2-secret',
      'dXNlcjpwYXNz',
      'deep-token-123',
      'tok-value',
      'refresh-value',
      'wallet-value',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    const record = records()[0]!;
    assert.equal(record.password, '[REDACTED]');
    assert.equal(record.keep, 'visible');
    assert.deepEqual(record.err, { config: { headers: { authorization: '[REDACTED]' } } });
  });

  it('scrubs registered secret values wherever they appear, also JSON-escaped', () => {
    const secrets = new SecretRegistry();
    secrets.add('pa"ss\\word');
    secrets.add('hunter22');
    const { logger, lines } = capture('info', secrets);
    logger.error(new Error('connect failed: ORA-01017 for hunter22'), 'db');
    logger.info(`quoted pa"ss\\word in text`);
    const text = lines.join('');
    assert.ok(!text.includes('hunter22'));
    assert.ok(!text.includes('ss\\\\word'));
    assert.match(text, /ORA-01017 for \[REDACTED\]/);
  });

  it('ignores values too short to be secrets and non-strings', () => {
    const secrets = new SecretRegistry();
    secrets.add('ab');
    secrets.add(undefined);
    secrets.add(12345);
    assert.equal(secrets.scrub('ab 12345'), 'ab 12345');
  });

  it('redacts Authorization credentials quoted in free text', () => {
    assert.equal(
      redactSecretFields('header was Authorization: Basic dXNlcjpwYXNzd29yZA== then'),
      'header was Authorization: Basic [REDACTED] then',
    );
    assert.equal(redactSecretFields('Bearer eyJhbGciOi.x-y_z'), 'Bearer [REDACTED]');
    assert.equal(redactSecretFields('"api_key":"k\\"ey","n":1'), '"api_key":"[REDACTED]","n":1');
  });

  it('writes JSON lines with the connector name', () => {
    const { logger, records } = capture('info');
    logger.info('hello');
    const record = records()[0]!;
    assert.equal(record.name, 'test');
    assert.equal(record.msg, 'hello');
    assert.equal(record.level, 30);
  });
});
