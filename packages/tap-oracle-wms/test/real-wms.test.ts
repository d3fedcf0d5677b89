// The tap against the behaviours of a real WMS that the simulator plays as quirks (issue 14).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { quoteDecimals } from '../src/streams/record-text.js';
import {
  basicConfig,
  errorLines,
  idsOf,
  keyRequests,
  lastState,
  listRequests,
  liveIds,
  oauthConfig,
  recordsOf,
  runTap,
} from './support/tap-run.js';

/** The last record of each id (a row read twice counts once, at its latest). */
function latestById(records: Record<string, unknown>[]): Map<number, Record<string, unknown>> {
  return new Map(records.map((record) => [record.id as number, record]));
}

describe('OAuth2 grant types', () => {
  test('password (ROPC): the WMS user and the client get a token where only that grant is allowed', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 10 }, quirks: 'ropc-only' });
    try {
      const run = await runTap(
        oauthConfig(sim, {
          oauth_grant_type: 'password',
          username: 'wms_user',
          password: 'wms_password',
          entities: ['order_dtl'],
        }),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), liveIds(sim, 'order_dtl'));
      assert.ok(sim.requests.filter((r) => !r.path.endsWith('/token')).every((r) => r.auth === 'bearer'));
      assert.ok(!run.stderr.includes('wms_password'));

      const refused = await runTap(oauthConfig(sim, { oauth_grant_type: 'client_credentials' }));
      assert.equal(refused.code, 1);
      assert.match(
        errorLines(refused).join('\n'),
        /rejected the OAuth2 client credentials \(HTTP 400 unsupported_grant_type\) .* — the identity domain app does not allow the client credentials grant: enable it on the app, or set oauth_grant_type to password/,
      );
    } finally {
      await sim.stop();
    }
  });

  test('password grant without username: a settings error naming it', async () => {
    const run = await runTap({
      base_url: 'http://127.0.0.1:9/demo',
      auth_method: 'oauth2',
      oauth_grant_type: 'password',
      oauth_token_url: 'http://127.0.0.1:9/token',
      oauth_client_id: 'c',
      oauth_client_secret: 's',
    });
    assert.equal(run.code, 2);
    assert.match(
      errorLines(run).join('\n'),
      /setting "username" is required when oauth_grant_type is password/,
    );
  });
});

describe('cursor-ties: a DRF cursor stuck inside a bulk group of one mod_ts', () => {
  let sim: Simulator;
  before(async () => {
    // A bulk group of 1300 rows at one mod_ts: past DRF's offset cap (1000) plus a page.
    sim = await startSimulator({
      rows: { order_dtl: 2000 },
      quirks: 'cursor-ties',
      bulkGroupRows: 1300,
      seed: 3,
    });
  });
  after(() => sim.stop());

  test('the tied instant is read by itself (by id): every row once, and the walk ends', async () => {
    const run = await runTap(
      basicConfig(sim, { entities: ['order_dtl'], page_size: 250, parallel_windows: 1, log_level: 'info' }),
    );
    assert.equal(run.code, 0, run.stderr);
    const ids = idsOf(recordsOf(run, 'order_dtl'));
    assert.deepEqual([...new Set(ids)], liveIds(sim, 'order_dtl'));
    assert.ok(ids.length <= liveIds(sim, 'order_dtl').length + 250, `${ids.length} records`);
    assert.match(run.stderr, /reading that second by id/);
    // The walk's requests (not the catch-up's one-row count probes): about two per page at most.
    const lists = listRequests(sim, 'order_dtl');
    assert.ok(
      lists.some((r) => r.query.ordering === 'id' && r.query.id__gt !== undefined),
      'keyed on id',
    );
    assert.ok(lists.length <= 2 * Math.ceil(ids.length / 250) + 4, `${lists.length} requests`);
  });
});

