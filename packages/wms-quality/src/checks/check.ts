import type { Logger } from '@wms-singer/singer';
import type { QueryRunner } from 'target-oracle';
import type { CheckSettings, Severity } from '../settings.js';
import type { QualitySql } from '../sql/index.js';
import type { LoadedTables } from '../tables.js';
import type { WmsCounts } from '../wms-counts.js';

/** How many failing keys a result keeps. */
export const MAX_FAILING_KEYS = 20;

/** What a check found. */
export interface CheckOutcome {
  checkedRows: number;
  failingRows: number;
  /** Up to MAX_FAILING_KEYS keys (ids, or table names) of failing rows. */
  failingKeys: string[];
  /** Check-specific facts kept with the result (JSON), e.g. freshness per table. */
  detail?: Record<string, unknown>;
  /** Set when the check could not run for a reason that is not a failure (no WMS configured). */
  skipped?: string;
}

export interface CheckContext {
  runner: QueryRunner;
  sql: QualitySql;
  tables: LoadedTables;
  settings: CheckSettings;
  /** The run's start: freshness is measured against it. */
  runStartedAt: Date;
  logger: Logger;
  /** The WMS's own counts; undefined when no WMS is configured. */
  wms: WmsCounts | undefined;
  /** This check's detail from its previous run (rejects keeps its watermark there). */
  previousDetail: Record<string, unknown> | undefined;
}

export interface Check {
  readonly name: string;
  /** One line for the report and the docs. */
  readonly description: string;
  /** `share`: threshold is a share of the checked rows; `count`: a number of failing rows. */
  readonly unit: 'share' | 'count';
  readonly defaults: { severity: Severity; threshold: number; window_hours?: number; tables?: string[] };
  /** The streams (tables before table_prefix) the rule reads; checks with a `tables` setting read those. */
  readonly streams?: readonly string[];
  run(context: CheckContext): Promise<CheckOutcome>;
}

/** Reads a count column (SQLite gives numbers or bigints, Oracle numbers or strings). */
export function count(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a count: ${String(value)}`);
  return n;
}
