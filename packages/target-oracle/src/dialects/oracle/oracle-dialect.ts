/**
 * The Oracle dialect: each batch goes into a staging table private to the run, then one MERGE (or
 * a direct-path INSERT ... SELECT) moves it into the target, and one commit makes it durable.
 * A transient failure (connection lost, deadlock) discards the session and replays the whole
 * batch on a new one; a permanent failure rolls back and is reported once, in one line.
 */
import { randomBytes } from 'node:crypto';
import { type Logger, type Metrics, SingerError } from '@wms-singer/singer';
import type {
  CellProblem,
  CellValue,
  ColumnChange,
  ColumnSpec,
  Dialect,
  ExistingColumn,
  RetireVersionsRequest,
  RowBatch,
  RowBuffer,
  TableRef,
  TableSpec,
  WriteMode,
} from '../dialect.js';
import { normaliseDateTime } from './oracle-binds.js';
import {
  chunkRows,
  type EncodedRows,
  encodeBatch,
  OracleRowBuffer,
  RowEncoder,
  sliceEncoded,
} from './oracle-chunks.js';
import type { Binds, OracleSession, SessionSource } from './oracle-connection.js';
import { describeOracleError, isTransient, oracleErrorCode, oracleValueError } from './oracle-errors.js';
import { featuresFor, type OracleFeatures, parseCompatible } from './oracle-features.js';
import { exponentialBackoff, SessionRunner } from './oracle-retry.js';
import {
  COMPATIBLE_QUERY,
  identifierStored,
  MAX_STRING_SIZE_QUERY,
  OracleSql,
  SEQ_COLUMN,
  type StagingTable,
  type Widening,
} from './oracle-sql.js';
import {
  type CatalogColumn,
  columnDdlType,
  columnTypeFromCatalog,
  parseWideningMarker,
} from './oracle-types.js';

export interface OracleDialectOptions {
  /** Opens the pool (or a fake); called once by open(). */
  connect: () => Promise<SessionSource>;
  logger: Logger;
  /** `direct_path`: stage with node-oracledb's direct path load where the columns allow it. */
  loadMethod?: 'array_insert' | 'direct_path';
  /** Attempts per batch or statement, the first included. */
  maxAttempts?: number;
  /** Counts retries for the run summary. */
  metrics?: Metrics;
  /** callTimeout of every session (ms); 0 waits for ever. */
  callTimeoutMs?: number;
  /** Byte budget of one executeMany / directPathLoad call. */
  chunkBytes?: number;
  chunkRows?: number;
  /** Waits between attempts (ms for attempt n); tests pass a no-op. */
  backoff?: (attempt: number) => Promise<void>;
  /** Names this run's staging tables; random unless given (tests). */
  runTag?: string;
  /** --plan-sql: nothing is connected; the server described is the one planned for. */
  planning?: boolean;
}

const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
const DIRECT_PATH_CHUNK_BYTES = 256 * 1024 * 1024;

/** directPathLoad failed for a reason a new connection will not fix: the batch falls back. */
class DirectPathUnavailable extends SingerError {
  constructor(cause: unknown) {
    super(
      'ORACLE_DIRECT_PATH_UNAVAILABLE',
      cause instanceof Error ? (cause.message.split('\n')[0] ?? '') : String(cause),
      { cause },
    );
  }
}

interface StagingState {
  signature: string;
  staging: StagingTable;
  created: boolean;
}

export class OracleDialect implements Dialect {
  readonly name = 'oracle';
  private source: SessionSource | undefined;
  private runner: SessionRunner | undefined;
  private featureSet: OracleFeatures | undefined;
  private sqlBuilder: OracleSql | undefined;
  private currentSchema = '';
  private readonly stagings = new Map<string, StagingState>();
  private generation = 0;
  /** Every staging table this run created, dropped at close() even after its generation retired. */
  private readonly createdStagings: StagingTable[] = [];
  private directPathDisabled = false;
  private readonly encoders = new Map<string, RowEncoder>();
  private readonly runTag: string;