describe('ordering-ignored: allocation answers in id order', () => {
  test('the walk goes by id, says so once, and the bookmark moves only at the end', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 200 }, quirks: 'ordering-ignored', seed: 5 });
    try {
      const run = await runTap(
        basicConfig(sim, { entities: ['allocation'], page_size: 25, parallel_windows: 1 }),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual([...new Set(idsOf(recordsOf(run, 'allocation')))], liveIds(sim, 'allocation'));
      assert.equal(run.stderr.match(/ignores ordering=mod_ts,id/g)?.length, 1);
      const states = run.messages.filter((m) => m.type === 'STATE');
      const values = states.map((m) => m.value?.bookmarks?.allocation?.replication_key_value);
      assert.ok(
        values.slice(0, -1).every((value) => value === undefined),
        'no bookmark before the walk is complete',
      );
      assert.equal(
        values.at(-1),
        recordsOf(run, 'allocation')
          .map((r) => r.mod_ts as string)
          .sort((a, b) => Date.parse(a) - Date.parse(b))
          .at(-1),
      );
    } finally {
      await sim.stop();
    }
  });
});

describe('short-pages: paged mode with short pages, a shrinking page_count and a 500 past the end', () => {
  test('every row once; the walk ends on the 500 or the end of next_page, not on a short page', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 300 }, quirks: 'short-pages', seed: 8 });
    try {
      const run = await runTap(
        basicConfig(sim, { entities: ['order_dtl'], page_mode: 'paged', page_size: 20 }),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual([...new Set(idsOf(recordsOf(run, 'order_dtl')))], liveIds(sim, 'order_dtl'));
      const lists = listRequests(sim, 'order_dtl');
      assert.ok(lists.length <= 2 * Math.ceil(300 / 20) + 6, `${lists.length} requests`);
    } finally {
      await sim.stop();
    }
  });
});

describe('values that disagree with describe', () => {
  test('decimals as JSON numbers arrive as the same digits in strings; status_id typed as a relation stays an integer', async () => {
    const sim = await startSimulator({
      rows: { order_dtl: 30 },
      quirks: ['decimals-as-numbers', 'relation-status'],
    });
    try {
      const run = await runTap(basicConfig(sim, { entities: ['order_dtl'] }));
      assert.equal(run.code, 0, run.stderr);
      const records = recordsOf(run, 'order_dtl');
      const raw = run.stdout.split('\n').find((line) => line.includes('"type":"RECORD"'))!;
      assert.match(raw, /"cost":"-?\d+(\.\d+)?"/);
      for (const record of records) {
        const row = sim.snapshot('order_dtl').find((r) => r.id === record.id)!;
        if (typeof row.cost === 'number') assert.equal(Number(record.cost), row.cost);
        assert.equal(typeof record.status_id, 'number');
      }
      const schema = run.messages.find((m) => m.type === 'SCHEMA')!.schema!.properties;
      assert.deepEqual((schema.status_id as { type: string[] }).type, ['object', 'integer', 'null']);
    } finally {
      await sim.stop();
    }
  });

  test('quoteDecimals keeps every digit and leaves strings, nulls and other fields alone', () => {
    const raws = [
      '{"id":1,"cost":12.50,"qty":3,"price":"7.10","note":"\\"cost\\":1"}',
      '{"id":2,"cost":-0.000000000000000000012345678901234567890,"price":null}',
      '{"id":3,"cost":1e+21}',
    ];
    assert.deepEqual(quoteDecimals(raws, ['cost', 'price']), [
      '{"id":1,"cost":"12.50","qty":3,"price":"7.10","note":"\\"cost\\":1"}',
      '{"id":2,"cost":"-0.000000000000000000012345678901234567890","price":null}',
      '{"id":3,"cost":"1e+21"}',
    ]);
    const unchanged = ['{"id":1,"cost":"1.5"}'];
    assert.equal(quoteDecimals(unchanged, ['cost']), unchanged);
  });
});

