/**
 * `target-oracle --plan-sql`: the Oracle dialect with no database behind it. The engine reads the
 * messages as in a load; every statement the dialect would send is handed to `print` instead, once
 * per distinct text, in order of first use (a DBA reviews it, or pre-creates the tables from it).
 * Tables are remembered as the plan creates and evolves them, so a stream's second SCHEMA plans
 * an ALTER, not a second CREATE. The server planned for is described by settings
 * (`oracle_compatible`, default 19c; standard 4000-byte strings).
 */
import type { Logger } from '@wms-singer/singer';
import type {
  CellProblem,
  CellValue,
  ColumnChange,
  ColumnSpec,
  Dialect,
  ExistingColumn,
  RetireVersionsRequest,
  RowBatch,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';
import type { BindDef, Binds, OracleSession, QueryResult, SessionSource } from './oracle-connection.js';
import { OracleDialect } from './oracle-dialect.js';
import { parseCompatible } from './oracle-features.js';
import { SESSION_SETUP } from './oracle-sql.js';

export interface PlanOptions {
  /** COMPATIBLE of the server planned for, e.g. `19.0.0` (the default), `21.0.0`, `23.0.0`. */
  compatible: string;
  stagingMethod: 'array_insert' | 'direct_path';
  /** Receives each distinct statement once, as SQL text. */
  print: (statement: string) => void;
  logger: Logger;
}

/** A session that answers the dialect's questions from the settings and prints what it would run. */
class PlanSession implements OracleSession {
  callTimeout = 0;
  constructor(
    private readonly version: number,
    private readonly compatible: string,
    private readonly emit: (sql: string) => void,
  ) {}

  get oracleServerVersion(): number {
    return this.version;
  }

  get maxIdentifierLength(): number {
    return (parseCompatible(this.compatible) ?? 0) >= 12.2 ? 128 : 30;
  }

  async execute(sql: string, _binds?: Binds): Promise<QueryResult> {
    if (sql.includes('V$PARAMETER')) {
      return { rows: [{ VALUE: sql.includes("'compatible'") ? this.compatible : 'STANDARD' }] };
    }
    if (sql.includes('CURRENT_SCHEMA') && sql.startsWith('SELECT'))
      return { rows: [{ SCHEMA_NAME: 'LOADER' }] };
    if (sql.includes('ALL_TAB_COLUMNS')) return { rows: [] }; // answered by PlanDialect from its own memory
    this.emit(sql);
    return { rowsAffected: 0, rows: [] };
  }

  async executeMany(sql: string, _rows: unknown[][], _bindDefs: BindDef[]): Promise<QueryResult> {
    this.emit(sql);
    return { rowsAffected: 0 };
  }

  async directPathLoad(schema: string, table: string, columns: string[]): Promise<void> {
    this.emit(`-- node-oracledb directPathLoad into ${schema}.${table} (${columns.join(', ')})`);
  }

  async commit(): Promise<void> {
    this.emit('COMMIT');
  }

  async rollback(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The Oracle dialect over a PlanSession, describing tables as the plan has made them. */
export class PlanDialect implements Dialect {
  readonly name = 'oracle';
  private readonly inner: OracleDialect;
  private readonly tables = new Map<string, ExistingColumn[]>();
  private readonly print: (sql: string) => void;

  constructor(options: PlanOptions) {
    const major = Math.floor(parseCompatible(options.compatible) ?? 19);
    const seen = new Set<string>();
    const print = (sql: string): void => {
      if (seen.has(sql)) return;
      seen.add(sql);
      options.print(sql);
    };
    this.print = print;
    print(SESSION_SETUP);
    const session = new PlanSession(major * 100_000_000, options.compatible, print);
    const source: SessionSource = { acquire: async () => session, close: async () => undefined };
    this.inner = new OracleDialect({
      connect: async () => source,
      logger: options.logger,
      loadMethod: options.stagingMethod,
      maxAttempts: 1,
      runTag: 'plan',
      planning: true,
    });
  }

  get maxIdentifierLength(): number {
    return this.inner.maxIdentifierLength;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private key(table: TableRef): string {
    return `${table.schema ?? ''}.${table.name}`;
  }

  async describeTable(table: TableRef): Promise<ExistingColumn[] | undefined> {
    return this.tables.get(this.key(table))?.map((c) => ({ ...c }));
  }

  async createTable(table: TableSpec): Promise<void> {
    await this.inner.createTable(table);
    this.tables.set(
      this.key(table),
      table.columns.map((c) => ({ ...c, key: table.primaryKey.indexOf(c.name) + 1 })),
    );
  }

  async addColumns(table: TableRef, columns: ColumnSpec[]): Promise<void> {
    await this.inner.addColumns(table, columns);
    this.tables.get(this.key(table))?.push(...columns.map((c) => ({ ...c, nullable: true, key: 0 })));
  }

  async alterColumns(table: TableRef, changes: ColumnChange[]): Promise<void> {
    // Each widening as an uninterrupted connected run sends it.
    for (const statement of this.inner.wideningStatements(table, changes)) this.print(statement);
    for (const change of changes) {
      const column = this.tables.get(this.key(table))?.find((c) => c.name === change.column);
      if (column !== undefined) column.type = change.to;
    }
  }

  writeBatch(table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void> {
    return this.inner.writeBatch(table, batch, mode);
  }

  rowCheck(table: TableSpec, columns: string[]): (row: CellValue[]) => CellProblem | undefined {
    return this.inner.rowCheck(table, columns);
  }

  valueError(error: unknown): { column?: string } | undefined {
    return this.inner.valueError(error);
  }

  sliceBatch(batch: RowBatch, start: number, end: number): RowBatch {
    return this.inner.sliceBatch(batch, start, end);
  }

  retireVersions(request: RetireVersionsRequest): Promise<number> {
    return this.inner.retireVersions(request);
  }
}
