import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, SecretRegistry } from '@wms-singer/singer';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { OAuth2Authenticator } from '../src/client/auth.js';
import { createHttp } from '../src/client/http.js';
import {
  basicConfig,
  errorLines,
  idsOf,
  liveIds,
  oauthConfig,
  recordsOf,
  runTap,
} from './support/tap-run.js';

const SECRETS = [
  'wms_password',
  'wrong_password',
  'wms_secret',
  'no_access_password',
  Buffer.from('wms_user:wrong_password').toString('base64'),
];

function assertNoSecrets(text: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `"${secret}" leaked`);
}

describe('authentication', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 15 }, tokenTtlSeconds: 2 });
  });
  after(() => sim.stop());

  test('basic: the Authorization header is Basic on every request', async () => {
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl'] }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    assert.ok(sim.requests.every((r) => r.auth === 'basic'));
  });

  test('basic with a wrong password: one line naming entity and URL, exit 1, no secret', async () => {
    const run = await runTap(
      basicConfig(sim, { password: 'wrong_password', entities: ['order_dtl'], log_level: 'debug' }),
    );
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = errorLines(run);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0]!,
      /^tap-oracle-wms: entity list: the WMS rejected the credentials \(HTTP 401\) at http:\/\/127\.0\.0\.1:\d+\/demo\/wms\/lgfapi\/v10\/entity\/ — check username\/password$/,
    );
    assertNoSecrets(run.stderr);
  });

  test('a user without lgfapi_read_access gets 403 named as such', async () => {
    const config = basicConfig(sim, {
      username: 'no_access_user',
      password: 'no_access_password',
      entities: ['order_hdr'],
    });
    const run = await runTap(config);
    assert.equal(run.code, 1);
    assert.match(
      errorLines(run).join('\n'),
      /entity order_hdr: the WMS user lacks the lgfapi_read_access permission \(HTTP 403\) at http:\/\/127\.0\.0\.1:\d+\/demo\/wms\/lgfapi\/v10\/entity\/order_hdr\//,
    );
    assertNoSecrets(run.stderr);
  });

  test('oauth2: bearer tokens on every request', async () => {
    sim.clearRequests();
    const run = await runTap(oauthConfig(sim, { entities: ['order_dtl'], page_size: 2, log_level: 'debug' }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    const api = sim.requests.filter((r) => !r.path.endsWith('/token'));
    assert.ok(api.every((r) => r.auth === 'bearer'));
    // Every request but the late-rows catch-up's count probes (an empty id range answers 404).
    const probe = (r: (typeof api)[number]): boolean => r.query.page_size === '1' && r.query.fields === 'id';
    assert.ok(api.filter((r) => !probe(r)).every((r) => r.status === 200));
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/token')).length, 1);
    assertNoSecrets(run.stderr);
  });

  test('oauth2: a token is renewed before it expires, not after', async () => {
    let now = 1_000_000;
    const secrets = new SecretRegistry();
    const auth = new OAuth2Authenticator(
      createHttp({ timeoutSeconds: 5, maxSockets: 1, userAgent: 'test' }),
      {
        tokenUrl: sim.tokenUrl,
        clientId: 'wms_client',
        clientSecret: 'wms_secret',
        scope: 'urn:resource:fusion:scm:logistics:wms:lgfapi/',
        retry: { maxRetries: 0, baseSeconds: 0, capSeconds: 0 },
      },
      secrets,
      createLogger({ name: 'test', level: 'silent' }),
      () => now,
    );
    sim.clearRequests();
    const first = await auth.header();
    now += 1000;
    assert.equal(await auth.header(), first, 'still fresh after 1 s of a 2 s token');
    now += 850;
    const second = await auth.header();
    assert.notEqual(second, first, 'renewed 0.2 s ahead of expiry');
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/token')).length, 2);
    assert.ok(
      !secrets.scrub(`x ${second} y`).includes(second.slice('Bearer '.length)),
      'the token is registered as a secret',
    );
    auth.invalidate(second);
    assert.notEqual(await auth.header(), second, 'a refused token is replaced');
  });

  test('oauth2: a token that expires mid-run (expireTokens) is replaced once', async () => {
    sim.clearRequests();
    const timer = setTimeout(() => sim.expireTokens(), 150);
    const run = await runTap(
      oauthConfig(sim, { entities: ['order_dtl'], page_size: 1, max_concurrent_streams: 1 }),
    );
    clearTimeout(timer);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
  });

  test('oauth2 with a wrong client secret: one line naming the token URL', async () => {
    const run = await runTap(oauthConfig(sim, { oauth_client_secret: 'wrong_password' }));
    assert.equal(run.code, 1);
    assert.match(
      errorLines(run).join('\n'),
      /the identity domain rejected the OAuth2 client credentials \(HTTP 40[01][ a-z_]*\) at http:\/\/127\.0\.0\.1:\d+\/oauth2\/v1\/token/,
    );
    assertNoSecrets(run.stderr);
  });
});

describe('settings', { concurrency: true }, () => {
  const base = { base_url: 'http://127.0.0.1:9/demo', username: 'u', password: 'wms_password' };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing base_url', { username: 'u', password: 'p' }, /setting "base_url" is required/],
    ['page_size above 1250', { ...base, page_size: 2000 }, /setting "page_size" must be <= 1250/],
    [
      'unknown page_mode',
      { ...base, page_mode: 'cursor' },
      /setting "page_mode" must be one of "sequenced", "paged"/,
    ],
    [
      'basic without password',
      { base_url: base.base_url, username: 'u' },
      /setting "password" is required when auth_method is basic/,
    ],
    [
      'oauth2 without token URL',
      { ...base, auth_method: 'oauth2', oauth_client_id: 'c', oauth_client_secret: 's' },
      /setting "oauth_token_url" is required/,
    ],
    [
      'credentials inside base_url',
      { ...base, base_url: 'https://u:p@x.example/demo' },
      /setting "base_url"/,
    ],
    ['an unknown setting', { ...base, pagesize: 10 }, /setting "pagesize" is not a known setting/],
    ['a bad start_date', { ...base, start_date: 'yesterday' }, /setting "start_date"/],
    [
      'entity_filters not an object per entity',
      { ...base, entity_filters: { order_hdr: 'status_id=10' } },
      /setting "entity_filters.order_hdr"/,
    ],
  ];
  for (const [name, config, expected] of cases) {
    test(`bad settings: ${name} -> exit 2, names the setting`, async () => {
      const run = await runTap(config);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(errorLines(run).join('\n'), expected);
      assert.ok(!run.stderr.includes('wms_password'));
    });
  }

  test('--about lists every setting with a description and marks secrets', async () => {
    const run = await runTap({}, { args: ['--about'] });
    assert.equal(run.code, 0, run.stderr);
    const about = JSON.parse(run.stdout) as {
      settings: { properties: Record<string, { description?: string; secret?: boolean }> };
    };
    const names = [
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
      'page_size',
      'page_mode',
      'start_date',
      'facility_code',
      'company_code',
      'entity_filters',
      'replication_overlap_seconds',
      'request_timeout_seconds',
      'max_retries',
      'max_concurrent_streams',
      'parallel_windows',
      'discovery_mode',
    ];
    for (const name of names) assert.ok(about.settings.properties[name]?.description, `${name} is described`);
    assert.equal(about.settings.properties.password?.secret, true);
    assert.equal(about.settings.properties.oauth_client_secret?.secret, true);
  });
});
