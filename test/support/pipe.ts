import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executables } from './repo.js';

export interface PipeRun {
  tapStatus: number | null;
  targetStatus: number | null;
  /** What the target printed on stdout (state values), one entry per line. */
  states: unknown[];
  tapStderr: string;
  targetStderr: string;
  /** How many RECORD messages crossed the pipe, per stream. */
  recordCounts: Record<string, number>;
}

export interface PipeOptions {
  dir: string;
  tapConfig: Record<string, unknown>;
  targetConfig: Record<string, unknown>;
  state?: unknown;
  catalog?: unknown;
  /** Kill the target with SIGKILL once it has printed this many state lines. */
  killTargetAfterStates?: number;
  /** Kill the tap with SIGKILL this many ms after its first RECORD crossed the pipe. */
  killTapAfterMs?: number;
}

/**
 * `tap-oracle-wms | target-oracle`, the way people debug the pair by hand, with the
 * messages counted on their way through.
 */
export async function runPipe(options: PipeOptions): Promise<PipeRun> {
  const file = (name: string, value: unknown): string => {
    const path = join(options.dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const tapArgs = ['--config', file('tap.json', options.tapConfig)];
  if (options.state !== undefined) tapArgs.push('--state', file('state.json', options.state));
  if (options.catalog !== undefined) tapArgs.push('--catalog', file('catalog.json', options.catalog));
  const tap = spawn(process.execPath, [executables.tap, ...tapArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const target = spawn(
    process.execPath,
    [executables.target, '--config', file('target.json', options.targetConfig)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );

  const recordCounts: Record<string, number> = {};
  let carry = '';
  tap.stdout.on('data', (chunk: Buffer) => {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{"type":"RECORD"')) continue;
      if (options.killTapAfterMs !== undefined && Object.keys(recordCounts).length === 0)
        setTimeout(() => tap.kill('SIGKILL'), options.killTapAfterMs);
      const stream = /"stream":"([^"]+)"/.exec(line)?.[1] ?? '?';
      recordCounts[stream] = (recordCounts[stream] ?? 0) + 1;
    }
  });
  tap.stdout.pipe(target.stdin);
  target.stdin.on('error', () => {
    // the target is gone; what matters is what happens to the tap (below)
  });
  // As in a shell pipe, the tap must see its reader go away (EPIPE) when the target ends:
  // stop relaying and close our end of the tap's stdout, or the tap would block on a full pipe.
  target.on('close', () => {
    tap.stdout.unpipe(target.stdin);
    tap.stdout.destroy();
  });

  let tapStderr = '';
  let targetStderr = '';
  let targetStdout = '';
  tap.stderr.on('data', (chunk: Buffer) => {
    tapStderr += chunk.toString('utf8');
  });
  target.stderr.on('data', (chunk: Buffer) => {
    targetStderr += chunk.toString('utf8');
  });
  target.stdout.on('data', (chunk: Buffer) => {
    targetStdout += chunk.toString('utf8');
    const printed = targetStdout.split('\n').filter(Boolean).length;
    if (options.killTargetAfterStates !== undefined && printed >= options.killTargetAfterStates) {
      target.kill('SIGKILL');
    }
  });

  const exited = (child: ReturnType<typeof spawn>): Promise<number | null> =>
    new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const [tapStatus, targetStatus] = await Promise.all([exited(tap), exited(target)]);
  const states = targetStdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
  return { tapStatus, targetStatus, states, tapStderr, targetStderr, recordCounts };
}
