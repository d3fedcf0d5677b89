// The container deployment, as far as a machine without a container engine can check it
// (docs/deployment.md says what is not run here: the image build itself).
//   - the Dockerfile: pinned versions equal scripts/versions.sh, a non-root user, no secret, every
//     COPY source present and let through by .dockerignore;
//   - the Kubernetes manifests: the two schedules of meltano.yml, its jobs, non-root, secrets only
//     from a Secret, state outside the pod, entity groups with their own state ids;
//   - deploy/entrypoint.sh run outside a container against a copy of the image's /project (made
//     and `meltano install`ed as the Dockerfile does),
//     an in-process simulator and a file:// state backend standing in for object storage: its
//     refusals, and two entity groups loading in parallel, each with its own state id.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '@wms-singer/wms-simulator';
import { meltanoBin, projectRoot, run } from './support/meltano.js';
import { assertTableEquals, readTables } from './support/meltano-tables.js';

const entrypoint = resolve(projectRoot, 'deploy/entrypoint.sh');
const read = (path: string) => readFileSync(resolve(projectRoot, path), 'utf8');

interface Project {
  plugins: Record<string, { name: string; settings?: { name: string; sensitive?: boolean }[] }[]>;
  jobs: { name: string }[];
  schedules: { name: string; interval: string; job: string }[];
}
interface Container {
  args: string[];
  image: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext?: { allowPrivilegeEscalation?: boolean };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    schedule: string;
    concurrencyPolicy: string;
    jobTemplate: {
      spec: {
        template: {
          spec: { securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] };
        };
      };
    };
  };
}

/** YAML files read by Meltano's own YAML library (PyYAML in .venv), as JSON. */
async function yamlDocuments(path: string): Promise<unknown[]> {
  const python = resolve(projectRoot, '.venv/bin/python');
  const code = 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))';
  const result = await run(python, ['-c', code, resolve(projectRoot, path)]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown[];
}

let project: Project;
let secretVariables: string[];

before(async () => {
  project = (await yamlDocuments('meltano.yml'))[0] as Project;
  secretVariables = Object.values(project.plugins)
    .flat()
    .flatMap((plugin) =>
      (plugin.settings ?? [])
        .filter((setting) => setting.sensitive)
        .map((setting) => `${plugin.name.toUpperCase().replaceAll('-', '_')}_${setting.name.toUpperCase()}`),
    );
  assert.ok(
    secretVariables.includes('TAP_ORACLE_WMS_PASSWORD') && secretVariables.includes('TARGET_ORACLE_PASSWORD'),
  );
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  const instructions = lines.filter((line) => /^[A-Z]+\s/.test(line));

  test('pins the versions of scripts/versions.sh', () => {
    const versions = Object.fromEntries(
      [...read('scripts/versions.sh').matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
    );
    for (const name of ['MELTANO_VERSION', 'NODE_WHEEL_VERSION']) {
      assert.ok(versions[name], `${name} in scripts/versions.sh`);
      assert.ok(instructions.includes(`ARG ${name}=${versions[name]}`), `ARG ${name}=${versions[name]}`);
    }
  });

  test('runs as a non-root user, through the entrypoint, the incremental job by default', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    assert.deepEqual(users, ['USER 10001:10001']);
    assert.ok(instructions.indexOf(users[0]!) > instructions.findIndex((line) => line.startsWith('RUN ')));
    assert.ok(instructions.includes('ENTRYPOINT ["/usr/local/bin/wms-singer-entrypoint"]'));
    assert.ok(instructions.includes('COPY deploy/entrypoint.sh /usr/local/bin/wms-singer-entrypoint'));
    const cmd = JSON.parse(instructions.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
    assert.equal(cmd[0], 'run');
    assert.ok(
      project.jobs.some((job) => job.name === cmd[1]),
      `${cmd[1]} is a job of meltano.yml`,
    );
  });

  test('holds no secret: no ENV or ARG names one, nothing secret is copied', () => {
    const declared = lines.join('\n').match(/\b[A-Z][A-Z0-9_]*(?==)/g) ?? [];
    for (const name of declared) {
      assert.ok(!/PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY/.test(name), `the Dockerfile sets ${name}`);
      assert.ok(!secretVariables.includes(name), `the Dockerfile sets ${name}`);
    }
  });

  test('every COPY source exists after scripts/package.sh and .dockerignore lets it through', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const copies = instructions.filter((line) => line.startsWith('COPY '));
    assert.ok(copies.length >= 3);
    for (const copy of copies) {
      const source = copy.split(/\s+/)[1]!.replace(/\/$/, '');
      assert.ok(allowed.includes(source), `.dockerignore keeps ${source} out of the context`);
      assert.ok(existsSync(resolve(projectRoot, source)), `${source} exists (run scripts/setup.sh)`);
    }
  });
});

