export { targetDefinition, targetSettings } from './definition.js';
export type * from './dialects/dialect.js';
export { createDialect, DIALECTS, dialectSettings } from './dialects/index.js';
export {
  createOracleQueryRunner,
  type OracleQueryRunnerOptions,
  type SessionSourceFactory,
} from './dialects/oracle/index.js';
export {
  openQueryRunner,
  type QueryBinds,
  type QueryRow,
  type QueryRunner,
  type QueryValue,
} from './dialects/query-runner.js';
export { SqliteDialect } from './dialects/sqlite/index.js';
export { normaliseName } from './schema/names.js';
export { engineSettings, type LoadMethod, type TargetConfig } from './settings.js';
export { Target, type TargetContext } from './target.js';
