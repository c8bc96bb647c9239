"""Evaluation helpers against hand counts and scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, fbeta_score, precision_score, recall_score

from lossfns import evaluation as ev

Y = np.array([1, 1, 1, 0, 0, 0, 0, 1])
P = np.array([0.9, 0.6, 0.4, 0.5, 0.2, 0.1, 0.7, 0.8])


def test_threshold_metrics_by_hand():
    assert ev.confusion(Y, P) == {"tp": 3, "fp": 2, "tn": 2, "fn": 1}  # 0.5 counts as positive
    assert ev.accuracy(Y, P) == 5 / 8
    assert ev.precision(Y, P) == 3 / 5 and ev.recall(Y, P) == 3 / 4
    assert ev.conditional_accuracy(Y, P) == {0: 2 / 4, 1: 3 / 4}
    assert ev.f_beta(Y, P, 1.0) == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))


@pytest.mark.parametrize("thr", [0.1, 0.3, 0.55, 0.9])
@pytest.mark.parametrize("beta", [1.0, 2.0, 3.0])
def test_against_sklearn(thr, beta):
    rng = np.random.default_rng(int(thr * 100 + beta))
    y, p = rng.integers(0, 2, 200), rng.uniform(size=200)
    hard = (p >= thr).astype(int)
    assert ev.accuracy(y, p, thr) == pytest.approx(accuracy_score(y, hard))
    assert ev.precision(y, p, thr) == pytest.approx(precision_score(y, hard, zero_division=0))
    assert ev.recall(y, p, thr) == pytest.approx(recall_score(y, hard))
    assert ev.f_beta(y, p, beta, thr) == pytest.approx(fbeta_score(y, hard, beta=beta, zero_division=0))


def test_auroc_is_a_ranking_measure():
    assert ev.auroc(Y, P) == pytest.approx(13 / 16)  # 13 of 16 (pos, neg) pairs ranked right
    assert ev.auroc(Y, P ** 3) == ev.auroc(Y, P)  # invariant to monotone maps
    with pytest.raises(ValueError, match="both classes"):
        ev.auroc(np.ones(3), np.ones(3))


def test_threshold_averaged_matches_mean_of_thresholds():
    out = ev.threshold_averaged(Y, P)
    manual = np.mean([f1_score(Y, (P >= t).astype(int), zero_division=0) for t in ev.PAPER003_THRESHOLDS])
    assert out["f1"] == pytest.approx(manual)
    assert ev.PAPER003_THRESHOLDS == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert set(out) >= {"accuracy", "precision", "recall", "f1", "f2", "f3", "auroc"}


def test_bias_variance_decompositions():
    y = np.array([1, 0, 1, 0])
    proba = np.array([[0.9, 0.2, 0.4, 0.6],
                      [0.8, 0.4, 0.3, 0.7],
                      [0.7, 0.6, 0.6, 0.4]])
    bv = ev.bias_variance(y, proba)
    assert bv["mse"] == pytest.approx(bv["bias2"] + bv["variance"])
    # hard predictions: col0 [1,1,1] main 1 ok; col1 [0,0,1] main 0 ok, v=1/3;
    # col2 [0,0,1] main 0 wrong, v=1/3; col3 [1,1,0] main 1 wrong, v=1/3
    assert bv["bias01"] == 0.5 and bv["variance01"] == pytest.approx(0.25)
    assert bv["loss01"] == pytest.approx(bv["bias01"] + bv["net_variance01"])
    with pytest.raises(ValueError, match="proba must have shape"):
        ev.bias_variance(y, proba[:, :3])


def test_bootstrap_driver_shapes_and_determinism():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)

    def fit_predict(Xb, yb, Xt, seed):
        return np.full(len(Xt), yb.mean())

    a = ev.bootstrap_predictions(fit_predict, X, y, X[:5], n_boot=7, seed=3)
    b = ev.bootstrap_predictions(fit_predict, X, y, X[:5], n_boot=7, seed=3)
    assert a.shape == (7, 5) and np.array_equal(a, b) and a[:, 0].std() > 0
    with pytest.raises(ValueError, match="n_boot must be a positive int"):
        ev.bootstrap_predictions(fit_predict, X, y, X, n_boot=0)


def test_validation_names_arguments():
    with pytest.raises(ValueError, match="y_true must contain only 0 and 1"):
        ev.accuracy([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="y_prob must have the shape"):
        ev.accuracy([0, 1], [0.1])
