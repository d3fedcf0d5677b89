// Bench: what stream_maps cost the target. The same order_hdr-shaped RECORD lines are loaded
// into SQLite three ways, interleaved over rounds: without stream_maps (the record path as it
// always was), with a map that names another stream only (the router runs, this stream passes
// as it is), and with a map on this stream (two keyed hashes, one property dropped, one added).
//
//   npx tsc -b bench && node bench/dist/stream-maps.js [--records 200000] [--rounds 3]
//
// Each load is a child process under /usr/bin/time; the figures are records per wall second
// and per CPU second (user + system), median over the rounds.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const outDir = join(repoRoot, 'bench', 'out');
const bin = join(repoRoot, 'packages', 'target-oracle', 'bin', 'target-oracle.js');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}
const total = argument('records', 200_000);
const rounds = argument('rounds', 3);

const CITIES = ['Lyon', 'Porto', 'Gent', 'Turku', 'Graz', 'Brno'];
function order(id: number): Record<string, unknown> {
  return {
    id,
    order_nbr: `ORD${String(id).padStart(8, '0')}`,
    status_id: 10 + (id % 5) * 10,
    ord_date: `2026-0${1 + (id % 9)}-1${id % 10}T08:15:00.000000+01:00`,
    cust_name: `Customer ${id % 9973} Example`,
    cust_addr: `${id % 400} Long Street Name`,
    cust_city: CITIES[id % CITIES.length],
    cust_zip: String(10000 + (id % 89999)),
    cust_country: 'FR',
    shipto_name: `Recipient ${id % 7919} Example`,
    shipto_addr: `${id % 300} Other Road`,
    shipto_city: CITIES[(id + 3) % CITIES.length],
    total_orig_ord_qty: String((id % 500) + 0.25),
    priority: id % 3,
    mod_ts: `2026-03-1${id % 10}T1${id % 10}:0${id % 6}:00.123456+01:00`,
  };
}

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'order_hdr',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(order(1)).map(([name, value]) => [
        name,
        { type: typeof value === 'number' ? ['integer', 'null'] : ['string', 'null'] },
      ]),
    ),
  },
};

async function input(): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `stream-maps-${total}.jsonl`);
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  out.write(`${JSON.stringify(SCHEMA)}\n`);
  for (let id = 1; id <= total; id++) {
    const line = `{"type":"RECORD","stream":"order_hdr","record":${JSON.stringify(order(id))},"time_extracted":"2026-03-20T10:00:00.000000Z"}\n`;
    if (!out.write(line)) await new Promise<void>((done) => out.once('drain', () => done()));
  }
  out.write(`{"type":"STATE","value":{"bookmarks":{"order_hdr":{"done":true}}}}\n`);
  await new Promise<void>((done) => out.end(() => done()));
  return path;
}

const HASH = { hash_key: 'bench-key-0123456789abcdef' };
const VARIANTS: Array<[string, Record<string, unknown>]> = [
  ['no stream_maps', {}],
  [
    'map on another stream',
    { stream_maps: { allocation: { pick_user: '__NULL__' } }, stream_map_config: HASH },
  ],
  [
    'map on this stream',
    {
      stream_maps: {
        order_hdr: {
          cust_name: "hmac_sha256(cust_name, config['hash_key'])",
          shipto_name: "hmac_sha256(shipto_name, config['hash_key'])",
          cust_addr: '__NULL__',
          cust_zip: 'cust_zip[:3] if cust_zip else None',
        },
      },
      stream_map_config: HASH,
    },
  ],
];

interface Figures {
  wall: number;
  cpu: number;
}

function load(path: string, settings: Record<string, unknown>, tag: string): Promise<Figures> {
  const db = join(outDir, `stream-maps-${tag}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const config = join(outDir, `stream-maps-${tag}.json`);
  writeFileSync(config, JSON.stringify({ dialect: 'sqlite', sqlite_path: db, ...settings }));
  return new Promise((done, fail) => {
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'TIME %e %U %S', process.execPath, bin, '--config', config, '--input', path],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LOG_LEVEL: 'error' },
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('close', (code) => {
      const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || match === null) {
        fail(new Error(`target exited ${code}: ${stderr}`));
        return;
      }
      done({ wall: Number(match[1]), cpu: Number(match[2]) + Number(match[3]) });
    });
  });
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const path = await input();
const results = new Map<string, Figures[]>(VARIANTS.map(([name]) => [name, []]));
const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round++) {
  // rotate the order so no variant always runs first (the machine drifts within a run)
  for (let i = 0; i < VARIANTS.length; i++) {
    const [name, settings] = VARIANTS[(i + round) % VARIANTS.length]!;
    results.get(name)!.push(await load(path, settings, String((i + round) % VARIANTS.length)));
  }
}
console.log(
  `stream maps in target-oracle (SQLite): ${total} order_hdr records, ${rounds} rounds, load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`,
);
const base = results.get(VARIANTS[0]![0])!;
for (const [name] of VARIANTS) {
  const figures = results.get(name)!;
  const wall = median(figures.map((f) => f.wall));
  const cpu = median(figures.map((f) => f.cpu));
  const share = median(base.map((f) => f.cpu)) / cpu;
  console.log(
    `${name.padEnd(24)} ${(total / wall).toFixed(0).padStart(8)} records/s wall   ${(total / cpu).toFixed(0).padStart(8)} records per CPU-second   ${share.toFixed(2)} of no stream_maps (CPU)`,
  );
}
