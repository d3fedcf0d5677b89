// Unit tests of the engine's decisions: names, JSON Schema -> types, the widening lattice,
// table plans, row building, dedupe and the state ledger. No database involved.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Metrics } from '@wms-singer/singer';
import { pino } from 'pino';
import type { CellValue, Dialect, RowBatch, TableSpec, WriteMode } from '../src/dialects/dialect.js';
import { RecordValidators } from '../src/records/record-validator.js';
import { RowBuilder } from '../src/records/row-builder.js';
import { columnTypeOf } from '../src/schema/column-types.js';
import { normaliseName, shortenName } from '../src/schema/names.js';
import { layoutStream } from '../src/schema/stream-layout.js';
import { planTable } from '../src/schema/table-plan.js';
import { accepts, joinTypes } from '../src/schema/type-lattice.js';
import { Sink } from '../src/sink.js';
import { StateLedger } from '../src/state-ledger.js';

describe('names', () => {
  test('lower case, [a-z0-9_] only, no leading digit', () => {
    assert.equal(normaliseName('TestCamelcase', 128), 'testcamelcase');
    assert.equal(normaliseName('clientName', 128), 'clientname');
    assert.equal(normaliseName('order-dtl', 128), 'order_dtl');
    assert.equal(normaliseName('1st place', 128), '_1st_place');
    assert.equal(normaliseName('', 128), '_');
    assert.equal(normaliseName('x"; DROP TABLE y; --', 128), 'x___drop_table_y____');
    assert.equal(normaliseName('café', 128), 'caf_');
  });

  test('long names are shortened deterministically and stay distinct', () => {
    const a = normaliseName(`${'a'.repeat(40)}_one`, 30);
    const b = normaliseName(`${'a'.repeat(40)}_two`, 30);
    assert.equal(a.length, 30);
    assert.equal(b.length, 30);
    assert.notEqual(a, b);
    assert.equal(a, normaliseName(`${'a'.repeat(40)}_one`, 30));
    assert.match(a, /^a{21}_[0-9a-f]{8}$/);
    assert.equal(shortenName('short', 30), 'short');
  });
});

describe('JSON Schema -> column type', () => {
  test('scalars, formats and maxLength', () => {
    assert.deepEqual(columnTypeOf({ type: 'string' }), { kind: 'string' });
    assert.deepEqual(columnTypeOf({ type: 'string', maxLength: 40 }), { kind: 'string', maxLength: 40 });
    assert.deepEqual(columnTypeOf({ type: ['string', 'null'], format: 'singer.decimal' }), {
      kind: 'decimal',
    });
    assert.deepEqual(columnTypeOf({ type: ['null', 'string'], format: 'date-time' }), { kind: 'datetime' });
    assert.deepEqual(columnTypeOf({ type: 'string', format: 'date' }), { kind: 'date' });
    assert.deepEqual(columnTypeOf({ type: 'string', format: 'time' }), { kind: 'time' });
    assert.deepEqual(columnTypeOf({ type: 'integer' }), { kind: 'integer' });
    assert.deepEqual(columnTypeOf({ type: 'number' }), { kind: 'number' });
    assert.deepEqual(columnTypeOf({ type: 'boolean' }), { kind: 'boolean' });
  });

  test('objects, arrays, unions, anyOf and missing types', () => {
    assert.deepEqual(columnTypeOf({ type: 'object', properties: { id: { type: 'integer' } } }), {
      kind: 'json',
    });
    assert.deepEqual(columnTypeOf({ type: 'array', items: { type: 'string' } }), { kind: 'json' });
    assert.deepEqual(columnTypeOf({}), { kind: 'json' });
    assert.deepEqual(columnTypeOf({ properties: {} }), { kind: 'json' });
    assert.deepEqual(columnTypeOf({ type: ['integer', 'number', 'null'] }), { kind: 'number' });
    assert.deepEqual(columnTypeOf({ type: ['integer', 'string'] }), { kind: 'string' });
    assert.deepEqual(columnTypeOf({ type: ['boolean', 'integer'] }), { kind: 'json' });
    assert.deepEqual(columnTypeOf({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] }), {
      kind: 'datetime',
    });
    assert.deepEqual(columnTypeOf({ anyOf: [{ type: 'integer' }, { type: 'object' }] }), { kind: 'json' });
  });
});

