/** All simulated tables, the simulated clock and the generation of the initial rows. */
import type { Quirks } from '../quirks.js';
import { generateBulkGroup, hideOrders } from './anomalies.js';
import { ENTITY_DEFS, type EntityDef } from './entities/index.js';
import { orderedTenths } from './entities/orders.js';
import { below, mix, unit } from './hash.js';
import { Table } from './table.js';
import { formatInstant, formatUtcZ, parseInstant, US_PER_DAY, US_PER_SECOND } from './time.js';
import { FACILITY_OFFSETS, UNSERVED_KEYS } from './words.js';

export interface DatasetOptions {
  seed: number;
  rows: Partial<Record<string, number>>;
  integrityViolationRate: number;
  timestampOffset: 'row-facility' | 'user-facility';
  startTime?: string;
  clock: 'simulated' | 'wall';
  quirks: Quirks;
}

/** Ids of rows that break consistency on purpose point past every real id. */
export const DANGLING_ID_BASE = 900_000_000;
const HISTORY_US = 120 * US_PER_DAY;

/** Default row counts: everything but company and facility follows order_dtl. */
export function deriveRowCounts(rows: Partial<Record<string, number>>): Record<string, number> {
  for (const name of Object.keys(rows)) {
    if (!ENTITY_DEFS.some((def) => def.name === name)) throw new Error(`rows: unknown entity "${name}"`);
    const n = rows[name];
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      throw new Error(`rows: ${name} must be a non-negative integer, got ${n}`);
    }
  }
  const dtl = rows.order_dtl ?? 2000;
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
  const counts: Record<string, number> = {
    company: rows.company ?? 2,
    facility: rows.facility ?? 3,
    item: rows.item ?? clamp(Math.ceil(dtl / 20), 20, 50_000),
    location: rows.location ?? clamp(Math.ceil(dtl / 10), 50, 100_000),
    order_hdr: rows.order_hdr ?? Math.ceil(dtl / 4),
    order_dtl: dtl,
    allocation: rows.allocation ?? Math.round(dtl * 0.9),
    // Warehouse operations: small next to the order lines.
    container: rows.container ?? clamp(Math.ceil(dtl / 20), 5, 50_000),
    inventory: rows.inventory ?? clamp(Math.ceil(dtl / 10), 10, 100_000),
    wave: rows.wave ?? clamp(Math.ceil(dtl / 200), 3, 5000),
    task: rows.task ?? clamp(Math.ceil(dtl / 20), 5, 50_000),
    ib_shipment: rows.ib_shipment ?? clamp(Math.ceil(dtl / 200), 2, 5000),
    ib_shipment_dtl: rows.ib_shipment_dtl ?? clamp(Math.ceil(dtl / 40), 5, 25_000),
    purchase_order_hdr: rows.purchase_order_hdr ?? clamp(Math.ceil(dtl / 200), 2, 5000),
    purchase_order_dtl: rows.purchase_order_dtl ?? clamp(Math.ceil(dtl / 40), 5, 25_000),
  };
  for (const name of [
    'company',
    'facility',
    'item',
    'location',
    'container',
    'wave',
    'ib_shipment',
    'purchase_order_hdr',
  ]) {
    if ((counts[name] as number) < 1) throw new Error(`rows: ${name} needs at least 1 row`);
  }
  if ((counts.order_dtl as number) > 0 && (counts.order_hdr as number) < 1) {
    throw new Error('rows: order_dtl rows need at least 1 order_hdr row');
  }
  if ((counts.allocation as number) > 0 && dtl < 1) {
    throw new Error('rows: allocation rows need at least 1 order_dtl row');
  }
  return counts;
}

export class Dataset {
  readonly seed: number;
  readonly start: number;
  /** The simulated clock, epoch micros. */
  now: number;
  /** Bumped on every change: keys of cached query results. */
  dataVersion = 0;
  /** How many advances have run. */
  advances = 0;
  apiUrl = '';
  /** Base of foreign-key URLs: like the real API, with an explicit :443. */
  fkUrlBase = '';
  readonly violationRate: number;
  readonly wallClock: boolean;
  readonly quirks: Quirks;
  /** Text of a `*_ts` value rendered at an offset (minutes): the offset's local time, or UTC `Z` under `utc-z`. */
  readonly tsText: (micros: number, offsetMinutes: number) => string;
  private readonly tables = new Map<string, Table>();
  private readonly sameOffset: boolean;

