import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { runTarget, singer, workspaces } from './support/target-run.js';

const fresh = workspaces();
const PROPS = {
  id: { type: 'integer' },
  email: { type: ['string', 'null'], maxLength: 20 },
  qty: { type: 'integer' },
  note: { type: ['string', 'null'] },
};

describe('target-oracle with stream_maps', () => {
  test('maps incoming streams: property rewrite with its schema, drop, alias, filter, keys, ACTIVATE_VERSION renamed', async () => {
    const ws = fresh();
    const input = singer(
      {
        type: 'SCHEMA',
        stream: 'orders',
        schema: { type: 'object', properties: PROPS },
        key_properties: ['id'],
      },
      {
        type: 'SCHEMA',
        stream: 'secrets',
        schema: { type: 'object', properties: PROPS },
        key_properties: ['id'],
      },
      { type: 'ACTIVATE_VERSION', stream: 'orders', version: 5 },
      {
        type: 'RECORD',
        stream: 'orders',
        version: 5,
        record: { id: 1, email: 'a.very.long.address@example.com', qty: 3, note: 'x' },
      },
      { type: 'RECORD', stream: 'orders', version: 5, record: { id: 2, email: null, qty: 0, note: 'y' } },
      { type: 'RECORD', stream: 'secrets', record: { id: 1, email: 'x@y.z', qty: 1, note: null } },
      { type: 'ACTIVATE_VERSION', stream: 'orders', version: 5 },
      { type: 'STATE', value: { bookmarks: { orders: { v: 1 } } } },
    );
    const config = ws.config({
      stream_maps: {
        orders: {
          __alias__: 'customer_orders',
          __filter__: 'qty > 0',
          email: "hmac_sha256(email, config['hash_key'])",
          note: '__NULL__',
          double: 'qty * 2',
        },
        secrets: '__NULL__',
      },
      stream_map_config: { hash_key: 'target-key-1234' },
    });
    const run = await runTarget(config, input);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.states, [{ bookmarks: { orders: { v: 1 } } }]);
    assert.equal(run.stderr.includes('target-key-1234'), false);
    const db = new DatabaseSync(ws.db, { readOnly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .all()
        .map((row) => row.name);
      assert.deepEqual(tables, ['customer_orders']);
      const rows = db.prepare('SELECT * FROM customer_orders').all() as Array<Record<string, unknown>>;
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.id, 1);
      assert.match(
        String(rows[0]!.email),
        /^[0-9a-f]{64}$/,
        'a 64-character hash in a column whose source said maxLength 20',
      );
      assert.equal(rows[0]!.double, 6);
      assert.equal('note' in rows[0]!, false);
      assert.equal(rows[0]!._sdc_table_version, 5);
    } finally {
      db.close();
    }
  });

  test('a failing expression stops the run with one line naming the line, stream and map path', async () => {
    const ws = fresh();
    const input = singer(
      {
        type: 'SCHEMA',
        stream: 'orders',
        schema: { type: 'object', properties: PROPS },
        key_properties: ['id'],
      },
      { type: 'RECORD', stream: 'orders', record: { id: 1, email: 'e', qty: 3, note: 'abc' } },
    );
    const run = await runTarget(ws.config({ stream_maps: { orders: { n: 'int(note)' } } }), input);
    assert.equal(run.code, 1);
    assert.deepEqual(run.errors, [
      'target-oracle: line 2: stream "orders", stream_maps.orders.n: "int(note)" failed: int() cannot read "abc"',
    ]);
  });
});
