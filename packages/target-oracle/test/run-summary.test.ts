import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSummaries } from '@wms-singer/singer';
import { METRIC, runTarget, workspaces } from './support/target-run.js';

const fresh = workspaces();

function summaryOf(stderr: string): Record<string, unknown> {
  const lines = runSummaries(stderr);
  assert.equal(lines.length, 1, stderr);
  return lines[0]!;
}

describe('target run_summary', () => {
  test('records committed per stream, rejects, input bytes, the bookmarks of the last state printed', async () => {
    const ws = fresh();
    const lines = [
      { type: 'SCHEMA', stream: 'a', schema: { properties: METRIC }, key_properties: ['id'] },
      { type: 'SCHEMA', stream: 'b', schema: { properties: METRIC }, key_properties: ['id'] },
      { type: 'RECORD', stream: 'a', record: { id: 1, metric: 1 } },
      { type: 'RECORD', stream: 'a', record: { id: 2, metric: 2 } },
      { type: 'RECORD', stream: 'b', record: { id: 1, metric: 'not a number' } },
      { type: 'RECORD', stream: 'b', record: { id: 2, metric: 3 } },
      { type: 'STATE', value: { bookmarks: { a: { replication_key_value: 2 } } } },
    ];
    const input = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
    const run = await runTarget(ws.config({ invalid_record_policy: 'skip' }), input);
    assert.equal(run.code, 0, run.stderr);
    const summary = summaryOf(run.stderr);
    assert.deepEqual(summary.streams, { a: { records: 2 }, b: { records: 1 } });
    assert.equal(summary.records, 3);
    assert.equal(summary.rejects, 1);
    assert.equal(summary.input_bytes, Buffer.byteLength(input));
    assert.equal(summary.bookmarks_before, null);
    assert.deepEqual(summary.bookmarks_after, { a: { replication_key_value: 2 } });
    assert.equal(summary.executable, 'target-oracle');
    assert.equal(summary.status, 'succeeded');
  });

  test('a failed run says so, with the line that failed', async () => {
    const ws = fresh();
    const run = await runTarget(ws.config(), '{"type":"RECORD","stream":"x","record":{}}\n');
    assert.equal(run.code, 1);
    const summary = summaryOf(run.stderr);
    assert.equal(summary.status, 'failed');
    assert.match(String(summary.error), /stream "x", line 1: RECORD before any SCHEMA/);
  });
});
