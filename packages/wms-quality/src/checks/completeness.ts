import { type Check, type CheckOutcome, count, MAX_FAILING_KEYS } from './check.js';

const CORE = ['order_hdr', 'order_dtl', 'allocation'];

/**
 * Each table's live rows (soft-deleted rows excluded) against the WMS's own count with the tap's
 * filters (paged mode's result_count). checked = the WMS's rows, failing = the rows by which the
 * table is off (|loaded - WMS| summed over tables); the default tolerance is 0.5%.
 */
export const completeness: Check = {
  name: 'completeness',
  description: "each table's live rows match the WMS's own count (same filters), within the tolerance",
  unit: 'share',
  defaults: { severity: 'warn', threshold: 0.005, tables: CORE },
  async run({ runner, tables, settings, wms }): Promise<CheckOutcome> {
    if (wms === undefined) {
      return { checkedRows: 0, failingRows: 0, failingKeys: [], skipped: 'no WMS configured (wms.base_url)' };
    }
    let checkedRows = 0;
    let failingRows = 0;
    const off: string[] = [];
    const perTable: Record<string, unknown> = {};
    for (const stream of settings.tables ?? CORE) {
      const t = await tables.get(stream);
      const [row] = await runner.query(
        `SELECT COUNT(*) AS row_count FROM ${t.from('t')} WHERE ${t.live('t')}`,
      );
      const loaded = count(row?.row_count);
      const inWms = await wms.count(stream);
      checkedRows += inWms;
      failingRows += Math.abs(loaded - inWms);
      if (loaded !== inWms) off.push(`${stream} (${loaded - inWms > 0 ? '+' : ''}${loaded - inWms})`);
      perTable[stream] = { loaded, wms: inWms };
    }
    return {
      checkedRows,
      failingRows,
      failingKeys: off.slice(0, MAX_FAILING_KEYS),
      detail: { tables: perTable },
    };
  },
};
