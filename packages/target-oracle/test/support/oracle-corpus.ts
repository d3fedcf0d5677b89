// Table specs the Oracle dialect's statements are checked on: every column type, nasty names,
// the WMS entities and the Singer conformance streams (their SCHEMA messages mapped with the
// engine's own JSON Schema -> ColumnType reading and name normalisation).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '@wms-singer/singer';
import type { ColumnSpec, ColumnType, TableSpec } from '../../src/dialects/dialect.js';
import { columnTypeOf } from '../../src/schema/column-types.js';
import { normaliseName } from '../../src/schema/names.js';

const here = dirname(fileURLToPath(import.meta.url));
/** test/fixtures/singer-conformance in the repository, from dist/test/support or test/support. */
export const CONFORMANCE_DIR = join(
  here,
  here.includes(`${sep}dist${sep}`) ? '../../../../..' : '../../../..',
  'test/fixtures/singer-conformance',
);

/** The conformance streams a target loads without error. */
export const SUCCEEDING_STREAMS = [
  'array_data',
  'camelcase',
  'duplicate_records',
  'no_primary_keys',
  'optional_attributes',
  'record_missing_fields',
  'schema_no_properties',
  'schema_updates',
  'user_location_data',
];

const col = (name: string, type: ColumnType, nullable = true): ColumnSpec => ({ name, type, nullable });

export const EVERY_TYPE: ColumnType[] = [
  { kind: 'string', maxLength: 1 },
  { kind: 'string', maxLength: 30 },
  { kind: 'string', maxLength: 1000 },
  { kind: 'string', maxLength: 4000 },
  { kind: 'string', maxLength: 20000 },
  { kind: 'string' },
  { kind: 'integer' },
  { kind: 'decimal' },
  { kind: 'number' },
  { kind: 'boolean' },
  { kind: 'datetime' },
  { kind: 'date' },
  { kind: 'time' },
  { kind: 'json' },
];

const typeTag = (type: ColumnType): string =>
  type.kind === 'string' ? `string_${type.maxLength ?? 'max'}` : type.kind;

export const everyTypeTable: TableSpec = {
  schema: 'wms',
  name: 'every_type',
  columns: [col('id', { kind: 'integer' }, false), ...EVERY_TYPE.map((t) => col(`c_${typeTag(t)}`, t))],
  primaryKey: ['id'],
  indexes: [['c_datetime'], ['c_string_30', 'c_date']],
};

/** Names that must be quoted, shortened or both. */
export const NASTY_NAMES = [
  'order',
  'date',
  'comment',
  'user',
  'level',
  'size',
  'number',
  'uid',
  'rowid',
  'key',
  'type',
  'value',
  'name',
  'timestamp',
  'json',
  'select',
  '_sdc_deleted_at',
  '_sdc_extracted_at',
  '_sdc_table_version',
  '1st_line',
  'mixedcase',
  'MixedCase',
  'with"quote',
  'dollar$sign',
  `a_name_well_beyond_thirty_characters_long`,
  `${'x'.repeat(140)}_beyond_the_128_byte_limit`,
];

export const nastyTable: TableSpec = {
  schema: 'Order',
  name: 'order',
  columns: [
    col('date', { kind: 'datetime' }, false),
    col('comment', { kind: 'string' }, false),
    ...NASTY_NAMES.filter((n) => n !== 'date' && n !== 'comment').map((n, i) =>
      col(n, EVERY_TYPE[i % EVERY_TYPE.length]!),
    ),
  ],
  primaryKey: ['date', 'comment'],
  indexes: [['_sdc_deleted_at'], ['a_name_well_beyond_thirty_characters_long']],
};

export const longNameTable: TableSpec = {
  name: `${'t'.repeat(40)}_stream_with_a_long_name_${'y'.repeat(100)}`,
  columns: [col('id', { kind: 'string' }, false), col('payload', { kind: 'json' })],
  primaryKey: ['id'],
  indexes: [],
};

const ts: ColumnType = { kind: 'datetime' };
const int: ColumnType = { kind: 'integer' };
const dec: ColumnType = { kind: 'decimal' };
const str = (maxLength?: number): ColumnType =>
  maxLength === undefined ? { kind: 'string' } : { kind: 'string', maxLength };
const json: ColumnType = { kind: 'json' };
const bool: ColumnType = { kind: 'boolean' };
const date: ColumnType = { kind: 'date' };

