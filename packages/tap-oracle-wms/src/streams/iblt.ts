/**
 * An invertible Bloom lookup table (Goodrich and Mitzenmacher, 2011) of row keys: a fixed
 * number of cells, each holding the count, the xor of the ids, the xor of the offsets (a row's
 * mod_ts within its hour, in microseconds; 0 for id ranges) and the xor of a 32-bit check hash
 * of the keys hashed into it. Subtracting the table of one set from the table of another leaves
 * the table of their difference; when the difference is small enough for the cells, peeling it
 * gives back every key present in one set and absent from the other, on each side. A decode that
 * succeeds is wrong only if a cell mixing keys passes the check hash by chance (odds about 2^-32
 * per cell looked at). A failed decode is reported as such, never as a partial answer.
 *
 * Serialised as base64 of 16 bytes per cell (little-endian words: count mod 2^16 in the low half
 * of the first word with the id's high 16 bits above it, then the id's low 32 bits, the offset
 * and the check), so ids up to 2^48 and offsets up to 2^32 (an hour in microseconds fits).
 */

/** Tables are partitioned in three parts; a key lands in one cell of each. */
const PARTS = 3;
const WORDS = 4;
/** The sizes tables come in (cells): a multiple of PARTS each. */
export const IBLT_SIZES = [12, 24, 48] as const;
const TWO_32 = 2 ** 32;
const MAX_KEY_ID = 2 ** 48 - 1;

/** Whether a row id fits a table: an integer from 0 to 2^48 - 1. */
export function isTableId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id <= MAX_KEY_ID;
}

/** A row key in a table: its id and its offset (0..2^32-1). */
export interface KeyOf {
  id: number;
  offset: number;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a key under a seed (murmur3's finaliser over the key's three words). */
function hashKey(lo: number, hi: number, offset: number, seed: number): number {
  let h = fmix(seed ^ Math.imul(lo, 0xcc9e2d51));
  h = fmix(h ^ Math.imul(hi + 0x9e3779b9, 0x1b873593));
  return fmix(h ^ Math.imul(offset + 0x7f4a7c15, 0xe6546b64));
}

const CHECK_SEED = 0x5eed_c4ec;

export class Iblt {
  private readonly words: Uint32Array;

  private constructor(readonly cells: number) {
    this.words = new Uint32Array(cells * WORDS);
  }

  /** An empty table of `cells` cells (one of IBLT_SIZES). */
  static empty(cells: number): Iblt {
    if (!(IBLT_SIZES as readonly number[]).includes(cells)) throw new RangeError(`IBLT of ${cells} cells`);
    return new Iblt(cells);
  }

  /** The table size for a set of `keys` keys: about a quarter of them, within IBLT_SIZES. */
  static sizeFor(keys: number): number {
    return IBLT_SIZES.find((size) => size * 4 >= keys) ?? 48;
  }

  /** The table of some keys, sized for them unless a size is given. */
  static of(keys: Iterable<KeyOf>, count: number, cells = Iblt.sizeFor(count)): Iblt {
    const table = Iblt.empty(cells);
    for (const key of keys) table.add(key.id, key.offset, 1);
    return table;
  }

  /** A table from its text; undefined when the text is not one. */
  static decode(text: string): Iblt | undefined {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
    const bytes = Buffer.from(text, 'base64');
    const cells = bytes.length / (WORDS * 4);
    if (!(IBLT_SIZES as readonly number[]).includes(cells)) return undefined;
    const table = new Iblt(cells);
    for (let i = 0; i < table.words.length; i++) table.words[i] = bytes.readUInt32LE(i * 4);
    return table;
  }

  encode(): string {
    const bytes = Buffer.alloc(this.words.length * 4);
    for (let i = 0; i < this.words.length; i++) bytes.writeUInt32LE(this.words[i]!, i * 4);
    return bytes.toString('base64');
  }

  /** Adds (sign 1) or removes (sign -1) a key. */
  add(id: number, offset: number, sign: 1 | -1): void {
    if (!isTableId(id)) throw new RangeError(`row id ${id} out of range`);
    const lo = id >>> 0;
    const hi = Math.floor(id / TWO_32);
    const off = offset >>> 0;
    const check = hashKey(lo, hi, off, CHECK_SEED);
    const part = this.cells / PARTS;
    for (let p = 0; p < PARTS; p++) {
      const cell = p * part + (hashKey(lo, hi, off, p + 1) % part);
      this.toggle(cell, sign, lo, hi, off, check);
    }
  }

