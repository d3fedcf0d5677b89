/** Control endpoints under {base}/__sim/: move time, read the truth, set faults, expire tokens. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dataset } from '../data/dataset.js';
import { AdvanceError } from '../data/mutation.js';
import { isoUtc } from '../data/time.js';
import type { AdvanceRequest, AdvanceResult, FaultConfig, RecordedRequest, ServerLoad } from '../types.js';
import type { Api } from './api.js';

export interface ControlTarget {
  ds: Dataset;
  api: Api;
  advance(change: AdvanceRequest): AdvanceResult;
  setFaults(faults: FaultConfig | undefined): void;
  faults(): FaultConfig;
  expireTokens(): void;
  requests: RecordedRequest[];
  clearRequests(): void;
  load(): ServerLoad;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  return JSON.parse(text);
}

/** Streams every live row of an entity as JSON lines, respecting backpressure. */
async function snapshot(target: ControlTarget, res: ServerResponse, entity: string): Promise<void> {
  const table = target.ds.table(entity);
  const rows = table.liveRows();
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
  let chunk = '';
  for (let i = 0; i < rows.length; i++) {
    chunk += target.api.renderRow(table, rows[i] as number) + '\n';
    if (chunk.length > 256 * 1024) {
      const flushed = res.write(chunk);
      chunk = '';
      if (!flushed) await new Promise((resolve) => res.once('drain', resolve));
    }
  }
  res.end(chunk);
}

export async function control(
  target: ControlTarget,
  action: string,
  params: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    if (action === 'advance' && method === 'POST') {
      const body = parseJson(await readBody(req)) as AdvanceRequest;
      return json(res, 200, target.advance(body));
    }
    if (action === 'snapshot' && method === 'GET') {
      const entity = params.get('entity') ?? '';
      if (!target.ds.has(entity)) return json(res, 404, { message: `unknown entity "${entity}"` });
      return await snapshot(target, res, entity);
    }
    if (action === 'faults' && method === 'GET') return json(res, 200, target.faults());
    if (action === 'faults' && (method === 'PUT' || method === 'POST')) {
      const body = parseJson(await readBody(req)) as FaultConfig | null;
      target.setFaults(body ?? undefined);
      return json(res, 200, target.faults());
    }
    if (action === 'expire-tokens' && method === 'POST') {
      target.expireTokens();
      return json(res, 200, { expired: true });
    }
    if (action === 'requests' && method === 'GET') return json(res, 200, target.requests);
    if (action === 'requests' && method === 'DELETE') {
      target.clearRequests();
      return json(res, 200, { cleared: true });
    }
    if (action === 'state' && method === 'GET') {
      const entities: Record<string, { rows: number; max_id: number }> = {};
      for (const name of target.ds.names()) {
        const table = target.ds.table(name);
        entities[name] = { rows: table.live, max_id: table.size };
      }
      return json(res, 200, {
        now: isoUtc(target.ds.now),
        entities,
        load: target.load(),
        quirks: target.ds.quirks.list(),
      });
    }
    return json(res, 404, { message: `unknown control endpoint ${method} /__sim/${action}` });
  } catch (error) {
    if (error instanceof AdvanceError || error instanceof SyntaxError || error instanceof Error) {
      if (!res.headersSent) return json(res, 400, { message: error.message });
      res.destroy();
    }
  }
}
