import type { Logger, Metrics, SecretRegistry } from '@wms-singer/singer';
import type { TapConfig } from '../settings.js';
import { type Authenticator, BasicAuthenticator, OAuth2Authenticator } from './auth.js';
import { RequestBudget } from './budget.js';
import { createHttp } from './http.js';
import type { RetryPolicy } from './retry.js';
import { WmsClient } from './wms-client.js';

export interface OpenedClient {
  client: WmsClient;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/**
 * The WMS client for a validated tap config: one keep-alive HTTP instance, the configured
 * authentication and retry policy. The tap and wms-quality (the WMS's own row counts) share it.
 */
export function openWmsClient(
  config: TapConfig,
  context: {
    logger: Logger;
    metrics: Metrics;
    secrets: SecretRegistry;
    signal?: AbortSignal;
    userAgent: string;
  },
): OpenedClient {
  const { logger, metrics, secrets } = context;
  // One request budget for the whole run: every stream and every window of it draws from it.
  const budget = new RequestBudget(config.max_concurrent_streams * config.parallel_windows);
  const http = createHttp({
    timeoutSeconds: config.request_timeout_seconds,
    maxSockets: budget.size + 1,
    userAgent: context.userAgent,
  });
  const retry: RetryPolicy = {
    maxRetries: config.max_retries,
    baseSeconds: config.retry_backoff_seconds,
    capSeconds: 60,
  };
  const auth: Authenticator =
    config.auth_method === 'oauth2'
      ? new OAuth2Authenticator(
          http,
          {
            tokenUrl: config.oauth_token_url!,
            clientId: config.oauth_client_id!,
            clientSecret: config.oauth_client_secret!,
            scope: config.oauth_scope,
            retry,
          },
          secrets,
          logger,
        )
      : new BasicAuthenticator(config.username!, config.password!, secrets);
  const client = new WmsClient(http, auth, retry, logger, metrics, context.signal, budget);
  return {
    client,
    close: () => {
      http.defaults.httpAgent?.destroy?.();
      http.defaults.httpsAgent?.destroy?.();
    },
  };
}
