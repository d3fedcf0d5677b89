import { readJsonFile } from './catalog.js';
import { ConfigError } from './errors.js';

/** One stream's position. The tap decides its fields; these are the ones the SDK uses. */
export interface Bookmark {
  replication_key?: string;
  replication_key_value?: string | number;
  version?: number;
  [field: string]: unknown;
}

export interface State {
  bookmarks?: Record<string, Bookmark>;
  [field: string]: unknown;
}

export function getBookmark(state: State | undefined, streamId: string): Bookmark | undefined {
  return state?.bookmarks?.[streamId];
}

/** A new state with the stream's bookmark replaced; the input is left untouched. */
export function setBookmark(state: State | undefined, streamId: string, bookmark: Bookmark): State {
  return { ...state, bookmarks: { ...state?.bookmarks, [streamId]: bookmark } };
}

/** A new state with the stream's bookmark fields merged in; the input is left untouched. */
export function mergeBookmark(state: State | undefined, streamId: string, fields: Bookmark): State {
  return setBookmark(state, streamId, { ...getBookmark(state, streamId), ...fields });
}

/** A new state without the stream's bookmark; the input is left untouched. */
export function clearBookmark(state: State | undefined, streamId: string): State {
  const bookmarks = { ...state?.bookmarks };
  delete bookmarks[streamId];
  return { ...state, bookmarks };
}

/**
 * Reads a `--state` file. An empty file or `{}` is an empty state. Meltano hands taps the
 * state value itself; a file still wrapped as `{"singer_state": ...}` is unwrapped.
 */
export function readStateFile(path: string): State {
  const value = readJsonFile(path, 'state', {});
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('STATE_INVALID', `state file ${path}: expected a JSON object`);
  }
  const record = value as Record<string, unknown>;
  const inner = record.singer_state;
  const state = (typeof inner === 'object' && inner !== null ? inner : record) as State;
  const bookmarks = state.bookmarks;
  if (
    bookmarks !== undefined &&
    (typeof bookmarks !== 'object' || bookmarks === null || Array.isArray(bookmarks))
  ) {
    throw new ConfigError('STATE_INVALID', `state file ${path}: "bookmarks" must be an object`);
  }
  return state;
}
