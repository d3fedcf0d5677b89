import { shortenName } from '../../schema/names.js';
import type { ColumnSpec, RetireVersionsRequest, TableSpec, WriteMode } from '../dialect.js';
import { declaredType, quoteIdentifier as q } from './sqlite-types.js';

/** SQL text for each role; every identifier is quoted, every value is a bound parameter. */

export function columnDefinition(column: ColumnSpec): string {
  return `${q(column.name)} ${declaredType(column.type)}${column.nullable ? '' : ' NOT NULL'}`;
}

/**
 * A table whose key is one INTEGER column would store its rows in key order (the key becomes the
 * rowid): a tap reads in `mod_ts` order, so every batch would land on pages all over the table.
 * Declared BIGINT (the same integer affinity and logical type), the key is a unique index instead
 * and rows are appended in arrival order; only the small index takes scattered inserts (1M
 * tap-ordered rows: 47.7 s before, 14.2 s after, bench/RESULTS.md). Its CHECK refuses what a
 * rowid key refuses (a value that is not an integer), as Oracle's NUMBER key would.
 */
export function createTableSql(table: TableSpec, name = table.name): string {
  const rowidKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const columns = table.columns.map((column) =>
    column.name === rowidKey && column.type.kind === 'integer'
      ? integerKeyDefinition(column.name, column.nullable)
      : columnDefinition(column),
  );
  if (table.primaryKey.length > 0) columns.push(`PRIMARY KEY (${table.primaryKey.map(q).join(', ')})`);
  return `CREATE TABLE ${q(name)} (${columns.join(', ')})`;
}

/** An integer key column that is not the rowid (see createTableSql). */
export function integerKeyDefinition(name: string, nullable: boolean): string {
  return `${q(name)} BIGINT${nullable ? '' : ' NOT NULL'} CHECK (typeof(${q(name)}) = 'integer')`;
}

export function createIndexSql(table: TableSpec, columns: string[]): string {
  const name = shortenName(`ix_${table.name}__${columns.join('__')}`, 128);
  return `CREATE INDEX IF NOT EXISTS ${q(name)} ON ${q(table.name)} (${columns.map(q).join(', ')})`;
}

export function addColumnSql(table: string, column: ColumnSpec): string {
  return `ALTER TABLE ${q(table)} ADD COLUMN ${columnDefinition({ ...column, nullable: true })}`;
}

export function writeSql(table: TableSpec, columns: string[], mode: WriteMode): string {
  const insert = `INSERT INTO ${q(table.name)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  if (mode !== 'upsert' || table.primaryKey.length === 0) return insert;
  const keys = new Set(table.primaryKey);
  const updates = columns.filter((c) => !keys.has(c)).map((c) => `${q(c)} = excluded.${q(c)}`);
  const target = table.primaryKey.map(q).join(', ');
  return updates.length === 0
    ? `${insert} ON CONFLICT (${target}) DO NOTHING`
    : `${insert} ON CONFLICT (${target}) DO UPDATE SET ${updates.join(', ')}`;
}

export function retireSql(request: RetireVersionsRequest): string {
  const table = q(request.table.name);
  const version = q(request.versionColumn);
  const older = `(${version} IS NULL OR ${version} < ?)`;
  return request.mode === 'delete'
    ? `DELETE FROM ${table} WHERE ${older}`
    : `UPDATE ${table} SET ${q(request.deletedAtColumn)} = ? WHERE ${older} AND ${q(request.deletedAtColumn)} IS NULL`;
}
