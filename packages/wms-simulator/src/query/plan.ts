/**
 * Runs a list query. Three access paths: id order (row index = id - 1), mod_ts order (the table's
 * (mod_ts, id) index, with mod_ts ranges as binary searches) and anything else (scan, then sort; cached).
 * Sequenced walks on the first two resume from the last row served (keyset), so each page costs O(page).
 */
import type { Dataset } from '../data/dataset.js';
import type { FieldValue } from '../data/fields.js';
import { RowContext } from '../data/row.js';
import type { Table } from '../data/table.js';
import { apiError } from '../errors.js';
import type { Filter } from './filters.js';
import type { Cursor, ListQuery } from './params.js';

type AccessKind = 'id' | 'mod' | 'sorted';

interface Access {
  kind: AccessKind;
  desc: boolean;
  /** Position range [lo, hi) in the access order's underlying array (ascending). */
  lo: number;
  hi: number;
  residual: Filter[];
}

/** Rows in the answer's order: `rows[i]` ascending, or read from the end when `reverse`. */
export interface RowView {
  rows: Uint32Array;
  reverse: boolean;
}

export function viewAt(view: RowView, i: number): number {
  return view.reverse ? (view.rows[view.rows.length - 1 - i] as number) : (view.rows[i] as number);
}

export interface PagedAnswer {
  rows: number[];
  total: number;
}

export interface SequencedAnswer {
  rows: number[];
  next: Cursor | undefined;
  previous: Cursor | undefined;
}

function chooseAccess(query: ListQuery): { kind: AccessKind; desc: boolean } {
  const [first, second] = query.ordering;
  if (first === undefined) return { kind: 'id', desc: false };
  if (first.field.name === 'id') return { kind: 'id', desc: first.desc };
  if (
    first.field.name === 'mod_ts' &&
    query.table.def.hasModTs &&
    (second === undefined || (second.field.name === 'id' && second.desc === first.desc))
  ) {
    return { kind: 'mod', desc: first.desc };
  }
  return { kind: 'sorted', desc: false };
}

/** Which bound each range lookup sets: [side, inclusive, operand index]. */
const BOUND_SIDES: Record<string, ReadonlyArray<readonly ['low' | 'high', boolean, number]>> = {
  exact: [
    ['low', true, 0],
    ['high', true, 0],
  ],
  gt: [['low', false, 0]],
  gte: [['low', true, 0]],
  lt: [['high', false, 0]],
  lte: [['high', true, 0]],
  range: [
    ['low', true, 0],
    ['high', true, 1],
  ],
};

/** Folds the range filters on the access key into bounds [low, high] with inclusive flags. */
function bounds(filters: Filter[], name: string) {
  let low = Number.NEGATIVE_INFINITY;
  let lowIn = true;
  let high = Number.POSITIVE_INFINITY;
  let highIn = true;
  const residual: Filter[] = [];
  for (const filter of filters) {
    const sides = BOUND_SIDES[filter.lookup];
    const usable =
      sides !== undefined &&
      filter.path.length === 1 &&
      filter.path[0]?.name === name &&
      filter.part === undefined &&
      !filter.negate;
    if (!usable) {
      residual.push(filter);
      continue;
    }
    for (const [side, inclusive, operand] of sides) {
      const v = filter.operands[operand] as number;
      if (side === 'low' && (v > low || (v === low && !inclusive))) {
        low = v;
        lowIn = inclusive;
      } else if (side === 'high' && (v < high || (v === high && !inclusive))) {
        high = v;
        highIn = inclusive;
      }
    }
  }
  return { low, lowIn, high, highIn, residual };
}

