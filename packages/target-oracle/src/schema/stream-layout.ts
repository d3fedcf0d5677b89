import { type JsonSchema, SingerError } from '@wms-singer/singer';
import type { ColumnType } from '../dialects/dialect.js';
import { columnTypeOf, objectProperties } from './column-types.js';
import { NameRegistry, normaliseName } from './names.js';

/** The Meltano SDK metadata columns, filled by the engine rather than read from the record. */
export type MetadataField =
  | '_sdc_extracted_at'
  | '_sdc_received_at'
  | '_sdc_batched_at'
  | '_sdc_deleted_at'
  | '_sdc_sequence'
  | '_sdc_table_version'
  | '_sdc_sync_started_at';

const METADATA_TYPES: Record<MetadataField, ColumnType> = {
  _sdc_extracted_at: { kind: 'datetime' },
  _sdc_received_at: { kind: 'datetime' },
  _sdc_batched_at: { kind: 'datetime' },
  _sdc_deleted_at: { kind: 'datetime' },
  _sdc_sequence: { kind: 'integer' },
  _sdc_table_version: { kind: 'integer' },
  _sdc_sync_started_at: { kind: 'integer' },
};

/** Every metadata column, in the order `add_record_metadata` adds them. */
export const ALL_METADATA: MetadataField[] = [
  '_sdc_extracted_at',
  '_sdc_received_at',
  '_sdc_batched_at',
  '_sdc_deleted_at',
  '_sdc_sequence',
  '_sdc_table_version',
  '_sdc_sync_started_at',
];

/** Columns a versioned stream needs even without `add_record_metadata`. */
export const VERSION_FIELDS: MetadataField[] = ['_sdc_table_version', '_sdc_deleted_at'];

/** One column of a stream's table and where its value comes from. */
export interface LoadColumn {
  name: string;
  /** The type the schema asks for; the table's own column may be wider. */
  type: ColumnType;
  /** Property path in the record (one entry unless flattened); empty for metadata. */
  path: readonly string[];
  /** The property path as the tap spells it, for error messages. */
  property: string;
  metadata?: MetadataField;
}

export interface StreamLayout {
  columns: LoadColumn[];
  /** Key properties as the record spells them, and their column names. */
  keyProperties: string[];
  keyColumns: string[];
  bookmarkColumns: string[];
}

export interface LayoutOptions {
  maxIdentifierLength: number;
  flatteningMaxDepth: number; // 0 when flattening is off
  metadata: readonly MetadataField[];
}

/**
 * Turns a SCHEMA message into the stream's columns: one per property (or per leaf when
 * flattening), then the metadata columns. Fails with one line naming the stream, line and
 * property for a schema that cannot be loaded.
 */
export function layoutStream(
  stream: string,
  lineNumber: number,
  schema: JsonSchema,
  keyProperties: string[],
  bookmarkProperties: string[],
  options: LayoutOptions,
): StreamLayout {
  const where = `stream "${stream}", line ${lineNumber}`;
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new SingerError('SCHEMA_INVALID', `${where}: SCHEMA has no "properties" object`);
  }
  const columns: LoadColumn[] = [];
  const names = new NameRegistry();
  const add = (column: LoadColumn): void => {
    const holder = names.claim(column.name, column.property);
    if (holder !== undefined) {
      throw new SingerError(
        'NAME_COLLISION',
        `${where}: properties "${holder}" and "${column.property}" both become column "${column.name}"`,
      );
    }
    columns.push(column);
  };
  const visit = (props: Record<string, JsonSchema>, prefix: string[], depth: number): void => {
    for (const [property, propertySchema] of Object.entries(props)) {
      const path = [...prefix, property];
      const nested = depth < options.flatteningMaxDepth ? objectProperties(propertySchema) : undefined;
      if (nested !== undefined) {
        visit(nested, path, depth + 1);
        continue;
      }
      const name = normaliseName(
        path.map((part) => normaliseName(part, Number.MAX_SAFE_INTEGER)).join('__'),
        options.maxIdentifierLength,
      );
      add({ name, type: columnTypeOf(propertySchema), path, property: path.join('.') });
    }
  };
  visit(properties as Record<string, JsonSchema>, [], 0);

  const keyColumns = keyProperties.map((key) => columnOfProperty(columns, key, where, 'key property'));
  const bookmarkColumns = bookmarkProperties.flatMap((bookmark) =>
    columns.some((c) => c.path.length === 1 && c.path[0] === bookmark)
      ? [columnOfProperty(columns, bookmark, where, 'bookmark property')]
      : [],
  );
  for (const field of options.metadata) {
    const name = normaliseName(field, options.maxIdentifierLength);
    if (columns.some((c) => c.name === name)) continue; // the tap sends it as a property: keep the tap's
    add({ name, type: METADATA_TYPES[field], path: [], property: field, metadata: field });
  }
  if (columns.length === 0) {
    throw new SingerError('SCHEMA_INVALID', `${where}: SCHEMA has no properties to load`);
  }
  return { columns, keyProperties: [...keyProperties], keyColumns, bookmarkColumns };
}

function columnOfProperty(columns: LoadColumn[], property: string, where: string, role: string): string {
  const column = columns.find((c) => c.path.length === 1 && c.path[0] === property);
  if (column === undefined) {
    throw new SingerError(
      'SCHEMA_INVALID',
      `${where}: ${role} "${property}" is not in the schema's properties`,
    );
  }
  return column.name;
}
