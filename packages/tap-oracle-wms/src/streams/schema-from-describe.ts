import { type JsonSchema, SingerError } from '@wms-singer/singer';

/** One field as `describe` reports it; every attribute is optional because releases differ. */
export interface DescribeField {
  type?: unknown;
  required?: unknown;
  allow_blank?: unknown;
  max_length?: unknown;
  default?: unknown;
}

export type DescribeFields = Record<string, DescribeField>;

/**
 * The `fields` of a describe answer (not `parameters`, which is only the filterable subset).
 * Accepts the documented object `{name: {...}}` and, defensively, a list of `{name, ...}`.
 */
export function readDescribe(body: unknown, entity: string): DescribeFields {
  const fields = (body as { fields?: unknown } | null)?.fields;
  if (Array.isArray(fields)) {
    const byName: DescribeFields = {};
    for (const item of fields) {
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name === 'string') byName[name] = item as DescribeField;
    }
    if (Object.keys(byName).length > 0) return byName;
  } else if (typeof fields === 'object' && fields !== null && Object.keys(fields).length > 0) {
    return fields as DescribeFields;
  }
  throw new SingerError('DESCRIBE_INVALID', `entity ${entity}: the describe answer has no "fields"`);
}

/** describe's `parameters` (the filterable fields); undefined when absent or not a list of names. */
export function readParameters(body: unknown): Set<string> | undefined {
  const parameters = (body as { parameters?: unknown } | null)?.parameters;
  if (!Array.isArray(parameters)) return undefined;
  return new Set(parameters.filter((name): name is string => typeof name === 'string'));
}

/**
 * A relation: `{id, key, url}`, or null. An object-only type keeps relations flattenable by the
 * target (`order_id__id` columns with flattening_enabled).
 */
const FOREIGN_KEY: JsonSchema = {
  type: ['object', 'null'],
  properties: {
    id: { type: ['integer', 'null'] },
    key: { type: ['string', 'null'] },
    url: { type: ['string', 'null'] },
  },
};

const CHILD_SET: JsonSchema = {
  type: ['object', 'null'],
  properties: {
    result_count: { type: ['integer', 'null'] },
    url: { type: ['string', 'null'] },
  },
};

/**
 * JSON Schema of one field. Decimals stay strings (the API sends them as strings; a float
 * would lose digits) marked `singer.decimal`. A type we do not know is kept as sent: an
 * empty schema accepts any value, where guessing would fail the run or the target.
 */
export function propertySchema(name: string, field: DescribeField): JsonSchema {
  const type = typeof field.type === 'string' ? field.type.toLowerCase() : '';
  if (name === 'id') return { type: 'integer' };
  switch (type) {
    case 'integer':
    case 'int':
    case 'bigint':
    case 'smallint':
    case 'long':
      return { type: ['integer', 'null'] };
    case 'decimal':
    case 'numeric':
    case 'number':
    case 'float':
    case 'double':
      return { type: ['string', 'null'], format: 'singer.decimal' };
    case 'boolean':
    case 'bool':
      return { type: ['boolean', 'null'] };
    case 'date':
      return { type: ['string', 'null'], format: 'date' };
    case 'datetime':
    case 'date_time':
    case 'timestamp':
      return { type: ['string', 'null'], format: 'date-time' };
    case 'string':
    case 'text':
    case 'char':
    case 'varchar': {
      const schema: JsonSchema = { type: ['string', 'null'] };
      if (typeof field.max_length === 'number' && field.max_length > 0) schema.maxLength = field.max_length;
      return schema;
    }
    default:
      break;
  }
  if (/relation|foreign|^fk$|many_to_one|one_to_one/.test(type)) {
    const relation = structuredClone(FOREIGN_KEY);
    // A recorded describe of a real instance types status_id like the relations while its values
    // are plain integers (wms-api.md): trust the values, admit both, never fail the run.
    if (name === 'status_id') relation.type = ['object', 'integer', 'null'];
    return relation;
  }
  if (/set|one_to_many|many_to_many/.test(type) || name.endsWith('_set')) return structuredClone(CHILD_SET);
  return { description: `WMS type "${type || 'unknown'}": kept as sent` };
}

/** The stream schema: every property nullable except `id`, in the order describe lists them. */
export function schemaFromFields(fields: DescribeFields): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  if (!('id' in fields)) properties.id = { type: 'integer' };
  for (const [name, field] of Object.entries(fields)) properties[name] = propertySchema(name, field);
  return { type: 'object', properties, required: ['id'] };
}
