import { oracleSql } from './oracle.js';
import type { QualitySql } from './quality-sql.js';
import { sqliteSql } from './sqlite.js';

export type { QualitySql } from './quality-sql.js';
export { RESULT_COLUMNS } from './quality-sql.js';

const BY_DIALECT: Record<string, QualitySql> = { sqlite: sqliteSql, oracle: oracleSql };

/** The checks' SQL vocabulary for a dialect (the query runner's `dialect`). */
export function qualitySqlFor(dialect: string): QualitySql {
  const sql = BY_DIALECT[dialect];
  if (sql === undefined) throw new Error(`wms-quality has no SQL for dialect ${dialect}`);
  return sql;
}
