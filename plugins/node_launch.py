"""Console scripts that replace themselves with the Node.js program of the same name.

Meltano installs one tiny Python package per Singer executable (see plugins/*/pyproject.toml);
each package links this file as its only module. The console script execs Node, so stdin,
stdout, stderr, signals and the exit code belong to the Node program: this file prints
nothing on success and one line on stderr (exit 2) when the checkout is not set up.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import NoReturn

# Written by scripts/setup.sh after `npm ci`: the node whose ABI the native modules
# (better-sqlite3) were compiled for. A different node on PATH would fail to load them.
NODE_RECORD = Path("node_modules") / ".wms-singer-node.json"


def _fail(executable: str, message: str) -> NoReturn:
    sys.stderr.write(f"{executable}: {message}\n")
    sys.exit(2)


def _project_root(executable: str) -> Path | None:
    # An editable install (pip_url: -e ./plugins/...) leaves this file inside the checkout,
    # which also serves Meltano projects kept elsewhere; MELTANO_PROJECT_ROOT covers the
    # non-editable install from this project.
    candidates = [os.environ.get("WMS_SINGER_HOME"), *Path(__file__).resolve().parents]
    candidates.append(os.environ.get("MELTANO_PROJECT_ROOT"))
    for candidate in candidates:
        if candidate and (Path(candidate) / "packages" / executable / "package.json").is_file():
            return Path(candidate)
    return None


def _node(executable: str, root: Path) -> str | None:
    explicit = os.environ.get("WMS_SINGER_NODE")
    if explicit:
        found = shutil.which(explicit)
        if found is None:
            _fail(executable, f"WMS_SINGER_NODE={explicit} is not an executable")
        return found
    try:
        recorded = json.loads((root / NODE_RECORD).read_text())["execPath"]
        if os.access(recorded, os.X_OK):
            return str(recorded)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return shutil.which("node")


def launch(executable: str) -> NoReturn:
    root = _project_root(executable)
    if root is None:
        _fail(executable, "cannot find the wms-singer checkout (set WMS_SINGER_HOME); run scripts/setup.sh first")
    entry = root / "packages" / executable / "dist" / "src" / "cli.js"
    if not entry.is_file():
        _fail(executable, f"{entry} is missing; run scripts/setup.sh first")
    node = _node(executable, root)
    if node is None:
        _fail(executable, "node is not on PATH; install Node.js 20 and run scripts/setup.sh")
    # Python ignores SIGPIPE and an ignored signal survives exec; give Node the default back.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execv(node, [node, *_node_flags(root, executable), str(entry), *sys.argv[1:]])


def _node_flags(root: Path, executable: str) -> list[str]:
    """The Node flags the package asks for (package.json "wmsSinger": {"nodeFlags": [...]})."""
    try:
        package = json.loads((root / "packages" / executable / "package.json").read_text())
        flags = package.get("wmsSinger", {}).get("nodeFlags", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [flag for flag in flags if isinstance(flag, str) and flag.startswith("--")]


def tap_oracle_wms() -> NoReturn:
    launch("tap-oracle-wms")


def target_oracle() -> NoReturn:
    launch("target-oracle")
