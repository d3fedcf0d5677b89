// The SQLite writer with its checkpoint thread: the WAL stays bounded however long the load,
// closing leaves every row in the database file and no WAL, and a checkpoint thread that
// fails hands checkpointing back to the writer instead of letting the WAL grow.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CellValue, TableSpec } from '../src/dialects/dialect.js';
import { Checkpointer } from '../src/dialects/sqlite/sqlite-checkpointer.js';
import { SqliteDatabase } from '../src/dialects/sqlite/sqlite-database.js';
import {
  BlockPool,
  type EncodedRows,
  encodeRows,
  RowReader,
} from '../src/dialects/sqlite/sqlite-row-buffer.js';
import { openDatabase, query } from './support/target-run.js';

const table: TableSpec = {
  name: 'lines',
  columns: [
    { name: 'id', type: { kind: 'integer' }, nullable: false },
    { name: 'body', type: { kind: 'string' }, nullable: true },
  ],
  primaryKey: ['id'],
  indexes: [],
};
const pool = new BlockPool();

function batch(from: number, count: number): RowReader {
  const rows: CellValue[][] = [];
  for (let id = from; id < from + count; id++) rows.push([id, `${id} `.padEnd(1000, 'x')]);
  return new RowReader(encodeRows(table, { columns: ['id', 'body'], rows }, pool).encoded as EncodedRows);
}

const walSize = (path: string): number => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

describe('SQLite checkpoint thread', () => {
  test('the WAL stays near its limit however much is written, and close leaves none', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ckpt-')), 'load.db');
    const limit = 1024 * 1024;
    const database = new SqliteDatabase(path, limit);
    database.createTable(table);
    let largest = 0;
    // 40 batches of about 0.25 MB each: 10 MB through a WAL limited to 1 MB.
    for (let b = 0; b < 40; b++) {
      database.writeBatch(table, ['id', 'body'], batch(b * 250, 250), 'upsert');
      largest = Math.max(largest, walSize(path));
    }
    database.close();
    assert.ok(largest > 0, 'the load went through the WAL');
    assert.ok(largest < 3 * limit, `WAL grew to ${largest} bytes with a limit of ${limit}`);
    assert.equal(existsSync(`${path}-wal`), false);
    const check = openDatabase(path);
    assert.deepEqual(query(check, 'SELECT count(*) AS n, max(id) AS top FROM lines')[0], {
      n: 10_000,
      top: 9_999,
    });
    check.close();
  });

  test('a checkpoint thread that cannot open the database says so, and nobody waits for it', async () => {
    const checkpointer = new Checkpointer(join(tmpdir(), 'no-such-directory', 'x', 'load.db'));
    for (let i = 0; i < 100 && !checkpointer.failed; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(checkpointer.failed, true);
    checkpointer.request();
    const started = Date.now();
    checkpointer.catchUp();
    assert.ok(Date.now() - started < 1000, 'catchUp returned at once');
    checkpointer.stop();
  });
});
