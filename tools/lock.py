"""Regenerate requirements/lock.txt from pyproject.toml (``make lock``; needs the package registries).

    python3.11 tools/lock.py [--torch-index URL]   # --torch-index= : no extra index

Installs, into a clean temporary venv of this Python (3.11: the oldest the project supports,
environment.yml's ``python=3.11``), the newest releases that every range of pyproject.toml
allows: the core dependencies, every extra, and ``requirements/suite.in`` (what only the
suite needs, such as Keras' TensorFlow backend). Then ``pip check`` and ``pip freeze`` give the
exact pins, written with the lock's header in the lock's order. ``make lock`` then rewrites
environment.yml from the lock (tools/sync_environment.py). Review the diff before committing.

Torch comes from ``--torch-index`` too (default: PyTorch's CPU index, as an extra index): on
Linux, PyPI's torch is the CUDA build, whose NVIDIA packages would land in the lock and make it
uninstallable on macOS and Windows. The lock pins the public version (``torch==X``, no ``+cpu``),
which each platform's pip satisfies with its own build.

Never run by ``make test`` or CI; tests/test_environment.py tests :func:`render`,
:func:`parse_freeze` and :func:`top_level_requirements` offline.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
SUITE_IN = ROOT / "requirements" / "suite.in"
PYTHON = (3, 11)
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
HEADER = """\
# Exact lock for reproduction (pip constraints + requirements). Generated from a clean
# Python 3.11 venv; regenerate with 'make lock' (tools/lock.py: pyproject.toml's dependencies
# and extras plus requirements/suite.in). environment.yml mirrors these pins
# (tests/test_environment.py checks they agree).
"""
#: Distributions that only a CUDA build of torch pulls in: never in the lock (see the module doc).
CUDA_ONLY = re.compile(r"^(nvidia-.*|triton|cuda-.*)$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_lines(text: str) -> list[str]:
    """The requirement lines of a requirements file (no comments, no blank lines)."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def top_level_requirements(root: Path = ROOT) -> list[str]:
    """What the lock resolves: pyproject.toml's dependencies, every extra (less the ones that
    only name lossfns' own extras) and requirements/suite.in."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for items in project.get("optional-dependencies", {}).values():
        reqs += [r for r in items if _canonical(re.split(r"[\s\[<>=!~;]", r, 1)[0]) != "lossfns"]
    reqs += _requirement_lines((root / "requirements" / "suite.in").read_text())
    return list(dict.fromkeys(reqs))


def parse_freeze(text: str) -> list[str]:
    """``pip freeze`` output as lock lines ``name==version``: lossfns itself and editable or
    direct-URL entries dropped, local version labels (``+cpu``) dropped. Raises ValueError for
    a CUDA-only package (a CUDA build of torch was installed) or a line that is no exact pin."""
    pins = []
    for line in _requirement_lines(text):
        if line.startswith("-e ") or " @ " in line:
            name = line.split(" @ ", 1)[0] if " @ " in line else ""
            if name and _canonical(name) != "lossfns":
                raise ValueError(f"pip freeze: {line!r} is installed from a URL, not a release: "
                                 f"the lock pins releases only")
            continue
        name, sep, version = line.partition("==")
        if not sep or not version:
            raise ValueError(f"pip freeze: expected 'name==version', got {line!r}")
        if _canonical(name) == "lossfns":
            continue
        if CUDA_ONLY.match(_canonical(name)):
            raise ValueError(f"pip freeze: {name} belongs to a CUDA build of torch; lock with the "
                             f"CPU build (--torch-index {CPU_TORCH_INDEX})")
        pins.append(f"{name}=={version.split('+', 1)[0]}")
    return pins


def render(pins: list[str]) -> str:
    """The lock file: :data:`HEADER`, then the pins case-insensitively by name (``_`` as ``-``)."""
    return HEADER + "".join(f"{p}\n" for p in sorted(pins, key=lambda p: p.lower().replace("_", "-")))


def _run(cmd: list, **kw) -> str:
    print("+", " ".join(map(str, cmd)), file=sys.stderr)
    return subprocess.run([str(c) for c in cmd], check=True, text=True, **kw).stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="tools/lock.py", description=__doc__.split("\n")[0])
    ap.add_argument("--torch-index", default=CPU_TORCH_INDEX,
                    help=f"extra index for torch's CPU build (default {CPU_TORCH_INDEX}; '' for none)")
    ap.add_argument("--output", type=Path, default=LOCK, help="where to write the lock")
    args = ap.parse_args(argv)
    if sys.version_info[:2] != PYTHON:
        print(f"error: the lock is generated with Python {PYTHON[0]}.{PYTHON[1]}, this is "
              f"{sys.version.split()[0]}: make lock PYTHON=python{PYTHON[0]}.{PYTHON[1]}", file=sys.stderr)
        return 2
    reqs = top_level_requirements()
    with tempfile.TemporaryDirectory(prefix="lossfns-lock-") as tmp:
        venv = Path(tmp) / "venv"
        _run([sys.executable, "-m", "venv", venv])
        py = venv / "bin" / "python"
        try:
            _run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
            index = ["--extra-index-url", args.torch_index] if args.torch_index else []
            _run([py, "-m", "pip", "install", "--quiet", *index, *reqs])
            _run([py, "-m", "pip", "check"])
            frozen = _run([py, "-m", "pip", "freeze"], capture_output=True)
        except subprocess.CalledProcessError as exc:
            print(f"error: {' '.join(map(str, exc.cmd[2:4]))} failed (exit {exc.returncode}); "
                  f"{args.output} is unchanged", file=sys.stderr)
            return 1
    try:
        text = render(parse_freeze(frozen))
    except ValueError as exc:
        print(f"error: {exc}; {args.output} is unchanged", file=sys.stderr)
        return 1
    args.output.write_text(text)
    print(f"wrote {args.output} ({text.count(chr(10)) - HEADER.count(chr(10))} pins)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
