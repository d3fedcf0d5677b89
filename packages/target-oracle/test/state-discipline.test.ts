// State discipline and signals: a STATE reaches stdout only after the records before it are
// committed; periodic flushes release states during a run; SIGTERM/SIGINT commit what is buffered.
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  collect,
  METRIC,
  record,
  rows,
  runTarget,
  schema,
  singer,
  spawnTarget,
  state,
  tables,
  workspaces,
} from './support/target-run.js';

const fresh = workspaces();

/** A target process fed by the test, line by line, with its stdout lines observed as they come. */
function live(configPath: string) {
  const child: ChildProcessWithoutNullStreams = spawnTarget(['--config', configPath]);
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let carry = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop() ?? '';
    lines.push(...parts);
    wake?.();
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
  return {
    child,
    lines,
    done,
    send(...messages: object[]) {
      child.stdin.write(singer(...messages));
    },
    /** Waits until stdout has `count` lines, or the timeout passes. */
    async lineCount(count: number, timeoutMs: number): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while (lines.length < count && Date.now() < deadline) {
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(Math.max(0, deadline - Date.now()))]);
      }
      return lines.length;
    },
  };
}

async function waitForTable(db: string, table: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (tables(db).includes(table)) return;
    await sleep(50);
  }
  throw new Error(`table ${table} never appeared`);
}

describe('state discipline', { concurrency: 3 }, () => {
  test('a state is printed once its records are committed, and no sooner', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config({ batch_size_rows: 1 }),
      singer(
        schema('s', METRIC),
        record('s', { id: 1, metric: 1 }),
        state({ s: 1 }),
        record('s', { id: 2, metric: 2 }),
        state({ s: 2 }),
        state({ s: 2 }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.states, [{ s: 1 }, { s: 2 }]); // the repeated identical state is printed once
  });

  test('states released by the same commit print only the latest', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config({ batch_size_rows: 100 }),
      singer(
        schema('s', METRIC),
        record('s', { id: 1, metric: 1 }),
        state({ s: 1 }),
        record('s', { id: 2, metric: 2 }),
        state({ s: 2 }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.states, [{ s: 2 }]);
  });

  test('batch_max_age_seconds flushes during a long run and releases the state; rows are there first', async () => {
    const ws = fresh();
    const target = live(ws.config({ batch_max_age_seconds: 0.5 }));
    target.send(schema('s', METRIC), record('s', { id: 1, metric: 1 }), state({ s: 1 }));
    assert.equal(await target.lineCount(1, 15000), 1);
    assert.deepEqual(JSON.parse(target.lines[0]!), { s: 1 });
    assert.deepEqual(rows(ws.db, 's'), [{ id: 1, metric: 1 }]);
    target.send(record('s', { id: 2, metric: 2 }), state({ s: 2 }));
    assert.equal(await target.lineCount(2, 15000), 2);
    assert.equal(rows(ws.db, 's').length, 2);
    target.child.stdin.end();
    const { code } = await target.done;
    assert.equal(code, 0);
    assert.deepEqual(
      target.lines.filter(Boolean).map((l) => JSON.parse(l)),
      [{ s: 1 }, { s: 2 }],
    );
  });

  test('a state waits while any stream still buffers a record from before it', async () => {
    const ws = fresh();
    const target = live(ws.config({ batch_size_rows: 2, batch_max_age_seconds: 0 }));
    target.send(
      schema('a', METRIC),
      schema('b', METRIC),
      record('a', { id: 1, metric: 1 }),
      record('b', { id: 1, metric: 1 }),
      record('b', { id: 2, metric: 2 }), // b is full and commits; a still buffers line 3
      state({ at: 'after b' }),
    );
    await waitForTable(ws.db, 'b');
    assert.equal(await target.lineCount(1, 2500), 0);
    assert.equal(rows(ws.db, 'a').length, 0);
    target.child.stdin.end();
    const { code } = await target.done;
    assert.equal(code, 0);
    assert.deepEqual(
      target.lines.filter(Boolean).map((l) => JSON.parse(l)),
      [{ at: 'after b' }],
    );
    assert.equal(rows(ws.db, 'a').length, 1);
    assert.equal(rows(ws.db, 'b').length, 2);
  });
});

