// Issue 14's "done when": for each behaviour of a real WMS the simulator can play (its quirks),
// alone and all at once, tap-oracle-wms | target-oracle into SQLite loads exactly: a first
// incremental load, three rounds of changes each followed by an incremental run, then every
// live row is in the target with its latest mod_ts, no key twice, and no run loops.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { QUIRK_NAMES, startSimulator } from '@wms-singer/wms-simulator';
import { runPipe } from './support/pipe.js';
import {
  assertLoaded,
  type LateRows,
  lateRowCount,
  noteLateRows,
  type QuirkCase,
  quirkTapConfig,
  requestBound,
} from './support/quirk-load.js';

/** Each quirk the simulator plays, alone, then all at once. */
const QUIRKS = [...QUIRK_NAMES, 'all'];

/** Quirks that need more rows to matter: a tie group past DRF's offset cap plus a page (1300 rows) needs a table above it. */
const LARGE = new Set(['cursor-ties', 'all']);

const CASES: QuirkCase[] = QUIRKS.map((quirk) => ({
  quirk,
  rows: LARGE.has(quirk) ? 2000 : 300,
  pageMode: quirk === 'short-pages' ? 'paged' : 'sequenced',
  facility: quirk === 'no-facility-on-children' || quirk === 'all',
  ropc: quirk === 'ropc-only' || quirk === 'all',
}));
// `all` once more in paged mode: cursor-ties show in sequenced mode, short-pages in paged mode.
CASES.push({ quirk: 'all', rows: 2000, pageMode: 'paged', facility: true, ropc: true });

describe('tap | target into SQLite under each quirk of a real WMS', () => {
  for (const quirkCase of CASES) {
    test(`${quirkCase.quirk} (${quirkCase.pageMode}): first load, three rounds of changes, every live row loaded once with its latest mod_ts, late rows included`, async () => {
      const sim = await startSimulator({
        seed: 14,
        rows: { order_dtl: quirkCase.rows },
        quirks: quirkCase.quirk,
        // gateway-html-errors shows only on 502/503/504 answers: some are injected.
        ...(quirkCase.quirk === 'gateway-html-errors' || quirkCase.quirk === 'all'
          ? { faults: { rate: 0.05, kinds: ['502', '503', '504'], gatewayTimeoutMs: 10 } }
          : {}),
      });
      const dir = mkdtempSync(join(tmpdir(), `quirk-${quirkCase.quirk}-`));
      try {
        const database = join(dir, 'warehouse.db');
        const tapConfig = quirkTapConfig(sim, quirkCase);
        const targetConfig = { dialect: 'sqlite', sqlite_path: database };
        let state: unknown;
        const late: LateRows = new Map();
        for (let round = 0; round <= 3; round++) {
          if (round > 0)
            noteLateRows(late, sim.advance({ updates: 8, inserts: 5, deletes: 2, seconds: 1800 }).changes);
          sim.clearRequests();
          const run = await runPipe({
            dir,
            tapConfig,
            targetConfig,
            ...(state === undefined ? {} : { state }),
          });
          assert.equal(run.targetStatus, 0, `round ${round}: ${run.targetStderr}`);
          assert.equal(run.tapStatus, 0, `round ${round}: ${run.tapStderr}`);
          state = run.states.at(-1);
          const bound = requestBound(run.recordCounts, tapConfig);
          const lists = sim.requests.filter((r) => /\/entity\/[a-z_]+\/?$/.test(r.path)).length;
          assert.ok(
            lists <= bound,
            `round ${round}: ${lists} list requests for ${JSON.stringify(run.recordCounts)} (bound ${bound})`,
          );
        }
        sim.setFaults(undefined);
        if (sim.quirks.includes('late-commits'))
          assert.ok(lateRowCount(late) > 0, 'the advances committed or revealed rows late');
        assertLoaded(sim, database, tapConfig.facility_code as string | undefined);
      } finally {
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
