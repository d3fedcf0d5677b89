/**
 * Data shapes of two quirks (docs/wms-simulator.md#quirks):
 * - `late-commits`: rows committed late carry a mod_ts behind the clock; orders (with their lines and
 *   allocations) hidden from the start are revealed by advances with their old mod_ts, one facility at a time.
 * - `cursor-ties`: bulk groups of rows sharing one mod_ts, in the generated data and from every advance.
 */
import type { Dataset } from './dataset.js';
import { orderFacility } from './entities/orders.js';
import { mix, unit } from './hash.js';
import type { Table } from './table.js';
import { US_PER_SECOND } from './time.js';

/** Share of orders hidden from the start under `late-commits`. */
const HIDDEN_ORDER_SHARE = 0.04;
/** Share of an advance's updates and inserts committed late under `late-commits`. */
const LATE_SHARE = 0.2;

/** `late-commits`: hides a share of orders with their lines and allocations (at least one order when there are 4). */
export function hideOrders(ds: Dataset): void {
  const orders = ds.table('order_hdr');
  const lines = ds.table('order_dtl');
  const allocations = ds.table('allocation');
  const hidden = new Set<number>();
  for (let id = 1; id <= orders.size; id++) {
    if (unit(mix(orders.hash, id), 0x41d) < HIDDEN_ORDER_SHARE) hidden.add(id);
  }
  if (hidden.size === 0 && orders.size >= 4) hidden.add(orders.size);
  for (const id of hidden) orders.hide(id - 1);
  for (let i = 0; i < lines.size; i++) if (hidden.has(lines.ref[i] as number)) lines.hide(i);
  for (let i = 0; i < allocations.size; i++) {
    const line = allocations.ref[i] as number;
    if (line >= 1 && line <= lines.size && lines.isHidden(line - 1)) allocations.hide(i);
  }
}

/**
 * `late-commits`: the user's eligibility widens to the lowest facility that still has hidden orders; those
 * orders, their lines and their allocations become visible with the mod_ts they always had.
 * Returns the revealed row indexes per table (empty when nothing is hidden any more).
 */
export function revealNextFacility(ds: Dataset): Map<Table, number[]> {
  const revealed = new Map<Table, number[]>();
  const orders = ds.table('order_hdr');
  let facility = Number.POSITIVE_INFINITY;
  for (let i = 0; i < orders.size; i++) {
    if (orders.isHidden(i)) facility = Math.min(facility, orderFacility(ds, i + 1));
  }
  if (facility === Number.POSITIVE_INFINITY) return revealed;
  const orderRows: number[] = [];
  for (let i = 0; i < orders.size; i++) {
    if (orders.isHidden(i) && orderFacility(ds, i + 1) === facility && orders.reveal(i)) orderRows.push(i);
  }
  const shown = new Set(orderRows.map((i) => i + 1));
  const lines = ds.table('order_dtl');
  const lineRows: number[] = [];
  for (let i = 0; i < lines.size; i++) {
    if (lines.isHidden(i) && shown.has(lines.ref[i] as number) && lines.reveal(i)) lineRows.push(i);
  }
  const shownLines = new Set(lineRows.map((i) => i + 1));
  const allocations = ds.table('allocation');
  const allocationRows: number[] = [];
  for (let i = 0; i < allocations.size; i++) {
    if (allocations.isHidden(i) && shownLines.has(allocations.ref[i] as number) && allocations.reveal(i)) {
      allocationRows.push(i);
    }
  }
  revealed.set(orders, orderRows);
  revealed.set(lines, lineRows);
  revealed.set(allocations, allocationRows);
  return revealed;
}

/**
 * `late-commits`: which of an advance's updated and inserted rows commit late. A seeded share, and at least
 * one when there is any candidate. `prev` is each candidate's mod_ts before this advance.
 */
export function chooseLate(
  candidates: ReadonlyArray<readonly [Table, number]>,
  prev: (table: Table, idx: number) => number,
  from: number,
  maxSeconds: number,
): Map<Table, Map<number, number>> {
  const late = new Map<Table, Map<number, number>>();
  const span = Math.max(1, Math.floor(maxSeconds * US_PER_SECOND));
  let first: readonly [Table, number, number] | undefined;
  let any = false;
  for (const [table, idx] of candidates) {
    const h = mix(table.hash, idx + 1);
    const salt = 0x1a7e + (table.version[idx] as number);
    // Strictly behind the previous clock (what a client may have read), after the row's previous version.
    const ts = from - 1 - Math.floor(unit(h, salt + 1) * span);
    if (ts <= prev(table, idx)) continue;
    if (first === undefined) first = [table, idx, ts];
    if (unit(h, salt) >= LATE_SHARE) continue;
    const rows = late.get(table) ?? new Map<number, number>();
    late.set(table, rows);
    rows.set(idx, ts);
    any = true;
  }
  if (!any && first !== undefined) late.set(first[0], new Map([[first[1], first[2]]]));
  return late;
}

/** `late-commits`: whether a late insert is backdated (a new create_ts, an old mod_ts): half of them. */
export function backdated(table: Table, idx: number): boolean {
  return unit(mix(table.hash, idx + 1), 0xbd) < 0.5;
}

/** `cursor-ties`: the table an advance bulk-updates: in turn among those above a bulk group, else the largest. */
export function bulkTable(ds: Dataset, names: readonly string[]): Table | undefined {
  const candidates = names.map((name) => ds.table(name)).filter((t) => t.def.hasModTs && t.live > 0);
  if (candidates.length === 0) return undefined;
  const big = candidates.filter((t) => t.live > ds.quirks.bulkGroupRows);
  if (big.length > 0) return big[ds.advances % big.length];
  return candidates.reduce((a, b) => (b.live > a.live ? b : a));
}

/**
 * `cursor-ties`: a bulk import in the generated history: a run of consecutive rows (up to `bulkGroupRows`,
 * at most 70% of the table) sharing one mod_ts, after every one's create_ts and before the start.
 */
export function generateBulkGroup(ds: Dataset, table: Table): void {
  if (!table.def.hasModTs || table.size < 10) return;
  const size = Math.min(ds.quirks.bulkGroupRows, Math.floor(table.size * 0.7));
  const first = Math.floor(table.size * 0.1);
  let ts = 0;
  for (let i = first; i < first + size; i++) ts = Math.max(ts, table.createTs[i] as number);
  ts = Math.min(ds.start - 1, ts + US_PER_SECOND);
  for (let i = first; i < first + size; i++) table.modTs[i] = ts;
}
