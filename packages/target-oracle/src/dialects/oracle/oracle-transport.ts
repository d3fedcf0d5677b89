// How the target reaches Oracle over the network: TLS (TCPS) with a PEM wallet or with the
// server certificate checked against the system's CAs, and HTTPS proxies, as node-oracledb
// Thin mode supports them. Thin mode cannot do Native Network Encryption (NNE); a server that
// insists on it is reported in one line that says what to do. See docs/oracle.md.
import type { SettingSchema } from '@wms-singer/singer';

export interface TransportSettings {
  wallet_content?: string;
  ssl_server_dn_match?: boolean;
  ssl_server_cert_dn?: string;
  https_proxy?: string;
  https_proxy_port?: number;
}

/** Transport settings the Oracle dialect adds (beside wallet_location, wallet_password, config_dir). */
export const transportSettings: Record<string, SettingSchema> = {
  wallet_content: {
    type: 'string',
    title: 'Wallet content',
    secret: true,
    writeOnly: true,
    description:
      'The PEM wallet itself (the text of ewallet.pem), instead of a wallet_location directory: for containers that get it from a secret store.',
  },
  ssl_server_dn_match: {
    type: 'boolean',
    title: 'Match the server DN',
    default: true,
    description:
      "With TCPS, check that the server certificate's distinguished name matches the host (or ssl_server_cert_dn). Keep it on.",
  },
  ssl_server_cert_dn: {
    type: 'string',
    title: 'Server certificate DN',
    description:
      'With TCPS, the distinguished name the server certificate must carry, e.g. "CN=adb.eu-frankfurt-1.oraclecloud.com, O=Oracle Corporation, L=Redwood City, ST=California, C=US".',
  },
  https_proxy: {
    type: 'string',
    title: 'HTTPS proxy host',
    description: 'Host of an HTTPS proxy that TCPS connections tunnel through (node-oracledb httpsProxy).',
  },
  https_proxy_port: {
    type: 'integer',
    title: 'HTTPS proxy port',
    minimum: 1,
    maximum: 65535,
    description: 'Port of https_proxy.',
  },
};

/** node-oracledb pool attributes for the transport settings that are set. */
export function transportAttributes(settings: TransportSettings): Record<string, unknown> {
  return {
    ...(settings.wallet_content ? { walletContent: settings.wallet_content } : {}),
    ...(settings.ssl_server_dn_match === false ? { sslServerDNMatch: false } : {}),
    ...(settings.ssl_server_cert_dn ? { sslServerCertDN: settings.ssl_server_cert_dn } : {}),
    ...(settings.https_proxy ? { httpsProxy: settings.https_proxy } : {}),
    ...(settings.https_proxy_port ? { httpsProxyPort: settings.https_proxy_port } : {}),
  };
}

/** The NNE refusal: NJS-533 from Thin mode, or ORA-12660 (incompatible encryption parameters). */
export const NATIVE_NETWORK_ENCRYPTION =
  'the database requires Native Network Encryption, which node-oracledb Thin mode (used by this target) cannot do: ask the DBA for a TLS (TCPS) listener and connect with a tcps:// connect_string (docs/oracle.md, "Transport"), or have SQLNET.ENCRYPTION_SERVER set to ACCEPTED rather than REQUIRED for this client';

/** Explanations of the transport errors, by code (merged into the dialect's explanations). */
export const TRANSPORT_EXPLANATIONS: Record<string, string> = {
  'NJS-533': NATIVE_NETWORK_ENCRYPTION,
  'ORA-12660': NATIVE_NETWORK_ENCRYPTION,
  'NJS-504': 'the HTTPS proxy (https_proxy) refused or could not reach the database',
  'NJS-505': 'TLS could not start: check wallet_location/wallet_content and wallet_password',
  'NJS-506': 'the TLS handshake failed: check the wallet, or that the port serves TCPS',
  'NJS-507': 'the server certificate DN does not match ssl_server_cert_dn',
  'NJS-508': 'the server certificate is not for this host (ssl_server_dn_match)',
  'NJS-529': 'the wallet is not PEM: use ewallet.pem (Thin mode reads no cwallet.sso)',
};

/** TLS failures carry their reason (e.g. "self-signed certificate") on the message's second line. */
const TLS_REASON = new Set(['NJS-505', 'NJS-506']);

/** The reason a TLS failure gives beyond its first line; '' for any other error. */
export function transportReason(code: string, message: string): string {
  if (!TLS_REASON.has(code)) return '';
  const reason = (message.split('\n')[1] ?? '')
    .replace(/; if the root CA is installed locally.*$/, '')
    .trim();
  return reason === '' ? '' : `: ${reason}`;
}
