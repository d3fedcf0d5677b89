/**
 * Time passing: `advance` updates, inserts and hard-deletes rows, moves the clock forward and keeps the
 * data consistent (purges cascade to children; parents whose served values change are touched too).
 */
import type { AdvanceRequest, AdvanceResult, EntityChange } from '../types.js';
import { backdated, bulkTable, chooseLate, revealNextFacility } from './anomalies.js';
import { DANGLING_ID_BASE, type Dataset } from './dataset.js';
import { orderedTenths } from './entities/orders.js';
import type { Sequence } from './hash.js';
import { DELETED, type Table } from './table.js';
import { isoUtc, US_PER_SECOND } from './time.js';

export class AdvanceError extends Error {}

interface Pending {
  updated: Set<number>;
  inserted: number[];
  deleted: Set<number>;
  /** Rows that get a new mod_ts (updated, touched, inserted), in the order they changed. */
  touched: Set<number>;
  /** `late-commits`: rows made visible (old mod_ts). */
  revealed: number[];
}

function count(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new AdvanceError(`${name} must be a non-negative integer`);
  }
  return value;
}

/** Picks up to k distinct live rows at random. */
function pickLive(table: Table, k: number, rng: Sequence): number[] {
  if (k <= 0 || table.live === 0) return [];
  if (k * 3 >= table.live) {
    const rows = Array.from(table.liveRows());
    const n = Math.min(k, rows.length);
    for (let i = 0; i < n; i++) {
      const j = i + rng.below(rows.length - i);
      const t = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = t;
    }
    return rows.slice(0, n);
  }
  const chosen = new Set<number>();
  while (chosen.size < k) {
    const idx = rng.below(table.size);
    if (table.deleted[idx] === 0) chosen.add(idx);
  }
  return [...chosen];
}

