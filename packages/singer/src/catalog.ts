import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { JsonSchema } from './messages.js';

export type Breadcrumb = string[];

export interface StreamMetadata {
  inclusion?: 'available' | 'automatic' | 'unsupported';
  selected?: boolean;
  'selected-by-default'?: boolean;
  'replication-method'?: ReplicationMethod;
  'replication-key'?: string;
  'table-key-properties'?: string[];
  'forced-replication-method'?: ReplicationMethod;
  'valid-replication-keys'?: string[];
  [key: string]: unknown;
}

export interface MetadataEntry {
  breadcrumb: Breadcrumb;
  metadata: StreamMetadata;
}

export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  metadata: MetadataEntry[];
  key_properties?: string[];
  replication_key?: string;
  replication_method?: ReplicationMethod;
  table_name?: string;
}

export interface Catalog {
  streams: CatalogEntry[];
}

const sameBreadcrumb = (a: Breadcrumb, b: Breadcrumb): boolean =>
  a.length === b.length && a.every((part, i) => part === b[i]);

export function getMetadata(entry: CatalogEntry, breadcrumb: Breadcrumb = []): StreamMetadata {
  return entry.metadata.find((item) => sameBreadcrumb(item.breadcrumb, breadcrumb))?.metadata ?? {};
}

/**
 * The Singer selection rules as the Meltano SDK applies them: no metadata at all selects
 * everything; `unsupported` is never
 * selected and `automatic` always is (unless its parent is not); otherwise `selected`, then
 * `selected-by-default`, then the parent's answer. A deselected stream deselects its fields.
 */
export function isSelected(entry: CatalogEntry, breadcrumb: Breadcrumb = []): boolean {
  // As in the SDK: a stream with no metadata at all is taken whole.
  if (entry.metadata.length === 0) return true;
  const metadata = getMetadata(entry, breadcrumb);
  if (metadata.inclusion === 'unsupported') return false;
  let parent: boolean | undefined;
  if (breadcrumb.length > 0) {
    parent = isSelected(entry, breadcrumb.slice(0, -2));
    if (!parent) return false;
  }
  if (metadata.inclusion === 'automatic') return true;
  if (typeof metadata.selected === 'boolean') return metadata.selected;
  if (typeof metadata['selected-by-default'] === 'boolean') return metadata['selected-by-default'];
  return parent ?? false;
}

export function selectedStreams(catalog: Catalog): CatalogEntry[] {
  return catalog.streams.filter((entry) => isSelected(entry));
}

/** Top-level properties of a stream that are selected, in schema order. */
export function selectedProperties(entry: CatalogEntry): string[] {
  if (!isSelected(entry)) return [];
  return Object.keys(entry.schema.properties ?? {}).filter((name) => isSelected(entry, ['properties', name]));
}

/** A copy of the stream's schema holding only its selected top-level properties. */
export function selectedSchema(entry: CatalogEntry): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const all = entry.schema.properties ?? {};
  for (const name of selectedProperties(entry)) properties[name] = all[name]!;
  const schema: JsonSchema = { ...entry.schema, properties };
  if (Array.isArray(entry.schema.required)) {
    schema.required = entry.schema.required.filter((name) => name in properties);
  }
  return schema;
}

export interface StreamReplication {
  method: ReplicationMethod;
  key: string | undefined;
  keyProperties: string[];
}

/** Replication method, key and key properties from stream metadata (then the legacy top-level fields). */
export function streamReplication(entry: CatalogEntry): StreamReplication {
  const metadata = getMetadata(entry);
  const key = metadata['replication-key'] ?? entry.replication_key;
  const method =
    metadata['forced-replication-method'] ??
    metadata['replication-method'] ??
    entry.replication_method ??
    (key ? 'INCREMENTAL' : 'FULL_TABLE');
  return {
    method,
    key: method === 'INCREMENTAL' ? key : undefined,
    keyProperties: metadata['table-key-properties'] ?? entry.key_properties ?? [],
  };
}

export interface StreamDiscovery {
  tapStreamId: string;
  schema: JsonSchema;
  keyProperties: string[];
  replicationKey?: string;
  selectedByDefault?: boolean;
}

