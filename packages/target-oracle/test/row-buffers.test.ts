// The two row buffers a sink can fill: the engine's cell arrays and the SQLite dialect's rows as
// text in a byte block, which moves to the worker thread. Both must hand over exactly the rows
// kept (the SQLite one with booleans as 1 and 0, as SQLite stores them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CellValue, RowBuffer, TableSpec } from '../src/dialects/dialect.js';
import {
  BlockPool,
  type EncodedRows,
  encodeRows,
  integerKeyIndexOf,
  MAX_BATCH_BYTES,
  numericColumnsOf,
  RowReader,
  TextRowBuffer,
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
const numeric = numericColumnsOf(table, columns);

/** Every row of an encoded batch, as the SQLite worker reads them. */
function decodeRows(encoded: EncodedRows): CellValue[][] {
  const reader = new RowReader(encoded);
  const rows: CellValue[][] = [];
  for (let row = reader.next(); row !== undefined; row = reader.next()) rows.push(row);
  return rows;
}

function rowsOf(buffer: RowBuffer, kind: 'array' | 'text', fill?: { index: number; value: string }) {
  const batch = buffer.take(fill);
  assert.deepEqual(batch.columns, columns);
  return kind === 'array' ? batch.rows : decodeRows(batch.encoded as EncodedRows);
}

/** What each buffer hands over for `rows`: the text buffer's rows are ready to bind. */
function expected(kind: 'array' | 'text', rows: CellValue[][]): CellValue[][] {
  if (kind === 'array') return rows;
  return rows.map((row) => row.map((cell) => (typeof cell === 'boolean' ? Number(cell) : cell)));
}

for (const kind of ['array', 'text'] as const) {
  const make = (): RowBuffer =>
    kind === 'array' ? new ArrayRowBuffer(columns) : new TextRowBuffer(columns, numeric, new BlockPool());

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
      assert.deepEqual(
        rowsOf(buffer, kind, { index: 4, value: at }),
        expected(kind, [
          [2, 'b', null, null, at, false],
          [1, 'a2', '2.50', '[]', at, null],
        ]),
      );
      assert.equal(buffer.count, 0);
      buffer.add([3, 'c', null, null, null, null]);
      assert.deepEqual(rowsOf(buffer, kind), [[3, 'c', null, null, null, null]]);
    });

    test('text of any kind comes back unchanged', () => {
      const buffer = make();
      const doc = JSON.stringify({
        s: 'tab\there\nnew line "quoted" \\',
        u: 'naïve 😀 \ud800 \u001f',
        n: [1, 2.5, null],
      });
      const strange: CellValue[][] = [
        [1, 'naïve café ✓ 😀 中文 "quoted", \\ back\\slash\n\ttab', '-0.000001', doc, null, true],
        [
          2,
          '\u0000nul, \u0001one, \u001dgs, \u001fus',
          '12345678901234567890.123456789',
          '"just a string"',
          null,
          false,
        ],
        [3, '', '0', '{}', '2026-01-02T03:04:05.123456+02:00', null],
      ];
      for (const row of strange) buffer.add([...row]);
      assert.deepEqual(rowsOf(buffer, kind), expected(kind, strange));
    });
  });
}

