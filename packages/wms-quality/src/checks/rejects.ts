import { type Check, type CheckOutcome, count, MAX_FAILING_KEYS } from './check.js';

/** The target's dead-letter stream (invalid_record_policy: dead_letter); the table takes table_prefix. */
const REJECTS_STREAM = '_sdc_rejects';

/**
 * Records the target sent to its dead-letter table since the last check: rows whose
 * `rejected_at` is after the watermark the previous run recorded (every row the first time).
 * checked = rows in the table, failing = new ones; keys are `stream:line_number`.
 */
export const rejects: Check = {
  name: 'rejects',
  description: 'no record went to the dead-letter table (_sdc_rejects) since the last check',
  unit: 'count',
  defaults: { severity: 'warn', threshold: 0 },
  async run({ runner, sql, tables, previousDetail }): Promise<CheckOutcome> {
    const t = await tables.find(REJECTS_STREAM);
    const previous = typeof previousDetail?.watermark === 'string' ? previousDetail.watermark : undefined;
    if (t === undefined) {
      return {
        checkedRows: 0,
        failingRows: 0,
        failingKeys: [],
        detail: { table: false, watermark: previous ?? null },
      };
    }
    const rejectedAt = t.column('r', 'rejected_at');
    const [totals] = await runner.query(
      `SELECT COUNT(*) AS row_count, ${sql.newestInstantText(rejectedAt)} AS newest FROM ${t.from('r')}`,
    );
    const since = previous === undefined ? '1 = 1' : sql.instantAfter(rejectedAt, 'watermark');
    const binds: Record<string, string> = previous === undefined ? {} : { watermark: previous };
    const [fresh] = await runner.query(
      `SELECT COUNT(*) AS failing_rows FROM ${t.from('r')} WHERE ${since}`,
      binds,
    );
    const failingRows = count(fresh?.failing_rows);
    const keys =
      failingRows === 0
        ? []
        : await runner.query(
            `SELECT ${t.column('r', 'stream')} AS stream, ${t.column('r', 'line_number')} AS line_number FROM ${t.from('r')} ` +
              `WHERE ${since} ORDER BY ${rejectedAt}, ${t.column('r', 'line_number')} ${sql.limit(MAX_FAILING_KEYS)}`,
            binds,
          );
    const newest = typeof totals?.newest === 'string' ? totals.newest : (previous ?? null);
    return {
      checkedRows: count(totals?.row_count),
      failingRows,
      failingKeys: keys.map((row) => `${String(row.stream)}:${String(row.line_number)}`),
      detail: { table: true, watermark: newest },
    };
  },
};
