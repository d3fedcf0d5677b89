/** The three core streams: order_hdr, order_dtl (-> order_hdr), allocation (-> order_dtl). */
import type { Dataset } from '../dataset.js';
import { f } from '../fields.js';
import { below, mix, pick, unit } from '../hash.js';
import type { RowContext } from '../row.js';
import { CITIES, FIRST, LAST, LOCK_CODES, padded, STREETS } from '../words.js';
import { custom, drawnFacility, type EntityDef, head, localDay, tail } from './entity.js';
import { locationString } from './master.js';

const ORDER_STATUSES = [0, 10, 20, 30, 40, 50, 90, 99] as const;

export function orderNbr(orderId: number): string {
  return padded('ORD', orderId, 8);
}

export function orderFacility(ds: Dataset, orderId: number): number {
  return drawnFacility(ds, ds.table('order_hdr').hash, orderId);
}

export function orderCompany(ds: Dataset, orderId: number): number {
  return 1 + below(mix(ds.table('order_hdr').hash, orderId), 12, ds.initialSize('company'));
}

/** Ordered quantity of an order line in tenths: stable for the life of the line. */
export function orderedTenths(ds: Dataset, dtlId: number): number {
  const h = mix(ds.table('order_dtl').hash, dtlId);
  return (1 + below(h, 41, 50)) * 10 + (unit(h, 42) < 0.25 ? 5 : 0);
}

export function lineItem(ds: Dataset, dtlId: number): number {
  return 1 + below(mix(ds.table('order_dtl').hash, dtlId), 40, ds.initialSize('item'));
}

/** The order a line belongs to (0 when the line id does not exist). */
function lineOrder(ds: Dataset, dtlId: number): number {
  const dtl = ds.table('order_dtl');
  return dtlId >= 1 && dtlId <= dtl.size ? (dtl.ref[dtlId - 1] as number) : 0;
}

function person(h: number, salt: number): string {
  return pick(h, salt, FIRST) + ' ' + pick(h, salt + 1, LAST);
}

function orderStatus(r: RowContext): number {
  return r.version === 0 ? pick(r.h, 60, ORDER_STATUSES) : pick(r.hv, 60, ORDER_STATUSES);
}

export const orderHdr: EntityDef = {
  name: 'order_hdr',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => orderNbr(id),
  facilityOf: (r) => orderFacility(r.ds, r.id),
  fields: [
    ...head('order_hdr'),
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.rel('company_id', 'company', (r) => orderCompany(r.ds, r.id), { required: 'Y', filterable: true }),
    f.str('order_nbr', (r) => orderNbr(r.id), { required: 'Y', filterable: true, maxLength: 50 }),
    f.rel('order_type_id', 'order_type', (r) => 1 + below(r.h, 61, 4), { required: 'Y', filterable: true }),
    f.int('status_id', orderStatus, { required: 'Y', filterable: true }),
    f.date('ord_date', (r) => localDay(r, r.table.createTs[r.idx] as number), { filterable: true }),
    f.date('exp_date', (r) => localDay(r, r.table.createTs[r.idx] as number) + 30),
    f.date('req_ship_date', (r) => localDay(r, r.table.createTs[r.idx] as number) + 1 + below(r.h, 62, 7)),
    f.str('cust_name', (r) => person(r.h, 63), { escape: true, maxLength: 100, filterable: true }),
    f.str('cust_addr', (r) => 1 + below(r.h, 65, 999) + ' ' + pick(r.h, 66, STREETS), { escape: true }),
    f.str('cust_city', (r) => pick(r.h, 67, CITIES)[0], { escape: true, maxLength: 40 }),
    f.str('cust_state', (r) => pick(r.h, 67, CITIES)[1], { maxLength: 3 }),
    f.str('cust_zip', (r) => pick(r.h, 67, CITIES)[3], { maxLength: 10 }),
    f.str('cust_country', (r) => pick(r.h, 67, CITIES)[2], { maxLength: 2 }),
    f.str('shipto_name', (r) => person(r.h, 68), { escape: true, maxLength: 100, required: 'C' }),
    f.str('shipto_addr', (r) => 1 + below(r.h, 70, 999) + ' ' + pick(r.h, 71, STREETS), { escape: true }),
    f.str('shipto_city', (r) => pick(r.h, 72, CITIES)[0], { escape: true, maxLength: 40 }),
    f.str('shipto_state', (r) => pick(r.h, 72, CITIES)[1], { maxLength: 3 }),
    f.str('shipto_zip', (r) => pick(r.h, 72, CITIES)[3], { maxLength: 10 }),
    f.str('shipto_country', (r) => pick(r.h, 72, CITIES)[2], { maxLength: 2 }),
    f.int('priority', (r) => 1 + below(r.hv, 73, 9), { filterable: true }),
    f.str('sales_order_nbr', (r) => padded('SO', r.id * 3 + 7, 9), { filterable: true }),
    f.str('customer_po_nbr', (r) => (unit(r.h, 74) < 0.3 ? null : padded('PO', below(r.h, 75, 1e7), 8))),
    f.dec('total_orig_ord_qty', 1, (r) => (1 + below(r.h, 76, 2000)) * 5),
    f.int('orig_sku_count', (r) => 1 + below(r.h, 77, 12)),
    f.dec('orig_sale_price', 2, (r) => 100 + below(r.h, 78, 10_000_000)),
    f.bool('stop_ship_flg', (r) => unit(r.hv, 79) < 0.02),
    f.ts('order_shipped_ts', (r) =>
      orderStatus(r) === 90 ? (r.table.modTs[r.idx] as number) - below(r.hv, 80, 3600) * 1_000_000 : null,
    ),
    ...custom('OH', ['field', 'date', 'number', 'decimal']),
    f.set('order_dtl_set', 'order_dtl', 'order_id', (r) => r.table.seq[r.idx] as number),
    ...tail({ modTs: true }),
  ],
};

