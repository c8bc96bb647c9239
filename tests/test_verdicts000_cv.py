"""lossfns.experiments.doc000.claims_cv: the statistics behind notebooks 000-8 and 000-8b."""

import math

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc000 import claims_cv as v8
from lossfns.experiments.doc000.checks import per_repeat


def _scores(per_rep_folds: list[list[float]], loss="x") -> pd.DataFrame:
    """A cv_scores-like frame: repeat r has the fold accuracies per_rep_folds[r]."""
    rows = [{"loss": loss, "repeat": r, "fold": f, "accuracy": a}
            for r, folds in enumerate(per_rep_folds) for f, a in enumerate(folds)]
    return pd.DataFrame(rows)


def _spread(center, half, n=10):
    """fold accuracies with mean ``center`` and std (ddof 0) ``half``: +-half alternating."""
    return [center + half * (1 if i % 2 else -1) for i in range(n)]


def test_paired_extreme_bootstrap_value_and_joint_resampling():
    a = [0.03, 0.04, 0.05, 0.06]
    e = v8.paired_extreme_bootstrap(a, [x + 0.02 for x in a], n_boot=500)
    # b = a + 0.02 on every repeat: every joint resample gives exactly -0.02
    assert e.value == pytest.approx(-0.02) and e.lo == pytest.approx(-0.02) and e.hi == pytest.approx(-0.02)
    assert e.se == pytest.approx(0.0, abs=1e-12) and e.n == 4
    e2 = v8.paired_extreme_bootstrap([1.0, 2.0], [0.0, 0.0], "max", n_boot=200)
    assert e2.value == 2.0 and 1.0 <= e2.lo <= e2.hi <= 2.0
    with pytest.raises(ValueError):
        v8.paired_extreme_bootstrap([1.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        v8.paired_extreme_bootstrap([1.0], [1.0], "median")


def test_lowest_std_claim_supported_contradicted_inconclusive():
    rng = np.random.default_rng(1)
    halves = rng.uniform(0.04, 0.08, size=20)
    low = _scores([_spread(0.8, h) for h in halves])
    high = _scores([_spread(0.8, h + 0.02) for h in halves])
    same = _scores([_spread(0.8, h) for h in halves])
    sc = {"xm": low, "bce": high, "hinge": high}
    res = v8.lowest_std_claim(sc, "xm", ["bce", "hinge"], n_boot=500)
    assert res["verdict"] == "supported" and res["value"] == pytest.approx(-0.02)
    assert set(res["comparisons"]) == {"bce", "hinge"}
    res = v8.lowest_std_claim({"xm": high, "bce": low, "hinge": high}, "xm", ["bce", "hinge"], n_boot=500)
    assert res["verdict"] == "contradicted" and res["value"] == pytest.approx(0.02)
    res = v8.lowest_std_claim({"xm": low, "bce": high, "hinge": same}, "xm", ["bce", "hinge"], n_boot=500)
    assert res["verdict"] == "inconclusive"   # tied with hinge on every repeat
    one = {"xm": _scores([_spread(0.8, 0.05)]), "bce": _scores([_spread(0.8, 0.07)])}
    assert v8.lowest_std_claim(one, "xm", ["bce"])["verdict"] == "inconclusive"


def judge(key, found):
    """What run.claim(key, parts=...) records: the parts judged by the claims file's kind and margin."""
    from lossfns import verdicts as V
    from lossfns.pipeline.published import claims
    spec = claims().loc[key]
    return V.judge_parts(found, spec["kind"], float(spec["margin"]))


def test_sec8_claims_directions():
    means = np.linspace(0.78, 0.84, 10)
    sc = {"bce": _scores([_spread(m + 0.03, 0.06) for m in means]),
          "hinge": _scores([_spread(m - 0.03, 0.06) for m in means]),
          "xm(1,1)": _scores([_spread(m + 0.001 * (i % 3 - 1), 0.03) for i, m in enumerate(means)]),
          "xm(100,100)": _scores([_spread(m + 0.02, 0.05) for m in means])}
    res = v8.sec8_claims(sc)
    assert set(res) == {"000/s8/xm11_vs_hinge_bounds", "000/s8/xm11_vs_bce_bounds", "000/s8/tuned_beats_untuned"}
    assert list(res["000/s8/xm11_vs_hinge_bounds"]) == ["xm(1,1) - hinge"]
    assert list(res["000/s8/xm11_vs_bce_bounds"]) == ["bce - xm(1,1)"]    # "XM worse than BCE": BCE - XM positive
    assert list(res["000/s8/tuned_beats_untuned"]) == ["xm(100,100) - xm(1,1)"]
    assert res["000/s8/xm11_vs_hinge_bounds"]["xm(1,1) - hinge"].mean() == pytest.approx(0.03, abs=1e-3)
    assert res["000/s8/xm11_vs_bce_bounds"]["bce - xm(1,1)"].mean() == pytest.approx(0.03, abs=1e-3)
    for key, parts in res.items():
        assert judge(key, parts)["verdict"] == "supported", key
    assert v8.lowest_std_claim(sc, "xm(1,1)", ["bce", "hinge"], n_boot=500)["verdict"] == "supported"


def test_keras_torch_claim_is_an_equivalence_with_the_stated_margin():
    close = pd.DataFrame({"keras": [0.80, 0.82, 0.84, 0.86, 0.81, 0.83],
                          "torch": [0.801, 0.819, 0.842, 0.858, 0.81, 0.831]})
    parts = v8.keras_torch_claim(close)
    assert list(parts) == ["torch - keras"] and parts["torch - keras"][0] == pytest.approx(0.001)
    res = judge("000/ours/keras_torch_agree", parts)
    assert res["verdict"] == "supported" and res["parts"]["torch - keras"]["margin"] == 0.03
    # a CI that contains 0 but is wider than the margin is not agreement (finding 5)
    wide = pd.DataFrame({"keras": [0.8] * 6, "torch": [0.85, 0.75, 0.86, 0.74, 0.84, 0.77]})
    res = judge("000/ours/keras_torch_agree", v8.keras_torch_claim(wide))["parts"]["torch - keras"]
    assert res["lo"] < 0 < res["hi"] and res["verdict"] == "inconclusive"


def test_table_rows_verdicts_and_readings():
    rng = np.random.default_rng(0)
    s = _scores([list(0.8 + 0.05 * rng.standard_normal(10)) for _ in range(20)])
    pub = {"000/t/x/mean_min": 0.0, "000/t/x/mean_max": 0.0, "000/t/x/std_min": 0.0, "000/t/x/std_max": 0.0}
    t = v8.table_rows({"a": (s, "000/t/x", True), "b": (s, None, False)}, pub)
    assert len(t) == 8 and list(t["statistic"][:4]) == list(v8.STATS)
    assert (t.loc[t["reading"] == "a", "verdict"] == "not reproduced").all()
    assert (t.loc[t["reading"] == "b", "verdict"] == "").all() and t.loc[t["reading"] == "b", "paper"].isna().all()
    assert t.loc[0, "ours"] == pytest.approx(per_repeat(s)["mean"].min())


def _reps(lams, means, stds, n=8, noise=0.002, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for lam, m, s in zip(lams, means, stds):
        for r in range(n):
            rows.append({"lam1": lam, "lam2": lam, "repeat": r,
                         "mean": m + noise * rng.standard_normal(), "std": s + noise * rng.standard_normal()})
    return pd.DataFrame(rows)


LAMS = [0.1, 1.0, 10.0, 40.0, 100.0, 250.0, 1000.0]


def test_lambda_summary_matches_lambda_grid_scores_columns():
    reps = _reps(LAMS, [0.7] * 7, [0.05] * 7, n=4)
    d = v8.lambda_summary(reps)
    assert list(d.columns) == ["lam1", "lam2", "cv_mean", "cv_std", "cv_mean_se"]
    assert list(d["lam1"]) == LAMS
    g = reps[reps["lam1"] == 10.0]["mean"]
    assert d.loc[2, "cv_mean"] == pytest.approx(g.mean())
    assert d.loc[2, "cv_mean_se"] == pytest.approx(g.std(ddof=1) / 2.0)
    assert math.isnan(v8.lambda_summary(_reps([1.0], [0.7], [0.05], n=1))["cv_mean_se"][0])


def test_far_lambdas():
    assert v8.far_lambdas(LAMS) == [0.1, 1.0, 10.0, 1000.0]   # 40 and 250 are within half a decade


def test_optimum_claim():
    peaked = _reps(LAMS, [0.70, 0.75, 0.80, 0.84, 0.85, 0.84, 0.78], [0.05] * 7)
    res = v8.optimum_claim(peaked)
    assert list(res["parts"]) == ["lambda 100 - lambda 0.1", "lambda 100 - lambda 1", "lambda 100 - lambda 10",
                                  "lambda 100 - lambda 1000"]   # one part per lambda more than half a decade away
    assert res["parts"]["lambda 100 - lambda 10"].mean() == pytest.approx(0.05, abs=0.005)
    assert judge("000/fig1/optimum_near_100", res["parts"])["verdict"] == "supported"
    beaten = _reps(LAMS, [0.70, 0.90, 0.80, 0.80, 0.80, 0.80, 0.80], [0.05] * 7)
    r = judge("000/fig1/optimum_near_100", v8.optimum_claim(beaten)["parts"])
    assert r["verdict"] == "contradicted" and r["parts"]["lambda 100 - lambda 1"]["verdict"] == "contradicted"
    flat = _reps(LAMS, [0.70, 0.84, 0.85, 0.85, 0.85, 0.85, 0.85], [0.05] * 7, noise=0.01)
    assert judge("000/fig1/optimum_near_100", v8.optimum_claim(flat)["parts"])["verdict"] != "supported"
    assert v8.optimum_claim(_reps([0.1, 10.0, 1000.0], [0.7] * 3, [0.05] * 3))["result"]["verdict"] == "not run"
    assert v8.optimum_claim(_reps([40.0, 100.0], [0.7] * 2, [0.05] * 2))["result"]["verdict"] == "not run"
    one = v8.optimum_claim(_reps(LAMS, [0.8] * 7, [0.05] * 7, n=1))
    assert judge("000/fig1/optimum_near_100", one["parts"])["verdict"] == "inconclusive"   # one repeat


def test_std_smallest_claim_and_majority_guard():
    means = [0.55, 0.80, 0.82, 0.84, 0.85, 0.84, 0.80]
    stds = [0.01, 0.08, 0.07, 0.05, 0.04, 0.05, 0.09]
    res = v8.std_smallest_claim(_reps(LAMS, means, stds))
    assert list(res["parts"])[0] == "std lambda 0.1 - lambda 100"   # the rival's std minus lambda 100's
    assert res["parts"]["std lambda 0.1 - lambda 100"].mean() == pytest.approx(-0.03, abs=0.005)
    assert judge("000/fig2/std_smallest_near_100", res["parts"])["verdict"] == "contradicted"   # the collapsed lambda wins ...
    res = v8.std_smallest_claim(_reps(LAMS, means, stds), majority_rate=0.6)
    assert list(res["parts"]) == ["std lambda 1 - lambda 100", "std lambda 10 - lambda 100", "std lambda 1000 - lambda 100"]
    assert judge("000/fig2/std_smallest_near_100", res["parts"])["verdict"] == "supported"   # ... unless it learned nothing
    assert v8.std_smallest_claim(_reps([0.1, 10.0], [0.8] * 2, [0.05] * 2))["result"]["verdict"] == "not run"
    low = v8.std_smallest_claim(_reps(LAMS, [0.5] * 7, [0.05] * 7), majority_rate=0.6)
    assert low["result"]["verdict"] == "not run"   # no rival beats the majority rate


def test_reportable_drops_intervals_results_json_cannot_hold():
    from lossfns.verdicts import Estimate
    e = Estimate(0.8, 0.7, 0.9, 0.05, 20, "x")
    assert v8.reportable(e) is e
    assert v8.reportable(Estimate(0.8, math.nan, math.nan, math.nan, 1, "x")) is None