describe("describe's parameters", () => {
  test('mod-ts-not-filterable: location replicates FULL_TABLE with ACTIVATE_VERSION, never filtered on mod_ts', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 20 }, quirks: 'mod-ts-not-filterable' });
    try {
      const discovered = await runTap(basicConfig(sim, { entities: ['location'] }), { args: ['--discover'] });
      assert.equal(discovered.code, 0, discovered.stderr);
      const catalog = JSON.parse(discovered.stdout) as {
        streams: { metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
      };
      const top = catalog.streams[0]!.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
      assert.equal(top['forced-replication-method'], 'FULL_TABLE');
      assert.equal(top['replication-key'], undefined);
      assert.match(discovered.stderr, /mod_ts is not among describe's filterable parameters: FULL_TABLE/);
      sim.clearRequests();
      const run = await runTap(basicConfig(sim, { entities: ['location'] }));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(idsOf(recordsOf(run, 'location')), liveIds(sim, 'location'));
      assert.equal(run.messages.filter((m) => m.type === 'ACTIVATE_VERSION').length, 2);
      assert.ok(
        listRequests(sim, 'location').every((r) => !Object.keys(r.query).some((k) => k.startsWith('mod_ts'))),
      );
    } finally {
      await sim.stop();
    }
  });

  test('no-facility-on-children: facility_code reaches order_dtl and allocation through their relations', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 60 }, quirks: 'no-facility-on-children' });
    try {
      const run = await runTap(
        basicConfig(sim, { entities: ['order_dtl', 'allocation'], facility_code: 'FAC1' }),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(listRequests(sim, 'order_dtl')[0]!.query.order_id__facility_id__code, 'FAC1');
      assert.equal(
        listRequests(sim, 'allocation')[0]!.query.order_dtl_id__order_id__facility_id__code,
        'FAC1',
      );
      const orders = new Map(
        sim.snapshot('order_hdr').map((r) => [r.id, (r.facility_id as { key: string }).key]),
      );
      const expected = sim
        .snapshot('order_dtl')
        .filter((r) => orders.get((r.order_id as { id: number }).id) === 'FAC1');
      assert.ok(expected.length > 0);
      assert.deepEqual([...new Set(idsOf(recordsOf(run, 'order_dtl')))], idsOf(expected));
    } finally {
      await sim.stop();
    }
  });
});

describe('entities "*"', () => {
  test('every entity of the entity list becomes a stream', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 10 } });
    try {
      const run = await runTap(basicConfig(sim, { entities: ['*'] }), { args: ['--discover'] });
      assert.equal(run.code, 0, run.stderr);
      const names = (JSON.parse(run.stdout) as { streams: { tap_stream_id: string }[] }).streams.map(
        (s) => s.tap_stream_id,
      );
      assert.deepEqual(names, [...sim.entities()].sort());
      assert.ok(names.length >= 12, `${names.length} entities`);
    } finally {
      await sim.stop();
    }
  });
});