describe('signals', { concurrency: 2 }, () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    test(`${signal}: stop reading, commit the buffer, print the covering state, exit ${code}`, async () => {
      const ws = fresh();
      const target = live(ws.config({ batch_max_age_seconds: 0 }));
      target.send(
        schema('s', METRIC),
        ...[1, 2, 3].map((id) => record('s', { id, metric: id })),
        state({ s: 3 }),
      );
      await waitForTable(ws.db, 's');
      await sleep(300);
      target.child.kill(signal);
      const { code: exit, stderr } = await target.done;
      assert.equal(exit, code, stderr);
      assert.equal(rows(ws.db, 's').length, 3);
      assert.deepEqual(
        target.lines.filter(Boolean).map((l) => JSON.parse(l)),
        [{ s: 3 }],
      );
    });
  }
});

describe('bad input keeps printed states true', { concurrency: 2 }, () => {
  test('invalid JSON: one line naming the line number, exit 1; what came before is committed', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config(),
      `${singer(schema('s', METRIC), record('s', { id: 1, metric: 1 }), state({ s: 1 }))}{"type": "RECORD", "stream": "s", "record": {"id": 2,\n`,
    );
    assert.equal(run.code, 1);
    assert.equal(run.errors.length, 1);
    assert.match(run.errors[0]!, /^target-oracle: line 4: not valid JSON/);
    assert.deepEqual(run.states, [{ s: 1 }]);
    assert.deepEqual(rows(ws.db, 's'), [{ id: 1, metric: 1 }]);
  });

  test('unknown message type names the line', async () => {
    const ws = fresh();
    const run = await runTarget(ws.config(), singer(schema('s', METRIC), { type: 'BOGUS', stream: 's' }));
    assert.equal(run.code, 1);
    assert.deepEqual(run.errors, ['target-oracle: line 2: unknown message type "BOGUS"']);
  });

  test('a record failing validation names stream, line and field', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config(),
      singer(
        schema('order_dtl', {
          id: { type: 'integer' },
          ord_qty: { type: 'string', format: 'singer.decimal' },
        }),
        record('order_dtl', { id: 1, ord_qty: '1.5' }),
        record('order_dtl', { id: 2, ord_qty: 7 }),
      ),
    );
    assert.equal(run.code, 1);
    assert.deepEqual(run.errors, [
      'target-oracle: stream "order_dtl", line 3: field "ord_qty": must be string',
    ]);
  });

  test('validate_records false loads what the schema would reject', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config({ validate_records: false }),
      singer(
        schema('s', { id: { type: 'integer' }, note: { type: 'string' } }),
        record('s', { id: 1, note: 5 }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(rows(ws.db, 's'), [{ id: 1, note: '5' }]);
  });

  test('dead_letter keeps a record missing its key, with the reason, and loads the rest', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config({ invalid_record_policy: 'dead_letter' }),
      singer(
        schema('s', METRIC),
        record('s', { metric: 1 }),
        record('s', { id: 2, metric: 2 }),
        state({ s: 2 }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(rows(ws.db, 's'), [{ id: 2, metric: 2 }]);
    const [reject] = rows(ws.db, '_sdc_rejects');
    assert.equal(reject!.reason, 'key property "id" is missing');
    assert.equal(reject!.line_number, 2);
    assert.deepEqual(run.states, [{ s: 2 }]);
  });

  test('a failing batch: one line naming stream and lines, earlier commits and their states stand', async () => {
    const ws = fresh();
    const run = await runTarget(
      ws.config({ validate_records: false, batch_size_rows: 1 }),
      singer(
        schema('s', METRIC),
        record('s', { id: 1, metric: 1 }),
        state({ s: 1 }),
        record('s', { id: 'not an integer key', metric: 2 }), // the integer key's check refuses it
        state({ s: 2 }),
      ),
    );
    assert.equal(run.code, 1);
    assert.equal(run.errors.length, 1);
    assert.match(
      run.errors[0]!,
      /^target-oracle: stream "s", lines 4-4: SQLite: writing 1 rows to "s" failed: CHECK constraint failed: typeof\("id"\) = 'integer'$/,
    );
    assert.deepEqual(run.states, [{ s: 1 }]);
    assert.deepEqual(rows(ws.db, 's'), [{ id: 1, metric: 1 }]);
  });

  test('ACTIVATE_VERSION before SCHEMA is a clear error', async () => {
    const ws = fresh();
    const run = await runTarget(ws.config(), singer({ type: 'ACTIVATE_VERSION', stream: 'v', version: 1 }));
    assert.equal(run.code, 1);
    assert.deepEqual(run.errors, [
      'target-oracle: stream "v", line 1: ACTIVATE_VERSION before any SCHEMA for this stream',
    ]);
  });

  test('a database that cannot be opened is one clear line, exit 1', async () => {
    const ws = fresh();
    const run = await runTarget(ws.config({ sqlite_path: ws.dir }), singer(schema('s', METRIC)));
    assert.equal(run.code, 1);
    assert.equal(run.errors.length, 1);
    assert.match(run.errors[0]!, /^target-oracle: SQLite: .*/);
  });
});

