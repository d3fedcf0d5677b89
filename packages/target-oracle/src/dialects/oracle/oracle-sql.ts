/**
 * Statement builders: every SQL text the dialect sends is built here, from names and types only
 * (data always travels in binds). Statements avoid syntax newer than the server they target:
 * no `IF NOT EXISTS`, no JSON constructor, no BOOLEAN before 23ai.
 */
import type { ColumnChange, ColumnSpec, ColumnType, TableRef, TableSpec } from '../dialect.js';
import { type ColumnCodec, columnCodec, DATE_FORMAT, TIMESTAMP_TZ_FORMAT } from './oracle-binds.js';
import type { OracleFeatures } from './oracle-features.js';
import {
  derivedName,
  identifier,
  qualifiedName,
  quoteStored,
  sqlLiteral,
  storedName,
} from './oracle-identifiers.js';
import {
  columnDdlType,
  type KeyRole,
  keyRoles,
  kindComment,
  TIMESTAMP_TZ,
  type WideningMarker,
  wideningMarker,
} from './oracle-types.js';

/** Engine names never contain `$`, so these cannot collide with a stream's columns. */
export const SEQ_COLUMN = 'STG$SEQ';
const RANK_COLUMN = 'STG$RN';

export type StagingKind = 'temporary' | 'heap';

/** How a column is widened (OracleSql.widening); names as stored, statements as SQL text. */
export type Widening =
  | { kind: 'none' }
  | { kind: 'in-place'; statements: string[] }
  | {
      kind: 'scratch';
      base: string;
      scratch: string;
      /** The new column's type as created. */
      to: string;
      /** What the new column's comment says while the widening runs. */
      marker: WideningMarker;
      add: string;
      mark: string;
      fill: string;
      drop: string;
      rename: string;
      finish: string;
    };

export interface StagingTable {
  /** Owner and table as stored (for directPathLoad); owner undefined means the current schema. */
  owner: string | undefined;
  stored: string;
  /** The qualified name as written in SQL. */
  sql: string;
  kind: StagingKind;
  codecs: ColumnCodec[];
  /**
   * The staging table's own column names, `C1`..`Cn` by position: plain identifiers that read the
   * same quoted or not, so node-oracledb's directPathLoad takes them whether it parses names as
   * SQL or uses them verbatim (a target name such as `_SDC_BATCHED_AT` or `ORDER` would need
   * quotes in one reading and not in the other).
   */
  columns: string[];
}

export class OracleSql {
  constructor(readonly features: OracleFeatures) {}

  private get limit(): number {
    return this.features.maxIdentifierLength;
  }

  column(name: string): string {
    return identifier(name, this.limit);
  }

  table(ref: TableRef): string {
    return qualifiedName(ref.schema, ref.name, this.limit);
  }

  /** A constraint or index name, which lives in the schema's namespace: it carries the table name. */
  private objectName(ref: TableRef, parts: string[]): string {
    const stored = derivedName([ref.name, ...parts], this.limit);
    return ref.schema ? `${identifier(ref.schema, this.limit)}.${quoteStored(stored)}` : quoteStored(stored);
  }

  private columnDefinition(column: ColumnSpec, role: KeyRole | undefined, notNull: boolean): string {
    const name = this.column(column.name);
    return `${name} ${columnDdlType(column.type, this.features, role)}${notNull ? ' NOT NULL' : ''}`;
  }

  /** COMMENT ON COLUMN for the columns whose kind their storage type does not tell. */
  private kindComments(ref: TableRef, columns: ColumnSpec[]): string[] {
    const statements: string[] = [];
    for (const column of columns) {
      const comment = kindComment(column.type, this.features);
      if (comment !== undefined) statements.push(this.comment(ref, this.column(column.name), comment));
    }
    return statements;
  }

