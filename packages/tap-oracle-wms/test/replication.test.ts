import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { instantMicros } from '../src/streams/bookmarks.js';
import {
  basicConfig,
  idsOf,
  lastState,
  listRequests,
  liveIds,
  recordsOf,
  runTap,
} from './support/tap-run.js';

const OVERLAP = 300;
const WHOLE_SECONDS_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

const maxInstant = (records: Record<string, unknown>[]): number =>
  Math.max(...records.map((r) => instantMicros(r.mod_ts as string)));

describe('incremental replication on mod_ts', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 80 }, seed: 11 });
  });
  after(() => sim.stop());

  test('across simulator changes nothing is missed and repeats stay inside the overlap', async () => {
    const config = basicConfig(sim, { entities: ['order_dtl'], replication_overlap_seconds: OVERLAP });
    const first = await runTap(config);
    assert.equal(first.code, 0, first.stderr);
    const firstRecords = recordsOf(first, 'order_dtl');
    assert.deepEqual(idsOf(firstRecords), liveIds(sim, 'order_dtl'));
    const state = lastState(first);
    const bookmark = state?.bookmarks?.order_dtl?.replication_key_value as string;
    assert.equal(state?.bookmarks?.order_dtl?.replication_key, 'mod_ts');
    // The bookmark is the latest instant seen, as the API rendered it (offsets differ per facility).
    assert.equal(instantMicros(bookmark), maxInstant(firstRecords));
    assert.ok(firstRecords.some((r) => r.mod_ts === bookmark));

    let previousRun = first;
    for (let round = 0; round < 3; round++) {
      const change = sim.advance({ entity: 'order_dtl', updates: 6, inserts: 4, deletes: 1, seconds: 900 });
      const changed = change.changes.order_dtl!;
      sim.clearRequests();
      const previous = lastState(previousRun);
      const before = previous?.bookmarks?.order_dtl?.replication_key_value as string;
      const run = await runTap(config, { state: previous });
      assert.equal(run.code, 0, run.stderr);
      const records = recordsOf(run, 'order_dtl');
      const seen = new Set(idsOf(records));
      for (const id of [...changed.updated, ...changed.inserted])
        assert.ok(seen.has(id), `round ${round}: changed row ${id} missed`);
      const lowest = instantMicros(before) - OVERLAP * 1_000_000;
      const changedSet = new Set([...changed.updated, ...changed.inserted]);
      for (const record of records) {
        if (changedSet.has(record.id as number)) continue;
        assert.ok(
          instantMicros(record.mod_ts as string) >= lowest - 1_000_000,
          `row ${record.id} repeated outside the overlap`,
        );
      }
      // The walk's first request (the late-rows catch-up's probes and passes come before it).
      const query = listRequests(sim, 'order_dtl').find(
        (r) => r.query.ordering === 'mod_ts,id' && r.query.create_ts__gte === undefined,
      )!.query;
      assert.match(query.mod_ts__gte!, WHOLE_SECONDS_UTC);
      assert.match(query.mod_ts__lt!, WHOLE_SECONDS_UTC);
      assert.equal(Date.parse(query.mod_ts__gte!) * 1000, Math.floor(lowest / 1_000_000) * 1_000_000);
      assert.ok(Date.parse(query.mod_ts__lt!) >= Date.now() - 60_000);
      assert.equal(query.ordering, 'mod_ts,id');
      const after = lastState(run)?.bookmarks?.order_dtl?.replication_key_value as string;
      assert.ok(instantMicros(after) >= instantMicros(before));
      previousRun = run;
    }
  });

  test('a run stopped mid-way resumes from its last STATE without losing rows', async () => {
    const config = basicConfig(sim, {
      entities: ['order_dtl'],
      max_retries: 0,
      replication_overlap_seconds: 0,
    });
    sim.setFaults({ schedule: [{ kind: '500', entity: 'order_dtl', endpoint: 'list', nth: 4 }] });
    const broken = await runTap(config);
    sim.setFaults(undefined);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      /entity order_dtl: giving up on .*entity\/order_dtl\/ after 1 attempts \(last: HTTP 500\)/,
    );
    const partial = recordsOf(broken, 'order_dtl');
    assert.equal(partial.length, 21, 'three pages of 7 made it out');
    const state = lastState(broken);
    assert.equal(state?.bookmarks?.order_dtl?.replication_key_value, partial.at(-1)?.mod_ts);
    const resumed = await runTap(config, { state });
    assert.equal(resumed.code, 0, resumed.stderr);
    const union = new Set([...idsOf(partial), ...idsOf(recordsOf(resumed, 'order_dtl'))]);
    assert.deepEqual(
      [...union].sort((a, b) => a - b),
      liveIds(sim, 'order_dtl'),
    );
  });

  test('start_date bounds the first run', async () => {
    const all = sim.snapshot('order_dtl');
    const instants = all.map((r) => instantMicros(r.mod_ts as string)).sort((a, b) => a - b);
    const middle = instants[Math.floor(instants.length / 2)]!;
    const startDate = new Date(Math.floor(middle / 1000)).toISOString();
    sim.clearRequests();
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl'], start_date: startDate }));
    assert.equal(run.code, 0, run.stderr);
    const floorSecond = Math.floor(middle / 1_000_000) * 1_000_000;
    const expected = all.filter((r) => instantMicros(r.mod_ts as string) >= floorSecond);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), idsOf(expected));
    assert.match(listRequests(sim, 'order_dtl')[0]!.query.mod_ts__gte!, WHOLE_SECONDS_UTC);
  });
});

