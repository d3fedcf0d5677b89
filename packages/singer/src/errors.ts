/**
 * Errors are values: a stable code, a one-line human message, and the exit code the CLI
 * harness ends with. Thrown at the edge, reported once by the harness.
 */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
} as const;

export class SingerError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SingerError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.runtime;
  }
}

/** A setting, argument or file the user gave is wrong: exit 2. */
export class ConfigError extends SingerError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { exitCode: ExitCode.usage, cause });
    this.name = 'ConfigError';
  }
}

/** One line of Singer input is wrong: the message names the 1-based line number. */
export class MessageError extends SingerError {
  readonly lineNumber: number;

  constructor(code: string, lineNumber: number, message: string) {
    super(code, `line ${lineNumber}: ${message}`);
    this.name = 'MessageError';
    this.lineNumber = lineNumber;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
