import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Message, MessageError, parseMessage, toMessage, utcNow } from '../src/index.js';

function failure(line: string, lineNumber = 7): MessageError {
  try {
    parseMessage(line, lineNumber);
  } catch (error) {
    assert.ok(error instanceof MessageError, `expected a MessageError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${line} to be rejected`);
}

describe('parseMessage: the four message types', () => {
  it('reads a SCHEMA with key and bookmark properties', () => {
    const message = parseMessage(
      '{"type":"SCHEMA","stream":"order_hdr","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"],"bookmark_properties":["mod_ts"]}',
      1,
    );
    assert.deepEqual(message, {
      type: 'SCHEMA',
      stream: 'order_hdr',
      schema: { type: 'object', properties: { id: { type: 'integer' } } },
      key_properties: ['id'],
      bookmark_properties: ['mod_ts'],
    });
  });

  it('defaults missing key_properties to an empty list', () => {
    const message = parseMessage('{"type":"SCHEMA","stream":"s","schema":{}}', 1);
    assert.equal(message.type, 'SCHEMA');
    assert.deepEqual(message.type === 'SCHEMA' && message.key_properties, []);
  });

  it('reads a RECORD with time_extracted and version', () => {
    const message = parseMessage(
      '{"type":"RECORD","stream":"s","record":{"id":1},"time_extracted":"2026-01-02T03:04:05.123456Z","version":17}',
      1,
    );
    assert.deepEqual(message, {
      type: 'RECORD',
      stream: 's',
      record: { id: 1 },
      time_extracted: '2026-01-02T03:04:05.123456Z',
      version: 17,
    });
  });

  it('reads STATE and ACTIVATE_VERSION', () => {
    assert.deepEqual(parseMessage('{"type":"STATE","value":{"bookmarks":{}}}', 1), {
      type: 'STATE',
      value: { bookmarks: {} },
    });
    assert.deepEqual(parseMessage('{"type":"ACTIVATE_VERSION","stream":"s","version":3}', 1), {
      type: 'ACTIVATE_VERSION',
      stream: 's',
      version: 3,
    });
  });

  it('matches type case-insensitively and normalises it', () => {
    const types: Array<[string, Message['type']]> = [
      ['{"type":"record","stream":"s","record":{}}', 'RECORD'],
      ['{"type":"Schema","stream":"s","schema":{}}', 'SCHEMA'],
      ['{"type":"state","value":1}', 'STATE'],
      ['{"type":"activate_version","stream":"s","version":1}', 'ACTIVATE_VERSION'],
    ];
    for (const [line, type] of types) assert.equal(parseMessage(line, 1).type, type);
  });

  it('toMessage checks an already-parsed value the same way', () => {
    assert.equal(toMessage({ type: 'STATE', value: null }, 1).type, 'STATE');
    assert.throws(() => toMessage([], 4), /line 4: a Singer message must be a JSON object/);
  });
});

describe('parseMessage: every envelope error names the line and the problem', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['{"type": ', 'MESSAGE_NOT_JSON', /^line 7: not valid JSON/],
    ['[1,2]', 'MESSAGE_INVALID', /^line 7: a Singer message must be a JSON object$/],
    ['"RECORD"', 'MESSAGE_INVALID', /JSON object/],
    ['{"stream":"s"}', 'MESSAGE_INVALID', /^line 7: message has no "type" string$/],
    ['{"type":3}', 'MESSAGE_INVALID', /no "type" string/],
    ['{"type":"BATCH","stream":"s"}', 'MESSAGE_UNKNOWN_TYPE', /^line 7: unknown message type "BATCH"$/],
    ['{"type":"RECORD","record":{}}', 'MESSAGE_INVALID', /^line 7: RECORD message has no "stream" string$/],
    ['{"type":"RECORD","stream":"","record":{}}', 'MESSAGE_INVALID', /RECORD message has no "stream"/],
    ['{"type":"RECORD","stream":"s"}', 'MESSAGE_INVALID', /RECORD for stream "s" has no "record" object/],
    ['{"type":"RECORD","stream":"s","record":[1]}', 'MESSAGE_INVALID', /no "record" object/],
    [
      '{"type":"RECORD","stream":"s","record":{},"time_extracted":5}',
      'MESSAGE_INVALID',
      /"time_extracted" must be an RFC 3339 date-time/,
    ],
    [
      '{"type":"RECORD","stream":"s","record":{},"time_extracted":"yesterday"}',
      'MESSAGE_INVALID',
      /"time_extracted" must be an RFC 3339 date-time string \(got "yesterday"\)/,
    ],
    [
      '{"type":"RECORD","stream":"s","record":{},"version":1.5}',
      'MESSAGE_INVALID',
      /RECORD for stream "s": "version" must be an integer/,
    ],
    ['{"type":"SCHEMA","stream":"s"}', 'MESSAGE_INVALID', /SCHEMA for stream "s" has no "schema" object/],
    [
      '{"type":"SCHEMA","stream":"s","schema":{},"key_properties":"id"}',
      'MESSAGE_INVALID',
      /"key_properties" must be an array of strings/,
    ],
    [
      '{"type":"SCHEMA","stream":"s","schema":{},"bookmark_properties":[1]}',
      'MESSAGE_INVALID',
      /"bookmark_properties" must be an array of strings/,
    ],
    ['{"type":"STATE"}', 'MESSAGE_INVALID', /^line 7: STATE message has no "value"$/],
    [
      '{"type":"ACTIVATE_VERSION","version":1}',
      'MESSAGE_INVALID',
      /ACTIVATE_VERSION message has no "stream"/,
    ],
    [
      '{"type":"ACTIVATE_VERSION","stream":"s","version":"1"}',
      'MESSAGE_INVALID',
      /ACTIVATE_VERSION for stream "s": "version" must be an integer/,
    ],
  ];
  for (const [line, code, pattern] of cases) {
    it(`${code}: ${line}`, () => {
      const error = failure(line);
      assert.equal(error.code, code);
      assert.equal(error.lineNumber, 7);
      assert.equal(error.exitCode, 1);
      assert.match(error.message, pattern);
    });
  }

  it('accepts RFC 3339 offsets and a null time_extracted or version', () => {
    for (const stamp of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.1+02:00', '2026-01-02t03:04:05z']) {
      assert.equal(
        parseMessage(`{"type":"RECORD","stream":"s","record":{},"time_extracted":"${stamp}"}`, 1).type,
        'RECORD',
      );
    }
    assert.equal(
      parseMessage('{"type":"RECORD","stream":"s","record":{},"time_extracted":null,"version":null}', 1).type,
      'RECORD',
    );
  });
});

describe('utcNow', () => {
  it('is an RFC 3339 UTC instant from the clock', () => {
    assert.equal(
      utcNow(() => Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      '2026-01-02T03:04:05.006Z',
    );
  });
});
