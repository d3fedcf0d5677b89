import { createHash, createHmac } from 'node:crypto';
import { ExpressionError, type Node, type Value } from './expression.js';

/** What an expression can see: the record, the map config, and the property's own value. */
export interface Scope {
  record: Record<string, Value>;
  config: Record<string, Value>;
  /** The mapped property's value in the record (`self`), when it has one. */
  self?: Value;
}

type Obj = { [key: string]: Value };
const isObject = (value: Value): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (object: Obj, key: string): boolean => Object.hasOwn(object, key);

/** Python's name of a value's type, for error messages. */
function typeName(value: Value): string {
  if (value === null) return 'None';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** Python's str() of a JSON value. */
export function pyStr(value: Value): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export function truthy(value: Value): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null)
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

const hex = (algorithm: string, text: string): string =>
  createHash(algorithm).update(text, 'utf8').digest('hex');

function needString(value: Value, what: string): string {
  if (typeof value !== 'string') throw new ExpressionError(`${what} needs a str, got ${typeName(value)}`);
  return value;
}

function needNumber(value: Value, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new ExpressionError(`${what} needs a number, got ${typeName(value)}`);
}

/** A hash of a value; null stays null, so an absent value is not turned into a hash of "None". */
function digest(value: Value, hash: (text: string) => string): Value {
  return value === null ? null : hash(pyStr(value));
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  md5: ([value = null]) => digest(value, (text) => hex('md5', text)),
  sha256: ([value = null]) => digest(value, (text) => hex('sha256', text)),
  hmac_sha256: ([value = null, key = null]) => {
    if (typeof key !== 'string' || key.length === 0)
      throw new ExpressionError('hmac_sha256 needs a key: a non-empty str (e.g. config["hash_key"])');
    return digest(value, (text) => createHmac('sha256', key).update(text, 'utf8').digest('hex'));
  },
  str: ([value = '']) => pyStr(value),
  int: ([value = 0]) => {
    if (typeof value === 'string') {
      if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new ExpressionError(`int() cannot read "${value}"`);
      return Number.parseInt(value, 10);
    }
    return Math.trunc(needNumber(value, 'int()'));
  },
  float: ([value = 0]) => {
    if (typeof value === 'string') {
      const number = Number(value.trim());
      if (value.trim() === '' || Number.isNaN(number))
        throw new ExpressionError(`float() cannot read "${value}"`);
      return number;
    }
    return needNumber(value, 'float()');
  },
  bool: ([value = false]) => truthy(value),
  len: ([value = null]) => {
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    if (isObject(value)) return Object.keys(value).length;
    throw new ExpressionError(`len() of ${typeName(value)}`);
  },
  abs: ([value = 0]) => Math.abs(needNumber(value, 'abs()')),
  round: ([value = 0, digits = 0]) => {
    const factor = 10 ** needNumber(digits, 'round()');
    return Math.round(needNumber(value, 'round()') * factor) / factor;
  },
  min: (args) => pick(args, (a, b) => a < b),
  max: (args) => pick(args, (a, b) => a > b),
};

function pick(args: Value[], better: (a: number | string, b: number | string) => boolean): Value {
  const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (items.length === 0) throw new ExpressionError('min()/max() of nothing');
  let best = items[0]!;
  for (const item of items.slice(1)) {
    if ((typeof item !== 'number' && typeof item !== 'string') || typeof item !== typeof best)
      throw new ExpressionError('min()/max() compare numbers or strs of one type');
    if (better(item, best as number | string)) best = item;
  }
  return best;
}

export const FUNCTION_NAMES = new Set(Object.keys(FUNCTIONS));

