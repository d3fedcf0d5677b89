// The double's data dictionary: tables, columns, keys and indexes, built by the DDL the dialect
// sends and checked the way Oracle checks it (names, types, key rules).
import { SqlError, type Token, tokenize } from './sql.js';
import { type ColumnType, isLob, keyBytes, parseType, type Value } from './values.js';

/** Oracle's reserved words (V$RESERVED_WORDS, RESERVED = 'Y'): unquoted they are not names. */
export const RESERVED = new Set(
  `ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT COMPRESS
  CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE
  FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER
  INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS MLSLABEL MODE MODIFY NOAUDIT NOCOMPRESS NOT
  NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME RESOURCE
  REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE
  TABLE THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER
  WHERE WITH`.split(/\s+/),
);

export interface Column {
  name: string;
  ddl: string;
  type: ColumnType;
  nullable: boolean;
  comment: string | null;
}

export type Row = Record<string, Value>;

export interface Table {
  owner: string;
  name: string;
  columns: Column[];
  primaryKey: { name: string; columns: string[] } | undefined;
  indexes: Array<{ name: string; columns: string[] }>;
  temporary: boolean;
  /** Committed and uncommitted rows of a heap table (a global temporary table keeps them per session). */
  rows: Row[];
  /** Rows' worth of space below the high-water mark: conventional inserts reuse it, APPEND never does. */
  segmentRows: number;
}

export interface ServerRules {
  maxIdentifierLength: number;
  maxStringBytes: number;
  jsonType: boolean;
  booleanType: boolean;
  indexKeyLimit: number;
}

/** Reads names from tokens as the server resolves them (quoted as is, unquoted upper case). */
export class Names {
  constructor(
    readonly tokens: Token[],
    private readonly rules: ServerRules,
    public i = 0,
  ) {}

  static of(sql: string, rules: ServerRules): Names {
    return new Names(tokenize(sql), rules);
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'ident' && !t.quoted && t.text === word;
  }

  words(...words: string[]): boolean {
    if (!words.every((w, k) => this.isWord(w, k))) return false;
    this.i += words.length;
    return true;
  }

  expect(...words: string[]): void {
    if (!this.words(...words)) throw new SqlError('ORA-00905', `missing keyword ${words.join(' ')}`);
  }

  isOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === op;
  }

  op(op: string): void {
    if (!this.isOp(op)) throw new SqlError('ORA-00907', `missing "${op}"`);
    this.i++;
  }

  name(): string {
    const t = this.peek();
    if (t?.kind !== 'ident') throw new SqlError('ORA-00904', 'invalid identifier');
    this.i++;
    checkName(t.text, t.quoted, this.rules);
    return t.text;
  }

  /** [owner.]name */
  qualified(defaultOwner: string): { owner: string; name: string } {
    const first = this.name();
    if (this.isOp('.')) {
      this.i++;
      return { owner: first, name: this.name() };
    }
    return { owner: defaultOwner, name: first };
  }

  /** Tokens up to the next `,` or `)` at this depth, rendered back as a type text. */
  typeText(stop: (t: Token) => boolean): string {
    let depth = 0;
    let text = '';
    while (this.i < this.tokens.length) {
      const t = this.peek()!;
      if (depth === 0 && (stop(t) || (t.kind === 'op' && (t.text === ',' || t.text === ')')))) break;
      if (t.kind === 'op' && t.text === '(') depth++;
      if (t.kind === 'op' && t.text === ')') depth--;
      const glue = text === '' || t.kind === 'op' || text.endsWith('(') ? '' : ' ';
      text += t.kind === 'op' && t.text === ',' ? ',' : glue + t.text;
      this.i++;
    }
    return text;
  }

  get done(): boolean {
    return this.i >= this.tokens.length || (this.isOp(';') && this.i === this.tokens.length - 1);
  }
}

