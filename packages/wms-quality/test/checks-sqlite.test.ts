import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@wms-singer/singer';
import type { Simulator } from '@wms-singer/wms-simulator';
import { openQueryRunner } from 'target-oracle';
import { CHECK_NAMES, load, quality, simulator, tapConfig, tempDir, truth } from './support/warehouse.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const RELATIONAL = ['order_dtl_has_order_hdr', 'allocation_has_order_dtl', 'allocated_within_ordered'];
const ALL = CHECK_NAMES;

async function resultRows(sqlitePath: string) {
  const runner = await openQueryRunner({ dialect: 'sqlite', sqlite_path: sqlitePath }, logger);
  try {
    return await runner.query(
      'SELECT run_id, check_name, status, checked_rows, failing_rows, failing_keys, threshold, severity FROM wms_quality_results ORDER BY started_at, check_name',
    );
  } finally {
    await runner.close();
  }
}

async function sql(sqlitePath: string, statement: string): Promise<void> {
  const runner = await openQueryRunner({ dialect: 'sqlite', sqlite_path: sqlitePath }, logger);
  try {
    await runner.execute(statement);
  } finally {
    await runner.close();
  }
}

describe('checks on clean simulator data', () => {
  let sim: Simulator;
  const dir = tempDir();
  const db = join(dir, 'clean.db');
  before(async () => {
    sim = await simulator();
    // Generated history is spread over 120 days; a few changes make every table's newest row recent.
    sim.advance({ updates: 3, seconds: 60 });
    await load(sim, dir, { dialect: 'sqlite', sqlite_path: db });
  });
  after(() => sim.stop());

  test('every check passes, one line each, one results row each, exit 0', async () => {
    const run = await quality(dir, { dialect: 'sqlite', sqlite_path: db, wms: tapConfig(sim) });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.deepEqual(Object.keys(run.lines), ALL);
    for (const name of ALL) assert.match(run.lines[name]!, / pass: 0 of /, run.lines[name]);
    const rows = await resultRows(db);
    assert.deepEqual(
      rows.map((r) => [r.check_name, r.status, r.failing_rows]).sort(),
      ALL.map((name) => [name, 'pass', 0]).sort(),
    );
    const expected = await truth(sim);
    const checked = Object.fromEntries(rows.map((r) => [r.check_name, Number(r.checked_rows)]));
    assert.equal(checked.order_dtl_has_order_hdr, expected.counts.order_dtl);
    assert.equal(checked.allocation_has_order_dtl, expected.counts.allocation);
    assert.equal(checked.allocated_within_ordered, expected.counts.order_dtl);
    assert.equal(checked.freshness, 3);
    assert.equal(
      checked.completeness,
      Object.values(expected.counts).reduce((a, b) => a + b, 0),
    );
    assert.ok(rows.every((r) => r.failing_keys === '[]'));
  });

  test('without WMS settings completeness is skipped (and says why), the rest still run', async () => {
    const run = await quality(dir, { dialect: 'sqlite', sqlite_path: db });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.lines.completeness!, /skipped: .*no WMS configured/);
  });

  test('a run loading an entity group checks only the rules whose tables it loads', async () => {
    const run = await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      wms: { ...tapConfig(sim), entities: ['order_hdr', 'order_dtl'] },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.lines.order_dtl_has_order_hdr!, / pass: 0 of [1-9]/);
    for (const name of ['allocation_has_order_dtl', 'allocated_within_ordered']) {
      assert.match(run.lines[name]!, /skipped: .*allocation is not among the entities this run loads/);
    }
    assert.match(run.lines.freshness!, /freshness pass: 0 of 2 failing/);
    const counts = (await truth(sim)).counts;
    assert.match(
      run.lines.completeness!,
      new RegExp(`pass: 0 of ${counts.order_hdr! + counts.order_dtl!} failing`),
    );
  });

  test('a WMS refusing the credentials: completeness is an error naming why, the password in no line', async () => {
    const secret = 'Wms-Secret-0815';
    const run = await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      wms: { ...tapConfig(sim), password: secret },
      log_level: 'debug',
    });
    assert.equal(run.status, 0, run.stderr); // completeness is warn by default
    assert.match(run.lines.completeness!, /completeness error: .*rejected the credentials \(HTTP 401\)/);
    assert.ok(!run.stderr.includes(secret), run.stderr);
  });

  test('freshness: a window shorter than the newest mod_ts lag breaks it for every table', async () => {
    const run = await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      checks: { freshness: { window_hours: 0.0001, severity: 'fail' } },
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.lines.freshness!, /freshness fail: 3 of 3 failing/);
  });

  test('rejects: a record sent to the dead-letter table counts once, then not again', async () => {
    const messages = [
      {
        type: 'SCHEMA',
        stream: 'odd',
        schema: { properties: { id: { type: 'integer' } } },
        key_properties: ['id'],
      },
      { type: 'RECORD', stream: 'odd', record: { id: 'not a number' } },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const { writeFileSync } = await import('node:fs');
    const { run: runCommand, executables, writeJson } = await import('./support/warehouse.js');
    writeFileSync(join(dir, 'odd.jsonl'), `${messages}\n`);
    const target = writeJson(dir, 'dead.json', {
      dialect: 'sqlite',
      sqlite_path: db,
      invalid_record_policy: 'dead_letter',
    });
    const loaded = await runCommand(process.execPath, [
      executables.target,
      '--config',
      target,
      '--input',
      join(dir, 'odd.jsonl'),
    ]);
    assert.equal(loaded.status, 0, loaded.stderr);
    const first = await quality(dir, { dialect: 'sqlite', sqlite_path: db });
    assert.equal(first.status, 0, first.stderr); // rejects is warn by default
    assert.match(first.lines.rejects!, /rejects warn: 1 of 1 failing, threshold 0 \(warn\); failing: odd:2/);
    const second = await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      checks: { rejects: { severity: 'fail' } },
    });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.lines.rejects!, /rejects pass: 0 of 1 failing/);
  });
});

