import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, call, instant, type Json, walk, withSimulator } from './support/helpers.js';

const byModTs = (rows: Json[]) =>
  [...rows].sort((a, b) => instant(a.mod_ts) - instant(b.mod_ts) || a.id - b.id).map((r) => r.id);

const cursorOf = (url: string) =>
  new URLSearchParams(Buffer.from(new URL(url).searchParams.get('cursor') ?? '', 'base64').toString());

describe('quirk late-commits', () => {
  it('hides orders with their lines and allocations, and reveals them facility by facility with old mod_ts', async () => {
    await withSimulator({ rows: { order_dtl: 800 }, quirks: ['late-commits'] }, async (sim) => {
      const state = async () => (await call(`${sim.baseUrl}/__sim/state`)).json.entities;
      const start = await state();
      assert.deepEqual((await call(`${sim.baseUrl}/__sim/state`)).json.quirks, ['late-commits']);
      assert.ok(start.order_hdr.rows < start.order_hdr.max_id, 'some orders hidden');
      assert.ok(start.order_dtl.rows < start.order_dtl.max_id, 'their lines too');
      const hiddenOrders = start.order_hdr.max_id - start.order_hdr.rows;
      assert.equal(sim.snapshot('order_hdr').length, start.order_hdr.rows);
      assert.equal(
        (await api(sim, `/entity/order_hdr/${findHidden(sim.snapshot('order_hdr'))}/`)).status,
        404,
      );
      let revealed = 0;
      for (let round = 0; round < 4; round++) {
        const result = sim.advance({ entity: 'facility', updates: 1 });
        const from = Date.parse(result.from) * 1000;
        const shown = result.changes.order_hdr?.revealed ?? [];
        revealed += shown.length;
        const orders = new Map(sim.snapshot('order_hdr').map((r) => [r.id as number, r as Json]));
        const facilities = new Set(shown.map((id) => orders.get(id)?.facility_id.id));
        assert.ok(facilities.size <= 1, 'one facility per advance');
        for (const id of shown) assert.ok(instant(orders.get(id)?.mod_ts) < from, 'old mod_ts');
        const lines = sim.snapshot('order_dtl') as Json[];
        for (const id of result.changes.order_dtl?.revealed ?? []) {
          assert.ok(shown.includes(lines.find((l) => l.id === id)?.order_id.id));
        }
      }
      assert.equal(revealed, hiddenOrders, 'every hidden order revealed within one advance per facility');
      const end = await state();
      assert.equal(end.order_hdr.rows, end.order_hdr.max_id);
      assert.equal(end.order_dtl.rows, end.order_dtl.max_id);
      assert.equal(end.allocation.rows, end.allocation.max_id);
      // Every line points at a visible order, and the mod_ts index still serves the truth.
      const orderIds = new Set(sim.snapshot('order_hdr').map((r) => r.id));
      assert.ok(sim.snapshot('order_dtl').every((l) => orderIds.has((l as Json).order_id.id)));
      const walked = await walk(
        `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=mod_ts,id&page_size=300`,
      );
      assert.deepEqual(
        walked.records.map((r) => r.id),
        byModTs(sim.snapshot('order_dtl')),
      );
    });
  });

  it('backdates half the late inserts: a new create_ts with the old mod_ts', async () => {
    await withSimulator({ rows: { order_dtl: 400 }, quirks: ['late-commits'] }, async (sim) => {
      let backdated = 0;
      let oldInBoth = 0;
      for (let round = 0; round < 8; round++) {
        const result = sim.advance({ entity: 'item', inserts: 10 });
        const from = Date.parse(result.from) * 1000;
        const change = result.changes.item as Json;
        const rows = new Map((sim.snapshot('item') as Json[]).map((r) => [r.id, r]));
        for (const id of change.late.filter((i: number) => change.inserted.includes(i))) {
          const row = rows.get(id) as Json;
          assert.ok(instant(row.mod_ts) < from);
          if (instant(row.create_ts) > from) backdated++;
          else if (instant(row.create_ts) === instant(row.mod_ts)) oldInBoth++;
          else assert.fail(`create_ts of ${id} neither new nor its mod_ts`);
        }
      }
      assert.ok(backdated > 0 && oldInBoth > 0, `${backdated} backdated, ${oldInBoth} old in both`);
    });
  });

  it('commits part of each advance late: visible now, mod_ts behind the previous clock, within the limit', async () => {
    await withSimulator(
      { rows: { order_dtl: 600 }, quirks: ['late-commits'], lateCommitMaxSeconds: 3600 },
      async (sim) => {
        for (let round = 0; round < 3; round++) {
          const before = new Map(
            sim.snapshot('order_dtl').map((r) => [r.id as number, instant((r as Json).mod_ts)]),
          );
          // What a client read so far: its bookmark is the latest mod_ts it saw.
          const bookmark = Math.max(...before.values());
          const result = sim.advance({ entity: 'order_dtl', updates: 40, inserts: 10, seconds: 120 });
          const from = Date.parse(result.from) * 1000;
          const change = result.changes.order_dtl as Json;
          assert.ok(change.late.length >= 1);
          assert.ok(change.late.length < change.updated.length + change.inserted.length);
          const now = new Map(
            sim.snapshot('order_dtl').map((r) => [r.id as number, instant((r as Json).mod_ts)]),
          );
          for (const id of change.late) {
            const ts = now.get(id) as number;
            assert.ok(ts < from && ts >= from - 3600 * 1_000_000, `late ${id}`);
            assert.ok(ts > (before.get(id) ?? 0), 'never behind its own previous version');
          }
          for (const id of [...change.updated, ...change.inserted]) {
            if (!change.late.includes(id)) assert.ok((now.get(id) as number) > from, `on time ${id}`);
          }
          // A client reading from its bookmark misses the late rows whose mod_ts lies before it.
          const since = new Date(Math.floor(bookmark / 1000)).toISOString();
          const seen = await walk(
            `${sim.apiUrl}/entity/order_dtl/?mod_ts__gt=${encodeURIComponent(since)}&ordering=mod_ts,id&page_size=1250`,
          ).catch(() => ({ records: [] as Json[] }));
          const seenIds = new Set(seen.records.map((r) => r.id));
          const missed = change.late.filter((id: number) => !seenIds.has(id));
          assert.ok(
            missed.length > 0 || change.late.every((id: number) => (now.get(id) as number) > bookmark),
          );
        }
      },
    );
  });
});