  constructor(private readonly options: OracleDialectOptions) {
    this.runTag = options.runTag ?? randomBytes(4).readUInt32BE().toString(36).slice(0, 6);
  }

  get maxIdentifierLength(): number {
    return this.features.maxIdentifierLength;
  }

  get features(): OracleFeatures {
    if (this.featureSet === undefined)
      throw new SingerError('ORACLE_NOT_OPEN', 'the Oracle dialect is not open');
    return this.featureSet;
  }

  private get sessions(): SessionRunner {
    if (this.runner === undefined) throw new SingerError('ORACLE_NOT_OPEN', 'the Oracle dialect is not open');
    return this.runner;
  }

  private get sql(): OracleSql {
    if (this.sqlBuilder === undefined)
      throw new SingerError('ORACLE_NOT_OPEN', 'the Oracle dialect is not open');
    return this.sqlBuilder;
  }

  async open(): Promise<void> {
    try {
      this.source = await this.options.connect();
      this.runner = new SessionRunner(
        this.source,
        this.options.logger,
        Math.max(1, this.options.maxAttempts ?? 4),
        this.options.backoff ?? exponentialBackoff,
        this.options.callTimeoutMs ?? 600_000,
        this.options.metrics,
      );
    } catch (error) {
      throw describeOracleError(error, { operation: 'connecting to Oracle' });
    }
    await this.sessions.run('connecting to Oracle', undefined, async (session) => {
      const major = Math.floor(session.oracleServerVersion / 100_000_000);
      const extended = (await this.parameter(session, MAX_STRING_SIZE_QUERY))?.toUpperCase() === 'EXTENDED';
      const compatible = parseCompatible((await this.parameter(session, COMPATIBLE_QUERY)) ?? '');
      if (compatible === undefined) {
        this.options.logger.warn(
          'V$PARAMETER is not readable: COMPATIBLE unknown, so JSON goes into CLOB and booleans into NUMBER(1)',
        );
      }
      const limit = session.maxIdentifierLength ?? (session.oracleServerVersion >= 1_202_000_000 ? 128 : 30);
      this.featureSet = featuresFor(major, limit, extended, compatible ?? 0);
      this.sqlBuilder = new OracleSql(this.featureSet);
      const result = await session.execute(
        "SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') AS SCHEMA_NAME FROM DUAL",
      );
      this.currentSchema = String(result.rows?.[0]?.SCHEMA_NAME ?? '');
    });
    this.options.logger.info(
      { server: this.featureSet, loadMethod: this.options.loadMethod ?? 'array_insert' },
      this.options.planning ? 'planning SQL for Oracle (no connection)' : 'connected to Oracle',
    );
  }

  /**
   * A parameter from V$PARAMETER, which needs SELECT_CATALOG_ROLE; undefined without it (then the
   * standard 4000-byte strings and the conservative types are assumed).
   */
  private async parameter(session: OracleSession, query: string): Promise<string | undefined> {
    try {
      const result = await session.execute(query);
      const value = result.rows?.[0]?.VALUE;
      return value === undefined || value === null ? undefined : String(value);
    } catch (error) {
      if (isTransient(error)) throw error;
      return undefined;
    }
  }

  async close(): Promise<void> {
    const source = this.source;
    if (source === undefined) return;
    const created = this.createdStagings.splice(0);
    if (created.length > 0 && this.sqlBuilder !== undefined) {
      const session = await source.acquire().catch(() => undefined);
      for (const staging of created) {
        await session?.execute(this.sql.dropStaging(staging)).catch((error: unknown) => {
          this.options.logger.warn(
            { code: oracleErrorCode(error), table: staging.stored },
            'could not drop a staging table',
          );
        });
      }
      await session?.close(false).catch(() => undefined);
    }
    this.stagings.clear();
    this.source = undefined;
    this.runner = undefined;
    await source.close();
  }

