import { AUDIT, type FieldTypes, HEAD } from './common.js';

/** allocation as documented; its facility is reached through order_dtl_id -> order_id. */
export const ALLOCATION: FieldTypes = {
  ...HEAD,
  order_dtl_id: 'relation',
  status_id: 'integer',
  type_id: 'relation',
  wave_id: 'relation',
  task_id: 'relation',
  task_seq_nbr: 'integer',
  alloc_qty: 'decimal',
  packed_qty: 'decimal',
  from_inventory_id: 'relation',
  to_inventory_id: 'relation',
  pick_user: 'string',
  picked_ts: 'datetime',
  pick_locn_str: 'string',
  is_picking_flg: 'boolean',
  ...AUDIT,
};
