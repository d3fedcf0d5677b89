// Expressions and SELECTs evaluated over the double's rows, with Oracle's conversions and errors.
import type { Binds } from '../../../src/dialects/oracle/index.js';
import type { Column, Row } from './catalog.js';
import { type Expr, type Select, SqlError } from './sql.js';
import {
  compare,
  fitNumber,
  jsonArray,
  keyOf,
  OraDate,
  OraNumber,
  OraTimestamp,
  timestamp,
  toChar,
  toDate,
  toMicros,
  toNumber,
  toText,
  toTimestampTz,
  type Value,
} from './values.js';

/** Rows visible under a qualifier (table alias), for column references. */
export type Env = Map<string, Row>;

export interface SourceReader {
  /** The rows of a table as this session sees them (ORA-12838 after a direct-path load). */
  read(table: Array<{ text: string; quoted: boolean }>): { rows: Row[]; name: string };
}

export function evaluate(expr: Expr, env: Env, binds: Binds | undefined): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'bind': {
      if (binds === undefined || !(expr.name in binds))
        throw new SqlError('ORA-01008', 'not all variables bound');
      return binds[expr.name] ?? null;
    }
    case 'column': {
      const name = expr.name.text;
      if (expr.qualifier !== undefined) {
        const row = env.get(expr.qualifier);
        if (row === undefined || !(name in row))
          throw new SqlError('ORA-00904', `"${expr.qualifier}"."${name}": invalid identifier`);
        return row[name]!;
      }
      for (const row of env.values()) if (name in row) return row[name]!;
      throw new SqlError('ORA-00904', `"${name}": invalid identifier`);
    }
    case 'cast': {
      const value = evaluate(expr.expr, env, binds);
      if (expr.type === 'TIMESTAMP' && value instanceof OraDate)
        return timestamp(`${value.text}T00:00:00`, '000000000', '+00:00');
      return value;
    }
    case 'case': {
      for (const branch of expr.whens)
        if (truth(evaluate(branch.when, env, binds))) return evaluate(branch.result, env, binds);
      return expr.otherwise === undefined ? null : evaluate(expr.otherwise, env, binds);
    }
    case 'isnull': {
      const isNull = evaluate(expr.expr, env, binds) === null;
      return expr.not ? !isNull : isNull;
    }
    case 'binary':
      return binary(expr.op, expr.left, expr.right, env, binds);
    case 'call':
      return call(expr, env, binds);
    case 'rownumber':
      throw new SqlError('ORA-30483', 'window functions are not allowed here');
  }
}

const truth = (value: Value): boolean => value === true;

function binary(op: string, leftExpr: Expr, rightExpr: Expr, env: Env, binds: Binds | undefined): Value {
  if (op === 'AND') return truth(evaluate(leftExpr, env, binds)) && truth(evaluate(rightExpr, env, binds));
  if (op === 'OR') return truth(evaluate(leftExpr, env, binds)) || truth(evaluate(rightExpr, env, binds));
  const left = evaluate(leftExpr, env, binds);
  const right = evaluate(rightExpr, env, binds);
  if (op === '||') return `${toText(left) ?? ''}${toText(right) ?? ''}`;
  if (left === null || right === null) return null;
  if (op === '+' || op === '-') {
    const result = Number(toNumber(left)!.text) + (op === '+' ? 1 : -1) * Number(toNumber(right)!.text);
    return toNumber(result);
  }
  if (typeof left === 'boolean' || typeof right === 'boolean') {
    if (typeof left !== typeof right)
      throw new SqlError('ORA-00932', 'inconsistent datatypes: expected BOOLEAN');
    return op === '=' ? left === right : op === '<>' || op === '!=' ? left !== right : null;
  }
  const order = compare(left, right);
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
  throw new SqlError('ORA-00920', `invalid relational operator ${op}`);
}

