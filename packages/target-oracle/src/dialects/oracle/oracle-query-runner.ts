/** The Oracle side of the query seam (dialects/query-runner.ts): one pooled session, commits per statement. */
import { type Logger, SingerError } from '@wms-singer/singer';
import type { TableRef } from '../dialect.js';
import type { QueryBinds, QueryRow, QueryRunner } from '../query-runner.js';
import { connectOptions, type OracleSettings } from './index.js';
import {
  type OracleSession,
  type SessionSource,
  type SessionSourceFactory,
  thinPoolSource,
} from './oracle-connection.js';
import { identifier, qualifiedName, storedName } from './oracle-identifiers.js';

export interface OracleQueryRunnerOptions {
  /** Tests hand in a fake session source; production uses a Thin-mode pool. */
  sessionSource?: SessionSourceFactory;
}

export async function createOracleQueryRunner(
  settings: OracleSettings,
  logger: Logger,
  options: OracleQueryRunnerOptions = {},
): Promise<QueryRunner> {
  const connect = options.sessionSource ?? thinPoolSource;
  const source = await connect({ ...connectOptions(settings), poolMax: 1 });
  try {
    const session = await source.acquire();
    const limit = session.maxIdentifierLength ?? (session.oracleServerVersion >= 1_202_000_000 ? 128 : 30);
    logger.debug({ maxIdentifierLength: limit }, 'Oracle query session open');
    return new OracleQueryRunner(source, session, limit, settings.default_target_schema);
  } catch (error) {
    await source.close();
    throw error;
  }
}

class OracleQueryRunner implements QueryRunner {
  readonly dialect = 'oracle';

  constructor(
    private readonly source: SessionSource,
    private readonly session: OracleSession,
    readonly maxIdentifierLength: number,
    private readonly schema: string | undefined,
  ) {}

  identifier(name: string): string {
    return identifier(name, this.maxIdentifierLength);
  }

  table(ref: TableRef): string {
    return qualifiedName(ref.schema ?? this.schema, ref.name, this.maxIdentifierLength);
  }

  async columns(ref: TableRef): Promise<string[] | undefined> {
    const owner = ref.schema ?? this.schema;
    const sql = `SELECT COLUMN_NAME FROM ALL_TAB_COLUMNS WHERE OWNER = ${
      owner === undefined ? "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" : ':owner'
    } AND TABLE_NAME = :name ORDER BY COLUMN_ID`;
    const binds: QueryBinds = { name: storedName(ref.name, this.maxIdentifierLength) };
    if (owner !== undefined) binds.owner = storedName(owner, this.maxIdentifierLength);
    const rows = await this.query(sql, binds);
    return rows.length === 0 ? undefined : rows.map((row) => String(row.column_name).toLowerCase());
  }

  async query(sql: string, binds: QueryBinds = {}): Promise<QueryRow[]> {
    const result = await this.run(sql, binds);
    return (result.rows ?? []).map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value])),
    );
  }

  async execute(sql: string, binds: QueryBinds = {}): Promise<number> {
    const result = await this.run(sql, binds);
    await this.session.commit();
    return result.rowsAffected ?? 0;
  }

  async close(): Promise<void> {
    try {
      await this.session.close(false);
    } finally {
      await this.source.close();
    }
  }

  private async run(sql: string, binds: QueryBinds) {
    try {
      return await this.session.execute(sql, binds);
    } catch (error) {
      throw new SingerError('ORACLE_QUERY', `Oracle: ${(error as Error).message}`, { cause: error });
    }
  }
}
