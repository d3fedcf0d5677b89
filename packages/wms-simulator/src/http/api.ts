/** The lgfapi v10 resources: entity list, describe, list (paged and sequenced) and retrieve. */
import type { Dataset } from '../data/dataset.js';
import type { FieldSpec } from '../data/fields.js';
import { RowRenderer } from '../data/render.js';
import { RowContext } from '../data/row.js';
import type { Table } from '../data/table.js';
import { apiError } from '../errors.js';
import {
  type Cursor,
  encodeCursor,
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
  run: () => Answer;
}

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
        return { page: undefined, run: () => this.entityList() };
      case 'describe':
        if (this.settings.describeForbidden.includes(table.def.name)) {
          throw apiError(403, `You do not have permission to describe ${table.def.name}.`);
        }
        return { page: undefined, run: () => ok(describe(table)) };
      case 'retrieve': {
        const fields = fieldsParam(table, params);
        return { page: undefined, run: () => this.retrieve(table, route.id as number, fields) };
      }
      default: {
        const query = parseListQuery(this.ds, table, params, {
          defaultPageSize: this.settings.defaultPageSize,
          oversize: this.settings.oversizePageSize,
          subsecond: this.settings.subsecondFilters,
          orderingErrors: this.faults().orderingErrors(table.def.name),
        });
        return {
          page: query.page,
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
    const { rows, total } = this.engine.paged(query);
    if (total === 0) throw apiError(404, 'No records found.', null);
    const stale = faults.stalePageCount;
    const pageCount = Math.ceil(total / query.pageSize) + stale;
    if (rows.length === 0) {
      if (faults.phantomPage) throw apiError(500, 'An unexpected error occurred.', null);
      throw apiError(404, 'Invalid page.', { page: query.page, page_count: pageCount });
    }
    const next =
      query.page < pageCount ? JSON.stringify(this.pageUrl(query, 'page', String(query.page + 1))) : 'null';
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
    const { rows, next, previous } = this.engine.sequenced(query);
    if (rows.length === 0) throw apiError(404, 'No records found.', null);
    const link = (cursor: Cursor | undefined): string =>
      cursor === undefined ? 'null' : JSON.stringify(this.pageUrl(query, 'cursor', encodeCursor(cursor)));
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

const describeCache = new WeakMap<Table, string>();

/** describe(): `parameters` is the filterable subset; `fields` describes everything served. */
export function describe(table: Table): string {
  let text = describeCache.get(table);
  if (text === undefined) {
    const fields: Record<string, unknown> = {};
    for (const field of table.def.fields) {
      fields[field.name] = {
        type: field.describeType,
        required: field.required,
        allow_blank: field.type === 'string' ? field.allowBlank : false,
        max_length: field.maxLength,
        default: field.type === 'boolean' ? false : null,
        ...(field.target === undefined ? {} : { related_entity: field.target }),
      };
    }
    const parameters = table.def.fields.filter((f) => f.filterable).map((f) => f.name);
    text = JSON.stringify({ parameters, fields });
    describeCache.set(table, text);
  }
  return text;
}
