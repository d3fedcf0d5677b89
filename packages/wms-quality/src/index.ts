export { CHECKS, type Check, type CheckContext, type CheckOutcome } from './checks/index.js';
export { configFromEnvironment, loadConfig, settingsSchema } from './config.js';
export { renderReport } from './report/html.js';
export { type CheckResult, ResultsTable, type Status } from './results.js';
export { runChecks, settingsOf, statusOf, summaryLine } from './runner.js';
export type { CheckSettings, QualityConfig, Severity } from './settings.js';
export { type QualitySql, qualitySqlFor } from './sql/index.js';
