// docs/privacy.md's two ready maps, run as written there: our tap's own stream maps into our
// target, and our tap through the Singer SDK's meltano-map-transformer (pinned, installed by
// scripts/setup-map-transformer.sh) into our target. Every mapped value is checked against the
// simulator's data hashed here with Node's crypto.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { executables, repoRoot } from './support/repo.js';

const HASH_KEY = 'privacy-test-key-9f3a';
const MAPPER = resolve(repoRoot, '.venv-map-transformer/bin/meltano-map-transform');

/** The JSON block that follows `<!-- privacy-map:NAME` in docs/privacy.md. */
function documentedMap(name: string): Record<string, Record<string, string>> {
  const page = readFileSync(resolve(repoRoot, 'docs/privacy.md'), 'utf8');
  const at = page.indexOf(`<!-- privacy-map:${name} `);
  assert.ok(at >= 0, `docs/privacy.md has no privacy-map:${name} block`);
  const block = /```json\n([\s\S]*?)\n```/.exec(page.slice(at));
  return JSON.parse(block![1]!) as Record<string, Record<string, string>>;
}

type Row = Record<string, unknown>;

function table(path: string, name: string): Map<number, Row> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Row[];
    return new Map(rows.map((row) => [Number(row.id), row]));
  } finally {
    db.close();
  }
}

interface Stage {
  command: string;
  args: string[];
}

/** Runs the stages as a shell pipe; resolves with each stage's exit code and stderr. */
async function pipeline(stages: Stage[]): Promise<Array<{ code: number | null; stderr: string }>> {
  const children: ChildProcess[] = stages.map((stage) =>
    spawn(stage.command, stage.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info' },
    }),
  );
  for (let i = 0; i + 1 < children.length; i++) children[i]!.stdout!.pipe(children[i + 1]!.stdin!);
  children[0]!.stdin!.end();
  children.at(-1)!.stdout!.resume();
  return Promise.all(
    children.map(
      (child) =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          let stderr = '';
          child.stderr!.setEncoding('utf8').on('data', (text: string) => {
            stderr += text;
          });
          child.on('close', (code) => done({ code, stderr }));
        }),
    ),
  );
}

const hmac = (value: unknown): unknown =>
  value === null ? null : createHmac('sha256', HASH_KEY).update(String(value)).digest('hex');
const saltedMd5 = (value: unknown): unknown =>
  value === null || value === ''
    ? null
    : createHash('md5')
        .update(HASH_KEY + String(value))
        .digest('hex');
const zip3 = (value: unknown): unknown => (value === null || value === '' ? null : String(value).slice(0, 3));

