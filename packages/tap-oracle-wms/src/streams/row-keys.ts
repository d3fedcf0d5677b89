import type { JsonObject } from '@wms-singer/singer';
import { instantMicros } from './bookmarks.js';
import { RecordText } from './record-text.js';

/** Where a row stands in a walk ordered by `mod_ts,id` (micros 0 when the walk is by id alone). */
export interface RowKey {
  micros: number;
  id: number;
  /** The key's value as the WMS rendered it (the bookmark text); undefined by id alone. */
  text?: string;
}

/** Orders two keys: negative when `a` comes first. */
export function compareKeys(a: RowKey, b: RowKey): number {
  return a.micros === b.micros ? a.id - b.id : a.micros - b.micros;
}

const ID_HEAD = /^\{\s*"id"\s*:\s*(-?\d+)[,}\s]/;

/** A record's top-level `id`: read from the head when it opens the record (it does), else parsed. */
export function idOf(raw: string): number {
  const head = ID_HEAD.exec(raw.slice(0, 40));
  if (head !== null) return Number(head[1]);
  const id = (JSON.parse(raw) as JsonObject).id;
  return typeof id === 'number' ? id : Number(id);
}

/** Reads the walk key of each record: `(mod_ts, id)`, or `id` alone. */
export class RowKeyReader {
  private readonly text: RecordText | undefined;

  constructor(key: string | undefined) {
    this.text = key === undefined ? undefined : new RecordText(key);
  }

  get byId(): boolean {
    return this.text === undefined;
  }

  read(raw: string): RowKey {
    const id = idOf(raw);
    if (this.text === undefined) return { micros: 0, id };
    const value = this.text.valueOf(raw);
    if (typeof value !== 'string') return { micros: Number.NEGATIVE_INFINITY, id };
    return { micros: instantMicros(value), id, text: value };
  }
}

/** How a page's rows stand against the walk so far. */
export interface PageKeys {
  keys: RowKey[];
  /** Leading rows at or before the last row already written (a cursor serving rows again). */
  repeated: number;
  /** Whether some row comes before its predecessor: the WMS did not order the page as asked. */
  disordered: boolean;
  /** Whether the rows are also in id order (then `mod_ts,id` order is not proven by this page). */
  alsoById: boolean;
}

/**
 * Checks a page's order. Leading rows not after `last` but within its second are taken for
 * rows served again (a cursor stepping over a tie); any other step backwards is disorder.
 */
export function checkPage(
  records: string[],
  reader: RowKeyReader,
  last: RowKey | undefined,
  byId: boolean,
): PageKeys {
  const keys = records.map((raw) => reader.read(raw));
  const compare = byId ? (a: RowKey, b: RowKey) => a.id - b.id : compareKeys;
  let repeated = 0;
  if (last !== undefined) {
    const second = Math.floor(last.micros / 1e6) * 1e6;
    while (repeated < keys.length && compare(keys[repeated]!, last) <= 0) {
      if (!byId && keys[repeated]!.micros < second) break;
      repeated++;
    }
  }
  let disordered = false;
  let alsoById = true;
  let previous = repeated > 0 ? keys[repeated - 1] : last;
  for (let i = repeated; i < keys.length; i++) {
    const key = keys[i]!;
    if (!byId && Number.isNaN(key.micros)) disordered = true;
    if (previous !== undefined) {
      if (compare(key, previous) < 0) disordered = true;
      if (key.id < previous.id) alsoById = false;
    }
    previous = key;
  }
  return { keys, repeated, disordered, alsoById };
}

/** The latest of some keys by instant (the bookmark candidate of rows read out of key order). */
export function latestKey(keys: readonly RowKey[]): RowKey | undefined {
  let latest: RowKey | undefined;
  for (const key of keys)
    if (key.text !== undefined && (latest === undefined || key.micros > latest.micros)) latest = key;
  return latest;
}
