// A value the server refuses that the dialect's row check did not foresee (the double's `refuse`
// rule: ORA-01438 for one value of one column, as a NUMBER(p, s) a DBA narrowed would): the engine
// writes the batch again in halves, applies invalid_record_policy to the refused row alone, and
// loads the rest of the batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SingerError } from '@wms-singer/singer';
import { isolateRefusedRows, MAX_REFUSED_ROWS } from '../src/batch-isolation.js';
import type { Dialect } from '../src/dialects/dialect.js';
import { engineDefaults, runInProcess } from './support/in-process.js';
import { OracleDouble } from './support/oracle-double/index.js';
import { lines, runOnDouble } from './support/oracle-double/run.js';

const schema = {
  type: 'SCHEMA',
  stream: 'lots',
  schema: { type: 'object', properties: { id: { type: 'integer' }, qty: { type: 'integer' } } },
  key_properties: ['id'],
};
const record = (id: number, qty: number) => ({ type: 'RECORD', stream: 'lots', record: { id, qty } });
/** Ten records on lines 2-11 (qty = id), qty 1000 on line 8 (id 7), then a STATE on line 12. */
const input = lines(
  schema,
  ...Array.from({ length: 10 }, (_, i) => record(i + 1, i + 1 === 7 ? 1000 : i + 1)),
  { type: 'STATE', value: { bookmarks: { lots: { id: 10 } } } },
);
const refuse = { table: 'LOTS', column: 'QTY', value: '1000' };
const ids = (db: OracleDouble, table = 'LOTS') => db.rowsOf('WMS', table).map((r) => Number(r.ID));

