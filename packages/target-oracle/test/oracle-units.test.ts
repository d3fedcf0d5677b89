// Identifiers, type mapping both ways, cell encoding and error classification of the Oracle dialect.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnSpec, ColumnType } from '../src/dialects/dialect.js';
import { columnCodec, normaliseDateTime } from '../src/dialects/oracle/oracle-binds.js';
import { describeOracleError, isTransient, oracleErrorCode } from '../src/dialects/oracle/oracle-errors.js';
import { featuresFor, type OracleFeatures } from '../src/dialects/oracle/oracle-features.js';
import { derivedName, identifier, storedName } from '../src/dialects/oracle/oracle-identifiers.js';
import { OracleSql } from '../src/dialects/oracle/oracle-sql.js';
import {
  type CatalogColumn,
  columnDdlType,
  columnTypeFromCatalog,
  keyRoles,
  kindComment,
} from '../src/dialects/oracle/oracle-types.js';
import { EVERY_TYPE } from './support/oracle-corpus.js';
import { driverError } from './support/oracle-fake.js';

// The three server generations the statements are verified against.
const ORACLE_19C = featuresFor(19, 128, false);
const ORACLE_21C = featuresFor(21, 128, false);
const ORACLE_23AI = featuresFor(23, 128, true);

test('identifiers: plain names unquoted upper case; reserved, underscore-led and odd names quoted', () => {
  assert.equal(identifier('order_nbr', 128), 'ORDER_NBR');
  assert.equal(identifier('order', 128), '"ORDER"');
  assert.equal(identifier('date', 128), '"DATE"');
  assert.equal(identifier('comment', 128), '"COMMENT"');
  assert.equal(identifier('_sdc_deleted_at', 128), '"_SDC_DELETED_AT"');
  assert.equal(identifier('1st_line', 128), '"1ST_LINE"');
  assert.equal(identifier('MixedCase', 128), 'MIXEDCASE');
  assert.equal(identifier('with"quote', 128), 'WITH_QUOTE', 'a double quote cannot appear in an Oracle name');
});

test('identifiers: long names shortened deterministically within 30 and 128 bytes', () => {
  const long = 'a_name_well_beyond_thirty_characters_long';
  const short = storedName(long, 30);
  assert.equal(short.length, 30);
  assert.equal(short, storedName(long, 30), 'same input, same name');
  assert.match(short, /^A_NAME_WELL_BEYOND_TH_[0-9A-F]{8}$/);
  assert.notEqual(storedName(`${long}_x`, 30), short, 'different inputs, different names');
  assert.equal(storedName(long, 128), long.toUpperCase());
  const huge = 'x'.repeat(200);
  assert.equal(Buffer.byteLength(storedName(huge, 128)), 128);
  assert.equal(storedName('é'.repeat(100), 128).length <= 128, true);
  assert.ok(Buffer.byteLength(storedName('é'.repeat(100), 128)) <= 128);
  // Constraint and index names carry the table name and stay within the limit too.
  const pk = derivedName(['order_hdr_with_a_rather_long_stream_name', 'pk'], 30);
  assert.ok(pk.length <= 30 && pk.startsWith('ORDER_HDR_WITH'));
});

/** What ALL_TAB_COLUMNS reports for a DDL type this dialect writes. */
function catalogFor(ddl: string, comment: string | undefined): CatalogColumn {
  const base = {
    COLUMN_NAME: 'C',
    DATA_LENGTH: 22,
    CHAR_LENGTH: 0,
    CHAR_USED: null,
    DATA_PRECISION: null,
    DATA_SCALE: null,
    NULLABLE: 'Y',
    COMMENTS: comment ?? null,
  };
  const varchar = /^VARCHAR2\((\d+) CHAR\)$/.exec(ddl);
  if (varchar)
    return {
      ...base,
      DATA_TYPE: 'VARCHAR2',
      DATA_LENGTH: Number(varchar[1]) * 4,
      CHAR_LENGTH: Number(varchar[1]),
      CHAR_USED: 'C',
    };
  const number = /^NUMBER(?:\((\d+)\))?$/.exec(ddl);
  if (number)
    return {
      ...base,
      DATA_TYPE: 'NUMBER',
      DATA_PRECISION: number[1] ? Number(number[1]) : null,
      DATA_SCALE: number[1] ? 0 : null,
    };
  return { ...base, DATA_TYPE: ddl };
}

