import type { Writable } from 'node:stream';
import type { JsonObject, Message, SchemaMessage } from './messages.js';

export interface WriterOptions {
  /** Buffered text is handed to the stream once it passes this many characters. */
  chunkSize?: number;
  /**
   * Called once when the reading end goes away (EPIPE) or the stream fails. The default
   * writes one line on stderr and ends the process with exit code 1: there is nobody left
   * to read what we would write, and a stack trace would only hide that fact.
   */
  onStreamError?: (error: NodeJS.ErrnoException) => void;
  /** Starts the default handler's stderr line (the connector's name); `error` when absent. */
  name?: string;
}

const DEFAULT_CHUNK_SIZE = 256 * 1024;

/**
 * Writes Singer messages as one JSON object per line. Writes are buffered and handed to the
 * stream in large chunks; `drain()` hands over what is buffered and waits while the stream
 * is above its high-water mark, so a producer that awaits it once per page keeps memory bounded.
 */
export class SingerWriter {
  private readonly out: Writable;
  private readonly chunkSize: number;
  private buffer = '';
  private needsDrain = false;
  private failure: NodeJS.ErrnoException | undefined;
  private readonly recordPrefixes = new Map<string, string>();
  /** The last STATE written: a value (taps) or its JSON text (a target echoing a value). */
  private lastStateValue: unknown;
  private lastStateJson: string | undefined;

  constructor(out: Writable = process.stdout, options: WriterOptions = {}) {
    this.out = out;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const name = options.name ?? 'error';
    const onStreamError = options.onStreamError ?? ((error) => defaultStreamError(name, error));
    out.on('error', (error: NodeJS.ErrnoException) => {
      if (this.failure !== undefined) return;
      this.failure = error;
      onStreamError(error);
    });
  }

  writeSchema(message: Omit<SchemaMessage, 'type'>): void {
    this.append(JSON.stringify({ type: 'SCHEMA', ...message }));
  }

  /** The hot path: the stream's envelope prefix is built once and reused. */
  writeRecord(stream: string, record: JsonObject, timeExtracted?: string, version?: number): void {
    this.writeRecordJson(stream, JSON.stringify(record), timeExtracted, version);
  }

  /**
   * RECORD messages around records that are already JSON text (one object each, on one line),
   * for a producer that relays what it received without parsing and re-serialising it. The
   * envelope is the same as `writeRecord`'s; the caller vouches that each text is one JSON object.
   */
  writeRecordJson(stream: string, recordJson: string, timeExtracted?: string, version?: number): void {
    this.buffer += this.recordPrefix(stream) + recordJson + recordSuffix(timeExtracted, version);
    if (this.buffer.length >= this.chunkSize) this.flushBuffer();
  }

  /** `writeRecordJson` for a page of records sharing one `time_extracted` and `version`. */
  writeRecordsJson(
    stream: string,
    recordJsons: readonly string[],
    timeExtracted?: string,
    version?: number,
  ): void {
    const prefix = this.recordPrefix(stream);
    const suffix = recordSuffix(timeExtracted, version);
    for (const json of recordJsons) {
      this.buffer += prefix + json + suffix;
      if (this.buffer.length >= this.chunkSize) this.flushBuffer();
    }
  }

  private recordPrefix(stream: string): string {
    let prefix = this.recordPrefixes.get(stream);
    if (prefix === undefined) {
      prefix = `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`;
      this.recordPrefixes.set(stream, prefix);
    }
    return prefix;
  }

  writeState(value: unknown): void {
    this.lastStateValue = value;
    this.lastStateJson = undefined;
    this.append(`{"type":"STATE","value":${JSON.stringify(value)}}`);
  }

  /** A state value a target prints as its line (already serialised JSON). */
  writeStateValue(json: string): void {
    this.lastStateJson = json;
    this.lastStateValue = undefined;
    this.append(json);
  }

  /** The last state written (undefined when none was): what the run summary reports as after. */
  lastState(): unknown {
    if (this.lastStateJson !== undefined) {
      this.lastStateValue = JSON.parse(this.lastStateJson) as unknown;
      this.lastStateJson = undefined;
    }
    return this.lastStateValue;
  }

  writeActivateVersion(stream: string, version: number): void {
    this.append(`{"type":"ACTIVATE_VERSION","stream":${JSON.stringify(stream)},"version":${version}}`);
  }

  writeMessage(message: Message): void {
    this.append(JSON.stringify(message));
  }

  /** A line that is already serialised JSON (for example a state value a target echoes). */
  writeLine(json: string): void {
    this.append(json);
  }

  /** Hands over everything buffered and resolves once the stream can take more. */
  async drain(): Promise<void> {
    this.flushBuffer();
    if (this.failure !== undefined) throw this.failure;
    // Ask the stream, not our own flag: a 'drain' that fired while the producer awaited
    // something else would otherwise be waited for forever.
    if (!this.needsDrain || !this.out.writableNeedDrain) {
      this.needsDrain = false;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        this.out.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => settle();
      const onError = (error: Error): void => settle(error);
      const onClose = (): void =>
        settle(
          this.failure ?? Object.assign(new Error('output closed before it drained'), { code: 'EPIPE' }),
        );
      this.out.on('drain', onDrain);
      this.out.on('error', onError);
      this.out.on('close', onClose);
    });
    this.needsDrain = false;
  }

  private append(line: string): void {
    this.buffer += `${line}\n`;
    if (this.buffer.length >= this.chunkSize) this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.buffer.length === 0 || this.failure !== undefined) return;
    const text = this.buffer;
    this.buffer = '';
    if (!this.out.write(text)) this.needsDrain = true;
  }
}

function recordSuffix(timeExtracted: string | undefined, version: number | undefined): string {
  const versionPart = version === undefined ? '' : `,"version":${version}`;
  const timePart = timeExtracted === undefined ? '' : `,"time_extracted":${JSON.stringify(timeExtracted)}`;
  return `${versionPart}${timePart}}\n`;
}

/** The one line said when our output fails. */
export function streamErrorReason(error: NodeJS.ErrnoException): string {
  return error.code === 'EPIPE'
    ? 'the reader of our output went away (EPIPE): stopping'
    : `cannot write output (${error.code ?? error.message})`;
}

function defaultStreamError(name: string, error: NodeJS.ErrnoException): void {
  process.stderr.write(`${name}: ${streamErrorReason(error)}\n`);
  process.exit(1);
}