describe('Kubernetes manifests', () => {
  let cronJobs: Manifest[];
  let groups: Manifest[];
  let config: Manifest;

  before(async () => {
    cronJobs = (await yamlDocuments('deploy/kubernetes/cronjobs.yaml')) as Manifest[];
    groups = (await yamlDocuments('deploy/kubernetes/entity-groups.yaml')) as Manifest[];
    config = ((await yamlDocuments('deploy/kubernetes/config.yaml')) as Manifest[])[0]!;
    const kustomization = (await yamlDocuments('deploy/kubernetes/kustomization.yaml'))[0] as {
      resources: string[];
    };
    for (const file of kustomization.resources)
      assert.ok(existsSync(resolve(projectRoot, 'deploy/kubernetes', file)));
  });

  const container = (job: Manifest) => job.spec!.jobTemplate.spec.template.spec.containers[0]!;

  test('one CronJob per schedule of meltano.yml, running its job, never two at once', () => {
    const cron: Record<string, string> = { '@weekly': '0 0 * * 0' };
    const expected = project.schedules.map((schedule) => [
      cron[schedule.interval] ?? schedule.interval,
      schedule.job,
    ]);
    const actual = cronJobs.map((job) => [job.spec!.schedule, container(job).args[1]]);
    assert.deepEqual(actual.sort(), expected.sort());
    for (const job of cronJobs) {
      assert.equal(job.kind, 'CronJob');
      assert.equal(job.spec!.concurrencyPolicy, 'Forbid');
      assert.equal(container(job).args[0], 'run');
    }
  });

  test('non-root as the image, secrets only from a Secret, state outside the pod', () => {
    for (const job of [...cronJobs, ...groups]) {
      const pod = job.spec!.jobTemplate.spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true, job.metadata.name);
      assert.equal(pod.securityContext.runAsUser, 10001, `${job.metadata.name}: the Dockerfile's USER`);
      assert.equal(container(job).securityContext?.allowPrivilegeEscalation, false);
      for (const variable of container(job).env ?? []) {
        assert.ok(!secretVariables.includes(variable.name), `${job.metadata.name} sets ${variable.name}`);
      }
      assert.deepEqual(
        container(job).envFrom?.map((source) => source.configMapRef?.name ?? source.secretRef?.name),
        ['wms-singer-config', 'wms-singer-secrets'],
      );
    }
    assert.equal(config.kind, 'ConfigMap');
    for (const name of Object.keys(config.data ?? {})) {
      assert.ok(
        !secretVariables.includes(name) && !/PASSWORD|SECRET/.test(name),
        `the ConfigMap holds ${name}`,
      );
    }
    assert.match(config.data?.MELTANO_STATE_BACKEND_URI ?? '', /^(s3|gs|azure):\/\//);
    assert.equal(config.data?.MELTANO_ENVIRONMENT, 'prod');
  });

  test('entity groups: disjoint entities, each with its own state id suffix', () => {
    const seen = new Set<string>();
    const suffixes = new Set<string>();
    for (const job of groups) {
      const env = Object.fromEntries((container(job).env ?? []).map((entry) => [entry.name, entry.value]));
      const entities = JSON.parse(env.TAP_ORACLE_WMS_ENTITIES ?? 'null') as string[];
      assert.ok(Array.isArray(entities) && entities.length > 0, job.metadata.name);
      for (const entity of entities) {
        assert.ok(!seen.has(entity), `${entity} is in two groups`);
        seen.add(entity);
      }
      assert.ok(env.MELTANO_RUN_STATE_ID_SUFFIX, `${job.metadata.name} has a state id suffix`);
      assert.ok(!suffixes.has(env.MELTANO_RUN_STATE_ID_SUFFIX!), 'state id suffixes differ');
      suffixes.add(env.MELTANO_RUN_STATE_ID_SUFFIX!);
    }
    assert.ok(groups.length >= 2);
  });
});

