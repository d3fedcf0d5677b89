import type { QueryRunner } from 'target-oracle';
import type { Severity } from './settings.js';
import { type QualitySql, RESULT_COLUMNS } from './sql/index.js';

export type Status = 'pass' | 'warn' | 'fail' | 'skipped' | 'error';

/** One row of the results table: one check in one run. */
export interface CheckResult {
  run_id: string;
  check_name: string;
  severity: Severity;
  status: Status;
  checked_rows: number;
  failing_rows: number;
  threshold: number;
  failing_keys: string[];
  detail: Record<string, unknown>;
  /** ISO-8601 UTC. */
  started_at: string;
  ended_at: string;
}

/** The results table (`wms_quality_results` by default): created when missing, one row per check per run. */
export class ResultsTable {
  private readonly sqlName: string;

  constructor(
    private readonly runner: QueryRunner,
    private readonly sql: QualitySql,
    private readonly name: string,
    private readonly schema: string | undefined,
  ) {
    this.sqlName = runner.table(this.ref());
  }

  private ref() {
    return { name: this.name, ...(this.schema ? { schema: this.schema } : {}) };
  }

  async exists(): Promise<boolean> {
    return (await this.runner.columns(this.ref())) !== undefined;
  }

  async ensure(): Promise<void> {
    if (await this.exists()) return;
    await this.runner.execute(this.sql.resultsTableDdl(this.sqlName, (n) => this.runner.identifier(n)));
  }

  async insert(result: CheckResult): Promise<void> {
    const q = (n: string) => this.runner.identifier(n);
    const values = RESULT_COLUMNS.map((column) =>
      column === 'started_at' || column === 'ended_at' ? this.sql.instantBind(column) : `:${column}`,
    );
    await this.runner.execute(
      `INSERT INTO ${this.sqlName} (${RESULT_COLUMNS.map(q).join(', ')}) VALUES (${values.join(', ')})`,
      {
        run_id: result.run_id,
        check_name: result.check_name,
        severity: result.severity,
        status: result.status,
        checked_rows: result.checked_rows,
        failing_rows: result.failing_rows,
        threshold: result.threshold,
        failing_keys: JSON.stringify(result.failing_keys),
        detail: JSON.stringify(result.detail),
        started_at: result.started_at,
        ended_at: result.ended_at,
      },
    );
  }

  /** The latest `limit` rows, newest first (what the report and the rejects watermark read). */
  async recent(limit: number): Promise<CheckResult[]> {
    if (!(await this.exists())) return [];
    const q = (n: string) => `r.${this.runner.identifier(n)}`;
    const columns = RESULT_COLUMNS.map((column) =>
      column === 'started_at' || column === 'ended_at'
        ? `${this.sql.instantText(q(column))} AS ${column}`
        : `${q(column)} AS ${column}`,
    );
    const rows = await this.runner.query(
      `SELECT ${columns.join(', ')} FROM ${this.sqlName} r ORDER BY ${q('started_at')} DESC, ${q('check_name')} ${this.sql.limit(limit)}`,
    );
    return rows.map((row) => ({
      run_id: String(row.run_id),
      check_name: String(row.check_name),
      severity: String(row.severity) as Severity,
      status: String(row.status) as Status,
      checked_rows: Number(row.checked_rows ?? 0),
      failing_rows: Number(row.failing_rows ?? 0),
      threshold: Number(row.threshold ?? 0),
      failing_keys: parseJson(row.failing_keys, []) as string[],
      detail: parseJson(row.detail, {}) as Record<string, unknown>,
      started_at: String(row.started_at),
      ended_at: String(row.ended_at),
    }));
  }
}

function parseJson(text: unknown, fallback: unknown): unknown {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
