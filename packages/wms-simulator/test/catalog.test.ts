import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, isErrorBody, withSimulator } from './support/helpers.js';

const CORE = [
  'company',
  'facility',
  'item',
  'location',
  'order_hdr',
  'order_dtl',
  'allocation',
  'container',
  'inventory',
  'wave',
  'task',
  'ib_shipment',
  'ib_shipment_dtl',
  'purchase_order_hdr',
  'purchase_order_dtl',
];

describe('entity list, describe and routing', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 40 }, describeForbidden: ['location'] });
  });
  after(() => sim.stop());

  it('serves the entity list as an object {name: url} by default', async () => {
    const reply = await api(sim, '/entity/');
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.json).sort(), [...CORE].sort());
    assert.equal(reply.json.order_dtl, `${sim.apiUrl}/entity/order_dtl/`);
    assert.deepEqual(sim.entities().sort(), [...CORE].sort());
  });

  it('serves the entity list as a list of names when entityListShape is list', async () => {
    await withSimulator({ rows: { order_dtl: 10 }, entityListShape: 'list' }, async (listed) => {
      const reply = await api(listed, '/entity');
      assert.ok(Array.isArray(reply.json));
      assert.deepEqual([...reply.json].sort(), [...CORE].sort());
    });
  });

  it('describes fields with type, required letter, allow_blank, max_length and default', async () => {
    const reply = await api(sim, '/entity/order_dtl/describe/');
    assert.equal(reply.status, 200);
    const { parameters, fields } = reply.json;
    assert.ok(Array.isArray(parameters));
    for (const name of ['id', 'mod_ts', 'order_id', 'status_id']) assert.ok(parameters.includes(name), name);
    assert.ok(parameters.length < Object.keys(fields).length, 'parameters is only the filterable subset');
    for (const [name, spec] of Object.entries<Record<string, unknown>>(fields)) {
      assert.deepEqual(
        Object.keys(spec)
          .filter((k) => k !== 'related_entity')
          .sort(),
        ['allow_blank', 'default', 'max_length', 'required', 'type'],
        name,
      );
      assert.match(String(spec.required), /^[YNCX]$/);
    }
    assert.equal(fields.id.type, 'integer');
    assert.equal(fields.ord_qty.type, 'decimal');
    assert.equal(fields.mod_ts.type, 'datetime');
    assert.equal(fields.cust_date_1.type, 'date');
    assert.equal(fields.order_id.type, 'relation');
    assert.equal(fields.externally_planned_load_flg.type, 'boolean');
    assert.equal(fields.po_nbr.type, 'string');
    assert.equal(typeof fields.po_nbr.max_length, 'number');
    for (const n of [1, 2, 3, 4, 5]) {
      for (const kind of ['field', 'decimal']) assert.ok(fields[`cust_${kind}_${n}`], `cust_${kind}_${n}`);
    }
  });

  it('lists every field describe announces in the records, in the same order', async () => {
    for (const entity of CORE.filter((e) => e !== 'location')) {
      const described = Object.keys((await api(sim, `/entity/${entity}/describe/`)).json.fields);
      const record = (await api(sim, `/entity/${entity}/?page_size=1`)).json.results[0];
      assert.deepEqual(Object.keys(record), described, entity);
    }
  });

  it('has an entity without mod_ts (company) and one field of an unusual type (item)', async () => {
    const company = (await api(sim, '/entity/company/describe/')).json.fields;
    assert.equal(company.mod_ts, undefined);
    assert.ok(company.create_ts);
    const item = (await api(sim, '/entity/item/describe/')).json.fields;
    const known = new Set([
      'integer',
      'string',
      'decimal',
      'boolean',
      'date',
      'datetime',
      'relation',
      'child_set',
    ]);
    assert.ok(Object.values<{ type: string }>(item).some((f) => !known.has(f.type)));
  });

  it('answers 403 to describe of a forbidden entity', async () => {
    const reply = await api(sim, '/entity/location/describe/');
    assert.equal(reply.status, 403);
    assert.ok(isErrorBody(reply.json));
  });

  it('answers 404 with the error body to unknown entities and paths', async () => {
    for (const path of ['/entity/nope/', '/entity/order_dtl/abc/', '/other/']) {
      const reply = await api(sim, path);
      assert.equal(reply.status, 404, path);
      assert.ok(isErrorBody(reply.json), path);
    }
  });

  it('treats the trailing slash as optional and accepts format=json, rejecting other formats', async () => {
    const a = await api(sim, '/entity/facility/1');
    const b = await api(sim, '/entity/facility/1/?format=json');
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, b.json);
    assert.equal((await api(sim, '/entity/facility?format=json')).status, 200);
    assert.equal((await api(sim, '/entity/facility/?format=xml')).status, 400);
    assert.match(a.headers.get('content-type') ?? '', /application\/json; charset=utf-8/);
  });

  it('retrieves one record by id, honours fields=, and answers 404 to a missing id', async () => {
    const one = await api(sim, '/entity/order_hdr/3/');
    assert.equal(one.json.id, 3);
    assert.equal(one.json.url, `${sim.apiUrl}/entity/order_hdr/3/`);
    const some = await api(sim, '/entity/order_hdr/3/?fields=id,order_nbr');
    assert.deepEqual(Object.keys(some.json), ['id', 'order_nbr']);
    const missing = await api(sim, '/entity/order_hdr/999999/');
    assert.equal(missing.status, 404);
    assert.ok(isErrorBody(missing.json));
  });

  it('answers 405 to methods other than GET', async () => {
    const reply = await api(sim, '/entity/facility/', { method: 'POST', body: '{}' });
    assert.equal(reply.status, 405);
    assert.ok(isErrorBody(reply.json));
  });

  it('compresses with gzip when asked and serves identical JSON', async () => {
    const plain = await api(sim, '/entity/order_dtl/?page_size=50');
    const res = await fetch(`${sim.apiUrl}/entity/order_dtl/?page_size=50`, {
      headers: {
        authorization: 'Basic ' + Buffer.from('wms_user:wms_password').toString('base64'),
        'accept-encoding': 'gzip',
      },
    });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(await res.json(), plain.json);
  });
});
