import { randomUUID } from 'node:crypto';
import { errorMessage, type Logger } from '@wms-singer/singer';
import type { QueryRunner } from 'target-oracle';
import { CHECKS, type Check, type CheckContext, type CheckOutcome } from './checks/index.js';
import { type CheckResult, ResultsTable, type Status } from './results.js';
import type { CheckSettings, QualityConfig } from './settings.js';
import { qualitySqlFor } from './sql/index.js';
import { LoadedTables } from './tables.js';
import type { WmsCounts } from './wms-counts.js';

export interface RunSummary {
  runId: string;
  results: CheckResult[];
  /** A check with severity fail broke (or could not run): the run exits 1. */
  failed: boolean;
}

/** A check's settings: its defaults, then what the config says. */
export function settingsOf(check: Check, config: QualityConfig): CheckSettings {
  return { enabled: true, ...check.defaults, ...(config.checks[check.name] ?? {}) } as CheckSettings;
}

/**
 * Why a check does not run in this load, or its settings narrowed to the tables it loaded. A run
 * that loads an entity group (the tap's `entities`, e.g. TAP_ORACLE_WMS_ENTITIES) checks only the
 * rules whose tables it loads: another group may be loading the rest at the same time.
 */
export function scopeToEntities(
  check: Check,
  settings: CheckSettings,
  entities: readonly string[] | undefined,
): { settings: CheckSettings } | { skipped: string } {
  if (entities === undefined) return { settings };
  const loaded = new Set(entities);
  if (settings.tables !== undefined) {
    const tables = settings.tables.filter((t) => loaded.has(t));
    if (tables.length === 0)
      return { skipped: `none of ${settings.tables.join(', ')} is among the entities this run loads` };
    return { settings: { ...settings, tables } };
  }
  const missing = (check.streams ?? []).filter((t) => !loaded.has(t));
  if (missing.length > 0)
    return { skipped: `${missing.join(', ')} is not among the entities this run loads` };
  return { settings };
}

/** pass, or the severity when the failing rows are above the threshold. */
export function statusOf(check: Check, settings: CheckSettings, outcome: CheckOutcome): Status {
  if (outcome.skipped !== undefined) return 'skipped';
  const measure =
    check.unit === 'count'
      ? outcome.failingRows
      : outcome.checkedRows === 0
        ? 0
        : outcome.failingRows / outcome.checkedRows;
  return measure > settings.threshold ? settings.severity : 'pass';
}

/** The one stderr line of a result. */
export function summaryLine(check: Check, result: CheckResult): string {
  const what =
    check.unit === 'count'
      ? ''
      : ` (${percent(result.checked_rows === 0 ? 0 : result.failing_rows / result.checked_rows)})`;
  const threshold = check.unit === 'count' ? String(result.threshold) : percent(result.threshold);
  const reason =
    result.status === 'skipped' || result.status === 'error'
      ? `: ${String(result.detail.reason ?? result.detail.error)}`
      : '';
  const keys =
    result.failing_keys.length > 0
      ? `; failing: ${result.failing_keys.slice(0, 5).join(', ')}${result.failing_keys.length > 5 ? ', ...' : ''}`
      : '';
  return `wms-quality: ${result.check_name} ${result.status}: ${result.failing_rows} of ${result.checked_rows} failing${what}, threshold ${threshold} (${result.severity})${reason}${keys}`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share !== 0 && share < 0.001 ? 4 : 2)}%`;
}

/** Runs one check: its outcome and status, or `error` with the reason when it could not run. */
async function runOne(
  check: Check,
  context: CheckContext,
): Promise<{ outcome: CheckOutcome; status: Status }> {
  try {
    const outcome = await check.run(context);
    return { outcome, status: statusOf(check, context.settings, outcome) };
  } catch (error) {
    context.logger.debug({ check: check.name, err: error }, 'check failed to run');
    return {
      outcome: { checkedRows: 0, failingRows: 0, failingKeys: [], detail: { error: errorMessage(error) } },
      status: 'error',
    };
  }
}

export interface RunDependencies {
  runner: QueryRunner;
  logger: Logger;
  wms: WmsCounts | undefined;
  /** Where summary lines go (stderr). */
  line: (text: string) => void;
  now?: () => Date;
}

/** Runs every enabled check, records each result, and prints one line per check. */
export async function runChecks(config: QualityConfig, deps: RunDependencies): Promise<RunSummary> {
  const { runner, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const sql = qualitySqlFor(runner.dialect);
  const schema = config.default_target_schema;
  const tables = new LoadedTables(runner, sql, config.table_prefix ?? '', schema);
  const results = new ResultsTable(runner, sql, config.results_table, schema);
  await results.ensure();
  const history = await results.recent(200);
  const runId = randomUUID();
  const runStartedAt = now();
  const summary: RunSummary = { runId, results: [], failed: false };
  for (const check of CHECKS) {
    const configured = settingsOf(check, config);
    if (!configured.enabled) continue;
    const scope = scopeToEntities(check, configured, config.wms?.entities);
    const settings = 'settings' in scope ? scope.settings : configured;
    const started = now();
    const { outcome, status } =
      'skipped' in scope
        ? {
            outcome: { checkedRows: 0, failingRows: 0, failingKeys: [], skipped: scope.skipped },
            status: 'skipped' as Status,
          }
        : await runOne(check, {
            runner,
            sql,
            tables,
            settings,
            runStartedAt,
            logger,
            wms: deps.wms,
            previousDetail: history.find((r) => r.check_name === check.name && r.status !== 'error')?.detail,
          });
    const result: CheckResult = {
      run_id: runId,
      check_name: check.name,
      severity: settings.severity,
      status,
      checked_rows: outcome.checkedRows,
      failing_rows: outcome.failingRows,
      threshold: settings.threshold,
      failing_keys: outcome.failingKeys,
      detail: { ...(outcome.detail ?? {}), ...(outcome.skipped ? { reason: outcome.skipped } : {}) },
      started_at: started.toISOString(),
      ended_at: now().toISOString(),
    };
    await results.insert(result);
    summary.results.push(result);
    if (status === 'fail' || (status === 'error' && settings.severity === 'fail')) summary.failed = true;
    deps.line(summaryLine(check, result));
    logger.info(
      { check: check.name, status, checked_rows: result.checked_rows, failing_rows: result.failing_rows },
      `check ${check.name} ${status}`,
    );
  }
  return summary;
}
