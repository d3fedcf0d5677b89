import type { Logger, Metrics, SecretRegistry } from '@wms-singer/singer';
import type { TapConfig } from '../settings.js';
import { type Authenticator, BasicAuthenticator, OAuth2Authenticator } from './auth.js';
import { RequestBudget } from './budget.js';
import { closeHttp, createHttp, environmentProxies, proxySecrets, readCaBundle } from './http.js';
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
  for (const proxy of [config.proxy_url ?? '', ...environmentProxies()])
    for (const secret of proxySecrets(proxy)) secrets.add(secret);
  if (config.tls_verify === false) {
    logger.warn(
      'TLS CERTIFICATE VERIFICATION IS OFF (tls_verify: false): anyone on the path can read and alter this traffic, credentials included; set ca_bundle instead',
    );
  }
  const http = createHttp({
    timeoutSeconds: config.request_timeout_seconds,
    maxSockets: budget.size + 1,
    userAgent: context.userAgent,
    tls: {
      verify: config.tls_verify !== false,
      ...(config.ca_bundle === undefined ? {} : { extraCa: readCaBundle(config.ca_bundle) }),
    },
    ...(config.proxy_url === undefined ? {} : { proxyUrl: config.proxy_url }),
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
            onRetry: () => metrics.count('retry_count', { endpoint: 'token' }),
            grant:
              config.oauth_grant_type === 'password'
                ? { type: 'password', username: config.username!, password: config.password! }
                : { type: 'client_credentials' },
          },
          secrets,
          logger,
        )
      : new BasicAuthenticator(config.username!, config.password!, secrets);
  const client = new WmsClient(http, auth, retry, logger, metrics, context.signal, budget);
  return {
    client,
    close: () => closeHttp(http),
  };
}
