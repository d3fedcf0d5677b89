/** What the connected server can do, read once at `open()`; statement builders choose from it. */
export interface OracleFeatures {
  /** e.g. 19, 21, 23 */
  majorVersion: number;
  /** 30 before 12.2 (or with COMPATIBLE below 12.2), otherwise 128. */
  maxIdentifierLength: number;
  /** 4000, or 32767 where MAX_STRING_SIZE = EXTENDED. */
  maxStringBytes: number;
  /** The native JSON type (21c and later). */
  jsonType: boolean;
  /** The SQL BOOLEAN type (23ai). */
  booleanType: boolean;
}

export function featuresFor(
  majorVersion: number,
  maxIdentifierLength: number,
  extendedStrings: boolean,
): OracleFeatures {
  return {
    majorVersion,
    maxIdentifierLength,
    maxStringBytes: extendedStrings ? 32767 : 4000,
    jsonType: majorVersion >= 21,
    booleanType: majorVersion >= 23,
  };
}

/** The three server generations the statements are verified against. */
export const ORACLE_19C = featuresFor(19, 128, false);
export const ORACLE_21C = featuresFor(21, 128, false);
export const ORACLE_23AI = featuresFor(23, 128, true);
