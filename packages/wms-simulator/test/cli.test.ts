import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call } from './support/helpers.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** Starts the CLI and resolves with the first stdout line. */
async function launch(args: string[]): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing the URL`)));
  });
  return { child, baseUrl };
}

describe('wms-simulator CLI', () => {
  it('prints the base URL first, serves, and exits 0 on SIGTERM', async () => {
    const { child, baseUrl } = await launch([
      '--port',
      '0',
      '--seed',
      '3',
      '--rows',
      'order_dtl=50',
      '--environment',
      'test1',
    ]);
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/test1$/);
    const reply = await call(`${baseUrl}/wms/lgfapi/v10/entity/order_dtl/?page_size=100`);
    assert.equal(reply.status, 200);
    assert.equal(reply.json.result_count, 50);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('exits 0 on SIGINT too', async () => {
    const { child } = await launch(['--rows', 'order_dtl=10']);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('takes credentials and faults from flags', async () => {
    const { child, baseUrl } = await launch([
      '--rows',
      'order_dtl=20',
      '--rows',
      'facility=4',
      '--username',
      'alice',
      '--password',
      'secret',
      '--fault-rate',
      '1',
      '--faults',
      '503',
      '--ordering-400',
      'order_dtl=mod_ts',
    ]);
    try {
      const alice = 'Basic ' + Buffer.from('alice:secret').toString('base64');
      const api = `${baseUrl}/wms/lgfapi/v10`;
      assert.equal((await call(`${api}/entity/facility/`)).status, 401);
      assert.equal(
        (await call(`${api}/entity/facility/`, { headers: { authorization: alice } })).status,
        503,
      );
      const snap = await call(`${baseUrl}/__sim/snapshot?entity=facility`);
      assert.equal(snap.text.trim().split('\n').length, 4);
      await call(`${baseUrl}/__sim/faults`, {
        method: 'PUT',
        body: JSON.stringify({ orderingErrors: { order_dtl: ['mod_ts'] } }),
      });
      assert.equal(
        (await call(`${api}/entity/order_dtl/?ordering=mod_ts`, { headers: { authorization: alice } }))
          .status,
        400,
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('documents the defaults in --help and rejects bad flags with one line and a non-zero exit', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const text of [
      'wms_user',
      'wms_password',
      'wms_client',
      'wms_secret',
      '--fault-rate',
      '--faults',
      '--rows',
    ]) {
      assert.ok(help.stdout.includes(text), text);
    }
    const bad = spawnSync(process.execPath, [CLI, '--rows', 'nope=5'], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown entity "nope"/);
    assert.equal(bad.stdout, '');
    const badKind = spawnSync(process.execPath, [CLI, '--faults', 'meteor'], { encoding: 'utf8' });
    assert.notEqual(badKind.status, 0);
    assert.match(badKind.stderr, /unknown kind "meteor"/);
    const badQuirk = spawnSync(process.execPath, [CLI, '--quirks', 'utc-z,late-comits'], {
      encoding: 'utf8',
    });
    assert.equal(badQuirk.status, 2);
    assert.equal(badQuirk.stderr.trim().split('\n').length, 1);
    assert.match(
      badQuirk.stderr,
      /^wms-simulator: quirks: unknown quirk "late-comits" \(known: late-commits, /,
    );
    assert.equal(badQuirk.stdout, '');
  });

  it('plays the quirks named by --quirks (or all) and says so on stderr', async () => {
    const { child, baseUrl } = await launch([
      '--rows',
      'order_dtl=20',
      '--quirks',
      'all',
      '--late-commit-max-seconds',
      '600',
    ]);
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    try {
      const api = `${baseUrl}/wms/lgfapi/v10`;
      const row = (await call(`${api}/entity/order_dtl/`)).json.results[0];
      assert.equal(typeof row.ord_qty, 'number', 'decimals-as-numbers');
      assert.match(row.mod_ts, /Z$/, 'utc-z');
      const advanced = await call(`${baseUrl}/__sim/advance`, {
        method: 'POST',
        body: JSON.stringify({ entity: 'order_dtl', updates: 5, seconds: 60 }),
      });
      const from = Date.parse(advanced.json.from);
      const late = advanced.json.changes.order_dtl.late as number[];
      assert.ok(late.length > 0);
      const snap = (await call(`${baseUrl}/__sim/snapshot?entity=order_dtl`)).text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      for (const id of late) {
        const ts = Date.parse(snap.find((r) => r.id === id).mod_ts);
        assert.ok(ts < from && ts >= from - 600_000, 'late by at most --late-commit-max-seconds');
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    assert.match(err, /quirks late-commits,cursor-ties,/);
  });
});
