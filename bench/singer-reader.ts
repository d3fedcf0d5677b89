/**
 * How fast the Singer kit reads and writes RECORD lines, beside the honest limit of issue 17 (64
 * KiB slices, indexOf newline, JSON.parse of each line; bench/support/plain-loop.ts) over the same
 * file in the same run (the ratio is the figure; the goal is the reader at 80% or more of it). It also runs a split2-based reader doing the same parse and
 * envelope check, which is what justifies the kit's Buffer-level splitter, and the writer
 * writing the same records to /dev/null beside a bare JSON.stringify + write loop.
 *
 * Input: ~200k order_dtl-shaped RECORD lines (65 fields, five {id,key,url} foreign keys,
 * decimals as strings, ~2.1 KB a line) generated once into bench/out/.
 *
 *   node bench/dist/singer-reader.js [--records 200000] [--rounds 3] [--no-results]
 */
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type JsonObject,
  type Message,
  parseMessage,
  readMessageBatches,
  SingerWriter,
} from '@wms-singer/singer';
import split2 from 'split2';
import { plainLoop } from './support/plain-loop.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const RECORDS = Number(arg('records', '200000'));
const ROUNDS = Number(arg('rounds', '3'));
const CHUNK = 1024 * 1024;
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(benchDir, 'out');
const inputPath = join(outDir, `singer-order-dtl-${RECORDS}.jsonl`);

// ---------------------------------------------------------------- input

const BASE = 'https://wms.example.com/wms/lgfapi/v10/entity';
const fk = (entity: string, id: number, key: string) => ({ id, key, url: `${BASE}/${entity}/${id}/` });
const decimal = (value: number) => value.toFixed(3);
const stamp = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 61_000).toISOString().replace('Z', '-05:00');

function orderDtl(n: number): JsonObject {
  const record: JsonObject = {
    id: 5_000_000 + n,
    url: `${BASE}/order_dtl/${5_000_000 + n}/`,
    create_user: 'INTEGRATION_USER',
    create_ts: stamp(n),
    mod_user: 'INTEGRATION_USER',
    mod_ts: stamp(n + 7),
    facility_id: fk('facility', 12, 'DC01'),
    company_id: fk('company', 3, 'ACME'),
    order_id: fk('order_hdr', 900_000 + (n >> 3), `SO-${900_000 + (n >> 3)}`),
    item_id: fk('item', 40_000 + (n % 9973), `SKU-${40_000 + (n % 9973)}`),
    uom_id: fk('uom', 1, 'EA'),
    seq_nbr: (n % 8) + 1,
    ord_qty: decimal((n % 50) + 1),
    orig_ord_qty: decimal((n % 50) + 1),
    alloc_qty: decimal(n % 50),
    req_cntr_nbr: null,
    po_nbr: `PO-${n % 100_000}`,
    shipment_nbr: `SHP-${n % 77_777}`,
    dest_facility_attr_a: null,
    dest_facility_attr_b: null,
    dest_facility_attr_c: null,
    ref_nbr_1: `REF-${n}`,
    host_ob_lpn_nbr: null,
    spl_instr: n % 5 === 0 ? 'Handle with care; keep upright' : '',
    vas_activity_code: null,
    cost: decimal(((n * 37) % 10_000) / 7),
    sale_price: decimal(((n * 53) % 10_000) / 3),
    host_ob_lpn_nbr_2: null,
    lock_code: null,
    serial_nbr: null,
    voucher_nbr: null,
    voucher_amount: decimal(0),
    voucher_exp_date: null,
    req_pallet_nbr: null,
    req_location: null,
    batch_number_id: null,
    invn_attr_a: 'LOT-A',
    invn_attr_b: null,
    invn_attr_c: null,
    status_id: 10 + (n % 5) * 10,
    ordered_uom_qty: decimal((n % 50) + 1),
    externally_planned_load_nbr: null,
    unit_declared_value: decimal(12.5),
    order_dtl_original_seq_nbr: (n % 8) + 1,
    planned_parcel_shipment_nbr: null,
  };
  for (let i = 1; i <= 5; i++) record[`cust_field_${i}`] = i <= 2 ? `custom value ${i} for line ${n}` : '';
  for (let i = 1; i <= 5; i++) record[`cust_decimal_${i}`] = decimal(i * 1.25 + (n % 100));
  for (let i = 1; i <= 5; i++) record[`cust_date_${i}`] = i === 1 ? '2026-03-01' : null;
  for (let i = 1; i <= 5; i++) record[`cust_number_${i}`] = i === 1 ? n % 1000 : null;
  return record;
}

