// CPU and memory of running child processes, read from /proc (Linux), for the benches that time
// a target or a whole pipeline: the wall clock of a shared machine says what we got, the CPU of
// each thread and process says where the work went.
import { readdirSync, readFileSync } from 'node:fs';

/** The processes below `pid`, each child followed by its own descendants. */
export function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** CPU seconds (utime + stime, clock ticks of 1/100 s) and the name in a /proc stat line. */
function cpuOfStat(stat: string): { name: string; cpuSeconds: number } {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

/** Sets the CPU seconds of each thread of `pid` in `into`, keyed `<tid> <thread name>`. */
export function readThreads(pid: number, into: Map<string, number>): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      const { name, cpuSeconds } = cpuOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      into.set(`${tid} ${name}`, cpuSeconds);
    } catch {
      // the thread ended between the listing and the read
    }
  }
}

export interface ProcessFigures {
  pid: number;
  /** What `label` made of the command line last seen (a launcher that execs keeps its pid). */
  label: string;
  /** CPU seconds of the whole process, ended threads included, at the last sample. */
  cpuSeconds: number;
  /** CPU seconds per thread (`<tid> <thread name>`), at the last sample. */
  threads: Map<string, number>;
  /** VmHWM: the peak resident set of the process, at the last sample. */
  peakRssMb: number;
}

/**
 * Samples `root` and every process below it every `intervalMs` until stop(). A process's
 * figures are those of its last sample: up to one interval of CPU at its end is not seen (the
 * exact total of a tree is what /usr/bin/time reports for it).
 */
export function sampleTree(
  root: number,
  label: (argv: string[]) => string,
  intervalMs = 200,
): { stop(): ProcessFigures[] } {
  const seen = new Map<number, ProcessFigures>();
  const read = (): void => {
    for (const pid of [root, ...descendants(root)]) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const { cpuSeconds } = cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        const figures = seen.get(pid) ?? {
          pid,
          label: '',
          cpuSeconds: 0,
          threads: new Map<string, number>(),
          peakRssMb: 0,
        };
        // A process that has exited but not been reaped shows an empty command line: keep its label.
        if (argv.length > 0) figures.label = label(argv);
        figures.cpuSeconds = cpuSeconds;
        figures.peakRssMb = Math.max(figures.peakRssMb, hwm ? Number(hwm[1]) / 1024 : 0);
        readThreads(pid, figures.threads);
        seen.set(pid, figures);
      } catch {
        // the process ended between the listing and the reads
      }
    }
  };
  const timer = setInterval(read, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return [...seen.values()];
    },
  };
}
