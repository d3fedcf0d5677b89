import { Worker } from 'node:worker_threads';

// Slots of the Int32Array the writer and the checkpoint thread share.
/** Checkpoints asked for (the writer adds one after each commit). */
export const REQUESTED = 0;
/** The value of REQUESTED the last finished checkpoint covered. */
export const DONE = 1;
/** Set by the writer: finish and close. */
export const STOP = 2;
/** Set by the thread: 1 once its connection is closed, 2 if it failed. */
export const ENDED = 3;
/** Frames the WAL held at the last checkpoint (since it last started again); 0 once it restarts. */
export const WAL_FRAMES = 4;

export interface CheckpointThreadData {
  path: string;
  flags: Int32Array;
}

/** How long the writer waits for a checkpoint before going on without it (the WAL just grows). */
const WAIT_MS = 30_000;

/**
 * Checkpoints the write-ahead log from a thread of its own, with its own connection, so the
 * writer does not wait on the checkpoint's copying and fsyncs: the writer commits (WAL writes
 * only, no fsync with synchronous=NORMAL) and asks; this thread copies the WAL into the
 * database and syncs while the writer goes on with its next batch.
 *
 * SQLite starts the WAL again from its beginning only when a write transaction begins with
 * every frame already copied, which a busy writer rarely lets happen. So once it has written
 * more than a limit since the WAL last started again, the writer waits for the checkpoint to
 * catch up before its next transaction (`catchUp`): the WAL stays bounded at the cost of one
 * wait every few batches.
 */
export class Checkpointer {
  private readonly flags = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  private readonly thread: Worker;

  constructor(path: string) {
    const data: CheckpointThreadData = { path, flags: this.flags };
    this.thread = new Worker(new URL('./sqlite-checkpoint-thread.js', import.meta.url), { workerData: data });
    this.thread.unref();
    // A thread that cannot start or fails is reported through ENDED = 2 or here; the writer
    // then checkpoints by itself again (see `failed`).
    this.thread.on('error', () => {
      Atomics.store(this.flags, ENDED, 2);
      Atomics.notify(this.flags, DONE);
    });
  }

  /** True once the thread has failed: the writer must checkpoint by itself. */
  get failed(): boolean {
    return Atomics.load(this.flags, ENDED) === 2;
  }

  /** True when the checkpoint asked for last has finished (or the thread failed). */
  get caughtUp(): boolean {
    return Atomics.load(this.flags, DONE) >= Atomics.load(this.flags, REQUESTED) || this.failed;
  }

  /** Frames the WAL held at the last checkpoint: its real size, whatever the rows were. */
  get walFrames(): number {
    return Atomics.load(this.flags, WAL_FRAMES);
  }

  /** The writer says the WAL starts again (everything was copied before its transaction). */
  restarted(): void {
    Atomics.store(this.flags, WAL_FRAMES, 0);
  }

  /** After a commit: checkpoint what the WAL holds now. */
  request(): void {
    Atomics.add(this.flags, REQUESTED, 1);
    Atomics.notify(this.flags, REQUESTED);
  }

  /** Before a write transaction: waits until the checkpoint asked for last has finished. */
  catchUp(): void {
    const wanted = Atomics.load(this.flags, REQUESTED);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const done = Atomics.load(this.flags, DONE);
      if (done >= wanted || this.failed) return;
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.flags, DONE, done, Math.min(left, 1000));
    }
  }

  /** Stops the thread and waits until its connection is closed (so the writer's close is the last). */
  stop(): void {
    Atomics.store(this.flags, STOP, 1);
    Atomics.notify(this.flags, REQUESTED);
    const deadline = Date.now() + WAIT_MS;
    while (Atomics.load(this.flags, ENDED) === 0 && Date.now() < deadline) {
      Atomics.wait(this.flags, ENDED, 0, 100);
    }
    void this.thread.terminate();
  }
}
