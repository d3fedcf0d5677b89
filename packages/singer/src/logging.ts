import { type DestinationStream, type Level, type Logger, pino, destination as pinoDestination } from 'pino';

export type { Logger } from 'pino';

const REDACTED = '[REDACTED]';

/** Keys whose values are never logged, wherever they appear (two levels deep). */
const SECRET_KEYS = [
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'oauth_client_secret',
  'wallet_password',
  'authorization',
  'Authorization',
  'apiKey',
  'api_key',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...SECRET_KEYS.map((key) => `*.*.${key}`),
  'headers.authorization',
  'config.headers.Authorization',
];

/**
 * A string value under a secret-looking key, at any depth of a JSON line (pino's `redact`
 * paths stop at a fixed depth; an axios error nests its headers four levels down).
 */
const SECRET_FIELD =
  /("[\w-]*(?:password|passwd|secret|token|authorization|api[_-]?key|cookie)[\w-]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** Credentials of an HTTP Authorization value quoted in free text, e.g. in an error message. */
const AUTH_CREDENTIALS = /\b(Basic|Bearer)\s+[A-Za-z0-9+/._~-]{8,}=*/g;

/** Redacts secret-looking fields and Authorization credentials from one line of text. */
export function redactSecretFields(text: string): string {
  return text.replace(SECRET_FIELD, `$1"${REDACTED}"`).replace(AUTH_CREDENTIALS, `$1 ${REDACTED}`);
}

/**
 * Secret values known at run time (a password from config, a Basic header, a bearer token).
 * Any log line containing one has it replaced before the line reaches stderr, so a secret
 * quoted inside an error message from a library is caught too.
 */
export class SecretRegistry {
  private readonly secrets = new Set<string>();

  /** A secret string, or every string inside a secret object or list (e.g. stream_map_config). */
  add(value: unknown): void {
    if (typeof value === 'string') {
      if (value.length >= 4) this.secrets.add(value);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) this.add(item);
    }
  }

  scrub(text: string): string {
    let result = redactSecretFields(text);
    if (this.secrets.size === 0) return result;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && result.includes(escaped)) result = result.split(escaped).join(REDACTED);
    }
    return result;
  }
}

export interface LoggerOptions {
  name: string;
  level?: string;
  secrets?: SecretRegistry;
  /** Where lines go; stderr (fd 2) unless a test captures them. */
  destination?: { write(line: string): unknown };
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function resolveLogLevel(setting: unknown): Level | 'silent' {
  const candidate = (typeof setting === 'string' ? setting : (process.env.LOG_LEVEL ?? 'info')).toLowerCase();
  return (LEVELS.has(candidate) ? candidate : 'info') as Level | 'silent';
}

/** pino on stderr only: stdout belongs to the Singer channel. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? new SecretRegistry();
  const sink = options.destination ?? pinoDestination({ fd: 2, sync: true });
  const destination: DestinationStream = {
    write(line: string): void {
      sink.write(secrets.scrub(line));
    },
  };
  return pino(
    {
      name: options.name,
      level: resolveLogLevel(options.level),
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { pid: process.pid },
    },
    destination,
  );
}