describe('text row buffer', () => {
  const text = (encoded: EncodedRows): string => Buffer.from(encoded.bytes, 0, encoded.length).toString();

  test('a row is its cells joined by U+001F, booleans as 1 and 0, null as nothing', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    buffer.add([7, 'x', '1.50', '{"id":3,"key":"K"}', null, true]);
    buffer.add([8, 'y', null, null, null, false]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    assert.deepEqual([...encoded.numeric], [1, 0, 0, 0, 0, 1]);
    assert.deepEqual([...encoded.starts], [0, 30]);
    assert.equal(
      text(encoded),
      '7\u001fx\u001f1.50\u001f{"id":3,"key":"K"}\u001f\u001f18\u001fy\u001f\u001f\u001f\u001f0',
    );
  });

  test('cells that could be read as something else are marked, and come back as they were', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    const rows: CellValue[][] = [
      // empty text, text starting with the markers, a string in a numeric column, numbers in text columns
      ['12', '', '\u0001', '\u0002x', 3.5, '007'],
      [-0.5, '\u001dstart', '\u0000', 1e21, 'text', 'true'],
      [Number.MAX_SAFE_INTEGER, 'line\nbreak\r\n', 0.1 + 0.2, '', '\t', 2.5],
      ['\u001dfirst', 'a', 'b', 'c', 'd', null],
    ];
    for (const row of rows) buffer.add([...row]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    assert.deepEqual(decodeRows(encoded), rows);
    assert.ok(!text(encoded).includes('\u001d['), 'no row needed JSON');
  });

  test('a row with U+001F inside a cell travels as JSON', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    const rows: CellValue[][] = [
      [1, 'unit\u001fseparator', '1.0', '{"a":"\\u001f"}', null, true],
      [2, 'plain', null, null, '\u0001x', null],
    ];
    for (const row of rows) buffer.add([...row]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    assert.equal(encoded.bytes.byteLength > 0 && Buffer.from(encoded.bytes)[0], 0x1d);
    assert.deepEqual(decodeRows(encoded), expected('text', rows));
  });

  test('a plain row (the scanner saw no escape) is encoded as any other row', () => {
    const rows: CellValue[][] = [
      [1, 'plain', '1.0', '{"id":1}', '', true],
      [2, 'x', null, null, 'y', false],
    ];
    const looked = new TextRowBuffer(columns, numeric, new BlockPool());
    const trusted = new TextRowBuffer(columns, numeric, new BlockPool());
    for (const row of rows) {
      looked.add([...row]);
      trusted.add([...row], true);
    }
    const a = looked.take(undefined).encoded as EncodedRows;
    const b = trusted.take(undefined).encoded as EncodedRows;
    assert.equal(text(b), text(a));
    assert.deepEqual(decodeRows(b), expected('text', rows));
  });

  test('a lone surrogate becomes U+FFFD, as SQLite stores text in UTF-8', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    buffer.add([1, 'lone \ud800 surrogate', null, '"\\ud800"', null, null]);
    assert.deepEqual(decodeRows(buffer.take(undefined).encoded as EncodedRows), [
      [1, 'lone \ufffd surrogate', null, '"\\ud800"', null, null],
    ]);
  });

  test('dropped rows are skipped wherever they are, empty rows included', () => {
    const one: TableSpec = { ...table, columns: [{ name: 'n', type: { kind: 'integer' }, nullable: true }] };
    const buffer = new TextRowBuffer(['n'], numericColumnsOf(one, ['n']), new BlockPool());
    const handles = [null, 1, null, 2, null, 3].map((n) => buffer.add([n]));
    buffer.drop(handles[0]!);
    buffer.drop(handles[3]!);
    buffer.drop(handles[5]!);
    buffer.drop(handles[5]!); // twice is harmless
    assert.equal(buffer.count, 3);
    assert.deepEqual(decodeRows(buffer.take(undefined).encoded as EncodedRows), [[1], [null], [null]]);
  });

  test('random rows of every kind come back as they were', () => {
    const pieces = [
      'a',
      'é',
      '😀',
      '\n',
      '\t',
      '"',
      '\\',
      ' ',
      '0',
      '-',
      '.',
      '\u0000',
      '\u0001',
      '\u0002',
      '\u001d',
      '\u001f',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const string = (): string =>
      Array.from({ length: random(6) }, () => pieces[random(pieces.length)]).join('');
    const cell = (): CellValue => {
      switch (random(6)) {
        case 0:
          return null;
        case 1:
          return random(2) === 0;
        case 2:
          return (random(2000001) - 1000000) / 8;
        default:
          return string();
      }
    };
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    const rows = Array.from({ length: 2000 }, () => columns.map(cell));
    for (const row of rows) buffer.add([...row]);
    assert.deepEqual(decodeRows(buffer.take(undefined).encoded as EncodedRows), expected('text', rows));
  });

  test('grows past its first block and asks for a flush at its byte limit', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool());
    const wide = 'x'.repeat(100_000);
    let added = 0;
    while (!buffer.full) {
      buffer.add([added, wide, null, null, null, null]);
      added++;
    }
    let bytes = 0;
    let rowsToLimit = 0;
    for (; bytes < MAX_BATCH_BYTES; rowsToLimit++) bytes += String(rowsToLimit).length + 5 + wide.length;
    assert.equal(added, rowsToLimit);
    const rows = rowsOf(buffer, 'text');
    assert.equal(rows.length, added);
    assert.deepEqual(rows[added - 1], [added - 1, wide, null, null, null, null]);
  });

  test('a written block goes back to the pool and is reused', () => {
    const pool = new BlockPool();
    const buffer = new TextRowBuffer(columns, numeric, pool);
    buffer.add([1, 'a', null, null, null, null]);
    const encoded = buffer.take(undefined).encoded as EncodedRows;
    pool.release(encoded.bytes);
    const again = new TextRowBuffer(columns, numeric, pool);
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
    assert.deepEqual(decodeRows(batch.encoded as EncodedRows), expected('text', rows));
  });
});

describe('text row buffer of a table keyed by one integer column', () => {
  test('the worker reads the rows in key order, dropped rows left out; any other key keeps arrival order', () => {
    const buffer = new TextRowBuffer(columns, numeric, new BlockPool(), integerKeyIndexOf(table, columns));
    const row = (id: number, name: string): CellValue[] => [id, name, null, null, null, null];
    const handles = [row(30, 'c'), row(10, 'a'), row(40, 'x'), row(20, 'b')].map((r) => buffer.add(r));
    buffer.drop(handles[2]!);
    buffer.add(row(40, 'd'));
    const batch = buffer.take(undefined).encoded as EncodedRows;
    assert.deepEqual(Array.from(batch.order ?? []), [1, 3, 0, 4]);
    assert.deepEqual(
      decodeRows(batch).map((r) => [r[0], r[1]]),
      [
        [10, 'a'],
        [20, 'b'],
        [30, 'c'],
        [40, 'd'],
      ],
    );
    const text = {
      ...table,
      columns: table.columns.map((c) => (c.name === 'id' ? { ...c, type: { kind: 'string' as const } } : c)),
    };
    assert.equal(integerKeyIndexOf(text, columns), -1);
    assert.equal(integerKeyIndexOf({ ...table, primaryKey: ['id', 'name'] }, columns), -1);
    // A key beyond 2^53 arrives as its exact text: that batch is read as it arrived.
    const exact = new TextRowBuffer(columns, numeric, new BlockPool(), 0);
    exact.add(row(5, 'later'));
    exact.add(['9007199254740993', 'big', null, null, null, null]);
    exact.add(row(1, 'first'));
    const unordered = exact.take(undefined).encoded as EncodedRows;
    assert.equal(unordered.order, undefined);
    assert.deepEqual(
      decodeRows(unordered).map((r) => r[1]),
      ['later', 'big', 'first'],
    );
  });
});
