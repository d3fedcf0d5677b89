import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { ConfigError } from '@wms-singer/singer';
import axios, { type AxiosInstance } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

export interface HttpOptions {
  timeoutSeconds: number;
  /** Sockets kept per host: one per concurrent stream, plus room for a prefetch and the token call. */
  maxSockets: number;
  userAgent: string;
  /** Certificates trusted besides the default store (PEM text); verification is on unless `verify` is false. */
  tls?: { extraCa?: string; verify: boolean };
  /** A proxy for every request (the `proxy_url` setting); otherwise HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply. */
  proxyUrl?: string;
}

interface AgentPair {
  http: http.Agent;
  https: https.Agent;
}

const pools = new WeakMap<AxiosInstance, Map<string, AgentPair>>();

/**
 * One axios instance for the whole run: keep-alive sockets (a page every few hundred ms must
 * not pay a TLS handshake each), gzip, bodies as text (parsed once by the caller, so a truncated
 * body is a retryable failure rather than a string that slips through), every status returned
 * to the caller, and no redirects (a redirect would carry the Authorization header somewhere the
 * settings never named).
 *
 * Proxies: axios's own proxy handling is switched off; each request instead gets agents chosen
 * for its URL, direct or through the proxy (`proxy_url`, else the HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * variables read by proxy-from-env). An HTTPS URL goes through an HTTP CONNECT tunnel
 * (https-proxy-agent) with TLS to the WMS itself, verified as a direct connection would be; the
 * tunnel's sockets are kept alive like direct ones. The API and the OAuth2 token endpoint share
 * this instance, so both follow the same rules.
 */
export function createHttp(options: HttpOptions): AxiosInstance {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
  const tlsOptions = tlsConnectOptions(options.tls);
  const pool = new Map<string, AgentPair>();
  const agentsFor = (proxy: string): AgentPair => {
    let pair = pool.get(proxy);
    if (pair === undefined) {
      pair =
        proxy === ''
          ? { http: new http.Agent(agentOptions), https: new https.Agent({ ...agentOptions, ...tlsOptions }) }
          : {
              http: new HttpProxyAgent(proxy, agentOptions),
              https: new TunnelAgent(proxy, agentOptions, tlsOptions),
            };
      pool.set(proxy, pair);
    }
    return pair;
  };
  const direct = agentsFor('');
  const instance = axios.create({
    httpAgent: direct.http,
    httpsAgent: direct.https,
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
  instance.interceptors.request.use((config) => {
    const url = config.url ?? '';
    const proxy = options.proxyUrl ?? getProxyForUrl(url);
    const pair = agentsFor(proxy);
    config.httpAgent = pair.http;
    config.httpsAgent = pair.https;
    return config;
  });
  pools.set(instance, pool);
  return instance;
}

/**
 * https-proxy-agent makes the TLS connection to the WMS from each request's options, which
 * axios does not fill with ours: the trusted CAs and the verification switch are added here,
 * so a tunnelled connection is verified exactly as a direct one.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    agentOptions: http.AgentOptions,
    private readonly tlsOptions: tls.ConnectionOptions,
  ) {
    super(proxy, agentOptions);
  }

  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(req, { ...opts, ...this.tlsOptions });
  }
}

/** Closes every socket the instance's agents keep (direct and through proxies). */
export function closeHttp(instance: AxiosInstance): void {
  for (const pair of pools.get(instance)?.values() ?? []) {
    pair.http.destroy();
    pair.https.destroy();
  }
}

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'].flatMap((name) => [
  name,
  name.toUpperCase(),
]);

/** Proxy URLs the environment names (their credentials are secrets too). */
export function environmentProxies(env: NodeJS.ProcessEnv = process.env): string[] {
  return PROXY_VARIABLES.map((name) => env[name]).filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
}

/**
 * The secret parts of a proxy URL: the URL itself, its password (as written and decoded) and
 * the Basic credentials a proxy agent sends in Proxy-Authorization.
 */
export function proxySecrets(proxyUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(proxyUrl.includes('://') ? proxyUrl : `http://${proxyUrl}`);
  } catch {
    return [proxyUrl];
  }
  if (url.password === '' && url.username === '') return [];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return [
    proxyUrl,
    url.password,
    password,
    `${url.username}:${url.password}`,
    Buffer.from(`${user}:${password}`).toString('base64'),
  ].filter((value) => value !== '');
}

/** The trusted certificates and the verification switch for every TLS connection. */
function tlsConnectOptions(options: HttpOptions['tls']): tls.ConnectionOptions {
  if (options === undefined) return {};
  if (!options.verify) return { rejectUnauthorized: false };
  if (options.extraCa === undefined) return { rejectUnauthorized: true };
  // Setting `ca` replaces Node's store, so the defaults (and NODE_EXTRA_CA_CERTS) go in first.
  const getCa = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  const defaults = typeof getCa === 'function' ? getCa('default') : [...tls.rootCertificates];
  return { rejectUnauthorized: true, ca: [...defaults, options.extraCa] };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The `ca_bundle` setting as PEM text: inline PEM, or the path of a PEM file. Every certificate
 * in it must parse; one line naming the setting otherwise.
 */
export function readCaBundle(value: string): string {
  let text = value;
  if (!value.includes('-----BEGIN')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError('CONFIG_INVALID', `setting "ca_bundle": cannot read ${value} (${code})`);
    }
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new ConfigError('CONFIG_INVALID', 'setting "ca_bundle" holds no PEM certificate');
  }
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw new ConfigError(
        'CONFIG_INVALID',
        `setting "ca_bundle": certificate ${index + 1} is not a valid PEM certificate (${(error as Error).message})`,
      );
    }
  });
  return certificates.join('\n');
}

/** Certificate errors Node reports as `code`: the connection is not to be trusted. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * One line for a TLS verification failure (never retried: it will not get better), naming the
 * host and the reason; undefined for any other error.
 */
export function tlsFailure(error: unknown, url: string): string | undefined {
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  const code = typeof candidate?.code === 'string' ? candidate.code : undefined;
  if (code === undefined || !CERTIFICATE_CODES.has(code)) {
    const cause = candidate?.cause;
    return cause !== undefined && cause !== error ? tlsFailure(cause, url) : undefined;
  }
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the text as given
  }
  const reason = typeof candidate?.message === 'string' ? candidate.message.replace(/\s+/g, ' ') : code;
  const hint =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'the certificate is not for this host name; check base_url/oauth_token_url'
      : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
        ? 'the server certificate is outside its validity period'
        : 'set ca_bundle to the PEM of the CA that issued it (a TLS-inspecting proxy counts)';
  return `TLS verification of ${host} failed: ${reason} (${code}); ${hint}`;
}

/** HTTP 407 comes from a proxy, never from the WMS: say so, without the proxy's credentials. */
export function proxyRefusal(url: string): string {
  return `the proxy refused to carry the request to ${displayUrl(url)} (HTTP 407 Proxy Authentication Required): check the credentials in proxy_url or HTTPS_PROXY`;
}

/** A URL as it may appear in a message: no query string (cursors and filters are noise there). */
export function displayUrl(url: string): string {
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}