  constructor(options: DatasetOptions) {
    this.seed = options.seed >>> 0;
    this.violationRate = options.integrityViolationRate;
    this.sameOffset = options.timestampOffset === 'user-facility';
    this.wallClock = options.clock === 'wall';
    this.quirks = options.quirks;
    this.tsText = this.quirks.has('utc-z') ? (micros) => formatUtcZ(micros) : formatInstant;
    if (options.startTime !== undefined) {
      const parsed = parseInstant(options.startTime, 0);
      if (parsed === undefined) throw new Error(`startTime: not an ISO-8601 instant: ${options.startTime}`);
      this.start = parsed.micros;
    } else if (this.wallClock) {
      this.start = Math.floor(Date.now() / 1000) * 1_000_000;
    } else {
      // 2025-06-02T08:00:00Z plus up to ~40 days chosen by the seed, on a whole second.
      this.start = (Date.UTC(2025, 5, 2, 8) + below(mix(this.seed, 7), 1, 3_456_000) * 1000) * 1000;
    }
    this.now = this.start;
    for (const def of ENTITY_DEFS) this.tables.set(def.name, new Table(this.served(def), this.seed));
    const counts = deriveRowCounts(options.rows);
    for (const def of ENTITY_DEFS) this.generate(this.table(def.name), counts[def.name] as number);
    if (this.quirks.has('cursor-ties'))
      for (const table of this.tables.values()) generateBulkGroup(this, table);
    if (this.quirks.has('late-commits')) hideOrders(this);
    for (const table of this.tables.values()) {
      table.initialSize = table.size;
      table.buildIndex();
    }
  }

  /** The entity as this simulator serves it: without the fields a quirk drops. */
  private served(def: EntityDef): EntityDef {
    const fields = def.fields.filter((field) => !this.quirks.drops(def.name, field.name));
    return fields.length === def.fields.length ? def : { ...def, fields };
  }

  setUrls(apiUrl: string): void {
    this.apiUrl = apiUrl;
    const url = new URL(apiUrl);
    this.fkUrlBase = `https://${url.hostname}:443${url.pathname}/entity/`;
  }

  names(): string[] {
    return [...this.tables.keys()];
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  table(name: string): Table {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`unknown entity ${name}`);
    return table;
  }

  initialSize(name: string): number {
    return this.table(name).initialSize || this.table(name).size || 1;
  }

  /** Offset (minutes) `*_ts` values of a row in this facility are rendered with. */
  offsetFor(facility: number): number {
    if (this.sameOffset || facility <= 0) return FACILITY_OFFSETS[0];
    return FACILITY_OFFSETS[(facility - 1) % FACILITY_OFFSETS.length] as number;
  }

  /** The user's default facility offset: filter values without an offset are read in it. */
  get userOffset(): number {
    return FACILITY_OFFSETS[0];
  }

  keyOf(entity: string, id: number): string {
    const table = this.tables.get(entity);
    if (table !== undefined) return table.def.keyOf(this, id);
    const keys = UNSERVED_KEYS[entity];
    if (keys !== undefined) return keys[(id - 1) % keys.length] as string;
    return entity.slice(0, 3).toUpperCase() + id;
  }

  isViolation(table: Table, id: number): boolean {
    return this.violationRate > 0 && unit(mix(table.hash, id), 77) < this.violationRate;
  }

  private generate(table: Table, count: number): void {
    table.reserve(count);
    const span = HISTORY_US;
    const first = this.start - span;
    for (let i = 0; i < count; i++) {
      const idx = table.append();
      const h = mix(table.hash, idx + 1);
      const created =
        first +
        Math.floor((span * 0.96 * i) / Math.max(1, count)) +
        below(h, 7, Math.floor((span * 0.03) / US_PER_SECOND)) * US_PER_SECOND +
        below(h, 8, US_PER_SECOND);
      table.createTs[idx] = created;
      table.modTs[idx] =
        unit(h, 9) < 0.35 ? created : created + Math.floor(unit(h, 10) * (this.start - created));
    }
    if (table.def.name === 'order_dtl') this.linkLines(table, count);
    if (table.def.name === 'allocation') this.linkAllocations(table, count);
  }

  private linkLines(lines: Table, count: number): void {
    const orders = this.table('order_hdr');
    for (let i = 0; i < count; i++) {
      const id = i + 1;
      if (this.isViolation(lines, id)) {
        lines.ref[i] = DANGLING_ID_BASE + id;
        lines.seq[i] = 1;
        continue;
      }
      const order = Math.floor((i * orders.size) / count) + 1;
      lines.ref[i] = order;
      lines.seq[i] = ++(orders.next as Uint32Array)[order - 1]!;
      (orders.seq as Uint32Array)[order - 1]!++;
    }
  }

  private linkAllocations(allocations: Table, count: number): void {
    const lines = this.table('order_dtl');
    for (let i = 0; i < count; i++) {
      const line = Math.floor((i * lines.size) / count) + 1;
      this.placeAllocation(allocations, i, line);
    }
  }

  /** Points an allocation at a line and books its quantity there (never above ordered, unless a violation). */
  placeAllocation(allocations: Table, idx: number, line: number): void {
    const lines = this.table('order_dtl');
    const id = idx + 1;
    const h = mix(allocations.hash, id);
    if (this.isViolation(allocations, id)) {
      if (unit(h, 79) < 0.5) {
        allocations.ref[idx] = DANGLING_ID_BASE + id;
        allocations.qty[idx] = 10;
        return;
      }
      allocations.ref[idx] = line;
      allocations.qty[idx] = orderedTenths(this, line) + 10;
      lines.qty[line - 1]! += allocations.qty[idx]!;
      return;
    }
    const remaining = orderedTenths(this, line) - (lines.qty[line - 1] as number);
    const qty = remaining > 0 ? 5 * (1 + below(h, 78, remaining / 5)) : 0;
    allocations.ref[idx] = line;
    allocations.qty[idx] = qty;
    lines.qty[line - 1]! += qty;
  }
}
