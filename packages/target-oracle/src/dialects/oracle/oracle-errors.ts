/**
 * Oracle and node-oracledb errors sorted into the two kinds the dialect acts on: transient ones
 * (the connection or the server went away; a new connection and a replay of the batch fix them)
 * and permanent ones, reported once in one line naming the ORA code, the table and the column.
 */
import { SingerError } from '@wms-singer/singer';
import { TRANSPORT_EXPLANATIONS, transportReason } from './oracle-transport.js';

interface DriverError {
  code?: unknown;
  errorNum?: unknown;
  isRecoverable?: unknown;
  message?: unknown;
}

/** `ORA-12899`, `NJS-500`... from the error's code, or the start of its message. */
export function oracleErrorCode(error: unknown): string | undefined {
  const e = error as DriverError | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string' && /^(ORA|NJS|DPI|TNS)-\d+$/.test(e.code)) return e.code;
  if (typeof e.errorNum === 'number' && e.errorNum > 0) return `ORA-${String(e.errorNum).padStart(5, '0')}`;
  const match = typeof e.message === 'string' ? /\b(ORA|NJS|DPI|TNS)-\d{3,5}\b/.exec(e.message) : null;
  return match ? match[0] : undefined;
}

/**
 * Connection lost, listener or service unavailable, sessions exhausted, session killed, deadlock,
 * a lost session's locks still held: nothing of the batch was committed, and a new connection
 * (after a backoff) may succeed.
 */
const TRANSIENT = new Set([
  'NJS-500', // connection to the database was closed or broken
  'NJS-501', // connection to the database was broken (protocol)
  'NJS-503', // connection to host could not be established
  'NJS-510', // connect timeout
  'NJS-511', // connection refused by the listener
  'NJS-521', // connection to host could not be established (network)
  'NJS-040', // pool queue timeout: every session busy
  'NJS-123', // call timeout (callTimeout): a call waited too long, e.g. on a lost session's locks
  'ORA-00018', // maximum number of sessions exceeded
  'ORA-00020', // maximum number of processes exceeded
  'ORA-00028', // session killed
  'ORA-00054', // resource busy: a lost session still holds the table's lock (DDL does not wait)
  'ORA-00060', // deadlock: the statement was rolled back
  'ORA-01033', // initialisation or shutdown in progress
  'ORA-01034', // not available
  'ORA-01089', // immediate shutdown
  'ORA-03113', // end-of-file on communication channel
  'ORA-03114', // not connected
  'ORA-03135', // connection lost contact
  'ORA-12170', // connect timeout
  'ORA-12514', // listener does not know the service (yet)
  'ORA-12516', // listener: no handler available (sessions exhausted; common on Autonomous Database)
  'ORA-12519', // listener: no appropriate service handler (sessions exhausted)
  'ORA-12520', // listener: no handler for the server type (sessions exhausted)
  'ORA-12528', // listener: all instances blocking new connections
  'ORA-12537', // connection closed
  'ORA-12541', // no listener
  'ORA-12547', // lost contact
  'ORA-25408', // cannot safely replay call
]);

export function isTransient(error: unknown): boolean {
  const e = error as DriverError | null;
  if (e !== null && typeof e === 'object' && e.isRecoverable === true) return true;
  const code = oracleErrorCode(error);
  return code !== undefined && TRANSIENT.has(code);
}

