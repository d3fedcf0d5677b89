/** The lgfapi v10 resources: entity list, describe, list (paged and sequenced) and retrieve. */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec } from '../data/fields.js';
import { mix, unit } from '../data/hash.js';
import { RowRenderer } from '../data/render.js';
import { RowContext } from '../data/row.js';
import type { Table } from '../data/table.js';
import { apiError } from '../errors.js';
import { drfPage } from '../query/drf.js';
import {
  type Cursor,
  type DrfCursor,
  encodeCursor,
  encodeDrfCursor,
  fieldsParam,
  formatParam,
  type ListQuery,
  parseListQuery,
} from '../query/params.js';
import { QueryEngine } from '../query/plan.js';
import type { Endpoint } from '../types.js';
import type { FaultPlan } from './faults.js';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Rows a list answer serves (its server time grows with them). */
  rows?: number;
}

export interface Route {
  endpoint: Exclude<Endpoint, 'token'>;
  table?: Table;
  id?: number;
}

/** A routed, validated request: its page (for fault schedules) and the work that answers it. */
export interface Prepared {
  page: number | undefined;
  /** How long the server works before answering (slow relation-path filters), in ms. */
  delayMs: number;
  run: () => Answer;
}

/** `no-facility-on-children`: extra time per relation hop of a filter on a child entity. */
export const RELATION_HOP_DELAY_MS = 25;

export interface ApiSettings {
  entityListShape: 'object' | 'list';
  describeForbidden: readonly string[];
  defaultPageSize: number;
  oversizePageSize: 'clamp' | 'reject';
  subsecondFilters: 'accept' | 'truncate' | 'reject';
}

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

function ok(body: string): Answer {
  return { status: 200, body, headers: JSON_TYPE };
}

function rowsServed(rows: number, body: string): Answer {
  return { status: 200, body, headers: JSON_TYPE, rows };
}

export class Api {
  private readonly engine: QueryEngine;
  private readonly row: RowContext;
  private readonly renderers = new Map<string, RowRenderer>();

  constructor(
    private readonly ds: Dataset,
    private readonly settings: ApiSettings,
    private readonly faults: () => FaultPlan,
  ) {
    this.engine = new QueryEngine(ds);
    this.row = new RowContext(ds);
  }

  /** Maps the path below /wms/lgfapi/v10 to a resource, or throws 404. */
  route(rest: string): Route {
    const segments = rest.split('/').filter((s) => s !== '');
    if (segments[0] !== 'entity' || segments.length > 3) throw apiError(404, 'Not found.');
    if (segments.length === 1) return { endpoint: 'entities' };
    const name = segments[1] as string;
    if (!this.ds.has(name)) throw apiError(404, `Entity "${name}" not found.`, { entity: name });
    const table = this.ds.table(name);
    if (segments.length === 2) return { endpoint: 'list', table };
    const third = segments[2] as string;
    if (third === 'describe') return { endpoint: 'describe', table };
    if (!/^\d+$/.test(third)) throw apiError(404, 'Not found.');
    return { endpoint: 'retrieve', table, id: Number(third) };
  }

  prepare(route: Route, params: Map<string, string>): Prepared {
    formatParam(params);
    const table = route.table as Table;
    switch (route.endpoint) {
      case 'entities':
        return { page: undefined, delayMs: 0, run: () => this.entityList() };
      case 'describe':
        if (this.settings.describeForbidden.includes(table.def.name)) {
          throw apiError(403, `You do not have permission to describe ${table.def.name}.`);
        }
        return { page: undefined, delayMs: 0, run: () => ok(describe(this.ds, table)) };
      case 'retrieve': {
        const fields = fieldsParam(table, params);
        return { page: undefined, delayMs: 0, run: () => this.retrieve(table, route.id as number, fields) };
      }
      default: {
        const query = parseListQuery(this.ds, table, params, {
          defaultPageSize: this.settings.defaultPageSize,
          oversize: this.settings.oversizePageSize,
          subsecond: this.settings.subsecondFilters,
          orderingErrors: this.faults().orderingErrors(table.def.name),
          quirks: this.ds.quirks,
        });
        let hops = 0;
        if (this.ds.quirks.slowRelationFilters(table.def.name)) {
          for (const filter of query.filters) hops += filter.path.length - 1;
        }
        return {
          page: query.page,
          delayMs: hops * RELATION_HOP_DELAY_MS,
          run: () => (query.mode === 'paged' ? this.paged(query) : this.sequenced(query)),
        };
      }
    }
  }

  private entityList(): Answer {
    const names = this.ds.names();
    if (this.settings.entityListShape === 'list') return ok(JSON.stringify(names));
    const map: Record<string, string> = {};
    for (const name of names) map[name] = `${this.ds.apiUrl}/entity/${name}/`;
    return ok(JSON.stringify(map));
  }

  private renderer(table: Table, fields: readonly FieldSpec[]): RowRenderer {
    const key =
      table.def.name + '|' + (fields === table.def.fields ? '*' : fields.map((f) => f.name).join(','));
    let renderer = this.renderers.get(key);
    if (renderer === undefined) {
      renderer = new RowRenderer(this.ds, fields);
      this.renderers.set(key, renderer);
    }
    return renderer;
  }

  /** One row's JSON text with every field (snapshot) or the chosen ones. */
  renderRow(table: Table, idx: number, fields: readonly FieldSpec[] = table.def.fields): string {
    return this.renderer(table, fields).render(this.row.load(table, idx));
  }

  private retrieve(table: Table, id: number, fields: readonly FieldSpec[]): Answer {
    if (!table.isLive(id)) throw apiError(404, `No ${table.def.name} matches the given query.`, { id });
    return ok(this.renderRow(table, id - 1, fields));
  }

