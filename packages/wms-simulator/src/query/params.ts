/** The query string of a list request, validated once: paging, ordering, fields and filters. */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec } from '../data/fields.js';
import type { Table } from '../data/table.js';
import { apiError } from '../errors.js';
import type { Quirks } from '../quirks.js';
import { type Filter, parseFilter, type ValueRules } from './filters.js';

export const MAX_PAGE_SIZE = 1250;
const RESERVED = new Set(['page', 'page_size', 'page_mode', 'cursor', 'ordering', 'fields', 'format']);

export interface OrderKey {
  field: FieldSpec;
  desc: boolean;
}

/**
 * Where a sequenced walk resumes: after the last row served (keyset) or at an offset, and the
 * page number. A backward cursor (a `previous_page`) serves the page that ends just before `key`.
 */
export interface Cursor {
  position: number;
  page: number;
  key: string;
  back?: boolean;
}

/**
 * `cursor-ties`: Django REST Framework's CursorPagination cursor: the first ordering field's value of the
 * last row that differs from the rows after it (`position`), how many rows to skip past it (`offset`,
 * capped at 1000 when read back) and the direction. Nothing else: like DRF's, the same position and offset
 * give the same link, so a walk stuck in a tie group is offered the very same next_page again.
 */
export interface DrfCursor {
  offset: number;
  reverse: boolean;
  position: string | undefined;
}

/** DRF's OFFSET_CUTOFF: a cursor's offset is read back as at most this. */
export const DRF_OFFSET_CUTOFF = 1000;

export interface ListQuery {
  table: Table;
  params: Map<string, string>;
  filters: Filter[];
  ordering: OrderKey[];
  fields: readonly FieldSpec[];
  pageSize: number;
  mode: 'paged' | 'sequenced';
  /** Paged: requested page; sequenced: the page this request serves (1 for the first). */
  page: number;
  cursor: Cursor | undefined;
  /** Set instead of `cursor` under `cursor-ties`. */
  drfCursor: DrfCursor | undefined;
}

export interface ListSettings extends ValueRules {
  defaultPageSize: number;
  oversize: 'clamp' | 'reject';
  /** Ordering fields that answer 400 on this entity (a fault). */
  orderingErrors: readonly string[];
  quirks: Quirks;
}

export function encodeCursor(cursor: Cursor): string {
  const back = cursor.back === true ? '&d=b' : '';
  return Buffer.from(`p=${cursor.position}&n=${cursor.page}&k=${cursor.key}${back}`).toString('base64');
}

function decodeCursor(text: string): Cursor {
  const fields = new URLSearchParams(Buffer.from(text, 'base64').toString('latin1'));
  const position = Number(fields.get('p'));
  const page = Number(fields.get('n'));
  const key = fields.get('k');
  if (!Number.isInteger(position) || position < 0 || !Number.isInteger(page) || page < 1 || key === null) {
    throw apiError(400, 'Invalid cursor', { cursor: text });
  }
  const direction = fields.get('d');
  if (direction !== null && direction !== 'b') throw apiError(400, 'Invalid cursor', { cursor: text });
  return direction === 'b' ? { position, page, key, back: true } : { position, page, key };
}

/** DRF's encoding: the tokens o (offset, when not 0), r=1 (reverse), p (position), url-encoded, base64. */
export function encodeDrfCursor(cursor: DrfCursor): string {
  const tokens = new URLSearchParams();
  if (cursor.offset !== 0) tokens.set('o', String(cursor.offset));
  if (cursor.reverse) tokens.set('r', '1');
  if (cursor.position !== undefined) tokens.set('p', cursor.position);
  return Buffer.from(tokens.toString()).toString('base64');
}

function decodeDrfCursor(text: string): DrfCursor {
  const tokens = new URLSearchParams(Buffer.from(text, 'base64').toString('utf8'));
  const offset = Number(tokens.get('o') ?? '0');
  const reverse = tokens.get('r');
  if (!Number.isInteger(offset) || offset < 0 || (reverse !== null && reverse !== '1')) {
    throw apiError(400, 'Invalid cursor', { cursor: text });
  }
  return {
    offset: Math.min(offset, DRF_OFFSET_CUTOFF),
    reverse: reverse === '1',
    position: tokens.get('p') ?? undefined,
  };
}