async function ensureInput(): Promise<void> {
  if (existsSync(inputPath)) return;
  mkdirSync(outDir, { recursive: true });
  console.error(`generating ${RECORDS} records into ${inputPath} ...`);
  const writer = new SingerWriter(createWriteStream(inputPath));
  writer.writeSchema({ stream: 'order_dtl', schema: { type: 'object' }, key_properties: ['id'] });
  for (let n = 0; n < RECORDS; n++) {
    writer.writeRecord('order_dtl', orderDtl(n), '2026-01-02T03:04:05.123456Z');
    if (n % 1000 === 999) await writer.drain();
  }
  writer.writeState({ bookmarks: { order_dtl: { replication_key_value: stamp(RECORDS) } } });
  await writer.drain();
}

// ---------------------------------------------------------------- readers under test

/**
 * The limit (issue 17): 64 KiB slices, indexOf newline, JSON.parse of each line, no envelope check
 * (bench/support/plain-loop.ts, the loop bench/target-sqlite.ts measures every stage against).
 */
async function bareParse(): Promise<number> {
  return plainLoop(inputPath).records;
}

/** The kit: readMessageBatches over a file stream (Buffer-level splitter + envelope check). */
async function kitReader(): Promise<number> {
  let count = 0;
  for await (const batch of readMessageBatches(createReadStream(inputPath, { highWaterMark: CHUNK }))) {
    const messages = batch.messages;
    for (let i = 0; i < messages.length; i++) if (messages[i]!.type === 'RECORD') count++;
  }
  return count;
}

/** The alternative: split2 does the splitting, then the same parse + envelope check per line. */
async function split2Reader(): Promise<number> {
  let count = 0;
  let lineNumber = 0;
  const lines = createReadStream(inputPath, { highWaterMark: CHUNK }).pipe(split2());
  for await (const line of lines as AsyncIterable<string>) {
    lineNumber++;
    if (line.trim() === '') continue;
    const message: Message = parseMessage(line, lineNumber);
    if (message.type === 'RECORD') count++;
  }
  return count;
}

// ---------------------------------------------------------------- writers under test

const SAMPLE = 5000;
let sample: JsonObject[] = [];

function loadSample(): void {
  sample = [];
  for (let n = 0; n < SAMPLE; n++) sample.push(orderDtl(n));
}

