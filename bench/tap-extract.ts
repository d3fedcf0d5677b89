/**
 * tap-oracle-wms extraction speed against its ceiling.
 *
 * The simulator runs as a CHILD process with N order_dtl rows: on two cores it then has a core of its
 * own, as a remote WMS would, instead of sharing one event loop with the client being measured.
 *   (a) ceiling: a bare keep-alive client in this process pages through order_dtl exactly as the tap
 *       asks for it (sequenced, ordering=mod_ts,id, mod_ts__lt, fields= every described field, same
 *       page_size, gzip like the tap), reading only next_page from the envelope head and counting
 *       records: what the simulator can serve.
 *   (b) tap: the built CLI extracts order_dtl to /dev/null (log_level warn); peak RSS is the child's VmHWM.
 * The two alternate (--runs times) and the best of each is reported; ratio = tap / ceiling.
 *
 * With --windows A,B,... the ceiling is skipped: the tap runs once per parallel_windows value (in turn,
 * --runs rounds), its records written to a file, and each value's best time is compared with the first
 * value's (speed-up = time of the first / time of this one). The record sets must be equal (every RECORD's
 * record, keyed by id, the last one winning as in the target): the script fails otherwise. Give the WMS
 * server time with --page-latency-ms (and a worker limit with --max-concurrent-requests). --no-gzip also
 * stops the simulator compressing (a real WMS compresses on many workers at once, the simulator on one
 * thread: on a loaded machine that thread, not the latency, would otherwise bound the windows' gain).
 *
 *   node bench/dist/tap-extract.js [--rows 1000000] [--page-size 1000] [--runs 1] [--no-gzip] [--paged]
 *   node bench/dist/tap-extract.js --rows 50000 --page-latency-ms 200 --windows 1,4 [--runs 3]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareClient } from './support/bare-client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const rows = Number(arg('rows', '1000000'));
const pageSize = Number(arg('page-size', '1000'));
const runs = Number(arg('runs', '1'));
const gzip = !process.argv.includes('--no-gzip');
const mode = process.argv.includes('--paged') ? 'paged' : 'sequenced';
const pageLatencyMs = Number(arg('page-latency-ms', '0'));
const maxConcurrentRequests = Number(arg('max-concurrent-requests', '0'));
const windows = process.argv.includes('--windows') ? arg('windows', '1,4').split(',').map(Number) : undefined;
const AUTH = `Basic ${Buffer.from('wms_user:wms_password').toString('base64')}`;

async function startSimulatorChild(): Promise<{ baseUrl: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'packages/wms-simulator/bin/wms-simulator.js'),
      '--rows',
      `order_dtl=${rows}`,
      '--page-latency-ms',
      String(pageLatencyMs),
      '--max-concurrent-requests',
      String(maxConcurrentRequests),
      ...(gzip ? [] : ['--no-gzip']),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  child.stdout.resume();
  return { baseUrl, stop: () => child.kill('SIGTERM') };
}

/** The run-start upper bound the tap sends, so both clients ask the same question. */
const upperBound = (): string =>
  `${new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;

async function ceiling(baseUrl: string): Promise<{ records: number; seconds: number }> {
  const client = bareClient({ gzip, authorization: AUTH });
  const get = client.get;
  // The tap sends fields= with every discovered field: ask the very same question.
  const describe = JSON.parse(
    (await get(`${baseUrl}/wms/lgfapi/v10/entity/order_dtl/describe/`)).toString(),
  ) as {
    fields: Record<string, unknown>;
  };
  const params = new URLSearchParams({
    mod_ts__lt: upperBound(),
    ordering: 'mod_ts,id',
    fields: Object.keys(describe.fields).join(','),
    page_size: String(pageSize),
    page_mode: mode,
  });
  let url: string | null = `${baseUrl}/wms/lgfapi/v10/entity/order_dtl/?${params}`;
  let records = 0;
  const started = performance.now();
  while (url !== null) {
    const body: Buffer = await get(url);
    records += countRecords(body);
    const head = body.subarray(0, 4096).toString('latin1');
    const next = /"next_page":(null|"([^"]*)")/.exec(head);
    if (next === null) throw new Error(`unexpected envelope: ${head.slice(0, 200)}`);
    url = next[2] ?? null;
    // Paged mode: a short page is the last one.
    if (mode === 'paged' && countRecords(body) < pageSize) url = null;
  }
  client.close();
  return { records, seconds: (performance.now() - started) / 1000 };
}

const RECORD_MARK = Buffer.from(',"url":"http://');
function countRecords(body: Buffer): number {
  let n = 0;
  for (let at = body.indexOf(RECORD_MARK); at >= 0; at = body.indexOf(RECORD_MARK, at + RECORD_MARK.length))
    n++;
  return n;
}

async function tap(
  baseUrl: string,
  options: { parallelWindows?: number; outPath?: string } = {},
): Promise<{ records: number; seconds: number; peakRssMb: number; cpuSeconds: number }> {
  const config = join(tmpdir(), `tap-extract-${process.pid}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      base_url: baseUrl,
      username: 'wms_user',
      password: 'wms_password',
      entities: ['order_dtl'],
      page_size: pageSize,
      page_mode: mode,
      log_level: 'warn',
      metrics_interval_seconds: 0,
      ...(options.parallelWindows === undefined ? {} : { parallel_windows: options.parallelWindows }),
    }),
  );
  const out = openSync(options.outPath ?? '/dev/null', 'w');
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'packages/tap-oracle-wms/bin/tap-oracle-wms.js'), '--config', config],
    {
      stdio: ['ignore', out, 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let peakKb = 0;
  let cpuTicks = 0;
  const sample = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      // utime + stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised name)
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // the child has just exited
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(sample);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`tap exited with ${code}: ${stderr}`);
  const done = /"stream":"order_dtl","records":(\d+)/.exec(stderr);
  // log_level warn hides the per-stream info line: count from the simulator's side instead.
  // CPU is sampled every 20 ms, so the last few ms of the child are missing: a slight underestimate.
  return {
    records: done ? Number(done[1]) : rows,
    seconds,
    peakRssMb: peakKb / 1024,
    cpuSeconds: cpuTicks / 100,
  };
}

