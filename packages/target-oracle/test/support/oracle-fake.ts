// A recording stand-in for node-oracledb sessions: every call is logged with its SQL, binds and
// bindDefs, and tests can make chosen calls fail the way the driver does (code, errorNum,
// isRecoverable, message).
import type {
  BindDef,
  Binds,
  OracleSession,
  QueryResult,
  SessionSource,
} from '../../src/dialects/oracle/index.js';

export type CallKind = 'execute' | 'executeMany' | 'directPathLoad' | 'commit' | 'rollback' | 'close';

export interface Call {
  session: number;
  kind: CallKind;
  sql?: string;
  binds?: Binds;
  rows?: unknown[][];
  bindDefs?: BindDef[];
  target?: { schema: string; table: string; columns: string[] };
  drop?: boolean;
}

export interface DriverLikeError extends Error {
  code?: string;
  errorNum?: number;
  isRecoverable?: boolean;
}

export function driverError(code: string, text: string, isRecoverable = false): DriverLikeError {
  const error = new Error(
    `${code}: ${text}\nHelp: https://docs.oracle.com/error-help/db/${code.toLowerCase()}/`,
  ) as DriverLikeError;
  error.code = code;
  if (code.startsWith('ORA-')) error.errorNum = Number(code.slice(4));
  error.isRecoverable = isRecoverable;
  return error;
}

interface Failure {
  when: (call: Call) => boolean;
  error: Error;
  remaining: number;
}

export interface FakeServer {
  version?: number;
  maxIdentifierLength?: number;
  maxStringSize?: 'STANDARD' | 'EXTENDED' | 'DENIED';
  currentSchema?: string;
  /** Rows for a query (describe); undefined falls back to the built-in answers. */
  query?: (sql: string, binds: Binds | undefined) => QueryResult | undefined;
}

export class RecordingOracle implements SessionSource {
  readonly calls: Call[] = [];
  sessionsOpened = 0;
  closed = false;
  private readonly failures: Failure[] = [];

  constructor(private readonly server: FakeServer = {}) {}

  /** The next `times` calls matching `when` throw `error` (after being recorded). */
  failOn(when: (call: Call) => boolean, error: Error, times = 1): void {
    this.failures.push({ when, error, remaining: times });
  }

  async acquire(): Promise<OracleSession> {
    const id = ++this.sessionsOpened;
    return new FakeSession(id, this, this.server);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  record(call: Call): void {
    this.calls.push(call);
    for (const failure of this.failures) {
      if (failure.remaining > 0 && failure.when(call)) {
        failure.remaining--;
        throw failure.error;
      }
    }
  }

  /** Calls of a kind, optionally only those whose SQL starts with `prefix`. */
  of(kind: CallKind, prefix?: string): Call[] {
    return this.calls.filter(
      (c) => c.kind === kind && (prefix === undefined || (c.sql ?? '').startsWith(prefix)),
    );
  }

  /** A compact trace: `1:executeMany INSERT INTO`, `1:commit`... (SQL cut to its first words). */
  trace(from = 0): string[] {
    return this.calls.slice(from).map((c) => {
      const words = c.sql
        ? ` ${c.sql
            .split(/[\s(]+/)
            .slice(0, c.sql.startsWith('CREATE GLOBAL') ? 4 : 2)
            .join(' ')}`
        : '';
      return `${c.session}:${c.kind}${words}${c.kind === 'close' ? (c.drop ? ' drop' : ' keep') : ''}`;
    });
  }
}

class FakeSession implements OracleSession {
  constructor(
    private readonly id: number,
    private readonly recorder: RecordingOracle,
    private readonly server: FakeServer,
  ) {}

  get oracleServerVersion(): number {
    return this.server.version ?? 1_926_000_000;
  }

  get maxIdentifierLength(): number | undefined {
    return this.server.maxIdentifierLength ?? 128;
  }

  async execute(sql: string, binds?: Binds): Promise<QueryResult> {
    this.recorder.record({ session: this.id, kind: 'execute', sql, ...(binds ? { binds } : {}) });
    const answer = this.server.query?.(sql, binds);
    if (answer !== undefined) return answer;
    if (sql.includes('V$PARAMETER')) {
      if (this.server.maxStringSize === 'DENIED') {
        throw Object.assign(new Error('ORA-00942: table or view does not exist'), { errorNum: 942 });
      }
      return { rows: [{ VALUE: this.server.maxStringSize ?? 'STANDARD' }] };
    }
    if (sql.includes("SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AS SCHEMA_NAME")) {
      return { rows: [{ SCHEMA_NAME: this.server.currentSchema ?? 'LOADER' }] };
    }
    if (sql.startsWith('SELECT')) return { rows: [] };
    return { rowsAffected: 0 };
  }

  async executeMany(sql: string, rows: unknown[][], bindDefs: BindDef[]): Promise<QueryResult> {
    this.recorder.record({ session: this.id, kind: 'executeMany', sql, rows, bindDefs });
    return { rowsAffected: rows.length };
  }

  async directPathLoad(schema: string, table: string, columns: string[], rows: unknown[][]): Promise<void> {
    this.recorder.record({
      session: this.id,
      kind: 'directPathLoad',
      rows,
      target: { schema, table, columns },
    });
  }

  async commit(): Promise<void> {
    this.recorder.record({ session: this.id, kind: 'commit' });
  }

  async rollback(): Promise<void> {
    this.recorder.record({ session: this.id, kind: 'rollback' });
  }

  async close(drop: boolean): Promise<void> {
    this.recorder.record({ session: this.id, kind: 'close', drop });
  }
}
