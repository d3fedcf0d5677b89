/** An API answer other than success: rendered as the real error body `{reference, code, message, details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'NOT_AUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  429: 'TOO_MANY_REQUESTS',
  500: 'SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export function apiError(status: number, message: string, details: unknown = null): ApiError {
  return new ApiError(status, CODES[status] ?? 'ERROR', message, details);
}
