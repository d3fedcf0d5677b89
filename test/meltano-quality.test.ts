// Real Meltano runs the quality checks after a load (the jobs in meltano.yml), against an
// in-process simulator and a scratch SQLite file: clean data passes, a broken fail check fails
// `meltano run`.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { MeltanoSandbox, projectRoot, run } from './support/meltano.js';
import { utilitySettings } from './support/meltano-quality-settings.js';
import { meltanoYmlPath } from './support/meltano-settings.js';

const RULES = ['order_dtl_has_order_hdr', 'allocation_has_order_dtl', 'allocated_within_ordered'];
const sims: Simulator[] = [];
const sandboxes: MeltanoSandbox[] = [];

after(async () => {
  for (const sim of sims) await sim.stop();
  for (const sandbox of sandboxes) sandbox.remove();
});

async function setUp(integrityViolationRate: number): Promise<{ sim: Simulator; sandbox: MeltanoSandbox }> {
  const sim = await startSimulator({
    seed: 5,
    rows: { order_dtl: 240 },
    integrityViolationRate,
    startTime: new Date(Date.now() - 30 * 60_000).toISOString(),
  });
  sim.advance({ updates: 3, seconds: 60 }); // every table's newest row is recent
  sims.push(sim);
  const sandbox = new MeltanoSandbox({ TAP_ORACLE_WMS_BASE_URL: sim.baseUrl });
  sandboxes.push(sandbox);
  return { sim, sandbox };
}

/** The wms-quality summary lines Meltano relayed, by check. */
function qualityLines(log: string): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const match of log.matchAll(
    /wms-quality: (\w+) (pass|warn|fail|skipped|error): [^\n]*?(?=\s+cmd_type=|\n|$)/g,
  )) {
    lines[match[1]!] = match[0];
  }
  return lines;
}

describe('meltano run with wms-quality:check', () => {
  test('the incremental-sync job loads, then checks: every check passes on clean data', async () => {
    const { sandbox } = await setUp(0);
    const result = await sandbox.meltano(['run', 'incremental-sync']);
    const log = result.stdout + result.stderr;
    assert.equal(result.status, 0, log.slice(-3000));
    const lines = qualityLines(log);
    assert.deepEqual(
      Object.keys(lines).sort(),
      [...RULES, 'completeness', 'freshness', 'rejects'].sort(),
      log.slice(-3000),
    );
    for (const [name, line] of Object.entries(lines)) {
      // rejects checks the dead-letter table, which a clean load never creates (0 of 0)
      assert.match(line, name === 'rejects' ? / pass: 0 of 0 / : / pass: 0 of [1-9]/, `${name}: ${line}`);
    }
  });

  test('a broken fail check makes meltano run fail, after the load committed', async () => {
    const { sandbox } = await setUp(0.05);
    const result = await sandbox.meltano(['run', 'tap-oracle-wms', 'target-oracle', 'wms-quality:check']);
    const log = result.stdout + result.stderr;
    assert.notEqual(result.status, 0, log.slice(-3000));
    const lines = qualityLines(log);
    for (const name of RULES) assert.match(lines[name] ?? '', / fail: [1-9]\d* of /, log.slice(-3000));
    // the load before it stands: its state was stored
    const state = await sandbox.meltano(['state', 'get', 'dev:tap-oracle-wms-to-target-oracle']);
    assert.equal(state.status, 0, state.stderr);
    assert.match(state.stdout, /"order_dtl"/);
  });
});

test('meltano.yml: the wms-quality settings are the ones its settings schema defines', async () => {
  // Meltano's own YAML library reads the file, as in meltano-project.test.ts.
  const read =
    'import json, sys, yaml; p = yaml.safe_load(open(sys.argv[1]))["plugins"]; ' +
    'print(json.dumps([u for u in p["utilities"] if u["name"] == "wms-quality"][0]["settings"]))';
  const result = await run(`${projectRoot}/.venv/bin/python`, ['-c', read, meltanoYmlPath]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    JSON.parse(result.stdout),
    JSON.parse(JSON.stringify(utilitySettings())),
    'regenerate: node test/dist/support/meltano-quality-settings.js --write-quality',
  );
});
