/**
 * Quirks: named behaviours of a real lgfapi that public evidence reports (shared/wms-api.md) and that the
 * default simulator does not play. Each is off unless named; `all` switches every one on. This module holds
 * the names, their parsing and the entity-specific choices, so the rest of the code asks one object.
 */

export const QUIRK_NAMES = [
  'late-commits',
  'cursor-ties',
  'short-pages',
  'ordering-ignored',
  'decimals-as-numbers',
  'relation-status',
  'no-facility-on-children',
  'subsecond-reject',
  'utc-z',
  'ropc-only',
  'gateway-html-errors',
  'mod-ts-not-filterable',
] as const;

export type Quirk = (typeof QUIRK_NAMES)[number];

/** Default of `lateCommitMaxSeconds`: how far behind the clock a late commit's mod_ts may lie (6 hours). */
export const DEFAULT_LATE_COMMIT_MAX_SECONDS = 21_600;

/** Default of `bulkGroupRows`: rows of a `cursor-ties` bulk group, more than the largest page (1250). */
export const DEFAULT_BULK_GROUP_ROWS = 1300;

/** Entities that ignore `ordering` under `ordering-ignored`. */
const ORDERING_IGNORED = new Set(['allocation']);
/** Entities whose mod_ts is not filterable under `mod-ts-not-filterable`. */
const MOD_TS_UNFILTERABLE = new Set(['location']);
/** Entities that lose facility_id/company_id under `no-facility-on-children`. */
const CHILDREN = new Set(['order_dtl', 'allocation']);
const CHILD_DROPPED_FIELDS = new Set(['facility_id', 'company_id']);

/**
 * Parses a quirk list: an array of names, or a comma list ('a,b'), or 'all' (alone or in the list).
 * Throws one line naming the unknown quirk and the known ones.
 */
export function parseQuirks(value: string | readonly string[] | undefined): Set<Quirk> {
  const names =
    value === undefined
      ? []
      : (typeof value === 'string' ? value.split(',') : value.flatMap((v) => v.split(',')))
          .map((v) => v.trim())
          .filter((v) => v !== '' && v !== 'none');
  const quirks = new Set<Quirk>();
  for (const name of names) {
    if (name === 'all') {
      for (const q of QUIRK_NAMES) quirks.add(q);
    } else if ((QUIRK_NAMES as readonly string[]).includes(name)) {
      quirks.add(name as Quirk);
    } else {
      throw new Error(`quirks: unknown quirk "${name}" (known: ${QUIRK_NAMES.join(', ')}, all)`);
    }
  }
  return quirks;
}

/** The switched-on quirks and what they mean for a given entity. */
export class Quirks {
  readonly lateCommitMaxSeconds: number;
  readonly bulkGroupRows: number;

  constructor(
    readonly set: ReadonlySet<Quirk>,
    lateCommitMaxSeconds = DEFAULT_LATE_COMMIT_MAX_SECONDS,
    bulkGroupRows = DEFAULT_BULK_GROUP_ROWS,
  ) {
    if (!(Number.isFinite(lateCommitMaxSeconds) && lateCommitMaxSeconds >= 1)) {
      throw new Error(`lateCommitMaxSeconds must be a number of seconds >= 1, got ${lateCommitMaxSeconds}`);
    }
    if (!(Number.isInteger(bulkGroupRows) && bulkGroupRows >= 2)) {
      throw new Error(`bulkGroupRows must be an integer >= 2, got ${bulkGroupRows}`);
    }
    this.lateCommitMaxSeconds = lateCommitMaxSeconds;
    this.bulkGroupRows = bulkGroupRows;
  }

  has(quirk: Quirk): boolean {
    return this.set.has(quirk);
  }

  list(): Quirk[] {
    return QUIRK_NAMES.filter((q) => this.set.has(q));
  }

  /** `ordering` is silently dropped on this entity. */
  ignoresOrdering(entity: string): boolean {
    return this.has('ordering-ignored') && ORDERING_IGNORED.has(entity);
  }

  /** This field may not be filtered on this entity (absent from describe's parameters; 400 on use). */
  unfilterable(entity: string, field: string): boolean {
    return this.has('mod-ts-not-filterable') && field === 'mod_ts' && MOD_TS_UNFILTERABLE.has(entity);
  }

  /** This field is not served at all by this entity. */
  drops(entity: string, field: string): boolean {
    return this.has('no-facility-on-children') && CHILDREN.has(entity) && CHILD_DROPPED_FIELDS.has(field);
  }

  /** Relation-path filters on this entity are slow (the child entities under `no-facility-on-children`). */
  slowRelationFilters(entity: string): boolean {
    return this.has('no-facility-on-children') && CHILDREN.has(entity);
  }
}

export const NO_QUIRKS = new Quirks(new Set());
