import { type Logger, SingerError } from '@wms-singer/singer';
import type { Dialect, TableRef } from './dialects/dialect.js';
import { RowBuilder } from './records/row-builder.js';
import { NameRegistry, normaliseName } from './schema/names.js';
import { planTable } from './schema/table-plan.js';
import type { TargetConfig } from './settings.js';
import type { SinkShape } from './sink.js';

/**
 * The table each stream loads into: its name (prefix, normalised, no two streams on one table)
 * and, before a sink loads it, its creation or evolution to fit the stream's columns.
 */
export class StreamTables {
  private readonly names = new NameRegistry();

  constructor(
    private readonly config: Pick<TargetConfig, 'table_prefix' | 'default_target_schema' | 'load_method'>,
    private readonly dialect: Dialect,
    private readonly logger: Logger,
    private readonly syncStartedAt: number,
  ) {}

  /** The stream's table; a second stream that would land on the same table is an error. */
  claim(stream: string, where: string): TableRef {
    const name = normaliseName(`${this.config.table_prefix}${stream}`, this.dialect.maxIdentifierLength);
    const holder = this.names.claim(name, stream);
    if (holder !== undefined) {
      throw new SingerError(
        'NAME_COLLISION',
        `${where}: streams "${holder}" and "${stream}" both become table "${name}"`,
      );
    }
    const schema = this.config.default_target_schema;
    return schema === undefined || schema === '' ? { name } : { schema, name };
  }

  /** Creates the table or adds and widens its columns for the layout; the sink's shape. */
  async prepare(
    table: TableRef,
    layout: SinkShape['layout'],
    validate: SinkShape['validate'],
    where: string,
  ): Promise<SinkShape> {
    const existing = await this.dialect.describeTable(table);
    const plan = planTable(
      table,
      layout,
      existing,
      { primaryKey: this.config.load_method !== 'append-only' },
      where,
    );
    if (plan.create !== undefined) {
      await this.dialect.createTable(plan.create);
      this.logger.info({ table: table.name }, 'created table');
    }
    if (plan.add.length > 0) {
      await this.dialect.addColumns(table, plan.add);
      this.logger.info({ table: table.name, columns: plan.add.map((c) => c.name) }, 'added columns');
    }
    if (plan.alter.length > 0) {
      await this.dialect.alterColumns(table, plan.alter);
      this.logger.info({ table: table.name, columns: plan.alter.map((c) => c.column) }, 'widened columns');
    }
    const kinds = new Map(plan.table.columns.map((c) => [c.name, c.type.kind]));
    const builder = new RowBuilder(
      layout.columns,
      layout.columns.map((c) => kinds.get(c.name) ?? c.type.kind),
      this.syncStartedAt,
    );
    return { table: plan.table, layout, builder, validate };
  }
}