  /** CREATE TABLE with its primary key, then one CREATE INDEX per index (LOB columns cannot be indexed). */
  createTable(spec: TableSpec): string[] {
    const roles = keyRoles(spec);
    const lines = spec.columns.map((column) =>
      this.columnDefinition(
        column,
        roles.get(column.name),
        !column.nullable || spec.primaryKey.includes(column.name),
      ),
    );
    if (spec.primaryKey.length > 0) {
      const pk = quoteStored(derivedName([spec.name, 'pk'], this.limit));
      lines.push(`CONSTRAINT ${pk} PRIMARY KEY (${spec.primaryKey.map((c) => this.column(c)).join(', ')})`);
    }
    const statements = [
      `CREATE TABLE ${this.table(spec)} (\n  ${lines.join(',\n  ')}\n)`,
      ...this.kindComments(spec, spec.columns),
    ];
    const types = new Map(spec.columns.map((c) => [c.name, c.type]));
    for (const index of spec.indexes) {
      if (index.length === 0 || index.some((c) => !this.indexable(types.get(c)))) continue;
      if (index.join() === spec.primaryKey.join()) continue;
      const name = this.objectName(spec, [...index, 'ix']);
      statements.push(
        `CREATE INDEX ${name} ON ${this.table(spec)} (${index.map((c) => this.column(c)).join(', ')})`,
      );
    }
    return statements;
  }

  private indexable(type: ColumnType | undefined): boolean {
    return type !== undefined && type.kind !== 'json';
  }

  /** New columns are nullable: existing rows have no value for them. */
  addColumns(ref: TableRef, columns: ColumnSpec[]): string[] {
    const definitions = columns.map((column) => this.columnDefinition(column, undefined, false));
    return [
      `ALTER TABLE ${this.table(ref)} ADD (${definitions.join(', ')})`,
      ...this.kindComments(ref, columns),
    ];
  }

  /**
   * Widening a column. Oracle changes a type in place only for a longer VARCHAR2 or a wider NUMBER;
   * any other change (to CLOB, to text, to BINARY_DOUBLE) needs an empty column, so the values go
   * through a new column: add it (its comment marks it as the widening of the old one), copy the
   * values converted, commit, drop the old column, rename the new one, and give it its kind
   * comment. Each step is DDL and commits on its own; the marker lets an interrupted widening be
   * undone or finished (`recoverWidening`).
   */
  widening(ref: TableRef, change: ColumnChange): Widening {
    const table = this.table(ref);
    const name = this.column(change.column);
    const from = columnDdlType(change.from, this.features);
    const to = columnDdlType(change.to, this.features);
    if (from === to) return { kind: 'none' };
    if (inPlace(from, to))
      return { kind: 'in-place', statements: [`ALTER TABLE ${table} MODIFY (${name} ${to})`] };
    const base = storedName(change.column, this.limit);
    const scratch = derivedName([change.column, 'w$'], this.limit);
    const scratchSql = quoteStored(scratch);
    const marker = { base, comment: kindComment(change.to, this.features) };
    return {
      kind: 'scratch',
      base,
      scratch,
      to,
      marker,
      add: `ALTER TABLE ${table} ADD (${scratchSql} ${to})`,
      mark: this.comment(ref, scratchSql, wideningMarker(marker)),
      fill: `UPDATE ${table} SET ${scratchSql} = ${convertExpression(name, change.from, change.to, to, this.features)}`,
      drop: `ALTER TABLE ${table} DROP COLUMN ${name}`,
      rename: `ALTER TABLE ${table} RENAME COLUMN ${scratchSql} TO ${name}`,
      finish: this.comment(ref, name, marker.comment ?? ''),
    };
  }

  /** Every statement of a widening, in order: what an uninterrupted `alterColumns` runs (--plan-sql). */
  wideningStatements(ref: TableRef, change: ColumnChange): string[] {
    const widening = this.widening(ref, change);
    if (widening.kind === 'none') return [];
    if (widening.kind === 'in-place') return widening.statements;
    const { add, mark, fill, drop, rename, finish } = widening;
    return [add, mark, fill, 'COMMIT', drop, rename, finish];
  }

  /**
   * What finishes or undoes a widening found cut short: `column` (as stored) carries the marker.
   * - The old column still there: the copy may be partial; drop the new column (`undo`: the
   *   engine asks for the widening again).
   * - The old column dropped: the copy was committed before; rename the new column into place.
   * - The marked column is the old name already: only its final comment is missing.
   */
  recoverWidening(
    ref: TableRef,
    column: string,
    marker: WideningMarker,
    baseExists: boolean,
  ): { undo: boolean; statements: string[] } {
    const table = this.table(ref);
    const base = quoteStored(marker.base);
    const finish = this.comment(ref, base, marker.comment ?? '');
    if (column === marker.base) return { undo: false, statements: [finish] };
    if (baseExists)
      return { undo: true, statements: [`ALTER TABLE ${table} DROP COLUMN ${quoteStored(column)}`] };
    return {
      undo: false,
      statements: [`ALTER TABLE ${table} RENAME COLUMN ${quoteStored(column)} TO ${base}`, finish],
    };
  }

