"""The lock file, environment.yml, pyproject.toml, the Makefile's set-up and the README never
disagree; the environment's stamp follows the lock's content; `make test` installs no system
package; `make lock` (tools/lock.py) writes the lock exactly as it is committed.

The Makefile tests run GNU Make on a copy of the Makefile, pyproject.toml and the lock in a
temporary folder, in question (``-q``) or dry-run (``-n``) mode: nothing is installed.
"""

import hashlib
import importlib.metadata as md
import importlib.util
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"


def _load_lock_tool():
    spec = importlib.util.spec_from_file_location("lock_tool", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock_tool = _load_lock_tool()


def lock_pins() -> dict:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"lock entry not exact: {line}"
            pins[req.name.lower().replace("_", "-")] = spec.version
    return pins


def test_environment_yml_has_the_same_pins_as_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {}
    for line in pip_section:
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        pins[req.name.lower().replace("_", "-")] = next(iter(req.specifier)).version
    assert pins == lock_pins()
    assert "python=3.11" in env["dependencies"]


def test_lock_satisfies_pyproject_ranges():
    """Every range of pyproject.toml (dependencies, every extra) and of requirements/suite.in."""
    pins = lock_pins()
    reqs = lock_tool.top_level_requirements()
    assert any(r.startswith("tensorflow-cpu") for r in reqs), "suite.in: the suite's Keras backend"
    for line in reqs:
        req = Requirement(line)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} (pyproject or suite.in) is not in the lock"
        assert req.specifier.contains(pins[name]), \
            f"lock pins {name}=={pins[name]}, pyproject or suite.in wants {req.specifier}"


def test_keras_extra_leaves_the_backend_to_the_user():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert [Requirement(r).name for r in extras["keras"]] == ["keras"]
    assert "tensorflow-cpu" in lock_pins(), "the suite's lock keeps TensorFlow as Keras' backend"


def _closure(requirements: list[str]) -> set[str]:
    """Canonical names of the installed distributions that ``requirements`` need, transitively
    (extras and environment markers evaluated here)."""
    extras_of: dict[str, set[str]] = {}
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in extras_of and set(req.extras) <= extras_of[name]:
            continue
        extras = extras_of.setdefault(name, set())
        extras |= set(req.extras)
        for text in md.distribution(name).requires or []:
            dep = Requirement(text)
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in {"", *extras}):
                todo.append(Requirement(str(dep).split(";", 1)[0]))
    return set(extras_of)


def test_lock_is_exactly_what_pyproject_and_suite_in_need():
    """What tools/lock.py resolves is what the lock holds: nothing missing, nothing stray
    (pip freeze leaves out pip, setuptools and wheel, and so does the lock)."""
    needed = _closure(lock_tool.top_level_requirements()) - {"pip", "setuptools", "wheel"}
    assert needed == set(lock_pins())


def test_lock_file_is_what_make_lock_writes():
    """The committed lock, header and order included, is tools/lock.py's rendering of its pins
    (whatever order pip freeze lists them in); its header names 'make lock', which runs that tool
    (test_make_lock_runs_the_lock_tool_then_rewrites_environment_yml)."""
    text = LOCK.read_text()
    pins = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lock_tool.render(lock_tool.parse_freeze("\n".join(reversed(pins)))) == text
    assert "regenerate with 'make lock'" in text


def test_parse_freeze_keeps_releases_only():
    frozen = "\n".join([
        "# a comment", "Jinja2==3.1.6", "torch==2.13.0+cpu", "tensorflow_cpu==2.21.0",
        "lossfns @ file:///work/main", "-e git+https://example.invalid/lossfns.git@abc#egg=lossfns",
        "lossfns==0.1.0", ""])
    assert lock_tool.parse_freeze(frozen) == ["Jinja2==3.1.6", "torch==2.13.0", "tensorflow_cpu==2.21.0"]
    for bad, says in [("nvidia-cublas-cu12==12.8.4.1", "CUDA build of torch"),
                      ("triton==3.5.0", "CUDA build of torch"),
                      ("numpy @ file:///tmp/numpy.whl", "not a release"),
                      ("numpy>=2", "expected 'name==version'")]:
        with pytest.raises(ValueError, match=says):
            lock_tool.parse_freeze(bad)


def test_top_level_requirements_are_every_extra_and_suite_in(tmp_path):
    (tmp_path / "requirements").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "lossfns"\ndependencies = ["numpy>=1.24"]\n'
        '[project.optional-dependencies]\na = ["scipy>=1.10"]\nb = ["scipy>=1.10", "keras>=3.0"]\n'
        'all = ["lossfns[a,b]"]\n')
    (tmp_path / "requirements" / "suite.in").write_text("# why\n\ntensorflow-cpu>=2.16  # backend\n")
    assert lock_tool.top_level_requirements(tmp_path) == [
        "numpy>=1.24", "scipy>=1.10", "keras>=3.0", "tensorflow-cpu>=2.16"]


