"""Statistics behind the document-000 verdicts (lossfns.experiments.doc000.checks)."""

import math

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc000 import checks as C


def scores(seed=0, shift=0.0, n_rep=20, n_fold=10):
    rng = np.random.default_rng(seed)
    acc = np.clip(rng.normal(0.84 + shift, 0.08, size=(n_rep, n_fold)), 0, 1)
    return pd.DataFrame({"repeat": np.repeat(np.arange(n_rep), n_fold),
                         "fold": np.tile(np.arange(n_fold), n_rep), "accuracy": acc.ravel()})


def test_table_estimates_values_are_our_extremes():
    s = scores()
    est = C.table_estimates(s)
    rep = C.per_repeat(s)
    assert est["mean_min"].value == pytest.approx(rep["mean"].min())
    assert est["std_max"].value == pytest.approx(rep["std"].max())
    assert est["std_max"].value == pytest.approx(np.std(s[s.repeat == rep["std"].idxmax()].accuracy))
    for e in est.values():
        assert e.lo < e.hi and e.n == 20


def test_repeat_paired_differences():
    a, b = scores(0, 0.02), scores(0)
    d = C.repeat_paired(a, b)
    assert d.shape == (20,) and np.all(d > 0)
    with pytest.raises(ValueError, match="same repeats"):
        C.repeat_paired(a, scores(0, n_rep=5))


def test_lambda_plateau():
    g = pd.DataFrame({"lam1": [0.1, 1.0, 10.0, 100.0, 1000.0], "cv_mean": [0.70, 0.82, 0.845, 0.846, 0.80],
                      "cv_mean_se": [0.006] * 5, "n_repeats": [10] * 5})
    e = C.lambda_plateau(g)
    assert e.value == 2.0 and e.lo == 1.0 and e.hi == 2.0 and e.n == 10
    one = C.lambda_plateau(g.assign(cv_mean_se=math.nan))
    assert one.n == 1 and math.isnan(one.lo)


def test_pr_consistency_and_majority():
    assert C.pr_consistency(0.9649, 0.6111)["predicted_pos"] == 57  # Hinge: 55 / 57
    assert not C.pr_consistency(0.9, 0.6001)["consistent"]           # not a multiple of 1/90
    assert C.above_majority(0.70, 0.641) and not C.above_majority(0.494, 0.641)
