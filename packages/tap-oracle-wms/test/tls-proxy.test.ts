import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { basicConfig, oauthConfig, recordsOf, runTap, type TapRun } from './support/tap-run.js';
import {
  type Certificates,
  type ForwardProxy,
  makeCertificates,
  startForwardProxy,
} from './support/tls-bench.js';

/** The harness's own failure line (the one stderr line that is not JSON). */
function failureLine(run: TapRun): string {
  const lines = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
  assert.equal(lines.length, 1, run.stderr);
  return lines[0]!;
}

const NO_PROXY_ENV = {
  HTTPS_PROXY: undefined,
  https_proxy: undefined,
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  ALL_PROXY: undefined,
  all_proxy: undefined,
  NO_PROXY: undefined,
  no_proxy: undefined,
  NODE_EXTRA_CA_CERTS: undefined,
};

describe('tap over HTTPS: certificate verification, ca_bundle, proxies', () => {
  let certs: Certificates;
  let sim: Simulator;
  let origin: string;
  before(async () => {
    certs = makeCertificates();
    sim = await startSimulator({
      port: 0,
      rows: { order_dtl: 12 },
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    origin = new URL(sim.baseUrl).host;
    assert.match(sim.baseUrl, /^https:\/\/127\.0\.0\.1:\d+\//);
  });
  after(() => sim.stop());

  const config = (extra: Record<string, unknown> = {}) =>
    basicConfig(sim, { entities: ['order_hdr'], ...extra });

  test('verification is on by default: a server certificate from an unknown CA fails in one line naming the host and the reason', async () => {
    const run = await runTap(config(), { env: NO_PROXY_ENV });
    assert.equal(run.code, 1);
    assert.match(
      failureLine(run),
      new RegExp(
        `^tap-oracle-wms: .*TLS verification of ${origin.replace('.', '\\.')} failed: .+ \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\); set ca_bundle`,
      ),
    );
    assert.equal(run.stdout.includes('"type":"RECORD"'), false);
  });

  test('a wrong CA in ca_bundle fails the same way; the right one (file or inline PEM) passes', async () => {
    const wrong = await runTap(config({ ca_bundle: certs.otherCaPath }), { env: NO_PROXY_ENV });
    assert.equal(wrong.code, 1);
    assert.match(failureLine(wrong), new RegExp(`TLS verification of ${origin.replace('.', '\\.')} failed`));
    for (const caBundle of [certs.caPath, certs.caPem]) {
      const right = await runTap(config({ ca_bundle: caBundle }), { env: NO_PROXY_ENV });
      assert.equal(right.code, 0, right.stderr);
      assert.ok(recordsOf(right, 'order_hdr').length > 0);
    }
  });

  test('ca_bundle that is not a certificate is a configuration error naming the setting', async () => {
    const run = await runTap(config({ ca_bundle: '/nonexistent/ca.pem' }), { env: NO_PROXY_ENV });
    assert.equal(run.code, 2);
    assert.equal(
      failureLine(run),
      'tap-oracle-wms: setting "ca_bundle": cannot read /nonexistent/ca.pem (ENOENT)',
    );
  });

  test('tls_verify: false connects, with a warning every run and in the run summary', async () => {
    const run = await runTap(config({ tls_verify: false }), { env: NO_PROXY_ENV });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /TLS CERTIFICATE VERIFICATION IS OFF/);
    const summary = run.stderr.split('\n').find((line) => line.includes('"msg":"run_summary"'))!;
    assert.equal(JSON.parse(summary).tls_verify, false);
  });

  describe('through a forward proxy (CONNECT)', () => {
    let proxy: ForwardProxy;
    const credentials = 'proxy.user:pr0xy-S3cret/!';
    before(async () => {
      proxy = await startForwardProxy(credentials);
    });
    after(() => proxy.stop());

    test('proxy_url carries the API and the OAuth2 token request, with its credentials, and TLS still verified end to end', async () => {
      proxy.connects.length = 0;
      sim.clearRequests();
      const run = await runTap(
        oauthConfig(sim, {
          entities: ['order_hdr'],
          ca_bundle: certs.caPath,
          proxy_url: proxy.url,
          log_level: 'debug',
        }),
        { env: NO_PROXY_ENV },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(recordsOf(run, 'order_hdr').length > 0);
      assert.ok(proxy.connects.length > 0, 'the proxy saw CONNECTs');
      assert.ok(
        proxy.connects.every((target) => target === origin),
        proxy.connects.join(','),
      );
      const expected = `Basic ${Buffer.from(credentials).toString('base64')}`;
      assert.ok(proxy.authorizations.every((header) => header === expected));
      const token = sim.requests.filter((r) => r.path.includes('/oauth2/'));
      const api = sim.requests.filter((r) => r.path.includes('/wms/lgfapi/'));
      assert.ok(api.length > 0);
      // every request the simulator saw came through the proxy: one tunnel carries many requests
      assert.ok(proxy.connects.length <= sim.requests.length, `${proxy.connects.length} tunnels`);
      assert.equal(token.length, 1, 'one token request');
      // the token endpoint went through the proxy too: a wrong proxy password stops it first
      const denied = await runTap(
        oauthConfig(sim, {
          entities: ['order_hdr'],
          ca_bundle: certs.caPath,
          proxy_url: proxy.url.replace('pr0xy', 'wrong'),
          max_retries: 0,
        }),
        { env: NO_PROXY_ENV },
      );
      assert.equal(denied.code, 1);
      assert.match(
        failureLine(denied),
        /^tap-oracle-wms: OAuth2 token request: the proxy refused to carry the request to https:\/\/127\.0\.0\.1:\d+\/oauth2\/v1\/token \(HTTP 407 Proxy Authentication Required\)/,
      );
      // no proxy credential in anything printed, at debug level
      for (const secret of [
        'pr0xy-S3cret',
        encodeURIComponent('pr0xy-S3cret/!'),
        expected.slice(6),
        'wms_secret',
      ]) {
        assert.equal(run.stdout.includes(secret) || run.stderr.includes(secret), false, `${secret} leaked`);
        assert.equal(denied.stderr.includes(secret), false, `${secret} leaked on failure`);
      }
      assert.ok(run.stderr.includes('"level":20'), 'debug lines were written');
    });

    test('HTTPS_PROXY is honoured without proxy_url, and NO_PROXY bypasses it', async () => {
      proxy.connects.length = 0;
      const through = await runTap(config({ ca_bundle: certs.caPath }), {
        env: { ...NO_PROXY_ENV, HTTPS_PROXY: proxy.url },
      });
      assert.equal(through.code, 0, through.stderr);
      assert.ok(proxy.connects.length > 0);
      assert.equal(through.stderr.includes('pr0xy-S3cret'), false);
      proxy.connects.length = 0;
      const bypass = await runTap(config({ ca_bundle: certs.caPath }), {
        env: { ...NO_PROXY_ENV, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      });
      assert.equal(bypass.code, 0, bypass.stderr);
      assert.equal(proxy.connects.length, 0);
    });

    test('a wrong CA through the proxy fails in one line naming the WMS host, not the proxy', async () => {
      const run = await runTap(config({ ca_bundle: certs.otherCaPath, proxy_url: proxy.url }), {
        env: NO_PROXY_ENV,
      });
      assert.equal(run.code, 1);
      assert.match(failureLine(run), new RegExp(`TLS verification of ${origin.replace('.', '\\.')} failed`));
    });
  });
});
