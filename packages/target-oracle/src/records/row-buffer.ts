import type { BatchFill, CellValue, RowBatch, RowBuffer } from '../dialects/dialect.js';

/** The engine's row buffer: the cell arrays themselves, for dialects that bind them as they are. */
export class ArrayRowBuffer implements RowBuffer {
  private rows: (CellValue[] | undefined)[] = [];
  private dropped = 0;

  constructor(private readonly columns: string[]) {}

  get count(): number {
    return this.rows.length - this.dropped;
  }

  get full(): boolean {
    return false;
  }

  add(row: CellValue[]): number {
    return this.rows.push(row) - 1;
  }

  drop(handle: number): void {
    if (this.rows[handle] === undefined) return;
    this.rows[handle] = undefined;
    this.dropped++;
  }

  take(fill: BatchFill | undefined): RowBatch {
    const rows = (
      this.dropped === 0 ? this.rows : this.rows.filter((row) => row !== undefined)
    ) as CellValue[][];
    this.rows = [];
    this.dropped = 0;
    if (fill !== undefined) for (const row of rows) row[fill.index] = fill.value;
    return { columns: this.columns, rows };
  }
}