describe('docs/privacy.md: the ready stream maps', () => {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    sim = await startSimulator({ seed: 11, rows: { order_dtl: 80 } });
    dir = mkdtempSync(join(tmpdir(), 'privacy-'));
  });
  after(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, value: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const tapConfig = (extra: Record<string, unknown> = {}) => ({
    base_url: sim.baseUrl,
    username: 'wms_user',
    password: 'wms_password',
    entities: ['order_hdr', 'allocation'],
    page_size: 50,
    ...extra,
  });
  const tap = (name: string, extra: Record<string, unknown> = {}): Stage => ({
    command: process.execPath,
    args: [executables.tap, '--config', file(`${name}-tap.json`, tapConfig(extra))],
  });
  const target = (database: string): Stage => ({
    command: process.execPath,
    args: [
      executables.target,
      '--config',
      file(`${database}.json`, { dialect: 'sqlite', sqlite_path: join(dir, database) }),
    ],
  });

  function checkCommon(orders: Map<number, Row>): void {
    const snapshot = sim.snapshot('order_hdr');
    assert.equal(orders.size, snapshot.length);
    for (const source of snapshot) {
      const row = orders.get(Number(source.id))!;
      assert.equal('cust_addr' in row, false, 'street addresses are dropped');
      assert.equal('shipto_addr' in row, false);
      assert.equal(row.cust_zip, zip3(source.cust_zip));
      assert.equal(row.shipto_zip, zip3(source.shipto_zip));
      assert.equal(row.cust_city, source.cust_city, 'the city stays');
      assert.equal(row.order_nbr, source.order_nbr);
    }
  }

  test("our tap's stream_maps (HMAC-SHA-256 keyed by stream_map_config) into our target", async () => {
    const [tapRun, targetRun] = await pipeline([
      tap('ours', { stream_maps: documentedMap('ours'), stream_map_config: { hash_key: HASH_KEY } }),
      target('ours.db'),
    ]);
    assert.equal(tapRun!.code, 0, tapRun!.stderr);
    assert.equal(targetRun!.code, 0, targetRun!.stderr);
    const orders = table(join(dir, 'ours.db'), 'order_hdr');
    checkCommon(orders);
    for (const source of sim.snapshot('order_hdr')) {
      const row = orders.get(Number(source.id))!;
      assert.equal(row.cust_name, hmac(source.cust_name));
      assert.equal(row.shipto_name, hmac(source.shipto_name));
    }
    const allocations = table(join(dir, 'ours.db'), 'allocation');
    for (const source of sim.snapshot('allocation'))
      assert.equal(allocations.get(Number(source.id))!.pick_user, hmac(source.pick_user));
    // the key is a secret: not in anything the pair printed
    for (const run of [tapRun!, targetRun!]) assert.equal(run.stderr.includes(HASH_KEY), false);
  });

  test("our tap through the Singer SDK's meltano-map-transformer into our target; our own maps give the same values", async () => {
    assert.ok(
      existsSync(MAPPER),
      `${MAPPER} is missing: run scripts/setup.sh (scripts/setup-map-transformer.sh)`,
    );
    const map = documentedMap('meltano-map-transformer');
    const mapperConfig = file('mapper.json', { stream_maps: map, stream_map_config: { hash_key: HASH_KEY } });
    const [tapRun, mapperRun, targetRun] = await pipeline([
      tap('plain'),
      { command: MAPPER, args: ['--config', mapperConfig] },
      target('sdk.db'),
    ]);
    assert.equal(tapRun!.code, 0, tapRun!.stderr);
    assert.equal(mapperRun!.code, 0, mapperRun!.stderr);
    assert.equal(targetRun!.code, 0, targetRun!.stderr);
    const orders = table(join(dir, 'sdk.db'), 'order_hdr');
    checkCommon(orders);
    for (const source of sim.snapshot('order_hdr')) {
      const row = orders.get(Number(source.id))!;
      assert.equal(row.cust_name, saltedMd5(source.cust_name));
      assert.equal(row.shipto_name, saltedMd5(source.shipto_name));
    }
    const allocations = table(join(dir, 'sdk.db'), 'allocation');
    for (const source of sim.snapshot('allocation'))
      assert.equal(allocations.get(Number(source.id))!.pick_user, saltedMd5(source.pick_user));

    // The same expressions in our tap's own stream_maps: the same table, value for value.
    const [ownTap, ownTarget] = await pipeline([
      tap('same', { stream_maps: map, stream_map_config: { hash_key: HASH_KEY } }),
      target('same.db'),
    ]);
    assert.equal(ownTap!.code, 0, ownTap!.stderr);
    assert.equal(ownTarget!.code, 0, ownTarget!.stderr);
    for (const entity of ['order_hdr', 'allocation']) {
      const ours = table(join(dir, 'same.db'), entity);
      const sdk = table(join(dir, 'sdk.db'), entity);
      assert.equal(ours.size, sdk.size);
      for (const [id, row] of sdk) {
        const own = ours.get(id)!;
        for (const column of Object.keys(map[entity]!)) {
          if (map[entity]![column] === '__NULL__') assert.equal(column in own, false);
          else assert.equal(own[column], row[column], `${entity} ${id} ${column}`);
        }
      }
    }
  });
});
