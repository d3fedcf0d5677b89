/**
 * What differs between the databases in the checks' SQL: JSON access, decimal arithmetic,
 * instants, row limits, and the results table. Each dialect answers in its own file; a check
 * composes its statement from these, so its definition per dialect is one function of this.
 */
export interface QualitySql {
  readonly name: 'sqlite' | 'oracle';
  /** The numeric `id` inside a WMS foreign-key object stored as JSON text (`{"id", "key", "url"}`). */
  jsonId(column: string): string;
  /** A decimal column as a number to sum and compare. */
  decimal(column: string): string;
  /** Two quantity sums closer than this are equal (SQLite sums decimals as doubles; Oracle exactly). */
  readonly quantityTolerance: string;
  /** The newest instant of a datetime column, as epoch seconds (an aggregate). */
  newestEpochSeconds(column: string): string;
  /** The newest instant of a datetime column as ISO-8601 UTC text (an aggregate), a watermark. */
  newestInstantText(column: string): string;
  /** True for rows whose datetime column is after the ISO-8601 instant in bind `bind`. */
  instantAfter(column: string, bind: string): string;
  /** The clause ending a query to keep its first `n` rows. */
  limit(n: number): string;
  /** `CREATE TABLE` of the results table; `q` writes an identifier. */
  resultsTableDdl(table: string, q: (name: string) => string): string;
  /** An ISO-8601 UTC bind (`2026-01-02T03:04:05.678Z`) as a value of the results' instant columns. */
  instantBind(bind: string): string;
  /** An instant column read back as ISO-8601 UTC text. */
  instantText(column: string): string;
}

/** The results table's columns, in order (engine names). */
export const RESULT_COLUMNS = [
  'run_id',
  'check_name',
  'severity',
  'status',
  'checked_rows',
  'failing_rows',
  'threshold',
  'failing_keys',
  'detail',
  'started_at',
  'ended_at',
] as const;
