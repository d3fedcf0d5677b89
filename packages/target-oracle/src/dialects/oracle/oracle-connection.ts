/**
 * The few node-oracledb calls the dialect makes, behind a small interface so tests can hand the
 * dialect a recording fake. The real source is a Thin-mode pool (no Instant Client is ever
 * initialised); every new session gets SESSION_SETUP before first use.
 */
import { createRequire } from 'node:module';
import type { BindKind } from './oracle-binds.js';
import { SESSION_SETUP } from './oracle-sql.js';

export interface BindDef {
  kind: BindKind;
  /** Bytes, for `varchar` and `clob` binds: the longest value in the chunk. */
  maxSize?: number;
}

export type Binds = Record<string, string | number | boolean | null>;

export interface QueryResult {
  rows?: Array<Record<string, unknown>>;
  rowsAffected?: number;
}

/** One database session (a pooled connection). */
export interface OracleSession {
  /** e.g. 2304000000 for 23.4. */
  readonly oracleServerVersion: number;
  /** 30 or 128; undefined when the driver cannot tell. */
  readonly maxIdentifierLength: number | undefined;
  /**
   * Milliseconds a round trip may take before the driver gives up (NJS-123); 0 waits for ever.
   * Set on every session the dialect takes from the pool.
   */
  callTimeout: number;
  /** Runs one statement; query rows come back as objects keyed by upper-case column names. */
  execute(sql: string, binds?: Binds): Promise<QueryResult>;
  /** Array DML with positional binds, never autocommitted. */
  executeMany(sql: string, rows: unknown[][], bindDefs: BindDef[]): Promise<QueryResult>;
  /** node-oracledb's direct path load; it commits the loaded rows itself. */
  directPathLoad(schema: string, table: string, columns: string[], rows: unknown[][]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Returns the session to the pool; `drop` discards it (after a broken connection). */
  close(drop: boolean): Promise<void>;
}

export interface SessionSource {
  acquire(): Promise<OracleSession>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  user: string;
  password: string;
  connectString: string;
  configDir?: string;
  walletLocation?: string;
  walletPassword?: string;
  poolMax: number;
  /** Minutes between keep-alive probes that detect a dead peer (node-oracledb expireTime); 0 is off. */
  expireTime: number;
  /** TLS and proxy pool attributes (oracle-transport.ts). */
  transport?: Record<string, unknown>;
}

export type SessionSourceFactory = (options: ConnectOptions) => Promise<SessionSource>;

// The slice of node-oracledb's (untyped) API used below.
interface DriverConnection {
  oracleServerVersion: number;
  callTimeout?: number;
  maxIdentifierLength?: number;
  execute(sql: string, binds: unknown, options: Record<string, unknown>): Promise<QueryResult>;
  executeMany(sql: string, rows: unknown[][], options: Record<string, unknown>): Promise<QueryResult>;
  directPathLoad(schema: string, table: string, columns: string[], rows: unknown[][]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(options?: { drop?: boolean }): Promise<void>;
}
interface DriverPool {
  getConnection(): Promise<DriverConnection>;
  close(drainSeconds?: number): Promise<void>;
}
interface Driver {
  OUT_FORMAT_OBJECT: unknown;
  DB_TYPE_VARCHAR: unknown;
  DB_TYPE_CLOB: unknown;
  DB_TYPE_NUMBER: unknown;
  DB_TYPE_BINARY_DOUBLE: unknown;
  DB_TYPE_BOOLEAN: unknown;
  fetchAsString: unknown[];
  createPool(attributes: Record<string, unknown>): Promise<DriverPool>;
}

class DriverSession implements OracleSession {
  constructor(
    private readonly driver: Driver,
    private readonly connection: DriverConnection,
  ) {}

  get oracleServerVersion(): number {
    return this.connection.oracleServerVersion;
  }

  get maxIdentifierLength(): number | undefined {
    return this.connection.maxIdentifierLength;
  }

