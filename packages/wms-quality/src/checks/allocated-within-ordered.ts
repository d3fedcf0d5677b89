import { type Check, type CheckOutcome, count, MAX_FAILING_KEYS } from './check.js';

/**
 * Per live order detail, the quantity of its live allocations (`allocation.alloc_qty`) summed is
 * not above the detail's ordered quantity (`order_dtl.ord_qty`, null read as 0). A detail without
 * allocations passes; allocations pointing at no detail are allocation_has_order_dtl's business.
 */
export const allocatedWithinOrdered: Check = {
  name: 'allocated_within_ordered',
  description: "per order detail, its allocations' quantity summed is not above the quantity ordered",
  unit: 'share',
  defaults: { severity: 'fail', threshold: 0.001 },
  streams: ['order_dtl', 'allocation'],
  async run({ runner, sql, tables }): Promise<CheckOutcome> {
    const d = await tables.get('order_dtl');
    const x = await tables.get('allocation');
    const lineId = x.foreignId('x', 'order_dtl_id');
    const allocated =
      `SELECT ${lineId} AS line_id, SUM(${sql.decimal(x.column('x', 'alloc_qty'))}) AS total ` +
      `FROM ${x.from('x')} WHERE ${x.live('x')} GROUP BY ${lineId}`;
    const over = `a.total > COALESCE(${sql.decimal(d.column('d', 'ord_qty'))}, 0) + ${sql.quantityTolerance}`;
    const from = `FROM ${d.from('d')} LEFT JOIN (${allocated}) a ON a.line_id = ${d.column('d', 'id')} WHERE ${d.live('d')}`;
    const [totals] = await runner.query(
      `SELECT COUNT(*) AS checked_rows, COALESCE(SUM(CASE WHEN ${over} THEN 1 ELSE 0 END), 0) AS failing_rows ${from}`,
    );
    const failingRows = count(totals?.failing_rows);
    const keys =
      failingRows === 0
        ? []
        : await runner.query(
            `SELECT ${d.column('d', 'id')} AS id ${from} AND ${over} ORDER BY ${d.column('d', 'id')} ${sql.limit(MAX_FAILING_KEYS)}`,
          );
    return {
      checkedRows: count(totals?.checked_rows),
      failingRows,
      failingKeys: keys.map((row) => String(row.id)),
    };
  },
};
