import type { DescribeFields } from '../schema-from-describe.js';

/** Field name -> describe type, the compact form bundled schemas are written in. */
export type FieldTypes = Record<string, string>;

export const HEAD: FieldTypes = { id: 'integer', url: 'string' };
export const AUDIT: FieldTypes = {
  create_user: 'string',
  create_ts: 'datetime',
  mod_user: 'string',
  mod_ts: 'datetime',
};

/** `cust_field_1..5` and friends: the same five custom slots on many entities. */
export function customSlots(kinds: Array<'field' | 'date' | 'number' | 'decimal'>): FieldTypes {
  const types = { field: 'string', date: 'date', number: 'integer', decimal: 'decimal' } as const;
  const slots: FieldTypes = {};
  for (const kind of kinds) for (let n = 1; n <= 5; n++) slots[`cust_${kind}_${n}`] = types[kind];
  return slots;
}

export function asDescribe(types: FieldTypes): DescribeFields {
  const fields: DescribeFields = {};
  for (const [name, type] of Object.entries(types)) fields[name] = { type };
  return fields;
}
