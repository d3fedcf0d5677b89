import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, call, isErrorBody, type Json, micros, walk, withSimulator } from './support/helpers.js';

describe('paging', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 300 }, defaultPageSize: 25 });
  });
  after(() => sim.stop());

  it('pages with the paged envelope; next_page is absolute and keeps every filter', async () => {
    const first = await api(sim, '/entity/order_dtl/?status_id__in=0,10,20&page_size=40&ordering=id');
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.json), [
      'result_count',
      'page_count',
      'page_nbr',
      'next_page',
      'previous_page',
      'results',
    ]);
    assert.equal(first.json.page_nbr, 1);
    assert.equal(first.json.previous_page, null);
    assert.equal(first.json.page_count, Math.ceil(first.json.result_count / 40));
    const next = new URL(first.json.next_page);
    assert.equal(next.origin + next.pathname, `${sim.apiUrl}/entity/order_dtl/`);
    assert.equal(next.searchParams.get('status_id__in'), '0,10,20');
    assert.equal(next.searchParams.get('page_size'), '40');
    assert.equal(next.searchParams.get('ordering'), 'id');
    assert.equal(next.searchParams.get('page'), '2');
    const { records, pages } = await walk(
      `${sim.apiUrl}/entity/order_dtl/?status_id__in=0,10,20&page_size=40&ordering=id`,
    );
    assert.equal(records.length, first.json.result_count);
    assert.ok(records.every((r) => [0, 10, 20].includes(r.status_id)));
    assert.equal(pages.length, first.json.page_count);
    assert.equal(pages[1]?.json.previous_page?.includes('page=1'), true);
  });

  it("uses the user's rows per page when page_size is absent", async () => {
    const reply = await api(sim, '/entity/order_dtl/');
    assert.equal(reply.json.results.length, 25);
  });

  it('walks the whole table in sequenced mode with opaque cursors, no counts', async () => {
    const url = `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&page_size=70&ordering=mod_ts,id`;
    const { records, pages } = await walk(url);
    assert.deepEqual(Object.keys(pages[0]?.json ?? {}), ['next_page', 'previous_page', 'results']);
    const cursor = new URL(pages[0]?.json.next_page).searchParams.get('cursor') ?? '';
    assert.match(Buffer.from(cursor, 'base64').toString(), /^p=70(&|$)/);
    assert.equal(new URL(pages[0]?.json.next_page).searchParams.get('page_mode'), 'sequenced');
    const truth = sim.snapshot('order_dtl');
    assert.equal(records.length, truth.length);
    const expected = [...truth]
      .sort((a, b) => micros(String(a.mod_ts)) - micros(String(b.mod_ts)) || Number(a.id) - Number(b.id))
      .map((r) => r.id);
    assert.deepEqual(
      records.map((r) => r.id),
      expected,
    );
    assert.deepEqual(
      records[5],
      truth.find((r) => r.id === records[5].id),
    );
  });

  it('sequenced previous_page walks back through the same pages, for every access path', async () => {
    const shapes = [
      'ordering=mod_ts,id', // mod_ts keyset
      'ordering=-mod_ts,-id',
      'ordering=id',
      'ordering=-id',
      'ordering=id&status_id__in=0,10', // keyset with a filter checked row by row
      'ordering=mod_ts,id&mod_ts__gte=2020-01-01T00:00:00Z&status_id__in=10,20',
      'ordering=item_id', // sorted view: offsets
    ];
    for (const shape of shapes) {
      const forward = await walk(`${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&page_size=17&${shape}`);
      const ids = forward.pages.map((page) => page.json.results.map((r: Json) => r.id));
      assert.ok(ids.length >= 3, `${shape}: ${ids.length} pages`);
      assert.equal(forward.pages[0]?.json.previous_page, null, shape);
      const back: number[][] = [];
      let url: string | null = forward.pages.at(-1)?.json.previous_page;
      while (url !== null) {
        const reply = await call(url);
        assert.equal(reply.status, 200, `${shape}: ${reply.text.slice(0, 200)}`);
        back.push(reply.json.results.map((r: Json) => r.id));
        url = reply.json.previous_page;
      }
      assert.deepEqual(back, ids.slice(0, -1).reverse(), shape);
      // A page reached backwards leads forwards again to the page after it.
      const second = await call(forward.pages[2]?.json.previous_page);
      const onwards = await call(second.json.next_page);
      assert.deepEqual(
        onwards.json.results.map((r: Json) => r.id),
        ids[2],
        shape,
      );
    }
  });

  it('orders descending and by other fields in both modes', async () => {
    const desc = await walk(
      `${sim.apiUrl}/entity/order_hdr/?page_mode=sequenced&page_size=13&ordering=-mod_ts,-id`,
    );
    const ts = desc.records.map((r) => micros(r.mod_ts));
    assert.deepEqual(
      ts,
      [...ts].sort((a, b) => b - a),
    );
    const byId = await walk(`${sim.apiUrl}/entity/order_hdr/?page_mode=sequenced&page_size=13&ordering=-id`);
    assert.deepEqual(
      byId.records.map((r) => r.id),
      sim
        .snapshot('order_hdr')
        .map((r) => r.id)
        .reverse(),
    );
    for (const mode of ['paged', 'sequenced']) {
      const byName = await walk(
        `${sim.apiUrl}/entity/order_hdr/?page_mode=${mode}&page_size=11&ordering=cust_name,-id`,
      );
      const names = byName.records.map((r) => `${r.cust_name}`);
      assert.deepEqual(names, [...names].sort(), mode);
      assert.equal(byName.records.length, sim.snapshot('order_hdr').length, mode);
    }
  });

  it('serves mod_ts ranges from the (mod_ts, id) index exactly as a scan would, both directions, both modes', async () => {
    const rows = sim.snapshot('order_dtl') as Json[];
    const stamps = rows.map((r) => String(r.mod_ts)).sort((a, b) => micros(a) - micros(b));
    const lo = stamps[60] as string;
    const hi = stamps[200] as string;
    const e = encodeURIComponent;
    const cases: Array<[string, (t: number) => boolean]> = [
      [`mod_ts__gt=${e(lo)}`, (t) => t > micros(lo)],
      [`mod_ts__gte=${e(lo)}&mod_ts__lt=${e(hi)}`, (t) => t >= micros(lo) && t < micros(hi)],
      [`mod_ts__lte=${e(hi)}`, (t) => t <= micros(hi)],
      [`mod_ts=${e(lo)}`, (t) => t === micros(lo)],
      [`mod_ts__range=${e(lo)},${e(hi)}`, (t) => t >= micros(lo) && t <= micros(hi)],
      [`mod_ts__gt=${e(hi)}&mod_ts__lt=${e(lo)}`, () => false],
    ];
    for (const [filter, keep] of cases) {
      const expected = rows
        .filter((r) => keep(micros(String(r.mod_ts))))
        .sort((a, b) => micros(String(a.mod_ts)) - micros(String(b.mod_ts)) || a.id - b.id)
        .map((r) => r.id);
      for (const mode of ['paged', 'sequenced']) {
        for (const [ordering, order] of [
          ['mod_ts,id', expected],
          ['-mod_ts,-id', [...expected].reverse()],
        ] as const) {
          const url = `${sim.apiUrl}/entity/order_dtl/?${filter}&ordering=${ordering}&page_mode=${mode}&page_size=33`;
          const first = await call(url);
          const got = first.status === 404 ? [] : (await walk(url)).records.map((r) => r.id);
          assert.deepEqual(got, order, `${filter} ${ordering} ${mode}`);
        }
      }
    }
  });

  it('clamps page_size above 1250 (or rejects it when configured)', async () => {
    await withSimulator({ rows: { order_dtl: 1400 } }, async (big) => {
      const reply = await api(big, '/entity/order_dtl/?page_size=5000');
      assert.equal(reply.json.results.length, 1250);
      assert.equal((await api(big, '/entity/order_dtl/?page_size=0')).status, 400);
    });
    await withSimulator({ rows: { order_dtl: 10 }, oversizePageSize: 'reject' }, async (strict) => {
      assert.equal((await api(strict, '/entity/order_dtl/?page_size=1251')).status, 400);
      assert.equal((await api(strict, '/entity/order_dtl/?page_size=1250')).status, 200);
    });
  });

  it('answers 404 with the error body to an empty filtered list, in both modes', async () => {
    for (const mode of ['paged', 'sequenced']) {
      const reply = await api(sim, `/entity/order_dtl/?page_mode=${mode}&order_id=999999`);
      assert.equal(reply.status, 404);
      assert.ok(isErrorBody(reply.json));
    }
  });

  it('answers 404 to a page past the end (500 is the phantom-page fault)', async () => {
    const reply = await api(sim, '/entity/order_dtl/?page_size=100&page=99');
    assert.equal(reply.status, 404);
  });

  it('lets the last of a repeated parameter win', async () => {
    const reply = await api(sim, '/entity/order_dtl/?page_size=3&page_size=7&id=1&id=2');
    assert.equal(reply.json.result_count, 1);
    assert.equal(reply.json.results[0].id, 2);
    const both = await api(sim, '/entity/order_dtl/?page_size=3&page_size=7');
    assert.equal(both.json.results.length, 7);
  });

  it('rejects a bad cursor and a bad page_mode with 400', async () => {
    assert.equal((await api(sim, '/entity/order_dtl/?page_mode=sequenced&cursor=!!!')).status, 400);
    assert.equal((await api(sim, '/entity/order_dtl/?page_mode=random')).status, 400);
    assert.equal((await api(sim, '/entity/order_dtl/?page=0')).status, 400);
  });

  it('shows rows changed during a sequenced walk again later, like the real keyset cursor', async () => {
    await withSimulator({ rows: { order_dtl: 100 } }, async (live) => {
      const first = await api(live, '/entity/order_dtl/?page_mode=sequenced&page_size=50&ordering=mod_ts,id');
      const seen = first.json.results[0].id;
      const changed = live.advance({ entity: 'order_dtl', updates: 0, inserts: 0 });
      assert.deepEqual(changed.changes, {});
      live.advance({ entity: 'order_dtl', updates: 100 });
      const rest = await walk(first.json.next_page);
      assert.ok(
        rest.records.some((r) => r.id === seen),
        'an updated row moves to the end of mod_ts order',
      );
    });
  });
});
