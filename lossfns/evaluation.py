"""Evaluation helpers: threshold metrics, AUROC, threshold-averaged metrics, bias-variance.

Conventions: ``y_true`` (n,) in {0, 1}; ``y_prob`` (n,) probabilities;
a prediction is positive when ``y_prob >= threshold`` (document 000's
y_hard = 1 if y >= 0.5). Ratios with an empty denominator are 0.0 (sklearn's
``zero_division=0``).
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from ._ops import NUMPY
from ._validation import check_binary_scores, check_positive_int
from .metrics import conditional_accuracy as _conditional_accuracy
from .metrics import hard_labels

#: Thresholds at which document 003 evaluates and averages its metrics.
PAPER003_THRESHOLDS = tuple(np.round(np.arange(1, 10) / 10.0, 1))


def _div(a, b):
    return float(a) / float(b) if b else 0.0


def confusion(y_true, y_prob, threshold: float = 0.5) -> dict:
    """Counts tp, fp, tn, fn at ``threshold``."""
    t, p = check_binary_scores(y_true, y_prob)
    hard = hard_labels(p, NUMPY, threshold=threshold) == 1
    return {"tp": int((hard & (t == 1)).sum()), "fp": int((hard & (t == 0)).sum()),
            "tn": int((~hard & (t == 0)).sum()), "fn": int((~hard & (t == 1)).sum())}


def accuracy(y_true, y_prob, threshold: float = 0.5) -> float:
    c = confusion(y_true, y_prob, threshold)
    return _div(c["tp"] + c["tn"], sum(c.values()))


def conditional_accuracy(y_true, y_prob, threshold: float = 0.5) -> dict:
    """Per-class accuracy (document 000 eq. 17) as ``{0: TN/(TN+FP), 1: TP/(TP+FN)}``.

    The one definition is :func:`lossfns.metrics.conditional_accuracy`: a class
    absent from ``y_true`` is a ``ValueError`` (its accuracy is undefined), here too.
    """
    t, p = check_binary_scores(y_true, y_prob)
    return {c: float(_conditional_accuracy(p, t, cls=c, threshold=threshold)) for c in (0, 1)}


def precision(y_true, y_prob, threshold: float = 0.5) -> float:
    c = confusion(y_true, y_prob, threshold)
    return _div(c["tp"], c["tp"] + c["fp"])


def recall(y_true, y_prob, threshold: float = 0.5) -> float:
    c = confusion(y_true, y_prob, threshold)
    return _div(c["tp"], c["tp"] + c["fn"])


def f_beta(y_true, y_prob, beta: float = 1.0, threshold: float = 0.5) -> float:
    """(1 + b^2) P R / (b^2 P + R) = (1 + b^2) TP / ((1 + b^2) TP + b^2 FN + FP)."""
    if not beta > 0:
        raise ValueError(f"beta must be positive, got {beta!r}")
    c = confusion(y_true, y_prob, threshold)
    b2 = beta * beta
    return _div((1 + b2) * c["tp"], (1 + b2) * c["tp"] + b2 * c["fn"] + c["fp"])


def auroc(y_true, y_prob) -> float:
    """Ranking AUROC from scores (not from thresholded predictions)."""
    t, p = check_binary_scores(y_true, y_prob)
    if t.min() == t.max():
        raise ValueError("auroc needs both classes in y_true")
    return float(roc_auc_score(t, p))


def metrics_at(y_true, y_prob, threshold: float = 0.5, betas=(1.0,)) -> dict:
    """accuracy, precision, recall, f{beta}, acc_class0/1 at one threshold."""
    out = {"accuracy": accuracy(y_true, y_prob, threshold),
           "precision": precision(y_true, y_prob, threshold),
           "recall": recall(y_true, y_prob, threshold)}
    for b in betas:
        out[f"f{b:g}"] = f_beta(y_true, y_prob, b, threshold)
    ca = conditional_accuracy(y_true, y_prob, threshold)
    out["acc_class0"], out["acc_class1"] = ca[0], ca[1]
    return out


def threshold_averaged(y_true, y_prob, thresholds=PAPER003_THRESHOLDS, betas=(1.0, 2.0, 3.0)) -> dict:
    """Metrics averaged over thresholds 0.1..0.9 (document 003's reporting) + AUROC.

    AUROC is threshold-free and reported once (true ranking AUROC). Pass
    probabilities: for logit models apply the sigmoid first (the authors'
    released code thresholded logits, a known defect).
    """
    rows = [metrics_at(y_true, y_prob, t, betas) for t in thresholds]
    out = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    t = np.asarray(y_true)
    out["auroc"] = auroc(y_true, y_prob) if t.min() != t.max() else float("nan")
    return out


# ----------------------------------------------------------------- bias-variance


def bootstrap_predictions(fit_predict, X_train, y_train, X_test, *, n_boot: int = 50,
                          seed: int = 0) -> np.ndarray:
    """Run ``fit_predict(X_boot, y_boot, X_test, seed) -> (n_test,)`` probabilities
    on ``n_boot`` bootstrap samples of the training set; returns (n_boot, n_test)."""
    check_positive_int("n_boot", n_boot)
    rng = np.random.default_rng(seed)
    n = len(y_train)
    out = []
    for b in range(n_boot):
        i = rng.integers(0, n, size=n)
        out.append(np.asarray(fit_predict(X_train[i], y_train[i], X_test, seed + b), dtype=float))
    return np.stack(out)


def bias_variance(y_true, proba, threshold: float = 0.5) -> dict:
    """Bias-variance decompositions from bootstrap predictions.

    Args:
        y_true: (n_test,) labels; proba: (n_boot, n_test) predicted probabilities.
    Returns dict with
        squared error on probabilities: ``mse`` = bias2 + variance (exact),
        ``bias2`` = mean_x (mean_b p - y)^2, ``variance`` = mean_x var_b p;
        0-1 loss after Domingos (2000): main prediction = mode of the hard
        predictions (ties -> 1), ``bias01`` = mean_x 1[main != y],
        ``variance01`` = mean_x P_b(pred != main), ``loss01`` = mean 0-1 loss,
        plus ``net_variance01`` = unbiased-point variance minus biased-point
        variance, so that loss01 = bias01 + net_variance01 (two classes).
    """
    t = check_binary_scores(y_true)
    P = np.asarray(proba, dtype=float)
    if P.ndim != 2 or P.shape[1] != t.shape[0]:
        raise ValueError(f"proba must have shape (n_boot, {t.shape[0]}), got {P.shape}")
    mean_p = P.mean(0)
    bias2 = float(np.mean((mean_p - t) ** 2))
    var = float(np.mean(P.var(0)))
    hard = hard_labels(P, NUMPY, threshold=threshold).astype(int)
    main = (hard.mean(0) >= 0.5).astype(int)
    biased = main != t
    v_x = (hard != main).mean(0)
    return {
        "mse": float(np.mean((P - t) ** 2)), "bias2": bias2, "variance": var,
        "loss01": float(np.mean(hard != t)), "bias01": float(biased.mean()),
        "variance01": float(v_x.mean()),
        "net_variance01": float(np.mean(np.where(biased, -v_x, v_x))),
    }