  private comment(ref: TableRef, column: string, text: string): string {
    return `COMMENT ON COLUMN ${this.table(ref)}.${column} IS ${sqlLiteral(text)}`;
  }

  /**
   * The staging table for a batch's columns. Its name carries the run's tag, so concurrent runs
   * never share one, and a generation number that changes with the column set.
   */
  staging(
    spec: TableSpec,
    columns: string[],
    kind: StagingKind,
    runTag: string,
    generation: number,
  ): StagingTable {
    const byName = new Map(spec.columns.map((c) => [c.name, c]));
    const roles = keyRoles(spec);
    const codecs = columns.map((name) => {
      const column = byName.get(name);
      if (column === undefined) throw new Error(`column ${name} is not in table ${spec.name}`);
      return columnCodec(column, this.features, roles.get(name));
    });
    const owner = spec.schema ? identifierStored(spec.schema, this.limit) : undefined;
    const stored = derivedName(['stg', runTag, String(generation), spec.name], this.limit);
    const sql = spec.schema
      ? `${identifier(spec.schema, this.limit)}.${quoteStored(stored)}`
      : quoteStored(stored);
    return { owner, stored, sql, kind, codecs, columns: codecs.map((_, i) => `C${i + 1}`) };
  }

  /**
   * A private staging table for one target table and column set. `temporary` (for array inserts):
   * a global temporary table whose rows are private to the session and vanish at commit or
   * rollback. `heap` (for direct path loads, which commit on their own): emptied before each load.
   */
  createStaging(staging: StagingTable): string {
    const columns = staging.codecs.map((c, i) => `${staging.columns[i]} ${c.stagingType}`);
    columns.push(`${SEQ_COLUMN} NUMBER(10)`);
    const body = `(\n  ${columns.join(',\n  ')}\n)`;
    return staging.kind === 'temporary'
      ? `CREATE GLOBAL TEMPORARY TABLE ${staging.sql} ${body} ON COMMIT DELETE ROWS`
      : `CREATE TABLE ${staging.sql} ${body} NOLOGGING`;
  }

  stagingInsert(staging: StagingTable): string {
    const names = [...staging.columns];
    const binds = staging.codecs.map((_, i) => `:${i + 1}`);
    names.push(SEQ_COLUMN);
    binds.push(`:${staging.codecs.length + 1}`);
    return `INSERT INTO ${staging.sql} (${names.join(', ')}) VALUES (${binds.join(', ')})`;
  }

  truncateStaging(staging: StagingTable): string {
    return `TRUNCATE TABLE ${staging.sql}`;
  }

  dropStaging(staging: StagingTable): string {
    return `DROP TABLE ${staging.sql} PURGE`;
  }

  /**
   * The staged rows converted to target types, keeping only the last row of each key
   * (ROW_NUMBER over the converted key, newest sequence first): a MERGE source with two rows for
   * one key would fail with ORA-30926, even though the engine has already deduplicated.
   */
  private latestPerKey(staging: StagingTable, keys: string[]): string {
    const converted = staging.codecs.map(
      (c, i) => `${c.toTarget(`x.${staging.columns[i]}`)} AS ${this.column(c.column.name)}`,
    );
    const partition = keys.map((k) => {
      const i = staging.codecs.findIndex((c) => c.column.name === k);
      if (i < 0) throw new Error(`key column ${k} is not staged`);
      return staging.codecs[i]!.toTarget(`x.${staging.columns[i]}`);
    });
    const outer = staging.codecs.map((c) => this.column(c.column.name)).join(', ');
    return (
      `SELECT ${outer} FROM (SELECT ${converted.join(', ')}, ` +
      `ROW_NUMBER() OVER (PARTITION BY ${partition.join(', ')} ORDER BY x.${SEQ_COLUMN} DESC) AS ${RANK_COLUMN} ` +
      `FROM ${staging.sql} x) WHERE ${RANK_COLUMN} = 1`
    );
  }

