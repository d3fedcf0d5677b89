import type { DescribeFields } from '../schema-from-describe.js';
import { ALLOCATION } from './allocation.js';
import { asDescribe, type FieldTypes } from './common.js';
import { ORDER_DTL } from './order-dtl.js';
import { ORDER_HDR } from './order-hdr.js';

const BUNDLED: Record<string, FieldTypes> = {
  allocation: ALLOCATION,
  order_hdr: ORDER_HDR,
  order_dtl: ORDER_DTL,
};

export const BUNDLED_ENTITIES = Object.keys(BUNDLED);

/** The shipped field list of an entity, in describe's shape; undefined when none ships. */
export function bundledFields(entity: string): DescribeFields | undefined {
  const types = BUNDLED[entity];
  return types === undefined ? undefined : asDescribe(types);
}
