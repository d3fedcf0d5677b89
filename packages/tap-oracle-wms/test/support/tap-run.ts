import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordedRequest, Simulator } from '@wms-singer/wms-simulator';

const BIN = fileURLToPath(new URL('../../../bin/tap-oracle-wms.js', import.meta.url));

export interface Message {
  type: string;
  stream?: string;
  record?: Record<string, unknown>;
  schema?: { properties: Record<string, unknown> };
  key_properties?: string[];
  bookmark_properties?: string[];
  time_extracted?: string;
  version?: number;
  value?: { bookmarks?: Record<string, Record<string, unknown>> };
}

export interface TapRun {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Message[];
}

export interface TapInputs {
  catalog?: unknown;
  state?: unknown;
  args?: string[];
  /** Environment variables set (a string) or removed (undefined) for the child. */
  env?: Record<string, string | undefined>;
  /** Called once, when the first RECORD reaches stdout (to send the child a signal, say). */
  onFirstRecord?: (pid: number) => void;
  /** Called with each whole line the child writes to stdout, with its pid. */
  onLine?: (line: string, pid: number) => void;
}

/**
 * Basic-auth settings for a simulator, with small pages so every run crosses page boundaries.
 * One window per stream (`parallel_windows: 1`): these tests count and inspect each request of
 * one walk; windows.test.ts covers window-parallel runs.
 */
export function basicConfig(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_url: sim.baseUrl,
    username: 'wms_user',
    password: 'wms_password',
    page_size: 7,
    retry_backoff_seconds: 0.01,
    log_level: 'warn',
    parallel_windows: 1,
    ...extra,
  };
}

export function oauthConfig(sim: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_url: sim.baseUrl,
    auth_method: 'oauth2',
    oauth_token_url: sim.tokenUrl,
    oauth_client_id: 'wms_client',
    oauth_client_secret: 'wms_secret',
    page_size: 7,
    retry_backoff_seconds: 0.01,
    log_level: 'warn',
    parallel_windows: 1,
    ...extra,
  };
}

/** Runs the built CLI with the config (and catalog/state) written to files; parses stdout lines. */
export async function runTap(config: unknown, inputs: TapInputs = {}): Promise<TapRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-wms-'));
  const args = [BIN];
  const write = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  args.push('--config', write('config.json', config));
  if (inputs.catalog !== undefined) args.push('--catalog', write('catalog.json', inputs.catalog));
  if (inputs.state !== undefined) args.push('--state', write('state.json', inputs.state));
  args.push(...(inputs.args ?? []));
  const env = { ...process.env };
  for (const [name, value] of Object.entries(inputs.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let recordSeen = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lineStart = stdout.lastIndexOf('\n') + 1;
    stdout += chunk;
    if (!recordSeen && chunk.includes('"type":"RECORD"') && child.pid !== undefined) {
      recordSeen = true;
      inputs.onFirstRecord?.(child.pid);
    }
    if (inputs.onLine !== undefined && child.pid !== undefined) {
      const lines = stdout.slice(lineStart, stdout.lastIndexOf('\n') + 1).split('\n');
      lines.pop();
      for (const line of lines) inputs.onLine(line, child.pid);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
  // --discover and --about print one pretty-printed JSON document, not Singer lines.
  // A child killed mid-write may leave a last line cut short: only whole lines are messages.
  const whole = code === null ? stdout.slice(0, stdout.lastIndexOf('\n') + 1) : stdout;
  const messages = args.includes('--discover') || args.includes('--about') ? [] : parseLines(whole);
  return { code, stdout, stderr, messages };
}

export function parseLines(stdout: string): Message[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Message);
}

export const recordsOf = (run: TapRun, stream: string): Record<string, unknown>[] =>
  run.messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record!);

export const idsOf = (records: Record<string, unknown>[]): number[] =>
  records.map((r) => r.id as number).sort((a, b) => a - b);

export const liveIds = (sim: Simulator, entity: string): number[] => idsOf(sim.snapshot(entity));

export const lastState = (run: TapRun): Message['value'] =>
  run.messages.filter((m) => m.type === 'STATE').at(-1)?.value;

/** Every list request of one entity the simulator saw, the late-rows catch-up's probes and listings included. */
export const allListRequests = (sim: Simulator, entity: string) =>
  sim.requests.filter((r) => r.path.replace(/\/$/, '').endsWith(`/entity/${entity}`));

/**
 * The late-rows catch-up's requests that read keys, not rows: one-row count probes of id ranges
 * (`page_size=1&fields=id`), listings of id ranges (`fields=id`) and of hours (`fields=id,mod_ts`).
 */
const isKeyRequest = (r: RecordedRequest): boolean =>
  r.query.fields === 'id' || r.query.fields === 'id,mod_ts';

/** The list requests of one entity that read rows (not the catch-up's probes and key listings). */
export const listRequests = (sim: Simulator, entity: string) =>
  allListRequests(sim, entity).filter((r) => !isKeyRequest(r));

/** The late-rows catch-up's probes and key listings of one entity. */
export const keyRequests = (sim: Simulator, entity: string) =>
  allListRequests(sim, entity).filter(isKeyRequest);

/** The stderr lines that are not JSON log lines (the harness's one-line error). */
export const errorLines = (run: TapRun): string[] =>
  run.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
