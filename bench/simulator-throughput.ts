/**
 * How fast the simulator serves order_dtl in sequenced mode (page_size 1250, ordering=mod_ts,id), so it is
 * never what limits the tap's benchmark. The client is deliberately bare: a keep-alive node:http agent that
 * reads next_page from the envelope head and counts records without parsing pages (JSON.parse of every page
 * would be the client's cost, not the server's). Figures: records/s (wall), records per CPU-second of this
 * process (server + thin client, i.e. per core), MB/s, peak RSS.
 *
 *   node bench/dist/simulator-throughput.js [--rows 1000000] [--gzip] [--page-size 1250]
 */
import { startSimulator } from '@wms-singer/wms-simulator';
import { bareClient } from './support/bare-client.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const rows = Number(arg('rows', '1000000'));
const pageSize = Number(arg('page-size', '1250'));
const useGzip = process.argv.includes('--gzip');
const RECORD_MARK = Buffer.from(',"url":"http://');

function countRecords(body: Buffer): number {
  let n = 0;
  let at = body.indexOf(RECORD_MARK);
  while (at >= 0) {
    n++;
    at = body.indexOf(RECORD_MARK, at + RECORD_MARK.length);
  }
  return n;
}

function nextPage(body: Buffer): string | null {
  const head = body.subarray(0, 2048).toString('latin1');
  const m = /^\{"next_page":(null|"([^"]*)")/.exec(head);
  if (!m) throw new Error(`unexpected envelope: ${head.slice(0, 200)}`);
  return m[2] ?? null;
}

async function main(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  const sim = await startSimulator({ rows: { order_dtl: rows } });
  const startMs = performance.now() - t0;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const client = bareClient({ gzip: useGzip });
  const get = client.get;

  let url: string | null =
    `${sim.apiUrl}/entity/order_dtl/?page_mode=sequenced&page_size=${pageSize}&ordering=mod_ts,id`;
  let records = 0;
  let bytes = 0;
  let pages = 0;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  while (url !== null) {
    const body = await get(url);
    records += countRecords(body);
    bytes += body.length;
    pages++;
    url = nextPage(body);
  }
  const seconds = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await sim.stop();
  client.close();
  if (records !== rows) throw new Error(`served ${records} records, expected ${rows}`);
  const mb = bytes / 1e6;
  console.log(
    `wms-simulator sequenced order_dtl: ${rows} rows, page_size ${pageSize}, gzip ${useGzip ? 'on' : 'off'}`,
  );
  console.log(`  start (generate + index): ${(startMs / 1000).toFixed(2)} s`);
  console.log(`  pages ${pages}, ${mb.toFixed(0)} MB of JSON (${Math.round(bytes / records)} bytes/record)`);
  console.log(
    `  wall: ${seconds.toFixed(2)} s -> ${Math.round(records / seconds)} records/s, ${(mb / seconds).toFixed(1)} MB/s`,
  );
  console.log(
    `  cpu: ${cpuSeconds.toFixed(2)} s -> ${Math.round(records / cpuSeconds)} records per CPU-second`,
  );
  console.log(`  peak RSS: ${Math.round(peakRss / 1e6)} MB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
