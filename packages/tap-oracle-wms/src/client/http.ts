import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface HttpOptions {
  timeoutSeconds: number;
  /** Sockets kept per host: one per concurrent stream, plus room for a prefetch and the token call. */
  maxSockets: number;
  userAgent: string;
}

/**
 * One axios instance for the whole run: keep-alive sockets (a page every few hundred ms must
 * not pay a TLS handshake each), gzip, bodies as text (parsed once by the caller, so a truncated
 * body is a retryable failure rather than a string that slips through), every status returned
 * to the caller, no proxy from the environment and no redirects (a redirect would carry the
 * Authorization header somewhere the settings never named).
 */
export function createHttp(options: HttpOptions): AxiosInstance {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
  return axios.create({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    timeout: Math.round(options.timeoutSeconds * 1000),
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    decompress: true,
    maxRedirects: 0,
    proxy: false,
    maxContentLength: Number.POSITIVE_INFINITY,
    maxBodyLength: Number.POSITIVE_INFINITY,
    headers: {
      Accept: 'application/json',
      'Accept-Encoding': 'gzip, deflate',
      'User-Agent': options.userAgent,
    },
  });
}

/** A URL as it may appear in a message: no query string (cursors and filters are noise there). */
export function displayUrl(url: string): string {
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}