describe('full table replication', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 40 }, seed: 5 });
  });
  after(() => sim.stop());

  async function fullTableCatalog(): Promise<unknown> {
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl'] }), { args: ['--discover'] });
    const catalog = JSON.parse(run.stdout) as {
      streams: Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    // What Meltano's full-sync variant does: force the method through metadata.
    catalog.streams[0]!.metadata[0]!.metadata['replication-method'] = 'FULL_TABLE';
    return catalog;
  }

  test('ACTIVATE_VERSION before the first record and after the last; deletes disappear on the next run', async () => {
    const catalog = await fullTableCatalog();
    const config = basicConfig(sim, { entities: ['order_dtl'] });
    const first = await runTap(config, { catalog });
    assert.equal(first.code, 0, first.stderr);
    const own = first.messages.filter((m) => m.stream === 'order_dtl');
    assert.deepEqual(
      own.slice(0, 2).map((m) => m.type),
      ['SCHEMA', 'ACTIVATE_VERSION'],
    );
    assert.equal(own.at(-1)?.type, 'ACTIVATE_VERSION');
    const version = own[1]!.version!;
    assert.equal(own.at(-1)?.version, version);
    const records = first.messages.filter((m) => m.type === 'RECORD');
    assert.ok(records.every((m) => m.version === version));
    assert.deepEqual(idsOf(recordsOf(first, 'order_dtl')), liveIds(sim, 'order_dtl'));
    assert.equal(listRequests(sim, 'order_dtl')[0]!.query.ordering, 'id');
    assert.equal(listRequests(sim, 'order_dtl')[0]!.query.mod_ts__gte, undefined);
    const done = lastState(first)?.bookmarks?.order_dtl;
    assert.equal(done?.version, undefined);
    assert.equal(done?.replication_key, 'mod_ts');
    assert.equal(
      instantMicros(done?.replication_key_value as string),
      maxInstant(recordsOf(first, 'order_dtl')),
    );

    const change = sim.advance({ entity: 'order_dtl', deletes: 4 });
    const deleted = change.changes.order_dtl!.deleted;
    assert.equal(deleted.length, 4);
    const second = await runTap(config, { catalog, state: lastState(first) });
    assert.equal(second.code, 0, second.stderr);
    const secondVersion = second.messages.find((m) => m.type === 'ACTIVATE_VERSION')!.version!;
    assert.ok(secondVersion > version);
    const ids = idsOf(recordsOf(second, 'order_dtl'));
    assert.deepEqual(ids, liveIds(sim, 'order_dtl'));
    for (const id of deleted) assert.ok(!ids.includes(id));
  });

  test('an interrupted full table run resumes its version without a fresh ACTIVATE_VERSION first', async () => {
    const catalog = await fullTableCatalog();
    const run = await runTap(basicConfig(sim, { entities: ['order_dtl'] }), {
      catalog,
      state: { bookmarks: { order_dtl: { version: 1234 } } },
    });
    assert.equal(run.code, 0, run.stderr);
    const own = run.messages.filter((m) => m.stream === 'order_dtl');
    assert.deepEqual(
      own.slice(0, 2).map((m) => m.type),
      ['SCHEMA', 'RECORD'],
    );
    assert.ok(own.filter((m) => m.type === 'RECORD').every((m) => m.version === 1234));
    assert.deepEqual(own.at(-1), { type: 'ACTIVATE_VERSION', stream: 'order_dtl', version: 1234 });
    const middle = run.messages.filter((m) => m.type === 'STATE')[0]!;
    assert.equal(middle.value?.bookmarks?.order_dtl?.version, 1234);
  });
});