/** Binary search over the (mod_ts, id) index: the first position whose row is not `before` the probe. */
function searchIndex(table: Table, before: (modTs: number, idx: number) => boolean): number {
  const index = table.modIndex;
  const modTs = table.modTs;
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const row = index[mid] as number;
    if (before(modTs[row] as number, row)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose mod_ts is >= (or, strict, >) the value. */
function modSearch(table: Table, value: number, strict: boolean): number {
  return searchIndex(table, (v) => v < value || (strict && v === value));
}

/** First position whose (mod_ts, idx) is > (value, idx): where a keyset cursor resumes. */
function modKeySearch(table: Table, value: number, idx: number): number {
  return searchIndex(table, (v, row) => v < value || (v === value && row <= idx));
}

function planAccess(query: ListQuery): Access {
  const { kind, desc } = chooseAccess(query);
  const table = query.table;
  if (kind === 'id') {
    const b = bounds(query.filters, 'id');
    const firstId = b.low === Number.NEGATIVE_INFINITY ? 1 : Math.ceil(b.lowIn ? b.low : b.low + 1e-9);
    const lastId =
      b.high === Number.POSITIVE_INFINITY ? table.size : Math.floor(b.highIn ? b.high : b.high - 1e-9);
    const lo = Math.max(0, firstId - 1);
    const hi = Math.min(table.size, Math.max(lo, lastId));
    return { kind, desc, lo, hi, residual: b.residual };
  }
  if (kind === 'mod') {
    const b = bounds(query.filters, 'mod_ts');
    const lo = b.low === Number.NEGATIVE_INFINITY ? 0 : modSearch(table, b.low, !b.lowIn);
    const hi =
      b.high === Number.POSITIVE_INFINITY ? table.modIndex.length : modSearch(table, b.high, b.highIn);
    return { kind, desc, lo, hi: Math.max(lo, hi), residual: b.residual };
  }
  return { kind, desc: false, lo: 0, hi: table.size, residual: query.filters };
}

export class QueryEngine {
  private readonly cache = new Map<string, RowView>();
  private readonly row: RowContext;

  constructor(private readonly ds: Dataset) {
    this.row = new RowContext(ds);
  }

  private matches(table: Table, idx: number, residual: Filter[]): boolean {
    if (residual.length === 0) return true;
    const row = this.row.load(table, idx);
    for (const filter of residual) if (!filter.test(row)) return false;
    return true;
  }

  /** The row index at a position of an id/mod access, or -1 when the position holds a deleted row. */
  private rowAt(access: Access, table: Table, pos: number): number {
    if (access.kind === 'mod') return table.modIndex[pos] as number;
    return table.deleted[pos] === 0 ? pos : -1;
  }

  private cacheKey(query: ListQuery): string {
    const parts = [query.table.def.name, String(this.ds.dataVersion)];
    for (const [k, v] of query.params)
      if (k !== 'page' && k !== 'cursor' && k !== 'fields') parts.push(k + '=' + v);
    return parts.join('&');
  }

  /** Every matching row in answer order (cached per query and data version). */
  matching(query: ListQuery): RowView {
    const key = this.cacheKey(query);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const view = this.computeMatching(query);
    if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, view);
    return view;
  }

  private computeMatching(query: ListQuery): RowView {
    const table = query.table;
    const access = planAccess(query);
    if (access.kind === 'mod' && access.residual.length === 0) {
      return { rows: table.modIndex.subarray(access.lo, access.hi), reverse: access.desc };
    }
    if (access.kind === 'id' && access.residual.length === 0 && access.lo === 0 && access.hi === table.size) {
      return { rows: table.liveRows(), reverse: access.desc };
    }
    const out: number[] = [];
    for (let pos = access.lo; pos < access.hi; pos++) {
      const idx =
        access.kind === 'sorted' ? (table.deleted[pos] === 0 ? pos : -1) : this.rowAt(access, table, pos);
      if (idx >= 0 && this.matches(table, idx, access.residual)) out.push(idx);
    }
    if (access.kind !== 'sorted') return { rows: Uint32Array.from(out), reverse: access.desc };
    return { rows: this.sort(query, out), reverse: false };
  }

  /** Generic ordering: nulls last ascending, first descending (Oracle's default), ties by id. */
  private sort(query: ListQuery, rows: number[]): Uint32Array {
    const table = query.table;
    const keys = query.ordering.map((key) => {
      const values: FieldValue[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++)
        values[i] = key.field.get(this.row.load(table, rows[i] as number));
      return { values, desc: key.desc };
    });
    const order = rows.map((_, i) => i);
    order.sort((a, b) => {
      for (const key of keys) {
        const x = key.values[a] as FieldValue;
        const y = key.values[b] as FieldValue;
        if (x === y) continue;
        if (x === null) return key.desc ? -1 : 1;
        if (y === null) return key.desc ? 1 : -1;
        const c = x < y ? -1 : 1;
        return key.desc ? -c : c;
      }
      return (rows[a] as number) - (rows[b] as number);
    });
    return Uint32Array.from(order, (i) => rows[i] as number);
  }

  /** A paged-mode page: page_size rows from (page - 1) * page_size, or where `layout` says. */
  paged(query: ListQuery, layout?: { start: number; length: number }): PagedAnswer {
    const view = this.matching(query);
    const total = view.rows.length;
    const start = layout?.start ?? (query.page - 1) * query.pageSize;
    const length = layout?.length ?? query.pageSize;
    const rows: number[] = [];
    for (let i = start; i < Math.min(total, start + length); i++) rows.push(viewAt(view, i));
    return { rows, total };
  }

  sequenced(query: ListQuery): SequencedAnswer {
    const table = query.table;
    const access = planAccess(query);
    const cursor = query.cursor;
    const served = cursor === undefined ? 0 : cursor.position;
    const page = query.page;
    const size = query.pageSize;
    if (access.kind === 'sorted') {
      const view = this.matching(query);
      const rows: number[] = [];
      const end = Math.min(view.rows.length, served + size);
      for (let i = served; i < end; i++) rows.push(viewAt(view, i));
      const next = end < view.rows.length ? { position: end, page: page + 1, key: String(end) } : undefined;
      const start = Math.max(0, served - size);
      const previous =
        served > 0 ? { position: start, page: Math.max(1, page - 1), key: String(start) } : undefined;
      return { rows, next, previous };
    }
    const step = access.desc ? -1 : 1;
    const back = cursor?.back === true;
    // A backward cursor serves the page ending just before its row: walk backwards, then reverse.
    const from =
      cursor === undefined
        ? access.desc
          ? access.hi - 1
          : access.lo
        : this.keyPosition(access, table, cursor.key, back ? -step : step);
    const walked = this.walk(access, table, from, back ? -step : step, size);
    const rows = back ? walked.rows.reverse() : walked.rows;
    if (rows.length === 0) return { rows, next: undefined, previous: undefined };
    const lastKey = this.keyOf(access, table, rows[rows.length - 1] as number);
    // Forwards, more rows were seen; backwards, the page came from the next one, unless that one
    // has gone since: look for a row after this page.
    const more = back
      ? this.walk(access, table, this.keyPosition(access, table, lastKey, step), step, 0).more
      : walked.more;
    // Forwards, any page but the first has one before it; backwards, only if more rows were seen.
    const earlier = back ? walked.more : cursor !== undefined;
    return {
      rows,
      next: more ? { position: served + rows.length, page: page + 1, key: lastKey } : undefined,
      previous: earlier
        ? {
            position: Math.max(0, served - size),
            page: Math.max(1, page - 1),
            key: this.keyOf(access, table, rows[0] as number),
            back: true,
          }
        : undefined,
    };
  }

  /**
   * Up to `count` matching rows from position `from` in steps of `step`, within the access range;
   * `more` says whether another matching row follows them.
   */
  private walk(
    access: Access,
    table: Table,
    from: number,
    step: number,
    count: number,
  ): { rows: number[]; more: boolean } {
    const rows: number[] = [];
    for (let pos = from; pos >= access.lo && pos < access.hi; pos += step) {
      const idx = this.rowAt(access, table, pos);
      if (idx < 0 || !this.matches(table, idx, access.residual)) continue;
      if (rows.length === count) return { rows, more: true };
      rows.push(idx);
    }
    return { rows, more: false };
  }

  /** The first position strictly past a cursor's row (`key`) when walking in steps of `step`. */
  private keyPosition(access: Access, table: Table, key: string, step: number): number {
    if (access.kind === 'id') {
      const idx = Number(key) - 1;
      if (!Number.isInteger(idx)) throw apiError(400, 'Invalid cursor', null);
      return step > 0 ? Math.max(access.lo, idx + 1) : Math.min(access.hi - 1, idx - 1);
    }
    const [m, id] = key.split(':').map(Number) as [number, number];
    if (!Number.isFinite(m) || !Number.isInteger(id)) throw apiError(400, 'Invalid cursor', null);
    const after = modKeySearch(table, m, id - 1);
    return step > 0
      ? Math.max(access.lo, after)
      : Math.min(access.hi - 1, after - 1 - (this.isAt(table, after - 1, m, id) ? 1 : 0));
  }

  /** A keyset cursor's key for a row: its id, or its mod_ts and id. */
  private keyOf(access: Access, table: Table, idx: number): string {
    return access.kind === 'id' ? String(idx + 1) : `${table.modTs[idx]}:${idx + 1}`;
  }

  private isAt(table: Table, pos: number, m: number, id: number): boolean {
    const idx = table.modIndex[pos];
    return idx !== undefined && pos >= 0 && idx === id - 1 && table.modTs[idx] === m;
  }
}
