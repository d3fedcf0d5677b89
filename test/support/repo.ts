import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from test/dist/support/ (compiled) or test/support/ (source). */
export const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../..' : '../..',
);

export const executables = {
  tap: resolve(repoRoot, 'packages/tap-oracle-wms/bin/tap-oracle-wms.js'),
  target: resolve(repoRoot, 'packages/target-oracle/bin/target-oracle.js'),
  simulator: resolve(repoRoot, 'packages/wms-simulator/bin/wms-simulator.js'),
} as const;

/** Runs one of the executables to completion and returns what it printed. */
export function runExecutable(
  path: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path, ...args], {
    input: options.input,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * The same, without blocking: needed whenever the WMS simulator runs in the test's own
 * process (a synchronous spawn would stop it from answering).
 */
export function runExecutableAsync(
  path: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [path, ...args], {
      env: { ...process.env, ...options.env },
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
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}
