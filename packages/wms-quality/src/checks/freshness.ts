import { type Check, type CheckOutcome, count } from './check.js';

const CORE = ['order_hdr', 'order_dtl', 'allocation'];

/** ISO-8601 UTC text of epoch seconds, or null. */
const isoOf = (seconds: unknown): string | null =>
  seconds === null || seconds === undefined ? null : new Date(Number(seconds) * 1000).toISOString();

/**
 * The newest `mod_ts` of each table's live rows lies within `window_hours` of the run's start.
 * checked = tables, failing = stale (or empty) tables. Each table's newest mod_ts, lag, and the
 * last load's time (`_sdc_batched_at`, with the target's add_record_metadata) are recorded.
 */
export const freshness: Check = {
  name: 'freshness',
  description: 'the newest mod_ts of each table is within the window (hours) of the run',
  unit: 'count',
  defaults: { severity: 'warn', threshold: 0, window_hours: 2, tables: CORE },
  async run({ runner, sql, tables, settings, runStartedAt }): Promise<CheckOutcome> {
    const windowHours = settings.window_hours ?? 2;
    const started = runStartedAt.getTime() / 1000;
    const perTable: Record<string, unknown> = {};
    const stale: string[] = [];
    const streams = settings.tables ?? CORE;
    for (const stream of streams) {
      const t = await tables.get(stream);
      const loaded = t.has('_sdc_batched_at')
        ? `, ${sql.newestEpochSeconds(t.column('t', '_sdc_batched_at'))} AS loaded`
        : '';
      const [row] = await runner.query(
        `SELECT COUNT(*) AS row_count, ${sql.newestEpochSeconds(t.column('t', 'mod_ts'))} AS newest${loaded} ` +
          `FROM ${t.from('t')} WHERE ${t.live('t')}`,
      );
      const newest = row?.newest === null || row?.newest === undefined ? undefined : Number(row.newest);
      const lagHours = newest === undefined ? null : Math.max(0, started - newest) / 3600;
      if (lagHours === null || lagHours > windowHours) stale.push(stream);
      perTable[stream] = {
        rows: count(row?.row_count),
        newest_mod_ts: isoOf(newest),
        lag_hours: lagHours === null ? null : Math.round(lagHours * 1000) / 1000,
        last_loaded_at: isoOf(row?.loaded),
      };
    }
    return {
      checkedRows: streams.length,
      failingRows: stale.length,
      failingKeys: stale,
      detail: { window_hours: windowHours, tables: perTable },
    };
  },
};
