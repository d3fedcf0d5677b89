// Bench: target-oracle loading WMS order_dtl-shaped RECORD lines into SQLite, beside a bare
// read-and-JSON.parse loop over the same file in the same run.
//
//   npx tsc -b bench && node bench/dist/target-sqlite.js [--records 1000000] [--small 100000]
//
// Lines are generated once into bench/out/ (gitignored). The target runs as a child process
// under /usr/bin/time -v, whose "Maximum resident set size" is the peak RSS of the whole
// process (main thread and the SQLite worker thread alike).
import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const outDir = join(repoRoot, 'bench', 'out');
const bin = join(repoRoot, 'packages', 'target-oracle', 'bin', 'target-oracle.js');
/** The Node flags Meltano's launcher (plugins/node_launch.py) runs the target with. */
const nodeFlags: string[] =
  JSON.parse(readFileSync(join(repoRoot, 'packages', 'target-oracle', 'package.json'), 'utf8')).wmsSinger
    ?.nodeFlags ?? [];

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}
const total = argument('records', 1_000_000);
const small = argument('small', 100_000);
const batchSize = argument('batch', 10_000);

const BASE = 'https://wms.example.com/wms/lgfapi/v10/entity';
const fk = (entity: string, id: number) => ({
  id,
  key: `${entity.toUpperCase()}${id}`,
  url: `${BASE}/${entity}/${id}/`,
});
const dec = (cents: number) => (cents / 100).toFixed(2);
const ts = (second: number) =>
  `2026-0${1 + (second % 9)}-1${second % 10}T0${second % 10}:1${second % 6}:2${second % 10}.${String(123456 + (second % 800000)).padStart(6, '0')}-05:00`;

/** An order_dtl record as the tap emits it: ~65 fields, five {id,key,url} foreign keys, decimal strings. */
function orderDtl(id: number): Record<string, unknown> {
  const order = Math.floor(id / 4) + 1;
  const record: Record<string, unknown> = {
    id,
    url: `${BASE}/order_dtl/${id}/`,
    create_user: 'INTEGRATION',
    create_ts: ts(id),
    mod_user: id % 7 === 0 ? 'PICKER07' : 'INTEGRATION',
    mod_ts: ts(id + 17),
    facility_id: fk('facility', 1 + (id % 3)),
    company_id: fk('company', 1 + (id % 12)),
    order_id: fk('order_hdr', order),
    seq_nbr: 1 + (id % 4),
    item_id: fk('item', 1 + (id % 5000)),
    ord_qty: dec(1000 + (id % 400) * 25),
    orig_ord_qty: dec(1000 + (id % 400) * 25),
    alloc_qty: dec((id % 400) * 25),
    po_nbr: id % 2 === 0 ? null : `PO${String(id % 10_000_000).padStart(8, '0')}`,
    shipment_nbr: id % 3 === 0 ? null : `SHP${String(id % 1_000_000).padStart(7, '0')}`,
    cost: dec(50 + (id % 500_000)),
    sale_price: dec(100 + (id % 900_000)),
    lock_code: id % 20 === 0 ? 'QC' : null,
    serial_nbr: id % 10 === 0 ? `SN${String(id).padStart(10, '0')}` : null,
    status_id: [0, 10, 20, 30, 40, 90][id % 6],
    uom_id: fk('uom', 1 + (id % 3)),
    ordered_uom_qty: dec(1000 + (id % 400) * 25),
    host_ob_lpn_nbr: id % 3 === 0 ? `LPN${String(id).padStart(10, '0')}` : null,
    ref_nbr_1: `R${String(id % 1_000_000).padStart(7, '0')}`,
    voucher_nbr: id % 5 === 0 ? `V${String(id % 100_000).padStart(6, '0')}` : null,
    voucher_amount: id % 5 === 0 ? dec(id % 10_000) : null,
    spl_instr: id % 7 === 0 ? 'Fragile: "this side up"' : null,
    externally_planned_load_flg: id % 10 === 0,
    order_dtl_key: `ORD${String(order).padStart(8, '0')}-${1 + (id % 4)}`,
    description: `Order line ${id} for customer order ORD${String(order).padStart(8, '0')}`,
    pick_locn_str: `A-${String(id % 100).padStart(2, '0')}-${String(id % 37).padStart(2, '0')}-B`,
    priority: 1 + (id % 9),
    batch_nbr: id % 4 === 0 ? `B${id % 9999}` : null,
    expiry_date: `2027-0${1 + (id % 9)}-1${id % 10}`,
    planned_ship_date: `2026-1${id % 3}-0${1 + (id % 9)}`,
    is_backordered_flg: id % 13 === 0,
    is_cancelled_flg: false,
    cancel_qty: dec(0),
    shipped_qty: dec((id % 200) * 5),
    packed_qty: dec((id % 300) * 5),
    weight: dec(1234 + (id % 100_000)),
    volume: dec(567 + (id % 10_000)),
  };
  for (let i = 1; i <= 5; i++) {
    record[`cust_field_${i}`] = i <= 2 ? `CF${i}-${id % 997}` : null;
    record[`cust_date_${i}`] = i === 1 ? `2026-0${1 + (id % 9)}-0${1 + (id % 9)}` : null;
    record[`cust_number_${i}`] = i <= 2 ? (id * i) % 100_000 : null;
    record[`cust_decimal_${i}`] = i <= 3 ? dec((id * i) % 1_000_000) : null;
  }
  return record;
}

