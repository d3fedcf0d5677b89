// The SQLite dialect as a plug-in: its one setting and its factory. See docs/target.md.
import { ConfigError } from '@wms-singer/singer';
import type { DialectPlugin } from '../dialect.js';
import { SqliteDialect } from './sqlite-dialect.js';
import { SqliteQueryRunner } from './sqlite-query-runner.js';

export { SqliteDialect } from './sqlite-dialect.js';

function sqlitePath(config: Readonly<Record<string, unknown>>): string {
  const path = config.sqlite_path;
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError('CONFIG_INVALID', 'setting "sqlite_path" is required when "dialect" is "sqlite"');
  }
  return path;
}

export const sqliteDialect: DialectPlugin = {
  name: 'sqlite',
  loads: 'an embedded SQLite file (development, demo, tests)',
  settings: {
    sqlite_path: {
      type: 'string',
      title: 'SQLite path',
      description: 'SQLite database file (created when missing); required when dialect is sqlite.',
    },
  },
  create(config, logger) {
    return new SqliteDialect(sqlitePath(config), logger);
  },
  async openQueries(config) {
    return SqliteQueryRunner.open(sqlitePath(config));
  },
};