const STRING_METHODS: Record<string, (text: string, args: Value[]) => Value> = {
  upper: (text) => text.toUpperCase(),
  lower: (text) => text.toLowerCase(),
  strip: (text, [chars]) =>
    chars === undefined || chars === null
      ? text.trim()
      : stripChars(text, needString(chars, 'strip()'), true, true),
  lstrip: (text, [chars]) =>
    chars === undefined || chars === null
      ? text.trimStart()
      : stripChars(text, needString(chars, 'lstrip()'), true, false),
  rstrip: (text, [chars]) =>
    chars === undefined || chars === null
      ? text.trimEnd()
      : stripChars(text, needString(chars, 'rstrip()'), false, true),
  title: (text) =>
    text
      .toLowerCase()
      .replace(/(^|[^A-Za-z])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase()),
  capitalize: (text) => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase(),
  replace: (text, [from = '', to = '']) =>
    text.split(needString(from, 'replace()')).join(needString(to, 'replace()')),
  split: (text, [separator = null, limit = -1]) => {
    const max = needNumber(limit, 'split()');
    if (separator === null) {
      const parts = text
        .trim()
        .split(/\s+/)
        .filter((part) => part !== '');
      return max < 0
        ? parts
        : [...parts.slice(0, max), ...(parts.length > max ? [parts.slice(max).join(' ')] : [])];
    }
    const parts = text.split(needString(separator, 'split()'));
    return max < 0 || parts.length <= max + 1
      ? parts
      : [...parts.slice(0, max), parts.slice(max).join(separator as string)];
  },
  startswith: (text, [prefix = '']) => text.startsWith(needString(prefix, 'startswith()')),
  endswith: (text, [suffix = '']) => text.endsWith(needString(suffix, 'endswith()')),
  find: (text, [part = '']) => text.indexOf(needString(part, 'find()')),
  count: (text, [part = '']) =>
    part === '' ? text.length + 1 : text.split(needString(part, 'count()')).length - 1,
  zfill: (text, [width = 0]) => text.padStart(needNumber(width, 'zfill()'), '0'),
  join: (text, [items = []]) => {
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))
      throw new ExpressionError('join() needs a list of str');
    return items.join(text);
  },
  isdigit: (text) => /^\d+$/.test(text),
};

function stripChars(text: string, chars: string, left: boolean, right: boolean): string {
  let start = 0;
  let end = text.length;
  while (left && start < end && chars.includes(text[start]!)) start++;
  while (right && end > start && chars.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

export const METHOD_NAMES = new Set([...Object.keys(STRING_METHODS), 'get']);

function index(target: Value, key: Value): Value {
  if (isObject(target)) {
    if (typeof key !== 'string' || !own(target, key))
      throw new ExpressionError(`no key ${JSON.stringify(key)}`);
    return target[key]!;
  }
  if (typeof target === 'string' || Array.isArray(target)) {
    if (typeof key !== 'number' || !Number.isInteger(key))
      throw new ExpressionError('an index must be an int');
    const items = typeof target === 'string' ? [...target] : target;
    const at = key < 0 ? items.length + key : key;
    if (at < 0 || at >= items.length) throw new ExpressionError(`index ${key} is out of range`);
    return items[at]!;
  }
  throw new ExpressionError(`${typeName(target)} cannot be indexed`);
}

function slice(target: Value, start: Value | undefined, end: Value | undefined): Value {
  if (typeof target !== 'string' && !Array.isArray(target))
    throw new ExpressionError(`${typeName(target)} cannot be sliced`);
  const items = typeof target === 'string' ? [...target] : target;
  const bound = (value: Value | undefined, fallback: number): number => {
    if (value === undefined || value === null) return fallback;
    const n = needNumber(value, 'a slice');
    return n < 0 ? Math.max(0, items.length + n) : Math.min(n, items.length);
  };
  const part = items.slice(bound(start, 0), bound(end, items.length));
  return typeof target === 'string' ? (part as string[]).join('') : part;
}

function arithmetic(op: string, left: Value, right: Value): Value {
  if (op === '+') {
    if (typeof left === 'string' && typeof right === 'string') return left + right;
    if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  }
  if (op === '*' && typeof left === 'string' && typeof right === 'number')
    return left.repeat(Math.max(0, right));
  if (
    typeof left === 'string' ||
    typeof right === 'string' ||
    typeof left === 'object' ||
    typeof right === 'object'
  )
    throw new ExpressionError(
      `unsupported operand types for ${op}: ${typeName(left)} and ${typeName(right)}`,
    );
  const a = needNumber(left, op);
  const b = needNumber(right, op);
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '**':
      return a ** b;
    case '/':
      if (b === 0) throw new ExpressionError('division by zero');
      return a / b;
    case '//':
      if (b === 0) throw new ExpressionError('division by zero');
      return Math.floor(a / b);
    case '%':
      if (b === 0) throw new ExpressionError('modulo by zero');
      return ((a % b) + b) % b;
  }
  throw new ExpressionError(`unknown operator ${op}`);
}

function compare(op: string, left: Value, right: Value): boolean {
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case 'is':
      return left === null ? right === null : equal(left, right) && typeof left !== 'object';
    case 'is not':
      return !compare('is', left, right);
    case 'in':
    case 'not in': {
      let found: boolean;
      if (typeof right === 'string') found = right.includes(needString(left, "'in <str>'"));
      else if (Array.isArray(right)) found = right.some((item) => equal(item, left));
      else if (isObject(right)) found = typeof left === 'string' && own(right, left);
      else throw new ExpressionError(`argument of type ${typeName(right)} is not iterable`);
      return op === 'in' ? found : !found;
    }
  }
  const comparable = (value: Value): value is number | string =>
    typeof value === 'number' || typeof value === 'string';
  if (!comparable(left) || !comparable(right) || typeof left !== typeof right)
    throw new ExpressionError(`cannot compare ${typeName(left)} and ${typeName(right)} with ${op}`);
  if (op === '<') return left < right;
  if (op === '<=') return left <= right;
  if (op === '>') return left > right;
  return left >= right;
}

