import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

type Row = Record<string, unknown>;

/** Every table of an SQLite file with its rows keyed by id, `_sdc_*` columns left out. */
export function readTables(path: string): Map<string, Map<number, Row>> {
  if (!existsSync(path)) throw new Error(`no SQLite database at ${path}`);
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000'); // wait for a lock as better-sqlite3 did, not fail at once
  try {
    const tables = new Map<string, Map<number, Row>>();
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => String(row.name));
    for (const name of names) {
      const rows = new Map<number, Row>();
      for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as Row[]) {
        const kept: Row = {};
        for (const [column, value] of Object.entries(row))
          if (!column.startsWith('_sdc_')) kept[column] = value;
        rows.set(Number(row.id), kept);
      }
      tables.set(name, rows);
    }
    return tables;
  } finally {
    db.close();
  }
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** Microseconds since the epoch, exact (Date.parse would drop the microseconds). */
export function instantMicros(text: string): bigint | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, date, hours, minutes, seconds, fraction = '', zone] = match;
  const offset = zone === 'Z' ? '+00:00' : zone!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const wholeSeconds = Date.parse(`${date}T${hours}:${minutes}:${seconds}${offset}`);
  return BigInt(wholeSeconds) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

/**
 * Whether a loaded value is the WMS value: the same instant for timestamps (the target may
 * move them to UTC), the same JSON for related-object columns, the same text for decimals.
 */
function sameValue(expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (typeof expected === 'boolean') return actual === (expected ? 1 : 0) || actual === expected;
  if (typeof expected === 'object') {
    if (typeof actual !== 'string') return false;
    try {
      assert.deepEqual(JSON.parse(actual), expected);
      return true;
    } catch {
      return false;
    }
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    const expectedInstant = instantMicros(expected);
    if (expectedInstant !== undefined && /[T ]\d{2}:/.test(expected))
      return instantMicros(actual) === expectedInstant;
  }
  return expected === actual;
}

/** Fails naming the first differing row and column; `extraIds` may remain (deletes not seen yet). */
export function assertTableEquals(
  entity: string,
  table: Map<number, Row> | undefined,
  snapshot: Row[],
  extraIds: Iterable<number> = [],
): void {
  assert.ok(table, `table ${entity} is missing`);
  const expectedIds = new Set(snapshot.map((row) => Number(row.id)));
  for (const id of extraIds) {
    assert.ok(!expectedIds.has(id), `${entity} id ${id} is both deleted and live`);
    expectedIds.add(id);
  }
  const unexpected = [...table.keys()].filter((id) => !expectedIds.has(id));
  const missing = [...expectedIds].filter((id) => !table.has(id));
  assert.deepEqual({ unexpected, missing }, { unexpected: [], missing: [] }, `${entity}: row ids differ`);
  for (const row of snapshot) {
    const loaded: Row | undefined = table.get(Number(row.id));
    if (!loaded) continue;
    for (const [column, value] of Object.entries(row)) {
      assert.ok(column in loaded, `${entity}: column ${column} is missing`);
      if (!sameValue(value, loaded[column])) {
        assert.fail(
          `${entity} id ${String(row.id)} column ${column}: expected ${JSON.stringify(value)}, loaded ${JSON.stringify(loaded[column])}`,
        );
      }
    }
  }
}
