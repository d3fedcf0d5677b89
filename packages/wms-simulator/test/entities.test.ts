import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, type Json, walk } from './support/helpers.js';

describe('every served entity', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 600 }, seed: 9 });
  });
  after(() => sim.stop());

  it('serves at least 12 entities (15), each by list, describe, paged and sequenced walks and retrieve', async () => {
    const names = Object.keys((await api(sim, '/entity/')).json);
    assert.ok(names.length >= 12, names.join(','));
    assert.equal(names.length, 15);
    for (const name of names) {
      const { fields, parameters } = (await api(sim, `/entity/${name}/describe/`)).json;
      assert.ok(parameters.includes('id'), name);
      const truth = sim.snapshot(name) as Json[];
      assert.ok(truth.length > 0, name);
      const paged = await walk(`${sim.apiUrl}/entity/${name}/?ordering=id&page_size=97`);
      assert.deepEqual(paged.records, truth, name);
      const sequenced = await walk(
        `${sim.apiUrl}/entity/${name}/?page_mode=sequenced&ordering=id&page_size=97`,
      );
      assert.equal(sequenced.records.length, truth.length, name);
      assert.deepEqual(Object.keys(truth[0]), Object.keys(fields), name);
      const last = truth.at(-1) as Json;
      assert.deepEqual((await api(sim, `/entity/${name}/${last.id}/`)).json, last, name);
      for (const [field, spec] of Object.entries<Json>(fields)) {
        if (spec.type !== 'relation' || !names.includes(spec.related_entity)) continue;
        // Nothing was purged yet: every reference to a served entity resolves.
        const ids = new Set((sim.snapshot(spec.related_entity) as Json[]).map((r) => r.id));
        for (const row of truth) {
          const ref = row[field];
          if (ref !== null)
            assert.ok(ids.has(ref.id), `${name}.${field} -> ${spec.related_entity} ${ref.id}`);
        }
      }
    }
  });

  it('keeps realistic relations among the warehouse entities', async () => {
    const shipments = sim.snapshot('ib_shipment') as Json[];
    const lines = sim.snapshot('ib_shipment_dtl') as Json[];
    const seen = new Set<string>();
    for (const line of lines) {
      const key = `${line.shipment_id.id}/${line.seq_nbr}`;
      assert.ok(!seen.has(key), `line numbers are unique within a shipment: ${key}`);
      seen.add(key);
      assert.equal(line.shipment_id.key, shipments[line.shipment_id.id - 1]?.shipment_nbr);
    }
    const facilities = new Map((sim.snapshot('location') as Json[]).map((l) => [l.id, l.facility_id.id]));
    for (const row of sim.snapshot('inventory') as Json[]) {
      assert.equal(
        row.facility_id.id,
        facilities.get(row.location_id.id),
        'inventory sits in its location facility',
      );
    }
    const waves = new Map((sim.snapshot('wave') as Json[]).map((w) => [w.id, w.facility_id.id]));
    for (const row of sim.snapshot('task') as Json[]) {
      assert.equal(row.facility_id.id, waves.get(row.wave_id.id), 'a task works in its wave facility');
    }
    const orders = sim.snapshot('purchase_order_hdr') as Json[];
    const poLines = new Set<string>();
    for (const line of sim.snapshot('purchase_order_dtl') as Json[]) {
      const key = `${line.po_id.id}/${line.seq_nbr}`;
      assert.ok(!poLines.has(key), `purchase order lines are numbered within their order: ${key}`);
      poLines.add(key);
      assert.equal(line.po_id.key, orders[line.po_id.id - 1]?.po_nbr);
    }
    const filtered = await walk(
      `${sim.apiUrl}/entity/ib_shipment_dtl/?shipment_id__shipment_nbr=${shipments[0].shipment_nbr}`,
    );
    assert.deepEqual(
      filtered.records.map((r) => r.id),
      lines.filter((l) => l.shipment_id.id === 1).map((l) => l.id),
    );
  });

  it('changes every entity through advance', async () => {
    const result = sim.advance({ updates: 2, inserts: 1, deletes: 1 });
    for (const name of sim.entities()) {
      assert.ok(result.changes[name]?.updated.length, name);
      assert.equal(result.changes[name]?.inserted.length, 1, name);
      const truth = sim.snapshot(name) as Json[];
      const walked = await walk(`${sim.apiUrl}/entity/${name}/?ordering=id&page_size=1250`);
      assert.deepEqual(walked.records, truth, name);
    }
  });
});
