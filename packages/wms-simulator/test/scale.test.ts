import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSimulator } from '../src/index.js';
import { api, micros } from './support/helpers.js';

describe('scale', () => {
  it('starts with 1M order_dtl rows without a heap of row objects and serves keyset pages anywhere', async () => {
    const before = process.memoryUsage();
    const sim = await startSimulator({ rows: { order_dtl: 1_000_000 } });
    try {
      const after = process.memoryUsage();
      // About 3.3M rows in all: as objects they would take gigabytes of heap; as typed arrays about 110 MB.
      const heapGrowth = (after.heapUsed - before.heapUsed) / 1e6;
      const arrays = (after.arrayBuffers - before.arrayBuffers) / 1e6;
      assert.ok(heapGrowth < 100, `heap grew ${heapGrowth.toFixed(0)} MB`);
      assert.ok(arrays < 250, `typed arrays grew ${arrays.toFixed(0)} MB`);
      const first = await api(
        sim,
        '/entity/order_dtl/?page_mode=sequenced&page_size=1250&ordering=mod_ts,id',
      );
      assert.equal(first.json.results.length, 1250);
      const last = first.json.results.at(-1);
      const lateStart = encodeURIComponent(last.mod_ts);
      const window = await api(
        sim,
        `/entity/order_dtl/?page_mode=sequenced&page_size=1250&ordering=mod_ts,id&mod_ts__gt=${lateStart}&id__gt=999000`,
      );
      assert.equal(window.status, 200);
      assert.ok(
        window.json.results.every(
          (r: { id: number; mod_ts: string }) => r.id > 999000 && micros(r.mod_ts) > micros(last.mod_ts),
        ),
      );
      const tail = await api(sim, '/entity/order_dtl/?page_size=10&page=100000&ordering=id');
      assert.equal(tail.json.results.at(-1).id, 1_000_000);
      assert.equal(tail.json.result_count, 1_000_000);
      const changed = sim.advance({ entity: 'order_dtl', updates: 1000, inserts: 10, deletes: 10 });
      assert.equal(changed.changes.order_dtl?.inserted.at(-1), 1_000_010);
    } finally {
      await sim.stop();
    }
  });
});
