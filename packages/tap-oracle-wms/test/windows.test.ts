import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RequestFaultKind, type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { instantMicros } from '../src/streams/bookmarks.js';
import {
  basicConfig,
  errorLines,
  idsOf,
  lastState,
  listRequests,
  type Message,
  recordsOf,
  runTap,
  type TapRun,
} from './support/tap-run.js';

/** Every record of the run as the target would hold it (upsert by id), in id order. */
const upserted = (runs: TapRun[], stream: string): Record<string, unknown>[] => {
  const rows = new Map<number, Record<string, unknown>>();
  for (const run of runs) for (const record of recordsOf(run, stream)) rows.set(record.id as number, record);
  return [...rows.values()].sort((a, b) => (a.id as number) - (b.id as number));
};

/** The distinct mod_ts windows the list requests asked for (first pages only: no cursor, no probe). */
const windowsAsked = (sim: Simulator, entity: string): string[] =>
  listRequests(sim, entity)
    .filter((r) => r.query.cursor === undefined && r.query.page_size !== '1')
    .map((r) => `${r.query.mod_ts__gte ?? ''}..${r.query.mod_ts__lt}`);

/**
 * Replays the output: at each STATE, every row before its bookmark must already have been written,
 * and the bookmark never goes back. Returns how many STATEs carried a bookmark.
 */
function assertStatesCovered(run: TapRun, sim: Simulator, stream: string): number {
  const truth = sim
    .snapshot(stream)
    .map((r) => ({ id: r.id as number, at: instantMicros(r.mod_ts as string) }));
  const written = new Set<number>();
  let states = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (const message of run.messages as Message[]) {
    if (message.type === 'RECORD' && message.stream === stream) written.add(message.record!.id as number);
    if (message.type !== 'STATE') continue;
    const value = message.value?.bookmarks?.[stream]?.replication_key_value;
    if (typeof value !== 'string') continue;
    const bookmark = instantMicros(value);
    assert.ok(bookmark >= previous, 'the bookmark never goes back');
    previous = bookmark;
    states++;
    const missing = truth.filter((row) => row.at < bookmark && !written.has(row.id));
    assert.deepEqual(missing, [], `STATE ${value} passes rows not yet written`);
  }
  return states;
}

const windowed = (sim: Simulator, extra: Record<string, unknown> = {}) =>
  basicConfig(sim, { entities: ['order_dtl'], page_size: 40, parallel_windows: 4, ...extra });

