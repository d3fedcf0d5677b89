/**
 * The expression language of stream maps: the Python subset Meltano users write in
 * `stream_maps` (as the Singer SDK evaluates it with simpleeval), parsed and evaluated here
 * over plain JSON values. Nothing reaches the host: no eval, no Function, no property lookup
 * beyond an object's own keys, calls only to the functions and methods listed below.
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export type Node =
  | { kind: 'literal'; value: Value }
  | { kind: 'name'; name: string }
  | { kind: 'list'; items: Node[] }
  | { kind: 'dict'; entries: Array<[Node, Node]> }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'compare'; ops: string[]; operands: Node[] }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'ternary'; test: Node; then: Node; otherwise: Node }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'method'; target: Node; name: string; args: Node[] }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'slice'; target: Node; start: Node | undefined; end: Node | undefined };

/** A problem with an expression's text (a configuration error) or its evaluation (a runtime one). */
export class ExpressionError extends Error {}

interface Token {
  type: 'num' | 'str' | 'name' | 'op' | 'end';
  text: string;
  value?: Value;
  at: number;
}

const OPERATORS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '.',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const at = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i))!;
      tokens.push({ type: 'num', text: match[0], value: Number(match[0]), at });
      i += match[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let text = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== c; j++) {
        if (source[j] === '\\') {
          const next = source[++j];
          const escapes: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            "'": "'",
            '"': '"',
          };
          if (next === undefined || escapes[next] === undefined)
            throw new ExpressionError(`unsupported escape at ${j}`);
          text += escapes[next];
        } else text += source[j];
      }
      if (j >= source.length) throw new ExpressionError(`a string opened at ${at} never closes`);
      tokens.push({ type: 'str', text: source.slice(i, j + 1), value: text, at });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ type: 'name', text: match[0], at });
      i += match[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (op === undefined) throw new ExpressionError(`unexpected character "${c}" at ${i}`);
    tokens.push({ type: 'op', text: op, at });
    i += op.length;
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
}

/** Parses an expression; an ExpressionError names what is wrong and where. */
export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token => tokens[position]!;
  const take = (): Token => tokens[position++]!;
  const isOp = (text: string): boolean => peek().type === 'op' && peek().text === text;
  const isWord = (text: string): boolean => peek().type === 'name' && peek().text === text;
  const expect = (text: string): void => {
    if (!isOp(text)) throw unexpected();
    position++;
  };
  const unexpected = (): ExpressionError => {
    const token = peek();
    return new ExpressionError(
      token.type === 'end' ? 'the expression ends too early' : `unexpected "${token.text}" at ${token.at}`,
    );
  };

  const ternary = (): Node => {
    const then = or();
    if (!isWord('if')) return then;
    position++;
    const test = or();
    if (!isWord('else')) throw unexpected();
    position++;
    return { kind: 'ternary', test, then, otherwise: ternary() };
  };
  const or = (): Node => {
    let left = and();
    while (isWord('or')) {
      position++;
      left = { kind: 'logic', op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = not();
    while (isWord('and')) {
      position++;
      left = { kind: 'logic', op: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): Node => {
    if (isWord('not')) {
      position++;
      return { kind: 'unary', op: 'not', operand: not() };
    }
    return comparison();
  };
  const comparison = (): Node => {
    const first = additive();
    const ops: string[] = [];
    const operands = [first];
    for (;;) {
      let op: string | undefined;
      if (['==', '!=', '<', '<=', '>', '>='].some((candidate) => isOp(candidate))) op = take().text;
      else if (isWord('in')) {
        position++;
        op = 'in';
      } else if (isWord('not') && tokens[position + 1]?.text === 'in') {
        position += 2;
        op = 'not in';
      } else if (isWord('is')) {
        position++;
        op = 'is';
        if (isWord('not')) {
          position++;
          op = 'is not';
        }
      }
      if (op === undefined) break;
      ops.push(op);
      operands.push(additive());
    }
    return ops.length === 0 ? first : { kind: 'compare', ops, operands };
  };
  const additive = (): Node => {
    let left = term();
    while (isOp('+') || isOp('-')) left = { kind: 'binary', op: take().text, left, right: term() };
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (isOp('*') || isOp('/') || isOp('//') || isOp('%'))
      left = { kind: 'binary', op: take().text, left, right: unary() };
    return left;
  };
  const unary = (): Node => {
    if (isOp('-') || isOp('+')) {
      const op = take().text as '-' | '+';
      return { kind: 'unary', op, operand: unary() };
    }
    return power();
  };
  const power = (): Node => {
    const base = postfix();
    if (!isOp('**')) return base;
    position++;
    return { kind: 'binary', op: '**', left: base, right: unary() };
  };
  const args = (): Node[] => {
    const list: Node[] = [];
    while (!isOp(')')) {
      list.push(ternary());
      if (!isOp(',')) break;
      position++;
    }
    expect(')');
    return list;
  };
  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        position++;
        const name = take();
        if (name.type !== 'name') throw new ExpressionError(`a method name is expected at ${name.at}`);
        if (!isOp('(')) throw new ExpressionError(`only method calls may follow "." (at ${name.at})`);
        position++;
        node = { kind: 'method', target: node, name: name.text, args: args() };
      } else if (isOp('(')) {
        if (node.kind !== 'name') throw unexpected();
        position++;
        node = { kind: 'call', name: node.name, args: args() };
      } else if (isOp('[')) {
        position++;
        const start = isOp(':') ? undefined : ternary();
        if (isOp(':')) {
          position++;
          const end = isOp(']') ? undefined : ternary();
          expect(']');
          node = { kind: 'slice', target: node, start, end };
        } else {
          expect(']');
          node = { kind: 'index', target: node, index: start! };
        }
      } else return node;
    }
  };
  const primary = (): Node => {
    const token = take();
    if (token.type === 'num' || token.type === 'str') return { kind: 'literal', value: token.value! };
    if (token.type === 'name') {
      if (token.text === 'True') return { kind: 'literal', value: true };
      if (token.text === 'False') return { kind: 'literal', value: false };
      if (token.text === 'None') return { kind: 'literal', value: null };
      if (['if', 'else', 'and', 'or', 'not', 'in', 'is', 'lambda', 'import'].includes(token.text)) {
        position--;
        throw unexpected();
      }
      return { kind: 'name', name: token.text };
    }
    if (token.text === '(') {
      const inner = ternary();
      expect(')');
      return inner;
    }
    if (token.text === '[') {
      const items: Node[] = [];
      while (!isOp(']')) {
        items.push(ternary());
        if (!isOp(',')) break;
        position++;
      }
      expect(']');
      return { kind: 'list', items };
    }
    if (token.text === '{') {
      const entries: Array<[Node, Node]> = [];
      while (!isOp('}')) {
        const key = ternary();
        expect(':');
        entries.push([key, ternary()]);
        if (!isOp(',')) break;
        position++;
      }
      expect('}');
      return { kind: 'dict', entries };
    }
    position--;
    throw unexpected();
  };

  const node = ternary();
  if (peek().type !== 'end') throw unexpected();
  return node;
}
