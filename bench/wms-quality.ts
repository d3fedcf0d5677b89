// Bench: wms-quality checking order_dtl rows with their headers and allocations on SQLite, beside
// the target's load time of the same rows.
//
//   npx tsc -b bench && node bench/dist/wms-quality.js [--records 1000000]
//
// Generates order_hdr (N/4), order_dtl (N) and allocation (0.9 N) RECORD lines into bench/out/
// (once), with 0.1% of the rows breaking each relational rule; loads them with target-oracle into
// a fresh SQLite file (timed), then runs `wms-quality check` twice (timed; completeness skipped:
// no WMS). Prints the figures and the check lines.
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const outDir = join(repoRoot, 'bench', 'out');
const target = join(repoRoot, 'packages', 'target-oracle', 'bin', 'target-oracle.js');
const quality = join(repoRoot, 'packages', 'wms-quality', 'bin', 'wms-quality.js');
const targetFlags: string[] =
  JSON.parse(readFileSync(join(repoRoot, 'packages', 'target-oracle', 'package.json'), 'utf8')).wmsSinger
    ?.nodeFlags ?? [];

const index = process.argv.indexOf('--records');
const total = index === -1 ? 1_000_000 : Number(process.argv[index + 1]);
const headers = Math.ceil(total / 4);
const allocations = Math.round(total * 0.9);
const BASE = 'https://wms.example.com/wms/lgfapi/v10/entity';
const fk = (entity: string, id: number) => ({
  id,
  key: `${entity.toUpperCase()}${id}`,
  url: `${BASE}/${entity}/${id}/`,
});
const ts = (n: number) =>
  `2026-11-${10 + (n % 18)}T${String(n % 24).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:1${n % 10}.${String(100000 + (n % 800000)).padStart(6, '0')}+01:00`;
/** Every 1000th row breaks its rule (0.1%). */
const broken = (id: number) => id % 1000 === 500;

const fkSchema = {
  type: ['object', 'null'],
  properties: { id: { type: 'integer' }, key: { type: 'string' }, url: { type: 'string' } },
};
const text = { type: ['string', 'null'] };
const decimal = { type: ['string', 'null'], format: 'singer.decimal' };
const instant = { type: ['string', 'null'], format: 'date-time' };

const STREAMS = {
  order_hdr: {
    count: headers,
    schema: {
      id: { type: 'integer' },
      order_nbr: text,
      facility_id: fkSchema,
      company_id: fkSchema,
      status_id: { type: ['integer', 'null'] },
      cust_name: text,
      mod_ts: instant,
      create_ts: instant,
    },
    record: (id: number) => ({
      id,
      order_nbr: `ORD${String(id).padStart(8, '0')}`,
      facility_id: fk('facility', 1 + (id % 3)),
      company_id: fk('company', 1 + (id % 12)),
      status_id: [10, 20, 30][id % 3],
      cust_name: `Customer ${id % 9973}`,
      mod_ts: ts(id),
      create_ts: ts(id + 3),
    }),
  },
  order_dtl: {
    count: total,
    schema: {
      id: { type: 'integer' },
      order_id: fkSchema,
      item_id: fkSchema,
      seq_nbr: { type: ['integer', 'null'] },
      ord_qty: decimal,
      orig_ord_qty: decimal,
      alloc_qty: decimal,
      status_id: { type: ['integer', 'null'] },
      po_nbr: text,
      cust_field_1: text,
      mod_ts: instant,
      create_ts: instant,
    },
    record: (id: number) => ({
      id,
      order_id: fk('order_hdr', broken(id) ? 900_000_000 + id : 1 + ((id - 1) % headers)),
      item_id: fk('item', 1 + (id % 5000)),
      seq_nbr: 1 + (id % 4),
      ord_qty: '10.0',
      orig_ord_qty: '10.0',
      alloc_qty: '5.0',
      status_id: [0, 10, 20][id % 3],
      po_nbr: `PO${id % 100000}`,
      cust_field_1: `CF-${id % 997}`,
      mod_ts: ts(id + 7),
      create_ts: ts(id),
    }),
  },
  allocation: {
    count: allocations,
    schema: {
      id: { type: 'integer' },
      order_dtl_id: fkSchema,
      alloc_qty: decimal,
      status_id: { type: ['integer', 'null'] },
      mod_ts: instant,
      create_ts: instant,
    },
    // Allocation i points at line i; every 1000th points nowhere, every 1000th other over-allocates.
    record: (id: number) => ({
      id,
      order_dtl_id: fk('order_dtl', broken(id) ? 900_000_000 + id : id),
      alloc_qty: id % 1000 === 700 ? '12.5' : '5.0',
      status_id: 1,
      mod_ts: ts(id + 11),
      create_ts: ts(id),
    }),
  },
} as const;