test('types: every ColumnType reads back from the catalog as itself, on 19c, 21c and 23ai', () => {
  for (const features of [ORACLE_19C, ORACLE_21C, ORACLE_23AI]) {
    for (const type of EVERY_TYPE) {
      const ddl = columnDdlType(type, features);
      const back = columnTypeFromCatalog(catalogFor(ddl, kindComment(type, features)));
      const expected: ColumnType = type.kind === 'string' && ddl === 'CLOB' ? { kind: 'string' } : type;
      assert.deepEqual(back, expected, `${JSON.stringify(type)} -> ${ddl} (${features.majorVersion})`);
    }
  }
});

test('types: the documented mapping', () => {
  const f = ORACLE_19C;
  assert.equal(columnDdlType({ kind: 'string', maxLength: 50 }, f), 'VARCHAR2(50 CHAR)');
  assert.equal(columnDdlType({ kind: 'string', maxLength: 1000 }, f), 'VARCHAR2(1000 CHAR)');
  assert.equal(columnDdlType({ kind: 'string', maxLength: 1001 }, f), 'CLOB');
  assert.equal(columnDdlType({ kind: 'string', maxLength: 8000 }, ORACLE_23AI), 'VARCHAR2(8000 CHAR)');
  assert.equal(columnDdlType({ kind: 'string' }, f), 'CLOB');
  assert.equal(
    columnDdlType({ kind: 'string' }, f, { unique: true, chars: 1000 }),
    'VARCHAR2(1000 CHAR)',
    'key columns cannot be LOBs',
  );
  assert.equal(
    columnDdlType({ kind: 'datetime' }, f, { unique: true, chars: 1000 }),
    'TIMESTAMP(6)',
    'a primary-key instant is UTC (ORA-02329)',
  );
  assert.equal(
    columnDdlType({ kind: 'datetime' }, f, { unique: false, chars: 1000 }),
    'TIMESTAMP(6) WITH TIME ZONE',
  );
  assert.equal(columnDdlType({ kind: 'integer' }, f), 'NUMBER(19)');
  assert.equal(columnDdlType({ kind: 'decimal' }, f), 'NUMBER');
  assert.equal(columnDdlType({ kind: 'number' }, f), 'BINARY_DOUBLE');
  assert.equal(columnDdlType({ kind: 'boolean' }, f), 'NUMBER(1)');
  assert.equal(columnDdlType({ kind: 'boolean' }, ORACLE_23AI), 'BOOLEAN');
  assert.equal(columnDdlType({ kind: 'datetime' }, f), 'TIMESTAMP(6) WITH TIME ZONE');
  assert.equal(columnDdlType({ kind: 'date' }, f), 'DATE');
  assert.equal(columnDdlType({ kind: 'json' }, f), 'CLOB');
  assert.equal(columnDdlType({ kind: 'json' }, ORACLE_21C), 'JSON');
});

test('key roles: the string columns of one index share what fits ORA-01450 limit', () => {
  const roles = keyRoles({
    columns: [
      { name: 'a', type: { kind: 'string' } },
      { name: 'b', type: { kind: 'string' } },
      { name: 'n', type: { kind: 'integer' } },
      { name: 'c', type: { kind: 'string' } },
    ],
    primaryKey: ['a', 'b', 'n'],
    indexes: [['c']],
  });
  assert.deepEqual(roles.get('a'), { unique: true, chars: 796 });
  assert.equal(4 * 796 * 2 + 2 + 23 <= 6398, true);
  assert.deepEqual(roles.get('c'), { unique: false, chars: 1000 });
});

test('date-times keep microseconds and offsets; Z, missing fraction and missing offset are normalised', () => {
  assert.equal(normaliseDateTime('2025-04-10T12:01:48.391494+01:00'), '2025-04-10T12:01:48.391494+01:00');
  assert.equal(normaliseDateTime('2025-04-10T12:01:48Z'), '2025-04-10T12:01:48.0+00:00');
  assert.equal(normaliseDateTime('2025-04-10 12:01:48.5'), '2025-04-10T12:01:48.5+00:00');
  assert.equal(
    normaliseDateTime('2025-04-10T12:01:48.123456789-0530'),
    '2025-04-10T12:01:48.123456789-05:30',
  );
  assert.equal(normaliseDateTime('2025-04-10T12:01:48+02'), '2025-04-10T12:01:48.0+02:00');
  assert.equal(normaliseDateTime('2025-04-10'), undefined);
  assert.equal(normaliseDateTime('not a date'), undefined);
});

