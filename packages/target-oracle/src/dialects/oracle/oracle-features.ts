/** What the connected server can do, read once at `open()`; statement builders choose from it. */
export interface OracleFeatures {
  /** e.g. 19, 21, 23 */
  majorVersion: number;
  /** 30 before 12.2 (or with COMPATIBLE below 12.2), otherwise 128. */
  maxIdentifierLength: number;
  /** 4000, or 32767 where MAX_STRING_SIZE = EXTENDED. */
  maxStringBytes: number;
  /** The COMPATIBLE parameter as a number (19, 21.1, 23...); 0 when it could not be read. */
  compatible: number;
  /** The native JSON type: 21c and later with COMPATIBLE >= 20. */
  jsonType: boolean;
  /** The SQL BOOLEAN type: 23ai with COMPATIBLE >= 23. */
  booleanType: boolean;
}

/**
 * What a server can do. Types follow COMPATIBLE, not the release: a 21c database upgraded from 19c
 * keeps COMPATIBLE 19 (no JSON type) until someone raises it. `compatible` 0 (unknown: V$PARAMETER
 * not readable) takes the conservative choice, the types every release accepts.
 */
export function featuresFor(
  majorVersion: number,
  maxIdentifierLength: number,
  extendedStrings: boolean,
  compatible: number = majorVersion,
): OracleFeatures {
  return {
    majorVersion,
    maxIdentifierLength,
    maxStringBytes: extendedStrings ? 32767 : 4000,
    compatible,
    jsonType: majorVersion >= 21 && compatible >= 20,
    booleanType: majorVersion >= 23 && compatible >= 23,
  };
}

/** `19.0.0` -> 19, `12.2.0.1` -> 12.2; undefined for anything else. */
export function parseCompatible(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? Number(match[1]) + Number(match[2] ?? 0) / 10 : undefined;
}
