import type { WriteMode } from './dialects/dialect.js';

/** A row the database refused alone, with the error of its own write. */
export interface RefusedRow {
  /** Position in the batch. */
  index: number;
  error: unknown;
  /** The column the error names, when it names one. */
  column?: string;
}

/** At most this many refused rows are isolated in one batch; past it the batch fails as a whole. */
export const MAX_REFUSED_ROWS = 16;

/** The isolation stopped: too many rows refused, or `stopAtFirst` found one. */
export class IsolationStopped extends Error {
  constructor(readonly refused: RefusedRow[]) {
    super('isolation stopped');
  }
}

export interface IsolationOptions {
  /** Writes and commits rows [start, end) of the batch. */
  write(start: number, end: number, mode: WriteMode): Promise<void>;
  /** The batch's mode: `replace` applies to the first write that succeeds, `later` to the rest. */
  mode: WriteMode;
  later: WriteMode;
  /** Dialect.valueError: undefined for an error that is not about a value (rethrown). */
  valueError(error: unknown): { column?: string } | undefined;
  /** Stop at the first refused row (invalid_record_policy fail): the rows after it are not written. */
  stopAtFirst: boolean;
}

/**
 * Finds the rows of a batch the database refused for a value, by writing it again in halves, in
 * order (each write commits or leaves nothing): a half that fails for a value is split again, one
 * that succeeds is loaded, one that fails otherwise fails the batch. Each refused row costs at most
 * 2 * ceil(log2(count)) writes, and at most MAX_REFUSED_ROWS are isolated (IsolationStopped).
 * Returns the refused rows; every other row is committed.
 */
export async function isolateRefusedRows(
  count: number,
  firstError: unknown,
  options: IsolationOptions,
): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  let mode = options.mode;
  let written = false;
  const refuse = (index: number, error: unknown, column: string | undefined): void => {
    refused.push(column === undefined ? { index, error } : { index, error, column });
    if (options.stopAtFirst || refused.length > MAX_REFUSED_ROWS) throw new IsolationStopped(refused);
  };
  const split = async (start: number, end: number): Promise<void> => {
    const mid = start + Math.floor((end - start) / 2);
    for (const [a, b] of [
      [start, mid],
      [mid, end],
    ] as const) {
      try {
        await options.write(a, b, mode);
        written = true;
        mode = options.later;
      } catch (error) {
        const value = options.valueError(error);
        if (value === undefined) throw error;
        if (b - a === 1) refuse(a, error, value.column);
        else await split(a, b);
      }
    }
  };
  if (count === 1) refuse(0, firstError, options.valueError(firstError)?.column);
  else await split(0, count);
  // A replace whose every row was refused still empties the table, as the batch would have.
  if (!written && options.mode === 'replace') await options.write(0, 0, 'replace');
  return refused;
}