const codec = (type: ColumnType, features: OracleFeatures = ORACLE_19C) =>
  columnCodec({ name: 'c', type, nullable: true } satisfies ColumnSpec, features);

test('cells: decimals stay exact text, booleans become 0/1 (or true/false on 23ai), JSON becomes text', () => {
  const decimal = codec({ kind: 'decimal' });
  assert.equal(decimal.encode('12345678901234567890.123456789'), '12345678901234567890.123456789');
  assert.equal(decimal.encode(0.1), '0.1');
  assert.equal(decimal.bind, 'varchar');
  assert.equal(decimal.toTarget('s.C'), 'TO_NUMBER(s.C)');
  assert.throws(() => decimal.encode('12,5'), /not a decimal number/);
  assert.equal(codec({ kind: 'boolean' }).encode(true), 1);
  assert.equal(codec({ kind: 'boolean' }).encode(false), 0);
  assert.equal(codec({ kind: 'boolean' }, ORACLE_23AI).encode(true), true);
  assert.equal(codec({ kind: 'boolean' }, ORACLE_23AI).bind, 'boolean');
  assert.equal(codec({ kind: 'json' }).encode('{"a":1}'), '{"a":1}');
  assert.equal(codec({ kind: 'json' }).bind, 'clob');
  // Integers travel as exact text (TO_NUMBER): a 64-bit id the engine kept as text stays exact.
  assert.equal(codec({ kind: 'integer' }).encode(9007199254740991), '9007199254740991');
  assert.equal(codec({ kind: 'integer' }).encode('9007199254740993'), '9007199254740993');
  assert.equal(codec({ kind: 'integer' }).encode('-9223372036854775808'), '-9223372036854775808');
  assert.throws(() => codec({ kind: 'integer' }).encode(1.5), /expected an integer/);
  assert.throws(() => codec({ kind: 'integer' }).encode(2 ** 60), /beyond 2\^53 and was not kept exactly/);
  assert.throws(() => codec({ kind: 'integer' }).encode('12345678901234567890123'), /ORA-01438/);
  assert.throws(() => decimal.encode('1e200'), /ORA-01426/);
  assert.throws(() => decimal.encode('1'.repeat(39)), /39 significant digits/);
  assert.equal(decimal.encode('0.000123e-5'), '0.000123e-5');
  for (const [text, why] of [
    ['2016-12-31T23:59:60Z', /ORA-01852/],
    ['0000-01-01T00:00:00Z', /ORA-01841/],
    ['2025-02-29T00:00:00Z', /ORA-01847/],
    ['2025-01-01T00:00:00+16:00', /ORA-01874/],
  ] as const)
    assert.throws(() => codec({ kind: 'datetime' }).encode(text), why);
  assert.equal(
    codec({ kind: 'datetime' }).encode('2024-02-29T23:59:59-14:00'),
    '2024-02-29T23:59:59.0-14:00',
  );
  assert.equal(codec({ kind: 'number' }).bind, 'double');
  assert.equal(codec({ kind: 'date' }).encode('2025-04-10T00:00:00Z'), '2025-04-10');
  assert.equal(codec({ kind: 'date' }).toTarget('s.D'), "TO_DATE(s.D, 'YYYY-MM-DD')");
  assert.match(
    codec({ kind: 'datetime' }).toTarget('s.T'),
    /^TO_TIMESTAMP_TZ\(s\.T, 'YYYY-MM-DD"T"HH24:MI:SS\.FFTZH:TZM'\)$/,
  );
  for (const type of EVERY_TYPE) assert.equal(codec(type).encode(null), null);
});

test('errors: transient ones are recognised by isRecoverable, NJS and ORA codes', () => {
  for (const code of [
    'NJS-500',
    'NJS-501',
    'NJS-503',
    'NJS-510',
    'NJS-511',
    'NJS-521',
    'ORA-03113',
    'ORA-03114',
    'ORA-03135',
    'ORA-12514',
    'ORA-12541',
    'ORA-00060',
  ]) {
    assert.ok(isTransient(driverError(code, 'x')), code);
  }
  assert.ok(isTransient(driverError('ORA-99999', 'unknown but recoverable', true)));
  for (const code of ['ORA-12899', 'ORA-00942', 'ORA-01017', 'ORA-00001', 'NJS-176'])
    assert.ok(!isTransient(driverError(code, 'x')), code);
  assert.equal(oracleErrorCode(Object.assign(new Error('boom'), { errorNum: 60 })), 'ORA-00060');
  assert.equal(oracleErrorCode(new Error('ORA-01400: cannot insert NULL')), 'ORA-01400');
});

