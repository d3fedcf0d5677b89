import { parseMessage, type RecordMessage } from '@wms-singer/singer';
import type { CellValue } from '../dialects/dialect.js';
import type { EnvelopeTail, RecordScanner } from './record-scanner.js';

/** A RECORD line a RecordScanner read into a row. */
export interface ScannedRecord {
  readonly type: 'SCANNED';
  readonly stream: string;
  /** The scanner that read it: the row fits the sink only while the sink still has this scanner. */
  readonly scanner: RecordScanner;
  readonly cells: CellValue[];
  /** The line had no escape: no cell holds a control character (RecordScanner.plain). */
  readonly plain: boolean;
  readonly timeExtracted: string | undefined;
  readonly version: number | undefined;
  /** The line is `text.slice(start, end)`: parsed again when the row cannot be used as it is. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const RECORD_PREFIX = '{"type":"RECORD","stream":"';
const RECORD_KEY = '","record":';
/** A STATE changes no stream's shape: it does not pause the scanning. */
const STATE_PREFIX = '{"type":"STATE"';

/**
 * The reader's `scan` hook of the target: a RECORD line of a stream with a scanner becomes a
 * ScannedRecord; any other line is left to the parser. The reader reads an input slice ahead of
 * the target's processing of it, so a line that is neither a RECORD nor a STATE (a SCHEMA or an
 * ACTIVATE_VERSION may change a stream's shape) pauses the scanning until the target says the slice is processed (`resume`): a record
 * after a schema change is never read with the old shape.
 */
export class RecordLines {
  private paused = false;
  private readonly tail: EnvelopeTail = { timeExtracted: undefined, version: undefined };

  constructor(private readonly scannerOf: (stream: string) => RecordScanner | undefined) {}

  scan(text: string, start: number, end: number): ScannedRecord | undefined {
    if (!text.startsWith(RECORD_PREFIX, start)) {
      if (!text.startsWith(STATE_PREFIX, start)) this.paused = true;
      return undefined;
    }
    if (this.paused) return undefined;
    const nameStart = start + RECORD_PREFIX.length;
    const nameEnd = text.indexOf('"', nameStart);
    if (nameEnd < 0 || nameEnd >= end || !text.startsWith(RECORD_KEY, nameEnd)) return undefined;
    const stream = text.slice(nameStart, nameEnd);
    const scanner = this.scannerOf(stream);
    if (scanner === undefined) return undefined;
    const tail = this.tail;
    const cells = scanner.scan(text, start, nameEnd + RECORD_KEY.length, end, tail);
    if (cells === undefined) return undefined;
    return {
      type: 'SCANNED',
      stream,
      scanner,
      cells,
      plain: scanner.plain,
      timeExtracted: tail.timeExtracted,
      version: tail.version,
      text,
      start,
      end,
    };
  }

  /** The lines read so far are processed: scanning may go on. */
  resume(): void {
    this.paused = false;
  }
}

/** A scanned line parsed as any other (the kit's parser: exact numbers, envelope checks). */
export function reparse(message: ScannedRecord, line: number): RecordMessage {
  return parseMessage(message.text.slice(message.start, message.end), line) as RecordMessage;
}
