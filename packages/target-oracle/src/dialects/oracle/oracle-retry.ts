/**
 * Runs work on a pooled session with the dialect's failure policy: a transient failure drops
 * the session (its transaction dies with it) and replays the work on a new one after a backoff;
 * anything else rolls back and becomes one SingerError, reported once.
 */
import { type Logger, type Metrics, SingerError } from '@wms-singer/singer';
import type { OracleSession, SessionSource } from './oracle-connection.js';
import { describeOracleError, isTransient, oracleErrorCode } from './oracle-errors.js';

/** Objects that already exist when a replayed DDL statement runs again. */
const ALREADY_DONE = new Set(['ORA-00955', 'ORA-01430', 'ORA-01408', 'ORA-00957', 'ORA-01442', 'ORA-00904']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 1 s, 2 s, 4 s ... at most 30 s. */
export const exponentialBackoff = (attempt: number): Promise<void> =>
  sleep(Math.min(30_000, 1000 * 2 ** (attempt - 1)));

export class SessionRunner {
  constructor(
    private readonly source: SessionSource,
    private readonly logger: Logger,
    private readonly maxAttempts: number,
    private readonly backoff: (attempt: number) => Promise<void>,
    private readonly callTimeoutMs: number,
    /** Counts each retry (the run summary's `retries`). */
    private readonly metrics?: Metrics,
  ) {}

  /** `work` gets the attempt number (1 first) so a replay can tell itself apart. */
  async run<T>(
    operation: string,
    table: string | undefined,
    work: (session: OracleSession, attempt: number) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let session: OracleSession | undefined;
      try {
        session = await this.source.acquire();
        session.callTimeout = this.callTimeoutMs;
        const result = await work(session, attempt);
        await session.close(false);
        return result;
      } catch (error) {
        const transient = !(error instanceof SingerError) && isTransient(error);
        if (session !== undefined) {
          if (!transient) await session.rollback().catch(() => undefined);
          await session.close(transient).catch(() => undefined);
        }
        if (error instanceof SingerError) throw error;
        if (!transient || attempt >= this.maxAttempts) {
          const failure = describeOracleError(
            error,
            table === undefined ? { operation } : { operation, table },
          );
          if (transient) failure.message += ` (after ${attempt} attempts)`;
          throw failure;
        }
        this.logger.warn(
          { code: oracleErrorCode(error), table, operation, attempt },
          'transient Oracle error, retrying on a new connection',
        );
        this.metrics?.count('retry_count', { operation });
        await this.backoff(attempt);
      }
    }
  }

  /** DDL statements in order (`COMMIT` commits); a replay tolerates what the lost attempt did. */
  async runDdl(statements: string[], table: string, operation: string): Promise<void> {
    await this.run(operation, table, async (session, attempt) => {
      for (const statement of statements) {
        if (statement === 'COMMIT') {
          await session.commit();
          continue;
        }
        try {
          await session.execute(statement);
        } catch (error) {
          const code = oracleErrorCode(error);
          const index =
            statement.startsWith('CREATE INDEX') && (code === 'ORA-00955' || code === 'ORA-01408');
          if (!index && !(attempt > 1 && code !== undefined && ALREADY_DONE.has(code))) throw error;
        }
      }
    });
  }
}
