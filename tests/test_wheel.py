"""lossfns installed from its wheel, outside the checkout: the registry and the small datasets
travel as package data, ``import lossfns`` and the NumPy losses need NumPy only.

The slow test builds the wheel from the repository root (offline: ``--no-build-isolation``),
creates a plain venv (no system site-packages, no pip: the parent's pip installs into it with
``--python``) and, since nothing may be downloaded, exposes to it the parent venv's
*already installed* copies of exactly the distributions it is allowed to see: a folder of
symlinks to their files (found through their RECORD), put on the child's ``sys.path`` by a
``.pth`` file. Stage 1 exposes NumPy alone and installs the wheel with ``--no-index`` (so pip
proves that NumPy is the only dependency); stage 2 adds the closure of the ``data`` extra and
installs ``lossfns[data]`` the same way (pip proves the extra is complete), then loads Sonar.
The wheel carries the MIT licence; the replication pipeline refuses to run from it (it needs a
checkout: ``lossfns.pipeline.paths.repo_root``) and writes nothing, neither into site-packages
nor where it was started.
"""
from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

reg = importlib.import_module("lossfns.datasets.registry")  # the package exports registry()

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_copies_are_identical_to_data():
    """The package data are copies of data/: a change there must be copied (and vice versa)."""
    for name in reg.SHIPPED_FILES:
        assert (ROOT / "data" / name).read_bytes() == (reg.PACKAGE_DATA_DIR / name).read_bytes(), \
            f"lossfns/datasets/data/{name} differs from data/{name}: cp data/{name} lossfns/datasets/data/"
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert listed["lossfns.datasets"] == [f"data/{n}" for n in reg.SHIPPED_FILES]
    assert reg.REPO_DATA_DIR == ROOT / "data", "in a checkout, data/ is read"


def _closure(names: list[str]) -> list[md.Distribution]:
    """The installed distributions ``names`` and everything they require (no extras)."""
    seen: dict[str, md.Distribution] = {}
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        dist = seen[name] = md.distribution(name)
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return list(seen.values())


def _expose(names: list[str], folder: Path) -> list[str]:
    """Symlink into ``folder`` the top-level files of the installed distributions ``names``
    and their dependencies (from the parent venv). Returns the distributions exposed."""
    folder.mkdir(parents=True)
    dists = _closure(names)
    for dist in dists:
        assert dist.files, f"{dist.metadata['Name']}: no RECORD, cannot tell its files"
        for top in {f.parts[0] for f in dist.files if f.parts[0] not in ("..", "__pycache__")}:
            link = folder / top
            if not link.exists():
                link.symlink_to(Path(dist.locate_file(top)))
    return sorted(d.metadata["Name"] for d in dists)


def _run(cmd, **kw) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


CORE = """
import sys, numpy as np, lossfns
print(lossfns.__file__)
loss = lossfns.xtreme_margin(np.array([0.2, 0.9]), np.array([0, 1]), lam1=100, lam2=100)
assert abs(float(loss) - 0.021205821205821207) < 1e-12, loss
heavy = sorted({"pandas", "scipy", "sklearn", "torch", "tensorflow", "matplotlib"} & set(sys.modules))
assert not heavy, heavy
try:
    import pandas
except ImportError:
    print("pandas: not installed")
"""

DATA = """
import lossfns.datasets as ds
sonar = ds.load_dataset("sonar")
iono = ds.load_dataset("ionosphere")
assert sonar.X.shape == (208, 60) and int(sonar.y.sum()) == 111, sonar
assert iono.X.shape == (351, 34) and int(iono.y.sum()) == 225, iono
print(sonar.metadata["source"])
print(ds.registry()["sonar"]["licence"])
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from the repository root without network."""
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", "-q", "-w", dist, "."], cwd=ROOT)
    (built,) = dist.glob("lossfns-*.whl")
    return built


