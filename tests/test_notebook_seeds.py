"""``seed`` means something in every notebook (issue 19).

A notebook either declares that it draws no random numbers (``metadata.lossfns.seedless``, the
reason in words; :func:`lossfns.pipeline.notebook_meta.seedless_reason`), or two seeds give
different random draws: its quick profile run at its default seed d and at d + 1 writes
results.json files that differ in something other than the seed labels. Every key named
``"seed"`` is dropped before comparing, at any depth (the top-level field, and the per-seed
column of tables, which in several notebooks holds the seed itself, ``seed + s``, and so differs
between the two runs whatever was drawn): what is left has to differ in the numbers drawn.

The 21 seeded notebooks run twice each (kernel start-up included, 15-90 s per notebook on two
shared CPU cores, about 6 minutes for the file under ``pytest -n 2``): marked slow.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lossfns.pipeline import run
from lossfns.pipeline.notebook_meta import seedless_reason

# not the hidden in-flight copies of a run (".<name>.*.ipynb")
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[!.]*.ipynb"))


def _case(nb: Path):
    marks = () if seedless_reason(nb) else (pytest.mark.slow,)
    return pytest.param(nb, id=nb.stem, marks=marks)


def _without_seed(obj):
    if isinstance(obj, dict):
        return {k: _without_seed(v) for k, v in obj.items() if k != "seed"}
    if isinstance(obj, list):
        return [_without_seed(v) for v in obj]
    return obj


def _results(nb: Path, seed: int, tmp_path: Path) -> dict:
    out = tmp_path / f"s{seed}"
    run.execute(nb, "quick", {"seed": seed, "out_dir": str(out)}, output=tmp_path / f"s{seed}.ipynb",
                progress=False)
    return json.loads((out / "results" / "quick" / nb.stem / "results.json").read_text())


def test_notebooks_found():
    assert len(NOTEBOOKS) >= 24, [nb.name for nb in NOTEBOOKS]


@pytest.mark.parametrize("nb", [_case(nb) for nb in NOTEBOOKS])
def test_two_seeds_draw_differently_or_the_notebook_says_why_not(nb, tmp_path):
    reason = seedless_reason(nb)
    if reason is not None:
        assert isinstance(reason, str) and reason.strip(), reason
        return
    default = ast.literal_eval(run.declared_parameters(nb)["seed"])
    assert isinstance(default, int) and not isinstance(default, bool), default
    a, b = (_results(nb, s, tmp_path) for s in (default, default + 1))
    assert (a["seed"], b["seed"]) == (default, default + 1)
    a, b = _without_seed(a), _without_seed(b)
    assert a["results"], f"{nb.name}: empty results"
    assert a != b, (f"{nb.name}: seeds {default} and {default + 1} give the same results.json apart from "
                    "the seed labels; derive its random draws from `seed`, or declare "
                    "metadata.lossfns.seedless with the reason")


# ------------------------------------------------ "seeds are seed .. seed + seeds - 1", cheaply

def test_noise_sweep_seeds_run_from_seed():
    from lossfns.experiments.doc001 import protocols as D
    a = D.noise_sweep({"lr": [0.01]}, steps=20, seeds=3, seed=0)
    b = D.noise_sweep({"lr": [0.01]}, steps=20, seeds=2, seed=1)
    assert list(b["seed"]) == [1, 2]
    cols = ["dist_a1", "dist_star", "excess"]
    assert a[a["seed"] >= 1][cols].reset_index(drop=True).equals(b[cols])
    assert not a[a["seed"] == 0][cols].reset_index(drop=True).equals(b[b["seed"] == 1][cols].reset_index(drop=True))


def test_tabular_trial_i_uses_split_seed_seed_plus_i():
    import numpy as np
    from types import SimpleNamespace

    from lossfns.experiments.doc003 import tabular as T
    rng = np.random.default_rng(0)
    ds = SimpleNamespace(X=rng.normal(size=(200, 3)), y=(np.arange(200) % 4 == 0).astype(float))
    a, _, ca = T.trial_tasks(ds, 3, seed=0, oversample=True)
    b, _, cb = T.trial_tasks(ds, 2, seed=1, oversample=True)
    assert [c["trial"] for c in cb] == [0, 1]
    for i in (0, 1):
        np.testing.assert_array_equal(a[i + 1].X_train, b[i].X_train)
        np.testing.assert_array_equal(a[i + 1].y_eval, b[i].y_eval)
    assert not np.array_equal(a[0].X_train, b[0].X_train)


def test_outlier_line_fits_seeds_run_from_seed():
    import numpy as np

    from lossfns.experiments.doc002 import protocols as P
    a = P.outlier_line_fits(seeds=2, n=20, steps=30, seed=0)
    b = P.outlier_line_fits(seeds=1, n=20, steps=30, seed=1)
    assert set(b["seed"]) == {1}
    np.testing.assert_array_equal(a[a["seed"] == 1]["slope"].to_numpy(), b["slope"].to_numpy())
    x0, _ = P.outlier_line_data(0, 20)
    x1, _ = P.outlier_line_data(1, 20)
    assert not np.array_equal(x0, x1)
