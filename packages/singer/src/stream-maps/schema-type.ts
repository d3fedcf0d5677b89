import type { JsonSchema } from '../messages.js';
import type { Node } from './expression.js';

type Types = string[];

const union = (a: Types | undefined, b: Types | undefined): Types | undefined =>
  a === undefined || b === undefined ? undefined : [...new Set([...a, ...b])];

function typesOf(schema: JsonSchema | undefined): Types | undefined {
  const type = schema?.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type as string[];
  return undefined;
}

const STRING_RESULT = new Set([
  'upper',
  'lower',
  'strip',
  'lstrip',
  'rstrip',
  'title',
  'capitalize',
  'replace',
  'zfill',
  'join',
]);
const BOOLEAN_RESULT = new Set(['startswith', 'endswith', 'isdigit']);
const INTEGER_RESULT = new Set(['find', 'count']);

/** The JSON types an expression yields, when they follow from its form; undefined otherwise. */
function staticTypes(node: Node, properties: Record<string, JsonSchema>): Types | undefined {
  switch (node.kind) {
    case 'literal': {
      const v = node.value;
      if (v === null) return ['null'];
      if (typeof v === 'number') return [Number.isInteger(v) ? 'integer' : 'number'];
      return [typeof v === 'object' ? (Array.isArray(v) ? 'array' : 'object') : typeof v];
    }
    case 'name':
      return typesOf(properties[node.name]);
    case 'list':
      return ['array'];
    case 'dict':
      return ['object'];
    case 'unary':
      return node.op === 'not'
        ? ['boolean']
        : staticTypes(node.operand, properties)?.filter((t) => t !== 'null');
    case 'compare':
      return ['boolean'];
    case 'logic':
      return union(staticTypes(node.left, properties), staticTypes(node.right, properties));
    case 'ternary':
      return union(staticTypes(node.then, properties), staticTypes(node.otherwise, properties));
    case 'call':
      switch (node.name) {
        case 'md5':
        case 'sha256':
        case 'hmac_sha256':
          // null in, null out: an absent value is not hashed
          return ['string', 'null'];
        case 'str':
          return ['string'];
        case 'int':
        case 'len':
          return ['integer'];
        case 'float':
          return ['number'];
        case 'bool':
          return ['boolean'];
        case 'abs':
        case 'round':
          return ['number'];
        default:
          return undefined;
      }
    case 'method':
      if (STRING_RESULT.has(node.name)) return ['string'];
      if (BOOLEAN_RESULT.has(node.name)) return ['boolean'];
      if (INTEGER_RESULT.has(node.name)) return ['integer'];
      if (node.name === 'split') return ['array'];
      return undefined;
    case 'binary': {
      const left = staticTypes(node.left, properties)?.filter((t) => t !== 'null');
      const right = staticTypes(node.right, properties)?.filter((t) => t !== 'null');
      if (left === undefined || right === undefined) return undefined;
      if (node.op === '+' && left.length === 1 && left[0] === 'string') return ['string'];
      const numeric = (types: Types) => types.every((t) => t === 'integer' || t === 'number');
      if (!numeric(left) || !numeric(right)) return undefined;
      const integral = left.every((t) => t === 'integer') && right.every((t) => t === 'integer');
      return integral && node.op !== '/' && node.op !== '**' ? ['integer'] : ['number'];
    }
    case 'slice':
      return staticTypes(node.target, properties)?.includes('string') ? ['string'] : undefined;
    case 'index':
      return undefined;
  }
}

/**
 * The schema of a mapped property. The Singer SDK's rules come first (`record` is the stream's
 * schema; `float(`, `int(`, `str(`, `bool(` and a quoted literal give their type; a plain
 * property name keeps that property's schema); then, so that the schema sent downstream
 * matches what is emitted, the type that follows from the expression's form (a hash is a
 * string or null, `upper()` a string, a comparison a boolean, integer arithmetic an integer),
 * without the source's format or length limits; only when the form says nothing, the
 * property's existing schema, else a string (the SDK's fallback).
 */
export function expressionSchema(
  source: string,
  node: Node,
  properties: Record<string, JsonSchema>,
  existing: JsonSchema | undefined,
  streamSchema: JsonSchema,
): JsonSchema {
  const text = source.trim();
  if (text === 'record') return streamSchema;
  if (text.startsWith('float(')) return { type: 'number' };
  if (text.startsWith('int(')) return { type: 'integer' };
  if (text.startsWith('str(')) return { type: 'string' };
  if (text.startsWith('bool(')) return { type: 'boolean' };
  if (node.kind === 'name' && Object.hasOwn(properties, node.name)) return properties[node.name]!;
  const types = staticTypes(node, properties);
  if (types !== undefined && types.length > 0) {
    const schema: JsonSchema = { type: types.length === 1 ? types[0]! : types };
    if (types.includes('array') && node.kind === 'method' && node.name === 'split')
      schema.items = { type: 'string' };
    return schema;
  }
  return existing ?? { type: 'string' };
}
