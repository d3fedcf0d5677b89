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
  callTimeout = 0;
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
      if (sql.includes("'compatible'"))
        return { rows: [{ VALUE: `${Math.floor(this.oracleServerVersion / 1e8)}.0.0` }] };
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

/**
 * A table's columns as ALL_TAB_COLUMNS shows them, kept up to date by the column DDL the dialect
 * runs (ADD, DROP COLUMN, RENAME COLUMN, COMMENT ON COLUMN), for tests of multi-step changes.
 * Use `server()` as the fake's server; `afterStatement` runs once a statement has taken effect
 * (to lose the connection just after it, say).
 */
export class FakeCatalog {
  afterStatement: (sql: string) => void = () => undefined;
  private columns: Array<Record<string, unknown>>;

  constructor(columns: Array<[name: string, dataType: string, comment?: string]>) {
    this.columns = columns.map(([name, dataType, comment]) => {
      const [, type, chars] = /^(\w+)(?:\((\d+) CHAR\))?$/.exec(dataType) ?? [];
      return FakeCatalog.column(name, type ?? dataType, comment, chars);
    });
  }

  /** `NAME TYPE [comment]` per column, in order. */
  get state(): string[] {
    return this.columns.map((c) =>
      [c.COLUMN_NAME, c.DATA_TYPE, ...(c.COMMENTS === null ? [] : [c.COMMENTS])].join(' '),
    );
  }

  server(): FakeServer {
    return {
      query: (sql) => {
        if (sql.includes('ALL_TAB_COLUMNS')) return { rows: this.columns.map((c) => ({ ...c })) };
        const answer = this.apply(sql);
        this.afterStatement(sql);
        return answer;
      },
    };
  }

  private apply(sql: string): QueryResult | undefined {
    let match = /^ALTER TABLE \S+ ADD \((\S+) (\w+)(?:\((\d+) CHAR\))?\)$/.exec(sql);
    if (match) {
      this.columns.push(FakeCatalog.column(match[1]!, match[2]!, undefined, match[3]));
      return { rowsAffected: 0 };
    }
    match = /^ALTER TABLE \S+ DROP COLUMN (\S+)$/.exec(sql);
    if (match) {
      this.columns = this.columns.filter((c) => c.COLUMN_NAME !== match![1]);
      return { rowsAffected: 0 };
    }
    match = /^ALTER TABLE \S+ RENAME COLUMN (\S+) TO (\S+)$/.exec(sql);
    if (match) {
      const column = this.columns.find((c) => c.COLUMN_NAME === match![1]);
      if (column === undefined) throw driverError('ORA-00904', `"${match[1]}": invalid identifier`);
      column.COLUMN_NAME = match[2];
      return { rowsAffected: 0 };
    }
    match = /^COMMENT ON COLUMN \S+\.(\S+) IS '(.*)'$/.exec(sql);
    if (match) {
      const column = this.columns.find((c) => c.COLUMN_NAME === match![1]);
      if (column === undefined) throw driverError('ORA-00904', `"${match[1]}": invalid identifier`);
      column.COMMENTS = match[2] === '' ? null : match[2]!.replace(/''/g, "'");
      return { rowsAffected: 0 };
    }
    return undefined;
  }

  private static column(name: string, dataType: string, comment?: string, chars?: string) {
    return {
      COLUMN_NAME: name,
      DATA_TYPE: dataType,
      DATA_LENGTH: chars === undefined ? 4000 : Number(chars) * 4,
      CHAR_LENGTH: chars === undefined ? 0 : Number(chars),
      CHAR_USED: chars === undefined ? null : 'C',
      DATA_PRECISION: dataType === 'NUMBER' && name === 'ID' ? 19 : null,
      DATA_SCALE: dataType === 'NUMBER' && name === 'ID' ? 0 : null,
      NULLABLE: name === 'ID' ? 'N' : 'Y',
      COMMENTS: comment ?? null,
    };
  }
}
