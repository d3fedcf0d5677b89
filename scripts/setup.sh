#!/usr/bin/env bash
# Sets up a checkout on a fresh machine, and does only what changed on later runs:
#   1. npm ci             when package-lock.json or the Node ABI changed
#   2. npm run build      always (tsc -b is incremental: a second or two when nothing changed)
#   3. .venv + Meltano    when the pinned Meltano or the Python version changed
#   4. meltano install    when meltano.yml or a plugin wrapper's pyproject.toml changed
# Each step leaves a stamp file holding the hash of what it depends on.
# Needs: Node.js >= 20 with npm, Python >= 3.9 (3.11 preferred), a C++ toolchain for better-sqlite3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
MELTANO_VERSION=3.9.5

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_matches() { [[ -f $1 && $(cat "$1") == "$2" ]]; }

command -v node >/dev/null || die "node is not on PATH; install Node.js 20 or later"
command -v npm >/dev/null || die "npm is not on PATH; install Node.js 20 or later (it ships npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "Node.js $(node --version) is too old; 20 or later is needed"

# 1. npm packages. The stamp includes the Node ABI: better-sqlite3 is compiled for one Node.
npm_stamp=node_modules/.wms-singer-setup
npm_key="$(digest package-lock.json) abi=$(node -p process.versions.modules)"
if ! stamp_matches "$npm_stamp" "$npm_key"; then
  say "npm ci (the first time compiles better-sqlite3: about 2 minutes)"
  npm ci --no-audit --no-fund
  printf '%s' "$npm_key" >"$npm_stamp"
fi
# The launchers in plugins/ exec this node, the one the native modules were built for.
node -e '
  const fs = require("node:fs");
  const record = { execPath: process.execPath, version: process.version, modules: process.versions.modules };
  fs.writeFileSync(process.argv[1], JSON.stringify(record, null, 2) + "\n");
' node_modules/.wms-singer-node.json

# 2. TypeScript build of every package, the end-to-end tests and the benchmarks.
say "npm run build"
npm run --silent build

# 3. Meltano, pinned, in its own virtualenv.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.10 python3.13 python3.9 python3; do
    [[ -n $candidate ]] || continue
    command -v "$candidate" >/dev/null || continue
    if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(not (3, 9) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  die "no Python 3.9 to 3.13 with venv and ensurepip found; install python3.11 with venv (Debian: python3-venv), or set PYTHON"
}
venv_stamp=.venv/.wms-singer-setup
if [[ -x .venv/bin/python ]]; then
  venv_python_version=$(.venv/bin/python -c 'import sys; print(sys.version.split()[0])')
else
  venv_python_version=none
fi
venv_key="meltano=$MELTANO_VERSION python=$venv_python_version $(digest scripts/meltano-constraints.txt)"
if ! stamp_matches "$venv_stamp" "$venv_key" || [[ ! -x .venv/bin/meltano ]]; then
  python=$(find_python)
  say "Python virtualenv .venv with meltano==$MELTANO_VERSION ($("$python" --version))"
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c scripts/meltano-constraints.txt "meltano==$MELTANO_VERSION"
  venv_python_version=$(.venv/bin/python -c 'import sys; print(sys.version.split()[0])')
  venv_key="meltano=$MELTANO_VERSION python=$venv_python_version $(digest scripts/meltano-constraints.txt)"
  printf '%s' "$venv_key" >"$venv_stamp"
  rm -f .meltano/.wms-singer-setup
fi

# 4. The Meltano plugins: editable installs of the launchers in plugins/.
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false
plugins_stamp=.meltano/.wms-singer-setup
plugins_key="$venv_key $(digest meltano.yml plugins/node_launch.py plugins/*/pyproject.toml)"
launchers=(.meltano/extractors/tap-oracle-wms/venv/bin/tap-oracle-wms .meltano/loaders/target-oracle/venv/bin/target-oracle)
if ! stamp_matches "$plugins_stamp" "$plugins_key" || ! ls "${launchers[@]}" >/dev/null 2>&1; then
  say "meltano install"
  .venv/bin/meltano --log-level=warning install
  printf '%s' "$plugins_key" >"$plugins_stamp"
fi

mkdir -p output
say "ready: $ROOT (Meltano $MELTANO_VERSION in .venv; run .venv/bin/meltano from this folder)"
