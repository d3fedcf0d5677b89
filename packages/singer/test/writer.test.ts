import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseMessage, SingerWriter } from '../src/index.js';

/** A Writable that records every write call; `delayMs` makes it slow, so backpressure builds. */
class RecordingSink extends Writable {
  readonly calls: string[] = [];
  constructor(
    highWaterMark = 16 * 1024,
    private readonly delayMs = 0,
  ) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _encoding: string, callback: (error?: Error | null) => void): void {
    this.calls.push(chunk.toString());
    if (this.delayMs === 0) callback();
    else setTimeout(callback, this.delayMs);
  }
  get text(): string {
    return this.calls.join('');
  }
}

const failOnError = (error: NodeJS.ErrnoException): void =>
  assert.fail(`unexpected stream error ${error.message}`);

describe('SingerWriter', () => {
  it('relays records that are already JSON text in the very envelope writeRecord writes', async () => {
    const records = [{ id: 1, ord_qty: '12.50', note: 'a "b"\u2028' }, { id: 2 }, { id: 3, set: null }];
    const objects = new RecordingSink();
    const byObject = new SingerWriter(objects, { onStreamError: failOnError });
    for (const record of records) byObject.writeRecord('order dtl', record, '2026-01-02T03:04:05.123456Z', 7);
    byObject.writeRecord('order dtl', { id: 4 });
    await byObject.drain();

    const texts = new RecordingSink();
    const byText = new SingerWriter(texts, { onStreamError: failOnError });
    byText.writeRecordsJson(
      'order dtl',
      records.map((record) => JSON.stringify(record)),
      '2026-01-02T03:04:05.123456Z',
      7,
    );
    byText.writeRecordJson('order dtl', '{"id":4}');
    await byText.drain();

    assert.equal(texts.text, objects.text);
    const parsed = texts.text
      .trimEnd()
      .split('\n')
      .map((line, index) => parseMessage(line, index + 1));
    assert.deepEqual(parsed[0], {
      type: 'RECORD',
      stream: 'order dtl',
      record: records[0],
      version: 7,
      time_extracted: '2026-01-02T03:04:05.123456Z',
    });
    assert.equal(parsed.length, 4);
  });

  it('writes one JSON object per line that the reader reads back', async () => {
    const sink = new RecordingSink();
    const writer = new SingerWriter(sink, { onStreamError: failOnError });
    writer.writeSchema({ stream: 'orders', schema: { type: 'object' }, key_properties: ['id'] });
    writer.writeRecord('orders', { id: 1, note: 'line\nbreak "quoted"' }, '2026-01-02T03:04:05.000Z', 4);
    writer.writeRecord('orders', { id: 2 });
    writer.writeState({ bookmarks: { orders: { replication_key_value: '2026-01-01' } } });
    writer.writeActivateVersion('orders', 4);
    writer.writeMessage({ type: 'STATE', value: 1 });
    writer.writeLine('{"type":"STATE","value":2}');
    await writer.drain();
    const lines = sink.text.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 7);
    const messages = lines.map((line, index) => parseMessage(line, index + 1));
    assert.deepEqual(messages[1], {
      type: 'RECORD',
      stream: 'orders',
      record: { id: 1, note: 'line\nbreak "quoted"' },
      version: 4,
      time_extracted: '2026-01-02T03:04:05.000Z',
    });
    assert.deepEqual(messages[2], { type: 'RECORD', stream: 'orders', record: { id: 2 } });
    assert.deepEqual(
      messages.map((m) => m.type),
      ['SCHEMA', 'RECORD', 'RECORD', 'STATE', 'ACTIVATE_VERSION', 'STATE', 'STATE'],
    );
  });

  it('escapes a stream name and time_extracted that need it', async () => {
    const sink = new RecordingSink();
    const writer = new SingerWriter(sink, { onStreamError: failOnError });
    writer.writeRecord('we"ird', { id: 1 }, 'a"b');
    await writer.drain();
    const value = JSON.parse(sink.text);
    assert.equal(value.stream, 'we"ird');
    assert.equal(value.time_extracted, 'a"b');
  });

  it('hands the stream large chunks, not one write per message', async () => {
    const sink = new RecordingSink(1024 * 1024);
    const writer = new SingerWriter(sink, { chunkSize: 64 * 1024, onStreamError: failOnError });
    const record = { id: 0, text: 'x'.repeat(100) };
    for (let i = 0; i < 10_000; i++) {
      record.id = i;
      writer.writeRecord('s', record);
    }
    await writer.drain();
    const lineCount = sink.text.split('\n').length - 1;
    assert.equal(lineCount, 10_000);
    // ~1.3 MB in 64 KiB chunks: about 20 writes, not 10 000
    assert.ok(sink.calls.length <= 25, `${sink.calls.length} write calls`);
    for (const call of sink.calls.slice(0, -1)) assert.ok(call.length >= 64 * 1024);
    for (const call of sink.calls) assert.ok(call.endsWith('\n'), 'every chunk ends on a whole line');
  });

  it('writes nothing before a chunk fills or drain() is called', () => {
    const sink = new RecordingSink();
    const writer = new SingerWriter(sink, { onStreamError: failOnError });
    writer.writeState({ a: 1 });
    assert.equal(sink.calls.length, 0);
  });

  it('drain() waits while a slow stream is above its high-water mark', async () => {
    const sink = new RecordingSink(4 * 1024, 5);
    const writer = new SingerWriter(sink, { chunkSize: 8 * 1024, onStreamError: failOnError });
    const record = { text: 'x'.repeat(1000) };
    let maxQueued = 0;
    for (let page = 0; page < 20; page++) {
      for (let i = 0; i < 20; i++) writer.writeRecord('s', record);
      maxQueued = Math.max(maxQueued, sink.writableLength);
      await writer.drain();
      assert.equal(sink.writableNeedDrain, false, 'drain() returned while the stream still needed draining');
    }
    // one page (about 20 KB) is the most ever queued: memory stays bounded by the page size
    assert.ok(maxQueued <= 24 * 1024, `queued ${maxQueued} bytes`);
    await new Promise((resolve) => sink.end(resolve));
    assert.equal(sink.text.split('\n').length - 1, 400);
  });

  it('drain() does not hang when the stream drained while the producer was busy elsewhere', async () => {
    const sink = new RecordingSink(1024, 1);
    const writer = new SingerWriter(sink, { chunkSize: 2048, onStreamError: failOnError });
    for (let i = 0; i < 10; i++) writer.writeRecord('s', { text: 'x'.repeat(500) });
    // the 'drain' event fires during this wait, before drain() is called
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sink.writableNeedDrain, false);
    const outcome = await Promise.race([
      writer.drain().then(() => 'drained'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 1000)),
    ]);
    assert.equal(outcome, 'drained');
  });

  it('reports a stream error once through onStreamError and rejects drain()', async () => {
    const errors: NodeJS.ErrnoException[] = [];
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const writer = new SingerWriter(sink, { onStreamError: (error) => errors.push(error) });
    writer.writeState(1);
    // the write is accepted; its failure arrives a tick later, as from a real pipe
    await writer.drain();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(errors.length, 1);
    await assert.rejects(writer.drain(), /EPIPE/);
    writer.writeState(2);
    await assert.rejects(writer.drain(), /EPIPE/);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'EPIPE');
  });

  it('drain() rejects instead of hanging when the stream is destroyed while it waits', async () => {
    const sink = new RecordingSink(16, 10_000);
    const writer = new SingerWriter(sink, { chunkSize: 1, onStreamError: () => {} });
    writer.writeState('x'.repeat(100));
    const waiting = writer.drain();
    sink.destroy();
    await assert.rejects(waiting, /closed before it drained|EPIPE/);
  });
});
