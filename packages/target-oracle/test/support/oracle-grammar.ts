// Parses SQL with the ANTLR PL/SQL grammar (antlr4ts-sql) and collects every syntax error, so a
// test can fail on any statement a real Oracle grammar rejects. The package is CommonJS.
import { createRequire } from 'node:module';

interface ErrorListener {
  syntaxError(
    recognizer: unknown,
    offendingSymbol: unknown,
    line: number,
    charPositionInLine: number,
    msg: string,
  ): void;
}
interface Parser {
  interpreter: { setPredictionMode(mode: unknown): void };
}
interface Antlr4tsSql {
  getTokens(sql: string, listeners: ErrorListener[]): unknown;
  getParser(tokens: unknown, listeners: ErrorListener[]): Parser;
  getParseTree(parser: Parser): unknown;
}
interface Antlr4tsSqlModule {
  antlr4tsSQL: new (dialect: unknown) => Antlr4tsSql;
  SQLDialect: { PLSQL: unknown };
  PredictionMode: { SLL: unknown; LL: unknown };
}

const antlr = createRequire(import.meta.url)('antlr4ts-sql') as Antlr4tsSqlModule;
const plsql = new antlr.antlr4tsSQL(antlr.SQLDialect.PLSQL);

function parse(sql: string, mode: unknown): string[] {
  const errors: string[] = [];
  const listener: ErrorListener = {
    syntaxError: (_recognizer, _symbol, line, column, msg) => {
      // The grammar lists every expected token; the first part is enough to read.
      errors.push(`${line}:${column} ${msg.length > 160 ? `${msg.slice(0, 160)}...` : msg}`);
    },
  };
  const parser = plsql.getParser(plsql.getTokens(sql, [listener]), [listener]);
  parser.interpreter.setPredictionMode(mode);
  plsql.getParseTree(parser);
  return errors;
}

/**
 * Syntax errors of one statement (terminated with `;` as the grammar expects); empty when it
 * parses. SLL prediction is tried first (ten times faster on wide statements); SLL can reject
 * what the grammar accepts, so a rejection is confirmed with full LL before it counts.
 */
export function plsqlSyntaxErrors(statement: string): string[] {
  const sql = /;\s*$/.test(statement) ? statement : `${statement};`;
  const fast = parse(sql, antlr.PredictionMode.SLL);
  return fast.length === 0 ? fast : parse(sql, antlr.PredictionMode.LL);
}
