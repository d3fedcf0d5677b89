import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveRowCounts } from '../src/index.js';
import { type Json, micros, withSimulator } from './support/helpers.js';

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$/;

/** Checks the referential and quantity rules; returns the broken rows found. */
function consistency(orders: Json[], lines: Json[], allocations: Json[]) {
  const orderIds = new Set(orders.map((r) => r.id));
  const lineById = new Map(lines.map((r) => [r.id, r]));
  const orphanLines = lines.filter((r) => !orderIds.has(r.order_id.id));
  const orphanAllocations = allocations.filter((r) => !lineById.has(r.order_dtl_id.id));
  const allocated = new Map<number, number>();
  for (const a of allocations) {
    allocated.set(a.order_dtl_id.id, (allocated.get(a.order_dtl_id.id) ?? 0) + Number(a.alloc_qty) * 10);
  }
  const overAllocated = lines.filter((l) => Number(l.alloc_qty) > Number(l.ord_qty));
  const mismatched = lines.filter(
    (l) => Math.round(Number(l.alloc_qty) * 10) !== Math.round(allocated.get(l.id) ?? 0),
  );
  const lineCounts = new Map<number, number>();
  for (const l of lines) lineCounts.set(l.order_id.id, (lineCounts.get(l.order_id.id) ?? 0) + 1);
  const badSets = orders.filter((o) => o.order_dtl_set.result_count !== (lineCounts.get(o.id) ?? 0));
  return { orphanLines, orphanAllocations, overAllocated, mismatched, badSets };
}