describe('widening lattice', () => {
  test('numbers widen integer < number < decimal', () => {
    assert.deepEqual(joinTypes({ kind: 'integer' }, { kind: 'number' }), { kind: 'number' });
    assert.deepEqual(joinTypes({ kind: 'decimal' }, { kind: 'integer' }), { kind: 'decimal' });
    assert.equal(accepts({ kind: 'decimal' }, { kind: 'integer' }), true);
    assert.equal(accepts({ kind: 'integer' }, { kind: 'number' }), false);
  });

  test('strings grow, scalars widen to text, JSON takes all, the rest is impossible', () => {
    assert.deepEqual(joinTypes({ kind: 'string', maxLength: 10 }, { kind: 'string', maxLength: 20 }), {
      kind: 'string',
      maxLength: 20,
    });
    assert.deepEqual(joinTypes({ kind: 'string', maxLength: 10 }, { kind: 'string' }), { kind: 'string' });
    assert.deepEqual(joinTypes({ kind: 'datetime' }, { kind: 'string' }), { kind: 'string' });
    assert.deepEqual(joinTypes({ kind: 'integer' }, { kind: 'json' }), { kind: 'json' });
    assert.equal(accepts({ kind: 'string' }, { kind: 'json' }), true);
    assert.equal(joinTypes({ kind: 'integer' }, { kind: 'boolean' }), undefined);
    assert.equal(joinTypes({ kind: 'date' }, { kind: 'datetime' }), undefined);
  });
});

const layoutOf = (properties: Record<string, unknown>, keys: string[] = ['id'], depth = 0) =>
  layoutStream('s', 7, { type: 'object', properties } as never, keys, [], {
    maxIdentifierLength: 128,
    flatteningMaxDepth: depth,
    metadata: [],
  });

describe('stream layout and table plan', () => {
  test('collisions after normalisation are an error naming both properties', () => {
    assert.throws(
      () =>
        layoutOf({ id: { type: 'integer' }, clientName: { type: 'string' }, clientname: { type: 'string' } }),
      {
        message:
          'stream "s", line 7: properties "clientName" and "clientname" both become column "clientname"',
      },
    );
  });

  test('a key property missing from the schema is an error', () => {
    assert.throws(() => layoutOf({ code: { type: 'string' } }), {
      message: 'stream "s", line 7: key property "id" is not in the schema\'s properties',
    });
  });

  test('flattening spreads objects up to the depth, deeper objects stay JSON', () => {
    const layout = layoutOf(
      {
        id: { type: 'integer' },
        a: {
          type: 'object',
          properties: { b: { type: 'string' }, c: { type: 'object', properties: { d: {} } } },
        },
      },
      ['id'],
      1,
    );
    assert.deepEqual(
      layout.columns.map((c) => [c.name, c.type.kind, c.path.join('.')]),
      [
        ['id', 'integer', 'id'],
        ['a__b', 'string', 'a.b'],
        ['a__c', 'json', 'a.c'],
      ],
    );
  });

  test('plan: create with key and bookmark index; evolve adds, widens, keeps, or refuses', () => {
    const layout = layoutStream(
      's',
      1,
      {
        type: 'object',
        properties: { id: { type: 'integer' }, ts: { type: 'string', format: 'date-time' } },
      },
      ['id'],
      ['ts'],
      { maxIdentifierLength: 128, flatteningMaxDepth: 0, metadata: [] },
    );
    const created = planTable({ name: 's' }, layout, undefined, { primaryKey: true }, 'w');
    assert.deepEqual(created.create?.primaryKey, ['id']);
    assert.deepEqual(created.create?.indexes, [['ts']]);
    assert.equal(created.create?.columns[0]?.nullable, false);

    const evolved = planTable(
      { name: 's' },
      layoutOf({ id: { type: 'number' }, extra: { type: 'boolean' } }),
      [
        { name: 'id', type: { kind: 'integer' }, nullable: false },
        { name: 'old', type: { kind: 'string' }, nullable: true },
      ],
      { primaryKey: true },
      'w',
    );
    assert.deepEqual(evolved.alter, [{ column: 'id', from: { kind: 'integer' }, to: { kind: 'number' } }]);
    assert.deepEqual(
      evolved.add.map((c) => c.name),
      ['extra'],
    );
    assert.deepEqual(
      evolved.table.columns.map((c) => c.name),
      ['id', 'old', 'extra'],
    );
    assert.throws(
      () =>
        planTable(
          { name: 's' },
          layoutOf({ id: { type: 'boolean' } }),
          [{ name: 'id', type: { kind: 'integer' }, nullable: false }],
          { primaryKey: true },
          'stream "s", line 9',
        ),
      { message: 'stream "s", line 9: field "id": column "id" is integer and cannot hold boolean' },
    );
  });
});