export function advance(ds: Dataset, request: AdvanceRequest, rng: Sequence): AdvanceResult {
  const updates = count(request.updates, 'updates');
  const inserts = count(request.inserts, 'inserts');
  const deletes = count(request.deletes, 'deletes');
  const seconds = request.seconds ?? (ds.wallClock ? 0 : 60);
  if (
    typeof seconds !== 'number' ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    (seconds === 0 && !ds.wallClock)
  ) {
    throw new AdvanceError(
      ds.wallClock ? 'seconds must be a non-negative number' : 'seconds must be a positive number',
    );
  }
  if (request.entity !== undefined && !ds.has(request.entity)) {
    throw new AdvanceError(`unknown entity "${request.entity}"`);
  }
  const names = request.entity === undefined ? ds.names() : [request.entity];
  const pending = new Map<string, Pending>();
  const of = (name: string): Pending => {
    let p = pending.get(name);
    if (p === undefined) {
      p = { updated: new Set(), inserted: [], deleted: new Set(), touched: new Set(), revealed: [] };
      pending.set(name, p);
    }
    return p;
  };
  const touched: Array<[Table, number]> = [];
  /** mod_ts before this advance of the rows touched (`late-commits` never moves a row behind its past). */
  const before = new Map<Table, Map<number, number>>();
  const touch = (table: Table, idx: number) => {
    const p = of(table.def.name);
    if (p.touched.has(idx)) return;
    p.touched.add(idx);
    table.version[idx]!++;
    touched.push([table, idx]);
    const prev = before.get(table) ?? new Map<number, number>();
    before.set(table, prev);
    prev.set(idx, table.modTs[idx] as number);
  };
  const update = (table: Table, idx: number) => {
    of(table.def.name).updated.add(idx);
    touch(table, idx);
  };

  for (const name of names) {
    const table = ds.table(name);
    for (const idx of pickLive(table, updates, rng)) update(table, idx);
  }
  // `cursor-ties`: one bulk update per advance, every row of it at one instant.
  let bulk: { table: Table; rows: Set<number> } | undefined;
  const bulkOf = ds.quirks.has('cursor-ties') ? bulkTable(ds, names) : undefined;
  if (bulkOf !== undefined) {
    // Rows the requested updates already chose keep their own instant (and may commit late).
    const chosen = of(bulkOf.def.name).touched;
    const groupRows = ds.quirks.bulkGroupRows;
    const picked = pickLive(bulkOf, Math.min(groupRows + chosen.size, bulkOf.live), rng);
    bulk = {
      table: bulkOf,
      rows: new Set(picked.filter((idx) => !chosen.has(idx)).slice(0, groupRows)),
    };
    for (const idx of bulk.rows) update(bulkOf, idx);
  }
  for (const name of names) {
    for (let n = 0; n < inserts; n++) insertRow(ds, ds.table(name), rng, of(name), touch);
  }
  for (const name of names) {
    const table = ds.table(name);
    if (!table.def.deletable) continue;
    for (const idx of pickLive(table, deletes, rng)) of(name).deleted.add(idx);
  }
  purge(ds, of, touch);
  const lateCommits = ds.quirks.has('late-commits');
  if (lateCommits) {
    for (const [table, rows] of revealNextFacility(ds)) of(table.def.name).revealed.push(...rows);
  }

  // Every changed row gets a distinct mod_ts in (from, to], in the order it changed (but see the quirks).
  const from = ds.now;
  // Each change needs its own microsecond; the wall clock never runs the simulated one backwards.
  let to = from + Math.max(touched.length + 1, Math.round(seconds * US_PER_SECOND));
  if (ds.wallClock) to = Math.max(to, Date.now() * 1000);
  // With the wall clock the changes happen now, not spread over the time since the previous advance.
  const low = ds.wallClock
    ? Math.max(from, to - (touched.length + 1) - Math.round(seconds * US_PER_SECOND))
    : from;
  const step = (to - low) / (touched.length + 1);
  // `late-commits`: a share of the updates and inserts (not the bulk group) committed late, behind `from`.
  const late = lateCommits
    ? chooseLate(
        touched.filter(([table, idx]) => {
          const p = of(table.def.name);
          return (
            (p.updated.has(idx) || table.version[idx] === 0) && !(bulk?.table === table && bulk.rows.has(idx))
          );
        }),
        (table, idx) => before.get(table)?.get(idx) ?? 0,
        from,
        ds.quirks.lateCommitMaxSeconds,
      )
    : undefined;
  let bulkTs: number | undefined;
  touched.forEach(([table, idx], k) => {
    let ts = low + Math.max(1, Math.floor(step * (k + 1)));
    if (bulk?.table === table && bulk.rows.has(idx)) {
      bulkTs ??= ts;
      ts = bulkTs;
    }
    const lateTs = late?.get(table)?.get(idx);
    // Half the late inserts are backdated (a new create_ts, the old mod_ts); the others are old in both.
    if (table.version[idx] === 0)
      table.createTs[idx] = lateTs !== undefined && !backdated(table, idx) ? lateTs : ts;
    table.modTs[idx] = lateTs ?? ts;
  });
  ds.now = to;
  ds.advances++;
  const changes: Record<string, EntityChange> = {};
  const ids = (rows: Iterable<number>) => [...rows].map((idx) => idx + 1).sort((a, b) => a - b);
  for (const [name, p] of pending) {
    if (p.touched.size === 0 && p.deleted.size === 0 && p.revealed.length === 0) continue;
    const table = ds.table(name);
    table.reindex(p.revealed.length === 0 ? p.touched : new Set([...p.touched, ...p.revealed]));
    const updated = [...p.touched].filter((idx) => !p.deleted.has(idx) && table.version[idx] !== 0);
    const change: EntityChange = {
      updated: ids(updated),
      inserted: p.inserted.map((idx) => idx + 1),
      deleted: ids(p.deleted),
    };
    if (lateCommits) {
      change.late = ids([...(late?.get(table)?.keys() ?? [])].filter((idx) => !p.deleted.has(idx)));
      change.revealed = ids(p.revealed);
    }
    changes[name] = change;
  }
  ds.dataVersion++;
  return { from: isoUtc(from), now: isoUtc(to), changes };
}

