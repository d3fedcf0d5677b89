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
    // Allocations summed per line first, then each sum joined to its line by the line's key: one
    // pass over each table (joining lines to the sums instead makes SQLite scan the sums per line).
    const allocated =
      `SELECT ${lineId} AS line_id, SUM(${sql.decimal(x.column('x', 'alloc_qty'))}) AS total ` +
      `FROM ${x.from('x')} WHERE ${x.live('x')} GROUP BY ${lineId}`;
    const over =
      `FROM (${allocated}) a JOIN ${d.from('d')} ON ${d.column('d', 'id')} = a.line_id AND ${d.live('d')} ` +
      `WHERE a.total > COALESCE(${sql.decimal(d.column('d', 'ord_qty'))}, 0) + ${sql.quantityTolerance}`;
    const [checked] = await runner.query(
      `SELECT COUNT(*) AS checked_rows FROM ${d.from('d')} WHERE ${d.live('d')}`,
    );
    const [failing] = await runner.query(`SELECT COUNT(*) AS failing_rows ${over}`);
    const failingRows = count(failing?.failing_rows);
    const keys =
      failingRows === 0
        ? []
        : await runner.query(
            `SELECT ${d.column('d', 'id')} AS id ${over} ORDER BY ${d.column('d', 'id')} ${sql.limit(MAX_FAILING_KEYS)}`,
          );
    return {
      checkedRows: count(checked?.checked_rows),
      failingRows,
      failingKeys: keys.map((row) => String(row.id)),
    };
  },
};
