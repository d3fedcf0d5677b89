import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import type { Simulator } from '@wms-singer/wms-simulator';
import { instantMicros } from './meltano-tables.js';

export interface QuirkCase {
  quirk: string;
  /** order_dtl rows (the other entities derive from it). */
  rows: number;
  pageMode: 'sequenced' | 'paged';
  /** Narrow to one facility (facility_code): child entities then filter through their relations. */
  facility: boolean;
  /** OAuth2 with the password (ROPC) grant instead of HTTP Basic. */
  ropc: boolean;
}

/**
 * A request of the tap's late-rows catch-up (docs/tap.md, Late-visible rows): a one-row count
 * probe or a listing of keys (`fields=id` or `fields=id,mod_ts`), rows read again by id
 * (`id__in`), the create_ts pass, or an id range read again. They are bounded otherwise than
 * the incremental walk's mod_ts window.
 */
export function isCatchUpRequest(request: { query: Record<string, string> }): boolean {
  const { query } = request;
  return (
    query.fields === 'id' ||
    query.fields === 'id,mod_ts' ||
    query.id__in !== undefined ||
    query.create_ts__gte !== undefined ||
    (query.id__gte !== undefined && query.id__lt !== undefined)
  );
}

export const QUIRK_ENTITIES = ['allocation', 'order_hdr', 'order_dtl', 'location'];
export const QUIRK_PAGE_SIZE = 250;

type Row = Record<string, unknown>;

/** The facility with the most orders: narrowing to it leaves rows in every entity. */
export function busiestFacility(sim: Simulator): string {
  const counts = new Map<string, number>();
  for (const order of sim.snapshot('order_hdr')) {
    const code = (order.facility_id as { key?: string } | null)?.key;
    if (code !== undefined) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

export function quirkTapConfig(sim: Simulator, quirkCase: QuirkCase): Record<string, unknown> {
  return {
    base_url: sim.baseUrl,
    username: 'wms_user',
    password: 'wms_password',
    ...(quirkCase.ropc
      ? {
          auth_method: 'oauth2',
          oauth_grant_type: 'password',
          oauth_token_url: sim.tokenUrl,
          oauth_client_id: 'wms_client',
          oauth_client_secret: 'wms_secret',
        }
      : {}),
    entities: QUIRK_ENTITIES,
    page_size: QUIRK_PAGE_SIZE,
    page_mode: quirkCase.pageMode,
    retry_backoff_seconds: 0.01,
    max_retries: 8,
    log_level: 'warn',
    ...(quirkCase.facility ? { facility_code: busiestFacility(sim) } : {}),
  };
}

/**
 * The most list requests a run may make for the records it wrote: three per page of rows (a
 * repeated page, a tie read, a restart), plus per entity the catch-up's requests (25 hour
 * listings of a 24-hour window, 16 id-range probes and the listings of the ranges that changed,
 * a request per 100 rows read again by id, the create_ts pass) and a few requests for fallbacks
 * and ends. A walk that loops passes it quickly.
 */
export function requestBound(
  recordCounts: Record<string, number>,
  tapConfig: Record<string, unknown>,
): number {
  const pageSize = Number(tapConfig.page_size);
  let bound = 0;
  for (const entity of QUIRK_ENTITIES) bound += 3 * Math.ceil((recordCounts[entity] ?? 0) / pageSize) + 80;
  return bound;
}

/** The live rows the load must hold: all of them, or those of the facility through their relations. */
function expectedRows(sim: Simulator, entity: string, facility: string | undefined): Row[] {
  const rows = sim.snapshot(entity);
  if (facility === undefined) return rows;
  const key = (value: unknown): unknown => (value as { key?: unknown } | null)?.key;
  const id = (value: unknown): unknown => (value as { id?: unknown } | null)?.id;
  const orders = new Map(sim.snapshot('order_hdr').map((row) => [row.id, key(row.facility_id)]));
  const lines = new Map(sim.snapshot('order_dtl').map((row) => [row.id, orders.get(id(row.order_id))]));
  return rows.filter((row) => {
    if ('facility_id' in row) return key(row.facility_id) === facility;
    if ('order_id' in row) return orders.get(id(row.order_id)) === facility;
    if ('order_dtl_id' in row) return lines.get(id(row.order_dtl_id)) === facility;
    return true;
  });
}

/** Rows committed late or made visible late (late-commits), per entity, as the simulator reported them. */
export type LateRows = Map<string, Set<number>>;

export function noteLateRows(
  late: LateRows,
  changes: Record<string, { late?: number[]; revealed?: number[] }>,
): void {
  for (const [entity, change] of Object.entries(changes)) {
    const ids = late.get(entity) ?? new Set<number>();
    for (const id of [...(change.late ?? []), ...(change.revealed ?? [])]) ids.add(id);
    late.set(entity, ids);
  }
}

/** Rows the simulator committed or revealed late, over all entities. */
export function lateRowCount(late: LateRows): number {
  let count = 0;
  for (const ids of late.values()) count += ids.size;
  return count;
}

/** Every live row is in its table once, with its latest mod_ts; decimals sent as numbers arrived exact. */
export function assertLoaded(sim: Simulator, path: string, facility: string | undefined): void {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    for (const entity of QUIRK_ENTITIES) {
      const doubled = db
        .prepare(`SELECT id, COUNT(*) AS n FROM "${entity}" GROUP BY id HAVING COUNT(*) > 1`)
        .all() as Row[];
      assert.deepEqual(doubled, [], `${entity}: keys loaded twice`);
      const loaded = new Map(
        (db.prepare(`SELECT * FROM "${entity}"`).all() as Row[]).map((row) => [Number(row.id), row]),
      );
      const expected = expectedRows(sim, entity, facility);
      assert.ok(expected.length > 0, `${entity}: the case leaves rows to load`);
      const behind = expected
        .filter((row) => {
          const got = loaded.get(Number(row.id));
          return got === undefined || instantMicros(String(got.mod_ts)) !== instantMicros(String(row.mod_ts));
        })
        .map((row) => Number(row.id));
      assert.deepEqual(
        behind,
        [],
        `${entity}: live rows missing from the target or not at their latest mod_ts`,
      );
      for (const row of expected) {
        const got = loaded.get(Number(row.id));
        if (got === undefined) continue;
        for (const [field, value] of Object.entries(row)) {
          // Decimals (numbers in the snapshot under decimals-as-numbers) are stored as their digits.
          if (typeof value === 'number' && !Number.isInteger(value) && field in got) {
            assert.equal(Number(got[field]), value, `${entity} id ${row.id}: ${field}`);
            assert.equal(typeof got[field], 'string', `${entity} id ${row.id}: ${field} kept as text`);
          }
        }
      }
    }
  } finally {
    db.close();
  }
}
