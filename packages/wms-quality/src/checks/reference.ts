import { type Check, type CheckContext, type CheckOutcome, count, MAX_FAILING_KEYS } from './check.js';

/**
 * "Every `child.property` names a `parent` row": a live child row fails when no live parent row
 * has the id its foreign key holds (a null key fails too). Soft-deleted rows on either side do
 * not count.
 */
export function referenceCheck(name: string, child: string, property: string, parent: string): Check {
  return {
    name,
    description: `every ${child}.${property} names a ${parent} row`,
    unit: 'share',
    defaults: { severity: 'fail', threshold: 0.001 },
    streams: [child, parent],
    async run({ runner, sql, tables }: CheckContext): Promise<CheckOutcome> {
      const c = await tables.get(child);
      const p = await tables.get(parent);
      const parentId = p.column('p', 'id');
      const from =
        `FROM ${c.from('c')} LEFT JOIN ${p.from('p')} ON ${parentId} = ${c.foreignId('c', property)} AND ${p.live('p')} ` +
        `WHERE ${c.live('c')}`;
      const [totals] = await runner.query(
        `SELECT COUNT(*) AS checked_rows, COALESCE(SUM(CASE WHEN ${parentId} IS NULL THEN 1 ELSE 0 END), 0) AS failing_rows ${from}`,
      );
      const failingRows = count(totals?.failing_rows);
      const keys =
        failingRows === 0
          ? []
          : await runner.query(
              `SELECT ${c.column('c', 'id')} AS id ${from} AND ${parentId} IS NULL ORDER BY ${c.column('c', 'id')} ${sql.limit(MAX_FAILING_KEYS)}`,
            );
      return {
        checkedRows: count(totals?.checked_rows),
        failingRows,
        failingKeys: keys.map((row) => String(row.id)),
      };
    },
  };
}
