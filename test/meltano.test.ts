// Real Meltano (.venv, installed by scripts/setup.sh) running this project's meltano.yml against
// an in-process simulator and a scratch SQLite file. The steps build on each other, in order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RecordedRequest, type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { MeltanoSandbox } from './support/meltano.js';
import { assertTableEquals, instantMicros, readTables } from './support/meltano-tables.js';
import { isCatchUpRequest } from './support/quirk-load.js';

const ENTITIES = ['allocation', 'order_hdr', 'order_dtl'];
// ajv-formats is CommonJS: under NodeNext its function is the default export's default.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv,
) => Ajv;
const INCREMENTAL_STATE = 'dev:tap-oracle-wms-to-target-oracle';
const FULL_STATE = 'dev:tap-oracle-wms--full-to-target-oracle';

let simulator: Simulator;
let sandbox: MeltanoSandbox;

before(async () => {
  simulator = await startSimulator({ seed: 7, rows: { order_dtl: 240 } });
  sandbox = new MeltanoSandbox({ TAP_ORACLE_WMS_BASE_URL: simulator.baseUrl });
});

after(async () => {
  await simulator?.stop();
  sandbox?.remove();
});

function assertTablesEqualSnapshot(deletedIds: Record<string, number[]> = {}): void {
  const tables = readTables(sandbox.sqlitePath);
  for (const entity of ENTITIES) {
    assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity), deletedIds[entity]);
  }
}

/** The list requests of the walks (not the tap's late-rows catch-up, bounded otherwise). */
function listRequests(): RecordedRequest[] {
  return simulator.requests.filter(
    (request) => /\/entity\/[a-z_]+\/?$/.test(request.path) && !isCatchUpRequest(request),
  );
}

function listedEntity(request: RecordedRequest): string {
  return /\/entity\/([a-z_]+)\/?$/.exec(request.path)![1]!;
}

/** Records per stream, from the tap's "stream X done" log lines that Meltano relays. */
function recordsPerStream(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    // Meltano 4 relays the line after its own prefix (Meltano 3 also appended " cmd_type=...").
    const json = /(\{"level".*\})(?:\s+cmd_type=.*)?\s*$/.exec(line)?.[1];
    if (!json) continue;
    const entry = JSON.parse(json) as { name?: string; stream?: string; records?: number };
    if (entry.name === 'tap-oracle-wms' && entry.stream && typeof entry.records === 'number') {
      counts.set(entry.stream, entry.records);
    }
  }
  return counts;
}

interface StoredState {
  singer_state: { bookmarks: Record<string, { replication_key?: string; replication_key_value?: string }> };
}

async function stateOf(id: string): Promise<StoredState> {
  const result = await sandbox.meltanoOk(['state', 'get', id]);
  return JSON.parse(result.stdout) as StoredState;
}

