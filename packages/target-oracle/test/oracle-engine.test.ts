// The engine driving the Oracle dialect over the recording fake, on the Singer conformance
// streams: every statement it sends parses with the PL/SQL grammar, and no STATE line reaches
// stdout while a write is uncommitted.
import assert from 'node:assert/strict';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, Metrics, SingerWriter } from '@wms-singer/singer';
import { createOracleDialect } from '../src/dialects/oracle/index.js';
import type { TargetConfig } from '../src/settings.js';
import { Target } from '../src/target.js';
import { CONFORMANCE_DIR, SUCCEEDING_STREAMS } from './support/oracle-corpus.js';
import { doubleConfig } from './support/oracle-double/run.js';
import { RecordingOracle } from './support/oracle-fake.js';
import { plsqlSyntaxErrors } from './support/oracle-grammar.js';

const config: TargetConfig = {
  ...doubleConfig,
  batch_size_rows: 2,
  add_record_metadata: true,
  flattening_max_depth: 0,
};

type Event = { kind: 'stdout'; line: string } | { kind: 'db'; index: number };

async function runStream(file: string) {
  const fake = new RecordingOracle();
  const events: Event[] = [];
  const record = fake.record.bind(fake);
  fake.record = (call) => {
    events.push({ kind: 'db', index: fake.calls.length });
    record(call);
  };
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) events.push({ kind: 'stdout', line });
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'silent' });
  const dialect = createOracleDialect(config, logger, {
    sessionSource: async () => fake,
    backoff: async () => undefined,
    runTag: 't1',
  });
  const target = new Target(config, dialect, {
    logger,
    metrics: new Metrics(logger, 0),
    output: new SingerWriter(out),
    signal: new AbortController().signal,
  });
  let error: unknown;
  try {
    await target.load(createReadStream(join(CONFORMANCE_DIR, file)));
  } catch (caught) {
    error = caught;
  }
  return { fake, events, error };
}

/** At each STATE line: no write (staging insert, MERGE, INSERT, DELETE, UPDATE) waits for a commit. */
function assertStateAfterCommit(fake: RecordingOracle, events: Event[]): number {
  const pending = new Set<number>();
  let states = 0;
  for (const event of events) {
    if (event.kind === 'stdout') {
      // A target prints only state values on stdout.
      states++;
      assert.equal(pending.size, 0, `a state was printed with uncommitted writes: ${event.line}`);
      continue;
    }
    const call = fake.calls[event.index]!;
    const write = call.kind === 'executeMany' || /^(MERGE|INSERT|DELETE|UPDATE)/.test(call.sql ?? '');
    if (write) pending.add(call.session);
    if (call.kind === 'commit' || call.kind === 'rollback') pending.delete(call.session);
  }
  return states;
}

/** Every distinct statement the engine made the dialect send, parsed once at the end. */
const sentStatements = new Set<string>();

const SUCCEEDING = SUCCEEDING_STREAMS;

for (const name of SUCCEEDING) {
  test(`conformance ${name}: engine + Oracle dialect on the fake`, {}, async () => {
    const { fake, events, error } = await runStream(`${name}.singer`);
    assert.equal(error, undefined, `the load failed: ${String(error)}`);
    assert.ok(fake.of('commit').length > 0, 'nothing was committed');
    const states = assertStateAfterCommit(fake, events);
    if (readFileSync(join(CONFORMANCE_DIR, `${name}.singer`), 'utf8').includes('"STATE"')) {
      assert.ok(states > 0, 'the stream ends with a STATE, but none was printed');
    }
    for (const call of fake.calls) if (call.kind === 'execute' && call.sql) sentStatements.add(call.sql);
    for (const call of fake.of('executeMany')) {
      for (const row of call.rows!)
        assert.equal(row.length, call.bindDefs!.length, 'one bindDef per bound value');
    }
  });
}

test('conformance duplicate_records: the staged rows are the last per key, merged once per batch', {}, async () => {
  const { fake } = await runStream('duplicate_records.singer');
  const staged = fake.of('executeMany').flatMap((c) => c.rows!);
  const merges = fake.of('execute', 'MERGE INTO');
  assert.ok(merges.length >= 1);
  assert.equal(fake.of('commit').length >= merges.length, true);
  // Whatever the batching, the last staged value per id is the stream's last one. Staging columns
  // are named by position; the MERGE says which target column each becomes.
  const position = new Map(
    [...merges[0]!.sql!.matchAll(/x\.C(\d+)\)* AS "?(\w+)"?/g)].map((m) => [m[2]!, Number(m[1]) - 1]),
  );
  const [id, metric] = [position.get('ID')!, position.get('METRIC')!];
  const last = new Map<unknown, unknown>();
  for (const row of staged) last.set(row[id], row[metric]);
  assert.deepEqual([...last.entries()].sort(), [
    ['1', '100'],
    ['2', '20'],
  ]);
});

test('conformance record_before_schema: fails, and no table is created or committed', {}, async () => {
  const { fake, error } = await runStream('record_before_schema.singer');
  assert.ok(error instanceof Error);
  assert.match(error.message, /line 1/);
  assert.equal(fake.of('execute', 'CREATE TABLE').length, 0);
  assert.equal(fake.of('commit').length, 0);
});

test('the conformance directory holds the streams this file expects', {}, () => {
  const files = readdirSync(CONFORMANCE_DIR);
  for (const name of SUCCEEDING) assert.ok(files.includes(`${name}.singer`), name);
});

test('every statement the engine made the dialect send parses with the PL/SQL grammar', {}, () => {
  assert.ok(sentStatements.size > 20, `only ${sentStatements.size} statements were sent`);
  const rejected = [...sentStatements].filter((sql) => plsqlSyntaxErrors(sql).length > 0);
  assert.deepEqual(rejected, []);
});
