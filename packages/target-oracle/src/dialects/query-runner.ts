/**
 * A small read-and-record seam for tools that query what the target loaded (wms-quality): open a
 * connection, run a SELECT, run DDL/DML on the tool's own tables, close. Each dialect implements
 * it in its folder, so the tool's SQL never meets a driver, a quoting rule or a commit quirk.
 */
import { ConfigError, type Logger } from '@wms-singer/singer';
import type { TableRef } from './dialect.js';
import { DIALECTS } from './index.js';

/** A bound value: named binds (`:name` in the SQL text) on both dialects. */
export type QueryValue = string | number | null;
export type QueryBinds = Record<string, QueryValue>;
/** A result row keyed by lower-case column alias. */
export type QueryRow = Record<string, unknown>;

export interface QueryRunner {
  /** The `dialect` setting's value this runner speaks (`sqlite`, `oracle`). */
  readonly dialect: string;
  /** Longest identifier the database accepts (for the engine's naming rule, `normaliseName`). */
  readonly maxIdentifierLength: number;
  /** An engine name (lower-case `[a-z0-9_]`) as this database writes the identifier. */
  identifier(name: string): string;
  /** A table as written in SQL, schema-qualified where the database has schemas. */
  table(ref: TableRef): string;
  /** The column names (engine names, lower case) of a table, or undefined when it does not exist. */
  columns(ref: TableRef): Promise<string[] | undefined>;
  /** Runs one SELECT; rows are keyed by the lower-case column aliases. */
  query(sql: string, binds?: QueryBinds): Promise<QueryRow[]>;
  /** Runs one DDL or DML statement and commits it; returns the rows it changed. */
  execute(sql: string, binds?: QueryBinds): Promise<number>;
  close(): Promise<void>;
}

/** The runner for the dialect the config names (the target's own settings, validated or not). */
export function openQueryRunner(
  config: Readonly<Record<string, unknown>>,
  logger: Logger,
): Promise<QueryRunner> {
  const name = String(config.dialect ?? DIALECTS[0]!.name);
  const plugin = DIALECTS.find((d) => d.name === name);
  if (plugin === undefined) {
    const known = DIALECTS.map((d) => d.name).join(', ');
    throw new ConfigError('CONFIG_INVALID', `setting "dialect" must be one of ${known} (got "${name}")`);
  }
  if (plugin.openQueries === undefined) {
    throw new ConfigError('CONFIG_INVALID', `the ${name} dialect cannot run queries for other tools`);
  }
  return plugin.openQueries(config, logger);
}
