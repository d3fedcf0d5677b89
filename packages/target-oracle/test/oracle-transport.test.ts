import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { SingerError } from '@wms-singer/singer';
import { pino } from 'pino';
import { connectOptions, createOracleDialect } from '../src/dialects/oracle/index.js';
import { poolAttributes } from '../src/dialects/oracle/oracle-connection.js';
import { driverError } from './support/oracle-fake.js';

const logger = pino({ level: 'silent' });

/** The dialect's first use (open, then a describe) fails with one line matching `pattern`. */
async function failsInOneLine(
  dialect: ReturnType<typeof createOracleDialect>,
  pattern: RegExp,
  absent?: RegExp,
): Promise<void> {
  await assert.rejects(
    async () => {
      await dialect.open();
      await dialect.describeTable({ name: 'T' });
    },
    (error: unknown) => {
      assert.ok(error instanceof SingerError, String(error));
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /\n/);
      if (absent !== undefined) assert.doesNotMatch(error.message, absent);
      return true;
    },
  );
}

test('TCPS settings reach node-oracledb as pool attributes (wallet, DN checks, HTTPS proxy)', () => {
  const attributes = poolAttributes(
    connectOptions({
      user: 'loader',
      password: 'pw',
      connect_string: 'tcps://adb.eu-frankfurt-1.oraclecloud.com:1522/abc_high.adb.oraclecloud.com',
      wallet_location: '/secrets/wallet',
      wallet_password: 'wallet-pw',
      wallet_content: '-----BEGIN ENCRYPTED PRIVATE KEY-----',
      ssl_server_dn_match: false,
      ssl_server_cert_dn: 'CN=adb.eu-frankfurt-1.oraclecloud.com',
      https_proxy: 'proxy.corp',
      https_proxy_port: 3128,
    }),
  );
  assert.equal(
    attributes.connectString,
    'tcps://adb.eu-frankfurt-1.oraclecloud.com:1522/abc_high.adb.oraclecloud.com',
  );
  assert.equal(attributes.walletLocation, '/secrets/wallet');
  assert.equal(attributes.walletPassword, 'wallet-pw');
  assert.equal(attributes.walletContent, '-----BEGIN ENCRYPTED PRIVATE KEY-----');
  assert.equal(attributes.sslServerDNMatch, false);
  assert.equal(attributes.sslServerCertDN, 'CN=adb.eu-frankfurt-1.oraclecloud.com');
  assert.equal(attributes.httpsProxy, 'proxy.corp');
  assert.equal(attributes.httpsProxyPort, 3128);
  // defaults: the driver's own (DN match on), nothing else added
  const plain = poolAttributes(connectOptions({ user: 'u', password: 'p', connect_string: 'db:1521/S' }));
  for (const name of ['walletContent', 'sslServerDNMatch', 'sslServerCertDN', 'httpsProxy', 'httpsProxyPort'])
    assert.equal(name in plain, false, name);
});

test('a server that insists on Native Network Encryption: one line that says Thin mode cannot, and what to do', async () => {
  const nne = driverError(
    'NJS-533',
    'Advanced Networking Option service negotiation failed. Native Network Encryption and DataIntegrity only supported in node-oracledb thick mode.\nCause: ORA-12660',
  );
  const dialect = createOracleDialect({ user: 'u', password: 'p', connect_string: 'db:1521/S' }, logger, {
    backoff: async () => undefined,
    sessionSource: async () => ({
      acquire: () => Promise.reject(nne),
      close: async () => undefined,
    }),
  });
  await failsInOneLine(
    dialect,
    /failed: NJS-533 the database requires Native Network Encryption, which node-oracledb Thin mode \(used by this target\) cannot do: ask the DBA for a TLS \(TCPS\) listener and connect with a tcps:\/\/ connect_string/,
  );
});

test('the real Thin driver over TCPS: a server certificate no trusted CA signed fails in one line with the host and the reason', async () => {
  // a throwaway self-signed certificate, made now (nothing secret is committed)
  const dir = mkdtempSync(join(tmpdir(), 'tcps-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const server = tls.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (socket) => socket.end(),
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const dialect = createOracleDialect(
      {
        user: 'u',
        password: 'not-logged-1',
        connect_string: `tcps://127.0.0.1:${port}/FREEPDB1`,
        max_attempts: 1,
      },
      logger,
      { backoff: async () => undefined },
    );
    await failsInOneLine(
      dialect,
      new RegExp(
        `NJS-506 the TLS handshake failed.*host 127\\.0\\.0\\.1 port ${port} .*: self-signed certificate`,
      ),
      /not-logged-1/,
    );
  } finally {
    server.close();
  }
});
