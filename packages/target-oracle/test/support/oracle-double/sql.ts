// The slice of Oracle SQL the dialect sends, parsed the way the server would read it: a
// tokenizer (identifiers are upper-cased unless quoted, hints kept), expressions, and the DML
// statements (SELECT with an analytic ROW_NUMBER, INSERT ... VALUES / SELECT, MERGE, UPDATE,
// DELETE). Anything outside the slice is refused loudly, so a new statement shape fails a test
// here instead of passing unchecked.

export type Token =
  | { kind: 'ident'; text: string; quoted: boolean }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'bind'; text: string }
  | { kind: 'hint'; text: string }
  | { kind: 'op'; text: string };

export class SqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const UNQUOTED = /^[A-Za-z][A-Za-z0-9_$#]*/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlError('ORA-01756', 'quoted string not properly terminated');
      const body = sql.slice(i + 2, end);
      if (body.startsWith('+')) tokens.push({ kind: 'hint', text: body.slice(1).trim().toUpperCase() });
      i = end + 2;
      continue;
    }
    if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) throw new SqlError('ORA-01740', 'missing double quote in identifier');
      const text = sql.slice(i + 1, end);
      if (text.length === 0) throw new SqlError('ORA-01741', 'illegal zero-length identifier');
      tokens.push({ kind: 'ident', text, quoted: true });
      i = end + 1;
      continue;
    }
    if (c === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SqlError('ORA-01756', 'quoted string not properly terminated');
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j++;
      }
      tokens.push({ kind: 'string', text });
      i = j + 1;
      continue;
    }
    if (c === ':') {
      const match = /^:([A-Za-z0-9_]+)/.exec(sql.slice(i));
      if (match === null) throw new SqlError('ORA-01745', 'invalid host/bind variable name');
      tokens.push({ kind: 'bind', text: match[1]! });
      i += match[0].length;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(sql.slice(i));
    if (number !== null) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const word = UNQUOTED.exec(sql.slice(i));
    if (word !== null) {
      tokens.push({ kind: 'ident', text: word[0].toUpperCase(), quoted: false });
      i += word[0].length;
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (['<=', '>=', '<>', '!=', '||'].includes(two)) {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('(),.=<>+-*/;'.includes(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    throw new SqlError('ORA-00911', `invalid character ${JSON.stringify(c)}`);
  }
  return tokens;
}

/** An identifier as the server resolves it: quoted as written, unquoted upper case. */
export interface Name {
  text: string;
  quoted: boolean;
}

export type Expr =
  | { kind: 'literal'; value: string | number | null }
  | { kind: 'bind'; name: string }
  | { kind: 'column'; qualifier: string | undefined; name: Name }
  | { kind: 'call'; name: string; args: Expr[]; returning?: string }
  | { kind: 'cast'; expr: Expr; type: string }
  | { kind: 'case'; whens: Array<{ when: Expr; result: Expr }>; otherwise: Expr | undefined }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'isnull'; expr: Expr; not: boolean }
  | { kind: 'rownumber'; partition: Expr[]; order: Expr; descending: boolean };

export interface SelectItem {
  expr: Expr;
  alias: string | undefined;
}

export interface Select {
  items: SelectItem[];
  from: { table: Name[] } | { select: Select };
  alias: string | undefined;
  where: Expr | undefined;
}

export type Dml =
  | { kind: 'select'; select: Select }
  | { kind: 'insert'; hints: string[]; table: Name[]; columns: Name[]; values?: Expr[]; select?: Select }
  | {
      kind: 'merge';
      table: Name[];
      alias: string;
      source: Select;
      sourceAlias: string;
      on: Expr;
      update: Array<{ column: Name; expr: Expr }>;
      insertColumns: Name[];
      insertValues: Expr[];
    }
  | { kind: 'update'; table: Name[]; set: Array<{ column: Name; expr: Expr }>; where: Expr | undefined }
  | { kind: 'delete'; table: Name[]; where: Expr | undefined };

const CLAUSE_WORDS = new Set([
  'FROM',
  'WHERE',
  'ON',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'AND',
  'OR',
  'USING',
  'SET',
  'VALUES',
  'SELECT',
  'AS',
  'IS',
  'NOT',
  'NULL',
  'MERGE',
  'INTO',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MATCHED',
  'RETURNING',
  'ORDER',
  'BY',
  'PARTITION',
  'OVER',
  'DESC',
  'ASC',
  'CASE',
]);

export class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  static dml(sql: string): Dml {
    const parser = new Parser(tokenize(sql));
    const statement = parser.statement();
    if (parser.peekOp(';')) parser.i++;
    if (parser.i < parser.tokens.length) parser.fail('SQL command not properly ended', 'ORA-00933');
    return statement;
  }

  private fail(message: string, code = 'ORA-00900'): never {
    const near = this.tokens
      .slice(this.i, this.i + 4)
      .map((t) => t.text)
      .join(' ');
    throw new SqlError(code, `${message} (near "${near}")`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private peekWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t !== undefined && t.kind === 'ident' && !t.quoted && t.text === word;
  }

  private peekOp(op: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && t.text === op;
  }

  private word(word: string): void {
    if (!this.peekWord(word)) this.fail(`expected ${word}`, 'ORA-00905');
    this.i++;
  }

  private op(op: string): void {
    if (!this.peekOp(op)) this.fail(`expected "${op}"`, 'ORA-00907');
    this.i++;
  }

  private acceptWord(word: string): boolean {
    if (!this.peekWord(word)) return false;
    this.i++;
    return true;
  }

  name(): Name {
    const t = this.peek();
    if (t === undefined || t.kind !== 'ident') this.fail('invalid identifier', 'ORA-00904');
    if (!t.quoted && CLAUSE_WORDS.has(t.text)) this.fail(`invalid identifier ${t.text}`, 'ORA-00904');
    this.i++;
    return { text: t.text, quoted: t.quoted };
  }

  /** `a`, `a.b` (schema.table). */
  qualified(): Name[] {
    const parts = [this.name()];
    while (this.peekOp('.')) {
      this.i++;
      parts.push(this.name());
    }
    return parts;
  }

  private alias(): string | undefined {
    const t = this.peek();
    if (t?.kind === 'ident' && (t.quoted || !CLAUSE_WORDS.has(t.text))) {
      this.i++;
      return t.text;
    }
    return undefined;
  }

  private statement(): Dml {
    if (this.peekWord('SELECT')) return { kind: 'select', select: this.select() };
    if (this.acceptWord('INSERT')) {
      const hints: string[] = [];
      while (this.peek()?.kind === 'hint') hints.push(this.tokens[this.i++]!.text);
      this.word('INTO');
      const table = this.qualified();
      const columns = this.nameList();
      if (this.acceptWord('VALUES')) {
        this.op('(');
        const values = this.exprList();
        this.op(')');
        return { kind: 'insert', hints, table, columns, values };
      }
      return { kind: 'insert', hints, table, columns, select: this.select() };
    }
    if (this.acceptWord('MERGE')) return this.merge();
    if (this.acceptWord('UPDATE')) {
      const table = this.qualified();
      this.word('SET');
      const set = this.assignments(undefined);
      const where = this.acceptWord('WHERE') ? this.expr() : undefined;
      return { kind: 'update', table, set, where };
    }
    if (this.acceptWord('DELETE')) {
      this.word('FROM');
      const table = this.qualified();
      const where = this.acceptWord('WHERE') ? this.expr() : undefined;
      return { kind: 'delete', table, where };
    }
    return this.fail('invalid SQL statement');
  }

  private merge(): Dml {
    this.word('INTO');
    const table = this.qualified();
    const alias = this.alias() ?? '';
    this.word('USING');
    this.op('(');
    const source = this.select();
    this.op(')');
    const sourceAlias = this.alias() ?? '';
    this.word('ON');
    this.op('(');
    const on = this.expr();
    this.op(')');
    let update: Array<{ column: Name; expr: Expr }> = [];
    let insertColumns: Name[] = [];
    let insertValues: Expr[] = [];
    while (this.acceptWord('WHEN')) {
      if (this.acceptWord('MATCHED')) {
        this.word('THEN');
        this.word('UPDATE');
        this.word('SET');
        update = this.assignments(alias);
      } else {
        this.word('NOT');
        this.word('MATCHED');
        this.word('THEN');
        this.word('INSERT');
        insertColumns = this.nameList();
        this.word('VALUES');
        this.op('(');
        insertValues = this.exprList();
        this.op(')');
      }
    }
    return { kind: 'merge', table, alias, source, sourceAlias, on, update, insertColumns, insertValues };
  }

  private assignments(alias: string | undefined): Array<{ column: Name; expr: Expr }> {
    const out: Array<{ column: Name; expr: Expr }> = [];
    do {
      let column = this.name();
      if (this.peekOp('.')) {
        if (alias !== undefined && column.text !== alias) this.fail('invalid qualifier', 'ORA-00904');
        this.i++;
        column = this.name();
      }
      this.op('=');
      out.push({ column, expr: this.expr() });
    } while (this.acceptOp(','));
    return out;
  }

  private acceptOp(op: string): boolean {
    if (!this.peekOp(op)) return false;
    this.i++;
    return true;
  }

  private nameList(): Name[] {
    this.op('(');
    const names = [this.name()];
    while (this.acceptOp(',')) names.push(this.name());
    this.op(')');
    return names;
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.acceptOp(',')) list.push(this.expr());
    return list;
  }

  select(): Select {
    this.word('SELECT');
    const items: SelectItem[] = [];
    do {
      const expr = this.expr();
      const alias = this.acceptWord('AS') ? this.name().text : this.alias();
      items.push({ expr, alias });
    } while (this.acceptOp(','));
    this.word('FROM');
    let from: Select['from'];
    if (this.acceptOp('(')) {
      from = { select: this.select() };
      this.op(')');
    } else from = { table: this.qualified() };
    const alias = this.alias();
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    return { items, from, alias, where };
  }

  expr(): Expr {
    let left = this.conjunction();
    while (this.acceptWord('OR')) left = { kind: 'binary', op: 'OR', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Expr {
    let left = this.comparison();
    while (this.acceptWord('AND')) left = { kind: 'binary', op: 'AND', left, right: this.comparison() };
    return left;
  }

  private comparison(): Expr {
    const left = this.additive();
    if (this.acceptWord('IS')) {
      const not = this.acceptWord('NOT');
      this.word('NULL');
      return { kind: 'isnull', expr: left, not };
    }
    const t = this.peek();
    if (t?.kind === 'op' && ['=', '<', '>', '<=', '>=', '<>', '!='].includes(t.text)) {
      this.i++;
      return { kind: 'binary', op: t.text, left, right: this.additive() };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.primary();
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'op' || !['+', '-', '||'].includes(t.text)) return left;
      this.i++;
      left = { kind: 'binary', op: t.text, left, right: this.primary() };
    }
  }

  private primary(): Expr {
    const t = this.peek();
    if (t === undefined) return this.fail('missing expression', 'ORA-00936');
    if (t.kind === 'string') {
      this.i++;
      return { kind: 'literal', value: t.text };
    }
    if (t.kind === 'number') {
      this.i++;
      return { kind: 'literal', value: Number(t.text) };
    }
    if (t.kind === 'bind') {
      this.i++;
      return { kind: 'bind', name: t.text };
    }
    if (t.kind === 'op' && t.text === '(') {
      this.i++;
      const inner = this.expr();
      this.op(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '-') {
      this.i++;
      return { kind: 'binary', op: '-', left: { kind: 'literal', value: 0 }, right: this.primary() };
    }
    if (t.kind !== 'ident') return this.fail('missing expression', 'ORA-00936');
    if (!t.quoted && t.text === 'NULL') {
      this.i++;
      return { kind: 'literal', value: null };
    }
    if (!t.quoted && t.text === 'CASE') return this.caseExpr();
    if (!t.quoted && t.text === 'CAST') {
      this.i++;
      this.op('(');
      const expr = this.expr();
      this.word('AS');
      const type = this.name().text;
      this.op(')');
      return { kind: 'cast', expr, type };
    }
    if (!t.quoted && t.text === 'ROW_NUMBER') return this.rowNumber();
    const next = this.tokens[this.i + 1];
    if (!t.quoted && next?.kind === 'op' && next.text === '(') {
      this.i += 2;
      const args = this.peekOp(')') ? [] : this.exprList();
      let returning: string | undefined;
      if (this.acceptWord('RETURNING')) returning = this.name().text;
      this.op(')');
      return { kind: 'call', name: t.text, args, ...(returning ? { returning } : {}) };
    }
    const first = this.name();
    if (this.acceptOp('.')) return { kind: 'column', qualifier: first.text, name: this.name() };
    return { kind: 'column', qualifier: undefined, name: first };
  }

  private caseExpr(): Expr {
    this.word('CASE');
    const whens: Array<{ when: Expr; result: Expr }> = [];
    while (this.acceptWord('WHEN')) {
      const when = this.expr();
      this.word('THEN');
      whens.push({ when, result: this.expr() });
    }
    const otherwise = this.acceptWord('ELSE') ? this.expr() : undefined;
    this.word('END');
    return { kind: 'case', whens, otherwise };
  }

  private rowNumber(): Expr {
    this.word('ROW_NUMBER');
    this.op('(');
    this.op(')');
    this.word('OVER');
    this.op('(');
    const partition: Expr[] = [];
    if (this.acceptWord('PARTITION')) {
      this.word('BY');
      partition.push(...this.exprList());
    }
    this.word('ORDER');
    this.word('BY');
    const order = this.expr();
    const descending = this.acceptWord('DESC');
    if (!descending) this.acceptWord('ASC');
    this.op(')');
    return { kind: 'rownumber', partition, order, descending };
  }
}
