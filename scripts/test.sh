#!/usr/bin/env bash
# Sets up what the tests need (scripts/setup.sh), lints, then runs every compiled test file
# in ONE node test runner so there is one closing summary. The exit code is the runner's, or 1
# when only the lint failed (the tests still run, so one CI run shows everything).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
# The Node.js that scripts/setup.sh installed from PyPI into .venv, never another one.
export PATH="$PWD/.venv/bin:$PATH"
echo "test: $(node --version) from $(command -v node)" >&2

echo "test: biome check ." >&2
lint=0
npx --no-install biome check . || lint=$?

# The wms-quality report test renders its page in headless Chromium; without one it is reported
# as skipped. WMS_SINGER_INSTALL_CHROMIUM=1 installs Debian's chromium first (root, apt-get).
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if [[ ${WMS_SINGER_INSTALL_CHROMIUM:-0} == 1 ]]; then
    bash scripts/install-chromium.sh
  else
    echo "test: no Chromium on PATH: the report's render test will be skipped (WMS_SINGER_INSTALL_CHROMIUM=1 installs it)" >&2
  fi
fi

mapfile -t files < <(find packages/*/dist/test test/dist -name '*.test.js' -type f 2>/dev/null | sort)
if ((${#files[@]} == 0)); then
  echo "test: no compiled test files (*.test.js) under packages/*/dist/test or test/dist" >&2
  exit 1
fi
echo "test: node --test over ${#files[@]} files" >&2
# A test file that hangs (a child process blocked forever) fails after 15 minutes instead of
# holding CI until its own limit.
status=0
node --test --test-timeout=900000 "${files[@]}" || status=$?
if ((lint != 0)); then
  echo "test: biome check . failed (above); npx biome check --write . fixes most of it" >&2
  ((status != 0)) || status=1
fi
exit "$status"
