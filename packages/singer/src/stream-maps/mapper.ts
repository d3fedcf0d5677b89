import { ConfigError, SingerError } from '../errors.js';
import { carryExactNumbers } from '../exact-numbers.js';
import type { JsonObject, JsonSchema } from '../messages.js';
import type { SettingSchema } from '../settings.js';
import { evaluate, FUNCTION_NAMES, METHOD_NAMES, truthy } from './evaluate.js';
import { ExpressionError, type Node, parseExpression, type Value } from './expression.js';
import { expressionSchema } from './schema-type.js';

/** The Singer SDK's stream map settings, as both executables declare them. */
export const STREAM_MAP_SETTINGS: Record<string, SettingSchema> = {
  stream_maps: {
    type: 'object',
    title: 'Stream maps',
    description:
      'Singer SDK stream maps: per stream (or glob), __NULL__ to drop it, or an object of property: expression (__NULL__ drops the property) with __alias__, __filter__, __key_properties__ and __else__: __NULL__; a top-level __else__: __NULL__ drops unmapped streams. See docs/privacy.md.',
  },
  stream_map_config: {
    type: 'object',
    title: 'Stream map config',
    secret: true,
    writeOnly: true,
    description:
      'Values the stream map expressions read as config[...], e.g. the hash_key of hmac_sha256(); secret, never logged.',
  },
};

export const NULL_STRING = '__NULL__';
const isNull = (value: unknown): boolean => value === null || value === NULL_STRING;

interface PropertyRule {
  name: string;
  /** undefined: drop the property. */
  node: Node | undefined;
  source: string | undefined;
}

interface StreamRule {
  key: string;
  drop: boolean;
  alias: string | undefined;
  filter: Node | undefined;
  filterSource: string | undefined;
  keyProperties: string[] | undefined;
  includeByDefault: boolean;
  properties: PropertyRule[];
}

/** A stream as the map sends it on: its name, schema and keys, and the record transform. */
export interface MappedStream {
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly keyProperties: string[];
  /** The record as it goes out; undefined when `__filter__` leaves it out. */
  transform(record: JsonObject): JsonObject | undefined;
}

/** What the map does with a stream: pass it as it is, drop it, or map it. */
export type StreamDecision = { kind: 'same' } | { kind: 'drop' } | { kind: 'map'; mapped: MappedStream };

/**
 * The `stream_maps` setting, checked and parsed once. `forStream` decides per stream; a
 * connector without stream maps gets no StreamMaps at all (`fromConfig` returns undefined), so
 * its record path stays as it was.
 */
export class StreamMaps {
  private readonly rules: StreamRule[] = [];
  private readonly dropUnmapped: boolean;

  private constructor(
    maps: Record<string, unknown>,
    private readonly config: Record<string, Value>,
  ) {
    this.dropUnmapped = false;
    for (const [key, value] of Object.entries(maps)) {
      if (key === '__else__') {
        if (!isNull(value))
          throw settingError(key, 'only __NULL__ (or null) is supported: it drops unmapped streams');
        this.dropUnmapped = true;
        continue;
      }
      if (key.startsWith('__')) throw settingError(key, 'is not a stream map option');
      this.rules.push(parseStreamRule(key, value));
    }
  }

  /** undefined when the config has no stream map: nothing to do on any record. */
  static fromConfig(config: { stream_maps?: unknown; stream_map_config?: unknown }): StreamMaps | undefined {
    const maps = config.stream_maps;
    if (maps === undefined || maps === null) return undefined;
    if (typeof maps !== 'object' || Array.isArray(maps))
      throw new ConfigError('CONFIG_INVALID', 'setting "stream_maps" must be an object');
    if (Object.keys(maps).length === 0) return undefined;
    const mapConfig = config.stream_map_config ?? {};
    if (typeof mapConfig !== 'object' || mapConfig === null || Array.isArray(mapConfig))
      throw new ConfigError('CONFIG_INVALID', 'setting "stream_map_config" must be an object');
    return new StreamMaps(maps as Record<string, unknown>, mapConfig as Record<string, Value>);
  }

