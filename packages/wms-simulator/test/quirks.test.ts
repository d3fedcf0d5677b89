import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuirks, QUIRK_NAMES, type Simulator } from '../src/index.js';
import {
  api,
  call,
  instant,
  isErrorBody,
  type Json,
  micros,
  walk,
  withSimulator,
} from './support/helpers.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const clientBasic = 'Basic ' + Buffer.from('wms_client:wms_secret').toString('base64');

async function token(sim: Simulator, fields: Record<string, string>) {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { authorization: clientBasic, 'content-type': 'application/x-www-form-urlencoded' },
    body: form(fields),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('quirks: names', () => {
  it('parses names, comma lists and all; refuses an unknown name in one line', () => {
    assert.deepEqual([...parseQuirks(undefined)], []);
    assert.deepEqual([...parseQuirks('utc-z,ropc-only')], ['utc-z', 'ropc-only']);
    assert.deepEqual([...parseQuirks(['all'])].sort(), [...QUIRK_NAMES].sort());
    assert.throws(
      () => parseQuirks('utc-z,late-commit'),
      /^Error: quirks: unknown quirk "late-commit" \(known: .*\)$/,
    );
  });

  it('an unknown quirk stops startSimulator; the simulator reports the quirks it plays', async () => {
    await assert.rejects(
      () => withSimulator({ quirks: ['nope' as 'utc-z'] }, async () => {}),
      /unknown quirk "nope"/,
    );
    await withSimulator({ rows: { order_dtl: 10 }, quirks: 'utc-z,decimals-as-numbers' }, async (sim) => {
      assert.deepEqual(sim.quirks, ['decimals-as-numbers', 'utc-z']);
    });
    await withSimulator({ rows: { order_dtl: 10 } }, async (sim) => assert.deepEqual(sim.quirks, []));
  });
});

describe('quirks: values', () => {
  it('decimals-as-numbers: decimal fields are JSON numbers with the same digits', async () => {
    const plain = await withSimulator(
      { rows: { order_dtl: 20 } },
      async (sim) => (await api(sim, '/entity/order_dtl/?ordering=id')).json.results,
    );
    await withSimulator({ rows: { order_dtl: 20 }, quirks: ['decimals-as-numbers'] }, async (sim) => {
      const reply = await api(sim, '/entity/order_dtl/?ordering=id');
      const rows = reply.json.results;
      assert.equal(rows.length, plain.length);
      for (let i = 0; i < rows.length; i++) {
        assert.equal(typeof rows[i].ord_qty, 'number');
        assert.equal(typeof plain[i].ord_qty, 'string');
        assert.equal(String(rows[i].ord_qty), plain[i].ord_qty);
        assert.equal(rows[i].cost === null ? null : String(rows[i].cost), plain[i].cost);
      }
      // The raw text carries the digits as written (no float printing): 12.5, never "12.5".
      assert.match(reply.text, /"ord_qty":\d+(\.\d+)?[,}]/);
      assert.equal(typeof sim.snapshot('order_dtl')[0]?.ord_qty, 'number');
      // Filters still compare decimals.
      const filtered = (await api(sim, '/entity/order_dtl/?ord_qty__gte=25&page_size=1250')).json.results;
      assert.ok(filtered.length > 0 && filtered.every((r: Json) => r.ord_qty >= 25));
    });
  });

  it('utc-z: date-times in UTC with Z, no fraction when the microseconds are zero; same instants', async () => {
    const plain: Json[] = await withSimulator({ rows: { order_dtl: 30 } }, async (sim) =>
      sim.snapshot('order_hdr'),
    );
    await withSimulator({ rows: { order_dtl: 30 }, quirks: ['utc-z'] }, async (sim) => {
      const rows = (await walk(`${sim.apiUrl}/entity/order_hdr/?ordering=id&page_size=1250`)).records;
      assert.equal(rows.length, plain.length);
      for (let i = 0; i < rows.length; i++) {
        assert.match(rows[i].mod_ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
        assert.equal(instant(rows[i].mod_ts), micros(plain[i].mod_ts));
        assert.equal(instant(rows[i].create_ts), micros(plain[i].create_ts));
      }
      const first = sim.snapshot('facility')[0] as Json;
      assert.ok(typeof first.mod_ts === 'string' && first.mod_ts.endsWith('Z'));
    });
  });

  it('utc-z renders a whole-second instant without a fraction', async () => {
    await withSimulator(
      { rows: { order_dtl: 10 }, quirks: ['utc-z'], startTime: '2025-06-01T00:00:00Z' },
      async (sim) => {
        // One change over one second is stamped at half a second; two changes over 3 s at whole seconds.
        sim.advance({ entity: 'facility', updates: 2, seconds: 3 });
        const stamped = sim.snapshot('facility').map((r) => String(r.mod_ts));
        assert.ok(stamped.includes('2025-06-01T00:00:01Z'), stamped.join(' '));
      },
    );
  });

  it('relation-status: describe types status_id as a relation while values stay integers', async () => {
    await withSimulator({ rows: { order_dtl: 20 }, quirks: ['relation-status'] }, async (sim) => {
      for (const entity of ['order_hdr', 'order_dtl', 'allocation']) {
        const { fields } = (await api(sim, `/entity/${entity}/describe/`)).json;
        assert.equal(fields.status_id.type, 'relation');
        assert.equal(fields.status_id.type, fields[entity === 'order_hdr' ? 'facility_id' : 'item_id'].type);
        const row = (await api(sim, `/entity/${entity}/`)).json.results[0];
        assert.equal(typeof row.status_id, 'number');
      }
    });
    await withSimulator({ rows: { order_dtl: 20 } }, async (sim) => {
      assert.equal((await api(sim, '/entity/order_dtl/describe/')).json.fields.status_id.type, 'integer');
    });
  });
});

describe('quirks: requests', () => {
  it('subsecond-reject: a filter value with fractional seconds answers 400; whole seconds pass', async () => {
    await withSimulator({ rows: { order_dtl: 20 }, quirks: ['subsecond-reject'] }, async (sim) => {
      const bad = await api(
        sim,
        `/entity/order_dtl/?mod_ts__gte=${encodeURIComponent('2025-01-01T00:00:00.5+00:00')}`,
      );
      assert.equal(bad.status, 400);
      assert.ok(isErrorBody(bad.json));
      const good = await api(
        sim,
        `/entity/order_dtl/?mod_ts__gte=${encodeURIComponent('2025-01-01T00:00:00+00:00')}`,
      );
      assert.equal(good.status, 200);
    });
  });

  it('mod-ts-not-filterable: location leaves mod_ts out of parameters and answers 400 to any mod_ts filter', async () => {
    await withSimulator({ rows: { order_dtl: 20 }, quirks: ['mod-ts-not-filterable'] }, async (sim) => {
      const { parameters, fields } = (await api(sim, '/entity/location/describe/')).json;
      assert.ok(!parameters.includes('mod_ts'));
      assert.equal(fields.mod_ts.type, 'datetime', 'still a field');
      const since = encodeURIComponent('2020-01-01T00:00:00+00:00');
      for (const filter of [
        `mod_ts__gte=${since}`,
        `mod_ts=${since}`,
        'mod_ts__isnull=false',
        'mod_ts__year=2025',
      ]) {
        const reply = await api(sim, `/entity/location/?${filter}`);
        assert.equal(reply.status, 400, filter);
        assert.ok(isErrorBody(reply.json));
      }
      // Other entities and ordering by mod_ts are untouched.
      assert.equal((await api(sim, `/entity/location/?ordering=mod_ts,id`)).status, 200);
      assert.equal((await api(sim, `/entity/item/?mod_ts__gte=${since}`)).status, 200);
      assert.ok((await api(sim, '/entity/item/describe/')).json.parameters.includes('mod_ts'));
    });
  });

  it('ordering-ignored: allocation answers in id order whatever ordering asks, without a 400', async () => {
    await withSimulator({ rows: { order_dtl: 60 }, quirks: ['ordering-ignored'] }, async (sim) => {
      for (const ordering of ['mod_ts,id', '-id', 'no_such_field']) {
        const { records } = await walk(`${sim.apiUrl}/entity/allocation/?ordering=${ordering}&page_size=20`);
        const ids = records.map((r) => r.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          ordering,
        );
        assert.equal(ids.length, sim.snapshot('allocation').length);
      }
      const byMod = (await walk(`${sim.apiUrl}/entity/order_dtl/?ordering=-id&page_size=100`)).records;
      assert.ok(byMod[0].id > byMod[1].id, 'other entities still order');
    });
  });

  it('ropc-only: password grant with the WMS user and the client; client_credentials answers 400', async () => {
    await withSimulator({ rows: { order_dtl: 10 }, quirks: ['ropc-only'] }, async (sim) => {
      const refused = await token(sim, { grant_type: 'client_credentials' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'unsupported_grant_type');
      const wrongUser = await token(sim, { grant_type: 'password', username: 'wms_user', password: 'bad' });
      assert.equal(wrongUser.status, 400);
      assert.equal(wrongUser.body.error, 'invalid_grant');
      const issued = await token(sim, {
        grant_type: 'password',
        username: 'wms_user',
        password: 'wms_password',
        scope: 'urn:resource:fusion:scm:logistics:wms:lgfapi/',
      });
      assert.equal(issued.status, 200);
      assert.equal(issued.body.token_type, 'Bearer');
      const reply = await api(sim, '/entity/', {
        headers: { authorization: `Bearer ${issued.body.access_token}` },
      });
      assert.equal(reply.status, 200);
      // The client must still authenticate.
      const res = await fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type: 'password', username: 'wms_user', password: 'wms_password' }),
      });
      assert.equal(res.status, 401);
    });
    await withSimulator({ rows: { order_dtl: 10 } }, async (sim) => {
      assert.equal((await token(sim, { grant_type: 'client_credentials' })).status, 200);
    });
  });

  it('gateway-html-errors: 502/503/504 carry an HTML page; other errors keep the JSON body', async () => {
    await withSimulator(
      {
        rows: { order_dtl: 10 },
        quirks: ['gateway-html-errors'],
        faults: {
          gatewayTimeoutMs: 1,
          schedule: [
            { kind: '502', times: 1 },
            { kind: '503', times: 1 },
            { kind: '504', times: 1 },
            { kind: '500', times: 1 },
            { kind: '503', endpoint: 'token', times: 1 },
          ],
        },
      },
      async (sim) => {
        for (const status of [502, 503, 504]) {
          const reply = await api(sim, '/entity/order_dtl/');
          assert.equal(reply.status, status);
          assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
          assert.match(reply.text, new RegExp(`<title>${status} `));
          assert.equal(reply.json, undefined);
        }
        const server = await api(sim, '/entity/order_dtl/');
        assert.equal(server.status, 500);
        assert.ok(isErrorBody(server.json));
        assert.equal((await api(sim, '/entity/nope/')).status, 404);
        const tokenReply = await call(sim.tokenUrl, {
          method: 'POST',
          headers: { authorization: clientBasic, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        assert.equal(tokenReply.status, 503);
        assert.match(tokenReply.headers.get('content-type') ?? '', /^text\/html/);
      },
    );
    await withSimulator(
      { rows: { order_dtl: 10 }, faults: { schedule: [{ kind: '502', nth: 1 }] } },
      async (sim) => {
        const reply = await api(sim, '/entity/order_dtl/');
        assert.equal(reply.status, 502);
        assert.ok(isErrorBody(reply.json), 'JSON error body without the quirk');
      },
    );
  });
});

describe('quirks: child entities', () => {
  it('no-facility-on-children: order_dtl and allocation filter facility/company only through relation paths, slower', async () => {
    await withSimulator({ rows: { order_dtl: 120 }, quirks: ['no-facility-on-children'] }, async (sim) => {
      for (const entity of ['order_dtl', 'allocation']) {
        const { parameters, fields } = (await api(sim, `/entity/${entity}/describe/`)).json;
        assert.equal(fields.facility_id, undefined, entity);
        assert.equal(fields.company_id, undefined, entity);
        assert.ok(!parameters.includes('facility_id'));
        const row = (await api(sim, `/entity/${entity}/`)).json.results[0];
        assert.ok(!('facility_id' in row) && !('company_id' in row));
        assert.equal((await api(sim, `/entity/${entity}/?facility_id=1`)).status, 400);
        assert.equal((await api(sim, `/entity/${entity}/?facility_id__code=FAC1`)).status, 400);
      }
      const orders = sim.snapshot('order_hdr') as Json[];
      const lines = sim.snapshot('order_dtl') as Json[];
      const allocations = sim.snapshot('allocation') as Json[];
      const fac1 = new Set(orders.filter((o) => o.facility_id.key === 'FAC1').map((o) => o.id));
      const fac1Lines = lines.filter((l) => fac1.has(l.order_id.id)).map((l) => l.id);
      const started = Date.now();
      const viaOrder = await walk(
        `${sim.apiUrl}/entity/order_dtl/?order_id__facility_id__code=FAC1&ordering=id&page_size=1250`,
      );
      assert.ok(Date.now() - started >= 50, 'two relation hops cost at least 50 ms');
      assert.deepEqual(
        viaOrder.records.map((r) => r.id),
        fac1Lines,
      );
      const lineSet = new Set(fac1Lines);
      const viaLine = await walk(
        `${sim.apiUrl}/entity/allocation/?order_dtl_id__order_id__facility_id__code=FAC1&ordering=id&page_size=1250`,
      );
      assert.deepEqual(
        viaLine.records.map((r) => r.id),
        allocations.filter((a) => lineSet.has(a.order_dtl_id.id)).map((a) => a.id),
      );
      const company = await walk(`${sim.apiUrl}/entity/order_dtl/?order_id__company_id=1&page_size=1250`);
      assert.ok(company.records.length > 0);
      // Parents keep their fields.
      assert.ok('facility_id' in (orders[0] as Json));
    });
  });
});
