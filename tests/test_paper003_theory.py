"""Document 003's convergence simulation (doc003.convergence)."""

from __future__ import annotations

import numpy as np
import pytest

from lossfns.experiments.doc003 import convergence as P


def test_convergence_shrinks_towards_the_limit():
    c = P.convergence([20, 20000], seeds=30)
    m = c.groupby(["kind", "n"])["F1 - limit"].apply(lambda x: np.mean(np.abs(x)))
    for kind in ("hard", "soft-set"):
        assert m[(kind, 20000)] < m[(kind, 20)] / 5
    with pytest.raises(ValueError, match="must lie in"):
        P.convergence([10], seeds=1, u=1.0)
    assert P.convergence_claim(c, "Accuracy", tol=0.01)["verdict"] == "supported"


def test_heaviside_gap_grows_with_delta_and_hard_f1_matches_a_direct_count():
    g = P.heaviside_gap(n=100_000, taus=(0.5,), deltas=(0.05, 0.1, 0.2))
    assert (g["gap"] < 0).all() and g["gap"].is_monotonic_decreasing
    rng = np.random.default_rng(0)   # the same stream heaviside_gap draws from
    p = np.concatenate([rng.beta(5.0, 2.0, size=30_000), rng.beta(2.0, 5.0, size=70_000)])
    tp, fp = np.sum(p[:30_000] >= 0.5), np.sum(p[30_000:] >= 0.5)
    assert g["F1 (hard)"].iloc[0] == pytest.approx(2 * tp / (30_000 + tp + fp))