  private results(query: ListQuery, rows: number[]): string {
    const renderer = this.renderer(query.table, query.fields);
    const parts = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++)
      parts[i] = renderer.render(this.row.load(query.table, rows[i] as number));
    return '[' + parts.join(',') + ']';
  }

  private pageUrl(query: ListQuery, name: 'page' | 'cursor', value: string): string {
    const params = new URLSearchParams();
    let placed = false;
    for (const [k, v] of query.params) {
      if (k === name) {
        params.append(k, value);
        placed = true;
      } else {
        params.append(k, v);
      }
    }
    if (!placed) params.append(name, value);
    return `${this.ds.apiUrl}/entity/${query.table.def.name}/?${params.toString()}`;
  }

  private paged(query: ListQuery): Answer {
    const faults = this.faults();
    const short = this.ds.quirks.has('short-pages');
    const layout = short ? shortPages(this.ds.seed, query.page, query.pageSize) : undefined;
    const { rows, total } = this.engine.paged(query, layout);
    if (total === 0) throw apiError(404, 'No records found.', null);
    const stale = faults.stalePageCount;
    let pageCount = Math.ceil(total / query.pageSize) + stale;
    let hasNext = query.page < pageCount;
    if (layout !== undefined) {
      // Short pages: more pages than total / page_size; the count starts too high and shrinks as the walk goes.
      pageCount = pagesOf(this.ds.seed, total, query.pageSize) + stale + Math.max(0, 2 - (query.page - 1));
      hasNext = layout.start + rows.length < total;
    }
    if (rows.length === 0) {
      if (faults.phantomPage || short) throw apiError(500, 'An unexpected error occurred.', null);
      throw apiError(404, 'Invalid page.', { page: query.page, page_count: pageCount });
    }
    const next = hasNext ? JSON.stringify(this.pageUrl(query, 'page', String(query.page + 1))) : 'null';
    const previous =
      query.page > 1 ? JSON.stringify(this.pageUrl(query, 'page', String(query.page - 1))) : 'null';
    return rowsServed(
      rows.length,
      '{"result_count":' +
        (total + stale * query.pageSize) +
        ',"page_count":' +
        pageCount +
        ',"page_nbr":' +
        query.page +
        ',"next_page":' +
        next +
        ',"previous_page":' +
        previous +
        ',"results":' +
        this.results(query, rows) +
        '}',
    );
  }

  private sequenced(query: ListQuery): Answer {
    const drf = this.ds.quirks.has('cursor-ties');
    const { rows, next, previous } = drf
      ? drfPage(this.ds, this.engine, query)
      : this.engine.sequenced(query);
    if (rows.length === 0) throw apiError(404, 'No records found.', null);
    const link = (cursor: Cursor | DrfCursor | undefined): string =>
      cursor === undefined
        ? 'null'
        : JSON.stringify(
            this.pageUrl(
              query,
              'cursor',
              drf ? encodeDrfCursor(cursor as DrfCursor) : encodeCursor(cursor as Cursor),
            ),
          );
    return rowsServed(
      rows.length,
      '{"next_page":' +
        link(next) +
        ',"previous_page":' +
        link(previous) +
        ',"results":' +
        this.results(query, rows) +
        '}',
    );
  }
}

/**
 * `short-pages`: page k (1-based) holds page_size rows, or for a seeded share of pages fewer (30-80%). The
 * layout depends only on the seed, the page number and the page size, so a walk never loses a row.
 */
function pageLength(seed: number, page: number, size: number): number {
  const h = mix(seed ^ 0x5407, page);
  if (size < 2 || unit(h, 1) >= 0.3) return size;
  return Math.max(1, Math.floor(size * (0.3 + 0.5 * unit(h, 2))));
}

export interface PageLayout {
  /** Offset of the page's first row in the whole result. */
  start: number;
  length: number;
}

export function shortPages(seed: number, page: number, size: number): PageLayout {
  let start = 0;
  for (let k = 1; k < page; k++) start += pageLength(seed, k, size);
  return { start, length: pageLength(seed, page, size) };
}

/** How many pages `total` rows take under the short-pages layout. */
function pagesOf(seed: number, total: number, size: number): number {
  let pages = 0;
  for (let start = 0; start < total; pages++) start += pageLength(seed, pages + 1, size);
  return pages;
}

const describeCache = new WeakMap<Table, string>();

/** describe(): `parameters` is the filterable subset; `fields` describes everything served. */
export function describe(ds: Dataset, table: Table): string {
  let text = describeCache.get(table);
  if (text === undefined) {
    const name = table.def.name;
    // `relation-status`: a recorded describe typed status_id like the relations; its values stay integers.
    const statusAsRelation = ds.quirks.has('relation-status');
    const fields: Record<string, unknown> = {};
    for (const field of table.def.fields) {
      const asRelation = statusAsRelation && field.name === 'status_id';
      const target = asRelation ? `${name}_status` : field.target;
      fields[field.name] = {
        type: asRelation ? 'relation' : field.describeType,
        required: field.required,
        allow_blank: field.type === 'string' ? field.allowBlank : false,
        max_length: field.maxLength,
        default: field.type === 'boolean' ? false : null,
        ...(target === undefined ? {} : { related_entity: target }),
      };
    }
    const parameters = table.def.fields
      .filter((f) => f.filterable && !ds.quirks.unfilterable(name, f.name))
      .map((f) => f.name);
    text = JSON.stringify({ parameters, fields });
    describeCache.set(table, text);
  }
  return text;
}