def _venv_with_wheel(tmp_path: Path, wheel: Path):
    """A plain venv that sees neither the repository nor the parent's packages, NumPy exposed
    (pip must find every dependency satisfied), the wheel installed. Returns
    (python, site-packages, environment, a folder outside the checkout, pip install command)."""
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    py = venv / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("LOSSFNS_")}
    env.update(PYTHONNOUSERSITE="1", LOSSFNS_CACHE_DIR=str(tmp_path / "cache"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = [sys.executable, "-m", "pip", "--python", py, "install", "--no-index", "--no-cache-dir", "-q"]
    assert _expose(["numpy"], tmp_path / "core") == ["numpy"]
    (site / "parent-core.pth").write_text(f"{tmp_path / 'core'}\n")
    _run([*pip, wheel], env=env, cwd=outside)
    return py, site, env, outside, pip


@pytest.mark.slow
def test_wheel_works_outside_the_checkout(wheel, tmp_path):
    # 1. the wheel carries the package data
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert {f"lossfns/datasets/data/{n}" for n in reg.SHIPPED_FILES} <= names

    # 2.-3. a plain venv with NumPy alone: import lossfns + a NumPy loss
    py, site, env, outside, pip = _venv_with_wheel(tmp_path, wheel)
    out = _run([py, "-c", CORE], env=env, cwd=outside).splitlines()
    assert Path(out[0]).is_relative_to(site) and out[1] == "pandas: not installed"

    # 4. the data extra's packages, then load the shipped datasets from the package data
    extra = [Requirement(line.split(":", 1)[1].strip()) for line in metadata.splitlines()
             if line.startswith("Requires-Dist:") and 'extra == "data"' in line]
    assert {r.name for r in extra} >= {"pandas"}
    exposed = _expose([r.name for r in extra], tmp_path / "data-extra")
    assert "pandas" in exposed and "torch" not in exposed
    (site / "parent-data-extra.pth").write_text(f"{tmp_path / 'data-extra'}\n")
    _run([*pip, f"{wheel}[data]"], env=env, cwd=outside)
    out = _run([py, "-c", DATA], env=env, cwd=outside).splitlines()
    assert Path(out[0]) == site / "lossfns" / "datasets" / "data" / "sonar.all-data"
    assert out[1] == "CC BY 4.0"


@pytest.mark.slow
def test_wheel_carries_the_licence(wheel):
    """The MIT licence of pyproject.toml's ``license`` travels in the wheel's dist-info."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert len(licence) == 1, sorted(n for n in names if ".dist-info/" in n)
        assert zf.read(licence[0]) == (ROOT / "LICENSE").read_bytes()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    headers = dict(line.split(": ", 1) for line in metadata.split("\n\n", 1)[0].splitlines()
                   if ": " in line)
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert headers["License-Expression"] == expected
    assert headers["License-File"] == "LICENSE"


def test_licence_file_is_the_mit_licence_of_the_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the lossfns authors" in text
    assert "Permission is hereby granted, free of charge" in text


def test_repo_root_in_the_checkout():
    paths = importlib.import_module("lossfns.pipeline.paths")
    assert paths.repo_root() == ROOT


def test_repo_root_refuses_a_folder_that_is_no_checkout(tmp_path):
    """paths.py as a wheel lays it out (site-packages/lossfns/pipeline/paths.py, no checkout
    around it): repo_root raises, naming what is missing; the library part never calls it."""
    site = tmp_path / "site-packages"
    (site / "lossfns" / "pipeline").mkdir(parents=True)
    copy = site / "lossfns" / "pipeline" / "paths.py"
    shutil.copy(ROOT / "lossfns" / "pipeline" / "paths.py", copy)
    spec = importlib.util.spec_from_file_location("wheel_paths", copy)
    paths = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(paths)
    with pytest.raises(paths.NotACheckoutError) as info:
        paths.repo_root()
    message = str(info.value)
    assert "runs from a git checkout of lossfns" in message and "losses only" in message
    assert str(site) in message and "pyproject.toml" in message and "notebooks" in message
    with pytest.raises(paths.NotACheckoutError):
        paths.results_dir("quick", "000-3_xtreme_margin_loss")
    # an explicit root (tests, sweeps) needs no checkout
    assert paths.results_dir("quick", "nb", root=tmp_path) == tmp_path / "results" / "quick" / "nb"
    written = sorted(p for p in tmp_path.rglob("*") if "__pycache__" not in p.parts)
    assert written == sorted([site, site / "lossfns", site / "lossfns" / "pipeline", copy])


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder`` (symlinks not followed): path -> (size, mtime)."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        found[str(path.relative_to(folder))] = (st.st_size if path.is_file() else 0, st.st_mtime_ns)
    return found


@pytest.mark.slow
def test_pipeline_refuses_to_run_from_the_wheel(wheel, tmp_path):
    """``python -m lossfns.run`` from the installed wheel stops with the checkout message, exit
    1 and no traceback, and writes nothing: not into site-packages (no build/, figures/,
    results/ beside the package), not where it was started."""
    py, site, env, outside, _ = _venv_with_wheel(tmp_path, wheel)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    notebook = outside / "000-3_xtreme_margin_loss.ipynb"
    shutil.copy(ROOT / "notebooks" / notebook.name, notebook)
    before = _files(tmp_path)
    for args in (["execute", notebook, "--profile", "quick"], ["stale", "--profile", "full"]):
        proc = subprocess.run([str(c) for c in [py, "-m", "lossfns.run", *args]], env=env,
                              cwd=outside, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "error: the replication pipeline runs from a git checkout of lossfns" in proc.stderr
        assert "offers the losses only" in proc.stderr and str(site) in proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
    assert _files(tmp_path) == before
    assert not {"build", "figures", "results", "reports", ".make"} & {p.name for p in site.iterdir()}
    # the library part still works from the same install
    out = _run([py, "-c", CORE], env=env, cwd=outside).splitlines()
    assert Path(out[0]).is_relative_to(site)
