import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { basicConfig, errorLines, runTap } from './support/tap-run.js';

interface Entry {
  tap_stream_id: string;
  key_properties: string[];
  replication_key?: string;
  replication_method?: string;
  schema: {
    properties: Record<string, { type?: unknown; format?: string; properties?: Record<string, unknown> }>;
  };
  metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
}

const catalogOf = (stdout: string): { streams: Entry[] } => JSON.parse(stdout) as { streams: Entry[] };
const entryOf = (catalog: { streams: Entry[] }, name: string): Entry => {
  const entry = catalog.streams.find((s) => s.tap_stream_id === name);
  assert.ok(entry, `no catalog entry for ${name}`);
  return entry;
};
const fieldMetadata = (entry: Entry, field: string) =>
  entry.metadata.find((m) => m.breadcrumb.length === 2 && m.breadcrumb[1] === field)?.metadata;

describe('discovery', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 20 }, describeForbidden: ['allocation'] });
  });
  after(() => sim.stop());

  test('one entry per configured entity, schemas from describe fields, only JSON on stdout', async () => {
    const run = await runTap(basicConfig(sim, { entities: ['order_hdr', 'order_dtl', 'company'] }), {
      args: ['--discover'],
      state: { bookmarks: { order_hdr: { replication_key_value: 'not even read' } } },
    });
    assert.equal(run.code, 0, run.stderr);
    const catalog = catalogOf(run.stdout);
    assert.deepEqual(
      catalog.streams.map((s) => s.tap_stream_id),
      ['order_hdr', 'order_dtl', 'company'],
    );
    const dtl = entryOf(catalog, 'order_dtl');
    assert.deepEqual(dtl.key_properties, ['id']);
    assert.equal(dtl.replication_key, 'mod_ts');
    assert.deepEqual(dtl.schema.properties.id, { type: 'integer' });
    assert.deepEqual(dtl.schema.properties.ord_qty, { type: ['string', 'null'], format: 'singer.decimal' });
    assert.deepEqual(dtl.schema.properties.mod_ts, { type: ['string', 'null'], format: 'date-time' });
    assert.equal(dtl.schema.properties.cust_date_1?.format, 'date');
    assert.deepEqual(Object.keys(dtl.schema.properties.order_id?.properties ?? {}), ['id', 'key', 'url']);
    assert.deepEqual(dtl.schema.properties.externally_planned_load_flg?.type, ['boolean', 'null']);
    assert.equal(fieldMetadata(dtl, 'id')?.inclusion, 'automatic');
    assert.equal(fieldMetadata(dtl, 'mod_ts')?.inclusion, 'automatic');
    assert.equal(fieldMetadata(dtl, 'ord_qty')?.inclusion, 'available');
    const hdr = entryOf(catalog, 'order_hdr');
    assert.deepEqual(hdr.schema.properties.order_dtl_set?.type, ['object', 'null']);
    // company has no mod_ts in the simulator: full table, and no replication key.
    const company = entryOf(catalog, 'company');
    assert.equal(company.replication_key, undefined);
    assert.equal(company.replication_method, 'FULL_TABLE');
    const describes = sim.requests.filter((r) => r.path.endsWith('/describe/'));
    assert.equal(describes.length, 3);
  });

  test('describe forbidden: the bundled schema stands in, with a warning', async () => {
    const run = await runTap(basicConfig(sim, { entities: ['allocation'], log_level: 'warn' }), {
      args: ['--discover'],
    });
    assert.equal(run.code, 0, run.stderr);
    const allocation = entryOf(catalogOf(run.stdout), 'allocation');
    assert.equal(allocation.replication_key, 'mod_ts');
    assert.ok('order_dtl_id' in allocation.schema.properties);
    assert.match(run.stderr, /describe is forbidden \(HTTP 403\): using the bundled schema/);
  });

  test('discovery_mode bundled makes no describe request', async () => {
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, { discovery_mode: 'bundled' }), { args: ['--discover'] });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      catalogOf(run.stdout).streams.map((s) => s.tap_stream_id),
      ['allocation', 'order_hdr', 'order_dtl'],
    );
    assert.equal(sim.requests.length, 0);
  });

  test('an entity the WMS does not offer is a settings error naming it', async () => {
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl', 'no_such_thing'] }), {
      args: ['--discover'],
    });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(errorLines(run).join('\n'), /setting "entities".*"no_such_thing"/);
  });
});

describe('discovery against an entity list served as a list of names', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 10 }, entityListShape: 'list' });
  });
  after(() => sim.stop());

  test('names are read from the list', async () => {
    const ok = await runTap(basicConfig(sim, { entities: ['item'] }), { args: ['--discover'] });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(entryOf(catalogOf(ok.stdout), 'item').replication_key, 'mod_ts');
    const bad = await runTap(basicConfig(sim, { entities: ['itemz'] }), { args: ['--discover'] });
    assert.equal(bad.code, 2);
    assert.match(errorLines(bad).join('\n'), /"itemz"/);
  });
});
