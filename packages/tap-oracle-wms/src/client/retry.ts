/** When and how long to wait before trying a request again. */

export interface RetryPolicy {
  maxRetries: number;
  /** First delay in seconds, doubled on each retry. */
  baseSeconds: number;
  /** No computed delay exceeds this (Retry-After may, up to MAX_RETRY_AFTER_SECONDS). */
  capSeconds: number;
}

const MAX_RETRY_AFTER_SECONDS = 600;

/** 409 is a concurrent change on the WMS side: the same read will succeed a moment later. */
export function isRetryableStatus(status: number): boolean {
  return status === 409 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

export type TransportFailure = 'timeout' | 'reset' | 'refused' | 'aborted-body';

const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** Classifies an axios/Node error thrown before a full response arrived; undefined = not transient. */
export function transportFailure(error: unknown): TransportFailure | undefined {
  const candidate = error as { code?: string; message?: string } | undefined;
  const code = candidate?.code;
  const message = candidate?.message ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) return 'timeout';
  if (code !== undefined && RESET_CODES.has(code)) return 'reset';
  if (code === 'ECONNREFUSED') return 'refused';
  if (/socket hang up|aborted|premature|unexpected end/i.test(message)) return 'aborted-body';
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR' || code === 'ERR_BAD_RESPONSE') return 'aborted-body';
  return undefined;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const text = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_SECONDS * 1000);
}

/** Exponential backoff with jitter (half fixed, half random) so parallel streams do not retry in step. */
export function backoffMs(
  policy: RetryPolicy,
  retryNumber: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** retryNumber) * 1000;
  return Math.round(ceiling * (0.5 + random() / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
