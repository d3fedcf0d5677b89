/** Master data: company (no mod_ts: FULL_TABLE), facility, item, location. */
import { f } from '../fields.js';
import { below, pick, unit } from '../hash.js';
import { ADJECTIVES, CITIES, COMPANY_NAMES, FACILITY_OFFSETS, PRODUCTS, padded, STREETS } from '../words.js';
import { custom, type EntityDef, head, tail } from './entity.js';

export const company: EntityDef = {
  name: 'company',
  hasModTs: false,
  deletable: false,
  keyOf: (_ds, id) => padded('CO', id, 2),
  fields: [
    ...head('company'),
    f.str('code', (r) => padded('CO', r.id, 2), { required: 'Y', filterable: true, maxLength: 25 }),
    f.str('name', (r) => COMPANY_NAMES[(r.id - 1) % COMPANY_NAMES.length] as string, { maxLength: 60 }),
    f.rel('parent_company_id', 'company', (r) => (r.id === 1 ? null : 1)),
    f.str('address_1', (r) => 1 + below(r.h, 3, 900) + ' ' + pick(r.h, 4, STREETS), { maxLength: 75 }),
    f.str('city', (r) => pick(r.h, 5, CITIES)[0], { maxLength: 40 }),
    f.str('country', (r) => pick(r.h, 5, CITIES)[2], { maxLength: 2 }),
    f.bool('active_flg', (r) => unit(r.hv, 6) > 0.1),
    ...tail({ modTs: false }),
  ],
};

export const facility: EntityDef = {
  name: 'facility',
  hasModTs: true,
  deletable: false,
  keyOf: (_ds, id) => 'FAC' + id,
  facilityOf: (r) => r.id,
  fields: [
    ...head('facility'),
    f.str('code', (r) => 'FAC' + r.id, { required: 'Y', filterable: true, maxLength: 25 }),
    f.str('name', (r) => pick(r.h, 5, CITIES)[0] + ' DC ' + r.id, { maxLength: 60, escape: true }),
    f.rel('company_id', 'company', (r) => 1 + ((r.id - 1) % r.ds.initialSize('company'))),
    f.str('address_1', (r) => 1 + below(r.h, 3, 900) + ' ' + pick(r.h, 4, STREETS), { maxLength: 75 }),
    f.str('city', (r) => pick(r.h, 5, CITIES)[0], { maxLength: 40 }),
    f.str('state', (r) => pick(r.h, 5, CITIES)[1], { maxLength: 3 }),
    f.str('country', (r) => pick(r.h, 5, CITIES)[2], { maxLength: 2 }),
    f.int('utc_offset_minutes', (r) => FACILITY_OFFSETS[(r.id - 1) % FACILITY_OFFSETS.length] as number),
    f.bool('active_flg', (r) => unit(r.hv, 6) > 0.05),
    ...tail({ modTs: true }),
  ],
};

export const item: EntityDef = {
  name: 'item',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => padded('ITM', id, 6),
  fields: [
    ...head('item'),
    f.rel('company_id', 'company', (r) => 1 + (r.id % r.ds.initialSize('company')), { filterable: true }),
    f.str('code', (r) => padded('ITM', r.id, 6), { required: 'Y', filterable: true, maxLength: 25 }),
    f.str('part_a', (r) => pick(r.h, 20, PRODUCTS).toUpperCase(), { maxLength: 25 }),
    f.str('description', (r) => pick(r.h, 21, ADJECTIVES) + ' ' + pick(r.h, 20, PRODUCTS), {
      maxLength: 100,
      filterable: true,
    }),
    f.str('barcode', (r) => String(400_000_000_000 + r.id * 7), { maxLength: 40 }),
    f.dec('unit_weight', 3, (r) => 1 + below(r.h, 22, 50_000)),
    f.dec('unit_volume', 2, (r) => 1 + below(r.h, 23, 9_000)),
    f.int('std_case_qty', (r) => 1 + below(r.h, 24, 48)),
    f.bool('hazmat_flg', (r) => unit(r.h, 25) < 0.05),
    f.str('handling_notes', (r) => (unit(r.hv, 26) < 0.7 ? null : 'Keep "dry" \\ handle with care'), {
      describeType: 'text_clob',
      maxLength: null,
      escape: true,
    }),
    ...custom('IT', ['field']),
    ...tail({ modTs: true }),
  ],
};

export function locationString(id: number): string {
  const n = id - 1;
  const zone = String.fromCharCode(65 + (Math.floor(n / 20_000) % 26));
  const aisle = (Math.floor(n / 200) % 100) + 1;
  const bay = (Math.floor(n / 5) % 40) + 1;
  const level = (n % 5) + 1;
  return (
    zone + padded('', aisle, 2) + '-' + padded('', bay, 2) + '-' + level + (n >= 520_000 ? '-' + id : '')
  );
}

export const location: EntityDef = {
  name: 'location',
  hasModTs: true,
  deletable: true,
  keyOf: (_ds, id) => locationString(id),
  facilityOf: (r) => 1 + ((r.id - 1) % r.ds.initialSize('facility')),
  fields: [
    ...head('location'),
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.str('locn_str', (r) => locationString(r.id), { required: 'Y', filterable: true, maxLength: 40 }),
    f.str('barcode', (r) => 'L' + r.id, { maxLength: 40 }),
    f.rel('type_id', 'location_type', (r) => 1 + below(r.h, 30, 4)),
    f.int('pick_seq', (r) => r.id * 10),
    f.dec('max_volume', 1, (r) => 100 + below(r.h, 31, 100_000)),
    f.int('max_units', (r) => 10 + below(r.h, 32, 1000)),
    f.bool('lock_flg', (r) => unit(r.hv, 33) < 0.03),
    ...tail({ modTs: true }),
  ],
};
