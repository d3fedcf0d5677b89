// A rule-enforcing stand-in for an Oracle server behind node-oracledb sessions. It keeps tables,
// rows and transactions, runs the SQL the dialect sends, and answers the ORA error a real server
// would where Oracle's documentation (docs/oracle.md) says one comes: ORA-02329 (TIMESTAMP WITH TIME ZONE or a
// LOB in a key), ORA-01450 (index key bytes), ORA-40478 (JSON_* past 4000 bytes without
// RETURNING CLOB), ORA-22858 (MODIFY to a LOB), ORA-12838 (reading a table after a direct-path
// insert in the same transaction), the conversion errors (ORA-01852, 01841, 01874, 01875, 01426,
// 01438, 01722, 12899), identifier byte limits (ORA-00972), DDL's implicit commits, and a lost
// session that keeps its locks (DDL: ORA-00054; DML waits, for ever without a call timeout).
// It records every call like RecordingOracle, so the same assertions apply.
import type { BindDef, Binds, OracleSession, QueryResult } from '../../../src/dialects/oracle/index.js';
import { driverError, RecordingOracle } from '../oracle-fake.js';
import {
  type Column,
  catalogRow,
  checkKey,
  checkName,
  columnDefinition,
  Names,
  type Row,
  type ServerRules,
  type Table,
} from './catalog.js';
import { evaluate, select, store } from './evaluate.js';
import { type Dml, Parser, SqlError } from './sql.js';
import { isLob, keyOf, parseType, type Value } from './values.js';

export interface DoubleOptions {
  /** oracleServerVersion, e.g. 1_926_000_000 (19.26, the default) or 2_304_000_000. */
  version?: number;
  /** The COMPATIBLE parameter (default: the release, e.g. 19.0.0). */
  compatible?: string;
  /** V$PARAMETER needs a privilege the loader may lack (default: readable). */
  parametersReadable?: boolean;
  maxStringSize?: 'STANDARD' | 'EXTENDED';
  currentSchema?: string;
  /** How directPathLoad reads table and column names: as SQL identifiers (default) or verbatim. */
  directPathNames?: 'sql' | 'verbatim';
  /** Index key limit of the block size (8 KB blocks: 6398). */
  indexKeyLimit?: number;
  /**
   * A CHECK-like rule the dialect's row check cannot foresee: storing `value` (compared as text)
   * into TABLE.COLUMN (stored names) raises ORA-01438 naming the column, as a NUMBER(p, s) of a
   * DBA's making would.
   */
  refuse?: { table: string; column: string; value: string };
}

interface Transaction {
  snapshots: Map<Table, Row[]>;
  locks: Set<Table>;
  direct: Set<Table>;
}

/** A session whose connection was lost keeps its locks until the server notices. */
interface Zombie {
  txn: Transaction;
  callsLeft: number;
}

const newTxn = (): Transaction => ({ snapshots: new Map(), locks: new Set(), direct: new Set() });

export class OracleDouble extends RecordingOracle {
  readonly tables = new Map<string, Table>();
  readonly rules: ServerRules;
  readonly version: number;
  readonly compatible: string;
  readonly currentSchema: string;
  private readonly zombies: Zombie[] = [];
  private readonly sessions = new Map<number, DoubleSession>();
  /** Milliseconds spent inside the double (the bench subtracts it from the dialect's time). */
  serverMs = 0;
  /** After a call matching this, the connection is lost: the call took effect, its answer never came. */
  private losses: Array<{ when: (sql: string, kind: string) => boolean; holdCalls: number }> = [];

  constructor(readonly options: DoubleOptions = {}) {
    super({});
    this.version = options.version ?? 1_926_000_000;
    const major = Math.floor(this.version / 100_000_000);
    this.compatible = options.compatible ?? `${major}.0.0`;
    const compat = Number(this.compatible.split('.')[0]) + Number(this.compatible.split('.')[1] ?? 0) / 10;
    this.currentSchema = options.currentSchema ?? 'LOADER';
    this.rules = {
      maxIdentifierLength: compat >= 12.2 ? 128 : 30,
      maxStringBytes: options.maxStringSize === 'EXTENDED' ? 32767 : 4000,
      jsonType: major >= 21 && compat >= 20,
      booleanType: major >= 23 && compat >= 23,
      indexKeyLimit: options.indexKeyLimit ?? 6398,
    };
  }

