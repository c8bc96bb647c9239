"""A notebook's sources (lossfns.pipeline.freshness): every lossfns import of its cells, however
the lines follow each other, and nothing reached only through the bookkeeping modules."""

from pathlib import Path

import nbformat
import pytest

from lossfns.pipeline import freshness, report


def _notebook(tmp_path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def _source_files(nb: Path) -> set[str]:
    """The repository files among a notebook's sources, relative to the repository root."""
    root = Path(freshness.__file__).resolve().parents[2]
    return {p.relative_to(root).as_posix() for p in freshness.notebook_sources(nb, root) if root in p.parents}


def test_consecutive_import_lines_are_all_read(tmp_path):
    # the former regex swallowed the line after a `from ... import name` (the 003-3 notebook
    # missed its torch-btg, plots and claims modules, so their changes left it "current")
    nb = _notebook(tmp_path, "import numpy as np\n"
                             "from lossfns.datasets import load_mammography\n"
                             "from lossfns.experiments.doc003 import btg as B, plots\n"
                             "from lossfns import verdicts as vt\n"
                             "%matplotlib inline\n"
                             "from lossfns.pipeline.artifacts import start_run\n"
                             "import lossfns.metrics")
    mods = freshness.imported_modules(nb)
    assert {"lossfns.datasets", "lossfns.datasets.load_mammography", "lossfns.experiments.doc003",
            "lossfns.experiments.doc003.btg", "lossfns.experiments.doc003.plots", "lossfns.verdicts",
            "lossfns.pipeline.artifacts", "lossfns.metrics"} <= mods
    assert not any(m.startswith("numpy") for m in mods)


def test_sources_follow_imports_transitively_but_not_through_bookkeeping(tmp_path):
    files = _source_files(_notebook(tmp_path, "from lossfns.experiments.doc003 import btg as B\n"
                                              "from lossfns.pipeline.artifacts import start_run"))
    # doc003.btg imports doc003.tabular, which imports the soft-set losses; importing a module of
    # a document's subpackage runs the package __init__ files on the way
    assert {"lossfns/experiments/doc003/btg.py", "lossfns/experiments/doc003/tabular.py",
            "lossfns/experiments/doc003/__init__.py", "lossfns/experiments/__init__.py",
            "lossfns/losses/softset/losses.py", "lossfns/pipeline/artifacts.py"} <= files
    # the other modules of the same document are not sources (the package __init__ imports none)
    assert not files & {"lossfns/experiments/doc003/plots.py", "lossfns/experiments/doc003/images.py"}
    # the report and the staleness check read finished artefacts: never a notebook's source
    assert not files & {"lossfns/pipeline/report.py", "lossfns/pipeline/freshness.py", "lossfns/pipeline/site.py"}


def test_a_cell_that_does_not_parse_is_named(tmp_path):
    nb = _notebook(tmp_path, "from lossfns import metrics", "def broken(:\n    pass")
    with pytest.raises(ValueError, match=r"code cell 1 does not parse"):
        freshness.imported_modules(nb)


def test_sources_of_a_module_imported_from_a_document_subpackage(tmp_path):
    # `from lossfns.experiments.doc000.protocols import PRESETS` names the module, not the package
    files = _source_files(_notebook(tmp_path, "from lossfns.experiments.doc000.protocols import PRESETS\n"
                                              "from lossfns.experiments.doc000 import claims as vt"))
    # doc000.claims imports doc000.checks and lossfns.verdicts
    assert {"lossfns/experiments/doc000/protocols.py", "lossfns/experiments/doc000/claims.py",
            "lossfns/experiments/doc000/checks.py", "lossfns/experiments/doc000/__init__.py",
            "lossfns/verdicts.py"} <= files
    assert "lossfns/experiments/doc000/plots.py" not in files


def _git(root: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


def test_report_keeps_a_run_current_when_only_outputs_were_refreshed(tmp_path):
    # nbval's reference outputs are re-executed (e.g. on another CPU) without changing what a
    # full run executes: the run stays current; a changed source or parameters tag makes it stale
    import json

    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("print(seed + 1)")]
    path = root / "notebooks" / "nb.ipynb"
    nbformat.write(nb, path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "nb")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"git_commit": _git(root, "rev-parse", "HEAD"), "git_dirty": False}))

    assert report.artefact_freshness(manifest, path, root)["stale"] is False
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells[1].execution_count = 7
    nbformat.write(nb, path)
    assert report.artefact_freshness(manifest, path, root) == {
        "commit": _git(root, "rev-parse", "HEAD"), "dirty": False, "stale": False, "changed": []}
    nb.cells[0].metadata["tags"] = []
    nbformat.write(nb, path)
    assert report.artefact_freshness(manifest, path, root)["changed"] == ["notebooks/nb.ipynb"]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.cells[1].source = "print(seed + 2)"
    nbformat.write(nb, path)
    assert report.artefact_freshness(manifest, path, root)["stale"] is True
