import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runSummaries } from '@wms-singer/singer';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { basicConfig, lastState, recordsOf, runTap } from './support/tap-run.js';

function summaryOf(stderr: string): Record<string, unknown> {
  const lines = runSummaries(stderr);
  assert.equal(lines.length, 1, stderr);
  return lines[0]!;
}

describe('tap run_summary', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, rows: { order_dtl: 40 } });
  });
  after(() => sim.stop());

  test('streams with records and bytes, retries, and the bookmarks before and after', async () => {
    sim.setFaults({ rate: 0.15, kinds: ['503'], seed: 7 });
    const state = {
      bookmarks: {
        order_hdr: { replication_key: 'mod_ts', replication_key_value: '2000-01-01T00:00:00+00:00' },
      },
    };
    const run = await runTap(basicConfig(sim, { entities: ['order_hdr', 'order_dtl'] }), { state });
    sim.setFaults(undefined);
    assert.equal(run.code, 0, run.stderr);
    const summary = summaryOf(run.stderr);
    const streams = summary.streams as Record<string, { records: number; bytes: number }>;
    for (const stream of ['order_hdr', 'order_dtl']) {
      const records = recordsOf(run, stream);
      assert.equal(streams[stream]?.records, records.length, stream);
      // the record's own JSON text, as it stands between the envelope's prefix and suffix
      const prefix = `{"type":"RECORD","stream":"${stream}","record":`;
      const bytes = run.stdout
        .split('\n')
        .filter((line) => line.startsWith(prefix))
        .reduce((total, line) => {
          const text = line.slice(prefix.length, line.lastIndexOf(',"time_extracted":'));
          return total + Buffer.byteLength(text);
        }, 0);
      assert.equal(streams[stream]?.bytes, bytes, stream);
    }
    assert.ok((summary.retries as number) > 0, 'the injected 503s were retried and counted');
    const retriesLogged = run.stderr.split('\n').filter((line) => line.includes(': retrying')).length;
    assert.equal(summary.retries, retriesLogged);
    assert.deepEqual(summary.bookmarks_before, state.bookmarks);
    // The bookmarks as written, but for the late-rows catch-up's tables (bulky, left out).
    const after = lastState(run)?.bookmarks as Record<string, Record<string, unknown>>;
    assert.ok(after.order_dtl?.late_rows !== undefined, 'the last STATE keeps the catch-up tables');
    const scalars = Object.fromEntries(
      Object.entries(after).map(([stream, { late_rows: _tables, ...rest }]) => [stream, rest]),
    );
    assert.deepEqual(summary.bookmarks_after, scalars);
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.executable, 'tap-oracle-wms');
  });
});
