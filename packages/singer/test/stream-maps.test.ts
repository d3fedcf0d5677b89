import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, type JsonSchema, SingerError, StreamMaps } from '../src/index.js';

const ORDERS: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    order_nbr: { type: 'string' },
    cust_name: { type: ['string', 'null'], maxLength: 30 },
    cust_email: { type: ['string', 'null'] },
    cust_phone: { type: ['string', 'null'], maxLength: 20 },
    total_qty: { type: 'integer' },
    status_id: { type: 'integer' },
  },
  required: ['id', 'cust_email'],
};
const RECORD = {
  id: 7,
  order_nbr: 'ORD-7',
  cust_name: 'Ann Smith',
  cust_email: 'Ann.Smith@Example.com',
  cust_phone: '+44 20 7946 0018',
  total_qty: 12,
  status_id: 10,
};

function mapped(streamMaps: unknown, mapConfig: unknown = {}, stream = 'orders', keys = ['id']) {
  const maps = StreamMaps.fromConfig({ stream_maps: streamMaps, stream_map_config: mapConfig });
  assert.ok(maps);
  const decision = maps.forStream(stream, ORDERS, keys);
  return decision;
}

function mapOf(streamMaps: unknown, mapConfig: unknown = {}) {
  const decision = mapped(streamMaps, mapConfig);
  assert.equal(decision.kind, 'map');
  return decision.kind === 'map' ? decision.mapped : assert.fail();
}

