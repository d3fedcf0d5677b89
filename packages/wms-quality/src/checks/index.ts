import { allocatedWithinOrdered } from './allocated-within-ordered.js';
import { allocationHasOrderDtl } from './allocation-has-order-dtl.js';
import type { Check } from './check.js';
import { completeness } from './completeness.js';
import { freshness } from './freshness.js';
import { orderDtlHasOrderHdr } from './order-dtl-has-order-hdr.js';
import { rejects } from './rejects.js';

export type { Check, CheckContext, CheckOutcome } from './check.js';

/** Every check, in the order they run and are reported. */
export const CHECKS: readonly Check[] = [
  orderDtlHasOrderHdr,
  allocationHasOrderDtl,
  allocatedWithinOrdered,
  freshness,
  completeness,
  rejects,
];