const context = { timeExtracted: undefined, version: undefined, receivedAt: '', sequence: 0 };

describe('row building', () => {
  test('cells follow the table column kind: exact decimals, JSON text, ISO text', () => {
    const layout = layoutOf({
      id: { type: 'integer' },
      qty: { type: 'string', format: 'singer.decimal' },
      fk: { type: 'object', properties: { id: { type: 'integer' } } },
      ts: { type: 'string', format: 'date-time' },
      flag: { type: 'boolean' },
      n: { type: 'number' },
    });
    const builder = new RowBuilder(
      layout.columns,
      layout.columns.map((c) => c.type.kind),
      0,
    );
    assert.deepEqual(
      builder.build(
        {
          id: 1,
          qty: '12.50',
          fk: { id: 3, key: 'K', url: 'u' },
          ts: '2026-01-02T03:04:05.123456+02:00',
          flag: true,
          n: 1.5,
        },
        context,
      ),
      [1, '12.50', '{"id":3,"key":"K","url":"u"}', '2026-01-02T03:04:05.123456+02:00', true, 1.5],
    );
    assert.deepEqual(builder.build({ id: 2 }, context), [2, null, null, null, null, null]);
    const widened = new RowBuilder(
      layout.columns,
      ['integer', 'decimal', 'json', 'string', 'string', 'decimal'],
      0,
    );
    assert.deepEqual(widened.build({ id: 1, qty: 3, flag: false, n: 0.1 }, context), [
      1,
      '3',
      null,
      null,
      'false',
      '0.1',
    ]);
  });
});

