/** A reusable cursor over one row: the inputs every field getter derives its value from. */
import type { Dataset } from './dataset.js';
import { mix } from './hash.js';
import type { Table } from './table.js';

export class RowContext {
  table!: Table;
  idx = 0;
  id = 0;
  version = 0;
  /** Hash of (seed, entity, id): values that never change. */
  h = 0;
  /** Hash of (seed, entity, id, version): values an update may change. */
  hv = 0;
  /** Facility of the row (0 when it has none). */
  facility = 0;
  /** Offset in minutes its `*_ts` values are rendered with. */
  offset = 0;

  constructor(readonly ds: Dataset) {}

  load(table: Table, idx: number): this {
    this.table = table;
    this.idx = idx;
    this.id = idx + 1;
    this.version = table.version[idx] as number;
    this.h = mix(table.hash, this.id);
    this.hv = mix(this.h, this.version + 0x51);
    const facility = table.def.facilityOf ? table.def.facilityOf(this) : 0;
    this.facility = facility;
    this.offset = this.ds.offsetFor(facility);
    return this;
  }
}
