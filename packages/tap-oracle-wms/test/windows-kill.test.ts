import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { instantMicros } from '../src/streams/bookmarks.js';
import { basicConfig, lastState, recordsOf, runTap, type TapRun } from './support/tap-run.js';

const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

/** The i-th kill moment (0..range ms) of this seed: a failing run replays with KILL_SEED. */
const moment = (i: number, range: number): number => Math.abs((SEED * 7919 + i * 104_729) % range);

describe(`a window-parallel run killed at random moments (KILL_SEED=${SEED})`, () => {
  let sim: Simulator;
  before(async () => {
    // Server time makes the run last long enough to be killed in the middle, windows in flight.
    sim = await startSimulator({ rows: { order_dtl: 4000 }, seed: 31, pageLatencyMs: 120 });
  });
  after(() => sim.stop());

  test('resumes from its last STATE, every time, to an exact table', { timeout: 120_000 }, async () => {
    const config = basicConfig(sim, {
      entities: ['order_dtl', 'order_hdr'],
      page_size: 100,
      parallel_windows: 4,
      max_concurrent_streams: 2,
    });
    /** The target's table: every RECORD that made it out, upserted by id. */
    const table = new Map<string, Map<number, Record<string, unknown>>>();
    const load = (run: TapRun): void => {
      for (const stream of ['order_dtl', 'order_hdr']) {
        const rows = table.get(stream) ?? new Map<number, Record<string, unknown>>();
        for (const record of recordsOf(run, stream)) rows.set(record.id as number, record);
        table.set(stream, rows);
      }
    };
    let state: unknown;
    let killedMidway = 0;
    let aheadOfState = 0;
    for (let round = 0; round < 6; round++) {
      if (round === 3) sim.advance({ updates: 400, inserts: 150, deletes: 0, seconds: 600 });
      const delayMs = moment(round, 500);
      let timer: NodeJS.Timeout | undefined;
      // The kill moment counts from the walk's first order_dtl record past the bookmark: a resumed
      // run first catches up on late rows behind it (reading its window again when the state has
      // no late-rows tables yet), and a kill in there would never leave a window ahead.
      const from = (state as { bookmarks?: { order_dtl?: { replication_key_value?: unknown } } } | undefined)
        ?.bookmarks?.order_dtl?.replication_key_value;
      const resumedAt = typeof from === 'string' ? instantMicros(from) : Number.NEGATIVE_INFINITY;
      const run = await runTap(config, {
        ...(state === undefined ? {} : { state }),
        onLine: (line, pid) => {
          if (timer !== undefined || !line.startsWith('{"type":"RECORD","stream":"order_dtl"')) return;
          const record = (JSON.parse(line) as { record: { mod_ts: string } }).record;
          if (instantMicros(record.mod_ts) > resumedAt) timer = setTimeout(() => killIfRunning(pid), delayMs);
        },
      });
      clearTimeout(timer);
      load(run);
      if (run.code === null) {
        killedMidway++;
        // Pages of later windows go out before the earlier windows are complete: the STATE
        // written last does not cover them, and the resumed run reads them again.
        const bookmark = lastState(run)?.bookmarks?.order_dtl?.replication_key_value;
        const covered = typeof bookmark === 'string' ? instantMicros(bookmark) : Number.NEGATIVE_INFINITY;
        if (recordsOf(run, 'order_dtl').some((r) => instantMicros(r.mod_ts as string) > covered))
          aheadOfState++;
      } else {
        assert.equal(run.code, 0, `round ${round} (killed after ${delayMs} ms): ${run.stderr}`);
      }
      state = lastState(run) ?? state;
    }
    const final = await runTap(config, state === undefined ? {} : { state });
    assert.equal(final.code, 0, final.stderr);
    load(final);
    for (const stream of ['order_dtl', 'order_hdr']) {
      const rows = [...table.get(stream)!.values()].sort((a, b) => (a.id as number) - (b.id as number));
      assert.deepEqual(rows, sim.snapshot(stream), `${stream} (KILL_SEED=${SEED})`);
    }
    assert.ok(
      killedMidway >= 3,
      `at least three runs were killed midway (${killedMidway}, KILL_SEED=${SEED})`,
    );
    assert.ok(
      aheadOfState >= 1,
      `a killed run had written rows its last STATE did not cover (KILL_SEED=${SEED})`,
    );
  });
});

/** SIGKILL, unless the run ended by itself before its kill moment (then it counts as not killed). */
function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
