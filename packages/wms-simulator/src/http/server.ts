/** Request dispatch: routing, auth, faults, gzip and the request log, on bare node:http. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip } from 'node:zlib';
import { ApiError, apiError } from '../errors.js';
import type { RecordedRequest, RequestFaultKind } from '../types.js';
import type { Answer, Api } from './api.js';
import type { Gatekeeper } from './auth.js';
import { type ControlTarget, control, readBody } from './control.js';
import type { FaultPlan } from './faults.js';
import { listLatencyMs, type Workers } from './load.js';

export interface Dispatcher {
  environment: string;
  api: Api;
  gate: Gatekeeper;
  faults: () => FaultPlan;
  requests: RecordedRequest[];
  gzip: boolean;
  control: ControlTarget;
  /** Server time and the limit on requests served at once. */
  workers: Workers;
  /** `gateway-html-errors`: 502/503/504 carry an HTML page instead of the error body. */
  htmlGateway: boolean;
}

const API_PREFIX = '/wms/lgfapi/v10';
export const TOKEN_PATH = '/oauth2/v1/token';

/** `gateway-html-errors`: what a load balancer in front of the API answers on 502/503/504. */
function gatewayPage(status: number): Answer {
  const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Gateway Time-out'}`;
  return {
    status,
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    headers: { 'Content-Type': 'text/html' },
  };
}

const GATEWAY_STATUSES = new Set([502, 503, 504]);

function errorAnswer(error: ApiError, htmlGateway = false): Answer {
  if (htmlGateway && GATEWAY_STATUSES.has(error.status)) return gatewayPage(error.status);
  const body = JSON.stringify({
    reference: randomUUID(),
    code: error.code,
    message: error.message,
    details: error.details,
  });
  return {
    status: error.status,
    body,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...error.headers },
  };
}

/** Last value wins for repeated parameters, as on the real API. */
function lastWins(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(search)) {
    params.delete(k);
    params.set(k, v);
  }
  return params;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function dispatch(d: Dispatcher, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  const envPrefix = '/' + d.environment;
  if (path === TOKEN_PATH || path === TOKEN_PATH + '/') return token(d, req, res, path);
  if (path.startsWith(envPrefix + '/__sim/')) {
    return control(
      d.control,
      path.slice(envPrefix.length + 7).replace(/\/$/, ''),
      new URLSearchParams(search),
      req,
      res,
    );
  }
  const params = lastWins(search);
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path,
    query: Object.fromEntries(params),
    status: 0,
    auth: 'none',
  };
  d.requests.push(record);
  if (!path.startsWith(envPrefix + API_PREFIX + '/')) {
    return send(d, req, res, record, errorAnswer(apiError(404, 'Not found.'), d.htmlGateway));
  }
  let answer: Answer;
  let fault: RequestFaultKind | undefined;
  const release = await d.workers.acquire();
  let list = false;
  try {
    const route = d.api.route(path.slice(envPrefix.length + API_PREFIX.length));
    list = route.endpoint === 'list';
    const auth = d.gate.check(req.headers.authorization);
    record.auth = auth.kind;
    if (record.method !== 'GET' && record.method !== 'HEAD')
      throw apiError(405, `Method "${record.method}" not allowed.`);
    const prepared = d.api.prepare(route, params);
    const plan = d.faults();
    fault = plan.choose({
      endpoint: route.endpoint,
      entity: route.table?.def.name,
      page: prepared.page,
      bearer: auth.kind === 'bearer',
    });
    if (fault !== undefined) record.fault = fault;
    switch (fault) {
      case '500':
        throw apiError(500, 'An unexpected error occurred.');
      case '503':
        throw apiError(503, 'Service temporarily unavailable.');
      case '502':
        throw apiError(502, 'Bad gateway.');
      case '409':
        throw apiError(409, 'The resource was modified concurrently; retry the request.');
      case '429':
        throw apiError(429, 'Too many requests.');
      case '429-retry-after':
        throw new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many requests.', null, {
          'Retry-After': String(plan.config.retryAfterSeconds ?? 1),
        });
      case '504':
        await delay(plan.config.gatewayTimeoutMs ?? 500);
        throw apiError(504, 'The request took too long to complete.');
      case 'token-expiry':
        if (auth.kind === 'bearer') {
          d.gate.expire(auth.token);
          throw new ApiError(401, 'NOT_AUTHENTICATED', 'Invalid or expired token.', null, {
            'WWW-Authenticate': 'Bearer error="invalid_token"',
          });
        }
        break;
      case 'slow':
        await delay(plan.config.slowMs ?? 500);
        break;
      default:
        break;
    }
    if (prepared.delayMs > 0) await delay(prepared.delayMs);
    answer = prepared.run();
  } catch (error) {
    if (!(error instanceof ApiError)) {
      release();
      throw error;
    }
    answer = errorAnswer(error, d.htmlGateway);
  }
  // Server time: a list answer (a 404 "no rows" too) holds its worker while it is "computed".
  if (list) await delay(listLatencyMs(d.workers.options.pageLatencyMs, answer.rows ?? 0));
  release();
  if (fault === 'reset' || fault === 'truncated') return broken(res, record, answer, fault);
  return send(d, req, res, record, answer);
}

