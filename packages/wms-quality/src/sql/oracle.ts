import type { QualitySql } from './quality-sql.js';

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"'`;
const oracleInstant = (bind: string): string => `FROM_TZ(TO_TIMESTAMP(:${bind}, ${ISO_UTC}), 'UTC')`;
const oracleInstantText = (expression: string): string =>
  `TO_CHAR(SYS_EXTRACT_UTC(${expression}), ${ISO_UTC})`;

/**
 * Oracle: JSON_VALUE on JSON or CLOB columns, decimals are NUMBER (exact, no tolerance),
 * instants are TIMESTAMP WITH TIME ZONE compared in UTC, FETCH FIRST for limits (12c+).
 */
export const oracleSql: QualitySql = {
  name: 'oracle',
  jsonId: (column) => `TO_NUMBER(JSON_VALUE(${column}, '$.id'))`,
  decimal: (column) => column,
  quantityTolerance: '0',
  newestEpochSeconds: (column) =>
    `(CAST(SYS_EXTRACT_UTC(MAX(${column})) AS DATE) - DATE '1970-01-01') * 86400`,
  newestInstantText: (column) => oracleInstantText(`MAX(${column})`),
  instantAfter: (column, bind) => `${column} > ${oracleInstant(bind)}`,
  limit: (n) => `FETCH FIRST ${Math.trunc(n)} ROWS ONLY`,
  resultsTableDdl: (table, q) =>
    `CREATE TABLE ${table} (${q('run_id')} VARCHAR2(36 CHAR) NOT NULL, ${q('check_name')} VARCHAR2(64 CHAR) NOT NULL, ` +
    `${q('severity')} VARCHAR2(8 CHAR) NOT NULL, ${q('status')} VARCHAR2(8 CHAR) NOT NULL, ${q('checked_rows')} NUMBER(19), ` +
    `${q('failing_rows')} NUMBER(19), ${q('threshold')} NUMBER, ${q('failing_keys')} CLOB, ${q('detail')} CLOB, ` +
    `${q('started_at')} TIMESTAMP(3) WITH TIME ZONE NOT NULL, ${q('ended_at')} TIMESTAMP(3) WITH TIME ZONE NOT NULL, ` +
    `PRIMARY KEY (${q('run_id')}, ${q('check_name')}))`,
  instantBind: (bind) => oracleInstant(bind),
  instantText: (column) => oracleInstantText(column),
};
