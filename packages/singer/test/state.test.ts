import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigError,
  clearBookmark,
  getBookmark,
  mergeBookmark,
  readStateFile,
  type State,
  setBookmark,
} from '../src/index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const frozenState = (): State =>
  deepFreeze({
    bookmarks: {
      orders: { replication_key: 'mod_ts', replication_key_value: '2026-01-01T00:00:00Z' },
      lines: { replication_key_value: 5 },
    },
    currently_syncing: 'orders',
  });

describe('bookmark helpers never mutate their input', () => {
  it('getBookmark reads one stream, or undefined', () => {
    const state = frozenState();
    assert.deepEqual(getBookmark(state, 'lines'), { replication_key_value: 5 });
    assert.equal(getBookmark(state, 'nope'), undefined);
    assert.equal(getBookmark(undefined, 'nope'), undefined);
    assert.equal(getBookmark({}, 'nope'), undefined);
  });

  it('setBookmark replaces one stream and keeps the others and other fields', () => {
    const state = frozenState();
    const next = setBookmark(state, 'orders', { replication_key_value: '2026-02-01T00:00:00Z' });
    assert.deepEqual(next, {
      bookmarks: {
        orders: { replication_key_value: '2026-02-01T00:00:00Z' },
        lines: { replication_key_value: 5 },
      },
      currently_syncing: 'orders',
    });
    assert.notEqual(next, state);
    assert.deepEqual(state, frozenState(), 'input unchanged');
  });

  it('setBookmark starts a state from nothing', () => {
    assert.deepEqual(setBookmark(undefined, 'a', { version: 1 }), { bookmarks: { a: { version: 1 } } });
    assert.deepEqual(setBookmark({}, 'a', { version: 1 }), { bookmarks: { a: { version: 1 } } });
  });

  it('mergeBookmark merges fields into the stream bookmark', () => {
    const state = frozenState();
    const next = mergeBookmark(state, 'orders', { version: 3 });
    assert.deepEqual(next.bookmarks?.orders, {
      replication_key: 'mod_ts',
      replication_key_value: '2026-01-01T00:00:00Z',
      version: 3,
    });
    assert.deepEqual(mergeBookmark(state, 'new', { version: 1 }).bookmarks?.new, { version: 1 });
    assert.deepEqual(state, frozenState());
  });

  it('clearBookmark removes one stream', () => {
    const state = frozenState();
    const next = clearBookmark(state, 'orders');
    assert.deepEqual(next, {
      bookmarks: { lines: { replication_key_value: 5 } },
      currently_syncing: 'orders',
    });
    assert.deepEqual(clearBookmark(undefined, 'x'), { bookmarks: {} });
    assert.deepEqual(state, frozenState());
  });
});

describe('readStateFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'singer-state-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a bookmarks state', () => {
    assert.deepEqual(readStateFile(write('s.json', '{"bookmarks":{"a":{"version":1}}}')), {
      bookmarks: { a: { version: 1 } },
    });
  });

  it('treats an empty file, white space, {} and null as an empty state', () => {
    assert.deepEqual(readStateFile(write('empty.json', '')), {});
    assert.deepEqual(readStateFile(write('blank.json', ' \n')), {});
    assert.deepEqual(readStateFile(write('obj.json', '{}')), {});
    assert.deepEqual(readStateFile(write('null.json', 'null')), {});
  });

  it('unwraps a Meltano {"singer_state": ...} file', () => {
    assert.deepEqual(readStateFile(write('wrapped.json', '{"singer_state":{"bookmarks":{"a":{}}}}')), {
      bookmarks: { a: {} },
    });
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['array.json', '[]', /expected a JSON object/],
    ['number.json', '3', /expected a JSON object/],
    ['bad-bookmarks.json', '{"bookmarks":3}', /"bookmarks" must be an object/],
    ['array-bookmarks.json', '{"bookmarks":[]}', /"bookmarks" must be an object/],
    ['not-json.json', '{"bookmarks":', /state file .* is not valid JSON/],
  ];
  for (const [name, text, pattern] of invalid) {
    it(`rejects ${name} as a configuration error`, () => {
      const path = write(name, text);
      assert.throws(
        () => readStateFile(path),
        (error: unknown) =>
          error instanceof ConfigError && error.exitCode === 2 && pattern.test(error.message),
      );
    });
  }
});
