import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { assertTableEquals, instantMicros, readTables } from './support/meltano-tables.js';
import { runPipe } from './support/pipe.js';

const ENTITIES = ['allocation', 'order_hdr', 'order_dtl'] as const;

describe('tap-oracle-wms | target-oracle, by hand', () => {
  let simulator: Simulator;
  let dir: string;
  let database: string;
  const tapConfig = (): Record<string, unknown> => ({
    base_url: simulator.baseUrl,
    username: 'wms_user',
    password: 'wms_password',
    page_size: 250,
  });
  const targetConfig = (): Record<string, unknown> => ({
    dialect: 'sqlite',
    sqlite_path: database,
    hard_delete: true,
  });
  let lastState: unknown;

  before(async () => {
    simulator = await startSimulator({ seed: 7, rows: { order_dtl: 1200 } });
    dir = mkdtempSync(join(tmpdir(), 'pipe-'));
    database = join(dir, 'warehouse.db');
  });
  after(async () => {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a first run loads every row of every entity, value for value', async () => {
    const run = await runPipe({ dir, tapConfig: tapConfig(), targetConfig: targetConfig() });
    assert.equal(run.tapStatus, 0, run.tapStderr);
    assert.equal(run.targetStatus, 0, run.targetStderr);
    assert.ok(run.states.length > 0, 'the target printed state');
    lastState = run.states.at(-1);
    const tables = readTables(database);
    for (const entity of ENTITIES) assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
  });

  test('after the WMS changes, an incremental run fetches only what changed and the tables follow', async () => {
    const before = simulator.snapshot('order_dtl').length;
    simulator.advance({ entity: 'order_dtl', updates: 40, inserts: 15, deletes: 0 });
    simulator.clearRequests();
    const run = await runPipe({
      dir,
      tapConfig: tapConfig(),
      targetConfig: targetConfig(),
      state: lastState,
    });
    assert.equal(run.tapStatus, 0, run.tapStderr);
    assert.equal(run.targetStatus, 0, run.targetStderr);
    // Not the late-rows catch-up's count probes and listings of id ranges (bounded by id and
    // the run's start), nor its reads by id of the rows that arrived.
    const lists = simulator.requests.filter(
      (r) =>
        r.path.includes('/entity/order_dtl') &&
        !r.path.includes('describe') &&
        r.query.fields !== 'id' &&
        r.query.id__in === undefined,
    );
    assert.ok(lists.length > 0, 'order_dtl was requested');
    // Bounded: the walk by mod_ts, the backdated-rows pass by create_ts (docs/tap.md, late rows).
    assert.ok(
      lists.every(
        (r) =>
          (r.query.mod_ts__gte !== undefined || r.query.create_ts__gte !== undefined) &&
          r.query.mod_ts__lt !== undefined,
      ),
      'bounded by mod_ts (or create_ts)',
    );
    const fetched = run.recordCounts.order_dtl ?? 0;
    assert.ok(fetched >= 55, `at least the 55 changed rows came (${fetched})`);
    assert.ok(fetched < before / 4, `not the whole table again (${fetched} of ${before})`);
    lastState = run.states.at(-1);
    const tables = readTables(database);
    for (const entity of ENTITIES) assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
  });

  test('purged rows stay until a full sync, which removes them (ACTIVATE_VERSION)', async () => {
    const doomed = simulator.snapshot('order_dtl').map((row) => Number(row.id));
    simulator.advance({ entity: 'order_dtl', updates: 0, inserts: 0, deletes: 12 });
    const live = new Set(simulator.snapshot('order_dtl').map((row) => Number(row.id)));
    const deleted = doomed.filter((id) => !live.has(id));
    assert.equal(deleted.length, 12);

    const incremental = await runPipe({
      dir,
      tapConfig: tapConfig(),
      targetConfig: targetConfig(),
      state: lastState,
    });
    assert.equal(incremental.targetStatus, 0, incremental.targetStderr);
    assertTableEquals(
      'order_dtl',
      readTables(database).get('order_dtl'),
      simulator.snapshot('order_dtl'),
      deleted,
    );

    const catalog = await discoverCatalogForcingFullTable();
    const full = await runPipe({ dir, tapConfig: tapConfig(), targetConfig: targetConfig(), catalog });
    assert.equal(full.tapStatus, 0, full.tapStderr);
    assert.equal(full.targetStatus, 0, full.targetStderr);
    assertTableEquals('order_dtl', readTables(database).get('order_dtl'), simulator.snapshot('order_dtl'));
  });

  async function discoverCatalogForcingFullTable(): Promise<unknown> {
    const { runExecutableAsync, executables } = await import('./support/repo.js');
    const { writeFileSync } = await import('node:fs');
    const configPath = join(dir, 'discover.json');
    writeFileSync(configPath, JSON.stringify(tapConfig()));
    const discovered = await runExecutableAsync(executables.tap, ['--config', configPath, '--discover']);
    assert.equal(discovered.status, 0, discovered.stderr);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: { metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
    };
    for (const stream of catalog.streams) {
      for (const entry of stream.metadata)
        if (entry.breadcrumb.length === 0) entry.metadata['replication-method'] = 'FULL_TABLE';
    }
    return catalog;
  }
});

