// The two row buffers a sink can fill: the engine's cell arrays and the SQLite dialect's JSON
// block, which moves to the worker thread. Both must hand over exactly the rows kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CellValue, RowBuffer } from '../src/dialects/dialect.js';
import {
  BlockPool,
  type EncodedRows,
  encodeRows,
  JsonRowBuffer,
  MAX_BATCH_BYTES,
  RowReader,
} from '../src/dialects/sqlite/sqlite-row-buffer.js';
import { ArrayRowBuffer } from '../src/records/row-buffer.js';

const columns = ['id', 'name', 'qty', 'flag', 'at'];

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
    kind === 'array' ? new ArrayRowBuffer(columns) : new JsonRowBuffer(columns, new BlockPool());

  describe(`${kind} row buffer`, () => {
    test('keeps rows in order, drops replaced ones, fills the batch column, starts empty again', () => {
      const buffer = make();
      const first = buffer.add([1, 'a', '1.50', true, null]);
      buffer.add([2, 'b', null, false, null]);
      buffer.drop(first);
      buffer.drop(first); // twice is harmless
      buffer.add([1, 'a2', '2.50', null, null]);
      assert.equal(buffer.count, 2);
      assert.deepEqual(rowsOf(buffer, kind, { index: 4, value: '2026-11-25T00:00:00.000Z' }), [
        [2, 'b', null, false, '2026-11-25T00:00:00.000Z'],
        [1, 'a2', '2.50', null, '2026-11-25T00:00:00.000Z'],
      ]);
      assert.equal(buffer.count, 0);
      buffer.add([3, 'c', null, null, null]);
      assert.deepEqual(rowsOf(buffer, kind), [[3, 'c', null, null, null]]);
    });

    test('text of any kind comes back unchanged', () => {
      const buffer = make();
      const strange: CellValue[][] = [
        [1, 'naïve café ✓ 😀 中文', '-0.000001', true, '"quoted", \\ back\\slash\n\ttab'],
        [2, 'lone \ud800 surrogate', '12345678901234567890.123456789', false, '\u0000nul'],
        [3, '', '0', null, '{"id":1,"key":"K","url":"u"}'],
      ];
      for (const row of strange) buffer.add(row);
      assert.deepEqual(rowsOf(buffer, kind), strange);
    });
  });
}

describe('JSON row buffer', () => {
  test('grows past its first block and asks for a flush at its byte limit', () => {
    const buffer = new JsonRowBuffer(columns, new BlockPool());
    const wide = 'x'.repeat(100_000);
    let added = 0;
    while (!buffer.full) {
      buffer.add([added, wide, null, null, null]);
      added++;
    }
    assert.equal(added, Math.ceil(MAX_BATCH_BYTES / 100_016));
    const rows = rowsOf(buffer, 'json');
    assert.equal(rows.length, added);
    assert.deepEqual(rows[added - 1], [added - 1, wide, null, null, null]);
  });

  test('a written block goes back to the pool and is reused', () => {
    const pool = new BlockPool();
    const buffer = new JsonRowBuffer(columns, pool);
    buffer.add([1, 'a', null, null, null]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    pool.release(encoded.bytes);
    const again = new JsonRowBuffer(columns, pool);
    again.add([2, 'b', null, null, null]);
    assert.equal((again.take(undefined).encoded as EncodedRows).bytes, encoded.bytes);
  });

  test('cell arrays handed to the dialect directly are encoded the same way', () => {
    const rows: CellValue[][] = [
      [1, 'a', '1', true, null],
      [2, 'b', null, false, 'x'],
    ];
    const batch = encodeRows({ columns, rows }, new BlockPool());
    assert.deepEqual(batch.rows, []);
    assert.equal((batch.encoded as EncodedRows).count, 2);
    assert.deepEqual(decodeRows(batch.encoded as EncodedRows), rows);
  });
});
