import http from 'node:http';
import { gunzipSync } from 'node:zlib';

/** The simulator's default demo account, as a Basic Authorization value. */
export const DEMO_AUTH = `Basic ${Buffer.from('wms_user:wms_password').toString('base64')}`;

export interface BareClient {
  /** The body as bytes (gunzipped when the server compressed it); non-200 answers reject. */
  get(url: string): Promise<Buffer>;
  close(): void;
}

/**
 * The thinnest client that can page through the WMS: one keep-alive socket, no parsing.
 * Benchmarks use it for the ceiling the simulator allows, against which the tap is measured.
 */
export function bareClient(options: { gzip: boolean; authorization?: string }): BareClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers: Record<string, string> = {
    authorization: options.authorization ?? DEMO_AUTH,
    ...(options.gzip ? { 'accept-encoding': 'gzip' } : {}),
  };
  const get = (url: string): Promise<Buffer> =>
    new Promise<Buffer>((resolve, reject) => {
      http
        .get(url, { agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            if (res.statusCode !== 200)
              reject(new Error(`HTTP ${res.statusCode}: ${raw.toString().slice(0, 200)}`));
            else resolve(res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw);
          });
        })
        .on('error', reject);
    });
  return { get, close: () => agent.destroy() };
}
