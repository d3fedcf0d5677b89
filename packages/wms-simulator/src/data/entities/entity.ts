/** What the simulator knows about one entity, and the fields every record carries. */
import type { Dataset } from '../dataset.js';
import { type FieldSpec, f } from '../fields.js';
import { below, mix, pick, unit } from '../hash.js';
import type { RowContext } from '../row.js';
import { US_PER_DAY, US_PER_MINUTE } from '../time.js';
import { USERS, WORDS } from '../words.js';

export interface EntityDef {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  /** False for entities clients must replicate FULL_TABLE. */
  readonly hasModTs: boolean;
  /** Rows of this entity are purged with their parent row. */
  readonly parent?: { entity: string; field: string };
  /** Whether `advance` may hard-delete rows (master data with dependants is never purged). */
  readonly deletable: boolean;
  keyOf(ds: Dataset, id: number): string;
  facilityOf?(row: RowContext): number;
}

export function head(entity: string): FieldSpec[] {
  return [
    f.int('id', (r) => r.id, { required: 'Y', filterable: true }),
    f.str('url', (r) => r.ds.apiUrl + '/entity/' + entity + '/' + r.id + '/', { maxLength: 1024 }),
  ];
}

export function tail(options: { modTs: boolean }): FieldSpec[] {
  const fields = [
    f.str('create_user', (r) => pick(r.h, 901, USERS), { maxLength: 30 }),
    f.ts('create_ts', (r) => r.table.createTs[r.idx] as number, { filterable: true }),
    f.str('mod_user', (r) => (r.version === 0 ? pick(r.h, 901, USERS) : pick(r.hv, 902, USERS)), {
      maxLength: 30,
    }),
  ];
  if (options.modTs) {
    fields.push(f.ts('mod_ts', (r) => r.table.modTs[r.idx] as number, { filterable: true }));
  }
  return fields;
}

/** Deterministic "sometimes null, sometimes blank" custom values. */
export function custom(prefix: string, kinds: ReadonlyArray<'field' | 'date' | 'number' | 'decimal'>) {
  const fields: FieldSpec[] = [];
  for (const kind of kinds) {
    for (let n = 1; n <= 5; n++) {
      const salt = 1000 + n * 10 + kinds.indexOf(kind) * 100;
      const name = `cust_${kind}_${n}`;
      if (kind === 'field') {
        fields.push(
          f.str(
            name,
            (r) => {
              const u = unit(r.hv, salt);
              if (u < 0.4) return null;
              if (u < 0.5) return '';
              return prefix + n + '-' + WORDS[below(r.hv, salt + 1, WORDS.length)];
            },
            { maxLength: 25, filterable: n === 1 },
          ),
        );
      } else if (kind === 'date') {
        fields.push(f.date(name, (r) => (unit(r.h, salt) < 0.6 ? null : 19_900 + below(r.h, salt + 1, 900))));
      } else if (kind === 'number') {
        fields.push(f.int(name, (r) => (unit(r.hv, salt) < 0.5 ? null : below(r.hv, salt + 1, 100_000))));
      } else {
        fields.push(
          f.dec(name, 3, (r) => (unit(r.hv, salt) < 0.5 ? null : below(r.hv, salt + 1, 10_000_000))),
        );
      }
    }
  }
  return fields;
}

/** A stable facility for rows whose facility is drawn, not inherited. */
export function drawnFacility(ds: Dataset, entityHash: number, id: number): number {
  return 1 + below(mix(entityHash, id), 11, ds.initialSize('facility'));
}

/** A reference to a generated row of `entity`, drawn by the row hash. */
export function drawn(r: RowContext, entity: string, salt: number): number {
  return 1 + below(r.h, salt, r.ds.initialSize(entity));
}

export function companyOf(r: RowContext): number {
  return 1 + below(r.h, 12, r.ds.initialSize('company'));
}

/** facility_id (the row's facility) and company_id (drawn): the owners of an operations row. */
export function owners() {
  return [
    f.rel('facility_id', 'facility', (r) => r.facility, { required: 'Y', filterable: true }),
    f.rel('company_id', 'company', companyOf, { required: 'Y', filterable: true }),
  ];
}

/** The calendar day of an instant at the row's offset. */
export function localDay(r: RowContext, micros: number): number {
  return Math.floor((micros + r.offset * US_PER_MINUTE) / US_PER_DAY);
}

/** Generated rows are spread evenly over the generated parents; later ones draw a parent. */
export function spreadParent(ds: Dataset, child: string, parent: string, id: number, h: number): number {
  const children = ds.initialSize(child);
  const parents = ds.initialSize(parent);
  if (id <= children) return Math.floor(((id - 1) * parents) / children) + 1;
  return 1 + below(h, 13, parents);
}