for (const layout of ['json', 'flattened'] as const) {
  describe(`checks with --integrity-violation-rate (foreign keys as ${layout})`, () => {
    let sim: Simulator;
    const dir = tempDir();
    const db = join(dir, `${layout}.db`);
    before(async () => {
      sim = await simulator({ integrityViolationRate: 0.05, seed: layout === 'json' ? 11 : 12 });
      await load(sim, dir, {
        dialect: 'sqlite',
        sqlite_path: db,
        flattening_enabled: layout === 'flattened',
      });
    });
    after(() => sim.stop());

    test('each relational check finds exactly the rows the snapshot implies, and exits 1', async () => {
      const expected = await truth(sim);
      for (const name of RELATIONAL)
        assert.ok(expected.rules[name]!.failing > 0, `the simulator made no ${name} violation`);
      const run = await quality(dir, { dialect: 'sqlite', sqlite_path: db, wms: tapConfig(sim) });
      assert.equal(run.status, 1, run.stderr);
      const rows = await resultRows(db);
      for (const name of RELATIONAL) {
        const row = rows.find((r) => r.check_name === name)!;
        assert.equal(row.status, 'fail', name);
        assert.equal(Number(row.failing_rows), expected.rules[name]!.failing, name);
        assert.deepEqual(JSON.parse(String(row.failing_keys)), expected.rules[name]!.keys, name);
        assert.match(run.lines[name]!, new RegExp(`${name} fail: ${expected.rules[name]!.failing} of `));
      }
      assert.equal(rows.find((r) => r.check_name === 'completeness')!.failing_rows, 0);
      assert.equal(rows.find((r) => r.check_name === 'rejects')!.failing_rows, 0);
    });

    test('thresholds and severities decide the exit code', async () => {
      const base = { dialect: 'sqlite', sqlite_path: db };
      const allWarn = Object.fromEntries(RELATIONAL.map((name) => [name, { severity: 'warn' }]));
      const warned = await quality(dir, { ...base, checks: allWarn });
      assert.equal(warned.status, 0, warned.stderr);
      for (const name of RELATIONAL) assert.match(warned.lines[name]!, / warn: /);
      const lenient = Object.fromEntries(RELATIONAL.map((name) => [name, { threshold: 0.5 }]));
      const passed = await quality(dir, { ...base, checks: lenient });
      assert.equal(passed.status, 0, passed.stderr);
      for (const name of RELATIONAL) assert.match(passed.lines[name]!, / pass: [1-9]/);
      const oneFails = await quality(dir, {
        ...base,
        checks: { ...lenient, allocated_within_ordered: { threshold: 0 } },
      });
      assert.equal(oneFails.status, 1);
      assert.match(oneFails.lines.allocated_within_ordered!, / fail: /);
      assert.match(oneFails.lines.order_dtl_has_order_hdr!, / pass: /);
      const disabled = await quality(dir, {
        ...base,
        checks: Object.fromEntries(RELATIONAL.map((name) => [name, { enabled: false }])),
      });
      assert.equal(disabled.status, 0, disabled.stderr);
      assert.deepEqual(Object.keys(disabled.lines), ['freshness', 'completeness', 'rejects']);
    });

    test('rows soft-deleted by a full sync are ignored on both sides of a rule', async () => {
      const expected = await truth(sim);
      // What a full sync with hard_delete false leaves behind: _sdc_deleted_at set on rows gone from the WMS.
      for (const table of ['order_hdr', 'order_dtl', 'allocation']) {
        await sql(db, `ALTER TABLE ${table} ADD COLUMN _sdc_deleted_at DATETIME_TEXT`);
      }
      const prefix = layout === 'flattened' ? 'order_id__id' : "json_extract(order_id, '$.id')";
      await sql(db, "UPDATE order_hdr SET _sdc_deleted_at = '2026-01-01T00:00:00Z' WHERE id = 1");
      // the lines of order 1 now name a deleted header; the first dangling line is itself deleted
      const firstDangling = expected.rules.order_dtl_has_order_hdr!.keys[0]!;
      await sql(
        db,
        `UPDATE order_dtl SET _sdc_deleted_at = '2026-01-01T00:00:00Z' WHERE id = ${firstDangling}`,
      );
      const runner = await openQueryRunner({ dialect: 'sqlite', sqlite_path: db }, logger);
      const [lines] = await runner.query(
        `SELECT COUNT(*) AS n FROM order_dtl WHERE ${prefix} = 1 AND _sdc_deleted_at IS NULL`,
      );
      await runner.close();
      const run = await quality(dir, { dialect: 'sqlite', sqlite_path: db });
      const rows = (await resultRows(db)).slice(-6);
      const row = rows.find((r) => r.check_name === 'order_dtl_has_order_hdr')!;
      assert.ok(Number(lines!.n) > 0);
      assert.equal(
        Number(row.failing_rows),
        expected.rules.order_dtl_has_order_hdr!.failing - 1 + Number(lines!.n),
        run.stderr,
      );
      assert.equal(Number(row.checked_rows), expected.counts.order_dtl! - 1);
    });
  });
}

describe('completeness against the WMS after rows were purged there', () => {
  let sim: Simulator;
  const dir = tempDir();
  const db = join(dir, 'purged.db');
  before(async () => {
    sim = await simulator();
    await load(sim, dir, { dialect: 'sqlite', sqlite_path: db });
  });
  after(() => sim.stop());

  test('failing rows are the rows the target holds beyond the WMS, per the snapshot', async () => {
    const before = (await truth(sim)).counts;
    sim.advance({ deletes: 6 });
    const afterward = (await truth(sim)).counts;
    const off = Object.keys(before).reduce((sum, t) => sum + (before[t]! - afterward[t]!), 0);
    assert.ok(off > 0);
    const run = await quality(dir, {
      dialect: 'sqlite',
      sqlite_path: db,
      wms: tapConfig(sim),
      checks: { completeness: { threshold: 0, severity: 'fail' } },
    });
    assert.equal(run.status, 1, run.stderr);
    const wmsTotal = Object.values(afterward).reduce((a, b) => a + b, 0);
    assert.match(run.lines.completeness!, new RegExp(`completeness fail: ${off} of ${wmsTotal} failing`));
  });
});
