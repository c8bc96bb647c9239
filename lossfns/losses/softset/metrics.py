r"""Soft-set metrics of document 003: the usual formula of each metric on soft counts (eq. 6).

Accuracy, F-beta (F1), balanced accuracy, Jaccard, G-mean and the soft AUROC
(supp. Sec. 1.2.2, eq. 18 and 21). Ratios with a zero denominator are 0.
"""

from __future__ import annotations


import numpy as np

from ..._validation import (check_int,
                            check_scalar)
from .._common import safe_div
from .counts import _soft_counts

__all__ = ["soft_accuracy", "soft_f1", "soft_fbeta", "soft_balanced_accuracy", "soft_jaccard",
           "soft_gmean", "soft_auroc"]


def _accuracy(c, ops, beta=None):
    tp, fp, fn, tn = c
    return safe_div(tp + tn, tp + tn + fp + fn, ops)


def _fbeta(c, ops, beta=1.0):
    tp, fp, fn, _ = c
    b2 = beta * beta
    return safe_div((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn + fp, ops)


def _balanced_accuracy(c, ops, beta=None):
    tp, fp, fn, tn = c
    return 0.5 * (safe_div(tp, tp + fn, ops) + safe_div(tn, tn + fp, ops))


def _jaccard(c, ops, beta=None):
    tp, fp, fn, _ = c
    return safe_div(tp, tp + fp + fn, ops)


def _gmean(c, ops, beta=None):
    tp, fp, fn, tn = c
    x = safe_div(tp, tp + fn, ops) * safe_div(tn, tn + fp, ops)
    # sqrt'(0) is infinite: feed the untaken branch 1 and take 0 (a subgradient) at x = 0.
    # The guard is x <= 0, False for NaN: a NaN count reaches the sqrt and propagates.
    zero = x <= 0
    return ops.where(zero, ops.zeros_like(x), ops.sqrt(ops.where(zero, ops.ones_like(x), x)))


_METRICS = {"accuracy": _accuracy, "fbeta": _fbeta, "balanced_accuracy": _balanced_accuracy,
            "jaccard": _jaccard, "gmean": _gmean}


def _metric(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta=1.0,
            class_weight=None):
    ops, counts = _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits, class_weight)
    return ops, _METRICS[which](counts, ops, beta)


_METRIC_ARGS = """
    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``, pooled.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)``.
        approx: ``"linear"`` or ``"sigmoid"``; ``delta`` / ``k`` their parameters.
        lookup: ``None`` or the size of an interpolated lookup table.
        from_logits: ``y_pred`` holds logits.

    Returns:
        shape ``()`` (scalar ``tau``) or ``(T,)``; values in [0, 1].
"""


def soft_accuracy(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
                  from_logits=False):
    r"""Soft-set accuracy :math:`\frac{|TP_s| + |TN_s|}{|TP_s| + |TN_s| + |FP_s| + |FN_s|}`
    (003 eq. 3 on eq. 6). See :func:`soft_accuracy_loss`."""
    return _metric("accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_f1(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
            from_logits=False):
    r"""Soft-set :math:`F_1^s = \frac{2|TP_s|}{2|TP_s| + |FP_s| + |FN_s|}` (003 eq. 8).
    See :func:`soft_f1_loss`."""
    return _metric("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, 1.0)[1]


def soft_fbeta(y_pred, y_true, *, beta=1.0, tau=0.5, approx="linear", delta=0.1, k=10.0,
               lookup=None, from_logits=False):
    r"""Soft-set :math:`F_\beta^s = \frac{(1+\beta^2)|TP_s|}{(1+\beta^2)|TP_s| + \beta^2|FN_s| + |FP_s|}`
    (003 Sec. 2). See :func:`soft_fbeta_loss`."""
    beta = check_scalar("beta", beta, low=0.0)
    return _metric("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta)[1]


def soft_balanced_accuracy(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0,
                           lookup=None, from_logits=False):
    r"""Soft-set balanced accuracy :math:`\frac12\bigl(\frac{|TP_s|}{|TP_s|+|FN_s|} +
    \frac{|TN_s|}{|TN_s|+|FP_s|}\bigr)`. See :func:`soft_balanced_accuracy_loss`."""
    return _metric("balanced_accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_jaccard(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
                 from_logits=False):
    r"""Soft-set Jaccard index :math:`\frac{|TP_s|}{|TP_s| + |FP_s| + |FN_s|}`.
    See :func:`soft_jaccard_loss`."""
    return _metric("jaccard", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_gmean(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
               from_logits=False):
    r"""Soft-set G-mean :math:`\sqrt{\text{TPR}_s \cdot \text{TNR}_s}`. See :func:`soft_gmean_loss`."""
    return _metric("gmean", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


for _f in (soft_accuracy, soft_f1, soft_fbeta, soft_balanced_accuracy, soft_jaccard, soft_gmean):
    _f.__doc__ += "\n" + _METRIC_ARGS


def _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits):
    n = check_int("n_intervals", n_intervals, low=2)
    taus = np.arange(1, n, dtype=np.float64) / n            # interior thresholds tau_1..tau_{k-1}
    ops, (tp, fp, fn, tn) = _soft_counts(y_pred, y_true, taus, approx, delta, k, lookup, from_logits)
    tpr = safe_div(tp, tp + fn, ops)
    fpr = safe_div(fp, fp + tn, ops)
    one, zero = ops.ones_like(tpr[:1]), ops.zeros_like(tpr[:1])
    # boundary conditions of supp. Sec. 1.2.2: TPR(0) = FPR(0) = 1, TPR(1) = FPR(1) = 0
    tpr = ops.concatenate([one, tpr, zero], axis=0)
    fpr = ops.concatenate([one, fpr, zero], axis=0)
    return ops, 0.5 * ops.sum((fpr[:-1] - fpr[1:]) * (tpr[1:] + tpr[:-1]))


def soft_auroc(y_pred, y_true, *, n_intervals: int = 10, approx="linear", delta=0.1, k=10.0,
               lookup=None, from_logits=False):
    r"""Soft-set AUROC by the trapezoidal rule over :math:`\tau_i = i/k` (003 supp. eq. 18, 21).
    A scalar in [0, 1]. See :func:`soft_auroc_loss` for the formula and the reading."""
    return _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits)[1]


