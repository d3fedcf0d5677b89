// The late-rows catch-up's parts without HTTP: the invertible Bloom lookup table, and the
// catch-up against an in-memory WMS whose changes are chosen to defeat counts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from '@wms-singer/singer';
import { instantMicros } from '../src/streams/bookmarks.js';
import { Iblt, type KeyOf } from '../src/streams/iblt.js';
import {
  LateRowsCatchUp,
  type LateRowsHost,
  type LateRowsState,
  readLateRows,
} from '../src/streams/late-rows.js';
import type { RowKey } from '../src/streams/row-keys.js';

const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;
const HOUR = 3_600_000_000;
const keyText = (k: KeyOf): string => `${k.id}/${k.offset}`;
const sorted = (keys: KeyOf[]): string[] => keys.map(keyText).sort();

describe('invertible Bloom lookup table', () => {
  test('the difference of two sets peels back into exactly the keys on each side', () => {
    const before: KeyOf[] = Array.from({ length: 300 }, (_, i) => ({ id: i * 7 + 1, offset: i * 1000 }));
    const gone = before.slice(0, 6);
    const came: KeyOf[] = [
      { id: 5000, offset: 12 },
      { id: 2 ** 48 - 1, offset: HOUR - 1 },
      // The same id at a later instant (an update within the hour) is a new key.
      { id: before[10]!.id, offset: before[10]!.offset + 1 },
    ];
    const after = [...before.slice(6), ...came];
    const kept = Iblt.of(before, before.length, 24);
    const decoded = Iblt.decode(kept.encode())!;
    assert.equal(decoded.encode(), kept.encode(), 'the text round-trips');
    const difference = Iblt.of(after, after.length, 24).minus(decoded).peel();
    assert.ok(difference !== undefined);
    assert.deepEqual(sorted(difference.added), sorted(came));
    assert.deepEqual(sorted(difference.removed), sorted(gone));
  });

  test('a difference larger than the table is reported as not peelable, never as a partial answer', () => {
    const a: KeyOf[] = Array.from({ length: 60 }, (_, i) => ({ id: i, offset: 0 }));
    const b: KeyOf[] = Array.from({ length: 60 }, (_, i) => ({ id: 1000 + i, offset: 0 }));
    assert.equal(
      Iblt.of(a, 60, 12)
        .minus(Iblt.of(b, 60, 12))
        .peel(),
      undefined,
    );
  });

  test('a difference too large to peel still gives every arrival, among keys it cannot rule out', () => {
    const before: KeyOf[] = Array.from({ length: 3000 }, (_, i) => ({ id: 10_000 + i, offset: 0 }));
    const removed = new Set(
      before
        .filter((_, i) => i % 97 === 3)
        .slice(0, 20)
        .map((key) => key.id),
    );
    const came: KeyOf[] = Array.from({ length: 4 }, (_, i) => ({ id: 50_000 + i * 13, offset: 0 }));
    const now = [...before.filter((key) => !removed.has(key.id)), ...came];
    const difference = Iblt.of(now, now.length, 24).minus(Iblt.of(before, before.length, 24));
    assert.equal(
      difference.peel(),
      undefined,
      `${removed.size + came.length} keys differ: too many for 24 cells`,
    );
    const found = difference.arrivals(now);
    assert.equal(found.exact, false);
    const ids = new Set(found.keys.map((key) => key.id));
    for (const key of came) assert.ok(ids.has(key.id), `arrival ${key.id} kept`);
    assert.ok(
      found.keys.length < now.length * 0.75,
      `${found.keys.length} of ${now.length} keys not ruled out`,
    );
    // A difference that peels gives the arrivals alone.
    const small = Iblt.of(now, now.length, 48)
      .minus(Iblt.of(before, before.length, 48))
      .arrivals(now);
    assert.deepEqual(small, { keys: came, exact: true });
  });

  test('tables of disjoint sets add up to the table of their union', () => {
    const a: KeyOf[] = [1, 2, 3].map((id) => ({ id, offset: 0 }));
    const b: KeyOf[] = [10, 11].map((id) => ({ id, offset: 0 }));
    assert.equal(
      Iblt.of(a, 3, 24)
        .plus(Iblt.of(b, 2, 24))
        .encode(),
      Iblt.of([...a, ...b], 5, 24).encode(),
    );
  });

  test('text that is not a table does not decode', () => {
    assert.equal(Iblt.decode('not base64!'), undefined);
    assert.equal(Iblt.decode(Buffer.alloc(17).toString('base64')), undefined);
  });
});

