import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RequestFaultKind, type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import {
  basicConfig,
  idsOf,
  listRequests,
  liveIds,
  oauthConfig,
  recordsOf,
  runTap,
} from './support/tap-run.js';

describe('faults', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 30 }, seed: 3 });
  });
  after(() => sim.stop());

  const config = (extra: Record<string, unknown> = {}) =>
    basicConfig(sim, { entities: ['order_dtl'], ...extra });

  const transient: RequestFaultKind[] = ['500', '503', '429', '409', 'reset', 'truncated'];
  for (const kind of transient) {
    test(`${kind} on two pages is retried and nothing is lost`, async () => {
      sim.setFaults({ schedule: [{ kind, entity: 'order_dtl', endpoint: 'list', nth: [2, 4] }] });
      sim.clearRequests();
      const run = await runTap(config());
      sim.setFaults(undefined);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
      assert.equal(listRequests(sim, 'order_dtl').length, Math.ceil(30 / 7) + 2);
      assert.match(run.stderr, /retrying/);
    });
  }

  test('429 with Retry-After waits as long as it says', async () => {
    sim.setFaults({
      retryAfterSeconds: 1,
      schedule: [{ kind: '429-retry-after', entity: 'order_dtl', endpoint: 'list', nth: 2 }],
    });
    const started = Date.now();
    const run = await runTap(config());
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - started >= 1000, 'the Retry-After second was honoured');
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    assert.match(run.stderr, /"delay_ms":1000/);
  });

  test('504 halves page_size for the rest of the stream', async () => {
    sim.setFaults({
      gatewayTimeoutMs: 10,
      schedule: [{ kind: '504', entity: 'order_dtl', endpoint: 'list', nth: 2 }],
    });
    sim.clearRequests();
    const run = await runTap(config({ page_size: 8 }));
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    const sizes = listRequests(sim, 'order_dtl').map((r) => r.query.page_size);
    assert.deepEqual(sizes.slice(0, 3), ['8', '8', '4']);
    assert.ok(sizes.slice(2).every((size) => size === '4'));
  });

  test('a slow page past request_timeout_seconds is retried with half the page size', async () => {
    sim.setFaults({
      slowMs: 1500,
      schedule: [{ kind: 'slow', entity: 'order_dtl', endpoint: 'list', nth: 1 }],
    });
    sim.clearRequests();
    const run = await runTap(config({ page_size: 10, request_timeout_seconds: 0.4 }));
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    assert.match(run.stderr, /timeout from .*: retrying/);
    assert.equal(listRequests(sim, 'order_dtl').at(-1)?.query.page_size, '5');
  });

  test('giving up after max_retries names the entity, the URL and the last failure', async () => {
    sim.setFaults({ schedule: [{ kind: '503', entity: 'order_dtl', endpoint: 'list' }] });
    const run = await runTap(config({ max_retries: 2 }));
    sim.setFaults(undefined);
    assert.equal(run.code, 1);
    const line = run.stderr.split('\n').find((l) => l.startsWith('tap-oracle-wms:'));
    assert.match(
      line ?? '',
      /entity order_dtl: giving up on http:\/\/127\.0\.0\.1:\d+\/demo\/wms\/lgfapi\/v10\/entity\/order_dtl\/ after 3 attempts \(last: HTTP 503\)/,
    );
  });

  test('a random mix of every fault kind at 25% still extracts every row', async () => {
    sim.setFaults({ rate: 0.25, seed: 99, slowMs: 50, gatewayTimeoutMs: 10, retryAfterSeconds: 0 });
    const run = await runTap(config({ max_retries: 10, page_size: 5, request_timeout_seconds: 5 }));
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    assert.ok((run.stderr.match(/retrying/g) ?? []).length >= 2, 'faults were drawn');
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
  });

  test('token expiry: the bearer token is renewed once on a 401', async () => {
    sim.setFaults({ schedule: [{ kind: 'token-expiry', entity: 'order_dtl', endpoint: 'list', nth: 2 }] });
    sim.clearRequests();
    const run = await runTap(oauthConfig(sim, { entities: ['order_dtl'] }));
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/token')).length, 2);
    assert.equal(listRequests(sim, 'order_dtl').filter((r) => r.status === 401).length, 1);
  });
});

describe('paged mode with stale counts', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 30 }, seed: 4 });
  });
  after(() => sim.stop());

  // 28 rows = four full pages of 7: the stale page_count sends next_page past the end.
  const filters = {
    entity_filters: { order_dtl: { id__lte: 28 } },
    page_mode: 'paged',
    entities: ['order_dtl'],
  };

  test('stale page count: the page past the end answers 404 and the list ends', async () => {
    sim.setFaults({ kinds: ['stale-page-count'] });
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, filters));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      idsOf(recordsOf(run, 'order_dtl')),
      liveIds(sim, 'order_dtl').filter((id) => id <= 28),
    );
    assert.deepEqual(
      listRequests(sim, 'order_dtl').map((r) => r.status),
      [200, 200, 200, 200, 404],
    );
  });

  test('phantom page: a 500 past the end ends the walk, which starts again after the last row and ends', async () => {
    sim.setFaults({ kinds: ['stale-page-count', 'phantom-page'] });
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, { ...filters, max_retries: 1 }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      idsOf(recordsOf(run, 'order_dtl')),
      liveIds(sim, 'order_dtl').filter((id) => id <= 28),
    );
    assert.match(run.stderr, /starting again after the last row read/);
    // Told at once: the 500 past the end is not retried.
    assert.equal(
      listRequests(sim, 'order_dtl').filter((r) => r.status === 500 && r.query.page === '5').length,
      1,
    );
    const withShortPage = await runTap(basicConfig(sim, { ...filters, entity_filters: {}, max_retries: 1 }));
    sim.setFaults(undefined);
    assert.equal(withShortPage.code, 0, withShortPage.stderr);
    assert.deepEqual(idsOf(recordsOf(withShortPage, 'order_dtl')), liveIds(sim, 'order_dtl'));
  });
});

describe('answers the tap refuses to trust', () => {
  test('a next_page on another host is not followed (credentials stay home)', async () => {
    const { createServer } = await import('node:http');
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(`${req.headers.host} ${req.url}`);
      const port = (server.address() as { port: number }).port;
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          next_page: `http://localhost:${port}/demo/wms/lgfapi/v10/entity/order_dtl/?cursor=x`,
          previous_page: null,
          results: [{ id: 1, mod_ts: '2025-01-01T00:00:00+00:00' }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runTap({
        base_url: `http://127.0.0.1:${port}/demo`,
        username: 'u',
        password: 'wms_password',
        entities: ['order_dtl'],
        discovery_mode: 'bundled',
        max_retries: 0,
      });
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /next_page points to localhost, not to 127\.0\.0\.1: refusing to send credentials there/,
      );
      assert.equal(hits.length, 1);
      assert.equal(recordsOf(run, 'order_dtl').length, 1);
    } finally {
      server.close();
    }
  });
});
