"""Document 003's Heaviside experiments (doc003.heaviside) against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc003 import heaviside as H


def test_lipschitz_check_matches_theorem_hand_values():
    t = H.lipschitz_check([0.5, 0.1], [0.1], n=2001).set_index("tau")
    assert t.loc[0.5, "M (Thm 4.1)"] == pytest.approx(1.6)      # m2 = (1 - 0.2) / 0.5
    assert t.loc[0.1, "M (Thm 4.1)"] == pytest.approx(8.0)      # m2 = 0.8 / 0.1
    np.testing.assert_allclose(t["slope / M"], 1.0, atol=1e-9)


def test_curves_and_lookup():
    c = H.heaviside_curves(taus=(0.5,), deltas=(0.1,), ks=(10,), n=11)
    lin = c[c["approx"] == "linear"].set_index("p")["H"]
    assert lin.loc[0.5] == pytest.approx(0.5) and lin.loc[1.0] == pytest.approx(1.0)
    lk = H.lookup_check(n=2000, taus=(0.5,), repeats=1).set_index(["approx", "table"])
    assert lk.loc[("linear", "interpolated"), "max |error|"] < 1e-12   # exact at tau = 0.5, 100 intervals
    assert lk.loc[("linear", "truncated (paper)"), "max |error|"] > 1e-3


def test_hard_f1_hand_value():
    assert H.hard_f1(np.array([0.9, 0.6, 0.2, 0.4]), np.array([1, 0, 1, 0])) == pytest.approx(0.5)
    assert H.hard_f1(np.zeros(3), np.zeros(3)) == 0.0


def test_best_vs_others_parts():
    from lossfns import verdicts as V
    df = pd.DataFrame({"value": [1.0] * 4 + [10.0] * 4 + [20.0] * 4, "seed": list(range(4)) * 3,
                       "f1": [0.1, 0.12, 0.11, 0.1, 0.3, 0.31, 0.29, 0.32, 0.2, 0.2, 0.21, 0.2]})
    parts = H.best_vs_others(df, 10)
    assert list(parts) == ["10 - 1", "10 - 20"]   # one part per other value, the best minus it
    assert parts["10 - 1"] == pytest.approx([0.2, 0.19, 0.18, 0.22])
    assert V.judge_parts(parts, "superiority", 0.01)["verdict"] == "supported"
    assert V.judge_parts(H.best_vs_others(df, 1), "superiority", 0.01)["verdict"] == "contradicted"
    rng = H.best_vs_others(df, [10, 20])   # a range: the per-seed mean of its values
    assert list(rng) == ["mean of 10, 20 - 1"] and rng["mean of 10, 20 - 1"][0] == pytest.approx(0.15)
    with pytest.raises(ValueError, match="not among"):
        H.best_vs_others(df, 5)


def test_train_soft_f1_validates_and_runs():
    from lossfns.datasets import load_mammography
    with pytest.raises(ValueError, match="approx must be"):
        H.train_soft_f1(None, approx="step", values=[1], seeds=1, epochs=1)
    r = H.train_soft_f1(load_mammography(), approx="sigmoid", values=[10], seeds=2, epochs=1)
    assert len(r) == 2 and r["f1"].between(0, 1).all()