  /** Upsert: key columns only in ON (updating them is ORA-38104); absent columns keep their values. */
  merge(target: TableRef, staging: StagingTable, keys: string[]): string {
    const keySet = new Set(keys);
    const on = keys.map((k) => `t.${this.column(k)} = s.${this.column(k)}`).join(' AND ');
    const names = staging.codecs.map((c) => this.column(c.column.name));
    const updates = staging.codecs
      .filter((c) => !keySet.has(c.column.name))
      .map((c) => `t.${this.column(c.column.name)} = s.${this.column(c.column.name)}`);
    const matched = updates.length > 0 ? ` WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}` : '';
    return (
      `MERGE INTO ${this.table(target)} t USING (${this.latestPerKey(staging, keys)}) s ON (${on})` +
      `${matched} WHEN NOT MATCHED THEN INSERT (${names.join(', ')}) VALUES (${names.map((n) => `s.${n}`).join(', ')})`
    );
  }

  /**
   * Conventional insert of the staged rows (`keys` given: one row per key). Not direct path
   * (`APPEND`): that writes above the high-water mark and never reuses the space a DELETE freed,
   * so every overwrite would grow the table's segment by its size; it would also lock the table
   * exclusively and forbid reading it before the commit (ORA-12838).
   */
  insertSelect(target: TableRef, staging: StagingTable, keys: string[] = []): string {
    const names = staging.codecs.map((c) => this.column(c.column.name));
    const source =
      keys.length > 0
        ? this.latestPerKey(staging, keys)
        : `SELECT ${staging.codecs.map((c, i) => c.toTarget(`s.${staging.columns[i]}`)).join(', ')} FROM ${staging.sql} s`;
    return `INSERT INTO ${this.table(target)} (${names.join(', ')}) ${source}`;
  }

  /** DELETE, not TRUNCATE: TRUNCATE is DDL and commits, so the replacement would not be atomic. */
  deleteAll(target: TableRef): string {
    return `DELETE FROM ${this.table(target)}`;
  }

  retireDelete(target: TableRef, versionColumn: string): string {
    const version = this.column(versionColumn);
    return `DELETE FROM ${this.table(target)} WHERE ${version} < :version OR ${version} IS NULL`;
  }

  retireSoft(target: TableRef, versionColumn: string, deletedAtColumn: string): string {
    const version = this.column(versionColumn);
    const deletedAt = this.column(deletedAtColumn);
    return (
      `UPDATE ${this.table(target)} SET ${deletedAt} = TO_TIMESTAMP_TZ(:deleted_at, '${TIMESTAMP_TZ_FORMAT}') ` +
      `WHERE (${version} < :version OR ${version} IS NULL) AND ${deletedAt} IS NULL`
    );
  }

  /** Columns of a table, with the comments that mark `time` and pre-21c `json` columns, and the primary key. */
  describe(): string {
    return (
      'SELECT c.COLUMN_NAME, c.DATA_TYPE, c.DATA_LENGTH, c.CHAR_LENGTH, c.CHAR_USED, c.DATA_PRECISION, ' +
      'c.DATA_SCALE, c.NULLABLE, (SELECT m.COMMENTS FROM ALL_COL_COMMENTS m WHERE m.OWNER = c.OWNER ' +
      'AND m.TABLE_NAME = c.TABLE_NAME AND m.COLUMN_NAME = c.COLUMN_NAME) AS COMMENTS, ' +
      '(SELECT MIN(cc.POSITION) FROM ALL_CONSTRAINTS k, ALL_CONS_COLUMNS cc WHERE k.OWNER = c.OWNER ' +
      "AND k.TABLE_NAME = c.TABLE_NAME AND k.CONSTRAINT_TYPE = 'P' AND cc.OWNER = k.OWNER " +
      'AND cc.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND cc.COLUMN_NAME = c.COLUMN_NAME) AS KEY_POSITION ' +
      "FROM ALL_TAB_COLUMNS c WHERE c.OWNER = COALESCE(:owner, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')) " +
      'AND c.TABLE_NAME = :table_name ORDER BY c.COLUMN_ID'
    );
  }
}

/** The stored form of a schema or table name, as the catalog views spell it. */
export function identifierStored(name: string, maxBytes: number): string {
  return identifier(name, maxBytes).replace(/^"|"$/g, '');
}

/**
 * Run on every new session: '.' as the decimal point for TO_NUMBER of decimal text. (A PL/SQL call
 * rather than ALTER SESSION, whose quoted value the published grammar cannot parse.)
 */