/** The limit: JSON.stringify each record into the same line the kit writes, 256 KiB writes, await each drain. */
async function bareWrite(): Promise<number> {
  const out = createWriteStream('/dev/null');
  let buffer = '';
  for (let n = 0; n < RECORDS; n++) {
    buffer += `{"type":"RECORD","stream":"order_dtl","record":${JSON.stringify(sample[n % SAMPLE])},"time_extracted":"2026-01-02T03:04:05.123456Z"}\n`;
    if (buffer.length >= 256 * 1024) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return RECORDS;
}

/**
 * The kit: SingerWriter.writeRecord with time_extracted, drain() every `every` records. The
 * bare loop yields to the event loop once per 256 KiB chunk; draining once per 1000 records
 * (about 2 MB) lets chunks queue behind a busy main thread, which costs wall time, not CPU.
 */
function kitWriter(every: number): () => Promise<number> {
  return async () => {
    const out = createWriteStream('/dev/null');
    const writer = new SingerWriter(out);
    const extracted = '2026-01-02T03:04:05.123456Z';
    for (let n = 0; n < RECORDS; n++) {
      writer.writeRecord('order_dtl', sample[n % SAMPLE]!, extracted);
      if (n % every === every - 1) await writer.drain();
    }
    await writer.drain();
    out.end();
    await once(out, 'finish');
    return RECORDS;
  };
}

// ---------------------------------------------------------------- the run

interface Figure {
  name: string;
  kind: 'read' | 'write';
  /** records per wall-clock second, one per round */
  rates: number[];
  /** records per CPU-second of this process (main thread, libuv pool and GC), one per round */
  cpuRates: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(figure: Figure, run: () => Promise<number>): Promise<void> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const count = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  if (count !== RECORDS) throw new Error(`${figure.name}: counted ${count} records, expected ${RECORDS}`);
  figure.rates.push(count / seconds);
  figure.cpuRates.push(count / ((used.user + used.system) / 1e6));
}

await ensureInput();
const bytes = statSync(inputPath).size;
loadSample();

const figures: Figure[] = [
  {
    name: 'plain loop: 64 KiB slices, indexOf, JSON.parse (the limit)',
    kind: 'read',
    rates: [],
    cpuRates: [],
  },
  { name: 'kit readMessageBatches (Buffer splitter)', kind: 'read', rates: [], cpuRates: [] },
  { name: 'split2 + parseMessage', kind: 'read', rates: [], cpuRates: [] },
  { name: 'bare JSON.stringify + write', kind: 'write', rates: [], cpuRates: [] },
  { name: 'kit SingerWriter.writeRecord, drain() per 100 records', kind: 'write', rates: [], cpuRates: [] },
  { name: 'kit SingerWriter.writeRecord, drain() per 1000 records', kind: 'write', rates: [], cpuRates: [] },
];
const runs = [bareParse, kitReader, split2Reader, bareWrite, kitWriter(100), kitWriter(1000)];

// Interleaved rounds, so a noisy neighbour hurts every contender alike; the order inside each
// group rotates, so no contender always runs first (cold caches) or right after another's garbage.
const groups = [
  [0, 1, 2],
  [3, 4, 5],
];
for (let round = 0; round < ROUNDS; round++) {
  for (const group of groups) {
    for (let j = 0; j < group.length; j++) {
      const i = group[(j + round) % group.length]!;
      await measure(figures[i]!, runs[i]!);
    }
  }
  console.error(`round ${round + 1}/${ROUNDS} done`);
}

const k = (rate: number): string => `${Math.round(rate / 100) / 10}k`;
const lineBytes = bytes / (RECORDS + 2);
const bases = { read: figures[0]!, write: figures[3]! };
const rows = figures.map((figure) => {
  const base = bases[figure.kind];
  return {
    name: figure.name,
    rate: median(figure.rates),
    range: `${k(Math.min(...figure.rates))}-${k(Math.max(...figure.rates))}`,
    cpuRate: median(figure.cpuRates),
    mbps: (median(figure.rates) * lineBytes) / 1e6,
    ratio: median(figure.rates) / median(base.rates),
    cpuRatio: median(figure.cpuRates) / median(base.cpuRates),
  };
});

const table = [
  '| what | records/s (wall, median) | wall range | MB/s | records per CPU-second | share of bare (wall) | share of bare (CPU) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) =>
      `| ${row.name} | ${k(row.rate)} | ${row.range} | ${row.mbps.toFixed(0)} | ${k(row.cpuRate)} | ${row.ratio.toFixed(2)} | ${row.cpuRatio.toFixed(2)} |`,
  ),
].join('\n');

const load = loadavg()[0]!.toFixed(1);
const context =
  `${RECORDS} order_dtl RECORD lines, ${(bytes / 1e6).toFixed(0)} MB, ${Math.round(lineBytes)} bytes a line; ` +
  `${ROUNDS} interleaved rounds (order rotated), median shown; Node ${process.version}, ${cpus().length} cores, load average ${load} at the end; ${new Date().toISOString().slice(0, 16)}Z.`;
console.log(`\n${context}\n\n${table}\n`);

if (!process.argv.includes('--no-results')) {
  const resultsPath = join(benchDir, 'RESULTS.md');
  const section = `## singer kit\n\nbench/singer-reader.ts: ${context}\n\n${table}\n`;
  const current = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n';
  const start = current.indexOf('## singer kit\n');
  let next: string;
  if (start === -1) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + 1);
    next = current.slice(0, start) + section + (after === -1 ? '' : current.slice(after));
  }
  writeFileSync(resultsPath, next.endsWith('\n') ? next : `${next}\n`);
  console.error(`figures written to ${resultsPath} under "## singer kit"`);
}
