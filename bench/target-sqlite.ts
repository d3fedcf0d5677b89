// Bench: the target against an honest limit, in one run, printing one table.
//
//   npx tsc -b bench && node bench/dist/target-sqlite.js [--records 1000000] [--small 100000]
//       [--runs 1] [--compare LABEL=PATH/TO/bin/target-oracle.js ...] [--no-pipe] [--no-meltano]
//
// Input: order_dtl RECORD lines as the tap writes them, recorded once into bench/out/ (gitignored)
// from the simulator (1M rows by default; the small file is the first --small records of it).
//
// The limit is the plain loop of issue 17: the file read in 64 KiB slices, `indexOf` newline,
// `JSON.parse` of each line; nothing else. It runs before the first stage and after the last (the
// speed of a shared machine drifts) and every stage is given as a share of it: the kit's reader
// (the first thing the target does with its input), the target loading the file into SQLite (as
// Meltano's launcher runs it, `node --max-semi-space-size=4`), and tap | target against the
// simulator, and `meltano run tap-oracle-wms target-oracle` against the same simulator (the
// project's meltano.yml and the plugins `bash scripts/setup.sh` installed from the wheels, so
// rerun it after changing the code; without them the bench says the stage was not run;
// bench/support/meltano-run.ts). A target is a child process under /usr/bin/time -v, whose
// "Maximum resident set size" is the peak RSS of the whole process (main thread, SQLite worker and
// checkpoint thread); for `meltano run`, /usr/bin/time covers Meltano and every process it ran
// (CPU of all of them; peak RSS of the largest one), and /proc samples give CPU per part.
// --compare runs another build of the target beside this one (for example a checkout of an
// earlier commit), in the same run on the same files.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { readMessageBatches } from '@wms-singer/singer';
import { meltanoMissing, pluginsInstalledAt, runMeltano } from './support/meltano-run.js';
import { type Measured, plainLoop, slices } from './support/plain-loop.js';
import { descendants, readThreads } from './support/process-tree.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const outDir = join(repoRoot, 'bench', 'out');
const targetBin = join(repoRoot, 'packages', 'target-oracle', 'bin', 'target-oracle.js');
const tapBin = join(repoRoot, 'packages', 'tap-oracle-wms', 'bin', 'tap-oracle-wms.js');
const simulatorBin = join(repoRoot, 'packages', 'wms-simulator', 'bin', 'wms-simulator.js');
/** The Node flags the plugin wheel's launcher (plugins/wms_singer_launch.py) runs the target with. */
const nodeFlags: string[] =
  JSON.parse(readFileSync(join(repoRoot, 'packages', 'target-oracle', 'package.json'), 'utf8')).wmsSinger
    ?.nodeFlags ?? [];

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}
const total = argument('records', 1_000_000);
const small = argument('small', 100_000);
const runs = argument('runs', 1);
const batchSize = argument('batch', 10_000);
const withPipe = !process.argv.includes('--no-pipe');
/** Why the `meltano run` stage does not run, or undefined when it does. */
const noMeltano = process.argv.includes('--no-meltano')
  ? 'skipped (--no-meltano)'
  : meltanoMissing(repoRoot) &&
    `not run: ${meltanoMissing(repoRoot)} missing; \`bash scripts/setup.sh\` installs Meltano and the plugins`;
/** Targets to run: this checkout's, then each --compare LABEL=PATH. */
const targets: { label: string; bin: string }[] = [{ label: 'target', bin: targetBin }];
process.argv.forEach((value, i) => {
  if (value !== '--compare') return;
  const [label, path] = (process.argv[i + 1] ?? '').split('=');
  if (!label || !path) throw new Error('--compare LABEL=PATH/TO/bin/target-oracle.js');
  targets.push({ label, bin: resolve(path) });
});

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;

// ---------------------------------------------------------------- input: recorded from the tap

interface Simulator {
  baseUrl: string;
  child: ChildProcess;
}