interface Row {
  id: number;
  micros: number;
  visible: boolean;
}

/** A WMS in memory: rows with an id and a mod_ts, some not visible yet; the filters the catch-up sends. */
class FakeWms implements LateRowsHost {
  readonly name = 'order_dtl';
  readonly rows = new Map<number, Row>();
  /** What the target holds: id -> mod_ts loaded. */
  readonly target = new Map<number, number>();
  readonly requests: Array<Record<string, string>> = [];
  /** The id ranges listed (their id__gte). */
  readonly listedRanges: number[] = [];

  put(id: number, micros: number, visible = true): void {
    this.rows.set(id, { id, micros, visible });
  }

  private matching(bounds: Record<string, string>): Row[] {
    this.requests.push(bounds);
    const ids = bounds.id__in?.split(',').map(Number);
    return [...this.rows.values()]
      .filter(
        (row) =>
          row.visible &&
          (bounds.mod_ts__gte === undefined || row.micros >= instantMicros(bounds.mod_ts__gte)) &&
          (bounds.mod_ts__lt === undefined || row.micros < instantMicros(bounds.mod_ts__lt)) &&
          (bounds.id__gte === undefined || row.id >= Number(bounds.id__gte)) &&
          (bounds.id__lt === undefined || row.id < Number(bounds.id__lt)) &&
          (ids === undefined || ids.includes(row.id)),
      )
      .sort((a, b) => a.micros - b.micros || a.id - b.id);
  }

  async countRows(bounds: Record<string, string>): Promise<number> {
    return this.matching(bounds).length;
  }

  async listKeys(bounds: Record<string, string>, byId: boolean): Promise<RowKey[]> {
    if (byId) this.listedRanges.push(Number(bounds.id__gte));
    return this.matching(bounds).map((row) => ({ id: row.id, micros: byId ? 0 : row.micros }));
  }

  async reread(bounds: Record<string, string>, onKeys: (keys: readonly RowKey[]) => void): Promise<number> {
    const rows = this.matching(bounds);
    for (const row of rows) this.target.set(row.id, row.micros);
    onKeys(rows.map((row) => ({ id: row.id, micros: row.micros })));
    return rows.length;
  }

  /** One incremental run as stream.ts makes it: catch-up, walk from the bookmark, state. */
  async run(
    state: { bookmark?: number; late?: unknown },
    upper: number,
  ): Promise<{ bookmark: number; late: LateRowsState; catchUp: LateRowsCatchUp }> {
    const previous = readLateRows(state.late);
    const catchUp = new LateRowsCatchUp(this, 'mod_ts', 24, quiet, false, undefined, previous);
    const lower = state.bookmark ?? Number.NEGATIVE_INFINITY;
    if (state.bookmark !== undefined) await catchUp.before(previous, state.bookmark, lower, upper, {});
    let bookmark = state.bookmark ?? Number.NEGATIVE_INFINITY;
    const walked = [...this.rows.values()]
      .filter((row) => row.visible && row.micros >= lower && row.micros < upper)
      .sort((a, b) => a.micros - b.micros);
    for (const row of walked) {
      this.target.set(row.id, row.micros);
      bookmark = Math.max(bookmark, row.micros);
    }
    catchUp.countRead(walked.map((row) => ({ id: row.id, micros: row.micros })));
    return { bookmark, late: catchUp.finish(bookmark)!, catchUp };
  }

  /** Live rows the target lacks or holds at an older mod_ts. */
  behind(): number[] {
    return [...this.rows.values()]
      .filter((row) => row.visible && this.target.get(row.id) !== row.micros)
      .map((row) => row.id);
  }
}

const T0 = Date.UTC(2025, 5, 1, 0, 0, 0) * 1000;

/** 30 rows over the 10 hours before T0 + 10 h, and 20 old rows (two months before) of ids 100-119. */
function history(wms: FakeWms): void {
  for (let i = 1; i <= 30; i++) wms.put(i, T0 + (i - 1) * (HOUR / 3) + 1_000);
  for (let i = 100; i < 120; i++) wms.put(i, T0 - 60 * 24 * HOUR + i * 1_000_000);
}