function insertRow(
  ds: Dataset,
  table: Table,
  rng: Sequence,
  p: Pending,
  touch: (table: Table, idx: number) => void,
): void {
  const name = table.def.name;
  if (name === 'order_dtl') {
    const orders = ds.table('order_hdr');
    if (orders.live === 0) return;
    const order = (pickLive(orders, 1, rng)[0] as number) + 1;
    const idx = table.append();
    table.version[idx] = 0;
    if (ds.isViolation(table, idx + 1)) {
      table.ref[idx] = DANGLING_ID_BASE + idx + 1;
      table.seq[idx] = 1;
    } else {
      table.ref[idx] = order;
      table.seq[idx] = ++orders.next[order - 1]!;
      orders.seq[order - 1]!++;
      touch(orders, order - 1);
    }
    p.inserted.push(idx);
    finishInsert(table, idx, touch);
    return;
  }
  if (name === 'allocation') {
    const lines = ds.table('order_dtl');
    if (lines.live === 0) return;
    // Prefer a line with quantity left to allocate; a fully allocated one gets a zero allocation.
    let line = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      line = (pickLive(lines, 1, rng)[0] as number) + 1;
      if ((lines.qty[line - 1] as number) < orderedTenths(ds, line)) break;
    }
    const idx = table.append();
    ds.placeAllocation(table, idx, line);
    if (table.ref[idx] === line) touch(lines, line - 1);
    p.inserted.push(idx);
    finishInsert(table, idx, touch);
    return;
  }
  const idx = table.append();
  p.inserted.push(idx);
  finishInsert(table, idx, touch);
}

function finishInsert(table: Table, idx: number, touch: (table: Table, idx: number) => void): void {
  // touch() bumps the version; an inserted row starts at version 0, so undo that after registering it.
  touch(table, idx);
  table.version[idx] = 0;
}

/** Hard deletes with cascade: order_hdr -> its lines -> their allocations; parents left behind are touched. */
function purge(ds: Dataset, of: (name: string) => Pending, touch: (table: Table, idx: number) => void): void {
  const orders = ds.table('order_hdr');
  const lines = ds.table('order_dtl');
  const allocations = ds.table('allocation');
  const orderGone = of('order_hdr').deleted;
  const lineGone = of('order_dtl').deleted;
  const allocationGone = of('allocation').deleted;
  if (orderGone.size > 0) {
    for (let i = 0; i < lines.size; i++) {
      if (lines.deleted[i] === 0 && orderGone.has((lines.ref[i] as number) - 1)) lineGone.add(i);
    }
  }
  if (lineGone.size > 0) {
    for (let i = 0; i < allocations.size; i++) {
      if (allocations.deleted[i] === 0 && lineGone.has((allocations.ref[i] as number) - 1)) {
        allocationGone.add(i);
      }
    }
  }
  for (const idx of allocationGone) {
    const line = allocations.ref[idx] as number;
    if (lines.isLive(line) && !lineGone.has(line - 1)) {
      lines.qty[line - 1]! -= allocations.qty[idx] as number;
      touch(lines, line - 1);
    }
  }
  for (const idx of lineGone) {
    const order = lines.ref[idx] as number;
    if (orders.isLive(order) && !orderGone.has(order - 1)) {
      orders.seq[order - 1]!--;
      touch(orders, order - 1);
    }
  }
  for (const [table, gone] of [
    [orders, orderGone],
    [lines, lineGone],
    [allocations, allocationGone],
  ] as const) {
    for (const idx of gone) {
      table.deleted[idx] = DELETED;
      table.live--;
    }
  }
  for (const name of ds.names()) {
    if (name === 'order_hdr' || name === 'order_dtl' || name === 'allocation') continue;
    const table = ds.table(name);
    for (const idx of of(name).deleted) {
      table.deleted[idx] = DELETED;
      table.live--;
    }
  }
}