describe('stream maps: the Singer SDK semantics', () => {
  it('no stream_maps (or an empty one) means no mapper at all', () => {
    assert.equal(StreamMaps.fromConfig({}), undefined);
    assert.equal(StreamMaps.fromConfig({ stream_maps: {} }), undefined);
  });

  it('__NULL__ (or null) drops a property from records and schema; an unmapped stream passes as it is', () => {
    for (const drop of ['__NULL__', null]) {
      const map = mapOf({ orders: { cust_email: drop } });
      assert.equal(map.stream, 'orders');
      assert.equal('cust_email' in map.schema.properties!, false);
      assert.deepEqual(map.schema.required, ['id']);
      const out = map.transform({ ...RECORD })!;
      assert.equal('cust_email' in out, false);
      assert.equal(out.cust_name, 'Ann Smith');
    }
    const maps = StreamMaps.fromConfig({ stream_maps: { orders: { cust_email: null } } })!;
    assert.deepEqual(maps.forStream('lines', ORDERS, ['id']), { kind: 'same' });
  });

  it('__NULL__ drops a stream; a top-level __else__: __NULL__ drops every unmapped stream; globs match', () => {
    assert.deepEqual(mapped({ orders: '__NULL__' }), { kind: 'drop' });
    assert.deepEqual(mapped({ orders: null }), { kind: 'drop' });
    const maps = StreamMaps.fromConfig({ stream_maps: { order_hdr: {}, __else__: null } })!;
    assert.deepEqual(maps.forStream('order_dtl', ORDERS, ['id']), { kind: 'drop' });
    assert.equal(maps.forStream('order_hdr', ORDERS, ['id']).kind, 'map');
    assert.deepEqual(mapped({ 'ord*': null }), { kind: 'drop' });
  });

  it('expressions over record properties: md5(), string functions, arithmetic, self, record, config', () => {
    const map = mapOf(
      {
        orders: {
          cust_email: 'md5(cust_email.lower())',
          email_domain: "cust_email.split('@')[-1].lower()",
          phone_last4: 'cust_phone[-4:]',
          cust_name: "self.upper() if self else ''",
          double_qty: 'total_qty * 2',
          big: 'total_qty > 10',
          tag: "config['region'] + '-' + str(id)",
          copy: 'record',
        },
      },
      { region: 'eu' },
    );
    const out = map.transform({ ...RECORD })!;
    assert.equal(out.cust_email, createHash('md5').update('ann.smith@example.com').digest('hex'));
    assert.equal(out.email_domain, 'example.com');
    assert.equal(out.phone_last4, '0018');
    assert.equal(out.cust_name, 'ANN SMITH');
    assert.equal(out.double_qty, 24);
    assert.equal(out.big, true);
    assert.equal(out.tag, 'eu-7');
    assert.deepEqual(out.copy, RECORD);
    // md5 as Python's hashlib.md5(s.encode()).hexdigest()
    assert.equal(
      mapOf({ orders: { x: "md5('hello')" } }).transform(RECORD)!.x,
      '5d41402abc4b2a76b9719d911017c592',
    );
    // the schema says what is emitted
    const p = map.schema.properties as Record<string, JsonSchema>;
    assert.deepEqual(p.cust_email, { type: ['string', 'null'] });
    assert.deepEqual(p.email_domain, { type: 'string' });
    assert.deepEqual(p.phone_last4, { type: 'string' });
    assert.deepEqual(p.double_qty, { type: 'integer' });
    assert.deepEqual(p.big, { type: 'boolean' });
    assert.deepEqual(p.tag, { type: 'string' });
    assert.deepEqual(p.copy, ORDERS);
    assert.deepEqual(p.order_nbr, { type: 'string' });
  });

  it("the SDK's type prefixes: float(, int(, str(, bool( and a quoted literal; a property name keeps its schema", () => {
    const map = mapOf({
      orders: {
        a: 'float(total_qty)',
        b: "int('12')",
        c: 'str(total_qty)',
        d: 'bool(cust_name)',
        e: "'fixed'",
        f: 'order_nbr',
      },
    });
    const p = map.schema.properties as Record<string, JsonSchema>;
    assert.deepEqual(
      [p.a, p.b, p.c, p.d, p.e, p.f],
      [
        { type: 'number' },
        { type: 'integer' },
        { type: 'string' },
        { type: 'boolean' },
        { type: 'string' },
        { type: 'string' },
      ],
    );
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => map.transform(RECORD)![k]),
      [12, 12, '12', true, 'fixed', 'ORD-7'],
    );
  });

  it('hmac_sha256 is a keyed hash whose key comes from stream_map_config; null stays null', () => {
    const map = mapOf(
      { orders: { cust_name: "hmac_sha256(cust_name, config['hash_key'])" } },
      { hash_key: 'k-123456' },
    );
    const expected = createHmac('sha256', 'k-123456').update('Ann Smith').digest('hex');
    assert.equal(map.transform(RECORD)!.cust_name, expected);
    assert.equal(map.transform({ ...RECORD, cust_name: null })!.cust_name, null);
    const other = mapOf(
      { orders: { cust_name: "hmac_sha256(cust_name, config['hash_key'])" } },
      { hash_key: 'other-key' },
    );
    assert.notEqual(other.transform(RECORD)!.cust_name, expected);
    const keyless = mapOf({ orders: { cust_name: "hmac_sha256(cust_name, config.get('hash_key'))" } }, {});
    assert.throws(
      () => keyless.transform(RECORD),
      (error: unknown) =>
        error instanceof SingerError &&
        /stream "orders", stream_maps\.orders\.cust_name: .* failed: hmac_sha256 needs a key/.test(
          error.message,
        ),
    );
  });

  it('__alias__ renames, __filter__ keeps matching records, __key_properties__ replaces the keys', () => {
    const map = mapOf({
      orders: {
        __alias__: 'customer_orders',
        __filter__: 'status_id >= 20 and cust_email',
        __key_properties__: ['order_nbr'],
      },
    });
    assert.equal(map.stream, 'customer_orders');
    assert.deepEqual(map.keyProperties, ['order_nbr']);
    assert.equal(map.transform(RECORD), undefined);
    assert.deepEqual(map.transform({ ...RECORD, status_id: 20 }), { ...RECORD, status_id: 20 });
    assert.equal(map.transform({ ...RECORD, status_id: 20, cust_email: null }), undefined);
    assert.deepEqual(mapOf({ orders: { __key_properties__: null } }).keyProperties, []);
  });

  it('__else__: __NULL__ keeps only the mapped properties and the keys', () => {
    const map = mapOf({
      orders: { order_nbr: 'order_nbr', hashed: 'md5(cust_email)', __else__: '__NULL__' },
    });
    assert.deepEqual(Object.keys(map.schema.properties!).sort(), ['hashed', 'id', 'order_nbr']);
    assert.deepEqual(Object.keys(map.transform(RECORD)!).sort(), ['hashed', 'id', 'order_nbr']);
  });

  it('a rewrite of a property the stream does not have is skipped; a new property is added', () => {
    const map = mapOf({ orders: { cust_fax: 'md5(cust_fax)', ghost: null, tag: "'x'" } });
    assert.equal('cust_fax' in map.schema.properties!, false);
    assert.deepEqual(
      Object.keys(map.transform(RECORD)!).filter((k) => !(k in RECORD)),
      ['tag'],
    );
  });

  it('bad maps are configuration errors naming the setting path', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { orders: { x: 'md5(' } },
        /^setting "stream_maps\.orders\.x" cannot be parsed: "md5\(": the expression ends too early$/,
      ],
      [
        { orders: { x: 'eval(id)' } },
        /"stream_maps\.orders\.x" calls eval\(\), which stream maps do not offer/,
      ],
      [
        { orders: { x: 'nope + 1' } },
        /"stream_maps\.orders\.x" reads "nope", which is not a property of stream orders/,
      ],
      [{ orders: { id: null } }, /drops key property "id"/],
      [{ orders: { __key_properties__: ['zz'] } }, /names "zz", which stream orders does not send/],
      [{ orders: { __source__: 'x' } }, /__source__" is not supported/],
      [{ orders: { __else__: 'keep' } }, /only __NULL__/],
      [{ orders: 'keep' }, /must be __NULL__ \(drop the stream\) or an object/],
      [{ __other__: null }, /is not a stream map option/],
      [{ orders: { x: 42 } }, /must be an expression \(a string\) or __NULL__/],
    ];
    for (const [maps, pattern] of cases) {
      assert.throws(
        () => mapped(maps),
        (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
        JSON.stringify(maps),
      );
    }
  });

  it('expressions reach nothing but the record and the config', () => {
    const probes = [
      "record['constructor']",
      "record['__proto__']",
      "config['constructor']",
      "cust_name.constructor('x')",
      "cust_name['length']",
      'record.get.call(1)',
      'cust_name.__class__()',
      '(1).toString()',
      'cust_name.valueOf()',
      'process',
      'globalThis',
      "__import__('os')",
    ];
    for (const expression of probes) {
      let outcome: unknown;
      try {
        const map = mapOf({ orders: { x: expression } });
        outcome = map.transform(RECORD)!.x;
      } catch (error) {
        outcome = error;
      }
      assert.ok(
        outcome instanceof ConfigError || outcome instanceof SingerError,
        `${expression} gave ${JSON.stringify(outcome)}`,
      );
    }
    // a property that is absent from a record reads as None, never as something inherited
    assert.equal(mapOf({ orders: { x: 'cust_phone' } }).transform({ id: 1 })!.x, null);
  });
});