  override async acquire(): Promise<OracleSession> {
    const id = ++this.sessionsOpened;
    const session = new DoubleSession(id, this);
    this.sessions.set(id, session);
    return session;
  }

  /** The connection of the session running a matching statement is lost once it has run; its locks stay held for `holdCalls` further calls. */
  loseConnectionAfter(when: (sql: string, kind: string) => boolean, holdCalls = 3): void {
    this.losses.push({ when, holdCalls });
  }

  /** Committed rows of a table, as plain values (numbers as text, instants as ISO text). */
  rowsOf(owner: string, name: string): Array<Record<string, unknown>> {
    const table = this.tables.get(`${owner}.${name}`);
    if (table === undefined) throw new Error(`no table ${owner}.${name}`);
    const committed = this.committedRows(table);
    return committed.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  }

  table(owner: string, name: string): Table | undefined {
    return this.tables.get(`${owner}.${name}`);
  }

  private committedRows(table: Table): Row[] {
    for (const session of this.sessions.values()) {
      const snapshot = session.txn.snapshots.get(table);
      if (snapshot !== undefined) return snapshot;
    }
    for (const zombie of this.zombies) {
      const snapshot = zombie.txn.snapshots.get(table);
      if (snapshot !== undefined) return snapshot;
    }
    return table.rows;
  }

  /** Every call ages the zombies; one whose time is up is rolled back (PMON cleaned it up). */
  tick(): void {
    for (const zombie of [...this.zombies]) {
      if (--zombie.callsLeft > 0) continue;
      rollback(zombie.txn);
      this.zombies.splice(this.zombies.indexOf(zombie), 1);
    }
  }

  lockHolder(table: Table, self: Transaction): 'session' | 'zombie' | undefined {
    for (const session of this.sessions.values())
      if (session.txn !== self && session.txn.locks.has(table)) return 'session';
    for (const zombie of this.zombies) if (zombie.txn.locks.has(table)) return 'zombie';
    return undefined;
  }

  lostAfter(sql: string, kind: string): number | undefined {
    const loss = this.losses.find((l) => l.when(sql, kind));
    if (loss === undefined) return undefined;
    this.losses.splice(this.losses.indexOf(loss), 1);
    return loss.holdCalls;
  }

  bury(session: DoubleSession, holdCalls: number): void {
    this.sessions.delete(session.id);
    if (session.txn.locks.size > 0 || session.txn.snapshots.size > 0)
      this.zombies.push({ txn: session.txn, callsLeft: holdCalls });
  }

  forget(session: DoubleSession): void {
    this.sessions.delete(session.id);
  }
}

function plain(value: Value): unknown {
  if (value === null || typeof value !== 'object') return value;
  return value.toString();
}

function rollback(txn: Transaction): void {
  for (const [table, rows] of txn.snapshots) table.rows = rows;
  txn.snapshots.clear();
  txn.locks.clear();
  txn.direct.clear();
}

class DoubleSession implements OracleSession {
  txn: Transaction = newTxn();
  /** ms; 0 means none (node-oracledb's default). */
  callTimeout = 0;
  private lost = false;
  private closed = false;
  /** Rows of global temporary tables, private to this session. */
  private readonly temporary = new Map<Table, Row[]>();

  constructor(
    readonly id: number,
    private readonly server: OracleDouble,
  ) {}

  get oracleServerVersion(): number {
    return this.server.version;
  }

  get maxIdentifierLength(): number {
    return this.server.rules.maxIdentifierLength;
  }

  private get rules(): ServerRules {
    return this.server.rules;
  }

