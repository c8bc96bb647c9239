"""Tests of lossfns.experiments.doc000.claims_holdout (Sec. 13 and 17 of document 000, issue 9)."""

import numpy as np
import pandas as pd
import pytest

from lossfns import evaluation
from lossfns.experiments.doc000 import claims_holdout as vh


def _proba(seed=0, n_boot=7, n_test=11):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_test)
    P = np.clip(0.5 + 0.3 * (2 * y - 1) + rng.normal(0, 0.3, (n_boot, n_test)), 0.01, 0.99)
    return y, P


def test_bias_points_hand_values():
    d = vh.bias_points([0, 1], [[0.2, 0.6], [0.4, 0.8]])
    # mean p = (0.3, 0.7): bias2 = 0.09 each; var = 0.01 each; mse = bias2 + var
    np.testing.assert_allclose(d["bias2"], [0.09, 0.09])
    np.testing.assert_allclose(d["variance"], [0.01, 0.01])
    np.testing.assert_allclose(d["mse"], [0.10, 0.10])
    # hard predictions: point 0 (0, 0) -> main 0, unbiased; point 1 (1, 1) -> main 1, unbiased
    assert d["bias01"].tolist() == [0.0, 0.0] and d["loss01"].tolist() == [0.0, 0.0]


def test_bias_points_means_are_bias_variance():
    y, P = _proba()
    d = vh.bias_points(y, P)
    ref = evaluation.bias_variance(y, P)
    for m in vh.BIAS_MEASURES:
        assert d[m].mean() == pytest.approx(ref[m], abs=1e-12), m
    np.testing.assert_allclose(d["mse"], d["bias2"] + d["variance"], atol=1e-12)


def test_bias_points_rejects_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        vh.bias_points([0, 1, 1], np.zeros((4, 2)))


def test_bias_summary_rows_per_loss():
    y, P = _proba()
    s = vh.bias_summary(y, {"a": P, "b": P[::-1]})
    assert s["loss"].tolist() == ["a", "b"]
    assert s.loc[0, "bias2"] == pytest.approx(s.loc[1, "bias2"])  # same models, other order
    assert s.loc[0, "bias2"] == pytest.approx(evaluation.bias_variance(y, P)["bias2"])


def test_point_estimates_paired_resampling_and_se():
    y, P = _proba(n_test=40)
    pts = {"a": vh.bias_points(y, P), "b": vh.bias_points(y, P * 0.9)}
    est = vh.point_estimates(pts, "bias2", n_boot=500, seed=3)
    assert est["a"].n == 40 and est["a"].lo < est["a"].value < est["a"].hi
    assert est["a"].value == pytest.approx(pts["a"]["bias2"].mean())
    # the SE of a mean over 40 points is about sd / sqrt(40)
    sd = pts["a"]["bias2"].std(ddof=1) / np.sqrt(40)
    assert est["a"].se == pytest.approx(sd, rel=0.25)
    # a loss identical to "a" gets exactly the same interval (same resampled points)
    same = vh.point_estimates({"a": pts["a"], "c": pts["a"].copy()}, "bias2", n_boot=500, seed=3)
    assert (same["a"].lo, same["a"].hi) == (same["c"].lo, same["c"].hi) == (est["a"].lo, est["a"].hi)


def test_point_diffs():
    a = pd.DataFrame({"bias2": [0.3, 0.2, 0.1]})
    b = pd.DataFrame({"bias2": [0.1, 0.1, 0.1]})
    np.testing.assert_allclose(vh.point_diffs({"a": a, "b": b}, "a", "b"), [0.2, 0.1, 0.0])
    with pytest.raises(ValueError, match="same test points"):
        vh.point_diffs({"a": a, "b": b.iloc[:2]}, "a", "b")


def test_pairwise_table():
    pts = {"a": pd.DataFrame({"bias2": [0.3, 0.4, 0.5, 0.35]}), "b": pd.DataFrame({"bias2": [0.1, 0.2, 0.3, 0.15]}),
           "c": pd.DataFrame({"bias2": [0.3, 0.5, 0.4, 0.35]})}
    t = vh.pairwise_table(pts, ["a", "b", "c"])
    assert list(zip(t["a"], t["b"])) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert t.loc[0, "bias2 a - b"] == pytest.approx(0.2) and t.loc[0, "lo"] == pytest.approx(0.2)
    assert t["excludes 0"].tolist() == [True, False, True]


