import { MessageError } from './errors.js';
import { parseJson } from './exact-numbers.js';

/** The subset of JSON Schema the connectors exchange; open to any other keyword. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  format?: string;
  maxLength?: number;
  anyOf?: JsonSchema[];
  required?: string[];
  description?: string;
  [keyword: string]: unknown;
}

export type JsonObject = Record<string, unknown>;

export interface SchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}

export interface RecordMessage {
  type: 'RECORD';
  stream: string;
  record: JsonObject;
  /** RFC 3339 instant in UTC, e.g. 2026-01-02T03:04:05.123456Z */
  time_extracted?: string;
  version?: number;
}

export interface StateMessage {
  type: 'STATE';
  value: unknown;
}

export interface ActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}

export type Message = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage;
export type MessageType = Message['type'];

/** RFC 3339 date-time; any offset is accepted on input, the writer emits UTC (`Z`). */
export const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** The envelope of one line breaks the protocol; the message names what, the line number where. */
function invalidEnvelope(lineNumber: number, what: string): MessageError {
  return new MessageError('MESSAGE_INVALID', lineNumber, what);
}

function requireStream(envelope: JsonObject, kind: string, lineNumber: number): string {
  const stream = envelope.stream;
  if (typeof stream !== 'string' || stream.length === 0) {
    throw invalidEnvelope(lineNumber, `${kind} message has no "stream" string`);
  }
  return stream;
}

/**
 * Checks a parsed line's envelope and returns it typed. The record itself is not validated
 * here (that is the target's schema validation); only the envelope the protocol defines.
 * `type` is matched case-insensitively, as the Singer spec's reference readers do.
 */
export function toMessage(value: unknown, lineNumber: number): Message {
  if (!isObject(value)) {
    throw invalidEnvelope(lineNumber, 'a Singer message must be a JSON object');
  }
  const rawType = value.type;
  if (typeof rawType !== 'string') {
    throw invalidEnvelope(lineNumber, 'message has no "type" string');
  }
  const type = rawType === 'RECORD' ? rawType : rawType.toUpperCase();
  switch (type) {
    case 'RECORD': {
      const stream = requireStream(value, 'RECORD', lineNumber);
      if (!isObject(value.record)) {
        throw invalidEnvelope(lineNumber, `RECORD for stream "${stream}" has no "record" object`);
      }
      const { time_extracted, version } = value;
      if (
        time_extracted !== undefined &&
        time_extracted !== null &&
        (typeof time_extracted !== 'string' || !RFC3339.test(time_extracted))
      ) {
        throw invalidEnvelope(
          lineNumber,
          `RECORD for stream "${stream}": "time_extracted" must be an RFC 3339 date-time string (got ${JSON.stringify(time_extracted)})`,
        );
      }
      if (version !== undefined && version !== null && !Number.isInteger(version)) {
        throw invalidEnvelope(lineNumber, `RECORD for stream "${stream}": "version" must be an integer`);
      }
      if (rawType !== 'RECORD') value.type = 'RECORD';
      return value as unknown as RecordMessage;
    }
    case 'SCHEMA': {
      const stream = requireStream(value, 'SCHEMA', lineNumber);
      if (!isObject(value.schema)) {
        throw invalidEnvelope(lineNumber, `SCHEMA for stream "${stream}" has no "schema" object`);
      }
      const keys = value.key_properties ?? [];
      if (!isStringArray(keys)) {
        throw invalidEnvelope(
          lineNumber,
          `SCHEMA for stream "${stream}": "key_properties" must be an array of strings`,
        );
      }
      const bookmarks = value.bookmark_properties;
      if (bookmarks !== undefined && bookmarks !== null && !isStringArray(bookmarks)) {
        throw invalidEnvelope(
          lineNumber,
          `SCHEMA for stream "${stream}": "bookmark_properties" must be an array of strings`,
        );
      }
      const message: SchemaMessage = {
        type: 'SCHEMA',
        stream,
        schema: value.schema as JsonSchema,
        key_properties: keys,
      };
      if (isStringArray(bookmarks)) message.bookmark_properties = bookmarks;
      return message;
    }
    case 'STATE': {
      if (!('value' in value)) {
        throw invalidEnvelope(lineNumber, 'STATE message has no "value"');
      }
      return { type: 'STATE', value: value.value };
    }
    case 'ACTIVATE_VERSION': {
      const stream = requireStream(value, 'ACTIVATE_VERSION', lineNumber);
      if (!Number.isInteger(value.version)) {
        throw invalidEnvelope(
          lineNumber,
          `ACTIVATE_VERSION for stream "${stream}": "version" must be an integer`,
        );
      }
      return { type: 'ACTIVATE_VERSION', stream, version: value.version as number };
    }
    default:
      throw new MessageError('MESSAGE_UNKNOWN_TYPE', lineNumber, `unknown message type "${rawType}"`);
  }
}

/** Parses one line of text into a message; JSON errors name the line. */
export function parseMessage(line: string, lineNumber: number): Message {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MessageError('MESSAGE_NOT_JSON', lineNumber, `not valid JSON (${reason})`);
  }
  return toMessage(value, lineNumber);
}

/** RFC 3339 UTC instant for `time_extracted`, from a millisecond clock. */
export function utcNow(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
