import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, call, type Json, micros, walk, withSimulator } from './support/helpers.js';

const maxTs = (rows: Json[]) => Math.max(...rows.map((r) => micros(String(r.mod_ts))));

describe('time passes: advance and snapshot', () => {
  it('updates bump mod_ts past every earlier value and move the clock forward', async () => {
    await withSimulator({ rows: { order_dtl: 200 } }, async (sim) => {
      const before = sim.snapshot('order_dtl') as Json[];
      const result = sim.advance({ entity: 'order_dtl', updates: 10, seconds: 120 });
      assert.equal(Date.parse(result.now) - Date.parse(result.from), 120_000);
      const updated = result.changes.order_dtl?.updated ?? [];
      assert.equal(updated.length, 10);
      const after = sim.snapshot('order_dtl') as Json[];
      const previousMax = maxTs(before);
      for (const id of updated) {
        const row = after.find((r) => r.id === id) as Json;
        const ts = micros(String(row.mod_ts));
        assert.ok(ts > previousMax && ts <= Date.parse(result.now) * 1000, `row ${id}`);
        assert.deepEqual(row.order_id, before.find((r) => r.id === id)?.order_id, 'the key fields stay');
      }
      const untouched = after.filter((r) => !updated.includes(r.id as number));
      for (const row of untouched)
        assert.deepEqual(
          row,
          before.find((r) => r.id === row.id),
        );
      const again = sim.advance({ entity: 'order_dtl', updates: 1 });
      assert.equal(again.from, result.now);
    });
  });

  it('an incremental window on mod_ts sees exactly the changed rows', async () => {
    await withSimulator({ rows: { order_dtl: 300 } }, async (sim) => {
      const first = sim.advance({ entity: 'order_dtl', updates: 1 });
      const result = sim.advance({ entity: 'order_dtl', updates: 15, inserts: 5 });
      const changed = [
        ...(result.changes.order_dtl?.updated ?? []),
        ...(result.changes.order_dtl?.inserted ?? []),
      ];
      const url = `${sim.apiUrl}/entity/order_dtl/?mod_ts__gte=${first.now.replace('Z', '%2B00:00')}&mod_ts__lt=${encodeURIComponent(
        result.now,
      )}&ordering=mod_ts,id&page_mode=sequenced&page_size=7`;
      const { records } = await walk(url);
      assert.deepEqual(
        records.map((r) => r.id).sort((a, b) => a - b),
        changed.sort((a, b) => a - b),
      );
    });
  });

  it('inserts append new ids that stay consistent', async () => {
    await withSimulator({ rows: { order_dtl: 100 } }, async (sim) => {
      const result = sim.advance({ entity: 'order_dtl', inserts: 4 });
      assert.deepEqual(result.changes.order_dtl?.inserted, [101, 102, 103, 104]);
      const orders = new Map((sim.snapshot('order_hdr') as Json[]).map((o) => [o.id, o]));
      for (const id of [101, 102, 103, 104]) {
        const row = (await api(sim, `/entity/order_dtl/${id}/`)).json;
        assert.equal(row.create_ts, row.mod_ts);
        assert.ok(orders.has(row.order_id.id));
      }
      // The parent's child-set count changed, so the parent was touched too.
      assert.ok((result.changes.order_hdr?.updated.length ?? 0) > 0);
    });
  });

  it('deletes are hard and cascade from order_hdr to lines to allocations', async () => {
    await withSimulator({ rows: { order_dtl: 200 } }, async (sim) => {
      const result = sim.advance({ entity: 'order_hdr', deletes: 3 });
      const gone = result.changes.order_hdr?.deleted ?? [];
      assert.equal(gone.length, 3);
      const goneLines = result.changes.order_dtl?.deleted ?? [];
      assert.ok(goneLines.length > 0);
      for (const id of gone) assert.equal((await api(sim, `/entity/order_hdr/${id}/`)).status, 404);
      const lines = sim.snapshot('order_dtl') as Json[];
      assert.ok(lines.every((l) => !gone.includes(l.order_id.id)));
      const lineIds = new Set(lines.map((l) => l.id));
      assert.ok((sim.snapshot('allocation') as Json[]).every((a) => lineIds.has(a.order_dtl_id.id)));
      assert.equal((await api(sim, `/entity/order_dtl/?order_id=${gone[0]}`)).status, 404);
    });
  });

  it('deleting allocations lowers and touches the line alloc_qty', async () => {
    await withSimulator({ rows: { order_dtl: 100 } }, async (sim) => {
      const result = sim.advance({ entity: 'allocation', deletes: 20 });
      assert.equal(result.changes.allocation?.deleted.length, 20);
      const lines = sim.snapshot('order_dtl') as Json[];
      const sums = new Map<number, number>();
      for (const a of sim.snapshot('allocation') as Json[]) {
        sums.set(a.order_dtl_id.id, (sums.get(a.order_dtl_id.id) ?? 0) + Number(a.alloc_qty));
      }
      for (const l of lines) assert.equal(Number(l.alloc_qty).toFixed(1), (sums.get(l.id) ?? 0).toFixed(1));
    });
  });

  it('without entity, every entity changes', async () => {
    await withSimulator({ rows: { order_dtl: 100 } }, async (sim) => {
      const result = sim.advance({ updates: 2, inserts: 1 });
      for (const name of sim.entities()) {
        assert.ok((result.changes[name]?.updated.length ?? 0) >= 2, name);
        assert.equal(result.changes[name]?.inserted.length, 1, name);
      }
    });
  });

  it('with the wall clock, changes are stamped at the real time, after a run start taken before them', async () => {
    await withSimulator({ rows: { order_dtl: 50 }, clock: 'wall' }, async (sim) => {
      const initial = maxTs(sim.snapshot('order_dtl') as Json[]);
      assert.ok(initial <= Date.now() * 1000);
      const runStart = Date.now() * 1000;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const result = sim.advance({ entity: 'order_dtl', updates: 3 });
      const changed = new Set(result.changes.order_dtl?.updated);
      for (const row of sim.snapshot('order_dtl') as Json[]) {
        const ts = micros(String(row.mod_ts));
        assert.equal(ts >= runStart, changed.has(row.id), `row ${row.id}`);
      }
      assert.ok(Date.parse(result.now) <= Date.now());
    });
  });

  it('rejects bad advance requests', async () => {
    await withSimulator({ rows: { order_dtl: 10 } }, async (sim) => {
      assert.throws(() => sim.advance({ entity: 'nope', updates: 1 }), /unknown entity/);
      assert.throws(() => sim.advance({ updates: -1 }), /updates/);
      assert.throws(() => sim.advance({ seconds: 0 }), /seconds/);
    });
  });

  it('POST /__sim/advance and GET /__sim/snapshot (JSON lines) work over HTTP', async () => {
    await withSimulator({ rows: { order_dtl: 120 } }, async (sim) => {
      const advanced = await call(`${sim.baseUrl}/__sim/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entity: 'order_dtl', updates: 3, inserts: 2, deletes: 1 }),
      });
      assert.equal(advanced.status, 200);
      assert.equal(advanced.json.changes.order_dtl.inserted.length, 2);
      const snap = await call(`${sim.baseUrl}/__sim/snapshot?entity=order_dtl`);
      assert.equal(snap.status, 200);
      const rows = snap.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.equal(rows.length, 121);
      assert.deepEqual(rows, sim.snapshot('order_dtl') as Json[]);
      const bad = await call(`${sim.baseUrl}/__sim/advance`, { method: 'POST', body: '{"updates": "x"}' });
      assert.equal(bad.status, 400);
      const state = await call(`${sim.baseUrl}/__sim/state`);
      assert.equal(state.json.entities.order_dtl.rows, 121);
      assert.equal(state.json.now, advanced.json.now);
      assert.equal((await call(`${sim.baseUrl}/__sim/snapshot?entity=nope`)).status, 404);
    });
  });
});
