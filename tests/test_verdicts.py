"""The verdict rules (lossfns.verdicts) on hand-computed cases."""

import math

import numpy as np
import pytest

from lossfns import verdicts as V


def test_mean_interval_hand_values():
    e = V.mean_interval([1.0, 2.0, 3.0, 4.0])
    assert e.value == 2.5 and e.n == 4
    assert e.se == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    assert e.hi - e.value == pytest.approx(3.182446305 * e.se, rel=1e-8)  # t_{0.975, 3}


def test_single_run_interval_is_wider_than_the_mean_interval():
    x = np.random.default_rng(0).normal(0.8, 0.03, size=20)
    m, s = V.mean_interval(x), V.single_run_interval(x)
    assert s.hi - s.lo > 4 * (m.hi - m.lo)
    assert s.se == pytest.approx(np.std(x, ddof=1))


def test_bootstrap_deterministic_and_covers():
    x = np.arange(20.0)
    a, b = V.bootstrap(x, np.min, n_boot=500, seed=3), V.bootstrap(x, np.min, n_boot=500, seed=3)
    assert a == b and a.value == 0.0 and a.lo == 0.0 and a.hi >= 0.0
    rows = np.column_stack([x, 2 * x])
    e = V.bootstrap(rows, lambda r: float(np.mean(r[:, 1] - r[:, 0])), n_boot=500)
    assert e.value == pytest.approx(9.5) and e.lo < 9.5 < e.hi


def test_number_verdicts():
    e = V.Estimate(0.84, 0.82, 0.86, 0.01, 20, "x")
    assert V.number_verdict(0.83, e)["verdict"] == "reproduced"
    r = V.number_verdict(0.80, e)
    assert r["verdict"] == "not reproduced" and r["z"] == -4.0 and "below" in r["reason"]
    assert V.number_verdict(0.83, e, stand_in=True)["verdict"] == "not comparable"
    assert V.number_verdict(0.83, e, defined=False)["verdict"] == "not comparable"
    assert V.number_verdict(0.83, None)["verdict"] == "not run"
    assert V.number_verdict(0.83, V.Estimate(0.84, 0.8, 0.9, 0.01, 2, "x"))["verdict"] == "inconclusive"
    # margin stated in advance: reproduced only when our interval lies within it
    assert V.number_verdict(0.84, e, margin=0.03)["verdict"] == "reproduced"
    assert V.number_verdict(0.84, e, margin=0.01)["verdict"] == "inconclusive"
    assert V.number_verdict(100, V.Estimate(2.0, 1.5, 2.5, 0.25, 20, "x"), log10=True)["verdict"] == "reproduced"


def test_paired_claims():
    x = [0.01, 0.02, 0.03, 0.02, 0.015]
    assert V.paired_claim(x)["verdict"] == "supported"
    assert V.paired_claim(x, greater=False)["verdict"] == "contradicted"
    assert V.paired_claim([0.01, 0.02, 0.03])["verdict"] == "inconclusive"  # 3 pairs: t = 4.30
    r = V.paired_claim([0.004, -0.001, 0.006, 0.0, 0.01])
    assert r["verdict"] in ("supported", "inconclusive") and r["n"] == 5
    assert V.paired_claim([0.5])["verdict"] == "inconclusive"


def test_equivalence_needs_a_margin_and_decides_three_ways():
    with pytest.raises(ValueError, match="margin must be a positive number"):
        V.equivalence_claim([0.0, 0.1], 0)
    assert V.equivalence_claim([0.001, -0.001, 0.0, 0.002], 0.03)["verdict"] == "supported"
    assert V.equivalence_claim([0.20, 0.21, 0.19, 0.2], 0.03)["verdict"] == "contradicted"
    # the audit's case: a CI of (-0.017, +0.041) contains 0 but not inside +-0.03
    x = np.array([0.012 + 2 * d for d in (-0.06, 0.06, -0.03, 0.03, 0.0) * 4])
    assert V.equivalence_claim(x, 0.03)["verdict"] == "inconclusive"


def test_kendall_exact_permutation_matches_the_audit():
    # 6 rows, 10 concordant and 5 discordant pairs: tau = 1/3, exact two-sided p about 0.47
    a = [1, 2, 3, 4, 5, 6]
    b = [1, 2, 5, 6, 4, 3]
    tau, p = V.kendall_permutation(a, b)
    assert tau == pytest.approx(1 / 3)
    assert p == pytest.approx(0.469, abs=0.01)
    assert V.rank_claim(a, b)["verdict"] == "inconclusive"
    assert math.isclose(V.rank_claim(a, a)["value"], 1.0)


def test_extreme_interval_has_its_coverage():
    # over many (our experiment, the paper's experiment) pairs, the paper's min of 20 repeats
    # falls inside our interval about 95% of the time
    rng = np.random.default_rng(1)
    hits = []
    for i in range(300):
        ours, paper = rng.normal(0.84, 0.02, size=(2, 20))
        e = V.extreme_interval(ours, "min", n_sim=1000, seed=i)
        hits.append(e.lo <= paper.min() <= e.hi)
    assert 0.90 <= np.mean(hits) <= 0.99
    assert e.value == pytest.approx(ours.min())
    s = V.extreme_interval(np.abs(rng.normal(0.06, 0.01, size=20)), "max", log=True)
    assert 0 < s.lo < s.hi
    with pytest.raises(ValueError, match="which must be"):
        V.extreme_interval(ours, "median")


def test_estimate_round_trips_through_results_json():
    from lossfns.pipeline.artifacts import dumps
    import json
    e = V.mean_interval([0.8])  # one run: no interval
    back = V.Estimate.from_dict(json.loads(dumps(e.as_dict())))
    assert back.n == 1 and math.isnan(back.lo) and back.value == 0.8
    assert V.number_verdict(0.8, back)["verdict"] == "inconclusive"