/** Plain explanations of the permanent errors a loader meets. */
const EXPLANATIONS: Record<string, string> = {
  'ORA-00001': 'a row with this key already exists (unique constraint)',
  'ORA-00904': 'a column named in the statement does not exist',
  'ORA-00942': 'the table does not exist or the user cannot see it',
  'ORA-00955': 'an object with this name already exists',
  'ORA-01017': 'user name or password rejected',
  'ORA-01031': 'the user lacks a privilege this needs (CREATE TABLE, INSERT, ...)',
  'ORA-01400': 'a NULL was sent for a NOT NULL column (a key property missing?)',
  'ORA-00054': 'the table is locked by another session (perhaps one whose connection was lost)',
  'ORA-01426': 'a number is beyond what NUMBER holds (1E126)',
  'ORA-01438': 'a number has more digits than the column allows',
  'ORA-01450': 'an index key is longer than the block allows',
  'ORA-01841': 'a date has year 0000 or a year out of range',
  'ORA-01852': 'a time has seconds past 59 (a leap second)',
  'ORA-01874': 'a time zone offset is beyond 15 hours',
  'ORA-01875': 'a time zone offset has minutes past 59',
  'ORA-02329': 'a TIMESTAMP WITH TIME ZONE or LOB column cannot be in a key',
  'ORA-40478': 'a JSON function result is longer than 4000 bytes',
  'ORA-01536': 'the schema has exhausted its tablespace quota',
  'ORA-01653': 'the tablespace is full',
  'ORA-01722': 'a value is not a valid number',
  'ORA-01830': 'a date-time value does not match its format',
  'ORA-01843': 'a date has an invalid month',
  'ORA-01847': 'a date has an invalid day of the month',
  'ORA-01861': 'a date-time value does not match its format',
  'ORA-01950': 'the user has no quota on the tablespace',
  'ORA-02291': 'a foreign key has no parent row',
  'ORA-12838': 'a direct-path loaded table was read before commit',
  'ORA-12899': 'a value is longer than the column allows',
  'ORA-14450': 'a temporary staging table is in use by another session',
  'ORA-22858': 'this column type cannot be changed in place',
  'ORA-30926': 'the merge source had two rows for one key',
  'ORA-38104': 'the merge tried to update a key column',
  'ORA-40441': 'a value is not valid JSON',
  'NJS-176': 'a direct path load chunk exceeded the 1 GiB message limit',
  'NJS-503': 'the database host could not be reached (check host, port, firewall)',
  'NJS-511': 'the listener refused the connection (check the service name)',
  'ORA-12514': 'the listener does not know this service name',
  'ORA-12541': 'no listener at this host and port',
  'ORA-28000': 'the account is locked',
  'ORA-28001': 'the password has expired',
  ...TRANSPORT_EXPLANATIONS,
};

/** `"SCHEMA"."TABLE"."COLUMN"` in Oracle's message (ORA-12899, ORA-01400...). */
const QUALIFIED_COLUMN = /"([^"]+)"\."([^"]+)"\."([^"]+)"/;

export interface ErrorContext {
  /** What was being done, e.g. `writing a batch (upsert)`. */
  operation: string;
  /** The target table as the user knows it; absent for connection-level work. */
  table?: string;
  /** The column, when the dialect knows it better than Oracle's message. */
  column?: string;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').trim();
}

/** One line: `<operation> on table T (column C) failed: ORA-12899 <explanation>: <Oracle's text>`. */
export function describeOracleError(error: unknown, context: ErrorContext): SingerError {
  const code = oracleErrorCode(error) ?? 'ORACLE_ERROR';
  const text = firstLine(error);
  const column = context.column ?? QUALIFIED_COLUMN.exec(text)?.[3];
  const where = context.table ? ` on table ${context.table}${column ? `, column ${column}` : ''}` : '';
  const explanation = EXPLANATIONS[code];
  const detail =
    (text.startsWith(code) ? text.slice(code.length).replace(/^:\s*/, '') : text) +
    transportReason(code, error instanceof Error ? error.message : '');
  const message = `${context.operation} failed${where}: ${code}${explanation ? ` ${explanation}` : ''} (${detail})`;
  return new SingerError(`ORACLE_${code.replace('-', '_')}`, message, { cause: error });
}

/**
 * Errors about one row's value (data and conversion errors): a batch refused with one of them
 * is written again in halves by the engine to find the row (Dialect.valueError).
 */
const VALUE_ERRORS = new Set([
  'ORA-01400', // NULL into a NOT NULL column
  'ORA-01426', // numeric overflow
  'ORA-01438', // more digits than the column's precision
  'ORA-01722', // invalid number
  'ORA-01830', // date format picture ends before converting the entire input
  'ORA-01841', // year 0 or out of range
  'ORA-01843', // invalid month
  'ORA-01847', // invalid day of the month
  'ORA-01850', // hour out of range
  'ORA-01851', // minutes out of range
  'ORA-01852', // seconds out of range (a leap second)
  'ORA-01861', // literal does not match the format
  'ORA-01874', // time zone hour out of range
  'ORA-01875', // time zone minute out of range
  'ORA-12899', // value too large for the column
  'ORA-40441', // invalid JSON
]);

/** The value error a write failed with (the driver's error, or the SingerError wrapping it), and its column. */
export function oracleValueError(error: unknown): { column?: string } | undefined {
  const cause = error instanceof SingerError && error.cause !== undefined ? error.cause : error;
  const code = oracleErrorCode(cause);
  if (code === undefined || !VALUE_ERRORS.has(code)) return undefined;
  const column = QUALIFIED_COLUMN.exec(firstLine(cause))?.[3];
  return column === undefined ? {} : { column };
}
