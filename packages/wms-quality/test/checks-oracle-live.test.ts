// The checks against a real Oracle database, loaded by the real tap | target pipe. Runs only when
// ORACLE_USER, ORACLE_PASSWORD and ORACLE_CONNECT_STRING are set (docs/oracle.md: Oracle Database
// Free in a container); otherwise reported as skipped, never as passed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '@wms-singer/singer';
import type { Simulator } from '@wms-singer/wms-simulator';
import { openQueryRunner } from 'target-oracle';
import { load, quality, simulator, tapConfig, tempDir, truth } from './support/warehouse.js';

const { ORACLE_USER, ORACLE_PASSWORD, ORACLE_CONNECT_STRING } = process.env;
const configured = Boolean(ORACLE_USER && ORACLE_PASSWORD && ORACLE_CONNECT_STRING);
const SKIP = configured
  ? false
  : 'live Oracle checks skipped: set ORACLE_USER, ORACLE_PASSWORD and ORACLE_CONNECT_STRING (docs/oracle.md)';
if (!configured) console.error(SKIP);

const prefix = `q${randomBytes(3).toString('hex')}_`;
const oracle = {
  dialect: 'oracle',
  user: ORACLE_USER ?? '',
  password: ORACLE_PASSWORD ?? '',
  connect_string: ORACLE_CONNECT_STRING ?? '',
  table_prefix: prefix,
};
const results = `${prefix}results`;
let sim: Simulator | undefined;

after(async () => {
  await sim?.stop();
  if (!configured) return;
  const runner = await openQueryRunner(oracle, createLogger({ name: 'test', level: 'silent' }));
  const tables = ['j', 'f'].flatMap((l) =>
    ['order_hdr', 'order_dtl', 'allocation'].map((t) => `${prefix}${l}${t}`),
  );
  for (const table of [...tables, results]) {
    await runner.execute(`DROP TABLE ${runner.identifier(table)} PURGE`).catch(() => undefined);
  }
  await runner.close();
});

for (const layout of ['json', 'flattened'] as const) {
  test(`live Oracle: each relational check finds what the snapshot implies (${layout})`, {
    skip: SKIP,
  }, async () => {
    sim ??= await simulator({ integrityViolationRate: 0.05, seed: 31 });
    const dir = tempDir();
    await load(sim, dir, {
      ...oracle,
      table_prefix: `${prefix}${layout[0]}`,
      flattening_enabled: layout === 'flattened',
    });
    const expected = await truth(sim);
    const run = await quality(dir, {
      ...oracle,
      table_prefix: `${prefix}${layout[0]}`,
      results_table: results,
      wms: tapConfig(sim),
    });
    assert.equal(run.status, 1, run.stderr);
    for (const name of ['order_dtl_has_order_hdr', 'allocation_has_order_dtl', 'allocated_within_ordered']) {
      assert.match(
        run.lines[name]!,
        new RegExp(`${name} fail: ${expected.rules[name]!.failing} of `),
        run.stderr,
      );
    }
    assert.match(run.lines.completeness!, / pass: 0 of /);
    const report = await quality(dir, { ...oracle, results_table: results }, [
      'report',
      '--html',
      join(dir, 'r.html'),
    ]);
    assert.equal(report.status, 0, report.stderr);
  });
}
