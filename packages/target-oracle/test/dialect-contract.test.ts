// The dialect contract: the same cases, through the engine, on every database the target loads:
// SQLite, the rule-enforcing Oracle double, and live Oracle when ORACLE_* is set (otherwise its
// cases are reported as skipped, never passed). Like Kysely's tests run over every dialect.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColumnType } from '../src/dialects/dialect.js';
import { type ContractDatabase, HARNESSES, utcInstant } from './support/contract/harness.js';

const line = (message: object): string => JSON.stringify(message);
const lines = (...messages: Array<object | string>): string =>
  `${messages.map((m) => (typeof m === 'string' ? m : line(m))).join('\n')}\n`;
const schema = (stream: string, properties: object, key_properties: string[] = ['id']) => ({
  type: 'SCHEMA',
  stream,
  schema: { type: 'object', properties },
  key_properties,
});
const record = (stream: string, value: object, version?: number) => ({
  type: 'RECORD',
  stream,
  record: value,
  ...(version === undefined ? {} : { version }),
});
const state = (value: unknown) => ({ type: 'STATE', value });

const ok = (run: { error: Error | undefined }): void => assert.equal(run.error, undefined, String(run.error));

interface Case {
  name: string;
  run(db: ContractDatabase): Promise<void>;
}

const EVERY_TYPE: Record<string, [object, ColumnType['kind']]> = {
  s: [{ type: 'string' }, 'string'],
  s20: [{ type: 'string', maxLength: 20 }, 'string'],
  i: [{ type: 'integer' }, 'integer'],
  n: [{ type: 'number' }, 'number'],
  d: [{ type: 'string', format: 'singer.decimal' }, 'decimal'],
  b: [{ type: 'boolean' }, 'boolean'],
  ts: [{ type: 'string', format: 'date-time' }, 'datetime'],
  dt: [{ type: 'string', format: 'date' }, 'date'],
  tm: [{ type: 'string', format: 'time' }, 'time'],
  j: [{ type: 'object', properties: { a: { type: 'integer' } } }, 'json'],
};