describe('CLI', { concurrency: 3 }, () => {
  test('a config of just dialect and sqlite_path works, reading --input FILE', async () => {
    const ws = fresh();
    const { writeFileSync } = await import('node:fs');
    const input = `${ws.dir}/in.singer`;
    writeFileSync(input, singer(schema('s', METRIC), record('s', { id: 1, metric: 1 }), state({ s: 1 })));
    const child = spawnTarget(['--config', ws.config(), '--input', input]);
    child.stdin.end();
    const run = await collect(child);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.states, [{ s: 1 }]);
    assert.equal(rows(ws.db, 's').length, 1);
  });

  test('sqlite without sqlite_path, or a bad enum value, is a usage error (exit 2)', async () => {
    const ws = fresh();
    const { writeFileSync } = await import('node:fs');
    const bare = `${ws.dir}/bare.json`;
    writeFileSync(bare, JSON.stringify({ dialect: 'sqlite' }));
    const missing = await runTarget(bare, '');
    assert.equal(missing.code, 2);
    assert.deepEqual(missing.errors, [
      'target-oracle: setting "sqlite_path" is required when "dialect" is "sqlite"',
    ]);
    const wrong = await runTarget(ws.config({ load_method: 'merge' }), '');
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.errors[0]!,
      /setting "load_method" must be one of "upsert", "append-only", "overwrite"/,
    );
  });

  test('--about lists every setting, the Oracle dialect settings merged in', async () => {
    const child = spawnTarget(['--about']);
    child.stdin.end();
    const run = await collect(child);
    assert.equal(run.code, 0);
    const about = JSON.parse(run.stdout) as {
      settings: { properties: Record<string, { default?: unknown }> };
    };
    const settings = about.settings.properties;
    for (const name of [
      'dialect',
      'sqlite_path',
      'default_target_schema',
      'table_prefix',
      'load_method',
      'batch_size_rows',
      'batch_max_age_seconds',
      'add_record_metadata',
      'validate_records',
      'invalid_record_policy',
      'hard_delete',
      'flattening_enabled',
      'flattening_max_depth',
    ]) {
      assert.ok(settings[name], `setting ${name}`);
    }
    assert.equal(settings.dialect!.default, 'oracle');
    assert.equal(settings.load_method!.default, 'upsert');
    assert.equal(settings.validate_records!.default, true);
    assert.equal(settings.invalid_record_policy!.default, 'fail');
  });
});
