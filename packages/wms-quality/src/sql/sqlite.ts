import type { QualitySql } from './quality-sql.js';

/** SQLite: JSON through json_extract, decimals (stored as exact text) summed as doubles. */
export const sqliteSql: QualitySql = {
  name: 'sqlite',
  jsonId: (column) => `json_extract(${column}, '$.id')`,
  decimal: (column) => `CAST(${column} AS REAL)`,
  quantityTolerance: '0.000001',
  newestEpochSeconds: (column) => `MAX(unixepoch(${column}, 'subsec'))`,
  newestInstantText: (column) =>
    `strftime('%Y-%m-%dT%H:%M:%fZ', MAX(unixepoch(${column}, 'subsec')), 'unixepoch')`,
  instantAfter: (column, bind) => `unixepoch(${column}, 'subsec') > unixepoch(:${bind}, 'subsec')`,
  limit: (n) => `LIMIT ${Math.trunc(n)}`,
  resultsTableDdl: (table, q) =>
    `CREATE TABLE IF NOT EXISTS ${table} (${q('run_id')} TEXT NOT NULL, ${q('check_name')} TEXT NOT NULL, ` +
    `${q('severity')} TEXT NOT NULL, ${q('status')} TEXT NOT NULL, ${q('checked_rows')} INTEGER, ` +
    `${q('failing_rows')} INTEGER, ${q('threshold')} REAL, ${q('failing_keys')} JSON_TEXT, ` +
    `${q('detail')} JSON_TEXT, ${q('started_at')} DATETIME_TEXT NOT NULL, ${q('ended_at')} DATETIME_TEXT NOT NULL, ` +
    `PRIMARY KEY (${q('run_id')}, ${q('check_name')}))`,
  instantBind: (bind) => `:${bind}`,
  instantText: (column) => column,
};
