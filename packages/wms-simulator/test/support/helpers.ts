/** Test helpers: a started simulator and small HTTP calls against it. */
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/index.js';

export const BASIC = 'Basic ' + Buffer.from('wms_user:wms_password').toString('base64');

/** Parsed API payloads: tests inspect them field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the one place test payloads are untyped
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

export async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', BASIC);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** GET {apiUrl}{path}. */
export function api(sim: Simulator, path: string, init?: RequestInit): Promise<Reply> {
  return call(sim.apiUrl + path, init);
}

export async function withSimulator<T>(
  options: SimulatorOptions,
  body: (sim: Simulator) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

/** Follows next_page from a first URL; returns every record. */
export async function walk(
  firstUrl: string,
  init?: RequestInit,
): Promise<{ records: Json[]; pages: Reply[] }> {
  const records: Json[] = [];
  const pages: Reply[] = [];
  let url: string | null = firstUrl;
  while (url !== null) {
    const reply = await call(url, init);
    if (reply.status !== 200) throw new Error(`HTTP ${reply.status} on ${url}: ${reply.text.slice(0, 200)}`);
    pages.push(reply);
    records.push(...reply.json.results);
    url = reply.json.next_page;
  }
  return { records, pages };
}

export function isErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.reference === 'string' &&
    /^[0-9a-f-]{36}$/.test(b.reference) &&
    typeof b.code === 'string' &&
    typeof b.message === 'string' &&
    'details' in b
  );
}

/** Epoch micros of a rendered *_ts value (the offset is honoured). */
export function micros(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{6})([+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`not a WMS timestamp: ${text}`);
  return Date.parse(`${m[1]}${m[3]}`) * 1000 + Number(m[2]);
}

/** Epoch micros of any rendered *_ts: with an offset or Z (utc-z), with or without a fraction. */
export function instant(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{6}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`not a timestamp: ${text}`);
  return Date.parse(`${m[1]}${m[3]}`) * 1000 + Number(m[2] ?? 0);
}
