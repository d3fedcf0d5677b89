/**
 * Inbound: purchase orders (purchase_order_hdr, purchase_order_dtl) and the shipments (ASNs) that deliver
 * them (ib_shipment, ib_shipment_dtl). Small by default. Headers are never purged, so lines always point
 * at a live header; lines are spread evenly over the generated headers and numbered within them.
 */
import type { Dataset } from '../dataset.js';
import { f } from '../fields.js';
import { below, pick, unit } from '../hash.js';
import type { RowContext } from '../row.js';
import { padded } from '../words.js';
import {
  drawn,
  drawnFacility,
  type EntityDef,
  head,
  localDay,
  owners,
  spreadParent,
  tail,
} from './entity.js';

const SHIPMENT_STATUSES = [0, 10, 20, 30, 90] as const;
const PO_STATUSES = [0, 10, 20, 90, 99] as const;

/** A line's number within its header: generated lines count from 1; later ones from 101. */
function lineNumber(ds: Dataset, child: string, parent: string, id: number): number {
  const children = ds.initialSize(child);
  const parents = ds.initialSize(parent);
  if (id > children) return 100 + id - children;
  const header = Math.floor(((id - 1) * parents) / children);
  return id - Math.ceil((header * children) / parents);
}

export const ibShipment: EntityDef = {
  name: 'ib_shipment',
  hasModTs: true,
  deletable: false,
  keyOf: (_ds, id) => padded('ASN', id, 8),
  facilityOf: (r) => drawnFacility(r.ds, r.table.hash, r.id),
  fields: [
    ...head('ib_shipment'),
    ...owners(),
    f.str('shipment_nbr', (r) => padded('ASN', r.id, 8), { required: 'Y', filterable: true, maxLength: 50 }),
    f.int('status_id', (r) => pick(r.version === 0 ? r.h : r.hv, 70, SHIPMENT_STATUSES), {
      required: 'Y',
      filterable: true,
    }),
    f.rel('vendor_id', 'vendor', (r) => 1 + below(r.h, 71, 40), { filterable: true }),
    f.str('trailer_nbr', (r) => (unit(r.h, 72) < 0.3 ? null : padded('TRL', below(r.h, 73, 1e5), 6))),
    f.str('ref_nbr', (r) => padded('REF', below(r.h, 74, 1e7), 8), { maxLength: 50 }),
    f.date('shipped_date', (r) => localDay(r, r.table.createTs[r.idx] as number) - below(r.h, 75, 5)),
    f.ts('verified_ts', (r) => (r.version === 0 ? null : (r.table.modTs[r.idx] as number))),
    ...tail({ modTs: true }),
  ],
};

function shipmentOf(r: RowContext): number {
  return spreadParent(r.ds, 'ib_shipment_dtl', 'ib_shipment', r.id, r.h);
}

export const ibShipmentDtl: EntityDef = {
  name: 'ib_shipment_dtl',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => String(id),
  facilityOf: (r) => drawnFacility(r.ds, r.ds.table('ib_shipment').hash, shipmentOf(r)),
  fields: [
    ...head('ib_shipment_dtl'),
    f.rel('shipment_id', 'ib_shipment', shipmentOf, { required: 'Y', filterable: true }),
    f.int('seq_nbr', (r) => lineNumber(r.ds, 'ib_shipment_dtl', 'ib_shipment', r.id), { required: 'Y' }),
    f.rel('item_id', 'item', (r) => drawn(r, 'item', 81), { required: 'Y', filterable: true }),
    f.dec('shipped_qty', 1, (r) => (1 + below(r.h, 82, 500)) * 10),
    f.dec('received_qty', 1, (r) => (r.version === 0 ? 0 : below(r.hv, 83, 500) * 10)),
    f.str('po_nbr', (r) => (unit(r.h, 84) < 0.3 ? null : padded('PO', below(r.h, 85, 1e7), 8)), {
      filterable: true,
    }),
    f.str('lpn_nbr', (r) => (unit(r.h, 86) < 0.5 ? null : padded('LPN', drawn(r, 'container', 87), 9))),
    f.date('expiry_date', (r) => (unit(r.h, 88) < 0.7 ? null : 20_300 + below(r.h, 89, 700))),
    f.int('status_id', (r) => (r.version === 0 ? 0 : pick(r.hv, 90, [10, 20, 90])), {
      required: 'Y',
      filterable: true,
    }),
    ...tail({ modTs: true }),
  ],
};

export const purchaseOrderHdr: EntityDef = {
  name: 'purchase_order_hdr',
  hasModTs: true,
  deletable: false,
  keyOf: (_ds, id) => padded('PO', id, 8),
  facilityOf: (r) => drawnFacility(r.ds, r.table.hash, r.id),
  fields: [
    ...head('purchase_order_hdr'),
    ...owners(),
    f.str('po_nbr', (r) => padded('PO', r.id, 8), { required: 'Y', filterable: true, maxLength: 50 }),
    f.rel('vendor_id', 'vendor', (r) => 1 + below(r.h, 120, 40), { filterable: true }),
    f.int('status_id', (r) => pick(r.version === 0 ? r.h : r.hv, 121, PO_STATUSES), {
      required: 'Y',
      filterable: true,
    }),
    f.date('ord_date', (r) => localDay(r, r.table.createTs[r.idx] as number), { filterable: true }),
    f.date('delivery_date', (r) => localDay(r, r.table.createTs[r.idx] as number) + 3 + below(r.h, 122, 20)),
    f.str('ref_nbr', (r) => (unit(r.h, 123) < 0.4 ? null : padded('R', below(r.h, 124, 1e6), 7)), {
      maxLength: 50,
    }),
    ...tail({ modTs: true }),
  ],
};

function purchaseOrderOf(r: RowContext): number {
  return spreadParent(r.ds, 'purchase_order_dtl', 'purchase_order_hdr', r.id, r.h);
}

export const purchaseOrderDtl: EntityDef = {
  name: 'purchase_order_dtl',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => String(id),
  facilityOf: (r) => drawnFacility(r.ds, r.ds.table('purchase_order_hdr').hash, purchaseOrderOf(r)),
  fields: [
    ...head('purchase_order_dtl'),
    f.rel('po_id', 'purchase_order_hdr', purchaseOrderOf, { required: 'Y', filterable: true }),
    f.int('seq_nbr', (r) => lineNumber(r.ds, 'purchase_order_dtl', 'purchase_order_hdr', r.id), {
      required: 'Y',
    }),
    f.rel('item_id', 'item', (r) => drawn(r, 'item', 130), { required: 'Y', filterable: true }),
    f.dec('ord_qty', 1, (r) => (1 + below(r.h, 131, 1000)) * 10, { required: 'Y' }),
    f.dec('received_qty', 1, (r) => (r.version === 0 ? 0 : below(r.hv, 132, 1000) * 10)),
    f.dec('unit_cost', 2, (r) => 50 + below(r.h, 133, 100_000)),
    f.int('status_id', (r) => (r.version === 0 ? 0 : pick(r.hv, 134, [10, 20, 90])), {
      required: 'Y',
      filterable: true,
    }),
    ...tail({ modTs: true }),
  ],
};