test('a batch of one row (batch_size_rows 1): the refused row is skipped, the rest load', async () => {
  const db = new OracleDouble({ refuse });
  const run = await runOnDouble(db, input, { invalid_record_policy: 'skip', batch_size_rows: 1 });
  assert.equal(run.error, undefined, String(run.error));
  assert.deepEqual(ids(db), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
});

test('skip: the refused row is logged with stream, line and field; the other nine rows of its batch load; the state is printed', async () => {
  const db = new OracleDouble({ refuse });
  const run = await runOnDouble(db, input, { invalid_record_policy: 'skip' });
  assert.equal(run.error, undefined, String(run.error));
  assert.deepEqual(ids(db), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
  const rejection = run.logs.find((l) => l.includes('rejected record'));
  assert.ok(rejection, run.logs.join('\n'));
  assert.match(rejection, /stream \\"lots\\", line 8: field \\"qty\\": .*ORA-01438/);
  assert.ok(
    run.stdout.some((l) => l.includes('"bookmarks"')),
    'the state covering the batch is printed',
  );
});

test('dead_letter: the refused record is kept in _sdc_rejects with its reason; the rest load', async () => {
  const db = new OracleDouble({ refuse });
  const run = await runOnDouble(db, input, { invalid_record_policy: 'dead_letter' });
  assert.equal(run.error, undefined, String(run.error));
  assert.deepEqual(ids(db), [1, 2, 3, 4, 5, 6, 8, 9, 10]);
  const rejects = db.rowsOf('WMS', '_SDC_REJECTS');
  assert.equal(rejects.length, 1);
  assert.equal(rejects[0]!.STREAM, 'lots');
  assert.equal(Number(rejects[0]!.LINE_NUMBER), 8);
  assert.match(String(rejects[0]!.REASON), /field "qty": .*ORA-01438/);
  assert.deepEqual(JSON.parse(String(rejects[0]!.RECORD)), { id: 7, qty: 1000 });
  assert.ok(run.stdout.some((l) => l.includes('"bookmarks"')));
});

test('fail: one line naming stream, line, field and the ORA code; exit 1; the rows before it are committed, no state past them', async () => {
  const db = new OracleDouble({ refuse });
  const run = await runOnDouble(db, input, { invalid_record_policy: 'fail' });
  assert.ok(run.error instanceof SingerError, String(run.error));
  assert.equal(run.error.exitCode, 1);
  assert.equal(run.error.code, 'RECORD_INVALID');
  assert.match(run.error.message, /^stream "lots", line 8: field "qty": .*ORA-01438/);
  assert.doesNotMatch(run.error.message, /\n/);
  assert.deepEqual(ids(db), [1, 2, 3, 4, 5, 6]);
  assert.ok(!run.stdout.some((l) => l.includes('"bookmarks"')), 'no state claims the batch');
});

test('overwrite: the first batch still replaces the table when one of its rows is refused', async () => {
  const db = new OracleDouble({ refuse });
  const first = await runOnDouble(db, input, { invalid_record_policy: 'skip' });
  assert.equal(first.error, undefined, String(first.error));
  const again = lines(schema, record(7, 1000), record(20, 20));
  const run = await runOnDouble(db, again, { invalid_record_policy: 'skip', load_method: 'overwrite' });
  assert.equal(run.error, undefined, String(run.error));
  assert.deepEqual(ids(db), [20]);
});

test('isolation is bounded: each refused row costs at most 2*ceil(log2 n) writes; an error not about a value fails the batch', async () => {
  const bad = new Set([3, 700, 701]);
  const writes: Array<[number, number]> = [];
  const valueError = (e: unknown) => ((e as Error).message === 'value' ? {} : undefined);
  const refused = await isolateRefusedRows(1024, new Error('value'), {
    write: async (start, end) => {
      writes.push([start, end]);
      for (let i = start; i < end; i++) if (bad.has(i)) throw new Error('value');
    },
    mode: 'append',
    later: 'append',
    valueError,
    stopAtFirst: false,
  });
  assert.deepEqual(
    refused.map((r) => r.index),
    [3, 700, 701],
  );
  assert.ok(writes.length <= 3 * 2 * 10, `${writes.length} writes`);
  const committed = writes.filter(([s, e]) => ![...bad].some((b) => b >= s && b < e));
  assert.equal(
    committed.reduce((n, [s, e]) => n + e - s, 0),
    1024 - 3,
    'every other row is written once',
  );
  await assert.rejects(
    isolateRefusedRows(8, new Error('value'), {
      write: async () => {
        throw new Error('connection lost');
      },
      mode: 'append',
      later: 'append',
      valueError,
      stopAtFirst: false,
    }),
    /connection lost/,
  );
  let attempts = 0;
  await assert.rejects(
    isolateRefusedRows(1000, new Error('value'), {
      write: async () => {
        attempts++;
        throw new Error('value');
      },
      mode: 'append',
      later: 'append',
      valueError,
      stopAtFirst: false,
    }),
    /isolation stopped/,
  );
  assert.ok(attempts < (MAX_REFUSED_ROWS + 1) * 2 * 10, `${attempts} writes for a batch refused whole`);
});

test('any dialect with valueError: the engine slices a batch of cell arrays itself (no sliceBatch, no row buffer)', async () => {
  const stored: unknown[][] = [];
  let writes = 0;
  const dialect: Dialect = {
    name: 'memory',
    maxIdentifierLength: 30,
    open: async () => undefined,
    close: async () => undefined,
    describeTable: async () => undefined,
    createTable: async () => undefined,
    addColumns: async () => undefined,
    alterColumns: async () => undefined,
    retireVersions: async () => 0,
    writeBatch: async (_table, batch) => {
      writes++;
      const qty = batch.columns.indexOf('qty');
      if (batch.rows.some((row) => row[qty] === 1000)) throw new Error('qty: too many digits');
      stored.push(...batch.rows);
    },
    valueError: (error) => ((error as Error).message.startsWith('qty:') ? { column: 'qty' } : undefined),
  };
  const config = { ...engineDefaults, invalid_record_policy: 'skip' as const };
  const run = await runInProcess(config, () => dialect, input);
  assert.equal(run.error, undefined, String(run.error));
  const id = 0; // columns in schema order: id, qty
  assert.deepEqual(
    stored.map((row) => row[id]),
    [1, 2, 3, 4, 5, 6, 8, 9, 10],
  );
  assert.ok(writes <= 1 + 2 * 4, `${writes} writes`);
  assert.ok(run.logs.some((l) => /line 8: field \\"qty\\": qty: too many digits/.test(l)));
});