export const SESSION_SETUP = "BEGIN DBMS_SESSION.SET_NLS('NLS_NUMERIC_CHARACTERS', '''.,'''); END;";

export const MAX_STRING_SIZE_QUERY = "SELECT VALUE FROM V$PARAMETER WHERE NAME = 'max_string_size'";
export const COMPATIBLE_QUERY = "SELECT VALUE FROM V$PARAMETER WHERE NAME = 'compatible'";

function varcharChars(ddl: string): number | undefined {
  const match = /^VARCHAR2\((\d+) CHAR\)$/.exec(ddl);
  return match ? Number(match[1]) : undefined;
}

function inPlace(from: string, to: string): boolean {
  const fromChars = varcharChars(from);
  const toChars = varcharChars(to);
  if (fromChars !== undefined && toChars !== undefined) return toChars >= fromChars;
  if (from.startsWith('NUMBER') && to === 'NUMBER') return true;
  return from === 'NUMBER(1)' && to === 'NUMBER(19)';
}

/**
 * A value's JSON text: JSON_ARRAY renders numbers and quotes strings exactly as JSON wants,
 * and the brackets are cut off (a NULL gives `[]`, so NULL).
 */
const jsonText = (expression: string): string =>
  `SUBSTR(JSON_ARRAY(${expression}), 2, LENGTH(JSON_ARRAY(${expression})) - 2)`;

/**
 * A text's JSON string, escaped in SQL: JSON_ARRAY would do it, but returns VARCHAR2(4000) unless
 * told RETURNING CLOB (ORA-40478 for longer values), which the published grammar this project
 * verifies against cannot parse. Backslash and quote are escaped, control characters become
 * \u00XX; the work is done on a CLOB so no length limit applies. NULL stays NULL.
 */
function jsonString(expression: string): string {
  let escaped = `REPLACE(REPLACE(TO_CLOB(${expression}), '\\', '\\\\'), '"', '\\"')`;
  for (let code = 0; code < 32; code++) {
    escaped = `REPLACE(${escaped}, CHR(${code}), '\\u${code.toString(16).padStart(4, '0')}')`;
  }
  return `CASE WHEN ${expression} IS NULL THEN NULL ELSE '"' || ${escaped} || '"' END`;
}

/** SQL converting a value of one type to another for the copy step of a widening. */
function convertExpression(
  name: string,
  from: ColumnType,
  to: ColumnType,
  toDdl: string,
  features: OracleFeatures,
): string {
  if (to.kind === 'number') return `TO_BINARY_DOUBLE(${name})`;
  if (to.kind === 'decimal' || to.kind === 'integer') return `TO_NUMBER(${name})`;
  if (to.kind === 'datetime' && from.kind === 'date') return `FROM_TZ(CAST(${name} AS TIMESTAMP), '+00:00')`;
  let text: string;
  switch (from.kind) {
    case 'datetime':
      text = `TO_CHAR(${name}, 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM')`;
      break;
    case 'date':
      text = `TO_CHAR(${name}, '${DATE_FORMAT}')`;
      break;
    case 'boolean': {
      // true/false are both the text and the JSON of a boolean.
      const [yes, no] = features.booleanType ? ['TRUE', 'FALSE'] : ['1', '0'];
      text = `CASE WHEN ${name} = ${yes} THEN 'true' WHEN ${name} = ${no} THEN 'false' END`;
      break;
    }
    case 'integer':
    case 'decimal':
    case 'number':
      // JSON's number text ('0.5'), not TO_CHAR's ('.5', '5.0E-001').
      text = jsonText(name);
      break;
    default:
      text = name;
  }
  if (to.kind === 'json' && from.kind !== 'boolean' && !isNumeric(from)) {
    // Dates and date-times are ISO text: nothing in them needs escaping.
    text =
      from.kind === 'date' || from.kind === 'datetime'
        ? `CASE WHEN ${name} IS NULL THEN NULL ELSE '"' || ${text} || '"' END`
        : jsonString(text);
  }
  if (toDdl === TIMESTAMP_TZ) return `TO_TIMESTAMP_TZ(${text}, '${TIMESTAMP_TZ_FORMAT}')`;
  return toDdl === 'CLOB' || toDdl === 'JSON' ? `TO_CLOB(${text})` : text;
}

const isNumeric = (type: ColumnType): boolean =>
  type.kind === 'integer' || type.kind === 'decimal' || type.kind === 'number';
