/**
 * How the engine's lower-case names become Oracle identifiers.
 *
 * Every name is stored upper case, so `lower(stored name)` gives the engine's name back. A name is
 * written unquoted when Oracle would read it unchanged (letter first, `[A-Z0-9_$#]`, not a reserved
 * word or a keyword with its own meaning); otherwise it is quoted, still upper case
 * (`"_SDC_DELETED_AT"`, `"ORDER"`). Names past the limit are cut and given a hash suffix, so the
 * same long name always becomes the same short one.
 */
import { shortenName } from '../../schema/names.js';

/**
 * Oracle's reserved words (V$RESERVED_WORDS with RESERVED = 'Y', and the SQL Language Reference
 * list), plus keywords that are legal as names but read badly or confuse parsers unquoted.
 */
const RESERVED = new Set(
  `ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COLUMN_VALUE COMMENT
  COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE EXCLUSIVE EXISTS
  FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER
  INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS MLSLABEL MODE MODIFY NESTED_TABLE_ID NOAUDIT
  NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME
  RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM
  SYSDATE TABLE THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW
  WHENEVER WHERE WITH
  BEGIN BOOLEAN CASE CLOB BLOB CONSTRAINT CROSS CURRENT_DATE CURRENT_TIMESTAMP CURSOR DECLARE END EXCEPT
  FETCH FULL INNER INTERVAL JOIN JSON KEY LEFT LIMIT LOCALTIMESTAMP MERGE NATURAL OFFSET OUTER PARTITION
  PRIMARY REFERENCES RIGHT ROW_NUMBER SYSTIMESTAMP TIMESTAMP TRUNCATE USING WHEN ZONE`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);

const PLAIN = /^[A-Z][A-Z0-9_$#]*$/;

/**
 * The stored (upper-case) name within `maxBytes`. A longer name is shortened by the engine's one
 * rule (schema/names.ts: its start, `_` and 8 hex digits of a hash of the whole name), so a derived
 * name (constraint, index, staging table) is shortened exactly like a table or column name.
 */
export function storedName(name: string, maxBytes: number): string {
  // Quoted identifiers may not contain a double quote or NUL; the engine never sends them.
  const clean = name.replace(/["\0]/g, '_');
  if (Buffer.byteLength(clean) <= maxBytes) return clean.toUpperCase();
  let short = shortenName(clean.toLowerCase(), maxBytes);
  // The engine's names are ASCII; a schema name given by a user may not be.
  while (Buffer.byteLength(short) > maxBytes) short = short.slice(0, short.length - 10) + short.slice(-9);
  return short.toUpperCase();
}

/** The identifier as written in SQL: unquoted when safe, quoted otherwise. */
export function quoteStored(stored: string): string {
  return PLAIN.test(stored) && !RESERVED.has(stored) ? stored : `"${stored}"`;
}

export function identifier(name: string, maxBytes: number): string {
  return quoteStored(storedName(name, maxBytes));
}

/** A derived object name (constraint, index, staging table) built from parts, within the limit. */
export function derivedName(parts: string[], maxBytes: number): string {
  return storedName(parts.join('_'), maxBytes);
}

/** `SCHEMA.TABLE`, each part rendered; without a schema the session's current schema is used. */
export function qualifiedName(schema: string | undefined, name: string, maxBytes: number): string {
  const table = identifier(name, maxBytes);
  return schema ? `${identifier(schema, maxBytes)}.${table}` : table;
}

/** A string literal for SQL text (only for names and constant formats, never for data). */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
