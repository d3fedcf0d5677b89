export { TAP_SETTINGS, type TapConfig } from './settings.js';
export { filterInstant, instantMicros } from './streams/bookmarks.js';
export { BUNDLED_ENTITIES, bundledFields } from './streams/bundled/index.js';
export { propertySchema, readDescribe, schemaFromFields } from './streams/schema-from-describe.js';
export { tapOracleWms } from './tap.js';