describe('deploy/entrypoint.sh outside a container', () => {
  let scratch: string;
  let simulator: Simulator;
  let bin: string;
  let imageProject: string;
  const imageInstalled = () => existsSync(join(scratch, 'sys-orders'));

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'entrypoint-'));
    // The image's PATH has meltano and no node: the same here.
    bin = join(scratch, 'bin');
    mkdirSync(bin);
    symlinkSync(meltanoBin, join(bin, 'meltano'));
    // The image's /project, made as the Dockerfile makes it: meltano.yml and dist/wheels copied,
    // then `meltano install` (MELTANO_ENVIRONMENT=prod, no setting given), with no node on PATH.
    imageProject = join(scratch, 'project');
    mkdirSync(imageProject);
    cpSync(resolve(projectRoot, 'meltano.yml'), join(imageProject, 'meltano.yml'));
    cpSync(resolve(projectRoot, 'dist/wheels'), join(imageProject, 'dist/wheels'), { recursive: true });
    const installed = await entry(['install'], { MELTANO_ENVIRONMENT: 'prod' });
    assert.equal(installed.status, 0, installed.stderr);
    // A pod's own .meltano (system database, logs), with the plugins the image installed; one
    // per pod, as two pods never share a disk.
    for (const pod of ['sys-orders', 'sys-allocation']) {
      mkdirSync(join(scratch, pod));
      for (const kind of ['extractors', 'loaders']) {
        symlinkSync(join(imageProject, '.meltano', kind), join(scratch, pod, kind));
      }
    }
    simulator = await startSimulator({ seed: 5, rows: { order_dtl: 120 } });
  });

  after(async () => {
    await simulator?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function entry(args: string[], extra: Record<string, string>) {
    const inherited = Object.entries(process.env).filter(
      ([name]) => !/^(MELTANO_|TAP_ORACLE_WMS_|TARGET_ORACLE_|WMS_SINGER_|PATH$)/.test(name),
    );
    const env = {
      ...Object.fromEntries(inherited),
      PATH: bin,
      NO_COLOR: '1',
      WMS_SINGER_PROJECT: imageProject,
      ...(imageInstalled() ? { MELTANO_SYS_DIR_ROOT: join(scratch, 'sys-orders') } : {}),
      ...extra,
    };
    return run('/bin/sh', [entrypoint, ...args], { cwd: scratch, env });
  }

  test('refuses, in one line, to keep state on the container disk', async () => {
    const settings: Record<string, string>[] = [{}, { MELTANO_STATE_BACKEND_URI: `file://${scratch}/state` }];
    for (const env of settings) {
      const result = await entry(['run', 'incremental-sync'], env);
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^wms-singer-entrypoint: .*(no state backend|container's disk).*\n$/);
    }
  });

  test('commands that keep no state run without a state backend (meltano --version)', async () => {
    const result = await entry(['--version'], {});
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^meltano, version 4\.\d+\.\d+/);
  });

  test('refuses an entity group without its own state id', async () => {
    const result = await entry(['run', 'incremental-sync'], {
      MELTANO_STATE_BACKEND_URI: 's3://bucket/state',
      TAP_ORACLE_WMS_ENTITIES: '["allocation"]',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^wms-singer-entrypoint: .*MELTANO_RUN_STATE_ID_SUFFIX.*\n$/);
  });

  test('two entity groups in parallel, each loading its entities with its own state id', async () => {
    const common = {
      MELTANO_ENVIRONMENT: 'dev',
      MELTANO_STATE_BACKEND_URI: `file://${scratch}/state`,
      WMS_SINGER_STATE_VOLUME: '1',
      TAP_ORACLE_WMS_BASE_URL: simulator.baseUrl,
    };
    const groups = { orders: ['order_hdr', 'order_dtl'], allocation: ['allocation'] };
    const results = await Promise.all(
      Object.entries(groups).map(([group, entities]) =>
        entry(['run', 'incremental-sync'], {
          ...common,
          TAP_ORACLE_WMS_ENTITIES: JSON.stringify(entities),
          MELTANO_RUN_STATE_ID_SUFFIX: group,
          MELTANO_SYS_DIR_ROOT: join(scratch, `sys-${group}`),
          TARGET_ORACLE_SQLITE_PATH: join(scratch, `${group}.db`),
        }),
      ),
    );
    for (const result of results) assert.equal(result.status, 0, result.stderr.slice(-3000));
    for (const [group, entities] of Object.entries(groups)) {
      const tables = readTables(join(scratch, `${group}.db`));
      // beside the results of the quality checks the job runs after the load (wms-quality)
      const loaded = [...tables.keys()].filter((name) => name !== 'wms_quality_results');
      assert.deepEqual(loaded.sort(), [...entities].sort(), `${group}: only its entities`);
      for (const entity of entities) assert.ok(tables.get(entity), entity);
      for (const entity of entities)
        assertTableEquals(entity, tables.get(entity), simulator.snapshot(entity));
      const state = await entry(['state', 'get', `dev:tap-oracle-wms-to-target-oracle:${group}`], common);
      assert.equal(state.status, 0, state.stderr);
      const bookmarks = JSON.parse(state.stdout).singer_state.bookmarks as Record<string, unknown>;
      assert.deepEqual(Object.keys(bookmarks).sort(), [...entities].sort(), `${group}: its own bookmarks`);
    }
    assert.ok(existsSync(join(scratch, 'state')), 'the state is in the file:// backend');
  });
});