function findHidden(visible: Record<string, unknown>[]): number {
  const ids = new Set(visible.map((r) => r.id as number));
  for (let id = 1; ; id++) if (!ids.has(id)) return id;
}

describe('quirk cursor-ties', () => {
  it('holds a generated bulk group above 1250 rows at one mod_ts; a DRF cursor loops inside it past offset 1000', async () => {
    await withSimulator({ rows: { order_dtl: 2500 }, quirks: ['cursor-ties'] }, async (sim) => {
      const lines = sim.snapshot('order_dtl') as Json[];
      const counts = new Map<number, number>();
      for (const r of lines) counts.set(instant(r.mod_ts), (counts.get(instant(r.mod_ts)) ?? 0) + 1);
      const [tie, size] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
      assert.ok(size > 1250, `largest group ${size}`);
      // The first page's cursor is DRF's: position of the first ordering field (p), offset (o).
      const first = await api(sim, '/entity/order_dtl/?page_mode=sequenced&ordering=mod_ts,id&page_size=100');
      const cursor = cursorOf(first.json.next_page);
      assert.ok(cursor.has('p'));
      // Walk: past the group's first 1000 rows the same page comes back.
      let url: string | null = first.json.next_page;
      let previous = '';
      let repeated = false;
      for (let page = 0; page < 60 && url !== null; page++) {
        const reply = await call(url);
        const ids = reply.json.results.map((r: Json) => r.id).join(',');
        if (ids === previous) {
          repeated = true;
          // DRF writes the grown offset and reads it back capped at 1000: the very same link comes back.
          assert.ok(Number(cursorOf(url).get('o')) >= 1000);
          assert.equal(reply.json.next_page, url);
          break;
        }
        previous = ids;
        url = reply.json.next_page;
      }
      assert.ok(repeated, 'the walk repeats a page');
      // The tied instant read by itself, ordered and keyed on id, is complete.
      const t = `${new Date(Math.floor(tie / 1000)).toISOString().slice(0, 23)}${String(tie % 1000).padStart(3, '0')}+00:00`;
      const alone = await walk(
        `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=id&page_size=500&mod_ts=${encodeURIComponent(t)}`,
      );
      assert.equal(alone.records.length, size);
      // A unique first ordering field (id) walks every row exactly once.
      const byId = await walk(
        `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=id&page_size=333`,
      );
      assert.deepEqual(
        byId.records.map((r) => r.id),
        lines.map((r) => r.id),
      );
    });
  });

  it('with bulkGroupRows above 2250 the walk repeats a page even at page_size 1250', async () => {
    await withSimulator(
      { rows: { order_dtl: 4000 }, quirks: ['cursor-ties'], bulkGroupRows: 2600 },
      async (sim) => {
        let url: string | null =
          `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=mod_ts,id&page_size=1250`;
        const seen: string[] = [];
        for (let page = 0; page < 12 && url !== null; page++) {
          const reply = await call(url);
          seen.push(reply.json.results.map((r: Json) => r.id).join(','));
          url = reply.json.next_page;
        }
        assert.ok(
          seen.some((ids, i) => i > 0 && ids === seen[i - 1]),
          'a page repeats',
        );
      },
    );
    await assert.rejects(() => withSimulator({ bulkGroupRows: 1 }, async () => {}), /bulkGroupRows/);
  });

  it('the default dataset holds a tie group above 1250 rows in order_dtl and in allocation', async () => {
    await withSimulator({ quirks: ['cursor-ties'] }, async (sim) => {
      for (const entity of ['order_dtl', 'allocation']) {
        const counts = new Map<number, number>();
        for (const r of sim.snapshot(entity) as Json[]) {
          counts.set(instant(r.mod_ts), (counts.get(instant(r.mod_ts)) ?? 0) + 1);
        }
        assert.ok(Math.max(...counts.values()) > 1250, entity);
      }
    });
  });

  it('each advance bulk-updates more than 1250 rows of one entity at one instant', async () => {
    await withSimulator({ rows: { order_dtl: 1500 }, quirks: ['cursor-ties'] }, async (sim) => {
      const result = sim.advance({ updates: 3, inserts: 2 });
      const bulk = Object.entries(result.changes).find(([, c]) => c.updated.length > 1250);
      assert.ok(bulk, 'a bulk update');
      const [entity, change] = bulk;
      const rows = new Map(sim.snapshot(entity).map((r) => [r.id as number, instant((r as Json).mod_ts)]));
      const stamps = new Map<number, number>();
      for (const id of change.updated) {
        const ts = rows.get(id) as number;
        stamps.set(ts, (stamps.get(ts) ?? 0) + 1);
      }
      assert.ok(Math.max(...stamps.values()) >= 1300);
      // The mod_ts index agrees with the truth after the bulk update.
      const walked = await walk(
        `${sim.apiUrl}/entity/${entity}/?page_mode=sequenced&ordering=id&page_size=1250`,
      );
      assert.equal(walked.records.length, rows.size);
    });
  });

  it('walks back with previous_page', async () => {
    await withSimulator({ rows: { order_dtl: 300 }, quirks: ['cursor-ties'] }, async (sim) => {
      const url = `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=id&page_size=40`;
      const p1 = await call(url);
      const p2 = await call(p1.json.next_page);
      const p3 = await call(p2.json.next_page);
      const back = await call(p3.json.previous_page);
      assert.deepEqual(
        back.json.results.map((r: Json) => r.id),
        p2.json.results.map((r: Json) => r.id),
      );
      assert.equal(cursorOf(p3.json.previous_page).get('r'), '1');
      const forged = `${url}&cursor=${Buffer.from('p=yesterday').toString('base64')}`;
      assert.equal((await call(forged.replace('ordering=id', 'ordering=mod_ts'))).status, 400);
      // From the last page back to the first, page by page, as the forward walk served them.
      for (const ordering of ['id', '-id', 'mod_ts,id']) {
        const forward = await walk(
          `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&ordering=${ordering}&page_size=40`,
        );
        const pages = forward.pages.map((p) => p.json.results.map((r: Json) => r.id).join(','));
        let previous: string | null = forward.pages.at(-1)?.json.previous_page;
        for (let i = pages.length - 2; i >= 0; i--) {
          const reply = await call(previous as string);
          assert.equal(
            reply.json.results.map((r: Json) => r.id).join(','),
            pages[i],
            `${ordering} page ${i + 1}`,
          );
          previous = reply.json.previous_page;
        }
        assert.equal(previous, null, 'the first page has no previous page');
      }
    });
  });
});