  private async run<T>(kind: string, sql: string, work: () => T): Promise<T> {
    const started = performance.now();
    try {
      if (this.closed) throw driverError('NJS-003', 'invalid or closed connection');
      if (this.lost) throw driverError('NJS-500', 'connection to the Oracle Database was broken', true);
      this.server.tick();
      let result: T;
      try {
        result = work();
      } catch (error) {
        if (error instanceof SqlError)
          throw driverError(error.code, error.message.slice(error.code.length + 2));
        throw error;
      }
      const hold = this.server.lostAfter(sql, kind);
      if (hold !== undefined) {
        this.lost = true;
        this.server.bury(this, hold);
        throw driverError('NJS-500', 'connection to the Oracle Database was broken', true);
      }
      return result;
    } finally {
      this.server.serverMs += performance.now() - started;
    }
  }

  async execute(sql: string, binds?: Binds): Promise<QueryResult> {
    this.server.record({ session: this.id, kind: 'execute', sql, ...(binds ? { binds } : {}) });
    return this.run('execute', sql, () => this.statement(sql, binds));
  }

  async executeMany(sql: string, rows: unknown[][], bindDefs: BindDef[]): Promise<QueryResult> {
    this.server.record({ session: this.id, kind: 'executeMany', sql, rows, bindDefs });
    return this.run('executeMany', sql, () => {
      const dml = Parser.dml(sql);
      if (dml.kind !== 'insert' || dml.values === undefined)
        throw new SqlError('ORA-03001', 'executeMany runs INSERT ... VALUES here');
      for (const row of rows) {
        if (row.length !== bindDefs.length)
          throw driverError('NJS-055', 'bindDefs and the row differ in length');
        for (let i = 0; i < row.length; i++) checkBind(row[i], bindDefs[i]!, i);
      }
      const binds = rows.map((row) => Object.fromEntries(row.map((v, i) => [String(i + 1), v as Value])));
      let count = 0;
      const table = this.resolve(dml.table);
      this.write(table, false, (target) => {
        for (const b of binds) {
          target.push(
            this.buildRow(
              table,
              dml.columns.map((c) => c.text),
              dml.values!.map((e) => evaluate(e, new Map(), b as Binds)),
            ),
          );
          count++;
        }
      });
      return { rowsAffected: count };
    });
  }

