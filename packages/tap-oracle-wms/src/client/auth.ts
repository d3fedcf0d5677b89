import { type Logger, type SecretRegistry, SingerError } from '@wms-singer/singer';
import type { AxiosInstance } from 'axios';
import { displayUrl, proxyRefusal, tlsFailure } from './http.js';
import {
  backoffMs,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
  sleep,
  transportFailure,
} from './retry.js';

/** Produces the Authorization header of a WMS request. */
export interface Authenticator {
  readonly kind: 'basic' | 'bearer';
  header(signal?: AbortSignal): Promise<string>;
  /** The header was refused (401): forget it so the next call gets a fresh one. */
  invalidate(header: string): void;
  /** What to check when the WMS answers 401. */
  readonly credentialHint: string;
}

export class BasicAuthenticator implements Authenticator {
  readonly kind = 'basic';
  readonly credentialHint = 'check username/password';
  private readonly value: string;

  constructor(username: string, password: string, secrets: SecretRegistry) {
    const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    this.value = `Basic ${encoded}`;
    secrets.add(encoded);
    secrets.add(this.value);
  }

  header(): Promise<string> {
    return Promise.resolve(this.value);
  }

  invalidate(): void {}
}

export interface OAuth2Options {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  retry: RetryPolicy;
  /** Called before each retry of the token request (the run summary counts them). */
  onRetry?: () => void;
  /**
   * `password` (ROPC, the grant Oracle documents for lgfapi: the WMS user's identity-domain
   * username/password with the client) or `client_credentials` (the client alone).
   */
  grant?: { type: 'password'; username: string; password: string } | { type: 'client_credentials' };
}

interface CachedToken {
  header: string;
  /** Epoch ms after which the token is renewed rather than used. */
  renewAt: number;
}

/**
 * Bearer tokens from the password (ROPC) or client-credentials grant. A token is renewed ahead of its expiry (10% of its life,
 * at most a minute early) and once when the WMS answers 401 to it; concurrent streams share
 * one token request.
 */
export class OAuth2Authenticator implements Authenticator {
  readonly kind = 'bearer';
  readonly credentialHint = 'check the OAuth2 client and its grant on the lgfapi scope';
  private token: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;

  constructor(
    private readonly http: AxiosInstance,
    private readonly options: OAuth2Options,
    private readonly secrets: SecretRegistry,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    secrets.add(Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64'));
    if (options.grant?.type === 'password') {
      secrets.add(options.grant.password);
      secrets.add(encodeURIComponent(options.grant.password));
    }
  }

  private grantForm(): string {
    const { scope, grant } = this.options;
    if (grant?.type === 'password') {
      return new URLSearchParams({
        grant_type: 'password',
        username: grant.username,
        password: grant.password,
        scope,
      }).toString();
    }
    return new URLSearchParams({ grant_type: 'client_credentials', scope }).toString();
  }

  async header(signal?: AbortSignal): Promise<string> {
    const token = this.token;
    if (token !== undefined && this.clock() < token.renewAt) return token.header;
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = undefined;
    });
    this.token = await this.pending;
    return this.token.header;
  }

  invalidate(header: string): void {
    if (this.token?.header === header) this.token = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, retry } = this.options;
    const body = this.grantForm();
    const where = displayUrl(tokenUrl);
    for (let attempt = 0; ; attempt++) {
      let status: number;
      let text: string;
      let retryAfter: unknown;
      try {
        const response = await this.http.post<string>(tokenUrl, body, {
          auth: { username: clientId, password: clientSecret },
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          signal,
        });
        status = response.status;
        text = typeof response.data === 'string' ? response.data : '';
        retryAfter = response.headers['retry-after'];
      } catch (error) {
        const tls = tlsFailure(error, tokenUrl);
        if (tls !== undefined) throw new SingerError('TLS_FAILED', `OAuth2 token request: ${tls}`);
        const failure = transportFailure(error);
        if (failure === undefined || attempt >= retry.maxRetries) {
          throw new SingerError(
            'OAUTH_UNREACHABLE',
            `cannot get an OAuth2 token from ${where} (${failure ?? (error as Error).message})`,
          );
        }
        await this.wait(backoffMs(retry, attempt), `token request ${failure}`, signal);
        continue;
      }
      if (status === 200) return this.readToken(text, where);
      if (isRetryableStatus(status) && attempt < retry.maxRetries) {
        await this.wait(
          retryAfterMs(retryAfter) ?? backoffMs(retry, attempt),
          `token request HTTP ${status}`,
          signal,
        );
        continue;
      }
      if (status === 407)
        throw new SingerError('PROXY_REFUSED', `OAuth2 token request: ${proxyRefusal(tokenUrl)}`);
      if (status === 400 || status === 401 || status === 403) {
        const code = oauthErrorCode(text);
        const password = this.options.grant?.type === 'password';
        const hint =
          code === 'unsupported_grant_type' || code === 'unauthorized_client'
            ? `the identity domain app does not allow the ${password ? 'password (Resource Owner)' : 'client credentials'} grant: enable it on the app, or set oauth_grant_type to ${password ? 'client_credentials' : 'password'}`
            : password
              ? 'check username/password, oauth_client_id/oauth_client_secret and oauth_scope'
              : 'check oauth_client_id/oauth_client_secret/oauth_scope';
        throw new SingerError(
          'OAUTH_REJECTED',
          `the identity domain rejected the OAuth2 ${password ? 'password grant' : 'client credentials'} (HTTP ${status}${code ? ` ${code}` : ''}) at ${where} — ${hint}`,
        );
      }
      throw new SingerError('OAUTH_FAILED', `the OAuth2 token request failed (HTTP ${status}) at ${where}`);
    }
  }

  private readToken(text: string, where: string): CachedToken {
    let payload: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      throw new SingerError('OAUTH_FAILED', `the OAuth2 token response from ${where} is not JSON`);
    }
    if (typeof payload.access_token !== 'string' || payload.access_token === '') {
      throw new SingerError('OAUTH_FAILED', `the OAuth2 token response from ${where} has no access_token`);
    }
    this.secrets.add(payload.access_token);
    const lifeSeconds =
      typeof payload.expires_in === 'number' && payload.expires_in > 0 ? payload.expires_in : 3600;
    const early = Math.min(60, lifeSeconds * 0.1);
    const header = `Bearer ${payload.access_token}`;
    this.secrets.add(header);
    this.logger.debug({ expires_in: lifeSeconds }, 'obtained an OAuth2 token');
    return { header, renewAt: this.clock() + (lifeSeconds - early) * 1000 };
  }

  private async wait(ms: number, reason: string, signal?: AbortSignal): Promise<void> {
    this.logger.warn({ delay_ms: ms }, `${reason}: retrying`);
    this.options.onRetry?.();
    await sleep(ms, signal);
  }
}

/** The `error` of an OAuth2 error body (`unsupported_grant_type`, `invalid_grant`, ...). */
function oauthErrorCode(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}
