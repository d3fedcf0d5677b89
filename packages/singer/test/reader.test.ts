import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  DEFAULT_MAX_LINE_BYTES,
  type Message,
  type MessageBatch,
  MessageError,
  openInput,
  readMessageBatches,
  readMessages,
} from '../src/index.js';

async function* chunks(...parts: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
  for (const part of parts) yield part;
}

async function readAll(
  input: AsyncIterable<Buffer | string>,
  maxLineBytes?: number,
): Promise<Array<{ message: Message; lineNumber: number }>> {
  const out: Array<{ message: Message; lineNumber: number }> = [];
  const options = maxLineBytes === undefined ? {} : { maxLineBytes };
  for await (const item of readMessages(input, options)) out.push(item);
  return out;
}

async function readError(
  input: AsyncIterable<Buffer | string>,
  maxLineBytes?: number,
): Promise<MessageError> {
  try {
    await readAll(input, maxLineBytes);
  } catch (error) {
    assert.ok(error instanceof MessageError, `expected a MessageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the input to be rejected');
}

const record = (id: number, text = 'a'): string =>
  `{"type":"RECORD","stream":"s","record":{"id":${id},"text":${JSON.stringify(text)}}}`;

describe('readMessageBatches', () => {
  it('yields a batch per small chunk with 1-based line numbers', async () => {
    const batches: MessageBatch[] = [];
    for await (const batch of readMessageBatches(chunks(`${record(1)}\n${record(2)}\n`, `${record(3)}\n`))) {
      batches.push(batch);
    }
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[0]!.lineNumbers, [1, 2]);
    assert.deepEqual(batches[1]!.lineNumbers, [3]);
    assert.deepEqual(
      batches.flatMap((batch) => batch.messages.map((m) => m.type === 'RECORD' && m.record.id)),
      [1, 2, 3],
    );
  });

  it('ignores blank and white-space lines but still counts them', async () => {
    const out = await readAll(chunks(`\n${record(1)}\n   \n\t\r\n\n${record(2)}\n\n`));
    assert.deepEqual(
      out.map((item) => item.lineNumber),
      [2, 6],
    );
  });

  it('tolerates CRLF line ends, also on the last line and across chunks', async () => {
    const out = await readAll(chunks(`${record(1)}\r`, `\n${record(2)}\r\n${record(3)}\r\n`));
    assert.deepEqual(
      out.map((item) => item.message.type === 'RECORD' && item.message.record.id),
      [1, 2, 3],
    );
    const unterminated = await readAll(chunks(`${record(1)}\r\n${record(2)}\r`));
    assert.equal(unterminated.length, 2);
  });

  it('joins a line split across many chunks', async () => {
    const line = `${record(1, 'x'.repeat(1000))}\n`;
    const parts = [];
    for (let i = 0; i < line.length; i += 7) parts.push(line.slice(i, i + 7));
    const out = await readAll(chunks(...parts));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.message.type === 'RECORD' && out[0]!.message.record.text, 'x'.repeat(1000));
  });

  it('keeps multi-byte UTF-8 intact when a chunk ends inside a character', async () => {
    const text = 'Zürich – 東京 🚚';
    const bytes = Buffer.from(`${record(1, text)}\n${record(2, text)}\n`, 'utf8');
    // cut at every byte position, so some cut falls inside each multi-byte sequence
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = await readAll(chunks(bytes.subarray(0, cut), bytes.subarray(cut)));
      assert.deepEqual(
        out.map((item) => item.message.type === 'RECORD' && item.message.record.text),
        [text, text],
        `cut at byte ${cut}`,
      );
    }
    // one byte per chunk
    const single = [...bytes].map((byte) => Buffer.from([byte]));
    assert.equal((await readAll(chunks(...single))).length, 2);
  });

  it('hands a large chunk over in slices of about 64 KiB, losing and renumbering no line', async () => {
    // One 1.3 MB chunk: short lines, multi-byte text, blank lines and lines longer than a slice.
    const lines: string[] = [];
    const expected: Array<{ value: string; lineNumber: number }> = [];
    for (let i = 1; i <= 3000; i++) {
      if (i % 500 === 0) {
        lines.push('');
        continue;
      }
      const value = i % 700 === 0 ? 'é'.repeat(150_000) : `${i} naïve ✓ 😀`.repeat(1 + (i % 40));
      lines.push(JSON.stringify({ type: 'STATE', value }));
      expected.push({ value, lineNumber: i });
    }
    const chunk = Buffer.from(`${lines.join('\n')}\n`);
    assert.ok(chunk.length > 1_000_000);
    const batches: MessageBatch[] = [];
    for await (const batch of readMessageBatches(chunks(chunk))) batches.push(batch);
    // Each slice is about 64 KiB, or one line when a line is longer.
    assert.ok(batches.length > 15, `${batches.length} batches`);
    for (const batch of batches) {
      const bytes = batch.messages.reduce((sum, m) => sum + JSON.stringify(m).length, 0);
      assert.ok(batch.messages.length === 1 || bytes < 70 * 1024, `a batch of ${bytes} bytes`);
    }
    const got = batches.flatMap((batch) =>
      batch.messages.map((message, i) => ({
        value: (message as { value: string }).value,
        lineNumber: batch.lineNumbers[i]!,
      })),
    );
    assert.deepEqual(got, expected);
  });

  it('accepts string chunks', async () => {
    assert.equal((await readAll(chunks(`${record(1)}\n`, `${record(2)}\n`))).length, 2);
  });

  it('accepts a complete last line without a closing newline', async () => {
    const out = await readAll(chunks(`${record(1)}\n${record(2)}`));
    assert.deepEqual(
      out.map((item) => item.lineNumber),
      [1, 2],
    );
  });

  it('reports a truncated last line as such, with its line number', async () => {
    const error = await readError(chunks(`${record(1)}\n${record(2)}\n{"type":"RECORD","stream":"s","rec`));
    assert.equal(error.code, 'MESSAGE_TRUNCATED');
    assert.equal(error.lineNumber, 3);
    assert.match(error.message, /^line 3: the input ended in the middle of a message/);
  });

  it('reports an envelope error on an unterminated last line as an envelope error', async () => {
    const error = await readError(chunks(`${record(1)}\n{"type":"NOPE"}`));
    assert.equal(error.code, 'MESSAGE_UNKNOWN_TYPE');
    assert.equal(error.lineNumber, 2);
  });

  it('names the line of invalid JSON, counting blank lines', async () => {
    const error = await readError(chunks(`${record(1)}\n\n${record(2)}\n{not json}\n${record(3)}\n`));
    assert.equal(error.code, 'MESSAGE_NOT_JSON');
    assert.equal(error.lineNumber, 4);
    assert.match(error.message, /^line 4: not valid JSON \(/);
  });

  it('delivers every message before a bad line, then the error', async () => {
    const seen: number[] = [];
    const input = chunks(`${record(1)}\n${record(2)}\n{"type":"RECORD"}\n${record(4)}\n`);
    await assert.rejects(async () => {
      for await (const item of readMessages(input)) seen.push(item.lineNumber);
    }, /^MessageError: line 3: RECORD message has no "stream" string$/);
    assert.deepEqual(seen, [1, 2]);
  });

  it('names the line of an unknown type and of an envelope error', async () => {
    const unknown = await readError(chunks(`${record(1)}\n{"type":"BATCH"}\n`));
    assert.equal(unknown.code, 'MESSAGE_UNKNOWN_TYPE');
    assert.match(unknown.message, /^line 2: unknown message type "BATCH"$/);
    const envelope = await readError(chunks(`${record(1)}\n${record(2)}\n{"type":"record","stream":"s"}\n`));
    assert.match(envelope.message, /^line 3: RECORD for stream "s" has no "record" object$/);
  });

  it('reads type case-insensitively', async () => {
    const out = await readAll(
      chunks('{"type":"record","stream":"s","record":{}}\n{"type":"State","value":1}\n'),
    );
    assert.deepEqual(
      out.map((item) => item.message.type),
      ['RECORD', 'STATE'],
    );
  });

  it('rejects a line longer than the limit, complete inside one chunk', async () => {
    const long = record(2, 'y'.repeat(500));
    const error = await readError(chunks(`${record(1)}\n${long}\n`), 200);
    assert.equal(error.code, 'MESSAGE_TOO_LONG');
    assert.equal(error.lineNumber, 2);
    assert.match(error.message, /^line 2: line is longer than the limit of 200 bytes$/);
  });

  it('rejects a long line while it is still arriving, before it is complete', async () => {
    let served = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${record(1)}\n{"type":"RECORD","stream":"s","record":{"t":"`);
      for (;;) {
        served++;
        yield Buffer.alloc(100, 'z');
      }
    }
    const error = await readError(endless(), 1000);
    assert.equal(error.code, 'MESSAGE_TOO_LONG');
    assert.equal(error.lineNumber, 2);
    assert.ok(served <= 11, `stopped after ${served} chunks`);
  });

  it('rejects a long unterminated last line that arrived with the chunk before it', async () => {
    const tail = `{"type":"STATE","value":"${'q'.repeat(300)}"}`;
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const item of readMessages(chunks(`${record(1)}\n${tail}`), { maxLineBytes: 200 })) {
        seen.push(item.lineNumber);
      }
    }, /^MessageError: line 2: line is longer than the limit of 200 bytes$/);
    assert.deepEqual(seen, [1]);
  });

  it('counts the limit in bytes, not characters', async () => {
    const line = record(1, 'é'.repeat(100)); // 200 bytes of text, 100 characters
    assert.equal((await readAll(chunks(`${line}\n`), 400)).length, 1);
    const error = await readError(chunks(`${line}\n`), line.length + 10);
    assert.equal(error.code, 'MESSAGE_TOO_LONG');
  });

  it('has a 100 MiB default limit', () => {
    assert.equal(DEFAULT_MAX_LINE_BYTES, 100 * 1024 * 1024);
  });

  it('yields nothing for empty or blank input', async () => {
    assert.deepEqual(await readAll(chunks()), []);
    assert.deepEqual(await readAll(chunks('\n\n  \r\n', '  ')), []);
  });
});