/** Evaluates a parsed expression; an ExpressionError says what went wrong. */
export function evaluate(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name': {
      const { name } = node;
      if (name === 'record' || name === '_') return scope.record;
      if (name === 'config') return scope.config;
      if (name === 'self') return scope.self ?? null;
      // A property absent from this record (an optional field) reads as None.
      return own(scope.record, name) ? scope.record[name]! : null;
    }
    case 'list':
      return node.items.map((item) => evaluate(item, scope));
    case 'dict': {
      const result: Obj = {};
      for (const [key, value] of node.entries) result[pyStr(evaluate(key, scope))] = evaluate(value, scope);
      return result;
    }
    case 'unary': {
      const value = evaluate(node.operand, scope);
      if (node.op === 'not') return !truthy(value);
      const number = needNumber(value, `unary ${node.op}`);
      return node.op === '-' ? -number : number;
    }
    case 'binary':
      return arithmetic(node.op, evaluate(node.left, scope), evaluate(node.right, scope));
    case 'compare': {
      let left = evaluate(node.operands[0]!, scope);
      for (let i = 0; i < node.ops.length; i++) {
        const right = evaluate(node.operands[i + 1]!, scope);
        if (!compare(node.ops[i]!, left, right)) return false;
        left = right;
      }
      return true;
    }
    case 'logic': {
      const left = evaluate(node.left, scope);
      if (node.op === 'and') return truthy(left) ? evaluate(node.right, scope) : left;
      return truthy(left) ? left : evaluate(node.right, scope);
    }
    case 'ternary':
      return truthy(evaluate(node.test, scope))
        ? evaluate(node.then, scope)
        : evaluate(node.otherwise, scope);
    case 'call': {
      const fn = FUNCTIONS[node.name];
      if (fn === undefined || !Object.hasOwn(FUNCTIONS, node.name))
        throw new ExpressionError(`unknown function ${node.name}()`);
      return fn(node.args.map((arg) => evaluate(arg, scope)));
    }
    case 'method': {
      const target = evaluate(node.target, scope);
      const args = node.args.map((arg) => evaluate(arg, scope));
      if (node.name === 'get' && isObject(target)) {
        const key = args[0] ?? null;
        return typeof key === 'string' && own(target, key) ? target[key]! : (args[1] ?? null);
      }
      const method = Object.hasOwn(STRING_METHODS, node.name) ? STRING_METHODS[node.name] : undefined;
      if (method === undefined) throw new ExpressionError(`unknown method .${node.name}()`);
      if (typeof target !== 'string') throw new ExpressionError(`.${node.name}() of ${typeName(target)}`);
      return method(target, args);
    }
    case 'index':
      return index(evaluate(node.target, scope), evaluate(node.index, scope));
    case 'slice':
      return slice(
        evaluate(node.target, scope),
        node.start === undefined ? undefined : evaluate(node.start, scope),
        node.end === undefined ? undefined : evaluate(node.end, scope),
      );
  }
}
