import { SingerError } from '@wms-singer/singer';
import type { ColumnChange, ColumnSpec, ExistingColumn, TableRef, TableSpec } from '../dialects/dialect.js';
import type { StreamLayout } from './stream-layout.js';
import { accepts, describeType, joinTypes } from './type-lattice.js';

/** What the engine asks a dialect to do so a table can take a stream's rows. */
export interface TablePlan {
  /** The table to create, when it does not exist yet. */
  create?: TableSpec;
  add: ColumnSpec[];
  alter: ColumnChange[];
  /** The table once the plan ran: every column (old ones included), in table order. */
  table: TableSpec;
}

export interface TableOptions {
  /** upsert and overwrite key the table; append-only only indexes the keys. */
  primaryKey: boolean;
}

/**
 * Decides create / add / widen for a stream layout against the table as it exists. Nothing is
 * ever dropped or narrowed: a column the schema no longer lists stays, a column wider than the
 * schema needs keeps its type. A change with no safe widening is an error naming the column.
 */
export function planTable(
  ref: TableRef,
  layout: StreamLayout,
  existing: ExistingColumn[] | undefined,
  options: TableOptions,
  where: string,
): TablePlan {
  const keys = new Set(layout.keyColumns);
  const primaryKey = options.primaryKey ? [...layout.keyColumns] : [];
  const indexes: string[][] = [];
  if (!options.primaryKey && layout.keyColumns.length > 0) indexes.push([...layout.keyColumns]);
  const bookmarks = layout.bookmarkColumns.filter((c) => !(primaryKey.length === 1 && primaryKey[0] === c));
  if (bookmarks.length > 0) indexes.push(bookmarks);

  if (existing === undefined) {
    const columns = layout.columns.map((c) => ({ name: c.name, type: c.type, nullable: !keys.has(c.name) }));
    const table: TableSpec = { ...ref, columns, primaryKey, indexes };
    return { create: table, add: [], alter: [], table };
  }

  checkKey(ref, existing, primaryKey, where);
  const current = new Map(existing.map((c) => [c.name, c]));
  const add: ColumnSpec[] = [];
  const alter: ColumnChange[] = [];
  const columns: ColumnSpec[] = existing.map((c) => ({ ...c }));
  for (const column of layout.columns) {
    const found = current.get(column.name);
    if (found === undefined) {
      const spec = { name: column.name, type: column.type, nullable: true };
      add.push(spec);
      columns.push(spec);
      continue;
    }
    if (accepts(found.type, column.type)) continue;
    // A key string column keeps its length: a dialect bounds key strings so the index fits (Oracle's
    // index key limit), and widening a key column would mean rebuilding the key. A longer value is
    // refused per record by the dialect's row check instead.
    if (keys.has(column.name) && found.type.kind === 'string' && column.type.kind === 'string') continue;
    const widened = joinTypes(found.type, column.type);
    if (widened === undefined) {
      throw new SingerError(
        'TYPE_CHANGE_IMPOSSIBLE',
        `${where}: field "${column.property}": column "${column.name}" is ${describeType(found.type)} and cannot hold ${describeType(column.type)}`,
      );
    }
    alter.push({ column: column.name, from: found.type, to: widened });
    const spec = columns.find((c) => c.name === column.name)!;
    spec.type = widened;
  }
  return { add, alter, table: { ...ref, columns, primaryKey, indexes } };
}

/**
 * A table's primary key is never changed in place (it would mean rebuilding the table and its
 * index, and deduplicating rows the old key kept apart): a stream whose key_properties differ from
 * the table's key is one clear line saying what changed and what to do, not the database's own
 * error at the first upsert.
 */
function checkKey(ref: TableRef, existing: ExistingColumn[], wanted: string[], where: string): void {
  if (existing.some((c) => c.key === undefined)) return; // the dialect cannot tell
  const current = existing
    .filter((c) => (c.key ?? 0) > 0)
    .sort((a, b) => (a.key ?? 0) - (b.key ?? 0))
    .map((c) => c.name);
  if (wanted.length === 0 || current.join() === wanted.join()) return;
  const was =
    current.length === 0 ? 'has no primary key (made by append-only)' : `is keyed on [${current.join(', ')}]`;
  throw new SingerError(
    'KEY_CHANGED',
    `${where}: key_properties give the key [${wanted.join(', ')}] but table "${ref.name}" ${was}; a table's key is not changed in place: load the stream into a new table (another table_prefix), or drop the table and run a full sync, or use load_method append-only`,
  );
}
