"""Is an artefact what HEAD would produce? Its sources, its commit, its dirty flag.

A notebook's *sources* are the notebook itself and the files of every ``lossfns`` module it
imports, transitively (found with grimp, the import graph behind import-linter), so a change
to an unrelated module does not make its artefacts stale. An artefact is

* **clean** when its provenance says the tree was clean when it was written;
* **current** when neither the notebook nor any of its sources changed since that commit
  (committed changes and uncommitted ones alike).

``python -m lossfns.run deps`` uses :func:`notebook_sources` to give Make the same, finer
dependencies.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from pathlib import Path

from .paths import repo_root

__all__ = ["imported_modules", "notebook_sources", "artefact_status"]

_IMPORT = re.compile(r"^\s*(?:from\s+(lossfns(?:\.\w+)*)\s+import\s+([\w\s,()*]+)|import\s+(lossfns(?:\.\w+)*))",
                     re.MULTILINE)


def imported_modules(notebook: Path) -> set[str]:
    """The ``lossfns`` modules a notebook's code cells import (``from lossfns.x import y``
    counts ``lossfns.x`` and, when it exists, ``lossfns.x.y``)."""
    nb = json.loads(Path(notebook).read_text())
    code = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", [])
                     if c.get("cell_type") == "code")
    mods = set()
    for m in _IMPORT.finditer(code):
        if m.group(3):
            mods.add(m.group(3))
            continue
        mods.add(m.group(1))
        for name in re.split(r"[\s,()]+", m.group(2)):
            if name and name != "*":
                mods.add(f"{m.group(1)}.{name}")
    return mods


@functools.lru_cache(maxsize=4)
def _graph(root: str):
    import grimp
    return grimp.build_graph("lossfns", cache_dir=None)


def _module_file(module: str, root: Path) -> Path | None:
    base = root / Path(*module.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.exists():
            return cand
    return None


def notebook_sources(notebook: Path, root: Path | None = None) -> list[Path]:
    """The notebook and the files of every ``lossfns`` module it imports, transitively
    (package ``__init__`` files of those modules included), sorted."""
    root = root or repo_root()
    graph = _graph(str(root))
    known = set(graph.modules)
    start = {m for m in imported_modules(notebook) if m in known}
    mods = set(start)
    for m in start:
        mods |= graph.find_upstream_modules(m)
    for m in list(mods):  # importing a.b.c runs a/__init__ and a/b/__init__
        parts = m.split(".")
        mods |= {".".join(parts[:i]) for i in range(1, len(parts))}
    files = {f for m in mods if (f := _module_file(m, root)) is not None}
    return sorted({Path(notebook).resolve(), *(f.resolve() for f in files)})


def _git(root: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)


def artefact_status(manifest: Path, notebook: Path, root: Path | None = None) -> dict:
    """``{"commit", "dirty", "stale", "changed"}`` of the artefacts listed by ``manifest``:
    ``changed`` lists the sources that differ between the artefacts' commit and the working
    tree (``stale`` when non-empty; unknown commit counts as stale)."""
    root = root or repo_root()
    prov = json.loads(Path(manifest).read_text())
    commit, dirty = prov.get("git_commit"), prov.get("git_dirty")
    sources = [str(p.relative_to(root)) for p in notebook_sources(notebook, root)]
    if not commit or _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        return {"commit": commit, "dirty": dirty, "stale": True, "changed": ["(unknown commit)"]}
    out = _git(root, "diff", "--name-only", commit, "--", *sources)
    changed = sorted(set(out.stdout.split()))
    return {"commit": commit, "dirty": bool(dirty), "stale": bool(changed), "changed": changed}
