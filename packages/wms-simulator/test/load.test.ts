import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listLatencyMs } from '../src/http/load.js';
import { type ServerLoad, startSimulator } from '../src/index.js';
import { api, BASIC, withSimulator } from './support/helpers.js';

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
};

describe('server time and concurrency', () => {
  it('a list page takes pageLatencyMs per 1000 rows, a quarter of it fixed', () => {
    assert.equal(listLatencyMs(200, 1000), 200);
    assert.equal(listLatencyMs(200, 0), 50);
    assert.equal(listLatencyMs(200, 500), 125);
    assert.equal(listLatencyMs(0, 1000), 0);
  });

  it('list requests wait their server time; describe does not', async () => {
    await withSimulator({ rows: { order_dtl: 3000 }, pageLatencyMs: 300 }, async (sim) => {
      const big = await timed(() => api(sim, '/entity/order_dtl/?page_size=1000&page_mode=sequenced'));
      assert.equal(big.value.status, 200);
      assert.equal(big.value.json.results.length, 1000);
      assert.ok(big.ms >= 290, `a 1000-row page took ${big.ms} ms`);
      const empty = await timed(() => api(sim, '/entity/order_dtl/?id=999999'));
      assert.equal(empty.value.status, 404);
      assert.ok(empty.ms >= 70, `a 404 "no rows" took ${empty.ms} ms`);
      // Lower bounds only: a loaded machine makes everything slower, never faster.
      const described = await timed(() => api(sim, '/entity/order_dtl/describe/'));
      assert.equal(described.value.status, 200);
      assert.equal(sim.load().active, 0);
    });
  });

  it('beyond maxConcurrentRequests requests queue in order and all succeed (no 429)', async () => {
    await withSimulator(
      { rows: { order_dtl: 200 }, pageLatencyMs: 400, maxConcurrentRequests: 2 },
      async (sim) => {
        // 6 requests of 100 rows: 400 * (0.25 + 0.075) = 130 ms each, two at a time: three rounds.
        const all = await timed(() =>
          Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              api(sim, `/entity/order_dtl/?page_size=100&page=${(i % 2) + 1}`),
            ),
          ),
        );
        assert.deepEqual(
          all.value.map((r) => r.status),
          [200, 200, 200, 200, 200, 200],
        );
        assert.ok(all.ms >= 3 * 125, `6 requests through 2 workers took ${all.ms} ms`);
        const load = sim.load();
        assert.equal(load.peakActive, 2);
        // Connections open one after another: not all six need to be waiting at the same moment.
        assert.ok(load.peakQueued >= 1 && load.peakQueued <= 4, `peak queue ${load.peakQueued}`);
        assert.equal(load.active, 0);
        assert.equal(load.queued, 0);
        sim.resetLoadPeaks();
        assert.equal(sim.load().peakActive, 0);
        const state = await fetch(`${sim.baseUrl}/__sim/state`).then(
          (r) => r.json() as Promise<{ load: ServerLoad }>,
        );
        assert.deepEqual(state.load, { active: 0, queued: 0, peakActive: 0, peakQueued: 0 });
      },
    );
  });

  it('without a limit every request is served at once', async () => {
    await withSimulator({ rows: { order_dtl: 200 }, pageLatencyMs: 200 }, async (sim) => {
      await Promise.all(Array.from({ length: 5 }, () => api(sim, '/entity/order_dtl/?page_size=10')));
      assert.equal(sim.load().peakActive, 5);
      assert.equal(sim.load().peakQueued, 0);
    });
  });

  it('refuses a negative latency or a fractional limit', async () => {
    await assert.rejects(startSimulator({ pageLatencyMs: -1 }), /pageLatencyMs must be a number >= 0/);
    await assert.rejects(
      startSimulator({ maxConcurrentRequests: 1.5 }),
      /maxConcurrentRequests must be an integer/,
    );
  });

  it('the CLI takes --page-latency-ms and --max-concurrent-requests', async () => {
    const bin = fileURLToPath(new URL('../src/cli.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [bin, '--rows', 'order_dtl=100', '--page-latency-ms', '400', '--max-concurrent-requests', '1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('\n')) resolve(text.split('\n')[0]!.trim());
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const get = () =>
        fetch(`${baseUrl}/wms/lgfapi/v10/entity/order_dtl/?page_size=100`, {
          headers: { authorization: BASIC },
        });
      const both = await timed(() => Promise.all([get(), get()]));
      assert.deepEqual(
        both.value.map((r) => r.status),
        [200, 200],
      );
      // 130 ms each, one at a time.
      assert.ok(both.ms >= 250, `two requests through one worker took ${both.ms} ms`);
      const state = await fetch(`${baseUrl}/__sim/state`).then(
        (r) => r.json() as Promise<{ load: ServerLoad }>,
      );
      assert.equal(state.load.peakActive, 1);
      assert.equal(state.load.peakQueued, 1);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
