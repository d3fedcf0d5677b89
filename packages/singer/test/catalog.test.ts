import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type CatalogEntry,
  ConfigError,
  discoveredEntry,
  formatCatalog,
  isSelected,
  type MetadataEntry,
  readCatalogFile,
  selectedProperties,
  selectedSchema,
  selectedStreams,
  streamReplication,
  toCatalog,
} from '../src/index.js';

function entry(metadata: MetadataEntry[], properties = ['id', 'a', 'b']): CatalogEntry {
  return {
    tap_stream_id: 'orders',
    stream: 'orders',
    schema: {
      type: 'object',
      properties: Object.fromEntries(properties.map((name) => [name, { type: 'string' }])),
      required: ['id', 'b'],
    },
    metadata,
  };
}

const field = (name: string, metadata: MetadataEntry['metadata']): MetadataEntry => ({
  breadcrumb: ['properties', name],
  metadata,
});
const root = (metadata: MetadataEntry['metadata']): MetadataEntry => ({ breadcrumb: [], metadata });

describe('selection rules (as the Meltano SDK applies them)', () => {
  it('a stream without any metadata is selected with all its fields', () => {
    const stream = entry([]);
    assert.equal(isSelected(stream), true);
    assert.deepEqual(selectedProperties(stream), ['id', 'a', 'b']);
  });

  it('inclusion automatic is always selected, even when selected is false', () => {
    const stream = entry([
      root({ selected: true }),
      field('id', { inclusion: 'automatic', selected: false }),
    ]);
    assert.equal(isSelected(stream, ['properties', 'id']), true);
    assert.equal(isSelected(entry([root({ inclusion: 'automatic' })])), true);
  });

  it('inclusion unsupported is never selected, even when selected is true', () => {
    const stream = entry([
      root({ selected: true }),
      field('a', { inclusion: 'unsupported', selected: true }),
    ]);
    assert.equal(isSelected(stream, ['properties', 'a']), false);
    assert.equal(isSelected(entry([root({ inclusion: 'unsupported', selected: true })])), false);
  });

  it('selected wins over selected-by-default', () => {
    const stream = entry([
      root({ selected: true }),
      field('a', { inclusion: 'available', selected: false, 'selected-by-default': true }),
      field('b', { inclusion: 'available', selected: true, 'selected-by-default': false }),
    ]);
    assert.equal(isSelected(stream, ['properties', 'a']), false);
    assert.equal(isSelected(stream, ['properties', 'b']), true);
    assert.equal(isSelected(entry([root({ selected: false, 'selected-by-default': true })])), false);
  });

  it('selected-by-default applies when selected is absent', () => {
    const stream = entry([
      root({ 'selected-by-default': true }),
      field('a', { inclusion: 'available', 'selected-by-default': false }),
    ]);
    assert.equal(isSelected(stream), true);
    assert.equal(isSelected(stream, ['properties', 'a']), false);
  });

  it('a field with no selection metadata falls through to its parent', () => {
    const selected = entry([root({ selected: true }), field('a', { inclusion: 'available' })]);
    assert.equal(isSelected(selected, ['properties', 'a']), true);
    assert.equal(isSelected(selected, ['properties', 'b']), true, 'no entry at all: parent value');
    const nested = entry([
      root({ selected: true }),
      field('a', { selected: true }),
      { breadcrumb: ['properties', 'a', 'properties', 'x'], metadata: {} },
    ]);
    assert.equal(isSelected(nested, ['properties', 'a', 'properties', 'x']), true);
  });

  it('a stream with metadata but no selection answer is not selected', () => {
    assert.equal(isSelected(entry([root({ inclusion: 'available' })])), false);
  });

  it('a deselected stream deselects all its fields, automatic ones included', () => {
    const stream = entry([
      root({ selected: false }),
      field('id', { inclusion: 'automatic' }),
      field('a', { selected: true }),
    ]);
    assert.equal(isSelected(stream), false);
    assert.equal(isSelected(stream, ['properties', 'id']), false);
    assert.equal(isSelected(stream, ['properties', 'a']), false);
    assert.deepEqual(selectedProperties(stream), []);
  });

  it('a deselected parent field deselects its nested fields', () => {
    const stream = entry([
      root({ selected: true }),
      field('a', { selected: false }),
      { breadcrumb: ['properties', 'a', 'properties', 'x'], metadata: { inclusion: 'automatic' } },
    ]);
    assert.equal(isSelected(stream, ['properties', 'a', 'properties', 'x']), false);
  });

  it('selectedStreams, selectedProperties and selectedSchema', () => {
    const chosen = entry([root({ selected: true }), field('a', { selected: false })]);
    const dropped = { ...entry([root({ selected: false })]), tap_stream_id: 'lines', stream: 'lines' };
    assert.deepEqual(
      selectedStreams({ streams: [chosen, dropped] }).map((s) => s.tap_stream_id),
      ['orders'],
    );
    assert.deepEqual(selectedProperties(chosen), ['id', 'b']);
    const schema = selectedSchema(chosen);
    assert.deepEqual(Object.keys(schema.properties ?? {}), ['id', 'b']);
    assert.deepEqual(schema.required, ['id', 'b']);
    assert.deepEqual(Object.keys(chosen.schema.properties ?? {}), ['id', 'a', 'b'], 'input left alone');
  });
});

