import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../src/index.js';
import { startSimulator } from '../src/index.js';
import { api, isErrorBody, type Json, micros, walk, withSimulator } from './support/helpers.js';

describe('filters, lookups, ordering and fields', () => {
  let sim: Simulator;
  let lines: Json[];
  let orders: Json[];
  /** Ids the API returns for a filter (404 = none), every page, by id. */
  const ids = async (entity: string, filter: string): Promise<number[]> => {
    const url = `${sim.apiUrl}/entity/${entity}/?${filter}&page_size=1250&ordering=id`;
    const first = await api(sim, url.slice(sim.apiUrl.length));
    if (first.status === 404) return [];
    assert.equal(first.status, 200, `${filter}: ${first.text.slice(0, 200)}`);
    return (await walk(url)).records.map((r) => r.id);
  };
  const truth = (rows: Json[], keep: (r: Json) => boolean) => rows.filter(keep).map((r) => r.id);

  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 400 } });
    lines = sim.snapshot('order_dtl');
    orders = sim.snapshot('order_hdr');
  });
  after(() => sim.stop());

  it('exact and negated (!=) filters', async () => {
    const expected = truth(lines, (r) => r.status_id === 10);
    assert.ok(expected.length > 0 && expected.length < lines.length);
    assert.deepEqual(await ids('order_dtl', 'status_id=10'), expected);
    assert.deepEqual(await ids('order_dtl', 'status_id__exact=10'), expected);
    assert.deepEqual(
      await ids('order_dtl', 'status_id!=10'),
      truth(lines, (r) => r.status_id !== 10),
    );
  });

  it('gt, gte, lt, lte, in and range', async () => {
    assert.deepEqual(
      await ids('order_dtl', 'id__gt=390'),
      truth(lines, (r) => r.id > 390),
    );
    assert.deepEqual(
      await ids('order_dtl', 'id__gte=390'),
      truth(lines, (r) => r.id >= 390),
    );
    assert.deepEqual(await ids('order_dtl', 'id__lt=5'), [1, 2, 3, 4]);
    assert.deepEqual(await ids('order_dtl', 'id__lte=5&id__gt=2'), [3, 4, 5]);
    assert.deepEqual(await ids('order_dtl', 'id__in=9,1,5'), [1, 5, 9]);
    assert.deepEqual(await ids('order_dtl', 'id__range=10,13'), [10, 11, 12, 13]);
    assert.deepEqual(
      await ids('order_dtl', 'seq_nbr__gte=3'),
      truth(lines, (r) => r.seq_nbr >= 3),
    );
  });

  it('compares decimals as numbers', async () => {
    assert.deepEqual(
      await ids('order_dtl', 'ord_qty__gte=25.5'),
      truth(lines, (r) => Number(r.ord_qty) >= 25.5),
    );
    assert.deepEqual(
      await ids('order_dtl', 'cost__lt=100'),
      truth(lines, (r) => Number(r.cost) < 100),
    );
  });

  it('isnull on nullable fields', async () => {
    assert.deepEqual(
      await ids('order_dtl', 'po_nbr__isnull=true'),
      truth(lines, (r) => r.po_nbr === null),
    );
    assert.deepEqual(
      await ids('order_dtl', 'po_nbr__isnull=false'),
      truth(lines, (r) => r.po_nbr !== null),
    );
  });

  it('text lookups: iexact, contains, icontains, startswith, istartswith, endswith, iendswith', async () => {
    const name = (r: Json) => String(r.cust_name);
    assert.deepEqual(
      await ids('order_hdr', 'cust_city__iexact=MÜNCHEN'),
      truth(orders, (r) => r.cust_city === 'München'),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__contains=Müller'),
      truth(orders, (r) => name(r).includes('Müller')),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__icontains=müLLer'),
      truth(orders, (r) => name(r).includes('Müller')),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__startswith=Ana'),
      truth(orders, (r) => name(r).startsWith('Ana')),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__istartswith=ana'),
      truth(orders, (r) => name(r).startsWith('Ana')),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__endswith=Brien'),
      truth(orders, (r) => name(r).endsWith("O'Brien")),
    );
    assert.deepEqual(
      await ids('order_hdr', 'cust_name__iendswith=BRIEN'),
      truth(orders, (r) => name(r).endsWith("O'Brien")),
    );
    assert.ok((await ids('order_hdr', 'cust_name__contains=Müller')).length > 0);
  });

  it('relation filters: by id, and through paths such as facility_id__code and order_id__facility_id__code', async () => {
    assert.deepEqual(
      await ids('order_hdr', 'facility_id=2'),
      truth(orders, (r) => r.facility_id.id === 2),
    );
    assert.deepEqual(
      await ids('order_hdr', 'facility_id__code=FAC2'),
      truth(orders, (r) => r.facility_id.key === 'FAC2'),
    );
    const fac1Orders = new Set(truth(orders, (r) => r.facility_id.key === 'FAC1'));
    const expected = truth(lines, (r) => fac1Orders.has(r.order_id.id));
    assert.ok(expected.length > 0);
    assert.deepEqual(await ids('order_dtl', 'order_id__facility_id__code=FAC1'), expected);
    assert.deepEqual(
      await ids('order_dtl', 'order_id__order_nbr=ORD00000003'),
      truth(lines, (r) => r.order_id.id === 3),
    );
    assert.deepEqual(
      await ids('order_dtl', 'order_id=3'),
      truth(lines, (r) => r.order_id.id === 3),
    );
    assert.deepEqual(
      await ids('order_dtl', 'facility_id__code!=FAC1'),
      truth(lines, (r) => r.facility_id.key !== 'FAC1'),
    );
  });

  it('reads date-time filters as instants, whatever the offset; without offset in the facility zone', async () => {
    const sorted = lines.map((r) => micros(r.mod_ts)).sort((a, b) => a - b);
    const pivot = sorted[Math.floor(sorted.length / 2)] as number;
    const whole = Math.floor(pivot / 1e6) * 1e6;
    const iso = new Date(whole / 1000).toISOString().replace('.000Z', '');
    const expected = truth(lines, (r) => micros(r.mod_ts) >= whole);
    assert.deepEqual(await ids('order_dtl', `mod_ts__gte=${iso}Z`), expected);
    const india = new Date(whole / 1000 + 330 * 60_000).toISOString().replace('.000Z', '');
    assert.deepEqual(await ids('order_dtl', `mod_ts__gte=${encodeURIComponent(`${india}+05:30`)}`), expected);
    // No offset: read at the user's default facility (+01:00).
    const paris = new Date(whole / 1000 + 60 * 60_000).toISOString().replace('.000Z', '');
    assert.deepEqual(await ids('order_dtl', `mod_ts__gte=${paris}`), expected);
    assert.deepEqual(
      await ids('order_dtl', `mod_ts__lt=${iso}Z`),
      truth(lines, (r) => micros(r.mod_ts) < whole),
    );
    // A raw '+' decodes to a space, as on the real API: not a date-time.
    assert.equal((await api(sim, `/entity/order_dtl/?mod_ts__gte=${india}+05:30`)).status, 400);
    // Offsets really differ between rows: strings do not sort like instants.
    assert.ok(new Set(lines.map((r) => String(r.mod_ts).slice(-6))).size > 1);
  });

  it('date and date-time parts: year, month, day, hour, minute, week_day', async () => {
    const year = new Date(micros(orders[0].mod_ts) / 1000).getUTCFullYear();
    assert.equal((await ids('order_hdr', `mod_ts__year=${year - 5}`)).length, 0);
    const month = Number(String(orders[0].ord_date).slice(5, 7));
    assert.deepEqual(
      await ids('order_hdr', `ord_date__month=${month}`),
      truth(orders, (r) => Number(String(r.ord_date).slice(5, 7)) === month),
    );
    const hours = (r: Json) => Number(String(r.mod_ts).slice(11, 13));
    assert.deepEqual(
      await ids('order_hdr', 'mod_ts__hour__lt=12'),
      truth(orders, (r) => hours(r) < 12),
    );
    const weekday = (r: Json) => new Date(`${String(r.ord_date)}T00:00:00Z`).getUTCDay() + 1;
    assert.deepEqual(
      await ids('order_hdr', 'ord_date__week_day=2'),
      truth(orders, (r) => weekday(r) === 2),
    );
  });

  it('booleans', async () => {
    assert.deepEqual(
      await ids('order_hdr', 'stop_ship_flg=false'),
      truth(orders, (r) => r.stop_ship_flg === false),
    );
    assert.deepEqual(
      await ids('order_hdr', 'stop_ship_flg=true'),
      truth(orders, (r) => r.stop_ship_flg === true),
    );
  });

  it('answers 400 with the error body to unknown fields, bad values, unknown lookups and bad ordering', async () => {
    for (const query of [
      'nope=1',
      'status_id=abc',
      'status_id__between=1,2',
      'id__range=1',
      'mod_ts__gte=yesterday',
      'po_nbr__isnull=maybe',
      'ordering=nope',
      'ordering=-nope',
      'fields=id,nope',
      'facility_id__nope=1',
    ]) {
      const reply = await api(sim, `/entity/order_dtl/?${query}`);
      assert.equal(reply.status, 400, query);
      assert.ok(isErrorBody(reply.json), query);
      assert.equal(reply.json.code, 'VALIDATION_ERROR', query);
    }
  });

  it('fields= returns only the chosen fields', async () => {
    const reply = await api(sim, '/entity/order_dtl/?fields=id,mod_ts,order_id&page_size=3');
    for (const r of reply.json.results) assert.deepEqual(Object.keys(r), ['id', 'order_id', 'mod_ts']);
  });

  it('orders by any field, ascending or descending', async () => {
    const { records } = await walk(`${sim.apiUrl}/entity/order_dtl/?ordering=-cost&page_size=1250`);
    const costs = records.map((r) => Number(r.cost));
    assert.deepEqual(
      costs,
      [...costs].sort((a, b) => b - a),
    );
  });

  it('can reject sub-second filter values or truncate them (unconfirmed behaviour)', async () => {
    await withSimulator({ rows: { order_dtl: 20 }, subsecondFilters: 'reject' }, async (strict) => {
      assert.equal((await api(strict, '/entity/order_dtl/?mod_ts__gte=2025-01-01T00:00:00.5Z')).status, 400);
      assert.equal((await api(strict, '/entity/order_dtl/?mod_ts__gte=2025-01-01T00:00:00Z')).status, 200);
    });
    await withSimulator({ rows: { order_dtl: 20 }, subsecondFilters: 'truncate' }, async (lax) => {
      const row = lax.snapshot('order_dtl')[0] as Json;
      const exact = String(row.mod_ts);
      assert.notEqual(exact.slice(20, 26), '000000');
      // Truncated to the second, the bound lies below the row's own mod_ts, so "greater than itself" matches.
      const reply = await api(lax, `/entity/order_dtl/?id=${row.id}&mod_ts__gt=${encodeURIComponent(exact)}`);
      assert.equal(reply.status, 200);
      const plain = await api(
        sim,
        `/entity/order_dtl/?id=1&mod_ts__gt=${encodeURIComponent(String(lines[0].mod_ts))}`,
      );
      assert.equal(plain.status, 404);
    });
  });
});
