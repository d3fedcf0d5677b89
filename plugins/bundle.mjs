// Bundles one workspace package's built program (dist/src/cli.js, from `tsc -b`) into a folder a
// plugin wheel carries: node plugins/bundle.mjs <package folder> <output folder>
//
//   <out>/package.json                name, version, "type": "module", wmsSinger (node flags)
//   <out>/launch.json                 what the Python launcher needs: entry, node flags, engines
//   <out>/dist/src/cli.js             refuses an unsupported Node.js in one line, then main.js
//   <out>/dist/src/main.js            the program and every JavaScript dependency, one file
//   <out>/dist/src/<worker>.js        each worker the code starts (new Worker(new URL('./x.js',
//                                     import.meta.url))), bundled the same way beside main.js
//   <out>/node_modules/<name>         packages the code loads at run time by name
//                                     (createRequire(import.meta.url)('oracledb')), or that have a
//                                     native addon (binding.gyp), with their dependencies
// The layout keeps dist/src two levels below package.json, as in the repository, so code that
// reads new URL('../../package.json', import.meta.url) finds it. Prints a JSON summary
// ({ "native": [...] }): a native addon makes the wheel platform-specific.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const [packageArg, outArg] = process.argv.slice(2);
if (!packageArg || !outArg) {
  console.error('usage: node plugins/bundle.mjs <package folder> <output folder>');
  process.exit(2);
}
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const packageDir = resolve(packageArg);
const out = resolve(outArg);
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;
const entry = join(packageDir, 'dist/src/cli.js');
if (!existsSync(entry)) fail(`${relative(root, entry)} is missing: run npx tsc -b first`);

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

/** The compiled JavaScript of this package and of the workspace packages it depends on. */
function sourceFiles() {
  const dirs = [join(packageDir, 'dist/src')];
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const dir = join(root, 'node_modules', name);
    // A workspace package is a link out of node_modules; its compiled code is bundled too.
    if (existsSync(dir) && relative(join(root, 'node_modules'), realpathSync(dir)).startsWith('..')) {
      dirs.push(join(realpathSync(dir), 'dist/src'));
    }
  }
  const files = [];
  const walk = (dir) => {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) files.push(path);
    }
  };
  dirs.forEach(walk);
  return files;
}

const workers = new Map();
const loadedByName = new Set();
for (const file of sourceFiles()) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(
    /new Worker\(\s*new URL\(\s*['"]\.\/([\w.-]+\.js)['"]\s*,\s*import\.meta\.url/g,
  )) {
    const worker = join(dirname(file), match[1]);
    const name = basename(worker, '.js');
    if (workers.has(name) && workers.get(name) !== worker) fail(`two workers named ${name}.js`);
    workers.set(name, worker);
  }
  for (const match of text.matchAll(/createRequire\(import\.meta\.url\)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    loadedByName.add(match[1]);
  }
}

/** node_modules folder of a package as Node would resolve it from the repository root. */
function packageFolder(name, from = root) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir)) return undefined;
  }
}
const isNative = (folder) => existsSync(join(folder, 'binding.gyp'));

// Packages left out of the bundle: loaded by name at run time, or with a native addon.
const external = new Set(loadedByName);
const native = new Set();
const nativePlugin = {
  name: 'native-addons',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      const name = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0];
      const folder = packageFolder(name, args.resolveDir);
      if (external.has(name) || (folder && isNative(folder))) {
        external.add(name);
        if (folder && isNative(folder)) native.add(name);
        return { path: args.path, external: true };
      }
      return undefined;
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dist/src'), { recursive: true });
await build({
  entryPoints: { main: entry, ...Object.fromEntries(workers) },
  outdir: join(out, 'dist/src'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: [...external],
  plugins: [nativePlugin],
  // CommonJS dependencies (yargs, pino, axios, ajv) call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __wmsSingerCreateRequire } from 'node:module';\nconst require = __wmsSingerCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
});

// The entry: checks the Node.js version before anything is loaded (an unsupported Node may
// lack a built-in module the program imports, which would fail before any check in it).
const [minimum, below] =
  /^>=(\d+\.\d+)\s+<(\d+)$/.exec(engines)?.slice(1) ?? fail(`engines "${engines}" is not ">=X.Y <Z"`);
writeFileSync(
  join(out, 'dist/src/cli.js'),
  `const [major, minor] = process.versions.node.split('.').map(Number);
const [minMajor, minMinor] = ${JSON.stringify(minimum)}.split('.').map(Number);
if (major < minMajor || (major === minMajor && minor < minMinor) || major >= ${below}) {
  process.stderr.write(\`${manifest.name}: Node.js \${process.version} is not supported (needs ${engines})\\n\`);
  process.exit(2);
}
await import('./main.js');
`,
);

// Run-time packages with their production dependencies; native ones keep only their addon.
const copied = new Set();
function copyPackage(name, from) {
  if (copied.has(name)) return;
  const folder = packageFolder(name, from);
  if (!folder) fail(`${name} is needed at run time but is not installed`);
  copied.add(name);
  const target = join(out, 'node_modules', name);
  const nativeAddon = isNative(folder);
  cpSync(folder, target, {
    recursive: true,
    filter: (path) => {
      const rel = relative(folder, path);
      if (rel.startsWith('node_modules')) return false;
      if (nativeAddon) return !/^(deps|src|build\/(?!Release(\/[^/]+\.node)?$))/.test(rel);
      return !path.endsWith('.node') && !rel.startsWith('examples');
    },
  });
  const dependencies = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).dependencies ?? {};
  for (const dependency of Object.keys(dependencies)) copyPackage(dependency, folder);
}
for (const name of external) copyPackage(name, packageDir);

const packageJson = {
  name: manifest.name,
  version: manifest.version,
  description: manifest.description,
  type: 'module',
  license: manifest.license ?? 'Apache-2.0',
  engines: { node: engines },
  ...(manifest.wmsSinger ? { wmsSinger: manifest.wmsSinger } : {}),
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
const nodeFlags = (manifest.wmsSinger?.nodeFlags ?? []).filter(
  (flag) => typeof flag === 'string' && flag.startsWith('--'),
);
const launch = {
  executable: Object.keys(manifest.bin ?? { [manifest.name]: '' })[0],
  entry: 'dist/src/cli.js',
  nodeFlags,
  engines,
};
writeFileSync(join(out, 'launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
process.stdout.write(
  `${JSON.stringify({ package: manifest.name, workers: [...workers.keys()], external: [...external], native: [...native] })}\n`,
);
