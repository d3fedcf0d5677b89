/**
 * `cursor-ties`: sequenced pages positioned the way Django REST Framework's CursorPagination does it
 * (shared/wms-api.md, "Sequenced cursors look like Django REST Framework's"): a cursor holds the FIRST
 * ordering field's value of a row (`position`) and an offset past it, read back capped at 1000. Inside a
 * group of rows sharing that value the offset grows page by page; past the cap the same page comes back
 * again and again. This follows DRF's paginate_queryset, get_next_link and get_previous_link.
 */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec, FieldValue } from '../data/fields.js';
import { RowContext } from '../data/row.js';
import { formatInstant, parseInstant } from '../data/time.js';
import { apiError } from '../errors.js';
import type { DrfCursor, ListQuery } from './params.js';
import { type QueryEngine, viewAt } from './plan.js';

export interface DrfAnswer {
  rows: number[];
  next: DrfCursor | undefined;
  previous: DrfCursor | undefined;
}

/** DRF keeps `str(value)`: datetimes as UTC text with microseconds, None for null. */
function positionText(field: FieldSpec, value: FieldValue): string {
  if (value === null) return 'None';
  if (field.type === 'datetime') return formatInstant(value as number, 0);
  return String(value);
}

function parsePosition(field: FieldSpec, text: string): FieldValue {
  if (text === 'None') return null;
  const value =
    field.type === 'datetime'
      ? (parseInstant(text, 0)?.micros ?? Number.NaN)
      : field.type === 'string'
        ? text
        : field.type === 'boolean'
          ? text === 'true'
          : Number(text);
  if (typeof value === 'number' && Number.isNaN(value))
    throw apiError(400, 'Invalid cursor', { position: text });
  return value;
}

/** Order of two values of the first ordering key as the answer lists them (nulls last ascending). */
function compare(x: FieldValue, y: FieldValue, desc: boolean): number {
  if (x === y) return 0;
  if (x === null) return desc ? -1 : 1;
  if (y === null) return desc ? 1 : -1;
  const c = x < y ? -1 : 1;
  return desc ? -c : c;
}

/** First index in [0, n) where `pred` holds, for a predicate false then true along the view. */
function firstIndex(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function drfPage(ds: Dataset, engine: QueryEngine, query: ListQuery): DrfAnswer {
  const table = query.table;
  const view = engine.matching(query);
  const n = view.rows.length;
  const key = query.ordering[0] ?? {
    field: table.def.fields.find((f) => f.name === 'id') as FieldSpec,
    desc: false,
  };
  const row = new RowContext(ds);
  const value = (i: number) => key.field.get(row.load(table, viewAt(view, i)));
  const positionOf = (i: number) => positionText(key.field, value(i));
  const cursor = query.drfCursor ?? { offset: 0, reverse: false, position: undefined };
  const size = query.pageSize;
  const current = cursor.position;
  const at = current === undefined ? undefined : parsePosition(key.field, current);

  // The page and one row more (to know whether another follows), in the walk's direction.
  const results: number[] = [];
  if (!cursor.reverse) {
    const start = at === undefined ? 0 : firstIndex(n, (i) => compare(value(i), at, key.desc) > 0);
    for (let i = start + cursor.offset; i < Math.min(n, start + cursor.offset + size + 1); i++)
      results.push(i);
  } else {
    const end = at === undefined ? n : firstIndex(n, (i) => compare(value(i), at, key.desc) >= 0);
    for (let i = end - 1 - cursor.offset; i >= Math.max(0, end - 1 - cursor.offset - size); i--)
      results.push(i);
  }
  const following = results.length > size ? positionOf(results[size] as number) : undefined;
  const page = results.slice(0, size);
  if (cursor.reverse) page.reverse();
  const hasFollowing = results.length > size;
  const hasNext = cursor.reverse ? current !== undefined || cursor.offset > 0 : hasFollowing;
  const hasPrevious = cursor.reverse ? hasFollowing : current !== undefined || cursor.offset > 0;
  const nextPosition = cursor.reverse ? current : following;
  const previousPosition = cursor.reverse ? following : current;

  /**
   * DRF's get_next_link (forward) and get_previous_link (backward): from the page's edge, the first row whose
   * position differs from the row beyond it marks the cursor; a page of one position only grows the offset.
   */
  const link = (forward: boolean): DrfCursor | undefined => {
    if (!(forward ? hasNext : hasPrevious)) return undefined;
    const beyond = forward ? nextPosition : previousPosition;
    const behind = forward ? previousPosition : nextPosition;
    const turning = forward === cursor.reverse;
    const scan = forward ? [...page].reverse() : page;
    let compareTo = scan.length > 0 && turning && cursor.offset > 0 ? positionOf(scan[0] as number) : beyond;
    let offset = 0;
    let position: string | undefined;
    let unique = false;
    for (const i of scan) {
      const p = positionOf(i);
      if (p !== compareTo) {
        unique = true;
        position = p;
        break;
      }
      compareTo = p;
      offset++;
    }
    if (scan.length > 0 && !unique) {
      if (!(forward ? hasPrevious : hasNext)) {
        offset = size;
        position = undefined;
      } else {
        offset = turning ? 0 : cursor.offset + size;
        position = behind;
      }
    }
    if (scan.length === 0) position = beyond;
    return {
      offset,
      reverse: !forward,
      position,
    };
  };
  const next = link(true);
  const previous = link(false);
  return { rows: page.map((i) => viewAt(view, i)), next, previous };
}
