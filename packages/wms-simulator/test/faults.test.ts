import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FaultConfig, Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, call, isErrorBody, walk, withSimulator } from './support/helpers.js';

async function bearer(sim: Simulator): Promise<string> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from('wms_client:wms_secret').toString('base64') },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
}

describe('faults', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 100 } });
  });
  after(() => sim.stop());
  const once = (kind: FaultConfig['schedule'] extends (infer R)[] | undefined ? R : never) =>
    sim.setFaults({
      schedule: [{ ...kind, times: 1 }],
      slowMs: 300,
      gatewayTimeoutMs: 300,
      retryAfterSeconds: 3,
    });

  it('is fault-free by default', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await api(sim, '/entity/order_dtl/?page_size=5')).status, 200);
  });

  for (const [kind, status] of [
    ['500', 500],
    ['503', 503],
    ['409', 409],
  ] as const) {
    it(`answers ${status} with the error body (${kind})`, async () => {
      once({ kind });
      const reply = await api(sim, '/entity/order_dtl/');
      assert.equal(reply.status, status);
      assert.ok(isErrorBody(reply.json));
      assert.equal(sim.requests.at(-1)?.fault, kind);
      assert.equal((await api(sim, '/entity/order_dtl/')).status, 200, 'times: 1 fires once');
    });
  }

  it('answers 504 after the configured delay', async () => {
    once({ kind: '504' });
    const t0 = performance.now();
    const reply = await api(sim, '/entity/order_dtl/');
    assert.equal(reply.status, 504);
    assert.ok(performance.now() - t0 >= 280);
    assert.ok(isErrorBody(reply.json));
  });

  it('answers 429 without Retry-After, and with it', async () => {
    once({ kind: '429' });
    const plain = await api(sim, '/entity/order_dtl/');
    assert.equal(plain.status, 429);
    assert.equal(plain.headers.get('retry-after'), null);
    once({ kind: '429-retry-after' });
    const told = await api(sim, '/entity/order_dtl/');
    assert.equal(told.status, 429);
    assert.equal(told.headers.get('retry-after'), '3');
  });

  it('resets the connection mid-body', async () => {
    once({ kind: 'reset' });
    await assert.rejects(api(sim, '/entity/order_dtl/?page_size=50'));
    assert.equal((await api(sim, '/entity/order_dtl/?page_size=50')).status, 200);
  });

  it('sends a complete response whose JSON is truncated', async () => {
    once({ kind: 'truncated' });
    const reply = await api(sim, '/entity/order_dtl/?page_size=50');
    assert.equal(reply.status, 200);
    assert.ok(reply.text.length > 10);
    assert.throws(() => JSON.parse(reply.text));
  });

  it('answers slowly but correctly', async () => {
    once({ kind: 'slow' });
    const t0 = performance.now();
    const reply = await api(sim, '/entity/order_dtl/?page_size=5');
    assert.ok(performance.now() - t0 >= 280);
    assert.equal(reply.status, 200);
    assert.equal(reply.json.results.length, 5);
  });

  it('expires a bearer token mid-run (token-expiry); a fresh token works', async () => {
    const token = await bearer(sim);
    once({ kind: 'token-expiry' });
    const reply = await api(sim, '/entity/order_dtl/', { headers: { authorization: token } });
    assert.equal(reply.status, 401);
    assert.equal((await api(sim, '/entity/order_dtl/', { headers: { authorization: token } })).status, 401);
    assert.equal(
      (await api(sim, '/entity/order_dtl/', { headers: { authorization: await bearer(sim) } })).status,
      200,
    );
  });

  it('answers 400 to chosen ordering fields per entity', async () => {
    sim.setFaults({ orderingErrors: { order_dtl: ['mod_ts'] } });
    const reply = await api(sim, '/entity/order_dtl/?ordering=mod_ts,id');
    assert.equal(reply.status, 400);
    assert.ok(isErrorBody(reply.json));
    assert.equal((await api(sim, '/entity/order_dtl/?ordering=-mod_ts')).status, 400);
    assert.equal((await api(sim, '/entity/order_dtl/?ordering=id')).status, 200);
    assert.equal((await api(sim, '/entity/order_hdr/?ordering=mod_ts,id')).status, 200);
  });

  it('phantom page: a page past the end answers 500', async () => {
    sim.setFaults({ phantomPage: true });
    const reply = await api(sim, '/entity/order_dtl/?page_size=50&page=3');
    assert.equal(reply.status, 500);
    assert.ok(isErrorBody(reply.json));
  });

  it('stale page_count: counts one page too high, the last next_page leads to the phantom page', async () => {
    sim.setFaults({ stalePageCount: 1, phantomPage: true });
    const first = await api(sim, '/entity/order_dtl/?page_size=50');
    assert.equal(first.json.page_count, 3);
    assert.equal(first.json.result_count, 150);
    const second = await api(sim, '/entity/order_dtl/?page_size=50&page=2');
    assert.equal(second.json.results.length, 50);
    assert.notEqual(second.json.next_page, null);
    assert.equal((await call(second.json.next_page)).status, 500);
  });

  it('fails the Nth matching request of a schedule, and every request for a given page', async () => {
    sim.setFaults({ schedule: [{ kind: '500', entity: 'order_dtl', nth: [2, 4] }] });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await api(sim, '/entity/order_dtl/?page_size=1')).status);
    assert.deepEqual(statuses, [200, 500, 200, 500, 200]);
    assert.equal((await api(sim, '/entity/order_hdr/?page_size=1')).status, 200);

    sim.setFaults({ schedule: [{ kind: '503', entity: 'order_dtl', page: 2 }] });
    for (const mode of ['paged', 'sequenced']) {
      const first = await api(sim, `/entity/order_dtl/?page_size=40&page_mode=${mode}`);
      assert.equal(first.status, 200);
      assert.equal((await call(first.json.next_page)).status, 503, mode);
      assert.equal((await call(first.json.next_page)).status, 503, `${mode} again`);
    }
  });

  it('fails a share of requests with a fault drawn from the chosen kinds', async () => {
    sim.setFaults({ rate: 0.3, kinds: ['503', '429'], seed: 5 });
    sim.clearRequests();
    for (let i = 0; i < 200; i++) await api(sim, '/entity/facility/');
    const failed = sim.requests.filter((r) => r.status !== 200);
    assert.ok(failed.length > 40 && failed.length < 80, `failed ${failed.length} of 200`);
    assert.deepEqual([...new Set(failed.map((r) => r.status))].sort(), [429, 503]);
    sim.setFaults(undefined);
    assert.equal((await api(sim, '/entity/facility/')).status, 200);
  });

  it('a client that retries still reads every row under a 20% fault rate', async () => {
    await withSimulator(
      {
        rows: { order_dtl: 300 },
        faults: { rate: 0.2, kinds: ['500', '503', '429', '409', 'truncated'], seed: 9 },
      },
      async (flaky) => {
        const records = [];
        let url: string | null =
          `${flaky.apiUrl}/entity/order_dtl/?page_mode=sequenced&page_size=25&ordering=mod_ts,id`;
        while (url !== null) {
          const reply = await call(url);
          if (reply.status !== 200 || reply.json === undefined) continue;
          records.push(...reply.json.results);
          url = reply.json.next_page;
        }
        assert.equal(records.length, 300);
        assert.ok(flaky.requests.some((r) => r.fault !== undefined));
      },
    );
  });

  it('faults the token endpoint only through rules naming it', async () => {
    sim.setFaults({ rate: 1, kinds: ['503'] });
    assert.match(await bearer(sim), /^Bearer [\w-]+$/);
    sim.setFaults({ schedule: [{ kind: '503', endpoint: 'token', times: 1 }] });
    const res = await fetch(sim.tokenUrl, { method: 'POST', body: 'grant_type=client_credentials' });
    assert.equal(res.status, 503);
    assert.equal((await api(sim, '/entity/')).status, 200);
    sim.setFaults(undefined);
  });

  it('faults can be set over HTTP at /__sim/faults, and tokens expired at /__sim/expire-tokens', async () => {
    const put = await call(`${sim.baseUrl}/__sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ schedule: [{ kind: '503', times: 1 }] }),
    });
    assert.equal(put.status, 200);
    assert.equal((await api(sim, '/entity/')).status, 503);
    assert.equal((await api(sim, '/entity/')).status, 200);
    assert.equal(
      (await call(`${sim.baseUrl}/__sim/faults`, { method: 'PUT', body: '{"kinds":["nope"]}' })).status,
      400,
    );
    const token = await bearer(sim);
    assert.equal((await call(`${sim.baseUrl}/__sim/expire-tokens`, { method: 'POST' })).status, 200);
    assert.equal((await api(sim, '/entity/', { headers: { authorization: token } })).status, 401);
    await call(`${sim.baseUrl}/__sim/faults`, { method: 'PUT', body: 'null' });
    const all = await walk(`${sim.apiUrl}/entity/order_dtl/?page_size=30`);
    assert.equal(all.records.length, 100);
  });
});