async function generate(path: string): Promise<void> {
  if (existsSync(path)) return;
  mkdirSync(outDir, { recursive: true });
  const out = createWriteStream(`${path}.partial`);
  for (const [stream, spec] of Object.entries(STREAMS)) {
    let chunk = `${JSON.stringify({ type: 'SCHEMA', stream, key_properties: ['id'], schema: { type: 'object', properties: spec.schema } })}\n`;
    for (let id = 1; id <= spec.count; id++) {
      chunk += `{"type":"RECORD","stream":"${stream}","record":${JSON.stringify(spec.record(id))}}\n`;
      if (id % 10_000 === 0) {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        chunk = '';
      }
    }
    out.write(chunk);
  }
  out.end();
  await new Promise<void>((r) => out.once('finish', () => r()));
  renameSync(`${path}.partial`, path);
}

function timed(args: string[]): Promise<{ seconds: number; status: number | null; stderr: string }> {
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    child.on('error', fail);
    child.on('close', (status) =>
      done({ seconds: Number(process.hrtime.bigint() - started) / 1e9, status, stderr }),
    );
  });
}

const input = join(outDir, `quality-${total}.singer`);
const db = join(outDir, `quality-${total}.db`);
await generate(input);
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const config = join(outDir, 'quality-config.json');
writeFileSync(config, JSON.stringify({ dialect: 'sqlite', sqlite_path: db }));
const loaded = await timed([...targetFlags, target, '--config', config, '--input', input]);
if (loaded.status !== 0) throw new Error(`the load failed (${loaded.status}): ${loaded.stderr.slice(-2000)}`);
const rows = headers + total + allocations;
console.log(`rows: order_hdr ${headers}, order_dtl ${total}, allocation ${allocations} (${rows} in all)`);
console.log(
  `load (target-oracle, SQLite): ${loaded.seconds.toFixed(1)} s (${Math.round(rows / loaded.seconds)} rows/s)`,
);
for (const run of [1, 2]) {
  const checked = await timed([quality, 'check', '--config', config]);
  // 0.1% broken is at the default thresholds, not above: the run passes (exit 0).
  if (checked.status !== 0 && checked.status !== 1)
    throw new Error(`wms-quality check failed: ${checked.status} ${checked.stderr}`);
  console.log(`wms-quality check, run ${run}: ${checked.seconds.toFixed(1)} s`);
  if (run === 1)
    for (const line of checked.stderr.split('\n').filter((l) => l.startsWith('wms-quality: ')))
      console.log(`  ${line}`);
}
// Per check, from the results table (started_at and ended_at of the last run).
const results = new DatabaseSync(db, { readOnly: true });
const last = results
  .prepare(
    'SELECT check_name, started_at, ended_at FROM wms_quality_results WHERE run_id = (SELECT run_id FROM wms_quality_results ORDER BY started_at DESC LIMIT 1) ORDER BY started_at',
  )
  .all() as Array<{ check_name: string; started_at: string; ended_at: string }>;
results.close();
const seconds = (r: { started_at: string; ended_at: string }) =>
  ((Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000).toFixed(1);
console.log(`per check (run 2): ${last.map((r) => `${r.check_name} ${seconds(r)} s`).join(', ')}`);