function lineStatus(r: RowContext): number {
  const allocated = r.table.qty[r.idx] as number;
  if (allocated === 0) return 0;
  if (allocated < orderedTenths(r.ds, r.id)) return 10;
  return r.version === 0 ? 20 : pick(r.hv, 81, [20, 30, 40, 90]);
}

export const orderDtl: EntityDef = {
  name: 'order_dtl',
  hasModTs: true,
  deletable: true,
  parent: { entity: 'order_hdr', field: 'order_id' },
  keyOf: (ds, id) => {
    const dtl = ds.table('order_dtl');
    return id <= dtl.size ? orderNbr(dtl.ref[id - 1] as number) + '-' + dtl.seq[id - 1] : String(id);
  },
  facilityOf: (r) => orderFacility(r.ds, r.table.ref[r.idx] as number),
  fields: [
    ...head('order_dtl'),
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.rel('company_id', 'company', (r) => orderCompany(r.ds, r.table.ref[r.idx] as number), {
      required: 'Y',
      filterable: true,
    }),
    f.rel('order_id', 'order_hdr', (r) => r.table.ref[r.idx] as number, { required: 'Y', filterable: true }),
    f.int('seq_nbr', (r) => r.table.seq[r.idx] as number, { required: 'Y', filterable: true }),
    f.rel('item_id', 'item', (r) => lineItem(r.ds, r.id), { required: 'Y', filterable: true }),
    f.dec('ord_qty', 1, (r) => orderedTenths(r.ds, r.id), { required: 'Y' }),
    f.dec('orig_ord_qty', 1, (r) => orderedTenths(r.ds, r.id) + (unit(r.h, 82) < 0.1 ? 10 : 0)),
    f.dec('alloc_qty', 1, (r) => r.table.qty[r.idx] as number),
    f.str('po_nbr', (r) => (unit(r.h, 83) < 0.5 ? null : padded('PO', below(r.h, 84, 1e7), 8))),
    f.str('shipment_nbr', (r) => (r.version === 0 ? null : padded('SHP', below(r.hv, 85, 1e6), 7))),
    f.dec('cost', 2, (r) => 50 + below(r.h, 86, 500_000)),
    f.dec('sale_price', 2, (r) => 100 + below(r.h, 87, 900_000)),
    f.str('lock_code', (r) => (unit(r.hv, 88) < 0.95 ? null : pick(r.hv, 89, LOCK_CODES)), { maxLength: 10 }),
    f.str('serial_nbr', (r) => (unit(r.h, 90) < 0.9 ? null : padded('SN', r.id, 10))),
    f.int('status_id', lineStatus, { required: 'Y', filterable: true }),
    f.rel('uom_id', 'uom', (r) => 1 + below(r.h, 91, 3)),
    f.dec('ordered_uom_qty', 1, (r) => orderedTenths(r.ds, r.id)),
    f.str('host_ob_lpn_nbr', (r) => (unit(r.h, 92) < 0.7 ? null : padded('LPN', r.id, 10))),
    f.str('ref_nbr_1', (r) => padded('R', below(r.h, 93, 1e6), 7)),
    f.str('voucher_nbr', (r) => (unit(r.h, 94) < 0.8 ? null : padded('V', below(r.h, 95, 1e5), 6))),
    f.dec('voucher_amount', 2, (r) => (unit(r.h, 94) < 0.8 ? null : below(r.h, 96, 10_000))),
    f.str('spl_instr', (r) => (unit(r.h, 97) < 0.85 ? null : 'Fragile: "this side up"'), {
      escape: true,
      maxLength: 250,
    }),
    f.bool('externally_planned_load_flg', (r) => unit(r.h, 98) < 0.1),
    ...custom('OD', ['field', 'date', 'number', 'decimal']),
    ...tail({ modTs: true }),
  ],
};

