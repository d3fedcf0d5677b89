/**
 * What the late-rows catch-up costs a scheduled run, and what it saves.
 *
 * Two simulators with the same seed and `--quirks late-commits` (a share of every change is
 * committed late, up to 6 h behind the clock; hidden orders are revealed with their old mod_ts)
 * play the same history: a first load, then --rounds runs two hours apart, each after an advance
 * of --updates updates, --inserts inserts and --deletes deletes per entity. One tap line runs
 * with the catch-up (late_rows_window_hours 24), the other without (0). Per run: list requests
 * (and among them the catch-up's key requests: id-range probes and key listings), seconds,
 * records, the size of the final STATE; at the end, live rows missing from what each line
 * loaded (what the catch-up is for). A second pair of lines does the same without late
 * commits: the pure cost of the catch-up.
 *
 *   node bench/dist/tap-late-rows.js [--rows 20000] [--rounds 6] [--updates 200] [--inserts 100]
 *                                     [--deletes 0] [--page-size 1000] [--page-latency-ms 0]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TAP = join(ROOT, 'packages/tap-oracle-wms/bin/tap-oracle-wms.js');
const arg = (name: string, fallback: string): number => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback);
};
const rows = arg('rows', '20000');
const rounds = arg('rounds', '6');
const updates = arg('updates', '200');
const inserts = arg('inserts', '100');
const deletes = arg('deletes', '0');
const pageSize = arg('page-size', '1000');
const pageLatencyMs = arg('page-latency-ms', '0');
const ENTITIES = ['order_hdr', 'order_dtl', 'allocation'];

interface Run {
  requests: number;
  /** The catch-up's requests for keys (fields=id or id,mod_ts): id-range probes and listings. */
  keyRequests: number;
  /** Characters of the last STATE message's value. */
  stateChars: number;
  seconds: number;
  records: number;
  state: unknown;
  loaded: Map<string, Map<number, string>>;
}

async function runTap(sim: Simulator, windowHours: number, state: unknown, dir: string): Promise<Run> {
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      base_url: sim.baseUrl,
      username: 'wms_user',
      password: 'wms_password',
      entities: ENTITIES,
      page_size: pageSize,
      late_rows_window_hours: windowHours,
      log_level: 'warn',
    }),
  );
  const args = [TAP, '--config', config];
  if (state !== undefined) {
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    args.push('--state', join(dir, 'state.json'));
  }
  sim.clearRequests();
  const started = performance.now();
  // stderr (the run_summary lines) is left out: only the figures are printed.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`tap exited ${code}`);
  const seconds = (performance.now() - started) / 1000;
  let last: unknown;
  let stateChars = 0;
  let records = 0;
  const loaded = new Map<string, Map<number, string>>();
  for (const line of text.split('\n')) {
    if (line.startsWith('{"type":"RECORD"')) {
      const message = JSON.parse(line) as { stream: string; record: { id: number; mod_ts: string } };
      records++;
      const table = loaded.get(message.stream) ?? new Map<number, string>();
      loaded.set(message.stream, table);
      table.set(message.record.id, message.record.mod_ts);
    } else if (line.startsWith('{"type":"STATE"')) {
      last = (JSON.parse(line) as { value: unknown }).value;
      stateChars = JSON.stringify(last).length;
    }
  }
  const lists = sim.requests.filter((r) => /\/entity\/[a-z_]+\/?$/.test(r.path));
  const keyRequests = lists.filter((r) => r.query.fields === 'id' || r.query.fields === 'id,mod_ts').length;
  return { requests: lists.length, keyRequests, stateChars, seconds, records, state: last, loaded };
}

async function line(quirks: string, windowHours: number): Promise<{ runs: Run[]; missing: number }> {
  const sim = await startSimulator({
    seed: 17,
    rows: { order_dtl: rows },
    ...(quirks === '' ? {} : { quirks }),
    ...(pageLatencyMs > 0 ? { pageLatencyMs } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-late-'));
  try {
    const runs: Run[] = [];
    const loaded = new Map<string, Map<number, string>>();
    let state: unknown;
    for (let round = 0; round <= rounds; round++) {
      if (round > 0) sim.advance({ updates, inserts, deletes, seconds: 7200 });
      const run = await runTap(sim, windowHours, state, dir);
      state = run.state;
      for (const [stream, table] of run.loaded) {
        const all = loaded.get(stream) ?? new Map<number, string>();
        loaded.set(stream, all);
        for (const [id, modTs] of table) all.set(id, modTs);
      }
      runs.push(run);
    }
    let missing = 0;
    for (const entity of ENTITIES) {
      const table = loaded.get(entity) ?? new Map();
      for (const row of sim.snapshot(entity)) {
        const got = table.get(row.id as number);
        if (got === undefined || Date.parse(got) !== Date.parse(String(row.mod_ts))) missing++;
      }
    }
    return { runs, missing };
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

console.log(
  `tap-late-rows: ${rows} order_dtl (3 streams), ${rounds} runs 2 h apart after ${updates} updates + ${inserts} inserts + ${deletes} deletes per entity, page_size ${pageSize}, page latency ${pageLatencyMs} ms`,
);
for (const quirks of ['', 'late-commits']) {
  const without = await line(quirks, 0);
  const withCatchUp = await line(quirks, 24);
  const incremental = (result: { runs: Run[] }) => result.runs.slice(1);
  const req = (result: { runs: Run[] }) => median(incremental(result).map((r) => r.requests));
  const sec = (result: { runs: Run[] }) => median(incremental(result).map((r) => r.seconds));
  const rec = (result: { runs: Run[] }) => median(incremental(result).map((r) => r.records));
  const keys = (result: { runs: Run[] }) => median(incremental(result).map((r) => r.keyRequests));
  const state = (result: { runs: Run[] }) => Math.max(...result.runs.map((r) => r.stateChars));
  const row = (name: string, result: { runs: Run[]; missing: number }) =>
    `${name} | ${req(result)} | ${keys(result)} | ${sec(result).toFixed(2)} | ${rec(result)} | ${state(result)} | ${result.missing}`;
  console.log(`\n${quirks === '' ? 'no late rows' : 'late-commits'} (median of the incremental runs)`);
  console.log(
    'catch-up | list requests/run | of which key probes and listings | seconds/run | records/run | largest STATE (chars) | live rows missing or stale at the end',
  );
  console.log(row('off     ', without));
  console.log(row('24 h    ', withCatchUp));
}