  private toggle(cell: number, sign: number, lo: number, hi: number, off: number, check: number): void {
    const at = cell * WORDS;
    const w = this.words;
    const count = ((w[at]! & 0xffff) + sign) & 0xffff;
    w[at] = ((((w[at]! >>> 16) ^ hi) << 16) | count) >>> 0;
    w[at + 1] = (w[at + 1]! ^ lo) >>> 0;
    w[at + 2] = (w[at + 2]! ^ off) >>> 0;
    w[at + 3] = (w[at + 3]! ^ check) >>> 0;
  }

  /** This table minus another of the same size: the table of the difference. */
  minus(other: Iblt): Iblt {
    return this.combine(other, -1);
  }

  /** This table plus another of the same size: the table of both sets (disjoint sets: merged id ranges). */
  plus(other: Iblt): Iblt {
    return this.combine(other, 1);
  }

  private combine(other: Iblt, sign: 1 | -1): Iblt {
    if (other.cells !== this.cells)
      throw new RangeError(`IBLT sizes differ: ${this.cells} and ${other.cells}`);
    const out = new Iblt(this.cells);
    const a = this.words;
    const b = other.words;
    for (let at = 0; at < a.length; at += WORDS) {
      const count = ((a[at]! & 0xffff) + sign * (b[at]! & 0xffff)) & 0xffff;
      out.words[at] = ((((a[at]! >>> 16) ^ (b[at]! >>> 16)) << 16) | count) >>> 0;
      for (let k = 1; k < WORDS; k++) out.words[at + k] = (a[at + k]! ^ b[at + k]!) >>> 0;
    }
    return out;
  }

  /**
   * Peels a difference table: the keys with count +1 (`added`: in the first set only) and -1
   * (`removed`: in the second only). Undefined when the difference is too large to peel.
   */
  peel(): { added: KeyOf[]; removed: KeyOf[] } | undefined {
    const peeled = this.peelAll();
    return peeled.complete ? peeled : undefined;
  }

  /**
   * The keys among `listed` (the first set of a difference table: first minus second) that
   * the second set lacks: exactly those when the difference peels; otherwise a superset, the
   * keys peeled plus every listed key whose cells are all non-empty in what could not be
   * peeled (a key left in the difference leaves its cells non-empty, up to a collision of all
   * three fields). `exact` says which.
   */
  arrivals(listed: readonly KeyOf[]): { keys: KeyOf[]; exact: boolean } {
    const peeled = this.peelAll();
    if (peeled.astray) return { keys: [...listed], exact: false };
    const added = new Set(peeled.added.map((key) => `${key.id}/${key.offset}`));
    const keys = listed.filter(
      (key) => added.has(`${key.id}/${key.offset}`) || (!peeled.complete && peeled.rest.touches(key)),
    );
    return { keys, exact: peeled.complete };
  }

  /** Whether each cell a key lands in holds something. */
  private touches(key: KeyOf): boolean {
    const lo = key.id >>> 0;
    const hi = Math.floor(key.id / TWO_32);
    const off = key.offset >>> 0;
    const part = this.cells / PARTS;
    for (let p = 0; p < PARTS; p++) {
      const at = (p * part + (hashKey(lo, hi, off, p + 1) % part)) * WORDS;
      const w = this.words;
      if (w[at] === 0 && w[at + 1] === 0 && w[at + 2] === 0 && w[at + 3] === 0) return false;
    }
    return true;
  }

  private peelAll(): { added: KeyOf[]; removed: KeyOf[]; complete: boolean; astray: boolean; rest: Iblt } {
    const work = new Iblt(this.cells);
    work.words.set(this.words);
    const w = work.words;
    const added: KeyOf[] = [];
    const removed: KeyOf[] = [];
    const pure = (cell: number): 1 | -1 | 0 => {
      const at = cell * WORDS;
      const count = w[at]! & 0xffff;
      if (count !== 1 && count !== 0xffff) return 0;
      const hi = w[at]! >>> 16;
      if (hashKey(w[at + 1]!, hi, w[at + 2]!, CHECK_SEED) !== w[at + 3]) return 0;
      return count === 1 ? 1 : -1;
    };
    // A true difference has at most one key per count unit in its cells; a peel past that is
    // a false pure cell leading nowhere: given up as astray.
    let budget = this.cells * 3;
    for (let progress = true; progress; ) {
      progress = false;
      for (let cell = 0; cell < this.cells; cell++) {
        const sign = pure(cell);
        if (sign === 0) continue;
        if (--budget < 0) return { added, removed, complete: false, astray: true, rest: work };
        const at = cell * WORDS;
        const id = (w[at]! >>> 16) * TWO_32 + w[at + 1]!;
        const offset = w[at + 2]!;
        (sign === 1 ? added : removed).push({ id, offset });
        work.add(id, offset, sign === 1 ? -1 : 1);
        progress = true;
      }
    }
    return { added, removed, complete: w.every((word) => word === 0), astray: false, rest: work };
  }
}
