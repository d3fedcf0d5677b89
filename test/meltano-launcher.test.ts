// The pip-style launchers in plugins/ that `meltano install` puts in each plugin's virtualenv:
// they must be invisible (exec), so these tests run them against a stand-in Node program in a
// scratch checkout named by WMS_SINGER_HOME.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot, run } from './support/meltano.js';

const launchers = {
  'tap-oracle-wms': resolve(projectRoot, '.meltano/extractors/tap-oracle-wms/venv/bin/tap-oracle-wms'),
  'target-oracle': resolve(projectRoot, '.meltano/loaders/target-oracle/venv/bin/target-oracle'),
};

// Echoes stdin to stdout, reports argv and pid on stderr, exits with EXIT_CODE, or waits for
// SIGTERM when asked to.
const standIn = `
const report = { argv: process.argv.slice(2), execArgv: process.execArgv, pid: process.pid, viaRecordedNode: process.env.VIA_RECORDED_NODE ?? null };
process.stderr.write(JSON.stringify(report) + '\\n');
if (process.argv.includes('--wait-for-sigterm')) {
  process.on('SIGTERM', () => { process.stderr.write('got SIGTERM\\n'); process.exit(42); });
  process.stdout.write('ready\\n');
  setInterval(() => {}, 1000);
} else {
  process.stdin.pipe(process.stdout);
  process.stdin.on('end', () => { process.exitCode = Number(process.env.EXIT_CODE ?? 0); });
}
`;

let home: string;

function makeCheckout(withEntry: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'launcher-home-'));
  for (const executable of Object.keys(launchers)) {
    const dist = join(root, 'packages', executable, 'dist', 'src');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(root, 'packages', executable, 'package.json'), '{}\n');
    if (withEntry) writeFileSync(join(dist, 'cli.js'), standIn);
  }
  return root;
}

before(() => {
  for (const path of Object.values(launchers)) {
    assert.ok(
      existsSync(path),
      `${path} is missing: scripts/setup.sh runs meltano install, which installs it`,
    );
  }
  home = makeCheckout(true);
});

after(() => rmSync(home, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  WMS_SINGER_HOME: home,
  WMS_SINGER_NODE: '',
  ...extra,
});

describe('plugin launchers', () => {
  for (const [executable, launcher] of Object.entries(launchers)) {
    test(`${executable}: stdin to stdout byte for byte, argv through, exit code kept, nothing of its own`, async () => {
      const input = randomBytes(3 * 1024 * 1024).toString('base64');
      const args = ['--config', 'a b.json', '--state', 'état.json', '--about', ''];
      const result = await run(launcher, args, { env: env({ EXIT_CODE: '7' }), input });
      assert.equal(result.status, 7);
      assert.equal(result.stdout, input);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `only the program's own stderr line, got:\n${result.stderr}`);
      assert.deepEqual(JSON.parse(lines[0]!).argv, args);
    });
  }

  test('the launcher becomes the Node process: same pid, SIGTERM reaches its handler', async () => {
    const child = spawn(launchers['tap-oracle-wms'], ['--wait-for-sigterm'], { env: env(), stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((ready, failed) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready());
      child.on('exit', () => failed(new Error(`exited before ready: ${stderr}`)));
    });
    child.kill('SIGTERM');
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    assert.equal(status, 42);
    assert.equal(JSON.parse(stderr.split('\n')[0]!).pid, child.pid);
    assert.match(stderr, /got SIGTERM/);
  });

  test('runs the node recorded at set-up (the one better-sqlite3 was built for)', async () => {
    const fakeNode = join(home, 'recorded-node');
    writeFileSync(fakeNode, `#!/bin/sh\nVIA_RECORDED_NODE=yes exec "${process.execPath}" "$@"\n`);
    chmodSync(fakeNode, 0o755);
    mkdirSync(join(home, 'node_modules'), { recursive: true });
    const record = join(home, 'node_modules', '.wms-singer-node.json');
    writeFileSync(record, JSON.stringify({ execPath: fakeNode, modules: process.versions.modules }));
    try {
      const result = await run(launchers['target-oracle'], ['--version'], { env: env(), input: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(JSON.parse(result.stderr.split('\n')[0]!).viaRecordedNode, 'yes');
    } finally {
      rmSync(record);
    }
  });

  test("passes the Node flags its package.json asks for (the target's young-generation limit)", async () => {
    const real = JSON.parse(
      readFileSync(resolve(projectRoot, 'packages/target-oracle/package.json'), 'utf8'),
    );
    const flags: string[] = real.wmsSinger.nodeFlags;
    assert.ok(flags.includes('--max-semi-space-size=4'));
    const manifest = join(home, 'packages', 'target-oracle', 'package.json');
    writeFileSync(manifest, JSON.stringify({ wmsSinger: { nodeFlags: flags } }));
    try {
      const result = await run(launchers['target-oracle'], ['--version'], { env: env(), input: '' });
      assert.equal(result.status, 0, result.stderr);
      const report = JSON.parse(result.stderr.split('\n')[0]!);
      assert.deepEqual(report.execArgv, flags);
      assert.deepEqual(report.argv, ['--version']);
    } finally {
      writeFileSync(manifest, '{}\n');
    }
  });

  test('without a build: one line naming the fix on stderr, exit 2, stdout empty', async () => {
    const bare = makeCheckout(false);
    try {
      const result = await run(launchers['tap-oracle-wms'], ['--discover'], {
        env: env({ WMS_SINGER_HOME: bare }),
        input: '',
      });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
      assert.match(result.stderr, /^tap-oracle-wms: .*cli\.js is missing; run scripts\/setup\.sh first\n$/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