function call(expr: Extract<Expr, { kind: 'call' }>, env: Env, binds: Binds | undefined): Value {
  const args = expr.args.map((a) => evaluate(a, env, binds));
  const text = (v: Value): string => (typeof v === 'string' ? v : String(v));
  switch (expr.name) {
    case 'TO_TIMESTAMP_TZ':
      return toTimestampTz(args[0]!, text(args[1]!));
    case 'TO_NUMBER':
      return toNumber(args[0]!);
    case 'TO_DATE':
      return toDate(args[0]!, text(args[1]!));
    case 'TO_BINARY_DOUBLE':
      return args[0] === null ? null : Number(toNumber(args[0]!)!.text);
    case 'TO_CHAR':
      return toChar(args[0]!, args[1] === undefined ? undefined : text(args[1]));
    case 'TO_CLOB':
      return args[0] === null ? null : toText(args[0]!);
    case 'FROM_TZ': {
      const value = args[0]!;
      if (value === null) return null;
      if (!(value instanceof OraTimestamp))
        throw new SqlError('ORA-00932', 'inconsistent datatypes: expected TIMESTAMP');
      const m = /^(.*)\.(\d{9})/.exec(value.text)!;
      return timestamp(m[1]!, m[2]!, text(args[1]!));
    }
    case 'SYS_EXTRACT_UTC': {
      const value = args[0]!;
      if (value === null) return null;
      if (!(value instanceof OraTimestamp))
        throw new SqlError('ORA-00932', 'inconsistent datatypes: expected TIMESTAMP WITH TIME ZONE');
      return timestamp(value.utc.slice(0, 19), value.utc.slice(20), '+00:00');
    }
    case 'SUBSTR': {
      if (args[0] === null) return null;
      const s = toText(args[0]!)!;
      const start = Number(toNumber(args[1]!)!.text);
      const length = args[2] === undefined ? undefined : Number(toNumber(args[2]!)!.text);
      const from = start > 0 ? start - 1 : Math.max(0, s.length + start);
      const out = length === undefined ? s.slice(from) : s.slice(from, from + Math.max(0, length));
      return out === '' ? null : out;
    }
    case 'LENGTH':
      return args[0] === null ? null : toNumber([...toText(args[0]!)!].length);
    case 'JSON_ARRAY':
      return jsonArray(args, expr.returning);
    case 'REPLACE': {
      if (args[0] === null) return null;
      const out = toText(args[0]!)!
        .split(toText(args[1]!) ?? '')
        .join(toText(args[2] ?? null) ?? '');
      return out === '' ? null : out;
    }
    case 'CHR':
      return String.fromCharCode(Number(toNumber(args[0]!)!.text));
    case 'COALESCE':
    case 'NVL':
      return args.find((a) => a !== null) ?? null;
    case 'SYS_CONTEXT':
      throw new SqlError('ORA-00904', 'SYS_CONTEXT is only answered in the queries the double knows');
  }
  throw new SqlError('ORA-00904', `"${expr.name}": invalid identifier`);
}

