import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from '@wms-singer/singer';
import { instantMicros } from '../src/streams/bookmarks.js';
import { RecordText } from '../src/streams/record-text.js';
import { extractWindows, type WindowWalker } from '../src/streams/windows.js';

const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;
const T0 = Date.UTC(2025, 0, 1) * 1000;
const at = (micros: number): string =>
  `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}+00:00`;

interface Row {
  id: number;
  micros: number;
}

/**
 * An in-memory list served page by page in (mod_ts, id) order, as windows.ts sees the stream's
 * walk; `shuffleAfter` pages into a walk, the pages come in id order instead (a WMS dropping the ordering).
 */
function fakeWalker(rows: Row[], pageSize: number, shuffleAfter = Number.POSITIVE_INFINITY) {
  const written: number[] = [];
  const walker: WindowWalker = {
    name: 'fake',
    async walkWindow(bounds, cut, afterPage) {
      const lower =
        bounds.mod_ts__gte === undefined ? Number.NEGATIVE_INFINITY : instantMicros(bounds.mod_ts__gte);
      const upper = instantMicros(bounds.mod_ts__lt!);
      const inRange = rows.filter((r) => r.micros >= lower && r.micros < upper);
      // Key order for `shuffleAfter` pages; then, as the tap's walk does on a page out of order,
      // the window's whole range again by id.
      const byKey = inRange.slice(0, shuffleAfter * pageSize);
      const pages: Array<{ rows: Row[]; ordered: boolean }> = [];
      for (let i = 0; i < byKey.length; i += pageSize)
        pages.push({ rows: byKey.slice(i, i + pageSize), ordered: true });
      if (byKey.length < inRange.length && shuffleAfter !== Number.POSITIVE_INFINITY) {
        const byId = [...inRange].sort((a, b) => a.id - b.id);
        for (let i = 0; i < byId.length; i += pageSize)
          pages.push({ rows: byId.slice(i, i + pageSize), ordered: false });
      } else if (byKey.length < inRange.length) {
        for (let i = byKey.length; i < inRange.length; i += pageSize)
          pages.push({ rows: inRange.slice(i, i + pageSize), ordered: true });
      }
      for (const page of pages) {
        await new Promise((resolve) => setImmediate(resolve));
        let records = page.rows.map((r) => JSON.stringify({ id: r.id, mod_ts: at(r.micros) }));
        const full = records.length === pageSize;
        const keep = cut(records, page.ordered);
        if (keep !== undefined) records = records.slice(0, keep);
        for (const record of records) written.push((JSON.parse(record) as { id: number }).id);
        afterPage(records, page.ordered, full);
        if (keep !== undefined) return;
      }
    },
    async lastRow(bounds) {
      const upper = instantMicros(bounds.mod_ts__lt!);
      const last = rows.filter((r) => r.micros < upper).at(-1);
      return last === undefined ? undefined : { id: last.id, key: at(last.micros) };
    },
  };
  return { walker, written };
}

/** Rows in (mod_ts, id) order with ids shuffled against time, some instants shared, one dense stretch. */
function makeRows(count: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const dense = i > count / 2 && i < (count * 3) / 4;
    const micros = T0 + (dense ? 40_000_000_000 + i * 1_000 : i * 37_000_123) - (i % 7 === 0 ? 1 : 0);
    rows.push({ id: ((i * 7919) % count) + 1, micros: i % 11 === 0 && i > 0 ? rows[i - 1]!.micros : micros });
  }
  return rows.sort((a, b) => a.micros - b.micros || a.id - b.id);
}

async function run(rows: Row[], shuffleAfter?: number) {
  const { walker, written } = fakeWalker(rows, 25, shuffleAfter);
  const advances: Array<{ bookmark: number; writtenSoFar: Set<number> }> = [];
  const count = await extractWindows(walker, {
    key: 'mod_ts',
    keyText: new RecordText('mod_ts'),
    lower: undefined,
    upper: T0 + 400_000_000_000,
    lanes: 4,
    pageSize: 25,
    logger: quiet,
    advance: (text) => advances.push({ bookmark: instantMicros(text), writtenSoFar: new Set(written) }),
  });
  return { written, advances, count };
}

describe('windows.ts over an in-memory walk', () => {
  const rows = makeRows(2000);

  test('every row once, and no bookmark passes a row not yet written', async () => {
    const { written, advances, count } = await run(rows);
    assert.equal(count, rows.length);
    assert.deepEqual(
      [...written].sort((a, b) => a - b),
      rows.map((r) => r.id).sort((a, b) => a - b),
    );
    assert.ok(advances.length > 3);
    for (const { bookmark, writtenSoFar } of advances)
      assert.deepEqual(
        rows.filter((r) => r.micros < bookmark && !writtenSoFar.has(r.id)).map((r) => r.id),
        [],
      );
    assert.equal(advances.at(-1)!.bookmark, rows.at(-1)!.micros);
  });

  test('walks that stop keeping key order: no row lost, bookmarks only at the end', async () => {
    const { written, advances } = await run(rows, 3);
    assert.deepEqual(
      [...new Set(written)].sort((a, b) => a - b),
      rows.map((r) => r.id).sort((a, b) => a - b),
    );
    for (const { bookmark, writtenSoFar } of advances)
      assert.deepEqual(
        rows.filter((r) => r.micros < bookmark && !writtenSoFar.has(r.id)).map((r) => r.id),
        [],
      );
  });
});
