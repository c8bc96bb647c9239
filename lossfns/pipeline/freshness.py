"""Is an artefact what HEAD would produce? Its sources, its commit, its dirty flag.

A notebook's *sources* are the notebook itself and the files of every ``lossfns`` module it
imports, transitively (found with grimp, the import graph behind import-linter), so a change
to an unrelated module does not make its artefacts stale. The notebook's imports are read with
Python's own parser (every ``import`` and ``from ... import`` of every code cell, however the
lines follow each other). The traversal stops at the pipeline's bookkeeping modules
(:data:`BOOKKEEPING`): they read finished artefacts (staleness, the report, the site, the
identity check, the verdict recheck, the catalogue) and never run inside a notebook's
computation, so editing them changes no number a notebook writes. An artefact is

* **clean** when its provenance says the tree was clean when it was written;
* **current** when neither the notebook nor any of its sources changed since that commit
  (committed changes and uncommitted ones alike).

``python -m lossfns.run deps`` uses :func:`notebook_sources` to give Make the same, finer
dependencies.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import subprocess
from pathlib import Path

from .paths import repo_root

__all__ = ["BOOKKEEPING", "imported_modules", "notebook_sources", "artefact_status"]

#: pipeline modules that only read finished artefacts (or decide about runs): not sources of a
#: notebook's numbers, and the import traversal does not pass through them
BOOKKEEPING = frozenset(f"lossfns.pipeline.{m}" for m in ("freshness", "report", "site", "identity",
                                                          "recheck", "catalogue"))
#: IPython line magics and shell escapes are not Python: dropped before parsing a cell
_MAGIC = re.compile(r"^\s*[%!].*$", re.MULTILINE)


def imported_modules(notebook: Path) -> set[str]:
    """The ``lossfns`` modules a notebook's code cells import, read with :mod:`ast`
    (``from lossfns.x import y`` counts ``lossfns.x`` and ``lossfns.x.y``, which
    :func:`notebook_sources` keeps when it is a module). A cell that does not parse is an
    error naming the notebook and the cell: its imports cannot be known."""
    nb = json.loads(Path(notebook).read_text())
    mods = set()
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = _MAGIC.sub("", "".join(cell.get("source", "")))
        try:
            tree = ast.parse(src)
        except SyntaxError as exc:
            raise ValueError(f"{notebook}: code cell {i} does not parse ({exc.msg}, line {exc.lineno}): "
                             f"its imports cannot be read") from exc
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods |= {a.name for a in node.names if a.name.split(".")[0] == "lossfns"}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] == "lossfns":
                mods.add(node.module)
                mods |= {f"{node.module}.{a.name}" for a in node.names if a.name != "*"}
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
    todo = [m for m in imported_modules(notebook) if m in known and m not in BOOKKEEPING]
    mods = set(todo)
    while todo:   # the modules they import, transitively, not through the bookkeeping ones
        for dep in graph.find_modules_directly_imported_by(todo.pop()):
            if dep not in mods and dep not in BOOKKEEPING:
                mods.add(dep)
                todo.append(dep)
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