describe('414: a URL too long with fields=', () => {
  test('is asked again without fields=, and the records are projected by the tap', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.includes('fields=')) {
        res.statusCode = 414;
        res.end('{"code":"URI_TOO_LONG","message":"Request-URI Too Long"}');
        return;
      }
      res.end(
        JSON.stringify({
          next_page: null,
          previous_page: null,
          results: [{ id: 1, mod_ts: '2025-01-01T00:00:00+00:00', extra: 'x', order_dtl_id: null }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runTap({
        base_url: `http://127.0.0.1:${port}/demo`,
        username: 'u',
        password: 'p',
        entities: ['allocation'],
        discovery_mode: 'bundled',
        late_rows_window_hours: 0,
        parallel_windows: 1,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /HTTP 414\); retrying with ordering=mod_ts,id and without fields=/);
      const records = recordsOf(run, 'allocation');
      assert.deepEqual(
        records.map((r) => r.id),
        [1],
      );
      assert.ok(!('extra' in records[0]!), 'projected to the catalog fields');
      assert.ok(seen.filter((url) => url.includes('/entity/allocation/')).length === 2);
    } finally {
      server.close();
    }
  });
});

describe('late-visible rows: the catch-up behind the bookmark', () => {
  test('a run without late rows costs a key listing per window hour, a request per id range and one create_ts request on top of its walk', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 400 }, seed: 21 });
    try {
      const config = basicConfig(sim, { entities: ['order_dtl'], page_size: 50, parallel_windows: 1 });
      let run = await runTap(config);
      assert.equal(run.code, 0, run.stderr);
      for (let round = 0; round < 2; round++) {
        const state = lastState(run);
        const deletes = 1;
        sim.advance({ entity: 'order_dtl', updates: 10, inserts: 5, deletes, seconds: 1800 });
        sim.clearRequests();
        run = await runTap(config, { state });
        assert.equal(run.code, 0, run.stderr);
        const keys = keyRequests(sim, 'order_dtl');
        const hourListings = keys.filter((r) => r.query.fields === 'id,mod_ts').length;
        const probes = keys.filter((r) => r.query.page_size === '1').length;
        const rangeListings = keys.length - hourListings - probes;
        // The hours of a 24 h window that start before the walk's lower bound, one request each
        // (an hour of up to 1250 rows).
        assert.ok(
          hourListings >= 24 && hourListings <= 25,
          `${hourListings} hour listings for a 24 h window`,
        );
        // One request per id range (at most 16): a listing of a range of up to 1250 rows, a count
        // probe of a larger one (then a listing only when its count changed: a deleted row).
        const rangeRequests = probes + rangeListings;
        assert.ok(
          rangeRequests >= 1 && rangeRequests <= 16 + deletes,
          `${probes} probes and ${rangeListings} listings of id ranges`,
        );
        const lists = listRequests(sim, 'order_dtl');
        assert.equal(lists.length, 2, 'one create_ts request and one walk page: nothing read again');
        assert.ok(lists.every((r) => r.query.id__in === undefined));
      }
    } finally {
      await sim.stop();
    }
  });

  test('late rows are all loaded by the next run, which reads again only the rows that arrived', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 400 }, quirks: 'late-commits', seed: 21 });
    try {
      const config = basicConfig(sim, {
        entities: ['order_dtl'],
        page_size: 50,
        parallel_windows: 1,
        log_level: 'info',
      });
      let run = await runTap(config);
      assert.equal(run.code, 0, run.stderr);
      const loaded = latestById(recordsOf(run, 'order_dtl'));
      const late = new Set<number>();
      const revealed = new Set<number>();
      for (let round = 0; round < 3; round++) {
        const state = lastState(run);
        const change = sim.advance({
          entity: 'order_dtl',
          updates: 20,
          inserts: 10,
          deletes: 2,
          seconds: 1800,
        });
        for (const id of change.changes.order_dtl?.late ?? []) late.add(id);
        for (const id of change.changes.order_dtl?.revealed ?? []) revealed.add(id);
        sim.clearRequests();
        run = await runTap(config, { state });
        assert.equal(run.code, 0, run.stderr);
        for (const [id, record] of latestById(recordsOf(run, 'order_dtl'))) loaded.set(id, record);
        const line = run.stderr.split('\n').find((l) => l.includes('late rows catch-up'))!;
        const report = JSON.parse(line) as {
          arrivals: number;
          reread_hours: number;
          reread_id_ranges: number;
        };
        // Differences this small peel: no hour or id range is read again whole.
        assert.equal(report.reread_hours, 0, line);
        assert.equal(report.reread_id_ranges, 0, line);
        // Rows are read again by id alone, 100 ids a request: the requests follow the arrivals.
        const byId = listRequests(sim, 'order_dtl').filter((r) => r.query.id__in !== undefined);
        const asked = byId.reduce((sum, r) => sum + r.query.id__in!.split(',').length, 0);
        assert.equal(asked, report.arrivals, line);
        // (Those of the hours and those of the id ranges are asked apart.)
        assert.ok(byId.length <= Math.ceil(report.arrivals / 100) + 1, `${byId.length} requests by id`);
      }
      assert.ok(late.size > 0 && revealed.size > 0, 'the advances committed rows late and revealed old ones');
      // Every live row is loaded with its latest mod_ts: late rows and revealed rows included.
      const behind = sim
        .snapshot('order_dtl')
        .filter((row) => loaded.get(row.id as number)?.mod_ts !== row.mod_ts)
        .map((row) => row.id as number);
      assert.deepEqual(behind, []);
      // What the catch-up keeps is small and bounded: a table per hour of the window, 16 id ranges.
      const kept = lastState(run)?.bookmarks?.order_dtl?.late_rows as {
        hours: Record<string, string>;
        ids: unknown[];
      };
      assert.ok(Object.keys(kept.hours).length <= 25, 'hours kept');
      assert.ok(kept.ids.length <= 16, 'id ranges kept');
      const size = JSON.stringify(kept).length;
      assert.ok(size <= 25 * 2048 + 16 * 600, `${size} characters kept`);
    } finally {
      await sim.stop();
    }
  });
});
