// Every statement the Oracle dialect generates for the corpus, for 30- and 128-byte identifiers
// and 19c / 21c / 23ai feature sets, must parse with the published ANTLR PL/SQL grammar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnChange, ColumnType, TableSpec } from '../src/dialects/dialect.js';
import { featuresFor, type OracleFeatures } from '../src/dialects/oracle/oracle-features.js';
import { MAX_STRING_SIZE_QUERY, OracleSql, SESSION_SETUP } from '../src/dialects/oracle/oracle-sql.js';
import { corpusTables } from './support/oracle-corpus.js';
import { plsqlSyntaxErrors } from './support/oracle-grammar.js';

// Server generations x identifier limits (12.2+ servers report 30 when COMPATIBLE is below 12.2)
// x string size modes. Most statements differ between variants only in a few names or types, so
// the three last variants add few distinct statements to parse.
const VARIANTS: Array<[string, OracleFeatures]> = [
  ['19c/30', featuresFor(19, 30, false)],
  ['23ai/128 extended', featuresFor(23, 128, true)],
  ['19c/128 extended', featuresFor(19, 128, true)],
  ['21c/128', featuresFor(21, 128, false)],
  ['23ai/30', featuresFor(23, 30, false)],
];

// Every change the engine's widening lattice can ask for (integer < number < decimal; any scalar
// to text; anything to JSON), plus longer strings.
const WIDENINGS: Array<[ColumnType, ColumnType]> = [
  [
    { kind: 'string', maxLength: 30 },
    { kind: 'string', maxLength: 100 },
  ],
  [{ kind: 'string', maxLength: 100 }, { kind: 'string' }],
  [{ kind: 'integer' }, { kind: 'number' }],
  [{ kind: 'integer' }, { kind: 'decimal' }],
  [{ kind: 'number' }, { kind: 'decimal' }],
  ...(['boolean', 'integer', 'number', 'decimal', 'date', 'time', 'datetime'] as const).flatMap(
    (kind): Array<[ColumnType, ColumnType]> => [
      [{ kind }, { kind: 'string' }],
      [{ kind }, { kind: 'json' }],
    ],
  ),
  [{ kind: 'string', maxLength: 40 }, { kind: 'json' }],
  [{ kind: 'date' }, { kind: 'datetime' }],
];

function statementsFor(sql: OracleSql, table: TableSpec): string[] {
  const names = table.columns.map((c) => c.name);
  const keyed = table.primaryKey.length > 0;
  const out: string[] = [...sql.createTable(table)];
  const nonKey = table.columns.filter((c) => !table.primaryKey.includes(c.name));
  if (nonKey.length > 0) out.push(...sql.addColumns(table, nonKey));
  for (const kind of ['temporary', 'heap'] as const) {
    const staging = sql.staging(table, names, kind, 'r7k2q9', 3);
    out.push(sql.createStaging(staging), sql.stagingInsert(staging), sql.truncateStaging(staging));
    out.push(sql.dropStaging(staging));
    if (keyed) {
      out.push(
        sql.merge(table, staging, table.primaryKey),
        sql.insertSelect(table, staging, table.primaryKey),
      );
      // A batch with only the key columns: a MERGE without WHEN MATCHED.
      const keysOnly = sql.staging(table, table.primaryKey, kind, 'r7k2q9', 4);
      out.push(sql.merge(table, keysOnly, table.primaryKey));
    }
    out.push(sql.insertSelect(table, staging));
  }
  out.push(sql.deleteAll(table));
  if (names.includes('_sdc_table_version') && names.includes('_sdc_deleted_at')) {
    out.push(sql.retireDelete(table, '_sdc_table_version'));
    out.push(sql.retireSoft(table, '_sdc_table_version', '_sdc_deleted_at'));
  }
  return out;
}

function corpus(): Map<string, string> {
  const statements = new Map<string, string>(); // statement -> where it came from
  const add = (label: string, list: string[]): void => {
    for (const s of list) if (!statements.has(s)) statements.set(s, label);
  };
  add('session', [SESSION_SETUP, MAX_STRING_SIZE_QUERY]);
  for (const [variant, features] of VARIANTS) {
    const sql = new OracleSql(features);
    add(`${variant} describe`, [sql.describe()]);
    for (const table of corpusTables()) add(`${variant} ${table.name}`, statementsFor(sql, table));
    const ref = { schema: 'wms', name: 'evolving' };
    for (const [from, to] of WIDENINGS) {
      const change: ColumnChange = { column: 'order', from, to };
      add(`${variant} widen ${from.kind}->${to.kind}`, sql.wideningStatements(ref, change));
      const widening = sql.widening(ref, change);
      if (widening.kind === 'scratch') {
        const { scratch, base, marker } = widening;
        add(`${variant} recover widen ${from.kind}->${to.kind}`, [
          ...sql.recoverWidening(ref, scratch, marker, true).statements,
          ...sql.recoverWidening(ref, scratch, marker, false).statements,
          ...sql.recoverWidening(ref, base, marker, true).statements,
        ]);
      }
    }
  }
  return statements;
}

test('the corpus covers every statement kind, variant and table', () => {
  const statements = [...corpus().keys()];
  const kinds = [
    'CREATE TABLE',
    'CREATE GLOBAL TEMPORARY TABLE',
    'CREATE INDEX',
    'COMMENT ON COLUMN',
    'ALTER TABLE',
    'MERGE INTO',
    'INSERT INTO',
    'DELETE FROM',
    'UPDATE',
    'TRUNCATE TABLE',
    'DROP TABLE',
    'SELECT',
    'BEGIN',
  ];
  for (const kind of kinds)
    assert.ok(
      statements.some((s) => s.startsWith(kind)),
      `no ${kind} statement in the corpus`,
    );
  assert.ok(
    statements.some((s) => s.includes(' MODIFY (')),
    'no ALTER ... MODIFY',
  );
  assert.ok(
    statements.some((s) => s.includes('RENAME COLUMN')),
    'no widening through a new column',
  );
  assert.ok(statements.some((s) => s.includes(' BOOLEAN')) && statements.some((s) => s.includes(' JSON')));
  assert.ok(
    statements.some((s) => s.includes('SYS_EXTRACT_UTC(')),
    'no primary-key instant',
  );
  assert.ok(
    statements.some((s) => s.includes("CHR(31), '\\u001f')")),
    'no text escaped into a JSON string',
  );
  assert.ok(!statements.some((s) => s.includes('/*+ APPEND */')), 'direct-path APPEND into a target');
  assert.ok(statements.length > 300, `only ${statements.length} distinct statements`);
});

test('every generated statement parses with the ANTLR PL/SQL grammar', () => {
  const statements = corpus();
  const rejected: string[] = [];
  for (const [statement, label] of statements) {
    const errors = plsqlSyntaxErrors(statement);
    if (errors.length > 0) rejected.push(`[${label}] ${errors[0]}\n    ${statement.slice(0, 400)}`);
  }
  console.error(
    `parsed ${statements.size} distinct statements (${VARIANTS.map((v) => v[0]).join(', ')}), ${rejected.length} rejected`,
  );
  assert.equal(rejected.length, 0, `the grammar rejected:\n${rejected.slice(0, 15).join('\n')}`);
});
