import { AUDIT, customSlots, type FieldTypes, HEAD } from './common.js';

/** order_dtl as documented; its facility and company are reached through order_id. */
export const ORDER_DTL: FieldTypes = {
  ...HEAD,
  order_id: 'relation',
  seq_nbr: 'integer',
  item_id: 'relation',
  ord_qty: 'decimal',
  orig_ord_qty: 'decimal',
  alloc_qty: 'decimal',
  po_nbr: 'string',
  shipment_nbr: 'string',
  cost: 'decimal',
  sale_price: 'decimal',
  lock_code: 'string',
  serial_nbr: 'string',
  status_id: 'integer',
  uom_id: 'relation',
  ordered_uom_qty: 'decimal',
  ...customSlots(['field', 'decimal']),
  ...AUDIT,
};
