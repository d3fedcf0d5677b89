import { referenceCheck } from './reference.js';

/** Every order detail belongs to an order header that was loaded. */
export const orderDtlHasOrderHdr = referenceCheck(
  'order_dtl_has_order_hdr',
  'order_dtl',
  'order_id',
  'order_hdr',
);