describe('quirk short-pages', () => {
  it('serves short intermediate pages and a shrinking page_count without losing a row; past the end is 500', async () => {
    await withSimulator({ rows: { order_dtl: 400 }, quirks: ['short-pages'] }, async (sim) => {
      const { records, pages } = await walk(`${sim.apiUrl}/entity/order_dtl/?ordering=id&page_size=20`);
      assert.deepEqual(
        records.map((r) => r.id),
        sim.snapshot('order_dtl').map((r) => r.id),
      );
      const short = pages.slice(0, -1).filter((p) => p.json.results.length < 20);
      assert.ok(short.length > 0, 'some intermediate pages are short');
      assert.ok(short.every((p) => p.json.next_page !== null));
      const counts = pages.map((p) => p.json.page_count);
      assert.ok(counts[0] > (counts.at(-1) as number), `page_count shrinks: ${counts.join(',')}`);
      assert.ok(pages.length > Math.ceil(records.length / 20), 'more pages than result_count / page_size');
      const past = await api(sim, `/entity/order_dtl/?ordering=id&page_size=20&page=${pages.length + 1}`);
      assert.equal(past.status, 500);
    });
  });
});

describe('quirks: all', () => {
  it('plays every quirk at once; a paged walk by id and the snapshot agree after advances', async () => {
    await withSimulator(
      { rows: { order_dtl: 500 }, quirks: 'all', lateCommitMaxSeconds: 600 },
      async (sim) => {
        for (let round = 0; round < 3; round++) {
          sim.advance({ updates: 10, inserts: 5, deletes: 2 });
          for (const entity of sim.entities()) {
            const truth = sim.snapshot(entity);
            const { records } = await walk(`${sim.apiUrl}/entity/${entity}/?ordering=id&page_size=50`);
            assert.deepEqual(
              records.map((r) => r.id),
              truth.map((r) => r.id),
              entity,
            );
            assert.deepEqual(records, truth, `${entity}: every value as in the snapshot`);
          }
        }
        // No mod_ts ever renders with an offset under utc-z.
        assert.ok(sim.snapshot('order_hdr').every((r) => String(r.mod_ts).endsWith('Z')));
      },
    );
  });
});
