"""Claim statistics of document 000's training notebooks (lossfns.experiments.doc000.claims)."""

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc000 import claims as vt

def _curves(test_by_loss, train_by_loss=None, epochs=12):
    """Curves table: per loss a list of per-seed test accuracies, constant over epochs."""
    rows = []
    for loss, accs in test_by_loss.items():
        for s, a in enumerate(accs):
            tr = (train_by_loss or {}).get(loss, accs)[s]
            for e in range(1, epochs + 1):
                rows.append({"loss": loss, "label": loss, "seed": s, "epoch": e,
                             "test_acc": a, "train_acc": tr})
    return pd.DataFrame(rows)


def test_not_comparable():
    assert vt.not_comparable("needs convexity") == {"verdict": "not comparable", "reason": "needs convexity"}


def test_final_per_seed_windows():
    c = _curves({"a": [0.5, 0.7]}, epochs=20)
    c.loc[c["epoch"] <= 10, "test_acc"] = 0.0
    assert vt.final_per_seed(c, last=10)["a"].tolist() == [0.5, 0.7]
    assert vt.final_per_seed(c, after=5)["a"].tolist() == pytest.approx([0.5 * 10 / 15, 0.7 * 10 / 15])


def judge(key, found):
    """What run.claim(key, parts=found[key]) records: the parts judged by the claims file."""
    from lossfns import verdicts as V
    from lossfns.pipeline.published import claims
    spec = claims().loc[key]
    return V.judge_parts(found[key], spec["kind"], float(spec["margin"]))


def test_sec14_claims_paired_over_seeds():
    bce = [0.90, 0.92, 0.91, 0.93]
    c = _curves({"xm(2,2)": [0.80, 0.82, 0.81, 0.80], "xm(2,100)": [0.88, 0.89, 0.90, 0.90], "bce": bce},
                train_by_loss={"bce": [0.95, 0.96, 0.97, 0.96]})
    res = vt.sec14_claims(c)
    hi = res["000/s14/bce_highest_accuracy"]
    assert list(hi) == ["bce - xm(2,2)", "bce - xm(2,100)"]   # one part per XM
    assert hi["bce - xm(2,100)"] == pytest.approx(np.array(bce) - [0.88, 0.89, 0.90, 0.90])
    assert judge("000/s14/bce_highest_accuracy", res)["verdict"] == "supported"
    assert list(res["000/s14/bce_overfits"]) == ["bce train - test"]
    assert res["000/s14/bce_overfits"]["bce train - test"].mean() == pytest.approx(0.045)
    assert judge("000/s14/bce_overfits", res)["verdict"] == "supported"
    best = res["000/s14/xm2_100_generalises_best"]
    assert list(best) == ["xm(2,100) - xm(2,2)", "xm(2,100) - bce"]   # one part per other loss
    r = judge("000/s14/xm2_100_generalises_best", res)
    assert r["verdict"] == "contradicted" and r["parts"]["xm(2,100) - bce"]["verdict"] == "contradicted"


def test_sec11b_claims():
    c = _curves({"subgradient, step 0.1": [0.70, 0.66, 0.68], "subgradient, step 1": [0.92, 0.93, 0.91],
                 "rms": [0.88, 0.90, 0.87], "adam": [0.86, 0.89, 0.90]})
    res = vt.sec11b_claims(c.drop(columns="loss"), majority_rate=0.641, rmsprop="rms", adam="adam")
    gd = res["000/s11b/no_gradient_descent"]
    assert list(gd) == ["subgradient, step 1 - majority rate 0.6410"]   # the step with the best mean
    assert gd["subgradient, step 1 - majority rate 0.6410"].mean() == pytest.approx(0.92 - 0.641)
    assert judge("000/s11b/no_gradient_descent", res)["verdict"] == "contradicted"
    un = res["000/s11b/sgd_adam_unusable"]
    assert list(un) == ["rms - subgradient, step 1", "rms - adam"]   # RMSprop better is the claim
    assert un["rms - adam"] == pytest.approx([0.02, 0.01, -0.03])
    # SGD beats RMSprop: the joint claim is contradicted
    r = judge("000/s11b/sgd_adam_unusable", res)
    assert r["verdict"] == "contradicted" and r["parts"]["rms - subgradient, step 1"]["verdict"] == "contradicted"


