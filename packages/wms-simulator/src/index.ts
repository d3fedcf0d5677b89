export { deriveRowCounts } from './data/dataset.js';
export {
  DEFAULT_BULK_GROUP_ROWS,
  DEFAULT_LATE_COMMIT_MAX_SECONDS,
  parseQuirks,
  QUIRK_NAMES,
} from './quirks.js';
export { DEFAULTS, startSimulator } from './simulator.js';
export type {
  AdvanceRequest,
  AdvanceResult,
  Endpoint,
  EntityChange,
  FaultConfig,
  FaultKind,
  FaultRule,
  ModeFaultKind,
  Quirk,
  RecordedRequest,
  RequestFaultKind,
  ServerLoad,
  Simulator,
  SimulatorOptions,
} from './types.js';
export { MODE_FAULT_KINDS, REQUEST_FAULT_KINDS } from './types.js';
