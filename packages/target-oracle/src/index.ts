export { targetDefinition, targetSettings } from './definition.js';
export type * from './dialects/dialect.js';
export { createDialect, DIALECTS, dialectSettings } from './dialects/index.js';
export { SqliteDialect } from './dialects/sqlite/index.js';
export { engineSettings, type LoadMethod, type TargetConfig } from './settings.js';
export { Target, type TargetContext } from './target.js';
