import { referenceCheck } from './reference.js';

/** Every allocation belongs to an order detail that was loaded. */
export const allocationHasOrderDtl = referenceCheck(
  'allocation_has_order_dtl',
  'allocation',
  'order_dtl_id',
  'order_dtl',
);