function allocationLine(r: RowContext): number {
  return r.table.ref[r.idx] as number;
}

export const allocation: EntityDef = {
  name: 'allocation',
  hasModTs: true,
  deletable: true,
  parent: { entity: 'order_dtl', field: 'order_dtl_id' },
  keyOf: (_ds, id) => String(id),
  facilityOf: (r) => {
    const order = lineOrder(r.ds, allocationLine(r));
    return order === 0 ? drawnFacility(r.ds, r.table.hash, r.id) : orderFacility(r.ds, order);
  },
  fields: [
    ...head('allocation'),
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.rel('order_dtl_id', 'order_dtl', allocationLine, { required: 'Y', filterable: true }),
    f.rel('item_id', 'item', (r) => lineItem(r.ds, allocationLine(r)), { filterable: true }),
    f.int('status_id', (r) => (r.version === 0 ? 0 : pick(r.hv, 100, [0, 10, 20, 90])), {
      required: 'Y',
      filterable: true,
    }),
    f.rel('type_id', 'allocation_type', (r) => 1 + below(r.h, 101, 3)),
    f.rel(
      'wave_id',
      'wave',
      (r) => (unit(r.h, 102) < 0.1 ? null : 1 + below(r.h, 103, r.ds.initialSize('wave'))),
      {
        filterable: true,
      },
    ),
    f.rel('task_id', 'task', (r) =>
      unit(r.hv, 104) < 0.3 ? null : 1 + below(r.hv, 105, r.ds.initialSize('task')),
    ),
    f.int('task_seq_nbr', (r) => 1 + below(r.hv, 106, 50)),
    f.dec('alloc_qty', 1, (r) => r.table.qty[r.idx] as number, { required: 'Y' }),
    f.dec('packed_qty', 1, (r) => below(r.hv, 107, (r.table.qty[r.idx] as number) / 5 + 1) * 5),
    f.rel('from_inventory_id', 'inventory', (r) => 1 + below(r.h, 108, r.ds.initialSize('inventory'))),
    f.rel('to_inventory_id', 'inventory', (r) =>
      unit(r.hv, 109) < 0.5 ? null : 1 + below(r.hv, 110, r.ds.initialSize('inventory')),
    ),
    f.str('pick_user', (r) => (r.version === 0 ? null : person(r.hv, 111)), { escape: true, maxLength: 30 }),
    f.ts('picked_ts', (r) =>
      r.version === 0 ? null : (r.table.modTs[r.idx] as number) - below(r.hv, 113, 600) * 1_000_000,
    ),
    f.str('pick_locn_str', (r) => locationString(1 + below(r.h, 114, r.ds.initialSize('location'))), {
      filterable: true,
      maxLength: 40,
    }),
    f.bool('is_picking_flg', (r) => unit(r.hv, 115) < 0.2),
    ...tail({ modTs: true }),
  ],
};