describe('window-parallel extraction', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 1500 }, seed: 17, pageLatencyMs: 40 });
  });
  after(() => sim.stop());

  test('splits the range into windows fetched at once and writes every row exactly as served', async () => {
    sim.clearRequests();
    sim.resetLoadPeaks();
    const run = await runTap(windowed(sim, { max_concurrent_streams: 1, log_level: 'info' }));
    assert.equal(run.code, 0, run.stderr);
    const records = recordsOf(run, 'order_dtl');
    assert.deepEqual(idsOf(records), idsOf(sim.snapshot('order_dtl')), 'each row once');
    assert.deepEqual(upserted([run], 'order_dtl'), sim.snapshot('order_dtl'));
    const windows = new Set(windowsAsked(sim, 'order_dtl'));
    assert.ok(windows.size >= 4, `several windows asked for: ${[...windows].join(' ')}`);
    // Split points are whole seconds (what filters take); each starts one window.
    const lowers = [...windows].map((w) => w.split('..')[0]!).filter((lower) => lower !== '');
    assert.equal(new Set(lowers).size, lowers.length);
    for (const lower of lowers) assert.match(lower, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const load = sim.load();
    assert.ok(load.peakActive >= 2, `windows ran at the same time (peak ${load.peakActive})`);
    assert.ok(load.peakActive <= 4, `the request budget (1 x 4) holds (peak ${load.peakActive})`);
    // The tap says how many it had in flight at most: what to watch against a shared WMS.
    const said = /"request_budget":4,"requests_in_flight_peak":(\d+)/.exec(run.stderr);
    assert.ok(said !== null, 'the peak is logged');
    assert.ok(Number(said[1]) >= 2 && Number(said[1]) <= 4, `logged peak ${said[1]}`);
    // The closing bookmark is the latest instant served, as the API rendered it.
    const bookmark = lastState(run)?.bookmarks?.order_dtl?.replication_key_value as string;
    const latest = Math.max(...sim.snapshot('order_dtl').map((r) => instantMicros(r.mod_ts as string)));
    assert.equal(instantMicros(bookmark), latest);
  });

  test('STATE only moves over the windows complete from the start of the range', async () => {
    const run = await runTap(windowed(sim));
    assert.equal(run.code, 0, run.stderr);
    const states = assertStatesCovered(run, sim, 'order_dtl');
    assert.ok(states >= 3, `the bookmark moved during the run (${states} STATEs)`);
  });

  test('the two budgets together: max_concurrent_streams x parallel_windows requests in flight', async () => {
    sim.resetLoadPeaks();
    const run = await runTap(
      windowed(sim, {
        entities: ['order_hdr', 'order_dtl', 'allocation'],
        max_concurrent_streams: 2,
        parallel_windows: 2,
      }),
    );
    assert.equal(run.code, 0, run.stderr);
    for (const entity of ['order_hdr', 'order_dtl', 'allocation'])
      assert.deepEqual(upserted([run], entity), sim.snapshot(entity), entity);
    const peak = sim.load().peakActive;
    assert.ok(peak <= 4, `peak ${peak} requests in flight, budget 4`);
    assert.ok(peak >= 3, `streams and windows overlapped (peak ${peak})`);
  });

  test('a WMS serving fewer requests at once than the tap asks for: requests queue, rows stay exact', async () => {
    const busy = await startSimulator({
      rows: { order_dtl: 600 },
      seed: 17,
      pageLatencyMs: 40,
      maxConcurrentRequests: 2,
    });
    try {
      const run = await runTap(windowed(busy, { page_size: 30, parallel_windows: 6 }));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(upserted([run], 'order_dtl'), busy.snapshot('order_dtl'));
      const load = busy.load();
      assert.equal(load.peakActive, 2);
      assert.ok(
        load.peakQueued >= 1,
        `the tap had more in flight than the WMS served (${load.peakQueued} queued)`,
      );
    } finally {
      await busy.stop();
    }
  });

  test('a run with less than a page costs one request, as without windows', async () => {
    const first = await runTap(windowed(sim));
    const change = sim.advance({ entity: 'order_dtl', updates: 5, inserts: 3, deletes: 0, seconds: 3600 });
    sim.clearRequests();
    // Without the late-rows catch-up, whose requests are counted in real-wms.test.ts.
    const run = await runTap(windowed(sim, { replication_overlap_seconds: 0, late_rows_window_hours: 0 }), {
      state: lastState(first),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(listRequests(sim, 'order_dtl').length, 1);
    const seen = new Set(idsOf(recordsOf(run, 'order_dtl')));
    const changed = [...change.changes.order_dtl!.updated, ...change.changes.order_dtl!.inserted];
    assert.deepEqual(
      changed.filter((id) => !seen.has(id)),
      [],
    );
    // The changed rows, plus those sharing the bookmark's second (mod_ts__gte is whole seconds).
    assert.ok(seen.size < 12, `${seen.size} rows`);
  });

  test('incremental runs after changes keep the table exact', async () => {
    const runs = [await runTap(windowed(sim))];
    for (let round = 0; round < 3; round++) {
      sim.advance({ entity: 'order_dtl', updates: 300, inserts: 120, deletes: 0, seconds: 600 });
      const run = await runTap(windowed(sim, { page_size: 25 }), { state: lastState(runs.at(-1)!) });
      assert.equal(run.code, 0, run.stderr);
      runs.push(run);
      assert.deepEqual(upserted(runs, 'order_dtl'), sim.snapshot('order_dtl'), `round ${round}`);
    }
  });

  test('paged mode: windows give the same rows', async () => {
    const run = await runTap(windowed(sim, { page_mode: 'paged' }));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(idsOf(recordsOf(run, 'order_dtl')), idsOf(sim.snapshot('order_dtl')));
  });

  test('a WMS refusing mod_ts ordering: no windows, every row, and the log says why', async () => {
    sim.setFaults({ orderingErrors: { order_dtl: ['mod_ts'] } });
    try {
      sim.clearRequests();
      const run = await runTap(windowed(sim));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(upserted([run], 'order_dtl'), sim.snapshot('order_dtl'));
      assert.equal(new Set(windowsAsked(sim, 'order_dtl')).size, 1, 'one walk');
      assert.deepEqual(errorLines(run), []);
    } finally {
      sim.setFaults(undefined);
    }
  });
});

describe('window-parallel extraction against a WMS that ignores ordering', () => {
  test('an entity ignoring ordering is noticed: one walk, every row', async () => {
    const sim = await startSimulator({ rows: { order_dtl: 400 }, seed: 29, quirks: ['ordering-ignored'] });
    try {
      sim.clearRequests();
      const run = await runTap(windowed(sim, { entities: ['allocation'], page_size: 30 }));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(upserted([run], 'allocation'), sim.snapshot('allocation'));
      assert.equal(new Set(windowsAsked(sim, 'allocation')).size, 1, 'one walk');
      // The walk notices first (its first page is out of mod_ts order) or the windows' probe does.
      assert.match(
        run.stderr,
        /not splitting into windows: the WMS does not seem to order by mod_ts|the WMS ignores ordering=mod_ts,id/,
      );
    } finally {
      await sim.stop();
    }
  });
});

describe('window-parallel extraction under faults', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ rows: { order_dtl: 600 }, seed: 23 });
  });
  after(() => sim.stop());

  const kinds: RequestFaultKind[] = ['500', '503', '429', '409', 'reset', 'truncated', 'slow', '504'];
  for (const kind of kinds) {
    test(`${kind} on list pages: the table is still exact`, async () => {
      sim.setFaults({
        schedule: [{ kind, entity: 'order_dtl', endpoint: 'list', nth: [2, 3, 6, 9] }],
        slowMs: 50,
        gatewayTimeoutMs: 20,
      });
      try {
        const run = await runTap(windowed(sim, { page_size: 30 }));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(upserted([run], 'order_dtl'), sim.snapshot('order_dtl'));
      } finally {
        sim.setFaults(undefined);
      }
    });
  }

  test('a random mix of every fault kind at 20%, in sequenced and paged mode', async () => {
    for (const page_mode of ['sequenced', 'paged']) {
      sim.setFaults({ rate: 0.2, seed: 5, slowMs: 30, gatewayTimeoutMs: 10 });
      try {
        const run = await runTap(windowed(sim, { page_size: 30, page_mode, max_retries: 10 }));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(upserted([run], 'order_dtl'), sim.snapshot('order_dtl'), page_mode);
      } finally {
        sim.setFaults(undefined);
      }
    }
  });

  test('a failure that outlasts the retries fails the run naming the entity, after STATEs that stand', async () => {
    sim.setFaults({ schedule: [{ kind: '503', entity: 'order_dtl', endpoint: 'list', page: 2 }] });
    try {
      const run = await runTap(windowed(sim, { page_size: 30, max_retries: 2 }));
      assert.equal(run.code, 1);
      assert.match(errorLines(run).join('\n'), /entity order_dtl: giving up/);
      // The failed window is not complete: no STATE passes its rows.
      assertStatesCovered(run, sim, 'order_dtl');
    } finally {
      sim.setFaults(undefined);
    }
  });
});