const CASES: Case[] = [
  {
    name: 'create and describe round trip: every type reads back as the kind it was created from',
    async run(db) {
      const properties = Object.fromEntries(Object.entries(EVERY_TYPE).map(([k, [s]]) => [k, s]));
      ok(await db.run(lines(schema('every', { id: { type: 'integer' }, ...properties }))));
      const columns = await db.describe('every');
      assert.ok(columns !== undefined);
      const kinds = Object.fromEntries(columns.map((c) => [c.name, c.type.kind]));
      assert.deepEqual(kinds, {
        id: 'integer',
        ...Object.fromEntries(Object.entries(EVERY_TYPE).map(([k, [, kind]]) => [k, kind])),
      });
      assert.deepEqual(columns.find((c) => c.name === 's20')?.type, { kind: 'string', maxLength: 20 });
      assert.equal(columns.find((c) => c.name === 'id')?.nullable, false);
      assert.equal(columns.find((c) => c.name === 's')?.nullable, true);
      // A second run with the same SCHEMA changes nothing.
      ok(await db.run(lines(schema('every', { id: { type: 'integer' }, ...properties }))));
      assert.deepEqual(await db.describe('every'), columns);
    },
  },
  {
    name: 'upsert keeps the columns a batch lacks',
    async run(db) {
      const props = { id: { type: 'integer' }, a: { type: 'string' }, b: { type: 'string' } };
      ok(await db.run(lines(schema('keep', props), record('keep', { id: 1, a: 'x', b: 'y' }))));
      ok(
        await db.run(
          lines(
            schema('keep', { id: props.id, a: props.a }),
            record('keep', { id: 1, a: 'z' }),
            record('keep', { id: 2, a: 'w' }),
          ),
        ),
      );
      assert.deepEqual(await db.rows('keep', 'id'), [
        { id: '1', a: 'z', b: 'y' },
        { id: '2', a: 'w', b: null },
      ]);
    },
  },
  {
    name: 'replace is atomic: the table holds the old rows or the new ones, never a mix',
    async run(db) {
      const props = { id: { type: 'integer' }, v: { type: 'string' } };
      const first = [1, 2, 3].map((id) => record('snap', { id, v: 'old' }));
      ok(await db.run(lines(schema('snap', props), ...first), { load_method: 'overwrite' }));
      await db.refuseFrom('snap', 100);
      const refused = await db.run(
        lines(
          schema('snap', props),
          record('snap', { id: 4, v: 'new' }),
          record('snap', { id: 100, v: 'new' }),
        ),
        { load_method: 'overwrite' },
      );
      assert.ok(refused.error !== undefined, 'the refused replace failed the run');
      assert.deepEqual(
        (await db.rows('snap', 'id')).map((r) => [r.id, r.v]),
        [
          ['1', 'old'],
          ['2', 'old'],
          ['3', 'old'],
        ],
      );
      ok(
        await db.run(lines(schema('snap', props), record('snap', { id: 4, v: 'new' })), {
          load_method: 'overwrite',
        }),
      );
      assert.deepEqual(
        (await db.rows('snap', 'id')).map((r) => [r.id, r.v]),
        [['4', 'new']],
      );
    },
  },
  ...(['soft', 'delete'] as const).map(
    (mode): Case => ({
      name: `ACTIVATE_VERSION retires the rows of older versions (${mode})`,
      async run(db) {
        const props = { id: { type: 'integer' }, v: { type: 'integer' } };
        const input = lines(
          schema('ver', props),
          record('ver', { id: 1, v: 1 }, 1),
          record('ver', { id: 2, v: 1 }, 1),
          { type: 'ACTIVATE_VERSION', stream: 'ver', version: 1 },
          record('ver', { id: 1, v: 2 }, 2),
          { type: 'ACTIVATE_VERSION', stream: 'ver', version: 2 },
        );
        ok(await db.run(input, { hard_delete: mode === 'delete' }));
        const rows = await db.rows('ver', 'id');
        if (mode === 'delete') {
          assert.deepEqual(
            rows.map((r) => [r.id, r.v, r._sdc_table_version]),
            [['1', '2', '2']],
          );
        } else {
          assert.deepEqual(
            rows.map((r) => [r.id, r._sdc_table_version, r._sdc_deleted_at === null]),
            [
              ['1', '2', true],
              ['2', '1', false],
            ],
          );
        }
      },
    }),
  ),
  {
    name: 'every widening edge keeps the values already stored',
    async run(db) {
      // [from schema, a value, to schema, the stored first value read back (from the new kind)]
      const edges: Array<[string, object, unknown, object, (text: string | null) => boolean]> = [
        [
          's10_s100',
          { type: 'string', maxLength: 10 },
          'abc',
          { type: 'string', maxLength: 100 },
          (t) => t === 'abc',
        ],
        ['s_text', { type: 'string', maxLength: 10 }, 'abc', { type: 'string' }, (t) => t === 'abc'],
        ['i_n', { type: 'integer' }, 5, { type: 'number' }, (t) => t === '5'],
        ['i_d', { type: 'integer' }, 5, { type: 'string', format: 'singer.decimal' }, (t) => t === '5'],
        ['n_d', { type: 'number' }, 0.5, { type: 'string', format: 'singer.decimal' }, (t) => t === '0.5'],
        ['i_s', { type: 'integer' }, 5, { type: 'string' }, (t) => t === '5'],
        ['n_s', { type: 'number' }, 0.5, { type: 'string' }, (t) => t === '0.5'],
        ['b_s', { type: 'boolean' }, true, { type: 'string' }, (t) => t === 'true'],
        [
          'ts_s',
          { type: 'string', format: 'date-time' },
          '2025-01-02T03:04:05.123456Z',
          { type: 'string' },
          (t) => t !== null && utcInstant(t) === '2025-01-02T03:04:05.123456Z',
        ],
        [
          'dt_s',
          { type: 'string', format: 'date' },
          '2025-01-02',
          { type: 'string' },
          (t) => t === '2025-01-02',
        ],
        [
          'tm_s',
          { type: 'string', format: 'time' },
          '03:04:05Z',
          { type: 'string' },
          (t) => t === '03:04:05Z',
        ],
        [
          'i_j',
          { type: 'integer' },
          5,
          { type: ['integer', 'object'] },
          (t) => t !== null && JSON.parse(t) === 5,
        ],
        [
          'b_j',
          { type: 'boolean' },
          true,
          { type: ['boolean', 'object'] },
          (t) => t !== null && JSON.parse(t) === true,
        ],
        [
          's_j',
          { type: 'string', maxLength: 40 },
          'a "quoted"\ttext',
          { type: ['string', 'object'] },
          (t) => t !== null && JSON.parse(t) === 'a "quoted"\ttext',
        ],
        [
          'ts_j',
          { type: 'string', format: 'date-time' },
          '2025-01-02T03:04:05Z',
          { type: ['string', 'object'] },
          (t) => t !== null && utcInstant(JSON.parse(t) as string) === '2025-01-02T03:04:05.000000Z',
        ],
      ];
      const messages: object[] = [];
      for (const [name, from, value] of edges)
        messages.push(schema(name, { id: { type: 'integer' }, v: from }), record(name, { id: 1, v: value }));
      for (const [name, , , to] of edges)
        messages.push(schema(name, { id: { type: 'integer' }, v: to }), record(name, { id: 2 }));
      ok(await db.run(lines(...messages)));
      for (const [name, , , , check] of edges) {
        const rows = await db.rows(name, 'id');
        assert.equal(rows.length, 2, name);
        assert.ok(check(rows[0]!.v ?? null), `${name}: stored ${JSON.stringify(rows[0]!.v)}`);
        assert.equal(rows[1]!.v, null, `${name}: a missing value stays null`);
      }
    },
  },
  {
    name: 'keys of every type and combination: the last record per key wins',
    async run(db) {
      const keys: Array<[string, Record<string, object>, Array<Record<string, unknown>>]> = [
        ['k_s', { k: { type: 'string' } }, [{ k: 'a' }, { k: 'b' }]],
        ['k_i', { k: { type: 'integer' } }, [{ k: 1 }, { k: 2 }]],
        ['k_d', { k: { type: 'string', format: 'singer.decimal' } }, [{ k: '1.5' }, { k: '2.5' }]],
        [
          'k_ts',
          { k: { type: 'string', format: 'date-time' } },
          [{ k: '2025-01-01T00:00:00Z' }, { k: '2025-01-01T00:00:00.000001Z' }],
        ],
        ['k_dt', { k: { type: 'string', format: 'date' } }, [{ k: '2025-01-01' }, { k: '2025-01-02' }]],
        ['k_tm', { k: { type: 'string', format: 'time' } }, [{ k: '01:00:00Z' }, { k: '02:00:00Z' }]],
        [
          'k_ts_s',
          { k: { type: 'string', format: 'date-time' }, k2: { type: 'string' } },
          [
            { k: '2025-01-01T00:00:00Z', k2: 'a' },
            { k: '2025-01-01T00:00:00Z', k2: 'b' },
          ],
        ],
        [
          'k_s_s',
          { k: { type: 'string' }, k2: { type: 'string' } },
          [
            { k: 'x'.repeat(700), k2: 'y'.repeat(700) },
            { k: 'x', k2: 'y' },
          ],
        ],
        [
          'k_i_ts',
          { k: { type: 'integer' }, k2: { type: 'string', format: 'date-time' } },
          [
            { k: 1, k2: '2025-01-01T00:00:00+02:00' },
            { k: 1, k2: '2025-01-01T00:00:00Z' },
          ],
        ],
      ];
      const messages: object[] = [];
      for (const [name, props, values] of keys) {
        messages.push(schema(name, { ...props, v: { type: 'integer' } }, Object.keys(props)));
        for (const [i, value] of values.entries())
          messages.push(record(name, { ...value, v: i }), record(name, { ...value, v: i + 10 }));
      }
      ok(await db.run(lines(...messages), { batch_size_rows: 3 }));
      for (const [name] of keys) {
        const rows = await db.rows(name, 'v');
        assert.deepEqual(
          rows.map((r) => r.v),
          ['10', '11'],
          name,
        );
      }
    },
  },
  {
    name: 'a failed write leaves nothing of its batch visible and prints no state covering it',
    async run(db) {
      const props = { id: { type: 'integer' }, v: { type: 'string' } };
      ok(await db.run(lines(schema('fail', props))));
      await db.refuseFrom('fail', 100);
      const run = await db.run(
        lines(
          schema('fail', props),
          record('fail', { id: 1, v: 'a' }),
          record('fail', { id: 2, v: 'b' }),
          state({ at: 1 }),
          record('fail', { id: 3, v: 'c' }),
          record('fail', { id: 100, v: 'd' }),
          state({ at: 2 }),
        ),
        { batch_size_rows: 2 },
      );
      assert.ok(run.error !== undefined);
      assert.match(run.error.message, /stream "fail"/);
      // The first batch committed; of the refused one (3 and 100) nothing is visible.
      assert.deepEqual(
        (await db.rows('fail', 'id')).map((r) => r.id),
        ['1', '2'],
      );
      assert.ok(
        run.states.some((s) => JSON.stringify(s) === '{"at":1}'),
        'the state of the committed batch',
      );
      assert.ok(
        !run.states.some((s) => JSON.stringify(s) === '{"at":2}'),
        'a state covering the failed batch was printed',
      );
    },
  },
  {
    name: 'key properties changing, between runs or mid-stream, are one clear line saying what changed and what to do',
    async run(db) {
      const props = { id: { type: 'integer' }, k2: { type: 'string' } };
      ok(await db.run(lines(schema('kc', props), record('kc', { id: 1, k2: 'a' }))));
      const between = await db.run(
        lines(schema('kc', props, ['id', 'k2']), record('kc', { id: 1, k2: 'b' })),
      );
      assert.ok(between.error !== undefined);
      assert.equal(
        between.error.message,
        'stream "kc", line 1: key_properties give the key [id, k2] but table "kc" is keyed on [id]; a table\'s key is not changed in place: load the stream into a new table (another table_prefix), or drop the table and run a full sync, or use load_method append-only',
      );
      const midStream = await db.run(
        lines(
          schema('kc2', props),
          record('kc2', { id: 1, k2: 'a' }),
          schema('kc2', props, ['k2']),
          record('kc2', { id: 2, k2: 'a' }),
        ),
      );
      assert.ok(midStream.error !== undefined);
      assert.match(
        midStream.error.message,
        /^stream "kc2", line 3: key_properties changed mid-stream from \[id\] to \[k2\]; /,
      );
      assert.deepEqual(
        (await db.rows('kc2', 'id')).map((r) => r.id),
        ['1'],
        'what came before the change is committed',
      );
    },
  },
  {
    name: 'replaying a batch is idempotent',
    async run(db) {
      const props = { id: { type: 'integer' }, v: { type: 'string' } };
      const input = lines(
        schema('replay', props),
        record('replay', { id: 1, v: 'a' }),
        record('replay', { id: 2, v: 'b' }),
      );
      for (let i = 0; i < 3; i++) ok(await db.run(input));
      assert.deepEqual(
        (await db.rows('replay', 'id')).map((r) => [r.id, r.v]),
        [
          ['1', 'a'],
          ['2', 'b'],
        ],
      );
    },
  },
  {
    name: 'exact values: 64-bit integers, long decimals and nested big numbers are stored exactly; 1e400 and beyond-64-bit integers are refused',
    async run(db) {
      const props = {
        id: { type: 'integer' },
        i: { type: 'integer' },
        d: { type: ['number', 'string'], format: 'singer.decimal' },
        j: { type: 'object' },
        n: { type: 'number' },
      };
      const raw = [
        line(schema('exact', props)),
        '{"type":"RECORD","stream":"exact","record":{"id":1,"i":9007199254740993,"d":12345678901234567890.123456789,"j":{"big":123456789012345678901234567890},"n":0.1}}',
        '{"type":"RECORD","stream":"exact","record":{"id":2,"i":-9223372036854775808,"d":"0.1","n":1.5}}',
        '{"type":"RECORD","stream":"exact","record":{"id":3,"i":9223372036854775807}}',
        '{"type":"RECORD","stream":"exact","record":{"id":4,"n":1e400}}',
        '{"type":"RECORD","stream":"exact","record":{"id":5,"i":92233720368547758070}}',
        '{"type":"RECORD","stream":"exact","record":{"id":6,"n":9007199254740993}}',
      ];
      const run = await db.run(`${raw.join('\n')}\n`, {
        invalid_record_policy: 'skip',
        validate_records: false,
      });
      ok(run);
      const rows = await db.rows('exact', 'id');
      assert.deepEqual(
        rows.map((r) => [r.id, r.i, r.d, r.n]),
        [
          ['1', '9007199254740993', '12345678901234567890.123456789', '0.1'],
          ['2', '-9223372036854775808', '0.1', '1.5'],
          ['3', '9223372036854775807', null, null],
        ],
      );
      assert.match(rows[0]!.j ?? '', /"big":\s*123456789012345678901234567890\b/);
      for (const id of [4, 5, 6])
        assert.ok(
          run.logs.some((l) => l.includes(`"line":${id + 1}`) && l.includes('rejected')),
          `record ${id} rejected`,
        );
    },
  },
];

for (const harness of HARNESSES) {
  describe(`dialect contract on ${harness.name}`, () => {
    for (const contractCase of CASES) {
      test(contractCase.name, { skip: harness.unavailable ?? false }, async () => {
        const db = await harness.open();
        try {
          await contractCase.run(db);
        } finally {
          await db.close();
        }
      });
    }
  });
}
