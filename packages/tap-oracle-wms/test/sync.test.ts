import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import {
  basicConfig,
  idsOf,
  lastState,
  listRequests,
  liveIds,
  recordsOf,
  runTap,
  type TapRun,
} from './support/tap-run.js';

interface Catalog {
  streams: Array<{
    tap_stream_id: string;
    metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
  }>;
}

async function discover(config: Record<string, unknown>): Promise<Catalog> {
  const run = await runTap(config, { args: ['--discover'] });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Catalog;
}

/** Selects the given streams, and within them only the given fields (plus the automatic ones). */
function select(catalog: Catalog, choice: Record<string, string[] | 'all'>): Catalog {
  for (const stream of catalog.streams) {
    const wanted = choice[stream.tap_stream_id];
    for (const item of stream.metadata) {
      if (item.breadcrumb.length === 0) item.metadata.selected = wanted !== undefined;
      else if (wanted !== undefined && wanted !== 'all')
        item.metadata.selected = wanted.includes(item.breadcrumb[1]!);
    }
  }
  return catalog;
}

const types = (run: TapRun, stream: string): string[] =>
  run.messages.filter((m) => m.stream === stream || m.type === 'STATE').map((m) => m.type);

describe('sync', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      rows: { order_dtl: 60 },
      seed: 7,
      faults: { orderingErrors: { order_hdr: ['mod_ts'] } },
    });
  });
  after(() => sim.stop());

  test('only selected streams and fields; fields= sent; SCHEMA first; time_extracted on records', async () => {
    const config = basicConfig(sim);
    const catalog = select(await discover(config), { order_dtl: ['ord_qty', 'order_id'] });
    sim.clearRequests();
    const run = await runTap(config, { catalog });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual([...new Set(run.messages.filter((m) => m.stream).map((m) => m.stream))], ['order_dtl']);
    const first = run.messages[0]!;
    assert.equal(first.type, 'SCHEMA');
    assert.deepEqual(Object.keys(first.schema!.properties).sort(), ['id', 'mod_ts', 'ord_qty', 'order_id']);
    assert.deepEqual(first.key_properties, ['id']);
    assert.deepEqual(first.bookmark_properties, ['mod_ts']);
    const records = recordsOf(run, 'order_dtl');
    assert.deepEqual(idsOf(records), liveIds(sim, 'order_dtl'));
    for (const record of records)
      assert.deepEqual(Object.keys(record).sort(), ['id', 'mod_ts', 'ord_qty', 'order_id']);
    assert.equal(typeof records[0]!.ord_qty, 'string');
    for (const m of run.messages.filter((m) => m.type === 'RECORD'))
      assert.match(m.time_extracted ?? '', /^\d{4}-\d\d-\d\dT.*Z$/);
    const requests = listRequests(sim, 'order_dtl');
    assert.deepEqual(requests[0]!.query.fields!.split(',').sort(), ['id', 'mod_ts', 'ord_qty', 'order_id']);
    assert.equal(requests[0]!.query.ordering, 'mod_ts,id');
    assert.equal(requests[0]!.query.page_mode, 'sequenced');
    assert.equal(listRequests(sim, 'order_hdr').length, 0);
    // a STATE after every page: 60 rows in pages of 7 -> 9 pages, plus the closing state.
    assert.equal(run.messages.filter((m) => m.type === 'STATE').length, 10);
  });

  for (const mode of ['sequenced', 'paged'] as const) {
    test(`${mode} paging returns every row once, following next_page`, async () => {
      sim.clearRequests();
      const run = await runTap(basicConfig(sim, { page_mode: mode, entities: ['order_dtl', 'allocation'] }));
      assert.equal(run.code, 0, run.stderr);
      for (const entity of ['order_dtl', 'allocation']) {
        const ids = idsOf(recordsOf(run, entity));
        assert.deepEqual(ids, liveIds(sim, entity), `${entity} in ${mode} mode`);
        const pages = listRequests(sim, entity);
        assert.equal(pages.length, Math.ceil(ids.length / 7));
        if (mode === 'sequenced') assert.ok(pages.slice(1).every((r) => r.query.cursor !== undefined));
        else
          assert.deepEqual(
            pages.map((r) => r.query.page ?? '1'),
            pages.map((_, i) => String(i + 1)),
          );
      }
    });
  }

  test('facility_code, company_code and entity_filters become lgfapi filters', async () => {
    sim.clearRequests();
    const run = await runTap(
      basicConfig(sim, {
        entities: ['order_hdr', 'order_dtl'],
        facility_code: 'FAC1',
        company_code: 'COMP1',
        entity_filters: { order_hdr: { status_id__in: '0,10,20,30,40,50,90,99' } },
      }),
    );
    assert.equal(run.code, 0, run.stderr);
    const hdr = listRequests(sim, 'order_hdr')[0]!.query;
    assert.equal(hdr.facility_id__code, 'FAC1');
    assert.equal(hdr.company_id__code, 'COMP1');
    assert.equal(hdr.status_id__in, '0,10,20,30,40,50,90,99');
    const records = recordsOf(run, 'order_hdr');
    assert.ok(records.every((r) => (r.facility_id as { key: string }).key === 'FAC1'));
    const expected = sim
      .snapshot('order_hdr')
      .filter(
        (r) =>
          (r.facility_id as { key: string }).key === 'FAC1' &&
          (r.company_id as { key: string }).key === 'COMP1',
      );
    assert.deepEqual(idsOf(records), idsOf(expected));
  });

  test('a filtered list answering 404 is a stream without rows, not a failure', async () => {
    const run = await runTap(
      basicConfig(sim, { entities: ['order_dtl'], entity_filters: { order_dtl: { id__gt: 1_000_000 } } }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(types(run, 'order_dtl'), ['SCHEMA', 'STATE']);
  });

  test('a 400 on ordering falls back to id ordering and says so', async () => {
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, { entities: ['order_hdr'] }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_hdr')), liveIds(sim, 'order_hdr'));
    const requests = listRequests(sim, 'order_hdr');
    assert.equal(requests[0]!.status, 400);
    assert.equal(requests[1]!.query.ordering, 'id');
    assert.match(run.stderr, /refused the query \(HTTP 400\); retrying with ordering=id/);
    // Not ordered by mod_ts: intermediate states keep no bookmark; the last one has the maximum.
    const states = run.messages.filter((m) => m.type === 'STATE');
    assert.equal(states.at(-2)?.value?.bookmarks?.order_hdr?.replication_key_value, undefined);
    assert.ok(states.at(-1)?.value?.bookmarks?.order_hdr?.replication_key_value);
  });

  test('a field the WMS does not know (400 on fields=) falls back to unfiltered pages projected by the tap', async () => {
    const config = basicConfig(sim, { entities: ['order_dtl'] });
    const catalog = select(await discover(config), { order_dtl: ['ord_qty'] }) as Catalog & {
      streams: Array<{ schema: { properties: Record<string, unknown> } }>;
    };
    // A bundled or stale schema may name a field this release lacks.
    catalog.streams[0]!.schema.properties.retired_field = { type: ['string', 'null'] };
    catalog.streams[0]!.metadata.push({
      breadcrumb: ['properties', 'retired_field'],
      metadata: { selected: true },
    });
    sim.clearRequests();
    const run = await runTap(config, { catalog });
    assert.equal(run.code, 0, run.stderr);
    const records = recordsOf(run, 'order_dtl');
    assert.deepEqual(idsOf(records), liveIds(sim, 'order_dtl'));
    for (const record of records) assert.deepEqual(Object.keys(record).sort(), ['id', 'mod_ts', 'ord_qty']);
    const requests = listRequests(sim, 'order_dtl');
    assert.deepEqual(
      requests.slice(0, 4).map((r) => r.status),
      [400, 400, 400, 200],
    );
    assert.equal(requests[3]!.query.fields, undefined);
    assert.equal(requests[3]!.query.ordering, 'mod_ts,id');
    assert.match(run.stderr, /without fields=/);
  });

  test('metrics: record_count per stream and http_request_duration with status tags', async () => {
    const run = await runTap(
      basicConfig(sim, { entities: ['order_dtl'], log_level: 'info', metrics_interval_seconds: 0 }),
    );
    assert.equal(run.code, 0, run.stderr);
    const metrics = run.stderr
      .split('\n')
      .filter((line) => line.includes('METRIC: '))
      .map(
        (line) =>
          JSON.parse((JSON.parse(line) as { msg: string }).msg.slice('METRIC: '.length)) as {
            metric: string;
            value: number;
            tags: Record<string, unknown>;
          },
      );
    const counted = metrics
      .filter((m) => m.metric === 'record_count' && m.tags.stream === 'order_dtl')
      .reduce((sum, m) => sum + m.value, 0);
    assert.equal(counted, liveIds(sim, 'order_dtl').length);
    const timers = metrics.filter((m) => m.metric === 'http_request_duration');
    assert.ok(
      timers.some(
        (m) => m.tags.endpoint === 'list' && m.tags.stream === 'order_dtl' && m.tags.status === 200,
      ),
    );
    assert.ok(timers.some((m) => m.tags.endpoint === 'describe'));
    assert.doesNotMatch(run.stderr, /wms_password/);
  });

  test('SIGTERM stops between pages: exit 143, every line written is whole, the last STATE covers the records', async () => {
    sim.setFaults({ slowMs: 300, schedule: [{ kind: 'slow', entity: 'order_dtl', endpoint: 'list' }] });
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl'], discovery_mode: 'bundled' }), {
      onFirstRecord: (pid) => process.kill(pid, 'SIGTERM'),
    });
    sim.setFaults(undefined);
    assert.equal(run.code, 143, run.stderr);
    assert.equal(run.messages.at(-1)?.type, 'STATE');
    const written = recordsOf(run, 'order_dtl');
    assert.ok(written.length > 0 && written.length < liveIds(sim, 'order_dtl').length);
    assert.equal(lastState(run)?.bookmarks?.order_dtl?.replication_key_value, written.at(-1)?.mod_ts);
  });

  test('streams run concurrently, each in order: SCHEMA, then pages each followed by STATE', async () => {
    const run = await runTap(basicConfig(sim, { max_concurrent_streams: 3 }));
    assert.equal(run.code, 0, run.stderr);
    for (const entity of ['allocation', 'order_hdr', 'order_dtl']) {
      const own = run.messages.filter((m) => m.stream === entity);
      assert.equal(own[0]!.type, 'SCHEMA');
      assert.ok(own.slice(1).every((m) => m.type === 'RECORD'));
    }
    const streamsSeen = new Set(run.messages.slice(0, 6).map((m) => m.stream));
    assert.ok(streamsSeen.size >= 2, 'schemas of several streams come first: they started together');
  });
});
