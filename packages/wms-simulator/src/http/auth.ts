/**
 * HTTP Basic users and OAuth2 bearer tokens, checked the way lgfapi does. Tokens come from the
 * client-credentials grant, or under `ropc-only` from the password (ROPC) grant alone.
 */
import { randomBytes } from 'node:crypto';
import { ApiError, apiError } from '../errors.js';

export type AuthKind = 'basic' | 'bearer' | 'none';

export interface AuthSettings {
  username: string;
  password: string;
  readOnlyUsers: Record<string, string>;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  /** `ropc-only`: only grant_type=password (the WMS user's username/password plus the client) issues tokens. */
  ropcOnly: boolean;
}

export interface Authenticated {
  kind: AuthKind;
  token?: string;
}

function decodeBasic(header: string): [string, string] | undefined {
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : [text.slice(0, colon), text.slice(colon + 1)];
}

function unauthorized(message: string, challenge: string): ApiError {
  return new ApiError(401, 'NOT_AUTHENTICATED', message, null, { 'WWW-Authenticate': challenge });
}

export class Gatekeeper {
  private readonly tokens = new Map<string, number>();
  private lastGood: string | undefined;

  constructor(private readonly settings: AuthSettings) {}

  /** Throws 401/403 as ApiError; returns how the caller authenticated. */
  check(header: string | undefined): Authenticated {
    if (header === undefined || header === '') {
      throw unauthorized('Authentication credentials were not provided.', 'Basic realm="api"');
    }
    if (header === this.lastGood) return { kind: 'basic' };
    const scheme = header.slice(0, 7).toLowerCase();
    if (scheme.startsWith('basic ')) {
      const pair = decodeBasic(header);
      if (pair !== undefined && pair[0] === this.settings.username && pair[1] === this.settings.password) {
        this.lastGood = header;
        return { kind: 'basic' };
      }
      if (pair !== undefined && this.settings.readOnlyUsers[pair[0]] === pair[1]) {
        throw apiError(403, 'You do not have permission to perform this action (lgfapi_read_access).');
      }
      throw unauthorized('Invalid username/password.', 'Basic realm="api"');
    }
    if (scheme === 'bearer ') {
      const token = header.slice(7).trim();
      const expires = this.tokens.get(token);
      if (expires === undefined || Date.now() >= expires) {
        this.tokens.delete(token);
        throw unauthorized('Invalid or expired token.', 'Bearer error="invalid_token"');
      }
      return { kind: 'bearer', token };
    }
    throw unauthorized('Unsupported authorization scheme.', 'Basic realm="api"');
  }

  /** The token endpoint: the JSON answer of the grant, or an OAuth-style error. */
  issue(
    header: string | undefined,
    form: URLSearchParams,
  ): { status: number; body: Record<string, unknown> } {
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (header?.toLowerCase().startsWith('basic ')) {
      const pair = decodeBasic(header);
      if (pair !== undefined) [id, secret] = pair;
    }
    if (id !== this.settings.clientId || secret !== this.settings.clientSecret) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed.' },
      };
    }
    const grant = this.settings.ropcOnly ? 'password' : 'client_credentials';
    if (form.get('grant_type') !== grant) {
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: `Use ${grant}.` },
      };
    }
    if (
      this.settings.ropcOnly &&
      (form.get('username') !== this.settings.username || form.get('password') !== this.settings.password)
    ) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Invalid user name or password.' },
      };
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + this.settings.tokenTtlSeconds * 1000);
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.settings.tokenTtlSeconds },
    };
  }

  expire(token?: string): void {
    if (token === undefined) this.tokens.clear();
    else this.tokens.delete(token);
  }
}