test('errors: a permanent error is one line with code, explanation, table and column', () => {
  const error = describeOracleError(
    driverError('ORA-01400', 'cannot insert NULL into ("WMS"."STG_X"."ORDER_NBR")'),
    {
      operation: 'writing a batch (upsert)',
      table: 'WMS.ORDER_HDR',
    },
  );
  assert.equal(
    error.message,
    'writing a batch (upsert) failed on table WMS.ORDER_HDR, column ORDER_NBR: ORA-01400 a NULL was sent for a NOT NULL column (a key property missing?) (cannot insert NULL into ("WMS"."STG_X"."ORDER_NBR"))',
  );
  assert.equal(error.code, 'ORACLE_ORA_01400');
});

test('sql: MERGE never updates key columns and keeps ON in parentheses; replace never truncates', () => {
  const sql = new OracleSql(ORACLE_19C);
  const spec = {
    schema: 'wms',
    name: 'order_dtl',
    columns: [
      { name: 'order_id', type: { kind: 'integer' }, nullable: false },
      { name: 'seq_nbr', type: { kind: 'integer' }, nullable: false },
      { name: 'ord_qty', type: { kind: 'decimal' }, nullable: true },
    ] satisfies ColumnSpec[],
    primaryKey: ['order_id', 'seq_nbr'],
    indexes: [],
  };
  const staging = sql.staging(spec, ['order_id', 'seq_nbr', 'ord_qty'], 'temporary', 'r', 1);
  const merge = sql.merge(spec, staging, spec.primaryKey);
  assert.match(merge, /ON \(t\.ORDER_ID = s\.ORDER_ID AND t\.SEQ_NBR = s\.SEQ_NBR\)/);
  assert.match(merge, /WHEN MATCHED THEN UPDATE SET t\.ORD_QTY = s\.ORD_QTY WHEN NOT MATCHED/);
  // Staging columns are named by position (C1..Cn): the same names quoted or not (direct path).
  assert.match(merge, /PARTITION BY TO_NUMBER\(x\.C1\), TO_NUMBER\(x\.C2\) ORDER BY x\.STG\$SEQ DESC/);
  assert.match(merge, /TO_NUMBER\(x\.C3\) AS ORD_QTY/);
  assert.equal(sql.deleteAll(spec), 'DELETE FROM WMS.ORDER_DTL');
  assert.deepEqual(
    sql.wideningStatements(spec, { column: 'ord_qty', from: { kind: 'integer' }, to: { kind: 'decimal' } }),
    ['ALTER TABLE WMS.ORDER_DTL MODIFY (ORD_QTY NUMBER)'],
  );
  const swap = sql.wideningStatements(spec, {
    column: 'ord_qty',
    from: { kind: 'string', maxLength: 10 },
    to: { kind: 'string' },
  });
  assert.deepEqual(swap, [
    'ALTER TABLE WMS.ORDER_DTL ADD (ORD_QTY_W$ CLOB)',
    "COMMENT ON COLUMN WMS.ORDER_DTL.ORD_QTY_W$ IS 'singer:widening of ORD_QTY'",
    'UPDATE WMS.ORDER_DTL SET ORD_QTY_W$ = TO_CLOB(ORD_QTY)',
    'COMMIT',
    'ALTER TABLE WMS.ORDER_DTL DROP COLUMN ORD_QTY',
    'ALTER TABLE WMS.ORDER_DTL RENAME COLUMN ORD_QTY_W$ TO ORD_QTY',
    "COMMENT ON COLUMN WMS.ORDER_DTL.ORD_QTY IS ''",
  ]);
  // To JSON on a server without the JSON type: the marker carries the comment the column ends with.
  const toJson = sql.wideningStatements(spec, {
    column: 'ord_qty',
    from: { kind: 'decimal' },
    to: { kind: 'json' },
  });
  assert.equal(
    toJson[1],
    "COMMENT ON COLUMN WMS.ORDER_DTL.ORD_QTY_W$ IS 'singer:widening of ORD_QTY as singer:json'",
  );
  assert.equal(toJson.at(-1), "COMMENT ON COLUMN WMS.ORDER_DTL.ORD_QTY IS 'singer:json'");
});
