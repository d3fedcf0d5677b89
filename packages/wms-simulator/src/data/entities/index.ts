import type { EntityDef } from './entity.js';
import { ibShipment, ibShipmentDtl, purchaseOrderDtl, purchaseOrderHdr } from './inbound.js';
import { company, facility, item, location } from './master.js';
import { container, inventory, task, wave } from './operations.js';
import { allocation, orderDtl, orderHdr } from './orders.js';

export type { EntityDef } from './entity.js';

/** Served entities, parents before children (generation order). */
export const ENTITY_DEFS: readonly EntityDef[] = [
  company,
  facility,
  item,
  location,
  orderHdr,
  orderDtl,
  allocation,
  container,
  inventory,
  wave,
  task,
  ibShipment,
  ibShipmentDtl,
  purchaseOrderHdr,
  purchaseOrderDtl,
];