  async directPathLoad(schema: string, table: string, columns: string[], rows: unknown[][]): Promise<void> {
    this.server.record({
      session: this.id,
      kind: 'directPathLoad',
      rows,
      target: { schema, table, columns },
    });
    await this.run('directPathLoad', table, () => {
      const name = (text: string): string => {
        if (this.server.options.directPathNames === 'verbatim') return text;
        const quoted = /^"(.*)"$/.exec(text);
        if (quoted) return quoted[1]!;
        if (!/^[A-Za-z][A-Za-z0-9_$#]*$/.test(text))
          throw new SqlError('ORA-00904', `${text}: invalid identifier`);
        checkName(text.toUpperCase(), false, this.rules);
        return text.toUpperCase();
      };
      const target = this.server.table(name(schema), name(table));
      if (target === undefined) throw new SqlError('ORA-00942', 'table or view does not exist');
      const names = columns.map(name);
      for (const n of names)
        if (!target.columns.some((c) => c.name === n))
          throw new SqlError('ORA-00904', `"${n}": invalid identifier`);
      if (target.columns.some((c) => isLob(c.type)))
        throw driverError('NJS-178', 'direct path load of LOB columns is not supported');
      this.write(target, true, (list) => {
        for (const row of rows) list.push(this.buildRow(target, names, row as Value[]));
      });
      target.segmentRows += rows.length;
      this.commitNow(); // a direct path load commits at its end
    });
  }

  async commit(): Promise<void> {
    this.server.record({ session: this.id, kind: 'commit' });
    await this.run('commit', 'COMMIT', () => this.commitNow());
  }

  async rollback(): Promise<void> {
    this.server.record({ session: this.id, kind: 'rollback' });
    await this.run('rollback', 'ROLLBACK', () => {
      rollback(this.txn);
      this.temporary.clear();
    });
  }

  async close(drop: boolean): Promise<void> {
    this.server.record({ session: this.id, kind: 'close', drop });
    if (this.closed) return;
    this.closed = true;
    // A pooled session that goes back with an open transaction is rolled back by the pool.
    if (!this.lost) {
      rollback(this.txn);
      this.server.forget(this);
    }
  }

  private commitNow(): void {
    this.txn.snapshots.clear();
    this.txn.locks.clear();
    this.txn.direct.clear();
    this.temporary.clear(); // ON COMMIT DELETE ROWS
  }

  private resolve(parts: Array<{ text: string; quoted: boolean }>): Table {
    for (const p of parts) checkName(p.text, p.quoted, this.rules);
    const [owner, name] =
      parts.length === 2 ? [parts[0]!.text, parts[1]!.text] : [this.server.currentSchema, parts[0]!.text];
    const table = this.server.table(owner, name);
    if (table === undefined)
      throw new SqlError('ORA-00942', `table or view does not exist (${owner}.${name})`);
    return table;
  }

  private rowsFor(table: Table): Row[] {
    if (!table.temporary) return table.rows;
    let rows = this.temporary.get(table);
    if (rows === undefined) {
      rows = [];
      this.temporary.set(table, rows);
    }
    return rows;
  }

  private read(table: Table): Row[] {
    if (this.txn.direct.has(table)) {
      throw new SqlError('ORA-12838', 'cannot read/modify an object after modifying it in parallel');
    }
    return this.rowsFor(table);
  }

  /** DML on a table: the lock, statement-level rollback on error, the snapshot for ROLLBACK. */
  private write(table: Table, direct: boolean, change: (rows: Row[]) => void): void {
    if (this.txn.direct.has(table))
      throw new SqlError('ORA-12838', 'cannot read/modify an object after modifying it in parallel');
    if (!table.temporary) {
      const holder = this.server.lockHolder(table, this.txn);
      if (holder !== undefined) {
        if (this.callTimeout > 0)
          throw driverError(
            'NJS-123',
            `call timeout of ${this.callTimeout} ms exceeded (waiting for a lock)`,
          );
        // A real call would block until the holder's locks go: with no callTimeout, for ever.
        throw new Error(
          `the double: session ${this.id} would wait for ever on a lock of ${table.name} (no callTimeout set)`,
        );
      }
      if (!this.txn.snapshots.has(table))
        this.txn.snapshots.set(
          table,
          table.rows.map((r) => ({ ...r })),
        );
      this.txn.locks.add(table);
    }
    const rows = this.rowsFor(table);
    const before = rows.map((r) => ({ ...r }));
    try {
      change(rows);
      this.checkUnique(table, rows);
    } catch (error) {
      rows.length = 0;
      rows.push(...before);
      throw error;
    }
    if (direct) this.txn.direct.add(table);
    else if (!table.temporary) table.segmentRows = Math.max(table.segmentRows, rows.length);
  }

  private checkUnique(table: Table, rows: Row[]): void {
    const pk = table.primaryKey;
    if (pk === undefined) return;
    const seen = new Set<string>();
    for (const row of rows) {
      const key = pk.columns.map((c) => keyOf(row[c] ?? null)).join('\u0000');
      if (seen.has(key))
        throw new SqlError('ORA-00001', `unique constraint (${table.owner}.${pk.name}) violated`);
      seen.add(key);
    }
  }

  /** The `refuse` option: ORA-01438 for its value in its column. */
  private checkRefused(table: Table, name: string, value: Value): void {
    const rule = this.server.options.refuse;
    if (rule === undefined || rule.table !== table.name || rule.column !== name) return;
    if (value !== null && String(value) === rule.value)
      throw new SqlError(
        'ORA-01438',
        `value larger than specified precision allowed for this column ("${table.owner}"."${table.name}"."${name}")`,
      );
  }

  private buildRow(table: Table, names: string[], values: Value[]): Row {
    const row: Row = {};
    for (const column of table.columns) row[column.name] = null;
    names.forEach((name, i) => {
      const column = table.columns.find((c) => c.name === name);
      if (column === undefined) throw new SqlError('ORA-00904', `"${name}": invalid identifier`);
      this.checkRefused(table, name, values[i] ?? null);
      row[name] = store(
        values[i] ?? null,
        column,
        `"${table.owner}"."${table.name}"`,
        this.rules.maxStringBytes,
      );
    });
    for (const column of table.columns)
      if (!column.nullable && row[column.name] === null)
        throw new SqlError(
          'ORA-01400',
          `cannot insert NULL into ("${table.owner}"."${table.name}"."${column.name}")`,
        );
    return row;
  }

  private statement(sql: string, binds: Binds | undefined): QueryResult {
    const trimmed = sql.trim();
    const param = /^SELECT VALUE FROM V\$PARAMETER WHERE NAME = '(\w+)'$/.exec(trimmed);
    if (param) {
      if (this.server.options.parametersReadable === false)
        throw new SqlError('ORA-00942', 'table or view does not exist');
      const value =
        param[1] === 'compatible'
          ? this.server.compatible
          : (this.server.options.maxStringSize ?? 'STANDARD');
      return { rows: [{ VALUE: value }] };
    }
    if (trimmed.includes("SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AS SCHEMA_NAME"))
      return { rows: [{ SCHEMA_NAME: this.server.currentSchema }] };
    if (trimmed.includes('ALL_TAB_COLUMNS')) {
      const owner = binds?.owner ?? this.server.currentSchema;
      const table = this.server.table(String(owner), String(binds?.table_name));
      return { rows: table === undefined ? [] : table.columns.map((c) => catalogRow(c, table)) };
    }
    if (/^BEGIN\b/i.test(trimmed)) return {};
    if (/^(CREATE|ALTER|DROP|TRUNCATE|COMMENT)\b/i.test(trimmed)) {
      this.commitNow(); // DDL commits before it runs...
      try {
        this.ddl(trimmed);
      } finally {
        this.commitNow(); // ...and after, whether it worked or not
      }
      return { rowsAffected: 0 };
    }
    return this.dml(Parser.dml(trimmed), binds);
  }

  private ddlLock(table: Table): void {
    if (this.server.lockHolder(table, this.txn) !== undefined) {
      throw new SqlError('ORA-00054', 'resource busy and acquire with NOWAIT specified or timeout expired');
    }
  }

  private ddl(sql: string): void {
    const n = Names.of(sql, this.rules);
    const owner = this.server.currentSchema;
    if (n.words('CREATE')) {
      const temporary = n.words('GLOBAL', 'TEMPORARY');
      if (n.words('TABLE')) {
        this.createTable(n, temporary, owner);
        return;
      }
      if (n.words('INDEX')) {
        const index = n.qualified(owner);
        n.expect('ON');
        const ref = n.qualified(owner);
        const table = this.mustExist(ref);
        n.op('(');
        const columns = [n.name()];
        while (n.isOp(',')) {
          n.op(',');
          columns.push(n.name());
        }
        n.op(')');
        if (
          [...this.server.tables.values()].some(
            (t) => t.indexes.some((i) => i.name === index.name) || t.primaryKey?.name === index.name,
          )
        )
          throw new SqlError('ORA-00955', 'name is already used by an existing object');
        if (
          table.indexes.some((i) => i.columns.join() === columns.join()) ||
          table.primaryKey?.columns.join() === columns.join()
        )
          throw new SqlError('ORA-01408', 'such column list already indexed');
        checkKey(table, columns, false, this.rules);
        this.ddlLock(table);
        table.indexes.push({ name: index.name, columns });
        return;
      }
    }
    if (n.words('ALTER', 'TABLE')) {
      this.alterTable(n, owner);
      return;
    }
    if (n.words('COMMENT', 'ON', 'COLUMN')) {
      const parts = [n.name()];
      while (n.isOp('.')) {
        n.op('.');
        parts.push(n.name());
      }
      const column = parts.pop()!;
      const table = this.mustExist(
        parts.length === 2 ? { owner: parts[0]!, name: parts[1]! } : { owner, name: parts[0]! },
      );
      n.expect('IS');
      const text = n.peek();
      if (text?.kind !== 'string') throw new SqlError('ORA-01780', 'string literal required');
      const target = table.columns.find((c) => c.name === column);
      if (target === undefined) throw new SqlError('ORA-00904', `"${column}": invalid identifier`);
      target.comment = text.text === '' ? null : text.text;
      return;
    }
    if (n.words('DROP', 'TABLE')) {
      const table = this.mustExist(n.qualified(owner));
      this.ddlLock(table);
      this.server.tables.delete(`${table.owner}.${table.name}`);
      return;
    }
    if (n.words('TRUNCATE', 'TABLE')) {
      const table = this.mustExist(n.qualified(owner));
      this.ddlLock(table);
      table.rows = [];
      table.segmentRows = 0;
      return;
    }
    throw new SqlError('ORA-00900', `invalid SQL statement (the double does not know: ${sql.slice(0, 60)})`);
  }

  private mustExist(ref: { owner: string; name: string }): Table {
    const table = this.server.table(ref.owner, ref.name);
    if (table === undefined)
      throw new SqlError('ORA-00942', `table or view does not exist (${ref.owner}.${ref.name})`);
    return table;
  }

  private createTable(n: Names, temporary: boolean, owner: string): void {
    const ref = n.qualified(owner);
    if (this.server.table(ref.owner, ref.name) !== undefined)
      throw new SqlError('ORA-00955', 'name is already used by an existing object');
    n.op('(');
    const table: Table = {
      owner: ref.owner,
      name: ref.name,
      columns: [],
      primaryKey: undefined,
      indexes: [],
      temporary,
      rows: [],
      segmentRows: 0,
    };
    for (;;) {
      if (n.words('CONSTRAINT')) {
        const name = n.name();
        n.expect('PRIMARY', 'KEY');
        n.op('(');
        const columns = [n.name()];
        while (n.isOp(',')) {
          n.op(',');
          columns.push(n.name());
        }
        n.op(')');
        table.primaryKey = { name, columns };
      } else {
        const column = columnDefinition(n, this.rules);
        if (table.columns.some((c) => c.name === column.name))
          throw new SqlError('ORA-00957', 'duplicate column name');
        table.columns.push(column);
      }
      if (n.isOp(',')) {
        n.op(',');
        continue;
      }
      n.op(')');
      break;
    }
    if (temporary) n.expect('ON', 'COMMIT', 'DELETE', 'ROWS');
    n.words('NOLOGGING');
    if (!n.done) throw new SqlError('ORA-00922', 'missing or invalid option');
    if (table.primaryKey !== undefined) {
      for (const c of table.primaryKey.columns) {
        const column = table.columns.find((x) => x.name === c);
        if (column !== undefined) column.nullable = false;
      }
      checkKey(table, table.primaryKey.columns, true, this.rules);
    }
    this.server.tables.set(`${table.owner}.${table.name}`, table);
  }

  private alterTable(n: Names, owner: string): void {
    const table = this.mustExist(n.qualified(owner));
    this.ddlLock(table);
    if (n.words('ADD')) {
      n.op('(');
      const added: Column[] = [];
      do {
        if (n.isOp(',')) n.op(',');
        const column = columnDefinition(n, this.rules);
        if (table.columns.some((c) => c.name === column.name) || added.some((c) => c.name === column.name))
          throw new SqlError('ORA-01430', 'column being added already exists in table');
        if (!column.nullable && table.rows.length > 0)
          throw new SqlError('ORA-01758', 'table must be empty to add mandatory (NOT NULL) column');
        added.push(column);
      } while (n.isOp(','));
      n.op(')');
      table.columns.push(...added);
      for (const row of table.rows) for (const c of added) row[c.name] = null;
      return;
    }
    if (n.words('MODIFY')) {
      n.op('(');
      const column = columnDefinition(n, this.rules);
      n.op(')');
      const current = table.columns.find((c) => c.name === column.name);
      if (current === undefined) throw new SqlError('ORA-00904', `"${column.name}": invalid identifier`);
      const from = current.type;
      const to = column.type;
      if (!isLob(from) && isLob(to)) throw new SqlError('ORA-22858', 'invalid alteration of datatype');
      const filled = table.rows.some((r) => r[current.name] !== null);
      if (from.base !== to.base && filled)
        throw new SqlError('ORA-01439', 'column to be modified must be empty to change datatype');
      if (from.base === 'VARCHAR2' && filled) {
        for (const row of table.rows)
          store(
            row[current.name] ?? null,
            { ...current, type: to, nullable: true },
            `"${table.owner}"."${table.name}"`,
            this.rules.maxStringBytes,
          );
      }
      if (from.base === 'NUMBER' && to.base === 'NUMBER' && filled && to.precision !== undefined) {
        const narrower =
          from.precision === undefined ||
          to.precision - (to.scale ?? 0) < from.precision - (from.scale ?? 0) ||
          (to.scale ?? 0) < (from.scale ?? 0);
        if (narrower)
          throw new SqlError(
            'ORA-01440',
            'column to be modified must be empty to decrease precision or scale',
          );
      }
      current.ddl = column.ddl;
      current.type = to;
      if (table.primaryKey?.columns.includes(current.name))
        checkKey(table, table.primaryKey.columns, true, this.rules);
      for (const index of table.indexes)
        if (index.columns.includes(current.name)) checkKey(table, index.columns, false, this.rules);
      return;
    }
    if (n.words('DROP', 'COLUMN')) {
      const name = n.name();
      if (!table.columns.some((c) => c.name === name))
        throw new SqlError('ORA-00904', `"${name}": invalid identifier`);
      if (table.primaryKey?.columns.includes(name))
        throw new SqlError('ORA-12991', 'column is referenced in a multi-column constraint');
      table.columns = table.columns.filter((c) => c.name !== name);
      table.indexes = table.indexes.filter((i) => !i.columns.includes(name));
      for (const row of table.rows) delete row[name];
      return;
    }
    if (n.words('RENAME', 'COLUMN')) {
      const from = n.name();
      n.expect('TO');
      const to = n.name();
      const column = table.columns.find((c) => c.name === from);
      if (column === undefined) throw new SqlError('ORA-00904', `"${from}": invalid identifier`);
      if (table.columns.some((c) => c.name === to)) throw new SqlError('ORA-00957', 'duplicate column name');
      column.name = to;
      for (const row of table.rows) {
        row[to] = row[from] ?? null;
        delete row[from];
      }
      for (const list of [table.primaryKey?.columns ?? [], ...table.indexes.map((i) => i.columns)]) {
        const at = list.indexOf(from);
        if (at >= 0) list[at] = to;
      }
      return;
    }
    throw new SqlError('ORA-01735', 'invalid ALTER TABLE option');
  }

  private dml(statement: Dml, binds: Binds | undefined): QueryResult {
    const reader = {
      read: (parts: Array<{ text: string; quoted: boolean }>) => {
        const table = this.resolve(parts);
        return { rows: this.read(table), name: table.name };
      },
    };
    switch (statement.kind) {
      case 'select':
        return { rows: select(statement.select, reader, binds) };
      case 'insert': {
        const table = this.resolve(statement.table);
        const direct = statement.hints.includes('APPEND');
        const names = statement.columns.map((c) => c.text);
        const values = statement.select
          ? select(statement.select, reader, binds).map((row) => Object.values(row))
          : [statement.values!.map((e) => evaluate(e, new Map(), binds))];
        this.write(table, direct, (rows) => {
          for (const v of values) rows.push(this.buildRow(table, names, v));
        });
        if (direct) table.segmentRows += values.length;
        return { rowsAffected: values.length };
      }
      case 'delete': {
        const table = this.resolve(statement.table);
        let count = 0;
        this.write(table, false, (rows) => {
          const keep = rows.filter((row) => {
            const gone =
              statement.where === undefined ||
              evaluate(statement.where, new Map([[table.name, row]]), binds) === true;
            if (gone) count++;
            return !gone;
          });
          rows.length = 0;
          rows.push(...keep);
        });
        return { rowsAffected: count };
      }
      case 'update': {
        const table = this.resolve(statement.table);
        let count = 0;
        this.write(table, false, (rows) => {
          for (const row of rows) {
            const env = new Map([[table.name, row]]);
            if (statement.where !== undefined && evaluate(statement.where, env, binds) !== true) continue;
            const values = statement.set.map((s) => evaluate(s.expr, env, binds));
            statement.set.forEach((s, i) => {
              row[s.column.text] = this.storeIn(table, s.column.text, values[i]!);
            });
            count++;
          }
        });
        return { rowsAffected: count };
      }
      case 'merge':
        return this.merge(statement, reader, binds);
    }
  }

  private storeIn(table: Table, name: string, value: Value): Value {
    const column = table.columns.find((c) => c.name === name);
    if (column === undefined) throw new SqlError('ORA-00904', `"${name}": invalid identifier`);
    this.checkRefused(table, name, value);
    return store(value, column, `"${table.owner}"."${table.name}"`, this.rules.maxStringBytes);
  }

  private merge(
    statement: Extract<Dml, { kind: 'merge' }>,
    reader: Parameters<typeof select>[1],
    binds: Binds | undefined,
  ): QueryResult {
    const table = this.resolve(statement.table);
    const source = select(statement.source, reader, binds);
    // ON (t.A = s.A AND ...): the columns compared, to find the target row of each source row.
    const pairs: Array<[string, string]> = [];
    const collect = (e: typeof statement.on): void => {
      if (e.kind === 'binary' && e.op === 'AND') {
        collect(e.left);
        collect(e.right);
      } else if (
        e.kind === 'binary' &&
        e.op === '=' &&
        e.left.kind === 'column' &&
        e.right.kind === 'column'
      ) {
        pairs.push([e.left.name.text, e.right.name.text]);
      } else throw new SqlError('ORA-00900', 'the double only merges ON equalities joined by AND');
    };
    collect(statement.on);
    const onColumns = new Set(pairs.map(([t]) => t));
    for (const u of statement.update)
      if (onColumns.has(u.column.text))
        throw new SqlError(
          'ORA-38104',
          `Columns referenced in the ON Clause cannot be updated: "${u.column.text}"`,
        );
    let count = 0;
    this.write(table, false, (rows) => {
      const byKey = new Map<string, Row>();
      for (const row of rows) byKey.set(pairs.map(([t]) => keyOf(row[t] ?? null)).join('\u0000'), row);
      const touched = new Set<Row>();
      for (const src of source) {
        const key = pairs.map(([, s]) => keyOf(src[s] ?? null)).join('\u0000');
        const target = pairs.some(([, s]) => (src[s] ?? null) === null) ? undefined : byKey.get(key);
        const env = new Map([
          [statement.alias, target ?? {}],
          [statement.sourceAlias, src],
        ]);
        if (target !== undefined) {
          if (touched.has(target))
            throw new SqlError('ORA-30926', 'unable to get a stable set of rows in the source tables');
          touched.add(target);
          if (statement.update.length === 0) continue;
          const values = statement.update.map((u) => evaluate(u.expr, env, binds));
          statement.update.forEach((u, i) => {
            target[u.column.text] = this.storeIn(table, u.column.text, values[i]!);
          });
          count++;
        } else {
          const names = statement.insertColumns.map((c) => c.text);
          const row = this.buildRow(
            table,
            names,
            statement.insertValues.map((e) => evaluate(e, env, binds)),
          );
          rows.push(row);
          byKey.set(pairs.map(([t]) => keyOf(row[t] ?? null)).join('\u0000'), row);
          touched.add(row);
          count++;
        }
      }
    });
    return { rowsAffected: count };
  }
}

function checkBind(value: unknown, def: BindDef, position: number): void {
  if (value === null || value === undefined) return;
  const ok =
    def.kind === 'varchar' || def.kind === 'clob'
      ? typeof value === 'string'
      : def.kind === 'boolean'
        ? typeof value === 'boolean'
        : typeof value === 'number';
  if (!ok)
    throw driverError(
      'NJS-011',
      `encountered bind value and type mismatch at position ${position + 1} (${def.kind} bind, got ${typeof value})`,
    );
  if (typeof value === 'number' && !Number.isFinite(value))
    throw driverError('ORA-01426', 'numeric overflow');
  if (typeof value === 'string' && def.maxSize !== undefined && Buffer.byteLength(value) > def.maxSize)
    throw driverError(
      'NJS-058',
      `maxSize of ${def.maxSize} is too small for a value at position ${position + 1}`,
    );
}

export { parseType };