describe('generated data', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const take = (seed: number) =>
      withSimulator({ seed, rows: { order_dtl: 60 } }, async (sim) => ({
        lines: sim.snapshot('order_dtl') as Json[],
        allocations: sim.snapshot('allocation') as Json[],
        base: sim.apiUrl,
      }));
    const a = await take(7);
    const b = await take(7);
    const c = await take(8);
    const strip = (rows: Json[], base: string) => JSON.parse(JSON.stringify(rows).replaceAll(base, 'BASE'));
    assert.deepEqual(strip(a.lines, a.base), strip(b.lines, b.base));
    assert.deepEqual(strip(a.allocations, a.base), strip(b.allocations, b.base));
    assert.notDeepEqual(strip(a.lines, a.base), strip(c.lines, c.base));
  });

  it('renders values like the real API', async () => {
    await withSimulator({ rows: { order_dtl: 100 } }, async (sim) => {
      const lines = sim.snapshot('order_dtl') as Json[];
      const orders = sim.snapshot('order_hdr') as Json[];
      for (const r of [...lines, ...orders, ...(sim.snapshot('allocation') as Json[])]) {
        assert.equal(typeof r.id, 'number');
        assert.equal(typeof r.status_id, 'number', 'status_id is a plain integer');
        assert.match(String(r.mod_ts), TS);
        assert.match(String(r.create_ts), TS);
        assert.ok(!String(r.mod_ts).endsWith('Z'));
        assert.ok(micros(String(r.create_ts)) <= micros(String(r.mod_ts)));
        assert.equal(typeof r.create_user, 'string');
        assert.equal(typeof r.mod_user, 'string');
        const fk = r.facility_id as Json;
        assert.deepEqual(Object.keys(fk), ['id', 'key', 'url']);
        assert.match(fk.url, /^https:\/\/127\.0\.0\.1:443\/demo\/wms\/lgfapi\/v10\/entity\/facility\/\d+\/$/);
      }
      for (const l of lines) {
        for (const name of ['ord_qty', 'alloc_qty', 'cost', 'sale_price']) {
          assert.match(String(l[name]), /^-?\d+(\.\d+)?$/, name);
          assert.equal(typeof l[name], 'string', `${name} is a decimal string`);
        }
        for (const n of [1, 2, 3, 4, 5]) {
          assert.ok(`cust_field_${n}` in l && `cust_decimal_${n}` in l);
          const d = l[`cust_decimal_${n}`];
          assert.ok(d === null || typeof d === 'string');
        }
        assert.equal(typeof l.externally_planned_load_flg, 'boolean');
      }
      const o = orders[0] as Json;
      for (const name of [
        'cust_field_1',
        'cust_date_5',
        'cust_number_3',
        'cust_decimal_2',
        'order_nbr',
        'stop_ship_flg',
      ]) {
        assert.ok(name in o, name);
      }
      assert.match(String(o.ord_date), /^\d{4}-\d{2}-\d{2}$/);
      assert.deepEqual(Object.keys(o.order_dtl_set), ['result_count', 'url']);
      assert.equal(o.order_dtl_set.url, `${sim.apiUrl}/entity/order_dtl/?order_id=${o.id}`);
      // Several facilities, several offsets.
      assert.ok(new Set(orders.map((r) => String(r.mod_ts).slice(-6))).size >= 2);
    });
  });

  it('renders every *_ts in the user facility offset when timestampOffset is user-facility', async () => {
    await withSimulator({ rows: { order_dtl: 50 }, timestampOffset: 'user-facility' }, async (sim) => {
      const offsets = new Set((sim.snapshot('order_dtl') as Json[]).map((r) => String(r.mod_ts).slice(-6)));
      assert.deepEqual([...offsets], ['+01:00']);
    });
  });

  it('is consistent: lines point at orders, allocations at lines, never over-allocated', async () => {
    await withSimulator({ rows: { order_dtl: 500, allocation: 800 } }, async (sim) => {
      const lines = sim.snapshot('order_dtl') as Json[];
      const allocations = sim.snapshot('allocation') as Json[];
      assert.equal(allocations.length, 800);
      const found = consistency(sim.snapshot('order_hdr') as Json[], lines, allocations);
      for (const [rule, rows] of Object.entries(found)) assert.equal(rows.length, 0, rule);
      assert.ok(lines.some((l) => Number(l.alloc_qty) > 0 && Number(l.alloc_qty) < Number(l.ord_qty)));
    });
  });

  it('injects the chosen share of consistency violations', async () => {
    await withSimulator({ rows: { order_dtl: 2000 }, integrityViolationRate: 0.1 }, async (sim) => {
      const lines = sim.snapshot('order_dtl') as Json[];
      const allocations = sim.snapshot('allocation') as Json[];
      const found = consistency(sim.snapshot('order_hdr') as Json[], lines, allocations);
      const share = found.orphanLines.length / lines.length;
      assert.ok(share > 0.06 && share < 0.14, `orphan line share ${share}`);
      const badAllocations = found.orphanAllocations.length + found.overAllocated.length;
      assert.ok(
        badAllocations / allocations.length > 0.05,
        `bad allocation share ${badAllocations / allocations.length}`,
      );
      assert.ok(found.overAllocated.length > 0);
    });
  });

  it('derives unspecified row counts from order_dtl', () => {
    assert.deepEqual(deriveRowCounts({ order_dtl: 1000 }), {
      company: 2,
      facility: 3,
      item: 50,
      location: 100,
      order_hdr: 250,
      order_dtl: 1000,
      allocation: 900,
      container: 50,
      inventory: 100,
      wave: 5,
      task: 50,
      ib_shipment: 5,
      ib_shipment_dtl: 25,
      purchase_order_hdr: 5,
      purchase_order_dtl: 25,
    });
    assert.equal(deriveRowCounts({}).order_dtl, 2000);
    assert.equal(deriveRowCounts({ order_dtl: 10, order_hdr: 7 }).order_hdr, 7);
    assert.throws(() => deriveRowCounts({ nope: 1 }), /unknown entity/);
    assert.throws(() => deriveRowCounts({ facility: 0 }), /facility/);
  });

  it('serves exactly the requested row counts', async () => {
    await withSimulator({ rows: { order_dtl: 77, facility: 5, item: 30 } }, async (sim) => {
      assert.equal((sim.snapshot('order_dtl') as Json[]).length, 77);
      assert.equal((sim.snapshot('facility') as Json[]).length, 5);
      assert.equal((sim.snapshot('item') as Json[]).length, 30);
      assert.equal((sim.snapshot('order_hdr') as Json[]).length, 20);
    });
  });
});
