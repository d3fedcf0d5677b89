// The `meltano run tap-oracle-wms target-oracle` stage of bench/target-sqlite.ts: the project's
// own meltano.yml and the plugins scripts/setup.sh installed from the wheels (.venv/bin/meltano,
// .meltano/), against a simulator the bench started, into a fresh SQLite file.
//
// No state of an earlier run reaches it: Meltano gets a temporary system directory
// (MELTANO_SYS_DIR_ROOT, so its own system database, run files and catalog cache, with
// extractors/ and loaders/ linking to the installed plugins, as test/support/meltano.ts does),
// and `--full-refresh` on top. The system database is created by an untimed `meltano state list`
// first, so its migrations are not counted; the timed run includes Meltano's start, the tap's
// discovery and the run itself.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type ProcessFigures, sampleTree } from './process-tree.js';

/** What the stage needs from `bash scripts/setup.sh`, relative to the repository root. */
const installed = [
  '.venv/bin/meltano',
  '.meltano/extractors/tap-oracle-wms/venv/bin/tap-oracle-wms',
  '.meltano/loaders/target-oracle/venv/bin/target-oracle',
];

/** Why the stage cannot run here (what is missing), or undefined when it can. */
export function meltanoMissing(repoRoot: string): string | undefined {
  const missing = installed.filter((path) => !existsSync(join(repoRoot, path)));
  return missing.length === 0 ? undefined : missing.join(', ');
}

/** When scripts/setup.sh last installed the plugins (its stamp file), for the bench's output. */
export function pluginsInstalledAt(repoRoot: string): string {
  const stamp = join(repoRoot, '.meltano', '.wms-singer-setup');
  return existsSync(stamp) ? `${statSync(stamp).mtime.toISOString().slice(0, 16)}Z` : 'unknown';
}

/** The part of the pipeline a process of the tree is. */
function labelOf(argv: string[]): string {
  const [program = '', script = ''] = argv;
  if (program === '/usr/bin/time') return 'time';
  if (basename(script) === 'meltano') return 'meltano';
  const text = argv.join(' ');
  if (/target[-_]oracle/.test(text)) return 'target';
  if (/tap[-_]oracle[-_]wms/.test(text)) return 'tap';
  return basename(program);
}

export interface MeltanoRun {
  seconds: number;
  /** User + system CPU of meltano and every process it waited for (/usr/bin/time -v). */
  cpuSeconds: number;
  /** Maximum resident set size of /usr/bin/time -v: the largest single process of the tree. */
  peakRssMb: number;
  /** CPU and peak RSS per part (meltano, tap, target), summed over its processes, as sampled. */
  parts: { label: string; processes: number; cpuSeconds: number; peakRssMb: number }[];
  /** The busiest threads of the whole tree, `<part> <thread name>` (or the part's name alone for its
   * main thread of the same name) with CPU seconds. */
  busiest: [string, number][];
  rows: number;
}

export async function runMeltano(options: {
  repoRoot: string;
  baseUrl: string;
  workDir: string;
  batchSize: number;
}): Promise<MeltanoRun> {
  const { repoRoot } = options;
  const meltano = join(repoRoot, '.venv', 'bin', 'meltano');
  const dir = mkdtempSync(join(options.workDir, 'meltano-'));
  try {
    const system = join(dir, 'system');
    mkdirSync(system);
    for (const kind of ['extractors', 'loaders'])
      symlinkSync(join(repoRoot, '.meltano', kind), join(system, kind));
    const db = join(dir, 'bench.db');
    const timeFile = join(dir, 'time.txt');
    // Settings a developer exported (for staging or prod) must not reach this run.
    const inherited = Object.entries(process.env).filter(
      ([name]) => !/^(MELTANO_|TAP_ORACLE_WMS_|TARGET_ORACLE_|WMS_QUALITY_)/.test(name),
    );
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(inherited),
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
      MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
      MELTANO_SYS_DIR_ROOT: system,
      MELTANO_ENVIRONMENT: 'dev',
      // The tap and the target as the tap | target stage configures them.
      TAP_ORACLE_WMS_BASE_URL: options.baseUrl,
      TAP_ORACLE_WMS_ENTITIES: '["order_dtl"]',
      TAP_ORACLE_WMS_PAGE_SIZE: '1000',
      // At warn the tap writes no METRIC lines (they are info) whatever metrics_interval_seconds.
      TAP_ORACLE_WMS_LOG_LEVEL: 'warn',
      TARGET_ORACLE_DIALECT: 'sqlite',
      TARGET_ORACLE_SQLITE_PATH: db,
      TARGET_ORACLE_BATCH_SIZE_ROWS: String(options.batchSize),
      TARGET_ORACLE_HARD_DELETE: 'false',
      TARGET_ORACLE_LOG_LEVEL: 'warn',
    };
    const prepared = await exited(spawn(meltano, ['state', 'list'], { cwd: repoRoot, env, stdio: 'pipe' }));
    if (prepared.code !== 0)
      throw new Error(`meltano state list exited ${prepared.code}: ${prepared.stderr}`);

    const started = process.hrtime.bigint();
    const child = spawn(
      '/usr/bin/time',
      [
        '-v',
        '-o',
        timeFile,
        meltano,
        'run',
        '--full-refresh',
        '--no-install',
        'tap-oracle-wms',
        'target-oracle',
      ],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const sampler = child.pid === undefined ? undefined : sampleTree(child.pid, labelOf);
    const { code, stderr } = await exited(child);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const processes = sampler?.stop() ?? [];
    if (code !== 0) throw new Error(`meltano run exited ${code}: ${stderr}`);

    const time = readFileSync(timeFile, 'utf8');
    const figure = (pattern: RegExp): number => Number(pattern.exec(time)?.[1] ?? Number.NaN);
    let rows = 0;
    if (existsSync(db)) {
      const check = new DatabaseSync(db, { readOnly: true });
      if (check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'order_dtl'").get() !== undefined)
        rows = Number((check.prepare('SELECT count(*) AS n FROM order_dtl').get() as { n: number }).n);
      check.close();
    }
    return {
      seconds,
      cpuSeconds: figure(/User time \(seconds\): ([\d.]+)/) + figure(/System time \(seconds\): ([\d.]+)/),
      peakRssMb: figure(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
      parts: parts(processes),
      busiest: processes
        .flatMap(({ label, threads }) =>
          [...threads].map(([thread, cpu]): [string, number] => {
            const name = thread.slice(thread.indexOf(' ') + 1);
            return [name === label ? label : `${label} ${name}`, cpu];
          }),
        )
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3),
      rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parts(processes: ProcessFigures[]): MeltanoRun['parts'] {
  const byLabel = new Map<string, MeltanoRun['parts'][number]>();
  for (const { label, cpuSeconds, peakRssMb } of processes) {
    if (label === 'time') continue;
    const part = byLabel.get(label) ?? { label, processes: 0, cpuSeconds: 0, peakRssMb: 0 };
    part.processes++;
    part.cpuSeconds += cpuSeconds;
    part.peakRssMb = Math.max(part.peakRssMb, peakRssMb);
    byLabel.set(label, part);
  }
  return [...byLabel.values()].sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

/** Waits for a child to end, keeping the last 8 KB of its stderr for an error message. */
function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}