/** A SELECT's rows, named by alias or column name, in source order. */
export function select(query: Select, reader: SourceReader, binds: Binds | undefined): Row[] {
  let source: Row[];
  let qualifier: string | undefined;
  let tableName: string | undefined;
  if ('table' in query.from) {
    const read = reader.read(query.from.table);
    source = read.rows;
    tableName = read.name;
  } else source = select(query.from.select, reader, binds);
  qualifier = query.alias;
  const envOf = (row: Row): Env => {
    const env: Env = new Map();
    if (qualifier !== undefined) env.set(qualifier, row);
    if (tableName !== undefined) env.set(tableName, row);
    if (qualifier === undefined && tableName === undefined) env.set('', row);
    return env;
  };
  const rows =
    query.where === undefined
      ? source
      : source.filter((row) => truth(evaluate(query.where!, envOf(row), binds)));
  const numbers = new Map<number, number[]>();
  query.items.forEach((item, index) => {
    if (item.expr.kind !== 'rownumber') return;
    const spec = item.expr;
    const groups = new Map<string, Array<{ row: number; order: Value }>>();
    rows.forEach((row, r) => {
      const env = envOf(row);
      const key = spec.partition.map((p) => keyOf(evaluate(p, env, binds))).join('\u0000');
      const list = groups.get(key) ?? [];
      list.push({ row: r, order: evaluate(spec.order, env, binds) });
      groups.set(key, list);
    });
    const assigned = new Array<number>(rows.length);
    for (const list of groups.values()) {
      list.sort((a, b) => (spec.descending ? -1 : 1) * compare(a.order, b.order));
      list.forEach((entry, n) => {
        assigned[entry.row] = n + 1;
      });
    }
    numbers.set(index, assigned);
  });
  return rows.map((row, r) => {
    const env = envOf(row);
    const out: Row = {};
    query.items.forEach((item, index) => {
      const name = item.alias ?? (item.expr.kind === 'column' ? item.expr.name.text : `EXPR${index}`);
      const assigned = numbers.get(index);
      out[name] = assigned !== undefined ? toNumber(assigned[r]!) : evaluate(item.expr, env, binds);
    });
    return out;
  });
}

/** A value stored into a column: Oracle's implicit conversions and column checks. */
export function store(value: Value, column: Column, where: string, maxStringBytes: number): Value {
  if (value === null || value === '') {
    if (!column.nullable)
      throw new SqlError('ORA-01400', `cannot insert NULL into (${where}."${column.name}")`);
    return null;
  }
  const type = column.type;
  switch (type.base) {
    case 'VARCHAR2': {
      if (value instanceof OraTimestamp || value instanceof OraDate)
        throw new SqlError('ORA-01861', 'literal does not match format string');
      const text = toText(value)!;
      const chars = [...text].length;
      const bytes = Buffer.byteLength(text);
      const limit = type.chars ?? type.bytes ?? 0;
      const actual = type.chars !== undefined ? chars : bytes;
      if (actual > limit || bytes > maxStringBytes) {
        throw new SqlError(
          'ORA-12899',
          `value too large for column ${where}."${column.name}" (actual: ${actual}, maximum: ${limit})`,
        );
      }
      return text;
    }
    case 'CLOB':
      return toText(value);
    case 'JSON': {
      const text = toText(value)!;
      try {
        JSON.parse(text);
      } catch {
        throw new SqlError('ORA-40441', 'JSON syntax error');
      }
      return text;
    }
    case 'NUMBER': {
      if (value instanceof OraTimestamp || value instanceof OraDate)
        throw new SqlError('ORA-00932', 'inconsistent datatypes: expected NUMBER');
      if (typeof value === 'boolean')
        throw new SqlError('ORA-00932', 'inconsistent datatypes: expected NUMBER got BOOLEAN');
      return fitNumber(toNumber(value)!, type);
    }
    case 'BINARY_DOUBLE':
    case 'BINARY_FLOAT': {
      if (typeof value === 'number') return value;
      if (value instanceof OraNumber) return Number(value.text);
      if (typeof value === 'string') return Number(toNumber(value)!.text);
      throw new SqlError('ORA-00932', 'inconsistent datatypes: expected BINARY_DOUBLE');
    }
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMP':
      if (value instanceof OraTimestamp) return toMicros(value);
      if (value instanceof OraDate) return timestamp(`${value.text}T00:00:00`, '000000000', '+00:00');
      throw new SqlError('ORA-01843', 'not a valid month (implicit conversion of text to a timestamp)');
    case 'DATE':
      if (value instanceof OraDate) return value;
      throw new SqlError('ORA-01861', 'literal does not match format string');
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value instanceof OraNumber || typeof value === 'number') return Number(toNumber(value)!.text) !== 0;
      throw new SqlError('ORA-00932', 'inconsistent datatypes: expected BOOLEAN');
  }
  throw new SqlError('ORA-00902', `invalid datatype ${type.base}`);
}