describe('meltano with the simulator and SQLite', () => {
  test('meltano invoke tap-oracle-wms --discover prints a valid catalog, its schemas fit the data', async () => {
    const result = await sandbox.meltanoOk(['invoke', 'tap-oracle-wms', '--discover']);
    const catalog = JSON.parse(result.stdout) as {
      streams: {
        tap_stream_id: string;
        schema: { type: unknown; properties: Record<string, unknown> };
        metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
      }[];
    };
    assert.deepEqual(catalog.streams.map((stream) => stream.tap_stream_id).sort(), [...ENTITIES].sort());
    for (const stream of catalog.streams) {
      assert.ok([stream.schema.type].flat().includes('object'), `${stream.tap_stream_id}: schema type`);
      assert.ok('id' in stream.schema.properties && 'mod_ts' in stream.schema.properties);
      const top = stream.metadata.find((entry) => entry.breadcrumb.length === 0)?.metadata;
      assert.deepEqual(top?.['table-key-properties'], ['id'], `${stream.tap_stream_id}: key`);
      assert.deepEqual(
        top?.['valid-replication-keys'],
        ['mod_ts'],
        `${stream.tap_stream_id}: replication key`,
      );
      for (const entry of stream.metadata.filter((item) => item.breadcrumb.length > 0)) {
        assert.equal(entry.breadcrumb[0], 'properties');
        assert.ok(
          entry.breadcrumb[1]! in stream.schema.properties,
          `metadata for unknown ${entry.breadcrumb[1]}`,
        );
      }
      const validate = addFormats(new Ajv({ strict: false, allErrors: false })).compile(stream.schema);
      for (const row of simulator.snapshot(stream.tap_stream_id)) {
        assert.ok(validate(row), `${stream.tap_stream_id} id ${row.id}: ${JSON.stringify(validate.errors)}`);
      }
    }
  });

  test('meltano select tap-oracle-wms --list --all, without an environment, lists every entity and field', async () => {
    // Meltano ignores default_environment for `select`: the plugin's own config must be enough.
    // Only the simulator's port differs from the configured http://127.0.0.1:8765/demo.
    const result = await sandbox.meltanoOk(['select', 'tap-oracle-wms', '--list', '--all'], {
      MELTANO_ENVIRONMENT: undefined,
    });
    const listed = new Set(
      [...result.stdout.matchAll(/^\s*\[(?:selected|automatic|excluded|unsupported)\s*\]\s+(\S+)$/gm)].map(
        (match) => match[1],
      ),
    );
    const snapshotRow = simulator.snapshot('order_dtl')[0]!;
    for (const entity of ENTITIES) {
      assert.ok(listed.has(`${entity}.id`), `${entity}.id not listed:\n${result.stdout}`);
      assert.ok(listed.has(`${entity}.mod_ts`), `${entity}.mod_ts not listed`);
    }
    for (const field of Object.keys(snapshotRow)) assert.ok(listed.has(`order_dtl.${field}`), field);
  });

  test('meltano run tap-oracle-wms target-oracle, first run: the tables equal the snapshot', async () => {
    simulator.clearRequests();
    const result = await sandbox.meltanoOk(['run', 'tap-oracle-wms', 'target-oracle']);
    assertTablesEqualSnapshot();
    const counts = recordsPerStream(result.stderr);
    for (const entity of ENTITIES)
      assert.equal(counts.get(entity), simulator.snapshot(entity).length, entity);
  });

  test('meltano state get shows a mod_ts bookmark per stream', async () => {
    const state = await stateOf(INCREMENTAL_STATE);
    for (const entity of ENTITIES) {
      const bookmark = state.singer_state.bookmarks[entity];
      assert.equal(bookmark?.replication_key, 'mod_ts', entity);
      assert.ok(
        instantMicros(String(bookmark?.replication_key_value)) !== undefined,
        JSON.stringify(bookmark),
      );
    }
  });

  let deleted: Record<string, number[]> = {};

  test('after the simulator advances, an incremental run fetches only changed rows', async () => {
    const before = await stateOf(INCREMENTAL_STATE);
    const change = simulator.advance({ updates: 6, inserts: 4, deletes: 3, seconds: 3600 });
    // Rows deleted by the advance stay in the tables until a full sync, except the ones it also
    // inserted (an allocation of an order line the same advance deleted): never loaded at all.
    deleted = Object.fromEntries(
      ENTITIES.map((entity) => {
        const { deleted: gone = [], inserted = [] } = change.changes[entity] ?? {};
        return [entity, gone.filter((id) => !inserted.includes(id))];
      }),
    );
    simulator.clearRequests();
    const result = await sandbox.meltanoOk(['run', 'tap-oracle-wms', 'target-oracle']);

    const lists = listRequests();
    assert.ok(lists.length >= ENTITIES.length, 'one list request per entity at least');
    for (const request of lists) {
      const entity = listedEntity(request);
      const lower = request.query.mod_ts__gte;
      assert.ok(lower, `${entity} was listed without a mod_ts__gte filter: ${JSON.stringify(request.query)}`);
      const bookmark = before.singer_state.bookmarks[entity]?.replication_key_value;
      assert.ok(
        instantMicros(lower)! <= instantMicros(String(bookmark))!,
        `${entity}: filter after the bookmark`,
      );
    }
    const counts = recordsPerStream(result.stderr);
    for (const entity of ENTITIES) {
      const changed = change.changes[entity]!;
      const live = simulator.snapshot(entity).length;
      const fetched = counts.get(entity);
      assert.ok(fetched !== undefined, `no record count for ${entity}`);
      assert.ok(fetched >= changed.updated.length + changed.inserted.length, `${entity}: ${fetched} records`);
      assert.ok(fetched < live / 2, `${entity}: ${fetched} of ${live} rows fetched: not incremental`);
    }
    // Deleted rows cannot be seen by an incremental run; the next full sync removes them.
    assert.ok(
      Object.values(deleted).some((ids) => ids.length > 0),
      'the advance deleted rows',
    );
    assertTablesEqualSnapshot(deleted);
    const after = await stateOf(INCREMENTAL_STATE);
    for (const entity of ENTITIES) {
      const moved = after.singer_state.bookmarks[entity]?.replication_key_value;
      assert.ok(
        instantMicros(String(moved))! >
          instantMicros(String(before.singer_state.bookmarks[entity]?.replication_key_value))!,
      );
    }
  });

  test('meltano run full-sync reconciles the deletes and keeps its own state', async () => {
    const incrementalBefore = await stateOf(INCREMENTAL_STATE);
    simulator.clearRequests();
    await sandbox.meltanoOk(['run', 'full-sync']);
    for (const request of listRequests()) {
      assert.equal(request.query.mod_ts__gte, undefined, `full sync filtered ${request.path} by mod_ts`);
    }
    assertTablesEqualSnapshot();
    assert.deepEqual(
      await stateOf(INCREMENTAL_STATE),
      incrementalBefore,
      'full sync moved incremental bookmarks',
    );
    const ids = (await sandbox.meltanoOk(['state', 'list'])).stdout.split('\n').map((line) => line.trim());
    assert.ok(ids.includes(FULL_STATE) && ids.includes(INCREMENTAL_STATE), ids.join(', '));
  });

  test('meltano run incremental-sync picks up the next changes', async () => {
    simulator.advance({ updates: 5, inserts: 2, seconds: 600 });
    simulator.clearRequests();
    await sandbox.meltanoOk(['run', 'incremental-sync']);
    // The job's second task, wms-quality:check, counts each entity with one-row pages of ids
    // (page_size 1, fields id): those are not extraction. Every list the tap made is filtered.
    const counting = (request: RecordedRequest) =>
      request.query.page_size === '1' && request.query.fields === 'id';
    const lists = simulator.requests.filter((request) => /\/entity\/[a-z_]+\/?$/.test(request.path));
    assert.ok(lists.some(counting), 'the job ran wms-quality:check after the load');
    // listRequests() leaves out one-row count requests (the tap's catch-up probes look alike).
    const extraction = listRequests().filter((request) => !counting(request));
    assert.ok(extraction.length >= ENTITIES.length);
    assert.ok(
      extraction.every((request) => request.query.mod_ts__gte),
      'every list filtered by mod_ts',
    );
    assertTablesEqualSnapshot();
  });
});
