/**
 * One entity's rows as parallel typed arrays (no per-row objects): row index = id - 1. Field values are
 * derived from these columns and the row hash when a row is served.
 */
import type { EntityDef } from './entities/entity.js';
import { hashString, mix } from './hash.js';

export const DELETED = 1;
export const HIDDEN = 2;

export class Table {
  /** Highest id given so far (ids are never reused). */
  size = 0;
  /** Rows not deleted. */
  live = 0;
  /** Row count after generation: what stable references (e.g. an order's facility) draw from. */
  initialSize = 0;
  modTs = new Float64Array(0);
  createTs = new Float64Array(0);
  version = new Uint32Array(0);
  /** 0: live; DELETED: purged; HIDDEN: not yet visible to the user (`late-commits`), revealed later. */
  deleted = new Uint8Array(0);
  /** Parent id: order_dtl -> order_hdr, allocation -> order_dtl. */
  ref = new Uint32Array(0);
  /** Quantities in tenths: order_dtl -> allocated total, allocation -> alloc_qty. */
  qty = new Uint32Array(0);
  /** order_dtl -> seq_nbr; order_hdr -> live line count. */
  seq = new Uint32Array(0);
  /** order_hdr -> highest seq_nbr handed out. */
  next = new Uint32Array(0);
  /** Live row indexes sorted by (mod_ts, id): serves `ordering=mod_ts,id` and mod_ts ranges without scans. */
  modIndex = new Uint32Array(0);
  readonly hash: number;
  private liveCache: Uint32Array | undefined;

  constructor(
    readonly def: EntityDef,
    seed: number,
  ) {
    this.hash = mix(seed >>> 0, hashString(def.name));
  }

  reserve(capacity: number): void {
    if (capacity <= this.modTs.length) return;
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.modTs = grow(this.modTs, (n) => new Float64Array(n));
    this.createTs = grow(this.createTs, (n) => new Float64Array(n));
    this.version = grow(this.version, (n) => new Uint32Array(n));
    this.deleted = grow(this.deleted, (n) => new Uint8Array(n));
    this.ref = grow(this.ref, (n) => new Uint32Array(n));
    this.qty = grow(this.qty, (n) => new Uint32Array(n));
    this.seq = grow(this.seq, (n) => new Uint32Array(n));
    this.next = grow(this.next, (n) => new Uint32Array(n));
  }

  /** Adds a row and returns its index; timestamps are set by the caller. */
  append(): number {
    if (this.size === this.modTs.length) this.reserve(Math.max(16, this.size * 2));
    const idx = this.size++;
    this.live++;
    return idx;
  }

  isLive(id: number): boolean {
    return id >= 1 && id <= this.size && this.deleted[id - 1] === 0;
  }

  /** Live row indexes in id order. */
  liveRows(): Uint32Array {
    if (this.liveCache === undefined) {
      const rows = new Uint32Array(this.live);
      let n = 0;
      for (let i = 0; i < this.size; i++) if (this.deleted[i] === 0) rows[n++] = i;
      this.liveCache = rows;
    }
    return this.liveCache;
  }

  /**
   * Sorts live rows by (mod_ts, id) with a bucket pass over the mod_ts range: O(n) for a million rows where a
   * comparator sort takes seconds. Rows enter their bucket in id order and the insertion sort is stable.
   */
  buildIndex(): void {
    const modTs = this.modTs;
    const live = this.liveRows();
    const n = live.length;
    const rows = new Uint32Array(n);
    if (n === 0) {
      this.modIndex = rows;
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const m = modTs[live[i] as number] as number;
      if (m < min) min = m;
      if (m > max) max = m;
    }
    const buckets = n;
    const scale = buckets / (max - min + 1);
    const bucketOf = (m: number) => Math.min(buckets - 1, Math.floor((m - min) * scale));
    const starts = new Uint32Array(buckets + 1);
    for (let i = 0; i < n; i++) starts[bucketOf(modTs[live[i] as number] as number) + 1]!++;
    for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b] as number;
    const fill = starts.slice(0, buckets);
    for (let i = 0; i < n; i++) {
      const idx = live[i] as number;
      rows[fill[bucketOf(modTs[idx] as number)]!++] = idx;
    }
    for (let b = 0; b < buckets; b++) {
      const lo = starts[b] as number;
      const hi = starts[b + 1] as number;
      for (let i = lo + 1; i < hi; i++) {
        const idx = rows[i] as number;
        const m = modTs[idx] as number;
        let j = i - 1;
        while (j >= lo && (modTs[rows[j] as number] as number) > m) {
          rows[j + 1] = rows[j] as number;
          j--;
        }
        rows[j + 1] = idx;
      }
    }
    this.modIndex = rows;
  }

  /** Hides a live row (`late-commits`: outside the user's eligibility until revealed). */
  hide(idx: number): void {
    if (this.deleted[idx] !== 0) return;
    this.deleted[idx] = HIDDEN;
    this.live--;
    this.liveCache = undefined;
  }

  /** Makes a hidden row live again; the caller reindexes it. */
  reveal(idx: number): boolean {
    if (this.deleted[idx] !== HIDDEN) return false;
    this.deleted[idx] = 0;
    this.live++;
    this.liveCache = undefined;
    return true;
  }

  isHidden(idx: number): boolean {
    return this.deleted[idx] === HIDDEN;
  }

  /**
   * After a change: the untouched live rows keep their order; the touched live rows (new mod_ts, usually
   * later than every other one, but a late commit or a revealed row lies anywhere) are sorted and merged in.
   */
  reindex(touched: ReadonlySet<number>): void {
    this.liveCache = undefined;
    const modTs = this.modTs;
    const old = this.modIndex;
    const kept = new Uint32Array(this.live);
    let k = 0;
    for (let i = 0; i < old.length; i++) {
      const idx = old[i] as number;
      if (this.deleted[idx] === 0 && !touched.has(idx)) kept[k++] = idx;
    }
    const moved = [...touched].filter((idx) => this.deleted[idx] === 0);
    moved.sort((a, b) => (modTs[a] as number) - (modTs[b] as number) || a - b);
    const rows = new Uint32Array(k + moved.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < k && j < moved.length) {
      const a = kept[i] as number;
      const b = moved[j] as number;
      const ma = modTs[a] as number;
      const mb = modTs[b] as number;
      if (ma < mb || (ma === mb && a < b)) {
        rows[n++] = a;
        i++;
      } else {
        rows[n++] = b;
        j++;
      }
    }
    while (i < k) rows[n++] = kept[i++] as number;
    while (j < moved.length) rows[n++] = moved[j++] as number;
    this.modIndex = rows;
  }
}