  /** The decision for one stream, given the schema and keys it arrives with. */
  forStream(stream: string, schema: JsonSchema, keyProperties: readonly string[]): StreamDecision {
    const rule =
      this.rules.find((r) => r.key === stream) ?? this.rules.findLast((r) => globMatches(r.key, stream));
    if (rule === undefined) return this.dropUnmapped ? { kind: 'drop' } : { kind: 'same' };
    if (rule.drop) return { kind: 'drop' };
    return { kind: 'map', mapped: buildStream(rule, stream, schema, keyProperties, this.config) };
  }
}

function settingError(path: string, message: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `setting "stream_maps.${path}" ${message}`);
}

function parse(path: string, source: string): Node {
  try {
    const node = parseExpression(source);
    checkCalls(node, path, source);
    return node;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw settingError(path, `cannot be parsed: ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}

/** Unknown functions and methods are refused when the setting is read, not at the first record. */
function checkCalls(node: Node, path: string, source: string): void {
  const visit = (n: Node): void => {
    if (n.kind === 'call' && !FUNCTION_NAMES.has(n.name))
      throw settingError(
        path,
        `calls ${n.name}(), which stream maps do not offer (in ${JSON.stringify(source)})`,
      );
    if (n.kind === 'method' && !METHOD_NAMES.has(n.name))
      throw settingError(
        path,
        `calls .${n.name}(), which stream maps do not offer (in ${JSON.stringify(source)})`,
      );
    for (const child of children(n)) visit(child);
  };
  visit(node);
}

export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'literal':
    case 'name':
      return [];
    case 'list':
      return node.items;
    case 'dict':
      return node.entries.flat();
    case 'unary':
      return [node.operand];
    case 'binary':
    case 'logic':
      return [node.left, node.right];
    case 'compare':
      return node.operands;
    case 'ternary':
      return [node.test, node.then, node.otherwise];
    case 'call':
      return node.args;
    case 'method':
      return [node.target, ...node.args];
    case 'index':
      return [node.target, node.index];
    case 'slice':
      return [node.target, ...(node.start ? [node.start] : []), ...(node.end ? [node.end] : [])];
  }
}

function parseStreamRule(key: string, value: unknown): StreamRule {
  const rule: StreamRule = {
    key,
    drop: false,
    alias: undefined,
    filter: undefined,
    filterSource: undefined,
    keyProperties: undefined,
    includeByDefault: true,
    properties: [],
  };
  if (isNull(value)) return { ...rule, drop: true };
  if (typeof value !== 'object' || Array.isArray(value) || value === null)
    throw settingError(key, 'must be __NULL__ (drop the stream) or an object of property maps');
  for (const [name, definition] of Object.entries(value)) {
    const path = `${key}.${name}`;
    switch (name) {
      case '__alias__':
        if (typeof definition !== 'string' || definition === '')
          throw settingError(path, 'must be a stream name');
        rule.alias = definition;
        break;
      case '__source__':
        throw settingError(
          path,
          'is not supported (copying a stream into a second one); map the stream itself',
        );
      case '__filter__':
        if (typeof definition !== 'string') throw settingError(path, 'must be an expression (a string)');
        rule.filter = parse(path, definition);
        rule.filterSource = definition;
        break;
      case '__key_properties__':
        if (definition === null) rule.keyProperties = [];
        else if (Array.isArray(definition) && definition.every((k) => typeof k === 'string'))
          rule.keyProperties = definition;
        else throw settingError(path, 'must be a list of property names, or null');
        break;
      case '__else__':
        if (!isNull(definition))
          throw settingError(path, 'only __NULL__ (or null) is supported: it drops unmapped properties');
        rule.includeByDefault = false;
        break;
      default:
        if (name.startsWith('__')) throw settingError(path, 'is not a stream map option');
        if (isNull(definition)) rule.properties.push({ name, node: undefined, source: undefined });
        else if (typeof definition === 'string')
          rule.properties.push({ name, node: parse(path, definition), source: definition });
        else throw settingError(path, 'must be an expression (a string) or __NULL__');
    }
  }
  return rule;
}

/** fnmatch-style: `*` any run, `?` one character; other characters stand for themselves. */
function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return false;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(name);
}

const RESERVED_NAMES = new Set(['record', '_', 'config', 'self']);

function buildStream(
  rule: StreamRule,
  stream: string,
  schema: JsonSchema,
  keys: readonly string[],
  config: Record<string, Value>,
): MappedStream {
  const where = `stream_maps.${rule.key}`;
  const rawProperties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const keyProperties = rule.keyProperties ?? [...keys];
  const properties: Record<string, JsonSchema> = {};
  if (rule.includeByDefault) Object.assign(properties, rawProperties);
  else
    for (const key of keyProperties)
      if (rawProperties[key] !== undefined) properties[key] = rawProperties[key];
  const rules: PropertyRule[] = [];
  for (const property of rule.properties) {
    const path = `${rule.key}.${property.name}`;
    // A map of a property this stream does not have, reading nothing else (a shared privacy map
    // naming cust_email on an instance without it): nothing to rewrite, so no column of nulls.
    if (
      !Object.hasOwn(rawProperties, property.name) &&
      (property.node === undefined || rewritesOnly(property.node, property.name))
    )
      continue;
    rules.push(property);
    if (property.node === undefined) {
      if (keyProperties.includes(property.name))
        throw settingError(
          path,
          `drops key property "${property.name}" of stream ${stream}: name new keys with __key_properties__ (null for none)`,
        );
      delete properties[property.name];
      continue;
    }
    checkNames(property.node, rawProperties, path, stream);
    properties[property.name] = expressionSchema(
      property.source!,
      property.node,
      rawProperties,
      properties[property.name] ?? rawProperties[property.name],
      schema,
    );
  }
  if (rule.filter !== undefined) checkNames(rule.filter, rawProperties, `${rule.key}.__filter__`, stream);
  for (const key of keyProperties) {
    if (properties[key] === undefined)
      throw settingError(
        `${rule.key}.__key_properties__`,
        `names "${key}", which stream ${stream} does not send after the map`,
      );
  }
  const outSchema: JsonSchema = { ...schema, properties };
  if (Array.isArray(schema.required))
    outSchema.required = (schema.required as string[]).filter((name) => name in properties);
  const outStream = rule.alias ?? stream;
  const { filter, filterSource, includeByDefault } = rule;
  return {
    stream: outStream,
    schema: outSchema,
    keyProperties,
    transform(record: JsonObject): JsonObject | undefined {
      const input = record as Record<string, Value>;
      if (
        filter !== undefined &&
        !truthy(run(filter, filterSource!, '__filter__', { record: input, config }))
      )
        return undefined;
      let result: Record<string, Value>;
      if (includeByDefault) result = { ...input };
      else {
        result = {};
        for (const key of keyProperties) if (Object.hasOwn(input, key)) result[key] = input[key]!;
      }
      for (const property of rules) {
        if (property.node === undefined) delete result[property.name];
        else {
          const scope = Object.hasOwn(input, property.name)
            ? { record: input, config, self: input[property.name]! }
            : { record: input, config };
          result[property.name] = run(property.node, property.source!, property.name, scope);
        }
      }
      carryExactNumbers(input, result);
      return result as JsonObject;
    },
  };

  function run(node: Node, source: string, property: string, scope: Parameters<typeof evaluate>[1]): Value {
    try {
      return evaluate(node, scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      throw new SingerError(
        'STREAM_MAP_FAILED',
        `stream "${stream}", ${where}.${property}: ${JSON.stringify(source)} failed: ${error.message}`,
      );
    }
  }
}

/** The expression reads `name` (or `self`) and no other record property (config aside). */
function rewritesOnly(node: Node, name: string): boolean {
  let reads = false;
  const visit = (n: Node): boolean => {
    if (n.kind === 'name') {
      if (n.name === name || n.name === 'self') reads = true;
      return n.name === name || n.name === 'self' || n.name === 'config';
    }
    return children(n).every(visit);
  };
  return visit(node) && reads;
}

/** A name an expression reads must be a property of the stream (or record, _, config, self). */
function checkNames(node: Node, properties: Record<string, JsonSchema>, path: string, stream: string): void {
  const visit = (n: Node): void => {
    if (n.kind === 'name' && !RESERVED_NAMES.has(n.name) && !Object.hasOwn(properties, n.name))
      throw settingError(path, `reads "${n.name}", which is not a property of stream ${stream}`);
    for (const child of children(n)) visit(child);
  };
  visit(node);
}