describe('openInput', () => {
  it('reads a file given by path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'singer-reader-'));
    const path = join(dir, 'in.jsonl');
    writeFileSync(path, `${record(1)}\n${record(2)}\n`);
    const out = await readAll(openInput(path));
    assert.equal(out.length, 2);
  });

  it('is stdin for no path or "-"', () => {
    assert.equal(openInput(), process.stdin);
    assert.equal(openInput('-'), process.stdin);
  });

  it('reports a missing file as a usage error naming it', () => {
    assert.throws(
      () => openInput('/nonexistent/singer-input.jsonl'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.exitCode === 2 &&
        error.message === 'cannot read input file /nonexistent/singer-input.jsonl (ENOENT)',
    );
  });
});

describe('the Meltano SDK target conformance streams', () => {
  // test/fixtures/singer-conformance in the repository (from packages/singer/dist/test);
  // every file has valid envelopes
  const dir = fileURLToPath(new URL('../../../../test/fixtures/singer-conformance/', import.meta.url));
  const expected: Record<string, Record<string, number>> = {
    array_data: { SCHEMA: 1, RECORD: 4, STATE: 1 },
    camelcase: { SCHEMA: 1, RECORD: 2 },
    duplicate_records: { SCHEMA: 1, RECORD: 5, STATE: 1 },
    invalid_schema: { SCHEMA: 1 },
    no_primary_keys: { SCHEMA: 1, RECORD: 3, STATE: 1 },
    no_primary_keys_append: { SCHEMA: 1, RECORD: 5, STATE: 1 },
    optional_attributes: { SCHEMA: 1, RECORD: 4, STATE: 1 },
    record_before_schema: { RECORD: 2, SCHEMA: 1 },
    record_missing_fields: { SCHEMA: 1, RECORD: 2, STATE: 1 },
    record_missing_key_property: { SCHEMA: 1, RECORD: 1 },
    record_missing_required_property: { SCHEMA: 1, RECORD: 1 },
    schema_no_properties: { SCHEMA: 2, RECORD: 4 },
    schema_updates: { SCHEMA: 4, RECORD: 6, STATE: 1 },
    user_location_data: { SCHEMA: 3, RECORD: 11, STATE: 1 },
  };
  for (const [name, counts] of Object.entries(expected)) {
    it(`reads ${name}.singer`, async () => {
      const seen: Record<string, number> = {};
      for (const { message } of await readAll(createReadStream(join(dir, `${name}.singer`)))) {
        seen[message.type] = (seen[message.type] ?? 0) + 1;
      }
      assert.deepEqual(seen, counts);
    });
  }
});