const wmsCommon = [
  col('id', int, false),
  col('url', str(1000)),
  col('create_user', str(30)),
  col('create_ts', ts),
  col('mod_user', str(30)),
  col('mod_ts', ts),
  col('_sdc_extracted_at', ts),
  col('_sdc_deleted_at', ts),
  col('_sdc_table_version', int),
];
const numbered = (prefix: string, type: ColumnType): ColumnSpec[] =>
  [1, 2, 3, 4, 5].map((i) => col(`${prefix}_${i}`, type));

export const wmsTables: TableSpec[] = [
  {
    schema: 'wms',
    name: 'order_hdr',
    columns: [
      ...wmsCommon,
      col('facility_id', json),
      col('company_id', json),
      col('order_nbr', str(50)),
      col('order_type_id', json),
      col('status_id', int),
      col('ord_date', date),
      col('exp_date', date),
      col('req_ship_date', date),
      ...['cust_name', 'cust_addr', 'cust_city', 'cust_state', 'cust_zip', 'cust_country', 'shipto_name'].map(
        (n) => col(n, str(100)),
      ),
      col('priority', int),
      col('sales_order_nbr', str(50)),
      col('customer_po_nbr', str(50)),
      col('total_orig_ord_qty', dec),
      col('orig_sku_count', int),
      col('orig_sale_price', dec),
      col('stop_ship_flg', bool),
      col('order_shipped_ts', ts),
      ...numbered('cust_field', str(50)),
      ...numbered('cust_date', date),
      ...numbered('cust_number', int),
      ...numbered('cust_decimal', dec),
      col('order_dtl_set', json),
    ],
    primaryKey: ['id'],
    indexes: [['mod_ts']],
  },
  {
    schema: 'wms',
    name: 'order_dtl',
    columns: [
      ...wmsCommon,
      col('order_id', json),
      col('seq_nbr', int),
      col('item_id', json),
      col('ord_qty', dec),
      col('orig_ord_qty', dec),
      col('alloc_qty', dec),
      col('po_nbr', str(50)),
      col('shipment_nbr', str(50)),
      col('cost', dec),
      col('sale_price', dec),
      col('lock_code', str(30)),
      col('serial_nbr', str(50)),
      col('status_id', int),
      col('uom_id', json),
      col('ordered_uom_qty', dec),
      ...numbered('cust_field', str(50)),
      ...numbered('cust_decimal', dec),
    ],
    primaryKey: ['id'],
    indexes: [['mod_ts']],
  },
  {
    schema: 'wms',
    name: 'allocation',
    columns: [
      ...wmsCommon,
      col('order_dtl_id', json),
      col('status_id', int),
      col('type_id', json),
      col('wave_id', json),
      col('task_id', json),
      col('task_seq_nbr', int),
      col('alloc_qty', dec),
      col('packed_qty', dec),
      col('from_inventory_id', json),
      col('to_inventory_id', json),
      col('pick_user', str(30)),
      col('picked_ts', ts),
      col('pick_locn_str', str(100)),
      col('is_picking_flg', bool),
    ],
    primaryKey: ['id'],
    indexes: [['mod_ts']],
  },
];

const normalise = (name: string): string => normaliseName(name, 128);

interface SchemaMessage {
  type: string;
  stream: string;
  schema: JsonSchema & { properties?: Record<string, JsonSchema> };
  key_properties?: string[];
}

/** One TableSpec per SCHEMA message with properties in the conformance streams (later ones win). */
export function conformanceTables(): TableSpec[] {
  const tables = new Map<string, TableSpec>();
  for (const file of readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.singer'))) {
    for (const line of readFileSync(join(CONFORMANCE_DIR, file), 'utf8').split('\n')) {
      if (!line.includes('"SCHEMA"')) continue;
      const message = JSON.parse(line) as SchemaMessage;
      if (message.type !== 'SCHEMA' || message.schema.properties === undefined) continue;
      const keys = (message.key_properties ?? []).map(normalise);
      const columns = Object.entries(message.schema.properties).map(([name, schema]) =>
        col(normalise(name), columnTypeOf(schema), !keys.includes(normalise(name))),
      );
      columns.push(col('_sdc_table_version', int), col('_sdc_deleted_at', ts));
      const name = normalise(message.stream);
      tables.set(`${file}:${name}`, { name, columns, primaryKey: keys, indexes: [] });
    }
  }
  return [...tables.values()];
}

export const corpusTables = (): TableSpec[] => [
  everyTypeTable,
  nastyTable,
  longNameTable,
  ...wmsTables,
  ...conformanceTables(),
];