function schemaOf(sample: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sample)) {
    if (name === 'id') properties[name] = { type: 'integer' };
    else if (typeof value === 'object' && value !== null)
      properties[name] = {
        type: ['object', 'null'],
        properties: { id: { type: 'integer' }, key: { type: 'string' }, url: { type: 'string' } },
      };
    else if (/_ts$/.test(name)) properties[name] = { type: ['string', 'null'], format: 'date-time' };
    else if (/_date(_\d)?$/.test(name)) properties[name] = { type: ['string', 'null'], format: 'date' };
    else if (/_flg$/.test(name)) properties[name] = { type: ['boolean', 'null'] };
    else if (/^(seq_nbr|status_id|priority|cust_number_\d)$/.test(name))
      properties[name] = { type: ['integer', 'null'] };
    else if (typeof value === 'string' && /^-?\d+\.\d\d$/.test(value))
      properties[name] = { type: ['string', 'null'], format: 'singer.decimal' };
    else properties[name] = { type: ['string', 'null'] };
  }
  return { type: 'object', properties };
}

async function generate(path: string, count: number): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(outDir, { recursive: true });
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const sample = orderDtl(1);
  // Every nullable field set in the sample, so the schema sees its type.
  for (let i = 3; i <= 5; i++) sample[`cust_field_${i}`] = 'x';
  const header = {
    type: 'SCHEMA',
    stream: 'order_dtl',
    key_properties: ['id'],
    bookmark_properties: ['mod_ts'],
    schema: schemaOf({ ...orderDtl(30), ...sample }),
  };
  let chunk = `${JSON.stringify(header)}\n`;
  for (let id = 1; id <= count; id++) {
    chunk += `{"type":"RECORD","stream":"order_dtl","record":${JSON.stringify(orderDtl(id))},"time_extracted":"2026-11-25T10:00:00.000000Z"}\n`;
    if (id % 10_000 === 0) {
      chunk += `{"type":"STATE","value":{"bookmarks":{"order_dtl":{"replication_key":"mod_ts","replication_key_value":"${ts(id + 17)}"}}}}\n`;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
  const { renameSync } = await import('node:fs');
  renameSync(partial, path);
}

/** The limit: read the file in 1 MiB chunks, split lines, JSON.parse each. */
async function bareParse(path: string): Promise<{ records: number; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let records = 0;
  let carry = '';
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const text = carry + (chunk as Buffer).toString('utf8');
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end !== -1) {
      const message = JSON.parse(text.slice(start, end)) as { type: string };
      if (message.type === 'RECORD') records++;
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  }
  const used = process.cpuUsage(cpu);
  return {
    records,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

/**
 * CPU seconds per thread of a running process, from /proc/<pid>/task/<tid>/stat (utime + stime,
 * in clock ticks of 1/100 s), sampled until the process ends: on a shared machine the wall clock
 * says what we got, the busiest thread says what two idle cores would give.
 */
function sampleThreads(pid: number): { stop(): Map<string, number> } {
  const latest = new Map<string, number>();
  const read = (): void => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const name = stat.slice(stat.indexOf('(') + 1, close);
        const fields = stat.slice(close + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        latest.set(`${tid} ${name}`, ticks / 100);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  };
  const timer = setInterval(read, 200);
  return {
    stop() {
      clearInterval(timer);
      return latest;
    },
  };
}

/** The node process /usr/bin/time started. */
async function childPid(parent: number): Promise<number | undefined> {
  for (let i = 0; i < 50; i++) {
    try {
      const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
      if (children) return Number(children.split(' ')[0]);
    } catch {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

interface TargetRun {
  seconds: number;
  cpuSeconds: number;
  /** CPU seconds of the two busiest threads (the main thread and the SQLite worker). */
  busiest: [string, number][];
  peakRssMb: number;
  rows: number;
  states: number;
}

async function runTarget(path: string, records: number): Promise<TargetRun> {
  const db = join(outDir, `bench-${records}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const config = join(outDir, 'bench-config.json');
  writeFileSync(config, JSON.stringify({ dialect: 'sqlite', sqlite_path: db, batch_size_rows: batchSize }));
  const started = process.hrtime.bigint();
  const child = spawn(
    '/usr/bin/time',
    ['-v', process.execPath, ...nodeFlags, bin, '--config', config, '--input', path],
    {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const nodePid = child.pid === undefined ? undefined : await childPid(child.pid);
  const threads = nodePid === undefined ? undefined : sampleThreads(nodePid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perThread = threads?.stop() ?? new Map<string, number>();
  const busiest = [...perThread.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
  if (code !== 0) throw new Error(`target exited ${code}: ${stderr.slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  const { DatabaseSync } = await import('node:sqlite');
  const check = new DatabaseSync(db, { readOnly: true });
  const rows = (check.prepare('SELECT count(*) AS n FROM order_dtl').get() as { n: number }).n;
  check.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  return {
    seconds,
    cpuSeconds: Number(user?.[1] ?? Number.NaN) + Number(system?.[1] ?? Number.NaN),
    busiest,
    peakRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    rows,
    states: stdout.split('\n').filter(Boolean).length,
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const bigFile = join(outDir, `order_dtl-${total}.singer`);
  const smallFile = join(outDir, `order_dtl-${small}.singer`);
  console.log(`generating ${fmt(total)} and ${fmt(small)} order_dtl RECORD lines in ${outDir} (once) ...`);
  await generate(bigFile, total);
  await generate(smallFile, small);
  const mb = statSync(bigFile).size / 1e6;
  const { loadavg } = await import('node:os');
  console.log(
    `load average before the runs: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  console.log(`${bigFile}: ${mb.toFixed(0)} MB, ${((mb * 1e6) / total).toFixed(0)} bytes/line`);
  console.log(`target run as Meltano's launcher runs it: node ${[...nodeFlags, 'target-oracle'].join(' ')}`);

  const bare = await bareParse(bigFile);
  const bareRate = bare.records / bare.seconds;
  console.log(
    `bare read + JSON.parse: ${fmt(bare.records)} records in ${bare.seconds.toFixed(1)} s = ${fmt(bareRate)} records/s (CPU ${bare.cpuSeconds.toFixed(1)} s)`,
  );

  const rates: [number, number][] = [];
  for (const [file, records] of [
    [smallFile, small],
    [bigFile, total],
  ] as const) {
    const run = await runTarget(file, records);
    const rate = records / run.seconds;
    rates.push([records, rate]);
    console.log(
      `target-oracle -> SQLite, ${fmt(records)} records (batch ${fmt(batchSize)}): ${run.seconds.toFixed(1)} s = ${fmt(rate)} records/s ` +
        `(${(rate / bareRate).toFixed(2)} of bare parse), CPU ${run.cpuSeconds.toFixed(1)} s (main + worker), ` +
        `peak RSS ${run.peakRssMb.toFixed(0)} MB, ${fmt(run.rows)} rows, ${run.states} state lines`,
    );
    const busiest = run.busiest.map(([thread, cpu]) => `${thread} ${cpu.toFixed(1)} s`).join(', ');
    const bound = Math.max(...run.busiest.map(([, cpu]) => cpu));
    console.log(
      `  busiest threads: ${busiest}; records per CPU-second of the busiest thread ${fmt(records / bound)} ` +
        `(${(records / bound / (bare.records / bare.cpuSeconds)).toFixed(2)} of bare parse per CPU-second)`,
    );
  }
  const again = await bareParse(bigFile);
  console.log(
    `bare read + JSON.parse again (the load of a shared machine drifts): ${fmt(again.records / again.seconds)} records/s (CPU ${again.cpuSeconds.toFixed(1)} s)`,
  );
  // The machine's speed can change during a run: the loads sit between the two bare parses.
  const againRate = again.records / again.seconds;
  const meanRate = (bareRate + againRate) / 2;
  for (const [records, rate] of rates) {
    console.log(
      `share of bare parse, ${fmt(records)} records: ${(rate / bareRate).toFixed(2)} of the first, ` +
        `${(rate / againRate).toFixed(2)} of the second, ${(rate / meanRate).toFixed(2)} of their mean`,
    );
  }
}

await main();
