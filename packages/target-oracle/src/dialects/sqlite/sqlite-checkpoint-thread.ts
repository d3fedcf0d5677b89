import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';
import {
  type CheckpointThreadData,
  DONE,
  ENDED,
  REQUESTED,
  STOP,
  WAL_FRAMES,
} from './sqlite-checkpointer.js';

/** The checkpoint thread (see Checkpointer): waits for requests, checkpoints, says when done. */
const { path, flags } = workerData as CheckpointThreadData;
let outcome = 1;
try {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 10000');
    const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    let seen = 0;
    while (Atomics.load(flags, STOP) === 0) {
      Atomics.wait(flags, REQUESTED, seen, 1000);
      const requested = Atomics.load(flags, REQUESTED);
      if (requested === seen) continue;
      // PASSIVE: copies every frame it can without ever blocking the writer.
      const result = checkpoint.get() as { log: number } | undefined;
      Atomics.store(flags, WAL_FRAMES, Math.max(0, Number(result?.log ?? 0)));
      seen = requested;
      Atomics.store(flags, DONE, requested);
      Atomics.notify(flags, DONE);
    }
  } finally {
    db.close();
  }
} catch {
  outcome = 2;
} finally {
  Atomics.store(flags, ENDED, outcome);
  Atomics.notify(flags, ENDED);
  Atomics.notify(flags, DONE);
}
