export * from './catalog.js';
export * from './cli.js';
export * from './errors.js';
export * from './exact-numbers.js';
export * from './logging.js';
export * from './messages.js';
export * from './metrics.js';
export * from './reader.js';
export * from './run-summary.js';
export * from './settings.js';
export * from './state.js';
export {
  type MappedStream,
  STREAM_MAP_SETTINGS,
  type StreamDecision,
  StreamMaps,
} from './stream-maps/mapper.js';
export * from './writer.js';