/** Catalog entry for discovery: key properties and the replication key are `automatic`. */
export function discoveredEntry(stream: StreamDiscovery): CatalogEntry {
  const automatic = new Set([
    ...stream.keyProperties,
    ...(stream.replicationKey ? [stream.replicationKey] : []),
  ]);
  const streamMetadata: StreamMetadata = {
    inclusion: 'available',
    'selected-by-default': stream.selectedByDefault ?? true,
    'table-key-properties': stream.keyProperties,
    'replication-method': stream.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE',
  };
  if (stream.replicationKey) {
    streamMetadata['replication-key'] = stream.replicationKey;
    streamMetadata['valid-replication-keys'] = [stream.replicationKey];
  }
  const metadata: MetadataEntry[] = [{ breadcrumb: [], metadata: streamMetadata }];
  for (const name of Object.keys(stream.schema.properties ?? {})) {
    metadata.push({
      breadcrumb: ['properties', name],
      metadata: automatic.has(name)
        ? { inclusion: 'automatic' }
        : { inclusion: 'available', 'selected-by-default': true },
    });
  }
  const entry: CatalogEntry = {
    tap_stream_id: stream.tapStreamId,
    stream: stream.tapStreamId,
    schema: stream.schema,
    key_properties: stream.keyProperties,
    metadata,
  };
  if (stream.replicationKey) {
    entry.replication_key = stream.replicationKey;
    entry.replication_method = 'INCREMENTAL';
  } else {
    entry.replication_method = 'FULL_TABLE';
  }
  return entry;
}

/** Reads and checks a catalog file (`--catalog`, or the legacy `--properties`). */
export function readCatalogFile(path: string): Catalog {
  const value = readJsonFile(path, 'catalog');
  return toCatalog(value, path);
}

export function toCatalog(value: unknown, source: string): Catalog {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as Catalog).streams)) {
    throw new ConfigError('CATALOG_INVALID', `catalog ${source}: expected an object with a "streams" array`);
  }
  const streams = (value as { streams: unknown[] }).streams;
  streams.forEach((raw, index) => {
    const entry = raw as Partial<CatalogEntry>;
    const where = `catalog ${source}: streams[${index}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new ConfigError('CATALOG_INVALID', `${where} is not an object`);
    if (typeof entry.tap_stream_id !== 'string') {
      throw new ConfigError('CATALOG_INVALID', `${where} has no "tap_stream_id" string`);
    }
    if (typeof entry.schema !== 'object' || entry.schema === null) {
      throw new ConfigError('CATALOG_INVALID', `${where} (${entry.tap_stream_id}) has no "schema" object`);
    }
    if (entry.stream === undefined) entry.stream = entry.tap_stream_id;
    if (entry.metadata === undefined) entry.metadata = [];
    if (!Array.isArray(entry.metadata)) {
      throw new ConfigError(
        'CATALOG_INVALID',
        `${where} (${entry.tap_stream_id}): "metadata" must be an array`,
      );
    }
    for (const item of entry.metadata) {
      if (!Array.isArray(item?.breadcrumb) || typeof item.metadata !== 'object' || item.metadata === null) {
        throw new ConfigError(
          'CATALOG_INVALID',
          `${where} (${entry.tap_stream_id}): each metadata entry needs a "breadcrumb" array and a "metadata" object`,
        );
      }
    }
  });
  return value as Catalog;
}

/** The catalog as `--discover` prints it and `--catalog` reads it back: indented JSON, one trailing newline. */
export function formatCatalog(catalog: Catalog): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}

/** Reads a JSON file; `whenEmpty`, if given, stands for a file holding only white space. */
export function readJsonFile(path: string, what: string, whenEmpty?: unknown): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${what.toUpperCase()}_UNREADABLE`, `cannot read ${what} file ${path} (${code})`);
  }
  if (whenEmpty !== undefined && text.trim() === '') return whenEmpty;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${what.toUpperCase()}_NOT_JSON`,
      `${what} file ${path} is not valid JSON (${(error as Error).message})`,
    );
  }
}