describe('replication from stream metadata', () => {
  it('reads method and key from metadata first', () => {
    const stream = entry([root({ 'replication-method': 'INCREMENTAL', 'replication-key': 'mod_ts' })]);
    stream.replication_method = 'FULL_TABLE';
    assert.deepEqual(streamReplication(stream), { method: 'INCREMENTAL', key: 'mod_ts', keyProperties: [] });
  });

  it('forced-replication-method wins over replication-method', () => {
    const stream = entry([
      root({
        'forced-replication-method': 'FULL_TABLE',
        'replication-method': 'INCREMENTAL',
        'replication-key': 'k',
      }),
    ]);
    assert.deepEqual(streamReplication(stream), { method: 'FULL_TABLE', key: undefined, keyProperties: [] });
  });

  it('falls back to legacy top-level fields, then to the key', () => {
    const legacy = entry([]);
    legacy.replication_key = 'mod_ts';
    legacy.key_properties = ['id'];
    assert.deepEqual(streamReplication(legacy), {
      method: 'INCREMENTAL',
      key: 'mod_ts',
      keyProperties: ['id'],
    });
    const plain = entry([root({ 'table-key-properties': ['id'] })]);
    assert.deepEqual(streamReplication(plain), {
      method: 'FULL_TABLE',
      key: undefined,
      keyProperties: ['id'],
    });
  });
});

describe('discoveredEntry', () => {
  it('marks key and replication key automatic, the rest available and selected by default', () => {
    const discovered = discoveredEntry({
      tapStreamId: 'order_hdr',
      schema: { type: 'object', properties: { id: {}, mod_ts: {}, status: {} } },
      keyProperties: ['id'],
      replicationKey: 'mod_ts',
    });
    assert.equal(discovered.stream, 'order_hdr');
    assert.deepEqual(discovered.metadata[0], {
      breadcrumb: [],
      metadata: {
        inclusion: 'available',
        'selected-by-default': true,
        'table-key-properties': ['id'],
        'replication-method': 'INCREMENTAL',
        'replication-key': 'mod_ts',
        'valid-replication-keys': ['mod_ts'],
      },
    });
    assert.deepEqual(
      discovered.metadata.slice(1).map((m) => [m.breadcrumb[1], m.metadata.inclusion]),
      [
        ['id', 'automatic'],
        ['mod_ts', 'automatic'],
        ['status', 'available'],
      ],
    );
    assert.equal(isSelected(discovered), true);
    assert.deepEqual(streamReplication(discovered), {
      method: 'INCREMENTAL',
      key: 'mod_ts',
      keyProperties: ['id'],
    });
  });

  it('a stream discovered as not selected by default is not selected', () => {
    const discovered = discoveredEntry({
      tapStreamId: 'x',
      schema: { properties: { id: {} } },
      keyProperties: [],
      selectedByDefault: false,
    });
    assert.equal(isSelected(discovered), false);
    assert.equal(streamReplication(discovered).method, 'FULL_TABLE');
  });
});

describe('reading and writing catalog files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'singer-catalog-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('round-trips a discovered catalog through formatCatalog and readCatalogFile', () => {
    const catalog = {
      streams: [
        discoveredEntry({ tapStreamId: 'a', schema: { properties: { id: {} } }, keyProperties: ['id'] }),
      ],
    };
    const text = formatCatalog(catalog);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(readCatalogFile(write('round.json', text)), catalog);
  });

  it('fills stream and metadata when absent', () => {
    const catalog = readCatalogFile(write('bare.json', '{"streams":[{"tap_stream_id":"a","schema":{}}]}'));
    assert.equal(catalog.streams[0]!.stream, 'a');
    assert.deepEqual(catalog.streams[0]!.metadata, []);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['not-json.json', '{"streams": [', /catalog file .* is not valid JSON/],
    ['no-streams.json', '{"entries": []}', /expected an object with a "streams" array/],
    ['no-id.json', '{"streams":[{"schema":{}}]}', /streams\[0\] has no "tap_stream_id" string/],
    ['no-schema.json', '{"streams":[{"tap_stream_id":"a"}]}', /streams\[0\] \(a\) has no "schema" object/],
    [
      'bad-meta.json',
      '{"streams":[{"tap_stream_id":"a","schema":{},"metadata":{}}]}',
      /"metadata" must be an array/,
    ],
    [
      'bad-crumb.json',
      '{"streams":[{"tap_stream_id":"a","schema":{},"metadata":[{"metadata":{}}]}]}',
      /needs a "breadcrumb" array/,
    ],
  ];
  for (const [name, text, pattern] of invalid) {
    it(`rejects ${name} as a configuration error`, () => {
      const path = write(name, text);
      assert.throws(
        () => readCatalogFile(path),
        (error: unknown) =>
          error instanceof ConfigError && error.exitCode === 2 && pattern.test(error.message),
      );
    });
  }

  it('names a missing catalog file', () => {
    assert.throws(
      () => readCatalogFile(join(dir, 'missing.json')),
      /cannot read catalog file .*missing\.json \(ENOENT\)/,
    );
  });

  it('toCatalog names its source', () => {
    assert.throws(() => toCatalog([], 'stdin'), /^ConfigError: catalog stdin:|catalog stdin:/);
  });
});