/** Every RECORD's record text keyed by id (the last wins, as in the target): a digest and the count. */
function recordSet(path: string): { ids: number; digest: string } {
  const byId = new Map<number, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{"type":"RECORD"')) continue;
    const message = JSON.parse(line) as { record: { id: number } };
    byId.set(message.record.id, JSON.stringify(message.record));
  }
  const hash = createHash('sha256');
  for (const id of [...byId.keys()].sort((a, b) => a - b)) hash.update(`${byId.get(id)}\n`);
  return { ids: byId.size, digest: hash.digest('hex').slice(0, 16) };
}

async function compareWindows(baseUrl: string, values: number[]): Promise<void> {
  const best = new Map<number, number>();
  const sets = new Map<number, { ids: number; digest: string }>();
  for (let run = 1; run <= runs; run++) {
    for (const value of values) {
      const outPath = join(tmpdir(), `tap-extract-${process.pid}-${value}.jsonl`);
      const load = loadavg()[0]!.toFixed(1);
      const result = await tap(baseUrl, { parallelWindows: value, outPath });
      const set = recordSet(outPath);
      rmSync(outPath, { force: true });
      const first = sets.get(value);
      if (first !== undefined && first.digest !== set.digest)
        throw new Error(`parallel_windows ${value}: the record set changed between runs`);
      sets.set(value, set);
      best.set(value, Math.min(best.get(value) ?? Number.POSITIVE_INFINITY, result.seconds));
      console.log(
        `run ${run}: parallel_windows ${value}: ${set.ids} records in ${result.seconds.toFixed(2)} s ` +
          `(${Math.round(set.ids / result.seconds)}/s), peak RSS ${result.peakRssMb.toFixed(0)} MB, ` +
          `CPU ${result.cpuSeconds.toFixed(1)} s, records digest ${set.digest}; load average before ${load}`,
      );
    }
  }
  const base = values[0]!;
  const reference = sets.get(base)!;
  for (const value of values) {
    const set = sets.get(value)!;
    if (set.digest !== reference.digest || set.ids !== reference.ids)
      throw new Error(`parallel_windows ${value} wrote other records than parallel_windows ${base}`);
  }
  console.log(
    JSON.stringify({
      rows,
      page_size: pageSize,
      page_mode: mode,
      page_latency_ms: pageLatencyMs,
      gzip,
      max_concurrent_requests: maxConcurrentRequests,
      same_records: true,
      records: reference.ids,
      seconds: Object.fromEntries(
        values.map((v) => [`parallel_windows_${v}`, Number(best.get(v)!.toFixed(2))]),
      ),
      speedup: Object.fromEntries(
        values.map((v) => [`parallel_windows_${v}`, Number((best.get(base)! / best.get(v)!).toFixed(2))]),
      ),
    }),
  );
}

async function main(): Promise<void> {
  const sim = await startSimulatorChild();
  if (windows !== undefined) {
    try {
      await compareWindows(sim.baseUrl, windows);
    } finally {
      sim.stop();
    }
    return;
  }
  try {
    let best = { ceiling: Number.POSITIVE_INFINITY, tap: Number.POSITIVE_INFINITY, rss: 0, records: 0 };
    for (let run = 1; run <= runs; run++) {
      const a = await ceiling(sim.baseUrl);
      const b = await tap(sim.baseUrl);
      console.log(
        `run ${run}: ceiling ${a.records} records in ${a.seconds.toFixed(2)} s (${Math.round(a.records / a.seconds)}/s); ` +
          `tap ${b.seconds.toFixed(2)} s (${Math.round(a.records / b.seconds)}/s), peak RSS ${b.peakRssMb.toFixed(0)} MB, ` +
          `CPU ${b.cpuSeconds.toFixed(1)} s (${Math.round(a.records / b.cpuSeconds)} records per CPU-second); ` +
          `ratio ${(a.seconds / b.seconds).toFixed(2)}`,
      );
      best = {
        ceiling: Math.min(best.ceiling, a.seconds),
        tap: Math.min(best.tap, b.seconds),
        rss: Math.max(best.rss, b.peakRssMb),
        records: a.records,
      };
    }
    const ceilingRate = best.records / best.ceiling;
    const tapRate = best.records / best.tap;
    console.log(
      JSON.stringify({
        rows: best.records,
        page_size: pageSize,
        page_mode: mode,
        gzip,
        ceiling_records_per_s: Math.round(ceilingRate),
        tap_records_per_s: Math.round(tapRate),
        ratio: Number((tapRate / ceilingRate).toFixed(2)),
        tap_peak_rss_mb: Math.round(best.rss),
      }),
    );
  } finally {
    sim.stop();
  }
}

await main();
