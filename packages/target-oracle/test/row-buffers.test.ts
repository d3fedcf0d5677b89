// The two row buffers a sink can fill: the engine's cell arrays and the SQLite dialect's JSON
// lines in a byte block, which moves to the worker thread. Both must hand over exactly the
// rows kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CellValue, RowBuffer, TableSpec } from '../src/dialects/dialect.js';
import {
  BlockPool,
  type EncodedRows,
  encodeRows,
  JsonRowBuffer,
  jsonColumnsOf,
  MAX_BATCH_BYTES,
  RowReader,
} from '../src/dialects/sqlite/sqlite-row-buffer.js';
import { ArrayRowBuffer } from '../src/records/row-buffer.js';

const table: TableSpec = {
  name: 't',
  columns: [
    { name: 'id', type: { kind: 'integer' }, nullable: false },
    { name: 'name', type: { kind: 'string' }, nullable: true },
    { name: 'qty', type: { kind: 'decimal' }, nullable: true },
    { name: 'doc', type: { kind: 'json' }, nullable: true },
    { name: 'at', type: { kind: 'datetime' }, nullable: true },
    { name: 'flag', type: { kind: 'boolean' }, nullable: true },
  ],
  primaryKey: ['id'],
  indexes: [],
};
const columns = table.columns.map((c) => c.name);
const json = jsonColumnsOf(table, columns);

/** Every row of an encoded batch, as the SQLite worker reads them. */
function decodeRows(encoded: EncodedRows): CellValue[][] {
  const reader = new RowReader(encoded);
  const rows: CellValue[][] = [];
  for (let row = reader.next(); row !== undefined; row = reader.next()) rows.push(row);
  return rows;
}

function rowsOf(buffer: RowBuffer, kind: 'array' | 'json', fill?: { index: number; value: string }) {
  const batch = buffer.take(fill);
  assert.deepEqual(batch.columns, columns);
  return kind === 'array' ? batch.rows : decodeRows(batch.encoded as EncodedRows);
}

for (const kind of ['array', 'json'] as const) {
  const make = (): RowBuffer =>
    kind === 'array' ? new ArrayRowBuffer(columns) : new JsonRowBuffer(columns, json, new BlockPool());

  describe(`${kind} row buffer`, () => {
    test('keeps rows in order, drops replaced ones, fills the batch column, starts empty again', () => {
      const buffer = make();
      const first = buffer.add([1, 'a', '1.50', '{"k":1}', null, true]);
      buffer.add([2, 'b', null, null, null, false]);
      buffer.drop(first);
      buffer.drop(first); // twice is harmless
      buffer.add([1, 'a2', '2.50', '[]', null, null]);
      assert.equal(buffer.count, 2);
      const at = '2026-11-25T00:00:00.000Z';
      assert.deepEqual(rowsOf(buffer, kind, { index: 4, value: at }), [
        [2, 'b', null, null, at, false],
        [1, 'a2', '2.50', '[]', at, null],
      ]);
      assert.equal(buffer.count, 0);
      buffer.add([3, 'c', null, null, null, null]);
      assert.deepEqual(rowsOf(buffer, kind), [[3, 'c', null, null, null, null]]);
    });

    test('text of any kind comes back unchanged', () => {
      const buffer = make();
      const doc = JSON.stringify({
        s: 'tab\there\nnew line "quoted" \\',
        u: 'naïve 😀 \ud800',
        n: [1, 2.5, null],
      });
      const strange: CellValue[][] = [
        [1, 'naïve café ✓ 😀 中文 "quoted", \\ back\\slash\n\ttab', '-0.000001', doc, null, true],
        [
          2,
          'lone \ud800 surrogate \u0000nul',
          '12345678901234567890.123456789',
          '"just a string"',
          null,
          false,
        ],
        [3, '', '0', '{}', '2026-01-02T03:04:05.123456+02:00', null],
      ];
      for (const row of strange) buffer.add([...row]);
      assert.deepEqual(rowsOf(buffer, kind), strange);
    });
  });
}

describe('JSON row buffer', () => {
  test('JSON columns travel as their text after the array, not escaped inside it', () => {
    const buffer = new JsonRowBuffer(columns, json, new BlockPool());
    buffer.add([7, 'x', null, '{"id":3,"key":"K"}', null, null]);
    buffer.add([8, 'y', null, null, null, null]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    assert.deepEqual(encoded.jsonColumns, [3]);
    assert.equal(
      Buffer.from(encoded.bytes, 0, encoded.length).toString(),
      '[7,"x",null,null,null,null]\t{"id":3,"key":"K"}\n[8,"y",null,null,null,null]\t\n',
    );
  });

  test('grows past its first block and asks for a flush at its byte limit', () => {
    const buffer = new JsonRowBuffer(columns, json, new BlockPool());
    const wide = 'x'.repeat(100_000);
    let added = 0;
    while (!buffer.full) {
      buffer.add([added, wide, null, null, null, null]);
      added++;
    }
    assert.equal(added, Math.ceil(MAX_BATCH_BYTES / 100_031));
    const rows = rowsOf(buffer, 'json');
    assert.equal(rows.length, added);
    assert.deepEqual(rows[added - 1], [added - 1, wide, null, null, null, null]);
  });

  test('a written block goes back to the pool and is reused', () => {
    const pool = new BlockPool();
    const buffer = new JsonRowBuffer(columns, json, pool);
    buffer.add([1, 'a', null, null, null, null]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    pool.release(encoded.bytes);
    const again = new JsonRowBuffer(columns, json, pool);
    again.add([2, 'b', null, null, null, null]);
    assert.equal((again.take(undefined).encoded as EncodedRows).bytes, encoded.bytes);
  });

  test('cell arrays handed to the dialect directly are encoded the same way', () => {
    const rows: CellValue[][] = [
      [1, 'a', '1', '{"a":[1]}', null, true],
      [2, 'b', null, null, 'x', false],
    ];
    const batch = encodeRows(table, { columns, rows: rows.map((row) => [...row]) }, new BlockPool());
    assert.deepEqual(batch.rows, []);
    assert.equal((batch.encoded as EncodedRows).count, 2);
    assert.deepEqual(decodeRows(batch.encoded as EncodedRows), rows);
  });
});