  /**
   * The table's columns. A widening that a crash cut short (a column carrying the widening marker)
   * is first undone or finished, so the engine never sees a half-widened table.
   */
  async describeTable(table: TableRef): Promise<ExistingColumn[] | undefined> {
    let rows = await this.sessions.run('describing the table', this.label(table), (session) =>
      this.catalog(session, table),
    );
    if (rows.some((row) => parseWideningMarker(row.COMMENTS) !== undefined)) {
      await this.recoverWidenings(table, rows);
      rows = await this.sessions.run('describing the table', this.label(table), (session) =>
        this.catalog(session, table),
      );
    }
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({
      name: row.COLUMN_NAME.toLowerCase(),
      type: columnTypeFromCatalog(row),
      nullable: row.NULLABLE === 'Y',
      ...(row.KEY_POSITION === undefined ? {} : { key: Number(row.KEY_POSITION ?? 0) }),
    }));
  }

  private async catalog(session: OracleSession, table: TableRef): Promise<CatalogColumn[]> {
    const limit = this.features.maxIdentifierLength;
    const binds = {
      owner: table.schema ? identifierStored(table.schema, limit) : null,
      table_name: identifierStored(table.name, limit),
    };
    const result = await session.execute(this.sql.describe(), binds);
    return (result.rows ?? []) as unknown as CatalogColumn[];
  }

  private async recoverWidenings(table: TableRef, rows: CatalogColumn[]): Promise<void> {
    const names = new Set(rows.map((row) => row.COLUMN_NAME));
    for (const row of rows) {
      const marker = parseWideningMarker(row.COMMENTS);
      if (marker === undefined) continue;
      const { undo, statements } = this.sql.recoverWidening(
        table,
        row.COLUMN_NAME,
        marker,
        names.has(marker.base),
      );
      await this.sessions.runDdl(
        statements,
        this.label(table),
        undo ? 'undoing an interrupted widening' : 'finishing an interrupted widening',
      );
      this.options.logger.warn(
        { table: this.label(table), column: marker.base.toLowerCase() },
        undo
          ? 'a widening was cut short before its old column was dropped: its new column is dropped and the widening runs again'
          : 'a widening was cut short after its values were copied: it is finished',
      );
    }
  }

  async createTable(table: TableSpec): Promise<void> {
    await this.sessions.runDdl(this.sql.createTable(table), this.label(table), 'creating the table');
  }

  async addColumns(table: TableRef, columns: ColumnSpec[]): Promise<void> {
    if (columns.length === 0) return;
    await this.sessions.runDdl(this.sql.addColumns(table, columns), this.label(table), 'adding columns');
  }

  async alterColumns(table: TableRef, changes: ColumnChange[]): Promise<void> {
    for (const change of changes) {
      const widening = this.sql.widening(table, change);
      const operation = `widening column ${change.column}`;
      if (widening.kind === 'in-place')
        await this.sessions.runDdl(widening.statements, this.label(table), operation);
      else if (widening.kind === 'scratch')
        await this.sessions.run(operation, this.label(table), (session) =>
          this.widenThroughScratch(session, table, widening),
        );
    }
    // Staging tables carry the old types: the next batch builds new ones.
    for (const [key, state] of this.stagings)
      if (key.startsWith(`${this.label(table)}|`)) state.signature = '';
  }

  /** The statements of these widenings as an uninterrupted run sends them (--plan-sql prints them). */
  wideningStatements(table: TableRef, changes: ColumnChange[]): string[] {
    return changes.flatMap((change) => this.sql.wideningStatements(table, change));
  }

  async writeBatch(table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void> {
    const count = (batch.encoded as EncodedRows | undefined)?.rows.length ?? batch.rows.length;
    if (count === 0 && mode !== 'replace') return;
    try {
      await this.writeThroughStaging(table, batch, mode);
    } catch (error) {
      if (!(error instanceof DirectPathUnavailable)) throw error;
      // Nothing of the batch reached the target: stage it again with array inserts.
      this.directPathDisabled = true;
      this.options.logger.warn(
        { table: this.label(table), code: oracleErrorCode(error.cause), reason: error.message },
        'direct path load refused by the server; staging with array inserts from now on',
      );
      await this.writeThroughStaging(table, batch, mode);
    }
  }

  private async writeThroughStaging(table: TableSpec, batch: RowBatch, mode: WriteMode): Promise<void> {
    const label = this.label(table);
    const state = this.stagingFor(table, batch.columns);
    const { staging } = state;
    const limits = {
      maxBytes:
        this.options.chunkBytes ?? (staging.kind === 'heap' ? DIRECT_PATH_CHUNK_BYTES : DEFAULT_CHUNK_BYTES),
      maxRows: this.options.chunkRows ?? 50_000,
    };
    const encoded = batch.encoded as EncodedRows | undefined;
    const chunks =
      encoded !== undefined
        ? chunkRows(encoded.rows, staging.codecs, limits)
        : encodeBatch(batch, staging.codecs, limits, label);
    const count = encoded?.rows.length ?? batch.rows.length;
    const keyed = table.primaryKey.length > 0;
    let finish: string[];
    if (mode === 'upsert' && keyed) finish = [this.sql.merge(table, staging, table.primaryKey)];
    else if (mode === 'replace')
      finish = [this.sql.deleteAll(table), this.sql.insertSelect(table, staging, table.primaryKey)];
    else finish = [this.sql.insertSelect(table, staging)];
    const stagedColumns = [...staging.columns, SEQ_COLUMN];

    let committing = false;
    await this.sessions.run(`writing a batch (${mode})`, label, async (session, attempt) => {
      if (committing && mode === 'append') {
        // The commit of an append may have landed: replaying it could load the rows twice.
        throw new SingerError(
          'ORACLE_COMMIT_UNKNOWN',
          `writing a batch (append) on table ${label}: the connection was lost during COMMIT, so whether the rows were committed is unknown; not replayed to avoid duplicates`,
        );
      }
      if (attempt > 1) this.options.logger.warn({ table: label, attempt, rows: count }, 'replaying batch');
      await this.ensureStaging(session, state);
      if (staging.kind === 'heap') {
        await session.execute(this.sql.truncateStaging(staging));
        for (const chunk of chunks) {
          try {
            await session.directPathLoad(
              staging.owner ?? this.currentSchema,
              staging.stored,
              stagedColumns,
              chunk.rows,
            );
          } catch (error) {
            if (isTransient(error)) throw error;
            throw new DirectPathUnavailable(error);
          }
        }
      } else {
        const insert = this.sql.stagingInsert(staging);
        for (const chunk of chunks) await session.executeMany(insert, chunk.rows, chunk.bindDefs);
      }
      for (const statement of finish) await session.execute(statement);
      committing = true;
      await session.commit();
    });
  }

  rowCheck(table: TableSpec, columns: string[]): (row: CellValue[]) => CellProblem | undefined {
    const encoder = this.encoderFor(table, columns);
    return (row) => encoder.check(row);
  }

  valueError(error: unknown): { column?: string } | undefined {
    return oracleValueError(error);
  }

  sliceBatch(batch: RowBatch, start: number, end: number): RowBatch {
    return sliceEncoded(batch, start, end);
  }

  /** Rows are encoded to binds as they arrive (once: the row check's encoding is kept). */
  createRowBuffer(table: TableSpec, columns: string[]): RowBuffer {
    return new OracleRowBuffer(this.encoderFor(table, columns), columns, this.label(table));
  }

  /** One encoder per table shape and column list, shared by a sink's row check and row buffer. */
  private encoderFor(table: TableSpec, columns: string[]): RowEncoder {
    const key = `${this.label(table)}|${columns.join(',')}|${JSON.stringify(table.columns)}|${table.primaryKey.join(',')}|${JSON.stringify(table.indexes)}`;
    let encoder = this.encoders.get(key);
    if (encoder === undefined) {
      encoder = new RowEncoder(this.sql.staging(table, columns, 'temporary', this.runTag, 0).codecs);
      this.encoders.set(key, encoder);
    }
    return encoder;
  }

  async retireVersions(request: RetireVersionsRequest): Promise<number> {
    const label = this.label(request.table);
    const deletedAt = normaliseDateTime(request.deletedAt);
    if (deletedAt === undefined) {
      throw new SingerError(
        'ORACLE_BAD_VALUE',
        `retiring versions of ${label}: not an ISO-8601 instant: ${request.deletedAt}`,
      );
    }
    const statement =
      request.mode === 'delete'
        ? this.sql.retireDelete(request.table, request.versionColumn)
        : this.sql.retireSoft(request.table, request.versionColumn, request.deletedAtColumn);
    const binds: Binds =
      request.mode === 'delete'
        ? { version: request.version }
        : { version: request.version, deleted_at: deletedAt };
    return this.sessions.run('retiring old versions', label, async (session) => {
      const result = await session.execute(statement, binds);
      await session.commit();
      return result.rowsAffected ?? 0;
    });
  }

  /**
   * One attempt at a widening through a new column, from wherever the catalog says the previous
   * attempt stopped: a replay after a lost connection never copies values twice (the old column
   * may already hold the converted ones).
   */
  private async widenThroughScratch(
    session: OracleSession,
    table: TableRef,
    widening: Extract<Widening, { kind: 'scratch' }>,
  ): Promise<void> {
    const rows = await this.catalog(session, table);
    const base = rows.find((row) => row.COLUMN_NAME === widening.base);
    const scratch = rows.find((row) => row.COLUMN_NAME === widening.scratch);
    if (base !== undefined && parseWideningMarker(base.COMMENTS) !== undefined) {
      await session.execute(widening.finish); // renamed; only its final comment is missing
      return;
    }
    if (scratch === undefined) {
      if (base === undefined) throw new Error(`column ${widening.base} is missing`);
      if (columnDdlType(columnTypeFromCatalog(base), this.features) === widening.to) return; // done
      await session.execute(widening.add);
      await session.execute(widening.mark);
    }
    if (base !== undefined) {
      await session.execute(widening.fill);
      await session.commit();
      await session.execute(widening.drop);
    }
    await session.execute(widening.rename);
    await session.execute(widening.finish);
  }

  private label(table: TableRef): string {
    const limit = this.features.maxIdentifierLength;
    const name = identifierStored(table.name, limit);
    return table.schema ? `${identifierStored(table.schema, limit)}.${name}` : name;
  }

  /** The staging table for this column set; a new generation when the columns change. */
  private stagingFor(table: TableSpec, columns: string[]): StagingState {
    const label = this.label(table);
    const key = `${label}|${columns.join(',')}`;
    const signature = table.columns.map((c) => `${c.name}:${JSON.stringify(c.type)}`).join(',');
    const probe = this.sql.staging(table, columns, 'temporary', this.runTag, 0);
    // Direct path cannot stream LOBs: such tables stage with array inserts.
    const heap =
      this.options.loadMethod === 'direct_path' &&
      !this.directPathDisabled &&
      probe.codecs.every((c) => c.bind !== 'clob');
    const known = this.stagings.get(key);
    if (known !== undefined && known.signature === signature && (known.staging.kind === 'heap') === heap) {
      return known;
    }
    const staging = this.sql.staging(
      table,
      columns,
      heap ? 'heap' : 'temporary',
      this.runTag,
      ++this.generation,
    );
    const state = { signature, staging, created: false };
    this.stagings.set(key, state);
    return state;
  }

  /** Creates the staging table on first use. DDL commits, but no batch is open at this point. */
  private async ensureStaging(session: OracleSession, state: StagingState): Promise<void> {
    if (state.created) return;
    try {
      await session.execute(this.sql.createStaging(state.staging));
    } catch (error) {
      if (oracleErrorCode(error) !== 'ORA-00955') throw error;
    }
    state.created = true;
    this.createdStagings.push(state.staging);
  }
}
