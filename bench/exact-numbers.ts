// Bench: what keeping numbers exact costs the reader. The Singer kit's parseMessage scans each line
// for a run of 16 digits (or a 3-digit exponent) and parses such a line a second time with a
// reviver reading each number's source text (packages/singer/src/exact-numbers.ts). Three inputs of
// order_dtl-shaped RECORD lines (~65 fields, ~2 KB): none with a long number, every line with a
// 64-bit id, and 1 line in 100 with one; each timed with a bare JSON.parse loop and with
// parseMessage, in the same run. CPU time of this process, best of --rounds.
//
//   npx tsc -b bench && node bench/dist/exact-numbers.js [--lines 50000] [--rounds 5]
import { cpus, loadavg } from 'node:os';
import { parseMessage } from '@wms-singer/singer';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINES = arg('lines', 50_000);
const ROUNDS = arg('rounds', 5);

function line(i: number, bigId: boolean): string {
  const record: Record<string, unknown> = { id: bigId ? `@${i}` : i };
  for (let f = 0; f < 20; f++) record[`qty_${f}`] = (((i * (f + 1)) % 100000) / 100).toFixed(2);
  for (let f = 0; f < 20; f++) record[`field_${f}`] = `VALUE-${(i + f) % 1000}`;
  for (let f = 0; f < 10; f++) record[`number_${f}`] = (i + f) % 977;
  for (const e of ['order', 'item', 'uom', 'facility', 'company'])
    record[`${e}_id`] = {
      id: i % 5000,
      key: `${e.toUpperCase()}${i % 5000}`,
      url: `https://wms.example.com/wms/lgfapi/v10/entity/${e}/${i % 5000}/`,
    };
  record.mod_ts = `2026-01-15T0${i % 10}:12:34.${String(123456 + (i % 800000)).padStart(6, '0')}-05:00`;
  const text = JSON.stringify({ type: 'RECORD', stream: 'order_dtl', record });
  // A 64-bit id as a JSON number (JSON.stringify cannot write one).
  return bigId ? text.replace(`"@${i}"`, String(9_007_199_254_740_993n + BigInt(i))) : text;
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function best(work: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) min = Math.min(min, cpuMs(work));
  return min;
}

const inputs: Array<[string, string[]]> = [
  ['no long numbers', Array.from({ length: LINES }, (_, i) => line(i, false))],
  ['1 line in 100 with a 64-bit id', Array.from({ length: LINES }, (_, i) => line(i, i % 100 === 0))],
  ['every line with a 64-bit id', Array.from({ length: LINES }, (_, i) => line(i, true))],
];
console.log(
  `${LINES} lines of ~${Math.round(inputs[0]![1][0]!.length / 100) / 10} KB, best of ${ROUNDS} rounds, CPU ms; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`,
);
for (const [name, lines] of inputs) {
  const bare = best(() => {
    for (const text of lines) JSON.parse(text);
  });
  const kit = best(() => {
    for (let i = 0; i < lines.length; i++) parseMessage(lines[i]!, i + 1);
  });
  console.log(
    `${name}: bare JSON.parse ${bare.toFixed(0)} ms, parseMessage ${kit.toFixed(0)} ms = ${(bare / kit).toFixed(2)} of the bare parse`,
  );
}