export function checkName(text: string, quoted: boolean, rules: ServerRules): void {
  if (!quoted && RESERVED.has(text)) throw new SqlError('ORA-00904', `${text}: invalid identifier`);
  if (Buffer.byteLength(text) > rules.maxIdentifierLength) {
    throw new SqlError(
      'ORA-00972',
      `identifier is too long (${Buffer.byteLength(text)} bytes, limit ${rules.maxIdentifierLength})`,
    );
  }
}

/** Column definitions `name type [NOT NULL]`, checked against the server's types. */
export function columnDefinition(names: Names, rules: ServerRules): Column {
  const name = names.name();
  const ddl = names.typeText((t) => t.kind === 'ident' && !t.quoted && t.text === 'NOT');
  const type = parseType(ddl);
  if (type.base === 'JSON' && !rules.jsonType) throw new SqlError('ORA-00902', 'invalid datatype JSON');
  if (type.base === 'BOOLEAN' && !rules.booleanType)
    throw new SqlError('ORA-00902', 'invalid datatype BOOLEAN');
  if (type.base === 'VARCHAR2') {
    const limit = rules.maxStringBytes;
    if ((type.chars ?? type.bytes ?? 0) > limit)
      throw new SqlError('ORA-00910', 'specified length too long for its datatype');
  }
  const nullable = !names.words('NOT', 'NULL');
  return { name, ddl, type, nullable, comment: null };
}

/** ORA-02329 / ORA-02327 / ORA-01450 for a key or index over these columns. */
export function checkKey(table: Table, columns: string[], unique: boolean, rules: ServerRules): void {
  let bytes = 0;
  for (const name of columns) {
    const column = table.columns.find((c) => c.name === name);
    if (column === undefined) throw new SqlError('ORA-00904', `"${name}": invalid identifier`);
    if (isLob(column.type)) {
      throw unique
        ? new SqlError(
            'ORA-02329',
            `column of datatype ${column.type.base} cannot be unique or a primary key`,
          )
        : new SqlError('ORA-02327', `cannot create index on expression with datatype ${column.type.base}`);
    }
    if (unique && column.type.base === 'TIMESTAMP WITH TIME ZONE') {
      throw new SqlError(
        'ORA-02329',
        'column of datatype TIMESTAMP WITH TIME ZONE cannot be unique or a primary key',
      );
    }
    bytes += keyBytes(column.type, rules.maxStringBytes) + 1;
  }
  if (bytes > rules.indexKeyLimit) {
    throw new SqlError('ORA-01450', `maximum key length (${rules.indexKeyLimit}) exceeded (${bytes} bytes)`);
  }
}

/** A row of ALL_TAB_COLUMNS for a column. */
export function catalogRow(column: Column, table: Table): Record<string, unknown> {
  const position = table.primaryKey?.columns.indexOf(column.name) ?? -1;
  const t = column.type;
  const dataType =
    t.base === 'TIMESTAMP WITH TIME ZONE'
      ? 'TIMESTAMP(6) WITH TIME ZONE'
      : t.base === 'TIMESTAMP'
        ? 'TIMESTAMP(6)'
        : t.base;
  return {
    COLUMN_NAME: column.name,
    DATA_TYPE: dataType,
    DATA_LENGTH:
      t.base === 'VARCHAR2'
        ? t.chars !== undefined
          ? t.chars * 4
          : t.bytes
        : t.base === 'NUMBER'
          ? 22
          : 4000,
    CHAR_LENGTH: t.base === 'VARCHAR2' ? (t.chars ?? t.bytes) : 0,
    CHAR_USED: t.base === 'VARCHAR2' ? (t.chars !== undefined ? 'C' : 'B') : null,
    DATA_PRECISION: t.base === 'NUMBER' ? (t.precision ?? null) : null,
    DATA_SCALE: t.base === 'NUMBER' ? (t.precision === undefined ? null : (t.scale ?? 0)) : null,
    NULLABLE: column.nullable ? 'Y' : 'N',
    COMMENTS: column.comment,
    KEY_POSITION: position < 0 ? null : position + 1,
  };
}