/** A body cut in half: either the connection dies mid-body, or the response "completes" with bad JSON. */
function broken(
  res: ServerResponse,
  record: RecordedRequest,
  answer: Answer,
  fault: 'reset' | 'truncated',
): void {
  const body = Buffer.from(answer.body);
  const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
  record.status = answer.status;
  if (fault === 'truncated') {
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': half.length });
    res.end(half);
    return;
  }
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': body.length });
  res.write(half, () => res.socket?.destroy());
}

function send(
  d: Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  answer: Answer,
): void {
  record.status = answer.status;
  const body = Buffer.from(answer.body);
  const headers: Record<string, string | number> = { ...answer.headers };
  const accepts = req.headers['accept-encoding'];
  if (d.gzip && body.length > 1024 && typeof accepts === 'string' && accepts.includes('gzip')) {
    gzip(body, { level: 1 }, (error, zipped) => {
      if (error) {
        res.destroy(error);
        return;
      }
      res.writeHead(answer.status, {
        ...headers,
        'Content-Encoding': 'gzip',
        Vary: 'Accept-Encoding',
        'Content-Length': zipped.length,
      });
      res.end(req.method === 'HEAD' ? undefined : zipped);
    });
    return;
  }
  res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function token(d: Dispatcher, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const record: RecordedRequest = { method: req.method ?? 'GET', path, query: {}, status: 0, auth: 'none' };
  d.requests.push(record);
  const form = new URLSearchParams(await readBody(req));
  let answer: Answer;
  if (record.method !== 'POST') {
    answer = {
      status: 405,
      body: JSON.stringify({ error: 'invalid_request', error_description: 'Use POST.' }),
    };
  } else {
    const fault = d.faults().choose({ endpoint: 'token', entity: undefined, page: undefined, bearer: false });
    if (fault !== undefined && fault !== 'slow' && fault !== 'token-expiry') {
      record.fault = fault;
      const status = fault === 'reset' || fault === 'truncated' ? 500 : Number.parseInt(fault, 10);
      answer =
        d.htmlGateway && GATEWAY_STATUSES.has(status)
          ? gatewayPage(status)
          : {
              status,
              body: JSON.stringify({ error: 'server_error', error_description: `fault ${fault}` }),
            };
    } else {
      const issued = d.gate.issue(req.headers.authorization, form);
      answer = { status: issued.status, body: JSON.stringify(issued.body) };
    }
  }
  answer.headers = {
    'Content-Type': 'application/json; charset=utf-8',
    ...answer.headers,
    'Cache-Control': 'no-store',
  };
  return send(d, req, res, record, answer);
}
