import type { JsonSchema } from '@wms-singer/singer';
import type { ColumnType } from '../dialects/dialect.js';
import { joinTypes } from './type-lattice.js';

/** JSON Schema types other than "null" that a property admits, from `type` or `anyOf`. */
export function admittedTypes(schema: JsonSchema): JsonSchema[] {
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) {
    return schema.anyOf.flatMap((branch) => admittedTypes(branch));
  }
  const { type } = schema;
  if (type === undefined) {
    if (schema.properties !== undefined) return [{ ...schema, type: 'object' }];
    if (schema.items !== undefined) return [{ ...schema, type: 'array' }];
    return [{}];
  }
  const types = Array.isArray(type) ? type : [type];
  return types.filter((t) => t !== 'null').map((t) => ({ ...schema, type: t }));
}

/** An object schema with properties, i.e. one flattening could spread into columns. */
export function objectProperties(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  const admitted = admittedTypes(schema);
  if (admitted.length !== 1) return undefined;
  const only = admitted[0]!;
  if (only.type !== 'object' || only.properties === undefined) return undefined;
  return Object.keys(only.properties).length > 0 ? only.properties : undefined;
}

/**
 * JSON Schema -> logical column type (the table is in docs/type-mapping.md).
 * Several admitted types join on the type lattice (integer + number -> number); a mix with no
 * common scalar type, an object, an array or no type at all is JSON.
 */
export function columnTypeOf(schema: JsonSchema): ColumnType {
  const admitted = admittedTypes(schema);
  if (admitted.length === 0) return { kind: 'string' }; // only "null": text holds anything later
  let result: ColumnType | undefined;
  for (const branch of admitted) {
    const type = singleType(branch);
    if (result === undefined) {
      result = type;
      continue;
    }
    result = joinTypes(result, type) ?? { kind: 'json' };
  }
  return result ?? { kind: 'json' };
}

function singleType(schema: JsonSchema): ColumnType {
  switch (schema.type) {
    case 'string':
      switch (schema.format) {
        case 'date-time':
          return { kind: 'datetime' };
        case 'date':
          return { kind: 'date' };
        case 'time':
          return { kind: 'time' };
        case 'singer.decimal':
          return { kind: 'decimal' };
        default:
          return typeof schema.maxLength === 'number' &&
            Number.isInteger(schema.maxLength) &&
            schema.maxLength > 0
            ? { kind: 'string', maxLength: schema.maxLength }
            : { kind: 'string' };
      }
    case 'integer':
      return { kind: 'integer' };
    case 'number':
      return schema.format === 'singer.decimal' ? { kind: 'decimal' } : { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    default:
      return { kind: 'json' };
  }
}