# --- the Makefile -------------------------------------------------------------------------

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="GNU Make is not installed")


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The Makefile with the files its set-up reads, in a folder of their own."""
    (tmp_path / "requirements").mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements/lock.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VENV", "PYTHON", "TORCH_INDEX")}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60)


def _stamp(folder: Path) -> Path:
    digest = hashlib.sha256((folder / "pyproject.toml").read_bytes()
                            + (folder / "requirements" / "lock.txt").read_bytes()).hexdigest()
    return folder / ".venv" / f".installed-{digest}"


@needs_make
def test_environment_stamp_follows_the_locks_content(checkout):
    assert _make(checkout, "-q", "setup").returncode == 1, "a fresh clone installs"
    stamp = _stamp(checkout)
    stamp.parent.mkdir()
    stamp.touch()
    assert _make(checkout, "-q", "setup").returncode == 0, "installed: nothing to do"
    # a git checkout rewrites the files (newer than the stamp), same content: still nothing to do
    earlier = (checkout / "requirements" / "lock.txt").stat().st_mtime - 3600
    os.utime(stamp, (earlier, earlier))
    assert _make(checkout, "-q", "setup").returncode == 0, "a newer, identical lock reinstalled"
    # a changed lock (or pyproject.toml) installs again
    lock = checkout / "requirements" / "lock.txt"
    lock.write_text(lock.read_text().replace("tabulate==", "tabulate==9"))
    assert _make(checkout, "-q", "setup").returncode == 1, "a changed lock was not installed"
    assert not _stamp(checkout).exists()


def _fake_python(folder: Path) -> Path:
    """An interpreter that only logs its arguments (one call a line) and succeeds, standing in
    for both $(PYTHON) and .venv/bin/python: `make setup` runs for real, installing nothing."""
    fake = folder / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{folder / "calls.log"}"\n')
    fake.chmod(0o755)
    return fake


@needs_make
def test_setup_installs_the_lock_then_stamps_its_hash(checkout):
    fake = _fake_python(checkout)
    old = checkout / ".venv" / ".installed-0123"
    old.touch()
    run = _make(checkout, "setup", f"PYTHON={fake}")
    assert run.returncode == 0, run.stderr
    calls = (checkout / "calls.log").read_text().splitlines()
    pip = [c for c in calls if c.startswith("-m pip install")]
    assert pip == ["-m pip install --quiet --upgrade pip",
                   "-m pip install --quiet -r requirements/lock.txt",
                   "-m pip install --quiet --no-deps --no-build-isolation -e ."]
    assert "--extra-index-url" not in "\n".join(calls), "no TORCH_INDEX: PyPI only"
    stamp = _stamp(checkout)
    assert stamp.exists() and not old.exists(), "the previous lock's stamp is forgotten"
    assert (checkout / ".venv" / ".installed").read_text().strip() == stamp.name.split("-", 1)[1]
    assert _make(checkout, "-q", "setup", f"PYTHON={fake}").returncode == 0


@needs_make
def test_torch_index_installs_torch_alone_from_the_extra_index_first(checkout):
    fake = _fake_python(checkout)
    url = "https://torch-index.invalid/whl/cpu"
    run = _make(checkout, "setup", f"PYTHON={fake}", f"TORCH_INDEX={url}")
    assert run.returncode == 0, run.stderr
    pip = [c for c in (checkout / "calls.log").read_text().splitlines() if c.startswith("-m pip install")]
    assert pip[1:3] == [f"-m pip install --quiet -c requirements/lock.txt --extra-index-url {url} torch",
                        "-m pip install --quiet -r requirements/lock.txt"]
    assert sum(url in c for c in pip) == 1


@needs_make
def test_make_lock_runs_the_lock_tool_then_rewrites_environment_yml(checkout):
    fake = _fake_python(checkout)
    run = _make(checkout, "lock", f"PYTHON={fake}", "LOCK_ARGS=--torch-index=")
    assert run.returncode == 0, run.stderr
    assert (checkout / "calls.log").read_text().splitlines() == [
        "tools/lock.py --torch-index=", "tools/sync_environment.py"]


@needs_make
def test_make_test_installs_no_system_package(checkout):
    stamp = _stamp(checkout)
    stamp.parent.mkdir()
    stamp.touch()
    test = _make(checkout, "-n", "test")
    assert test.returncode == 0, test.stderr
    assert "-m pytest tests" in test.stdout and "--nbval notebooks" in test.stdout
    assert "apt-get" not in test.stdout and "chromium" not in test.stdout
    assert "tools/lock.py" not in test.stdout, "make test never re-locks"
    assert "apt-get install -y -qq chromium" in _make(checkout, "-n", "browser").stdout


def test_ci_installs_the_browser_explicitly_before_the_tests_and_never_locks():
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip().startswith("make")]
    assert steps == ["make browser", "make test"]


# --- the README ----------------------------------------------------------------------------

def test_readme_counts_the_notebooks():
    readme = (ROOT / "README.md").read_text()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    totals = [int(n) for n in re.findall(r"\ball (\d+) notebooks\b", readme)]
    assert totals and set(totals) == {len(notebooks)}
    per_document = re.findall(r"\*\*(\d{3})\*\* \([^)]*?(\d+) notebooks", readme)
    assert {doc for doc, _ in per_document} == {"000", "001", "002", "003"}
    for doc, count in per_document:
        assert int(count) == len([nb for nb in notebooks if nb.name.startswith(f"{doc}-")]), doc


def test_readme_says_which_torch_the_lock_installs():
    """The lock pins the public torch release (PyPI's CUDA build on Linux): the README says so
    and names the Make variable that chooses the CPU build, which the Makefile honours."""
    readme = " ".join((ROOT / "README.md").read_text().split())
    pin = lock_pins()["torch"]
    assert "+" not in pin, "the lock pins the public version, each platform's pip picks its build"
    assert f"torch=={pin}" in readme and "CUDA build" in readme
    assert "make setup TORCH_INDEX=https://download.pytorch.org/whl/cpu" in readme
    assert "TORCH_INDEX ?=" in (ROOT / "Makefile").read_text()
    assert "CPU wheel" not in readme, "the lock does not install a CPU wheel everywhere"
