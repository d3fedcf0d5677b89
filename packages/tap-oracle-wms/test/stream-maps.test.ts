import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { Ajv } from 'ajv';
import { basicConfig, listRequests, runTap } from './support/tap-run.js';

describe('tap stream_maps', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, rows: { order_dtl: 30 } });
  });
  after(() => sim.stop());

  test('a dropped stream is not extracted; an aliased, filtered, rewritten one sends a schema its records fit', async () => {
    sim.clearRequests();
    const run = await runTap(
      basicConfig(sim, {
        entities: ['order_hdr', 'order_dtl'],
        stream_maps: {
          order_dtl: '__NULL__',
          order_hdr: {
            __alias__: 'orders',
            __filter__: "cust_name and cust_name[0] in 'ABCDEFGHIJKLM'",
            cust_name: 'md5(cust_name)',
            cust_addr: '__NULL__',
            name_length: "len(shipto_name or '')",
          },
        },
      }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(listRequests(sim, 'order_dtl').length, 0, 'order_dtl was not read');
    const streams = new Set(run.messages.filter((m) => m.type !== 'STATE').map((m) => m.stream));
    assert.deepEqual([...streams], ['orders']);
    const schema = run.messages.find((m) => m.type === 'SCHEMA')!;
    const validate = new Ajv({ strict: false }).compile(schema.schema!);
    const records = run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record!);
    const expected = sim
      .snapshot('order_hdr')
      .filter((r) => typeof r.cust_name === 'string' && /^[A-M]/.test(r.cust_name));
    assert.equal(records.length, expected.length);
    assert.ok(records.length > 0);
    for (const record of records) {
      assert.ok(validate(record), JSON.stringify(validate.errors));
      assert.match(String(record.cust_name), /^[0-9a-f]{32}$/);
      assert.equal('cust_addr' in record, false);
      assert.equal(typeof record.name_length, 'number');
    }
    assert.deepEqual((schema.schema!.properties as Record<string, unknown>).name_length, { type: 'integer' });
    // bookmarks stay under the tap's own stream id
    const state = run.messages.filter((m) => m.type === 'STATE').at(-1)!;
    assert.deepEqual(Object.keys(state.value!.bookmarks!), ['order_hdr']);
  });

  test('a map naming an unknown property is a configuration error (exit 2, one line)', async () => {
    const run = await runTap(
      basicConfig(sim, { entities: ['order_hdr'], stream_maps: { order_hdr: { x: 'nope' } } }),
    );
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /tap-oracle-wms: setting "stream_maps\.order_hdr\.x" reads "nope", which is not a property of stream order_hdr/,
    );
  });
});
