// Bench: node:sqlite against better-sqlite3 on the SQLite dialect's insert path, in one run.
//
//   npm install --no-save better-sqlite3   # not a dependency any more: only to re-run this
//   npx tsc -b bench && node bench/dist/sqlite-drivers.js [--rows 200000] [--rounds 3]
//
// The worker's work per batch, without the threads: a WAL database with the dialect's pragmas,
// a 63-column upsert (`INSERT ... ON CONFLICT (id) DO UPDATE SET`), cells bound as arguments,
// 10,000 rows per transaction. Rounds alternate which driver goes first; CPU is this process's.
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}
const total = argument('rows', 200_000);
const rounds = argument('rounds', 3);
const BATCH = 10_000;
const COLUMNS = 63;

type Cell = string | number | null;
interface Driver {
  exec(sql: string): void;
  prepare(sql: string): { run(...cells: Cell[]): unknown };
  close(): void;
}

const rows: Cell[][] = [];
for (let i = 0; i < 2 * BATCH; i++) {
  const row: Cell[] = [];
  for (let c = 0; c < COLUMNS; c++)
    row.push(c === 0 ? i : c % 5 === 0 ? null : c % 7 === 0 ? i * c : `value ${c} of row ${i}: 12.50`);
  rows.push(row);
}
const names = Array.from({ length: COLUMNS }, (_, c) => `c${c}`);
const createSql = `CREATE TABLE t (${names.map((n, i) => `${n} ${i % 7 === 0 ? 'INTEGER' : 'TEXT'}`).join(', ')}, PRIMARY KEY (c0))`;
const upsertSql =
  `INSERT INTO t VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT (c0) DO UPDATE SET ` +
  names
    .slice(1)
    .map((n) => `${n} = excluded.${n}`)
    .join(', ');

function measure(open: (path: string) => Driver): { usPerRow: number; cpuUsPerRow: number } {
  const path = join(tmpdir(), `sqlite-drivers-${process.pid}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = open(path);
  for (const pragma of [
    'journal_mode = WAL',
    'synchronous = NORMAL',
    'cache_size = -32768',
    'temp_store = MEMORY',
  ])
    db.exec(`PRAGMA ${pragma}`);
  db.exec(createSql);
  const statement = db.prepare(upsertSql);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let batch = 0; batch < total / BATCH; batch++) {
    db.exec('BEGIN');
    for (let i = 0; i < BATCH; i++) {
      const row = rows[i + (batch % 2) * BATCH]!;
      row[0] = batch * BATCH + i;
      statement.run(...row);
    }
    db.exec('COMMIT');
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return { usPerRow: (seconds * 1e6) / total, cpuUsPerRow: (used.user + used.system) / total };
}

const moduleName = 'better-sqlite3';
const Better = ((await import(moduleName)) as { default: new (path: string) => Driver }).default;
const drivers: Record<string, (path: string) => Driver> = {
  'node:sqlite': (path) => new DatabaseSync(path) as unknown as Driver,
  'better-sqlite3': (path) => new Better(path),
};
console.log(
  `${total} rows of ${COLUMNS} columns per driver and round, ${rounds} rounds; Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log('| round | driver | us per row (wall) | CPU us per row |');
console.log('| --- | --- | --- | --- |');
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? ['better-sqlite3', 'node:sqlite'] : ['node:sqlite', 'better-sqlite3'];
  for (const name of order) {
    const figure = measure(drivers[name]!);
    console.log(`| ${round} | ${name} | ${figure.usPerRow.toFixed(1)} | ${figure.cpuUsPerRow.toFixed(1)} |`);
  }
}
console.log(`load average at the end ${loadavg()[0]!.toFixed(1)}`);
