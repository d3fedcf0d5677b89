export { deriveRowCounts } from './data/dataset.js';
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
  RecordedRequest,
  RequestFaultKind,
  ServerLoad,
  Simulator,
  SimulatorOptions,
} from './types.js';
export { MODE_FAULT_KINDS, REQUEST_FAULT_KINDS } from './types.js';
