export { type OpenedClient, openWmsClient } from './client/open-client.js';
export { WmsClient } from './client/wms-client.js';
export { apiRoot, checkSettings, TAP_SETTINGS, type TapConfig } from './settings.js';
export { filterInstant, instantMicros } from './streams/bookmarks.js';
export { BUNDLED_ENTITIES, bundledFields } from './streams/bundled/index.js';
export { scopeFilters } from './streams/filters.js';
export { propertySchema, readDescribe, schemaFromFields } from './streams/schema-from-describe.js';
export { tapOracleWms } from './tap.js';
