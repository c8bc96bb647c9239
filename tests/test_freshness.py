"""A notebook's sources (lossfns.pipeline.freshness): every lossfns import of its cells, however
the lines follow each other, and nothing reached only through the bookkeeping modules."""

from pathlib import Path

import nbformat
import pytest

from lossfns.pipeline import freshness


def _notebook(tmp_path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_consecutive_import_lines_are_all_read(tmp_path):
    # the former regex swallowed the line after a `from ... import name` (the 003-3 notebook
    # missed paper003_btg, plots003 and verdicts000_training, so their changes left it "current")
    nb = _notebook(tmp_path, "import numpy as np\n"
                             "from lossfns.datasets import load_mammography\n"
                             "from lossfns.experiments import paper003_btg as B, plots003, verdicts000_training as vt\n"
                             "%matplotlib inline\n"
                             "from lossfns.pipeline.artifacts import start_run\n"
                             "import lossfns.metrics")
    mods = freshness.imported_modules(nb)
    assert {"lossfns.datasets", "lossfns.datasets.load_mammography", "lossfns.experiments.paper003_btg",
            "lossfns.experiments.plots003", "lossfns.experiments.verdicts000_training",
            "lossfns.pipeline.artifacts", "lossfns.metrics"} <= mods
    assert not any(m.startswith("numpy") for m in mods)


def test_sources_follow_imports_transitively_but_not_through_bookkeeping(tmp_path):
    nb = _notebook(tmp_path, "from lossfns.experiments import paper003_btg as B\n"
                             "from lossfns.pipeline.artifacts import start_run")
    root = Path(freshness.__file__).resolve().parents[2]
    files = {p.relative_to(root).as_posix() for p in freshness.notebook_sources(nb, root) if root in p.parents}
    # paper003_btg imports paper003_tabular, which imports the soft-set losses
    assert {"lossfns/experiments/paper003_btg.py", "lossfns/experiments/paper003_tabular.py",
            "lossfns/losses/softset/losses.py", "lossfns/pipeline/artifacts.py"} <= files
    # the report and the staleness check read finished artefacts: never a notebook's source
    assert not files & {"lossfns/pipeline/report.py", "lossfns/pipeline/freshness.py", "lossfns/pipeline/site.py"}


def test_a_cell_that_does_not_parse_is_named(tmp_path):
    nb = _notebook(tmp_path, "from lossfns import metrics", "def broken(:\n    pass")
    with pytest.raises(ValueError, match=r"code cell 1 does not parse"):
        freshness.imported_modules(nb)