  get callTimeout(): number {
    return this.connection.callTimeout ?? 0;
  }

  set callTimeout(ms: number) {
    this.connection.callTimeout = ms;
  }

  execute(sql: string, binds: Binds = {}): Promise<QueryResult> {
    return this.connection.execute(sql, binds, {
      outFormat: this.driver.OUT_FORMAT_OBJECT,
      autoCommit: false,
    });
  }

  executeMany(sql: string, rows: unknown[][], bindDefs: BindDef[]): Promise<QueryResult> {
    // Text for CLOB columns is bound as VARCHAR too: a DB_TYPE_CLOB bind makes the driver create
    // and write a temporary LOB per value (two round trips each); a long VARCHAR bind goes in
    // the same message and Oracle converts it (LONG-to-LOB), up to 1 GB.
    const types: Record<BindKind, unknown> = {
      varchar: this.driver.DB_TYPE_VARCHAR,
      clob: this.driver.DB_TYPE_VARCHAR,
      number: this.driver.DB_TYPE_NUMBER,
      double: this.driver.DB_TYPE_BINARY_DOUBLE,
      boolean: this.driver.DB_TYPE_BOOLEAN,
    };
    const defs = bindDefs.map((def) =>
      def.kind === 'varchar' || def.kind === 'clob'
        ? { type: types[def.kind], maxSize: Math.max(1, def.maxSize ?? 1) }
        : { type: types[def.kind] },
    );
    return this.connection.executeMany(sql, rows, { bindDefs: defs, autoCommit: false });
  }

  directPathLoad(schema: string, table: string, columns: string[], rows: unknown[][]): Promise<void> {
    return this.connection.directPathLoad(schema, table, columns, rows);
  }

  commit(): Promise<void> {
    return this.connection.commit();
  }

  rollback(): Promise<void> {
    return this.connection.rollback();
  }

  close(drop: boolean): Promise<void> {
    return this.connection.close(drop ? { drop: true } : {});
  }
}

/** A Thin-mode pool. node-oracledb is loaded only here, so tests with a fake never load it. */
export const thinPoolSource: SessionSourceFactory = async (options) =>
  poolSource(createRequire(import.meta.url)('oracledb') as Driver, options);

/** The pool's attributes: expireTime sends keep-alive probes, so a half-open connection is noticed. */
export function poolAttributes(options: ConnectOptions): Record<string, unknown> {
  return {
    user: options.user,
    password: options.password,
    connectString: options.connectString,
    ...(options.configDir ? { configDir: options.configDir } : {}),
    ...(options.walletLocation ? { walletLocation: options.walletLocation } : {}),
    ...(options.walletPassword ? { walletPassword: options.walletPassword } : {}),
    ...options.transport,
    poolMin: 0,
    poolMax: options.poolMax,
    poolIncrement: 1,
    expireTime: options.expireTime,
  };
}

async function poolSource(driver: Driver, options: ConnectOptions): Promise<SessionSource> {
  // CLOBs (JSON text before 21c) are read back as strings, not LOB streams.
  if (!driver.fetchAsString.includes(driver.DB_TYPE_CLOB)) {
    driver.fetchAsString = [...driver.fetchAsString, driver.DB_TYPE_CLOB];
  }
  const pool = await driver.createPool({
    ...poolAttributes(options),
    // Runs once per new session, so every pooled session has the same NLS settings.
    sessionCallback: (connection: DriverConnection, _tag: string, done: (error?: unknown) => void) => {
      connection.execute(SESSION_SETUP, [], {}).then(() => done(), done);
    },
  });
  return {
    acquire: async () => new DriverSession(driver, await pool.getConnection()),
    close: () => pool.close(10),
  };
}

/** `host:port/service_name` (Easy Connect) when no connect string is given. */
export function easyConnect(host: string, port: number | undefined, serviceName: string): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${bracketed}:${port ?? 1521}/${serviceName}`;
}
