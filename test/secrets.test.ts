// No secret (WMS password, OAuth2 client secret, proxy credentials, wallet password, database
// password, stream-map hash keys) anywhere in what `meltano --log-level=debug run` prints or
// keeps in its logs; and the run_summary lines land in Meltano's run log under Meltano's run id.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runSummaries } from '@wms-singer/singer';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { MeltanoSandbox } from './support/meltano.js';

const SECRETS = {
  wmsPassword: 'wms-PASS-7f1e90',
  clientSecret: 'client-SECRET-4c2d77',
  proxyPassword: 'proxy-PASS-b81/x',
  walletPassword: 'wallet-PASS-5e3a11',
  databasePassword: 'db-PASS-a9c4e2',
  tapHashKey: 'tap-HASHKEY-0d6b52',
  targetHashKey: 'target-HASHKEY-77e1f0',
};
const PROXY_USER = 'proxy.user';

/** Every form in which a secret could show: as is, URL-encoded, JSON-escaped, in Basic credentials. */
function forms(): string[] {
  const values = Object.values(SECRETS);
  return [
    ...values,
    ...values.map(encodeURIComponent),
    ...values.map((value) => JSON.stringify(value).slice(1, -1)),
    Buffer.from(`${PROXY_USER}:${SECRETS.proxyPassword}`).toString('base64'),
    Buffer.from(`wms_client:${SECRETS.clientSecret}`).toString('base64'),
  ];
}

/** A forward proxy for plain-HTTP URLs (absolute-form requests) that wants Basic credentials. */
async function startProxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const expected = `Basic ${Buffer.from(`${PROXY_USER}:${SECRETS.proxyPassword}`).toString('base64')}`;
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = request(req.url!, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const userinfo = `${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(SECRETS.proxyPassword)}`;
  return { server, url: `http://${userinfo}@127.0.0.1:${port}`, seen };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return [];
    return stat.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secrets under meltano --log-level=debug', () => {
  let simulator: Simulator;
  let sandbox: MeltanoSandbox;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  before(async () => {
    simulator = await startSimulator({
      seed: 5,
      rows: { order_dtl: 60 },
      password: SECRETS.wmsPassword,
      oauthClientSecret: SECRETS.clientSecret,
    });
    proxy = await startProxy();
    sandbox = new MeltanoSandbox({ TAP_ORACLE_WMS_BASE_URL: simulator.baseUrl });
  });
  after(async () => {
    await simulator?.stop();
    proxy?.server.close();
    sandbox?.remove();
  });

  test('no secret in stdout, stderr or Meltano logs; both run_summary lines carry Meltano run id', async () => {
    const runId = randomUUID();
    // Meltano 4 keeps run logs in the user's log directory (platformdirs): $XDG_STATE_HOME/meltano/log
    const stateHome = join(sandbox.directory, 'xdg-state');
    const result = await sandbox.meltano(['--log-level=debug', 'run', 'tap-oracle-wms', 'target-oracle'], {
      XDG_STATE_HOME: stateHome,
      MELTANO_RUN_ID: runId,
      TAP_ORACLE_WMS_AUTH_METHOD: 'oauth2',
      TAP_ORACLE_WMS_OAUTH_TOKEN_URL: simulator.tokenUrl,
      TAP_ORACLE_WMS_OAUTH_CLIENT_ID: 'wms_client',
      TAP_ORACLE_WMS_OAUTH_CLIENT_SECRET: SECRETS.clientSecret,
      TAP_ORACLE_WMS_USERNAME: 'wms_user',
      TAP_ORACLE_WMS_PASSWORD: SECRETS.wmsPassword,
      TAP_ORACLE_WMS_PROXY_URL: proxy.url,
      TAP_ORACLE_WMS_ENTITIES: '["order_hdr", "allocation"]',
      TAP_ORACLE_WMS_STREAM_MAPS: JSON.stringify({
        order_hdr: { cust_name: "hmac_sha256(cust_name, config['hash_key'])" },
      }),
      TAP_ORACLE_WMS_STREAM_MAP_CONFIG: JSON.stringify({ hash_key: SECRETS.tapHashKey }),
      TARGET_ORACLE_PASSWORD: SECRETS.databasePassword,
      TARGET_ORACLE_WALLET_PASSWORD: SECRETS.walletPassword,
      TARGET_ORACLE_STREAM_MAPS: JSON.stringify({
        allocation: { pick_user: "hmac_sha256(pick_user, config['hash_key'])" },
      }),
      TARGET_ORACLE_STREAM_MAP_CONFIG: JSON.stringify({ hash_key: SECRETS.targetHashKey }),
      LOG_LEVEL: 'debug',
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.ok(proxy.seen.length > 0, 'the tap went through the proxy');
    assert.ok(
      proxy.seen.some((url) => url.includes('/oauth2/')),
      'the token request went through the proxy',
    );
    assert.match(result.stderr, /"level":20/, 'debug lines were logged');

    const logs = [
      ...filesUnder(join(stateHome, 'meltano')),
      ...filesUnder(join(sandbox.systemDirectory, 'logs')),
    ];
    const texts: Array<[string, string]> = [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
      ...logs.map((path): [string, string] => [path, readFileSync(path, 'utf8')]),
    ];
    for (const [where, text] of texts) {
      for (const secret of forms()) assert.equal(text.includes(secret), false, `${secret} found in ${where}`);
    }

    // The audit lines: in the run's own log, named by Meltano's run id.
    const runLog = logs.find((path) => path.includes(runId) && path.endsWith('.log'));
    assert.ok(runLog, `no log file for run ${runId} among ${logs.join(', ')}`);
    const summaries = runSummaries(readFileSync(runLog, 'utf8'));
    // Meltano may also run the tap with --discover first: that run logs its own summary.
    assert.deepEqual(
      summaries
        .filter((s) => s.mode !== 'discover')
        .map((s) => `${s.executable} ${s.mode}`)
        .sort(),
      ['tap-oracle-wms sync', 'target-oracle load'],
    );
    for (const summary of summaries) {
      assert.equal(summary.run_id, runId);
      assert.equal(summary.meltano_run_id, runId);
      assert.equal(summary.status, 'succeeded');
    }
  });
});
