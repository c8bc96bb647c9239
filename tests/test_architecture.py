"""The architecture holds: layers that only look down, no import cycle, a light core,
one definition per concept, old names forwarding (docs/architecture.md)."""

import subprocess
import sys
import warnings
from pathlib import Path

import grimp
import numpy as np
import pytest

import lossfns
from lossfns import evaluation
from lossfns._ops import NUMPY
from lossfns.metrics import conditional_accuracy, hard_labels

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept():
    out = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_no_import_cycle_anywhere():
    graph = grimp.build_graph("lossfns", cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported == importer or imported.startswith(importer + "."):
                continue  # a package importing its own sub-modules is not a cycle
            if importer.startswith(imported + "."):
                continue  # a module importing its parent package (`from . import x`)
            chain = graph.find_shortest_chain(importer=imported, imported=importer)
            if chain:
                cycles.append((importer, *chain))
    assert cycles == []


def test_core_imports_with_numpy_only():
    code = ("import sys, numpy as np, lossfns\n"
            "v = float(lossfns.xtreme_margin(np.array([0.3, 0.8]), np.array([1.0, 0.0])))\n"
            "heavy = sorted(m for m in ('pandas', 'sklearn', 'scipy', 'matplotlib', 'torch', "
            "'tensorflow', 'keras', 'tqdm', 'papermill') if m in sys.modules)\n"
            "print(heavy, round(v, 6))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("]")[0] + "]" == "[]"


def test_no_loss_module_over_600_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in (ROOT / "lossfns" / "losses").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def test_hard_labels_tie_rule():
    y = np.array([0.2, 0.5, 0.7])
    np.testing.assert_array_equal(hard_labels(y, NUMPY), [0.0, 1.0, 1.0])        # eq. (7): y >= 0.5
    np.testing.assert_array_equal(hard_labels(y, NUMPY, rule=">"), [0.0, 0.0, 1.0])  # the paper's code
    np.testing.assert_array_equal(hard_labels(np.array([-1.0, 0.0, 2.0]), NUMPY, from_logits=True),
                                  [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="rule must be one of"):
        hard_labels(y, NUMPY, rule="=>")


def test_conditional_accuracy_missing_class_raises_in_both_entry_points():
    y, t = np.array([0.2, 0.7, 0.9]), np.array([1, 1, 1])
    with pytest.raises(ValueError, match="no element of class 0"):
        conditional_accuracy(y, t, cls=0)
    with pytest.raises(ValueError, match="no element of class 0"):
        evaluation.conditional_accuracy(t, y)
    assert float(conditional_accuracy(y, t, cls=1)) == pytest.approx(2 / 3)


@pytest.mark.parametrize("old,new", [
    ("lipschitz_constant", "lossfns.experiments.doc003.theory"),
    ("toy_G", "lossfns.experiments.doc001.theory"),
    ("class_weights", "lossfns.training.samplers"),
    ("random_oversample", "lossfns.training.samplers"),
])
def test_moved_names_forward_with_a_deprecation_warning(old, new):
    with pytest.warns(DeprecationWarning, match=f"lossfns.{old} moved to {new}"):
        fn = getattr(lossfns, old)
    assert fn.__module__ == new


def test_moved_specs_and_modules_forward():
    from lossfns.experiments.doc000.protocols import PAPER000_SPEC
    import lossfns.training as training
    with pytest.warns(DeprecationWarning, match="PAPER000_SPEC moved"):
        assert training.PAPER000_SPEC is PAPER000_SPEC
    from lossfns.pipeline import run as new_run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import lossfns.run as old_run
    assert old_run.execute is new_run.execute
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        lossfns.nope  # noqa: B018


def test_python_dash_m_entry_points_still_work():
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "lossfns.report",
                          "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "REPLICATION.md" in out.stdout