class RecordingDialect implements Dialect {
  readonly name = 'recording';
  readonly maxIdentifierLength = 128;
  readonly writes: { rows: CellValue[][]; mode: WriteMode }[] = [];
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async describeTable(): Promise<undefined> {
    return undefined;
  }
  async createTable(): Promise<void> {}
  async addColumns(): Promise<void> {}
  async alterColumns(): Promise<void> {}
  async writeBatch(_table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void> {
    this.writes.push({ rows: batch.rows, mode });
  }
  async retireVersions(): Promise<number> {
    return 0;
  }
}

describe('sink', () => {
  const silent = pino({ level: 'silent' });
  const makeSink = (
    loadMethod: 'upsert' | 'append-only' | 'overwrite',
    dialect: Dialect,
    onCommitted: () => void = () => undefined,
  ) => {
    const layout = layoutOf({ id: { type: 'integer' }, metric: { type: 'integer' } });
    const table = planTable({ name: 's' }, layout, undefined, { primaryKey: true }, 'w').table;
    const validate = new RecordValidators().validatorFor({
      type: 'object',
      properties: { id: { type: 'integer' }, metric: { type: 'integer' } },
    });
    const builder = new RowBuilder(
      layout.columns,
      layout.columns.map((c) => c.type.kind),
      0,
    );
    return new Sink(
      's',
      { table, layout, builder, validate },
      {
        dialect,
        metrics: new Metrics(silent, 0),
        batchSizeRows: 100,
        loadMethod,
        onCommitted,
        onFailure: () => undefined,
      },
    );
  };

  test('upsert keeps only the last record per key (rows in order of their last arrival)', async () => {
    const dialect = new RecordingDialect();
    const sink = makeSink('upsert', dialect);
    for (const [line, id, metric] of [
      [1, 1, 1],
      [2, 2, 2],
      [3, 1, 10],
      [4, 2, 20],
      [5, 1, 100],
    ] as const) {
      assert.equal(sink.add({ id, metric }, line, context, 0), undefined);
    }
    assert.equal(sink.pendingFrom(), 1);
    await sink.flush();
    await sink.settle();
    assert.equal(sink.pendingFrom(), Number.POSITIVE_INFINITY);
    assert.deepEqual(dialect.writes, [
      {
        rows: [
          [2, 20],
          [1, 100],
        ],
        mode: 'upsert',
      },
    ]);
  });

  test('append-only keeps every record; overwrite replaces first, then merges', async () => {
    const appended = new RecordingDialect();
    const sink = makeSink('append-only', appended);
    sink.add({ id: 1, metric: 1 }, 1, context, 0);
    sink.add({ id: 1, metric: 2 }, 2, context, 0);
    await sink.flush();
    await sink.settle();
    assert.deepEqual(appended.writes, [
      {
        rows: [
          [1, 1],
          [1, 2],
        ],
        mode: 'append',
      },
    ]);

    const overwritten = new RecordingDialect();
    const over = makeSink('overwrite', overwritten);
    over.add({ id: 1, metric: 1 }, 1, context, 0);
    await over.flush();
    over.add({ id: 2, metric: 2 }, 2, context, 0);
    await over.flush();
    await over.settle();
    assert.deepEqual(
      overwritten.writes.map((w) => w.mode),
      ['replace', 'upsert'],
    );
  });

  test('a batch taken while the previous one is written stays pending until it is handed over', async () => {
    const dialect = new RecordingDialect();
    const commits: (() => void)[] = [];
    dialect.writeBatch = (_table, batch, mode) => {
      dialect.writes.push({ rows: batch.rows, mode });
      return new Promise<void>((resolve) => commits.push(resolve));
    };
    const seen: number[] = [];
    const sink = makeSink('upsert', dialect, () => seen.push(sink.pendingFrom()));
    sink.add({ id: 1, metric: 1 }, 1, context, 0);
    await sink.flush(); // batch 1 (line 1) in flight
    sink.add({ id: 2, metric: 2 }, 3, context, 0);
    const second = sink.flush(); // batch 2 (line 3) taken, waits for batch 1
    assert.equal(sink.pendingFrom(), 1);
    commits[0]!();
    await second;
    // When batch 1 committed, line 3 was still pending: no state after line 3 may be released.
    assert.deepEqual(seen, [3]);
    assert.equal(sink.pendingFrom(), 3);
    commits[1]!();
    await sink.settle();
    assert.deepEqual(seen, [3, Number.POSITIVE_INFINITY]);
    assert.deepEqual(
      dialect.writes.map((w) => w.rows),
      [[[1, 1]], [[2, 2]]],
    );
  });

  test('invalid records and missing keys are returned as reasons, not buffered', () => {
    const sink = makeSink('upsert', new RecordingDialect());
    assert.equal(sink.add({ id: 1, metric: 'x' }, 3, context, 0), 'field "metric": must be integer');
    assert.equal(sink.add({ metric: 1 }, 4, context, 0), 'key property "id" is missing');
    assert.equal(sink.buffered, 0);
  });
});

describe('state ledger', () => {
  test('releases the last state covered by the watermark, once', () => {
    const ledger = new StateLedger();
    ledger.push(3, { a: 1 });
    ledger.push(6, { a: 2 });
    ledger.push(9, { a: 2 });
    assert.equal(ledger.release(3), undefined); // a record at line 3 or before is pending
    assert.equal(ledger.release(4), '{"a":1}');
    assert.equal(ledger.release(Number.POSITIVE_INFINITY), '{"a":2}');
    ledger.push(12, { a: 2 });
    assert.equal(ledger.release(Number.POSITIVE_INFINITY), undefined); // identical to the last printed
  });

  test('stays bounded and keeps the newest state when a tap sends a state per record', () => {
    const ledger = new StateLedger();
    for (let i = 1; i <= 5000; i++) ledger.push(i, { n: i });
    assert.ok(ledger.waiting <= 1024);
    assert.equal(ledger.release(Number.POSITIVE_INFINITY), '{"n":5000}');
  });
});
