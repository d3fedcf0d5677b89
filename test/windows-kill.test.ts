import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { assertTableEquals, readTables } from './support/meltano-tables.js';
import { runPipe } from './support/pipe.js';

const ENTITIES = ['order_hdr', 'order_dtl', 'allocation'] as const;

const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

/** The i-th kill moment (0..range ms) of this seed: a failing run replays with KILL_SEED. */
const moment = (i: number, range: number): number => Math.abs((SEED * 7919 + i * 104_729) % range);

describe(`tap | target, window-parallel, killed at random moments (KILL_SEED=${SEED})`, () => {
  let simulator: Simulator;
  let dir: string;
  before(async () => {
    // Server time keeps the run going long enough to be killed with windows in flight.
    simulator = await startSimulator({ seed: 41, rows: { order_dtl: 3000 }, pageLatencyMs: 120 });
    dir = mkdtempSync(join(tmpdir(), 'windows-kill-'));
  });
  after(async () => {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGKILL of the target or of the tap, then a run from the last state the target printed: exact tables', {
    timeout: 240_000,
  }, async () => {
    const database = join(dir, 'warehouse.db');
    const tapConfig = {
      base_url: simulator.baseUrl,
      username: 'wms_user',
      password: 'wms_password',
      entities: [...ENTITIES],
      page_size: 100,
      parallel_windows: 4,
      max_concurrent_streams: 2,
    };
    const targetConfig = { dialect: 'sqlite', sqlite_path: database, batch_size_rows: 120 };
    let state: unknown;
    let killed = 0;
    for (let round = 0; round < 6; round++) {
      if (round === 3) simulator.advance({ updates: 300, inserts: 100, deletes: 0, seconds: 600 });
      const killTarget = round % 2 === 0;
      const run = await runPipe({
        dir,
        tapConfig,
        targetConfig,
        ...(state === undefined ? {} : { state }),
        ...(killTarget
          ? { killTargetAfterStates: 1 + moment(round, 6) }
          : { killTapAfterMs: moment(round, 600) }),
      });
      if ((killTarget ? run.targetStatus : run.tapStatus) === null) killed++;
      state = run.states.at(-1) ?? state;
    }
    const final = await runPipe({ dir, tapConfig, targetConfig, ...(state === undefined ? {} : { state }) });
    assert.equal(final.tapStatus, 0, final.tapStderr);
    assert.equal(final.targetStatus, 0, final.targetStderr);
    const tables = readTables(database);
    for (const entity of ENTITIES) assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
    assert.ok(
      killed >= 3,
      `at least three of six runs were killed before they ended (${killed}, KILL_SEED=${SEED})`,
    );
  });
});
