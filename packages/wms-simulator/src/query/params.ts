/** The query string of a list request, validated once: paging, ordering, fields and filters. */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec } from '../data/fields.js';
import type { Table } from '../data/table.js';
import { apiError } from '../errors.js';
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
}

export interface ListSettings extends ValueRules {
  defaultPageSize: number;
  oversize: 'clamp' | 'reject';
  /** Ordering fields that answer 400 on this entity (a fault). */
  orderingErrors: readonly string[];
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
  if (modeText === 'paged') {
    page = positiveInt(params, 'page') ?? 1;
  } else {
    const text = params.get('cursor');
    if (text !== undefined && text !== '') {
      cursor = decodeCursor(text);
      page = cursor.page;
    }
  }
  const ordering: OrderKey[] = [];
  const orderingText = params.get('ordering');
  if (orderingText !== undefined && orderingText !== '') {
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
    filters.push(parseFilter(ds, table, key, value, settings));
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
  };
}
