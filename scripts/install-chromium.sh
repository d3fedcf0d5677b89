#!/usr/bin/env bash
# Installs Debian's chromium, which the wms-quality report test renders its HTML in (headless).
# Without it that test is reported as skipped, never as passed. Needs root and apt-get.
set -euo pipefail
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  echo "install-chromium: $(command -v chromium || command -v chromium-browser) is already there" >&2
  exit 0
fi
command -v apt-get >/dev/null || { echo "install-chromium: no apt-get here; install Chromium with this system's package manager" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "install-chromium: run it as root (apt-get install chromium)" >&2; exit 1; }
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