def test_ordering_table_counts_pairs():
    pub = [1, 2, 3, 4, 5, 6]
    table = pd.DataFrame({"bias2": [1, 2, 3, 4, 5, 6], "bias01": [6, 5, 4, 3, 2, 1],
                          "mse": [2, 1, 3, 4, 5, 6]})
    o = vh.ordering_table(pub, table).set_index("measure")
    assert o.loc["bias2", "tau"] == pytest.approx(1.0) and o.loc["bias2", "concordant"] == 15
    assert o.loc["bias01", "tau"] == pytest.approx(-1.0) and o.loc["bias01", "discordant"] == 15
    assert (o.loc["mse", "concordant"], o.loc["mse", "discordant"]) == (14, 1)
    # exact permutation p of a perfect ordering of 6 rows: 2 of 720 orderings reach |tau| = 1
    assert o.loc["bias2", "p"] == pytest.approx(2 / 720)


def test_ordering_table_issue9_example():
    # the committed full-profile bias table (issue 9, finding 2): bias2 tau = 1/3 (10 concordant,
    # 5 discordant pairs, exact p about 0.47); 0-1 bias tau = -0.08; total MSE tau = 0.87
    pub = [0.170159, 0.193041, 0.197346, 1.058191, 0.112281, 0.652224]
    table = pd.DataFrame({"bias2": [0.092632, 0.098603, 0.105642, 0.092847, 0.087871, 0.094736],
                          "bias01": [0.126984, 0.126984, 0.142857, 0.111111, 0.111111, 0.111111],
                          "mse": [0.118239, 0.120449, 0.123859, 0.137200, 0.118303, 0.135619]})
    o = vh.ordering_table(pub, table).set_index("measure")
    assert (o.loc["bias2", "concordant"], o.loc["bias2", "discordant"]) == (10, 5)
    assert o.loc["bias2", "tau"] == pytest.approx(1 / 3) and o.loc["bias2", "p"] == pytest.approx(0.4694, abs=1e-3)
    assert o.loc["bias01", "tau"] == pytest.approx(-0.078, abs=1e-3)
    assert o.loc["mse", "tau"] == pytest.approx(13 / 15) and o.loc["mse", "p"] == pytest.approx(12 / 720)


def _runs(n_seeds=6, seed=0):
    rng = np.random.default_rng(seed)
    base = {"xm(1,50)": (0.90, 0.66, 0.89), "xm(50,1)": (0.93, 0.60, 0.86), "xm(5,5)": (0.92, 0.70, 0.885),
            "bce": (0.91, 0.65, 0.875), "hinge": (0.96, 0.61, 0.80)}
    rows = []
    for loss, (p, r, a) in base.items():
        for s in range(n_seeds):
            e = rng.normal(0, 0.002, 3)
            rows.append({"loss": loss, "seed": s, "precision": p + e[0], "recall": r + e[1], "auroc": a + e[2]})
    return pd.DataFrame(rows)


def test_seed_matrix():
    runs = _runs()
    m = vh.seed_matrix(runs, "recall", ["bce", "xm(5,5)"])
    assert list(m.columns) == ["bce", "xm(5,5)"] and m.shape == (6, 2)


def judge(key, found):
    """What run.claim(key, parts=found[key]) records: the parts judged by the claims file."""
    from lossfns import verdicts as V
    from lossfns.pipeline.published import claims
    spec = claims().loc[key]
    return V.judge_parts(found[key], spec["kind"], float(spec["margin"]))


