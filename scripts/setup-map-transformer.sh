#!/usr/bin/env bash
# The Meltano SDK's inline mapper (PyPI meltano-map-transform, executable meltano-map-transform),
# pinned, in its own virtualenv .venv-map-transformer: the privacy test pipes our tap through it
# into our target (docs/privacy.md). Skipped when the pinned version is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAP_TRANSFORM_VERSION=0.12.3
venv=.venv-map-transformer
stamp=$venv/.wms-singer-setup
python=${PYTHON:-}
if [[ -z $python ]]; then
  for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys, venv; sys.exit(not (3, 10) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then
      python=$(command -v "$candidate")
      break
    fi
  done
fi
[[ -n $python ]] || { echo "setup: meltano-map-transform needs Python 3.10 to 3.13" >&2; exit 1; }
key="meltano-map-transform==$MAP_TRANSFORM_VERSION $("$python" --version)"
if [[ -f $stamp && $(cat "$stamp") == "$key" && -x $venv/bin/meltano-map-transform ]]; then exit 0; fi
echo "setup: $venv with meltano-map-transform==$MAP_TRANSFORM_VERSION" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "meltano-map-transform==$MAP_TRANSFORM_VERSION"
printf '%s' "$key" >"$stamp"
