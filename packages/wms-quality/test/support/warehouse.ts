// Test support: a simulator, a load through the real tap | target pipe into SQLite, the truth from
// /__sim/snapshot, and wms-quality run as its executable.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Simulator, type SimulatorOptions, startSimulator } from '@wms-singer/wms-simulator';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const executables = {
  tap: join(packages, 'tap-oracle-wms/bin/tap-oracle-wms.js'),
  target: join(packages, 'target-oracle/bin/target-oracle.js'),
  quality: join(packages, 'wms-quality/bin/wms-quality.js'),
};

/** The checks, by the names issue 15 gives them, in the order they run. */
export const CHECK_NAMES = [
  'order_dtl_has_order_hdr',
  'allocation_has_order_dtl',
  'allocated_within_ordered',
  'freshness',
  'completeness',
  'rejects',
];

export interface Completed {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the in-process simulator keeps answering). */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Completed> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'wms-quality-'));

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** A simulator whose clock starts `minutesAgo` before now, so freshness can be judged against now. */
export function simulator(options: SimulatorOptions & { minutesAgo?: number } = {}): Promise<Simulator> {
  const { minutesAgo = 30, ...rest } = options;
  return startSimulator({
    seed: 7,
    rows: { order_dtl: 400 },
    startTime: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    ...rest,
  });
}

export function tapConfig(sim: Simulator): Record<string, unknown> {
  return { base_url: sim.baseUrl, username: 'wms_user', password: 'wms_password', page_size: 500 };
}

/** tap-oracle-wms | target-oracle into `sqlitePath`; throws with both stderr texts when either fails. */
export async function load(sim: Simulator, dir: string, target: Record<string, unknown>): Promise<void> {
  const tap = writeJson(dir, 'tap.json', tapConfig(sim));
  const targetFile = writeJson(dir, 'target.json', target);
  const node = JSON.stringify(process.execPath);
  const pipe = `set -o pipefail; ${node} ${JSON.stringify(executables.tap)} --config ${JSON.stringify(tap)} 2>${JSON.stringify(join(dir, 'tap.log'))} | ${node} ${JSON.stringify(executables.target)} --config ${JSON.stringify(targetFile)} >/dev/null`;
  const result = await run('bash', ['-c', pipe]);
  if (result.status !== 0) throw new Error(`load failed (${result.status}): ${result.stderr}`);
}

/** Every live row of an entity, from the simulator's control endpoint. */
export async function snapshot(sim: Simulator, entity: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${sim.baseUrl}/__sim/snapshot?entity=${entity}`);
  if (!response.ok) throw new Error(`snapshot ${entity}: ${response.status}`);
  return (await response.text())
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface Expected {
  failing: number;
  /** The first 20 failing ids, ascending, as text. */
  keys: string[];
}

const idOf = (ref: unknown): number | undefined => (ref as { id?: number } | null)?.id;
const expected = (ids: number[]): Expected => ({
  failing: ids.length,
  keys: [...ids]
    .sort((a, b) => a - b)
    .slice(0, 20)
    .map(String),
});

/** What the three relational rules must find, computed from the snapshots alone. */
export async function truth(
  sim: Simulator,
): Promise<{ rules: Record<string, Expected>; counts: Record<string, number> }> {
  const [headers, lines, allocations] = await Promise.all([
    snapshot(sim, 'order_hdr'),
    snapshot(sim, 'order_dtl'),
    snapshot(sim, 'allocation'),
  ]);
  const headerIds = new Set(headers.map((h) => h.id as number));
  const lineIds = new Set(lines.map((l) => l.id as number));
  const allocated = new Map<number, number>();
  for (const a of allocations) {
    const line = idOf(a.order_dtl_id);
    if (line !== undefined) allocated.set(line, (allocated.get(line) ?? 0) + Number(a.alloc_qty));
  }
  const rules: Record<string, Expected> = {
    order_dtl_has_order_hdr: expected(
      lines.filter((l) => !headerIds.has(idOf(l.order_id) ?? -1)).map((l) => l.id as number),
    ),
    allocation_has_order_dtl: expected(
      allocations.filter((a) => !lineIds.has(idOf(a.order_dtl_id) ?? -1)).map((a) => a.id as number),
    ),
    allocated_within_ordered: expected(
      lines
        .filter((l) => (allocated.get(l.id as number) ?? 0) > Number(l.ord_qty ?? 0) + 1e-6)
        .map((l) => l.id as number),
    ),
  };
  return {
    rules,
    counts: { order_hdr: headers.length, order_dtl: lines.length, allocation: allocations.length },
  };
}

/** Runs `wms-quality check` (or report) with the given config; stderr lines by check. */
export async function quality(dir: string, config: Record<string, unknown>, args: string[] = ['check']) {
  const file = writeJson(dir, `quality-${Math.random().toString(36).slice(2)}.json`, config);
  const result = await run(process.execPath, [executables.quality, ...args, '--config', file], {
    LOG_LEVEL: 'warn',
  });
  const lines: Record<string, string> = {};
  for (const line of result.stderr.split('\n')) {
    const match = /^wms-quality: (\w+) (pass|warn|fail|skipped|error):/.exec(line);
    if (match) lines[match[1]!] = line;
  }
  return { ...result, lines };
}