async function startSimulator(rows: number): Promise<Simulator> {
  const child = spawn(process.execPath, [simulatorBin, '--rows', `order_dtl=${rows}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolvePromise, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolvePromise(text.split('\n')[0]!.trim());
    });
    child.on('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
  });
  child.stdout?.resume();
  return { baseUrl, child };
}

function tapConfig(sim: Simulator): string {
  const path = join(outDir, 'bench-tap.json');
  writeFileSync(
    path,
    JSON.stringify({
      base_url: sim.baseUrl,
      username: 'wms_user',
      password: 'wms_password',
      entities: ['order_dtl'],
      page_size: 1000,
      log_level: 'warn',
      metrics_interval_seconds: 0,
    }),
  );
  return path;
}

/** The tap's output for `rows` order_dtl rows, once: SCHEMA, RECORD and STATE lines as it writes them. */
async function record(path: string, sim: Simulator): Promise<void> {
  const partial = `${path}.partial`;
  const out = openSync(partial, 'w');
  const child = spawn(process.execPath, [tapBin, '--config', tapConfig(sim)], {
    stdio: ['ignore', out, 'inherit'],
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  closeSync(out);
  if (code !== 0) throw new Error(`the tap exited with ${code} while recording`);
  renameSync(partial, path);
}

/** The first `count` RECORD lines of `from` (with the lines between them) into `to`. */
function head(from: string, to: string, count: number): void {
  const out = openSync(`${to}.partial`, 'w');
  let records = 0;
  for (const text of slices(from)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1 && records < count; nl = text.indexOf('\n', start)) {
      if (text.startsWith('{"type":"RECORD"', start)) records++;
      writeSync(out, text.slice(start, nl + 1));
      start = nl + 1;
    }
    if (records >= count) break;
  }
  closeSync(out);
  if (records < count) throw new Error(`${from} holds ${records} records, fewer than ${count}`);
  renameSync(`${to}.partial`, to);
}

// ---------------------------------------------------------------- the limit and the kit's reader

/** The kit's reader as the target uses it: readMessageBatches over the file in 1 MiB chunks. */
async function kitReader(path: string): Promise<Measured> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let records = 0;
  for await (const batch of readMessageBatches(createReadStream(path, { highWaterMark: 1024 * 1024 }))) {
    for (const message of batch.messages) if (message.type === 'RECORD') records++;
  }
  const used = process.cpuUsage(cpu);
  return { records, seconds: seconds(started), cpuSeconds: (used.user + used.system) / 1e6 };
}

// ---------------------------------------------------------------- the target as a child process

/**
 * CPU seconds per thread of a running process, from /proc/<pid>/task/<tid>/stat (utime + stime,
 * in clock ticks of 1/100 s), sampled until the process ends: on a shared machine the wall clock
 * says what we got, the busiest thread says what two idle cores would give.
 */
function sampleThreads(pid: number): { stop(): Map<string, number> } {
  const latest = new Map<string, number>();
  const read = (): void => readThreads(pid, latest);
  const timer = setInterval(read, 200);
  return {
    stop() {
      clearInterval(timer);
      return latest;
    },
  };
}

/** The node process under /usr/bin/time (a direct child of `parent`, or of its child for a pipe). */
async function nodePid(parent: number, script: string): Promise<number | undefined> {
  for (let i = 0; i < 100; i++) {
    const found = descendants(parent).find((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return command[0] === process.execPath && command.includes(script);
      } catch {
        return false;
      }
    });
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

interface TargetRun {
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds of the three busiest threads (the main thread, the SQLite worker, the checkpoint thread). */
  busiest: [string, number][];
  peakRssMb: number;
  rows: number;
  states: number;
  /** better-sqlite3 on Node 24 can fail an assertion in its Statement destructor as the worker ends. */
  abortedAtExit: boolean;
}

/** Runs `command` through sh with the target under /usr/bin/time -v; stdout of the target is counted. */
async function runTarget(bin: string, input: { file: string } | { tapConfig: string }): Promise<TargetRun> {
  const db = join(outDir, 'bench.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const config = join(outDir, 'bench-target.json');
  const timeFile = join(outDir, 'bench-time.txt');
  writeFileSync(config, JSON.stringify({ dialect: 'sqlite', sqlite_path: db, batch_size_rows: batchSize }));
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const target = [
    '/usr/bin/time',
    '-v',
    '-o',
    timeFile,
    process.execPath,
    ...nodeFlags,
    bin,
    '--config',
    config,
  ]
    .map(q)
    .join(' ');
  const command =
    'file' in input
      ? `${target} --input ${q(input.file)}`
      : `set -o pipefail; ${q(process.execPath)} ${q(tapBin)} --config ${q(input.tapConfig)} | ${target}`;
  const started = process.hrtime.bigint();
  const child = spawn('bash', ['-c', command], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid === undefined ? undefined : await nodePid(child.pid, bin);
  const threads = pid === undefined ? undefined : sampleThreads(pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wall = seconds(started);
  const perThread = threads?.stop() ?? new Map<string, number>();
  const busiest = [...perThread.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const abortedAtExit = code !== 0 && /Statement::~Statement/.test(stderr);
  if (code !== 0 && !abortedAtExit) throw new Error(`target exited ${code}: ${stderr.slice(-2000)}`);
  const time = readFileSync(timeFile, 'utf8');
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(time);
  const user = /User time \(seconds\): ([\d.]+)/.exec(time);
  const system = /System time \(seconds\): ([\d.]+)/.exec(time);
  let rows = 0;
  if (existsSync(db)) {
    const check = new DatabaseSync(db, { readOnly: true });
    const table = check.prepare("SELECT 1 FROM sqlite_master WHERE name = 'order_dtl'").get();
    if (table !== undefined)
      rows = Number((check.prepare('SELECT count(*) AS n FROM order_dtl').get() as { n: number }).n);
    check.close();
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  return {
    seconds: wall,
    cpuSeconds: Number(user?.[1] ?? Number.NaN) + Number(system?.[1] ?? Number.NaN),
    busiest,
    peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    rows,
    states: stdout.split('\n').filter(Boolean).length,
    abortedAtExit,
  };
}

// ---------------------------------------------------------------- the run

/** A target run as a row of the table; `threads` names the three busiest threads with their CPU. */
function rowOf(stage: string, records: number, run: TargetRun): Row {
  return {
    stage,
    records,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    busiest: Math.max(...run.busiest.map(([, cpu]) => cpu)),
    threads: run.busiest.map(([thread, cpu]) => `${thread.split(' ')[1]} ${cpu.toFixed(1)} s`).join(', '),
    peakRssMb: run.peakRssMb,
    load: load(),
  };
}

interface Row {
  stage: string;
  records: number;
  seconds: number;
  cpuSeconds: number;
  busiest?: number;
  /** CPU seconds of the three busiest threads. */
  threads?: string;
  peakRssMb?: number;
  load: string;
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const started = process.hrtime.bigint();
  const bigFile = join(outDir, `tap-order_dtl-${total}.singer`);
  const smallFile = join(outDir, `tap-order_dtl-${small}-of-${total}.singer`);
  let sim: Simulator | undefined;
  try {
    if (!existsSync(bigFile) || withPipe || !noMeltano) {
      console.error(`starting the simulator with ${fmt(total)} order_dtl rows ...`);
      sim = await startSimulator(total);
    }
    if (!existsSync(bigFile)) {
      console.error(`recording the tap's output into ${bigFile} (once) ...`);
      await record(bigFile, sim!);
    }
    if (!existsSync(smallFile)) head(bigFile, smallFile, small);
    const bytes = statSync(bigFile).size;
    console.log(
      `input: ${bigFile}, ${(bytes / 1e6).toFixed(0)} MB, ${fmt(bytes / total)} bytes a line (tap-recorded order_dtl); ` +
        `Node ${process.version}, ${cpus().length} cores; load average at the start ${load()}`,
    );
    const rows: Row[] = [];
    /** Runs of each target that died on better-sqlite3's destructor assertion. */
    const aborts = new Map<string, number>();
    const limits: Measured[] = [];
    const limit = (): void => {
      const m = plainLoop(bigFile);
      if (m.records !== total) throw new Error(`the limit counted ${m.records} records, not ${total}`);
      limits.push(m);
      rows.push({ stage: `limit (plain loop) #${limits.length}`, ...m, load: load() });
      console.error(`limit: ${fmt(m.records / m.seconds)} records/s`);
    };
    limit();
    const reader = await kitReader(bigFile);
    rows.push({ stage: 'kit reader (readMessageBatches)', ...reader, load: load() });
    for (let run = 1; run <= runs; run++) {
      for (const [file, records] of [
        [smallFile, small],
        [bigFile, total],
      ] as const) {
        for (const { label, bin } of targets) {
          let result = await runTarget(bin, { file });
          for (let retry = 0; retry < 3 && result.abortedAtExit && result.rows !== records; retry++) {
            aborts.set(label, (aborts.get(label) ?? 0) + 1);
            console.error(`${label} aborted (better-sqlite3 assertion) after ${result.rows} rows: again`);
            result = await runTarget(bin, { file });
          }
          if (result.abortedAtExit) aborts.set(label, (aborts.get(label) ?? 0) + 1);
          if (result.rows !== records)
            throw new Error(`${label}: ${result.rows} rows loaded, not ${records}`);
          const aborted = result.abortedAtExit ? ' (aborted at exit after its last commit)' : '';
          rows.push(
            rowOf(`${label}: file -> SQLite${runs > 1 ? ` (run ${run})` : ''}${aborted}`, records, result),
          );
          console.error(`${label} ${fmt(records)}: ${result.seconds.toFixed(1)} s`);
        }
      }
    }
    if (withPipe && sim !== undefined) {
      const result = await runTarget(targetBin, { tapConfig: tapConfig(sim) });
      if (result.rows !== total) throw new Error(`tap | target: ${result.rows} rows loaded, not ${total}`);
      rows.push(rowOf('tap \\| target -> SQLite (simulator)', total, result));
    }
    const meltanoNotes: string[] = [];
    if (noMeltano === undefined && sim !== undefined) {
      const result = await runMeltano({ repoRoot, baseUrl: sim.baseUrl, workDir: outDir, batchSize });
      if (result.rows !== total) throw new Error(`meltano run: ${result.rows} rows loaded, not ${total}`);
      const part = (label: string): string => {
        const found = result.parts.find((p) => p.label === label);
        return found ? `${label} ${found.cpuSeconds.toFixed(1)} s` : `${label} ?`;
      };
      rows.push({
        stage: '`meltano run` tap target -> SQLite (simulator)',
        records: total,
        seconds: result.seconds,
        cpuSeconds: result.cpuSeconds,
        busiest: Math.max(...result.busiest.map(([, cpu]) => cpu)),
        threads: `${['meltano', 'tap', 'target'].map(part).join(', ')}; threads: ${result.busiest
          .slice(0, 2)
          .map(([thread, cpu]) => `${thread} ${cpu.toFixed(1)} s`)
          .join(', ')}`,
        peakRssMb: result.peakRssMb,
        load: load(),
      });
      meltanoNotes.push(
        `\`meltano run\`: Meltano 4 on this meltano.yml (dev), plugins installed ${pluginsInstalledAt(repoRoot)}, ` +
          'a temporary system directory and --full-refresh (no earlier state). CPU (all threads) is /usr/bin/time -v ' +
          'of meltano and every process it ran; peak RSS is its largest process. Per part (sampled from /proc, ' +
          `discovery included): ${result.parts
            .map(
              (p) =>
                `${p.label} ${p.cpuSeconds.toFixed(1)} s CPU in ${p.processes} process(es), peak ${p.peakRssMb.toFixed(0)} MB`,
            )
            .join('; ')}.`,
      );
      console.error(`meltano run ${fmt(total)}: ${result.seconds.toFixed(1)} s`);
    } else meltanoNotes.push(`\`meltano run\` stage ${noMeltano ?? 'not run: no simulator'}.`);
    limit();
    const rate = (m: { records: number; seconds: number }): number => m.records / m.seconds;
    const limitRate = (limits.reduce((sum, m) => sum + rate(m), 0) / limits.length) as number;
    const limitCpuRate = limits.reduce((sum, m) => sum + m.records / m.cpuSeconds, 0) / limits.length;
    console.log(
      `\nlimit = mean of the two plain loops: ${fmt(limitRate)} records/s (${limits.map((m) => fmt(rate(m))).join(' and ')}), ` +
        `${fmt(limitCpuRate)} records per CPU-second\n`,
    );
    console.log(
      '| stage | records | wall | records/s | share of limit | CPU (all threads) | busiest threads (CPU) | share of limit per CPU-second of the busiest thread | peak RSS | load average (1, 5, 15 min) after |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const row of rows) {
      const perBusiest = row.busiest === undefined ? row.records / row.cpuSeconds : row.records / row.busiest;
      console.log(
        `| ${row.stage} | ${fmt(row.records)} | ${row.seconds.toFixed(1)} s | ${fmt(rate(row))} | **${(rate(row) / limitRate).toFixed(2)}** | ` +
          `${row.cpuSeconds.toFixed(1)} s | ${row.threads ?? ''} | ${(perBusiest / limitCpuRate).toFixed(2)} | ` +
          `${row.peakRssMb === undefined ? '' : `${row.peakRssMb.toFixed(0)} MB`} | ${row.load} |`,
      );
    }
    console.log(`\n${meltanoNotes.join('\n')}`);
    for (const [label, count] of aborts)
      console.log(
        `\n${label}: ${count} run(s) aborted on better-sqlite3's Statement destructor assertion (retried)`,
      );
    console.log(
      `\nbench run time ${seconds(started).toFixed(0)} s; ${new Date().toISOString().slice(0, 16)}Z`,
    );
  } finally {
    sim?.child.kill('SIGTERM');
  }
}

await main();