def test_guarded_claim_collapsed_model():
    d = [0.20, 0.25, 0.30]
    ok = vt.guarded_claim("b - a", d, {"xm(2,2)": 0.83, "xm(500,2)": 0.80}, 0.641)
    assert list(ok) == ["parts"] and ok["parts"]["b - a"] == pytest.approx(d)
    bad = vt.guarded_claim("b - a", d, {"xm(2,2)": 0.83, "xm(500,2)": 0.494}, 0.641)["result"]
    assert bad["verdict"] == "not comparable" and bad["differences"] == {"b - a": pytest.approx(d)}
    assert "parts" not in bad   # the report would judge recorded parts again
    assert "xm(500,2) test accuracy 0.494" in bad["reason"] and "0.641" in bad["reason"]


def test_paired_diffs():
    m = pd.DataFrame({"loss": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                      "x": [0.1, 0.2, 0.3, 0.4, 0.4, 0.5]})
    assert vt.paired_diffs(m, "a", "b", "x") == pytest.approx([0.3, 0.2, 0.2])
    with pytest.raises(ValueError):
        vt.paired_diffs(m, "a", "c", "x")


def _ratio(s1, s0, n_rep, noise=0.005, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_rep):
        for x in (-2.0, -1.0, 0.0, 1.0, 2.0):
            rows.append({"loss": f"xm{x}", "repeat": r, "log_ratio": x,
                         "cond_acc_1": 0.9 + s1 * x + rng.normal(0, noise),
                         "cond_acc_0": 0.8 + s0 * x + rng.normal(0, noise)})
    rows.append({"loss": "bce", "repeat": 0, "log_ratio": np.nan, "cond_acc_1": 0.9, "cond_acc_0": 0.8})
    return pd.DataFrame(rows)


def test_ratio_slope_claim():
    from lossfns import verdicts as V
    sup = vt.ratio_slope_claim(_ratio(0.02, -0.03, 5))
    assert list(sup) == ["class 1 slope", "minus class 0 slope"] and len(sup["class 1 slope"]) == 5
    assert sup["class 1 slope"].mean() == pytest.approx(0.02, abs=0.005)
    assert sup["minus class 0 slope"].mean() == pytest.approx(0.03, abs=0.005)   # the class-0 slope, negated
    assert judge("000/s15/ratio_steers_accuracy", {"000/s15/ratio_steers_accuracy": sup})["verdict"] == "supported"
    # class-0 slope positive: contradicted (the full-profile reading of Sec. 15)
    assert V.judge_parts(vt.ratio_slope_claim(_ratio(0.02, 0.03, 5)), "superiority", 0.0)["verdict"] == "contradicted"
    assert V.judge_parts(vt.ratio_slope_claim(_ratio(0.0, -0.03, 5, noise=0.02)), "superiority", 0.0)["verdict"] == "inconclusive"
    one = vt.ratio_slope_claim(_ratio(0.02, -0.03, 1))   # one repeat: one slope per part, no spread to test
    assert [len(v) for v in one.values()] == [1, 1]
    assert V.judge_parts(one, "superiority", 0.0)["verdict"] == "inconclusive"


def test_bce_vs_xm_claim_has_a_part_per_xm():
    rng = np.random.default_rng(1)
    rows = []
    for f in range(10):
        base = 0.85 + rng.normal(0, 0.03)
        for loss, off in (("bce", 0.02), ("xm(2,2)", -0.05), ("xm(2,100)", 0.0)):
            rows.append({"loss": loss, "repeat": 0, "fold": f, "accuracy": base + off + rng.normal(0, 0.002)})
    r = vt.bce_vs_xm_claim(pd.DataFrame(rows))
    assert sorted(r) == ["bce - xm(2,100)", "bce - xm(2,2)"] and len(r["bce - xm(2,100)"]) == 10
    assert r["bce - xm(2,100)"].mean() == pytest.approx(0.02, abs=0.003)
    assert judge("000/s15/bce_beats_xm_cv", {"000/s15/bce_beats_xm_cv": r})["verdict"] == "supported"


def test_ratio_cv_matches_conditional_accuracy_vs_ratio():
    from lossfns.experiments.doc000 import training as pt
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(float)
    kw = dict(n_splits=3, n_repeats=1, epochs=2, batch_size=16, seed=0, device="cpu")
    ref = pt.conditional_accuracy_vs_ratio(X, y, [(1, 2), (2, 1)], **kw)
    pooled, folds = vt.ratio_cv(X, y, [(1, 2), (2, 1)], **kw)
    pd.testing.assert_frame_equal(pooled, ref)
    assert len(folds) == 3 * 3 and set(folds["fold"]) == {0, 1, 2}

