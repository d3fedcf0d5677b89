#!/usr/bin/env bash
# Sets up what the tests need (scripts/setup.sh), lints, then runs every compiled test file
# in ONE node test runner so there is one closing summary. The exit code is the runner's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

echo "test: biome check ." >&2
npx --no-install biome check .

mapfile -t files < <(find packages/*/dist/test test/dist -name '*.test.js' -type f 2>/dev/null | sort)
if ((${#files[@]} == 0)); then
  echo "test: no compiled test files (*.test.js) under packages/*/dist/test or test/dist" >&2
  exit 1
fi
echo "test: node --test over ${#files[@]} files" >&2
exec node --test "${files[@]}"