def test_sec17_claims_parts_and_verdicts():
    res = vh.sec17_claims(_runs())
    assert list(res["000/s17/xm55_highest_recall"]) == ["xm(5,5) - xm(1,50)", "xm(5,5) - xm(50,1)",
                                                        "xm(5,5) - bce", "xm(5,5) - hinge"]   # one part per other loss
    assert list(res["000/s17/every_xm_beats_bce_auc"]) == ["xm(1,50) - bce", "xm(50,1) - bce", "xm(5,5) - bce"]
    assert list(res["000/s17/ratio_beats_bce_pr"]) == ["xm(50,1) - bce"]
    assert res["000/s17/auc_rises_with_lam2"]["xm(1,50) - xm(50,1)"].mean() == pytest.approx(0.03, abs=0.003)
    assert len(res["000/s17/auc_rises_with_lam2"]["xm(1,50) - xm(50,1)"]) == 6
    v = {k: judge(k, res) for k in res}
    assert v["000/s17/xm55_highest_recall"]["verdict"] == "supported"      # 0.70 vs 0.66 at best
    assert v["000/s17/hinge_highest_precision"]["verdict"] == "supported"  # 0.96 vs 0.93 at best
    assert v["000/s17/every_xm_beats_bce_auc"]["verdict"] == "contradicted"  # XM(50;1) 0.86 < 0.875
    assert v["000/s17/every_xm_beats_bce_auc"]["parts"]["xm(50,1) - bce"]["verdict"] == "contradicted"
    assert v["000/s17/every_xm_beats_hinge_auc"]["verdict"] == "supported"
    assert v["000/s17/auc_rises_with_lam2"]["verdict"] == "supported"      # 0.89 vs 0.86
    assert v["000/s17/ratio_beats_bce_pr"]["verdict"] == "supported"       # 0.93 vs 0.91
    assert v["000/s17/ratio_beats_bce_recall"]["verdict"] == "supported"   # 0.70 vs 0.65


def test_sec13_claims_parts_are_signed_so_the_claim_is_positive():
    bias = {"xm(2,2)": [0.9, 1.0, 1.1], "xm(1,50)": [0.2, 0.1, 0.3], "hinge": [0.5, 0.6, 0.4], "bce": [0.1, 0.05, 0.1]}
    points = {k: pd.DataFrame({"bias2": v}) for k, v in bias.items()}
    res = vh.sec13_claims(points, list(bias))
    assert res["000/s13/lambdas_tune_bias"]["xm(2,2) - xm(1,50)"] == pytest.approx([0.7, 0.9, 0.8])
    assert list(res["000/s13/bce_lowest_bias"]) == ["xm(2,2) - bce", "xm(1,50) - bce", "hinge - bce"]   # lower is better
    assert res["000/s13/xm_1_50_below_hinge"]["hinge - xm(1,50)"] == pytest.approx([0.3, 0.5, 0.1])
    assert res["000/s13/xm_1_50_above_bce"]["xm(1,50) - bce"] == pytest.approx([0.1, 0.05, 0.2])
    assert judge("000/s13/bce_lowest_bias", res)["verdict"] in ("supported", "inconclusive")
    assert judge("000/s13/lambdas_tune_bias", res)["verdict"] == "supported"


def test_single_run_table_and_reading_fit():
    per_seed = {"g": {"000/pr/bce/precision": [0.90, 0.92, 0.91, 0.93], "000/auc/bce": [0.80, 0.81, 0.79, 0.80]},
                "b": {"000/pr/bce/precision": [0.70, 0.72, 0.71, 0.73], "000/auc/bce": [0.87, 0.88, 0.86, 0.87]}}
    pub = {"000/pr/bce/precision": 0.9118, "000/auc/bce": 0.8761}
    t = vh.single_run_table(per_seed, pub)
    assert len(t) == 4
    g = t[t.reading == "g"].set_index("id")
    assert g.loc["000/pr/bce/precision", "verdict"] == "reproduced"
    assert g.loc["000/auc/bce", "verdict"] == "not reproduced"
    assert g.loc["000/pr/bce/precision", "single-run sd"] == pytest.approx(np.std([0.90, 0.92, 0.91, 0.93], ddof=1))
    fit = vh.reading_fit(t).set_index("kind")
    assert fit.loc["precision", "g"] == pytest.approx(abs(0.9118 - 0.915))
    assert fit.loc["auc", "b"] == pytest.approx(abs(0.8761 - 0.87))
    assert fit.loc["all", "g"] == pytest.approx((abs(0.9118 - 0.915) + abs(0.8761 - 0.80)) / 2)


def test_consistency_table_published_pairs():
    pairs = {"XM(1;50)": (0.9077, 0.6667), "XM(50;1)": (0.931, 0.6), "Hinge": (0.9649, 0.6111)}
    t = vh.consistency_table(pairs).set_index("loss")
    assert t["consistent"].tolist() == [False, True, True]
    assert (t.loc["XM(50;1)", "TP"], t.loc["XM(50;1)", "TP + FP"]) == (54, 58)
    assert (t.loc["Hinge", "TP"], t.loc["Hinge", "TP + FP"]) == (55, 57)
    assert pd.isna(t.loc["XM(1;50)", "TP + FP"])
