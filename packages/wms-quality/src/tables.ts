import { SingerError } from '@wms-singer/singer';
import { normaliseName, type QueryRunner } from 'target-oracle';
import type { QualitySql } from './sql/index.js';

/** Soft deletes by a full sync (ACTIVATE_VERSION without hard_delete) mark rows here. */
export const DELETED_AT = '_sdc_deleted_at';

/**
 * A loaded table as the checks see it: its SQL name, its columns, and how to read a WMS
 * foreign key whether the target stored it as a JSON object (`order_id`) or flattened it
 * (`order_id__id`, with `flattening_enabled`).
 */
export class LoadedTable {
  constructor(
    readonly stream: string,
    readonly sqlName: string,
    private readonly columnNames: ReadonlySet<string>,
    private readonly runner: QueryRunner,
    private readonly sql: QualitySql,
  ) {}

  has(column: string): boolean {
    return this.columnNames.has(column);
  }

  /** `alias.column`, the column written as the database wants it. */
  column(alias: string, column: string): string {
    if (!this.has(column)) {
      throw new SingerError('QUALITY_COLUMN', `table ${this.stream} has no column ${column}`);
    }
    return `${alias}.${this.runner.identifier(column)}`;
  }

  /** `FROM`-clause item: the table with its alias (no `AS`: Oracle refuses it for tables). */
  from(alias: string): string {
    return `${this.sqlName} ${alias}`;
  }

  /** A condition true for rows a full sync has not soft-deleted (true when the table has no such column). */
  live(alias: string): string {
    return this.has(DELETED_AT) ? `${this.column(alias, DELETED_AT)} IS NULL` : '1 = 1';
  }

  /** The referenced row's id of a foreign key property (`order_id` -> its `id`). */
  foreignId(alias: string, property: string): string {
    const flattened = `${property}__id`;
    if (this.has(flattened)) return this.column(alias, flattened);
    return this.sql.jsonId(this.column(alias, property));
  }
}

/** Looks up loaded tables by stream name (with the target's table_prefix and naming rule), once each. */
export class LoadedTables {
  private readonly cache = new Map<string, LoadedTable | undefined>();

  constructor(
    private readonly runner: QueryRunner,
    private readonly sql: QualitySql,
    private readonly prefix: string,
    private readonly schema: string | undefined,
  ) {}

  /** The table's engine name for a stream. */
  nameOf(stream: string): string {
    return normaliseName(this.prefix + stream, this.runner.maxIdentifierLength);
  }

  async find(stream: string): Promise<LoadedTable | undefined> {
    if (this.cache.has(stream)) return this.cache.get(stream);
    const ref = { name: this.nameOf(stream), ...(this.schema ? { schema: this.schema } : {}) };
    const columns = await this.runner.columns(ref);
    const table =
      columns === undefined
        ? undefined
        : new LoadedTable(stream, this.runner.table(ref), new Set(columns), this.runner, this.sql);
    this.cache.set(stream, table);
    return table;
  }

  /** The table, or one line naming the stream and table that is missing. */
  async get(stream: string): Promise<LoadedTable> {
    const table = await this.find(stream);
    if (table === undefined) {
      throw new SingerError(
        'QUALITY_TABLE_MISSING',
        `table ${this.nameOf(stream)} (stream ${stream}) does not exist: has it been loaded?`,
      );
    }
    return table;
  }
}
