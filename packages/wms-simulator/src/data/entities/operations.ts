/**
 * Warehouse operations beyond orders: container (LPNs), inventory, wave and task. Small by default;
 * references point at rows of the served tables (drawn within their generated size, so they stay valid
 * while those tables are not purged: container and wave never are; item, location, inventory and task may
 * be, leaving references dangling as on a real purge).
 */
import type { Dataset } from '../dataset.js';
import { f } from '../fields.js';
import { below, pick, unit } from '../hash.js';
import { padded, USERS } from '../words.js';
import { drawn, drawnFacility, type EntityDef, head, localDay, owners, tail } from './entity.js';

/** The facility of a location (as master.ts draws it). */
function locationFacility(ds: Dataset, location: number): number {
  return 1 + ((location - 1) % ds.initialSize('facility'));
}

const LPN_STATUSES = [0, 10, 30, 50, 90, 95] as const;
const TASK_STATUSES = [0, 10, 20, 90, 99] as const;
const WAVE_STATUSES = [0, 10, 20, 40, 90] as const;
const BATCHES = ['B2025A', 'B2025B', 'LOT-7', 'LOT-9', null] as const;

export const container: EntityDef = {
  name: 'container',
  hasModTs: true,
  deletable: false,
  keyOf: (_ds, id) => padded('LPN', id, 9),
  facilityOf: (r) => drawnFacility(r.ds, r.table.hash, r.id),
  fields: [
    ...head('container'),
    ...owners(),
    f.str('container_nbr', (r) => padded('LPN', r.id, 9), { required: 'Y', filterable: true, maxLength: 50 }),
    f.str('type', (r) => (unit(r.h, 20) < 0.7 ? 'I' : 'O'), {
      required: 'Y',
      filterable: true,
      maxLength: 1,
    }),
    f.int('status_id', (r) => pick(r.version === 0 ? r.h : r.hv, 21, LPN_STATUSES), {
      required: 'Y',
      filterable: true,
    }),
    f.rel('curr_location_id', 'location', (r) => (unit(r.hv, 22) < 0.1 ? null : drawn(r, 'location', 23)), {
      filterable: true,
    }),
    f.dec('weight', 3, (r) => below(r.hv, 24, 2_000_000)),
    f.dec('volume', 3, (r) => below(r.hv, 25, 5_000_000)),
    f.date('priority_date', (r) =>
      unit(r.h, 26) < 0.5 ? null : localDay(r, r.table.createTs[r.idx] as number),
    ),
    ...tail({ modTs: true }),
  ],
};

export const inventory: EntityDef = {
  name: 'inventory',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => String(id),
  facilityOf: (r) => locationFacility(r.ds, drawn(r, 'location', 30)),
  fields: [
    ...head('inventory'),
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.rel('item_id', 'item', (r) => drawn(r, 'item', 31), { required: 'Y', filterable: true }),
    f.rel('location_id', 'location', (r) => drawn(r, 'location', 30), { filterable: true }),
    f.rel('container_id', 'container', (r) => (unit(r.h, 32) < 0.4 ? null : drawn(r, 'container', 33)), {
      filterable: true,
    }),
    f.str('batch_nbr', (r) => pick(r.h, 34, BATCHES), { filterable: true, maxLength: 50 }),
    f.date('expiry_date', (r) => (unit(r.h, 35) < 0.6 ? null : 20_300 + below(r.h, 36, 700))),
    f.dec('curr_qty', 1, (r) => below(r.hv, 37, 5000) * 5),
    f.dec('orig_qty', 1, (r) => (100 + below(r.h, 38, 5000)) * 5),
    f.dec('pack_qty', 1, (r) => (1 + below(r.h, 39, 12)) * 10),
    f.dec('case_qty', 1, (r) => (1 + below(r.h, 40, 48)) * 10),
    f.int('status_id', (r) => (unit(r.hv, 41) < 0.9 ? 0 : 10), { required: 'Y', filterable: true }),
    f.str('invn_attr_a', (r) => (unit(r.h, 42) < 0.7 ? null : 'GRADE-' + 'ABC'[below(r.h, 43, 3)]), {
      maxLength: 30,
    }),
    ...tail({ modTs: true }),
  ],
};

export const wave: EntityDef = {
  name: 'wave',
  hasModTs: true,
  deletable: false,
  keyOf: (_ds, id) => padded('WAV', id, 7),
  facilityOf: (r) => drawnFacility(r.ds, r.table.hash, r.id),
  fields: [
    ...head('wave'),
    ...owners(),
    f.str('wave_nbr', (r) => padded('WAV', r.id, 7), { required: 'Y', filterable: true, maxLength: 50 }),
    f.int('status_id', (r) => pick(r.version === 0 ? r.h : r.hv, 50, WAVE_STATUSES), {
      required: 'Y',
      filterable: true,
    }),
    f.rel('wave_template_id', 'wave_template', (r) => 1 + below(r.h, 51, 3), { filterable: true }),
    f.ts('start_ts', (r) => (r.table.createTs[r.idx] as number) + below(r.h, 52, 3600) * 1_000_000),
    f.ts('end_ts', (r) =>
      r.version === 0 ? null : (r.table.modTs[r.idx] as number) - below(r.hv, 53, 600) * 1e6,
    ),
    f.int('order_count', (r) => 1 + below(r.h, 54, 200)),
    f.dec('total_units', 1, (r) => (1 + below(r.h, 55, 10_000)) * 5),
    ...tail({ modTs: true }),
  ],
};

export const task: EntityDef = {
  name: 'task',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => padded('TSK', id, 8),
  facilityOf: (r) => drawnFacility(r.ds, r.ds.table('wave').hash, drawn(r, 'wave', 60)),
  fields: [
    ...head('task'),
    ...owners(),
    f.str('task_nbr', (r) => padded('TSK', r.id, 8), { required: 'Y', filterable: true, maxLength: 50 }),
    f.rel('type_id', 'task_type', (r) => 1 + below(r.h, 61, 4), { required: 'Y', filterable: true }),
    f.int('status_id', (r) => pick(r.version === 0 ? r.h : r.hv, 62, TASK_STATUSES), {
      required: 'Y',
      filterable: true,
    }),
    f.int('priority', (r) => 1 + below(r.hv, 63, 99), { filterable: true }),
    f.rel('wave_id', 'wave', (r) => drawn(r, 'wave', 60), { filterable: true }),
    f.str('assigned_user', (r) => (unit(r.hv, 64) < 0.4 ? null : pick(r.hv, 65, USERS)), { maxLength: 30 }),
    f.rel('curr_location_id', 'location', (r) => drawn(r, 'location', 66)),
    f.rel('dest_location_id', 'location', (r) => (unit(r.h, 67) < 0.2 ? null : drawn(r, 'location', 68))),
    ...tail({ modTs: true }),
  ],
};