describe('late rows catch-up: exact where counts are blind', () => {
  test('a late row into an hour that lost as many rows, and a late update inside one hour, are read again by id', async () => {
    const wms = new FakeWms();
    history(wms);
    let upper = T0 + 11 * HOUR;
    const first = await wms.run({}, upper);
    assert.deepEqual(wms.behind(), []);
    // Hour 2 (rows 7, 8, 9): row 7 is updated now (it leaves the hour), row 40 commits late into
    // the hour (its count stays 3), row 8 is updated late to a later instant in the same hour.
    upper = T0 + 12 * HOUR;
    wms.put(7, T0 + 11 * HOUR + 5);
    wms.put(40, T0 + 2 * HOUR + 17);
    wms.put(8, wms.rows.get(8)!.micros + 999);
    wms.requests.length = 0;
    const second = await wms.run({ bookmark: first.bookmark, late: first.late }, upper);
    assert.deepEqual(wms.behind(), []);
    assert.equal(second.catchUp.report.arrivals, 2);
    assert.equal(second.catchUp.report.reread_hours, 0, 'no hour read again whole');
    const byId = wms.requests.filter((r) => r.id__in !== undefined);
    assert.deepEqual(
      byId.map((r) => r.id__in),
      ['8,40'],
    );
    // A third run with no change reads nothing again.
    wms.requests.length = 0;
    const third = await wms.run({ bookmark: second.bookmark, late: second.late }, upper + HOUR);
    assert.equal(third.catchUp.report.arrivals, 0);
    assert.equal(wms.requests.filter((r) => r.id__in !== undefined).length, 0);
  });

  test('rows revealed with an old mod_ts are found by id range, a delete in the same range notwithstanding', async () => {
    const wms = new FakeWms();
    history(wms);
    wms.put(105, wms.rows.get(105)!.micros, false);
    wms.put(106, wms.rows.get(106)!.micros, false);
    const first = await wms.run({}, T0 + 11 * HOUR);
    // Revealed: 105 and 106 (two months old); deleted: row 3 and row 110 (in the range of 105).
    wms.rows.get(105)!.visible = true;
    wms.rows.get(106)!.visible = true;
    wms.rows.delete(3);
    wms.rows.delete(110);
    const second = await wms.run({ bookmark: first.bookmark, late: first.late }, T0 + 12 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.equal(second.catchUp.report.reread_id_ranges, 0, 'no id range read again whole');
    assert.ok(second.catchUp.report.listed_id_ranges >= 1);
  });

  test('a range of up to 1250 rows is listed every run: a reveal balanced by a delete in it is found', async () => {
    const wms = new FakeWms();
    history(wms);
    wms.put(105, wms.rows.get(105)!.micros, false);
    const first = await wms.run({}, T0 + 11 * HOUR);
    const range = first.late.ids!.find(([from, to]) => from <= 105 && 105 < to)!;
    const neighbour = [...wms.rows.keys()].find((id) => id !== 105 && id >= range[0] && id < range[1])!;
    wms.rows.get(105)!.visible = true;
    wms.rows.delete(neighbour);
    wms.requests.length = 0;
    const second = await wms.run({ bookmark: first.bookmark, late: first.late }, T0 + 12 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.equal(second.catchUp.report.probes, 0, 'small ranges are listed, not counted');
    assert.equal(second.catchUp.report.listed_id_ranges, first.late.ids!.length);
  });

  test('the documented limit: a range of more than 1250 rows that lost as many rows as were revealed in it waits for its turn', async () => {
    const wms = new FakeWms();
    const old = T0 - 60 * 24 * HOUR;
    for (let id = 1; id <= 20_100; id++) wms.put(id, old + id * 1_000, id !== 5_000 && id !== 5_002);
    wms.put(20_101, T0);
    let run = await wms.run({}, T0 + HOUR);
    const range = run.late.ids!.find(([from, to]) => from <= 5_000 && 5_000 < to)!;
    assert.ok(range[2] > 1250, `a range of ${range[2]} rows`);
    wms.rows.get(5_000)!.visible = true;
    wms.rows.delete(5_001);
    // Each run counts the large ranges and lists one of them in turn, from the lowest ids: the
    // range of 5000 (the 4th) is listed by the 4th run, and not before, its count being unchanged.
    const found: number[] = [];
    for (let round = 1; round <= 16 && wms.behind().length > 0; round++) {
      wms.listedRanges.length = 0;
      run = await wms.run({ bookmark: run.bookmark, late: run.late }, T0 + (round + 1) * HOUR);
      assert.ok(run.catchUp.report.probes >= 14, `${run.catchUp.report.probes} ranges counted`);
      if (wms.listedRanges.includes(range[0])) found.push(round);
    }
    assert.deepEqual(wms.behind(), [], 'docs/tap.md, Late-visible rows, Limits');
    assert.deepEqual(found, [4]);
    // A large range whose count changed is listed at once, and its table finds the row revealed.
    wms.rows.get(5_002)!.visible = true;
    wms.rows.delete(7_000);
    wms.listedRanges.length = 0;
    run = await wms.run({ bookmark: run.bookmark, late: run.late }, T0 + 20 * HOUR);
    assert.ok(wms.listedRanges.includes(range[0]), 'its count changed: listed');
    assert.equal(run.catchUp.report.reread_id_ranges, 0);
    assert.deepEqual(wms.behind(), []);
  });

  test('a bookmark from the count-based catch-up: its hours are read again whole once, then tables take over', async () => {
    const wms = new FakeWms();
    history(wms);
    const first = await wms.run({}, T0 + 11 * HOUR);
    const old = {
      hours: Object.fromEntries(Object.keys(first.late.hours).map((hour) => [hour, 3])),
      ids: first.late.ids!.map(([from, to, loaded]) => [from, to, loaded]),
    };
    wms.put(41, T0 + 3 * HOUR + 5);
    const second = await wms.run({ bookmark: first.bookmark, late: old }, T0 + 12 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.ok(second.catchUp.report.reread_hours > 0, 'hours without a table are read again whole');
    assert.ok(Object.values(second.late.hours).every((table) => typeof table === 'string'));
    assert.ok(second.late.ids!.every((range) => typeof range[3] === 'string'));
    wms.put(42, T0 + 4 * HOUR + 5);
    const third = await wms.run({ bookmark: second.bookmark, late: second.late }, T0 + 13 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.equal(third.catchUp.report.reread_hours, 0);
    assert.equal(third.catchUp.report.arrivals, 1);
  });

  test('a bookmark without late_rows (the catch-up switched on): the window read again whole and the ids listed, once', async () => {
    const wms = new FakeWms();
    history(wms);
    const first = await wms.run({}, T0 + 11 * HOUR);
    wms.put(43, T0 + 5 * HOUR + 9);
    wms.requests.length = 0;
    const second = await wms.run({ bookmark: first.bookmark }, T0 + 12 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.ok(second.catchUp.report.reread_hours >= 10, 'the hours of the window read again whole');
    assert.equal(second.catchUp.report.listed_id_ranges, 1, 'the ids listed once');
    assert.ok(second.late.ids!.length > 8, 'ranges cut from the ids listed');
    // The ranges hold every id the WMS has: the next run finds nothing to read again.
    const third = await wms.run({ bookmark: second.bookmark, late: second.late }, T0 + 13 * HOUR);
    assert.equal(third.catchUp.report.reread_rows, 0);
    assert.equal(third.catchUp.report.arrivals, 0);
  });

  test('a row id no table can hold (above 2^48) leaves its hour without a table: read whole, never a failed run', async () => {
    const wms = new FakeWms();
    history(wms);
    const huge = 2 ** 50;
    wms.put(huge, T0 + 6 * HOUR + 3);
    const first = await wms.run({}, T0 + 11 * HOUR);
    const hour = String(Math.floor((T0 + 6 * HOUR) / HOUR));
    assert.equal(first.late.hours[hour], undefined, 'no table for that hour');
    assert.ok(
      first.late.ids!.every(([, to]) => to <= 200),
      'the huge id is in no range',
    );
    wms.put(44, T0 + 6 * HOUR + 9);
    const second = await wms.run({ bookmark: first.bookmark, late: first.late }, T0 + 12 * HOUR);
    assert.deepEqual(wms.behind(), []);
    assert.equal(second.catchUp.report.reread_hours, 1);
  });

  test('a kept state that is not one is ignored field by field', () => {
    assert.equal(readLateRows(undefined), undefined);
    assert.equal(readLateRows({ hours: 'x' }), undefined);
    const read = readLateRows({
      hours: { 1: '', 2: 'garbage!', 3: 7 },
      ids: [[0, 10, 2], [1, 'a', 3], 'x'],
      ids_turn: -1,
    });
    assert.deepEqual(read, { hours: { 1: '' }, ids: [[0, 10, 2]] });
  });
});
