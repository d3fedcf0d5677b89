import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './repo.js';

/** The Meltano project: the repository root, where meltano.yml lives. */
export const projectRoot = repoRoot;
export const meltanoBin = resolve(projectRoot, '.venv/bin/meltano');

export interface Completed {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (an in-process simulator must keep serving). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Completed> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolvePromise({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.end(options.input);
  });
}

/**
 * Real Meltano on this project, with its own system directory: a temporary `.meltano` whose
 * extractors/, loaders/ and utilities/ link to the plugins `meltano install` put under the project, so
 * the state database, run files and catalog cache are this sandbox's alone.
 */
export class MeltanoSandbox {
  readonly directory = mkdtempSync(join(tmpdir(), 'meltano-test-'));
  readonly sqlitePath = join(this.directory, 'warehouse.db');
  readonly systemDirectory = join(this.directory, 'meltano-sys');
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: Record<string, string>) {
    if (!existsSync(meltanoBin)) {
      throw new Error(`${meltanoBin} is missing: run scripts/setup.sh (it installs Meltano and the plugins)`);
    }
    mkdirSync(this.systemDirectory);
    for (const kind of ['extractors', 'loaders', 'utilities']) {
      const installed = resolve(projectRoot, '.meltano', kind);
      if (!existsSync(installed)) throw new Error(`${installed} is missing: run scripts/setup.sh`);
      symlinkSync(installed, join(this.systemDirectory, kind));
    }
    // Settings a developer exported for staging or prod must not leak into the dev runs here.
    const inherited = Object.entries(process.env).filter(
      ([name]) => !/^(MELTANO_|TAP_ORACLE_WMS_|TARGET_ORACLE_|WMS_QUALITY_)/.test(name),
    );
    this.env = {
      ...Object.fromEntries(inherited),
      NO_COLOR: '1',
      MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
      MELTANO_SYS_DIR_ROOT: this.systemDirectory,
      MELTANO_ENVIRONMENT: 'dev',
      TARGET_ORACLE_SQLITE_PATH: this.sqlitePath,
      ...env,
    };
  }

  /**
   * Runs meltano in the project. `env` adds variables; a variable given as `undefined` is
   * removed (MELTANO_ENVIRONMENT: undefined runs it as a user would without choosing one).
   */
  meltano(args: string[], env: Record<string, string | undefined> = {}): Promise<Completed> {
    const merged: NodeJS.ProcessEnv = { ...this.env, ...env };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete merged[name];
    return run(meltanoBin, args, { cwd: projectRoot, env: merged });
  }

  /** Like meltano(), but a non-zero exit fails with the command and what it printed. */
  async meltanoOk(args: string[], env: Record<string, string | undefined> = {}): Promise<Completed> {
    const result = await this.meltano(args, env);
    if (result.status !== 0) {
      throw new Error(
        `meltano ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
      );
    }
    return result;
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