describe('reliability of the pair', () => {
  test('with 20% of WMS requests failing (every fault kind), the load is still complete and exact', async () => {
    const simulator = await startSimulator({
      seed: 11,
      rows: { order_dtl: 900 },
      faults: {
        rate: 0.2,
        kinds: ['500', '503', '504', '429', '429-retry-after', '409', 'reset', 'truncated', 'slow'],
        slowMs: 50,
        gatewayTimeoutMs: 50,
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'pipe-faults-'));
    try {
      const database = join(dir, 'warehouse.db');
      const run = await runPipe({
        dir,
        tapConfig: {
          base_url: simulator.baseUrl,
          username: 'wms_user',
          password: 'wms_password',
          page_size: 50,
          max_retries: 8,
        },
        targetConfig: { dialect: 'sqlite', sqlite_path: database },
      });
      assert.equal(run.tapStatus, 0, run.tapStderr);
      assert.equal(run.targetStatus, 0, run.targetStderr);
      const faulted = simulator.requests.filter((r) => r.fault !== undefined).length;
      assert.ok(faulted > 0, 'faults were really injected');
      simulator.setFaults(undefined);
      const tables = readTables(database);
      for (const entity of ENTITIES)
        assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
    } finally {
      await simulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a target killed mid-run never printed a state ahead of its data, and a rerun from that state completes the load', async () => {
    const simulator = await startSimulator({ seed: 5, rows: { order_dtl: 3000 } });
    const dir = mkdtempSync(join(tmpdir(), 'pipe-kill-'));
    try {
      const database = join(dir, 'warehouse.db');
      const tapConfig = {
        base_url: simulator.baseUrl,
        username: 'wms_user',
        password: 'wms_password',
        page_size: 100,
        max_concurrent_streams: 1,
      };
      const targetConfig = { dialect: 'sqlite', sqlite_path: database, batch_size_rows: 150 };
      const crashed = await runPipe({ dir, tapConfig, targetConfig, killTargetAfterStates: 3 });
      assert.notEqual(crashed.targetStatus, 0, 'the target was killed');
      assert.equal(crashed.tapStatus, 1, 'the tap stopped when its reader went away');
      assert.match(crashed.tapStderr, /EPIPE/, 'and said why in one line');
      assert.ok(crashed.states.length >= 3, 'it had printed states');
      const last = crashed.states.at(-1) as { bookmarks: Record<string, { replication_key_value: string }> };

      // Every row at or before each printed bookmark must already be committed.
      const tables = readTables(database);
      for (const [stream, bookmark] of Object.entries(last.bookmarks)) {
        const limit = instantMicros(bookmark.replication_key_value)!;
        const covered = simulator
          .snapshot(stream)
          .filter((row) => instantMicros(String(row.mod_ts))! <= limit);
        const table = tables.get(stream);
        const missing = covered.filter((row) => !table?.has(Number(row.id)));
        assert.deepEqual(
          missing.map((row) => row.id),
          [],
          `${stream}: rows covered by the printed state are missing`,
        );
      }

      const rerun = await runPipe({ dir, tapConfig, targetConfig, state: last });
      assert.equal(rerun.tapStatus, 0, rerun.tapStderr);
      assert.equal(rerun.targetStatus, 0, rerun.targetStderr);
      const after = readTables(database);
      for (const entity of ENTITIES) assertTableEquals(entity, after.get(entity), simulator.snapshot(entity));
    } finally {
      await simulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