function positiveInt(params: Map<string, string>, name: string): number | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw apiError(400, `Invalid ${name} "${text}"`, { [name]: text });
  return Number(text);
}

export function fieldsParam(table: Table, params: Map<string, string>): readonly FieldSpec[] {
  const text = params.get('fields');
  if (text === undefined || text === '') return table.def.fields;
  const wanted = new Set(text.split(','));
  for (const name of wanted) {
    if (!table.def.fields.some((field) => field.name === name)) {
      throw apiError(400, `Invalid fields: unknown field "${name}" on ${table.def.name}`, { fields: text });
    }
  }
  return table.def.fields.filter((field) => wanted.has(field.name));
}

export function formatParam(params: Map<string, string>): void {
  const format = params.get('format');
  if (format !== undefined && format !== 'json') throw apiError(400, `Unsupported format "${format}"`, null);
}

export function parseListQuery(
  ds: Dataset,
  table: Table,
  params: Map<string, string>,
  settings: ListSettings,
): ListQuery {
  formatParam(params);
  const modeText = params.get('page_mode') ?? 'paged';
  if (modeText !== 'paged' && modeText !== 'sequenced') {
    throw apiError(400, `Invalid page_mode "${modeText}"`, { page_mode: modeText });
  }
  let pageSize = positiveInt(params, 'page_size') ?? settings.defaultPageSize;
  if (pageSize > MAX_PAGE_SIZE) {
    if (settings.oversize === 'reject') {
      throw apiError(400, `page_size ${pageSize} is above the maximum of ${MAX_PAGE_SIZE}`, {
        page_size: pageSize,
      });
    }
    pageSize = MAX_PAGE_SIZE;
  }
  let page = 1;
  let cursor: Cursor | undefined;
  let drfCursor: DrfCursor | undefined;
  if (modeText === 'paged') {
    page = positiveInt(params, 'page') ?? 1;
  } else {
    const text = params.get('cursor');
    if (text !== undefined && text !== '') {
      if (settings.quirks.has('cursor-ties')) {
        drfCursor = decodeDrfCursor(text);
        // DRF's cursor carries no page number: fault rules with `page` match only the first page.
        page = 0;
      } else {
        cursor = decodeCursor(text);
        page = cursor.page;
      }
    }
  }
  const ordering: OrderKey[] = [];
  const orderingText = params.get('ordering');
  // `ordering-ignored`: like a DRF view without that ordering filter, the parameter is dropped unread.
  if (orderingText !== undefined && orderingText !== '' && !settings.quirks.ignoresOrdering(table.def.name)) {
    for (const raw of orderingText.split(',')) {
      const desc = raw.startsWith('-');
      const name = desc ? raw.slice(1) : raw;
      const field = table.def.fields.find((candidate) => candidate.name === name);
      if (field === undefined || field.type === 'child_set') {
        throw apiError(400, `Invalid ordering: unknown field "${name}" on ${table.def.name}`, {
          ordering: orderingText,
        });
      }
      if (settings.orderingErrors.includes(name)) {
        throw apiError(400, `Ordering by "${name}" is not supported on ${table.def.name}`, {
          ordering: orderingText,
        });
      }
      ordering.push({ field, desc });
    }
  }
  const filters: Filter[] = [];
  for (const [key, value] of params) {
    if (RESERVED.has(key)) continue;
    const filter = parseFilter(ds, table, key, value, settings);
    if (settings.quirks.unfilterable(table.def.name, (filter.path[0] as FieldSpec).name)) {
      throw apiError(
        400,
        `Invalid filter: ${(filter.path[0] as FieldSpec).name} cannot be filtered on ${table.def.name}`,
        {
          field: key,
        },
      );
    }
    filters.push(filter);
  }
  return {
    table,
    params,
    filters,
    ordering,
    fields: fieldsParam(table, params),
    pageSize,
    mode: modeText,
    page,
    cursor,
    drfCursor,
  };
}
