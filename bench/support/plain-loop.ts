// The honest limit of issue 17, shared by the benches that compare a stage with it: a file of
// Singer lines read in 64 KiB slices, each slice decoded once, `indexOf` newline, `JSON.parse` of
// each line, nothing else.
import { closeSync, openSync, readSync } from 'node:fs';

export interface Measured {
  records: number;
  seconds: number;
  cpuSeconds: number;
}

/**
 * The file read in 64 KiB slices, each decoded once up to its last newline (so every slice is
 * whole lines; a line longer than a slice is read on into a larger buffer).
 */
export function* slices(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    let bytes = Buffer.allocUnsafe(64 * 1024);
    let filled = 0;
    for (;;) {
      const read = readSync(fd, bytes, filled, bytes.length - filled, null);
      if (read === 0) return;
      const end = filled + read;
      const last = bytes.lastIndexOf(10, end - 1);
      if (last === -1) {
        const larger = Buffer.allocUnsafe(bytes.length * 2);
        bytes.copy(larger, 0, 0, end);
        bytes = larger;
        filled = end;
        continue;
      }
      yield bytes.toString('utf8', 0, last + 1);
      bytes.copy(bytes, 0, last + 1, end);
      filled = end - last - 1;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The limit: the file read in 64 KiB slices, each slice (up to its last newline) decoded once,
 * `indexOf` newline, `JSON.parse` of each line, nothing else. (Decoding each line on its own
 * costs the same per CPU-second or a little more.)
 */
export function plainLoop(path: string): Measured {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let records = 0;
  for (const text of slices(path)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if ((JSON.parse(text.slice(start, nl)) as { type: string }).type === 'RECORD') records++;
      start = nl + 1;
    }
  }
  const used = process.cpuUsage(cpu);
  return {
    records,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
