r"""Metrics on hard predictions that run on NumPy, torch and Keras arrays alike.

:func:`hard_labels`, the one hard prediction of the package (document 000
eq. 7: :math:`\hat y = 1` iff :math:`y \ge 0.5`; the paper's code uses
``y > 0.5``, available as ``rule=">"``), and :func:`conditional_accuracy`
(document 000 eq. 17).
Metrics that need scikit-learn (AUROC, threshold-averaged scores,
bias-variance) live in :mod:`lossfns.evaluation`, in the data and training layer.
"""

from __future__ import annotations

import math

from ._validation import check_choice, check_scalar, prepare_binary

__all__ = ["hard_labels", "conditional_accuracy", "RULES"]

#: Tie rules of the hard prediction: document 000 eq. (7) (``>=``) and its code (``>``).
RULES = (">=", ">")


def hard_labels(y, ops, *, threshold: float = 0.5, rule: str = ">=", from_logits: bool = False):
    """The hard prediction :math:`\\hat y \\in \\{0, 1\\}` as an array of ``y``'s dtype.

    ``rule=">="`` (default) is document 000 eq. (7), :math:`\\hat y = 1` iff
    :math:`y \\ge` ``threshold``; ``rule=">"`` is the paper code's
    ``y > 0.5`` (they differ only at a prediction exactly on the threshold).
    With ``from_logits`` the cut is :math:`\\mathrm{logit}(\\text{threshold})`.
    """
    check_choice("rule", rule, RULES)
    cut = math.log(threshold / (1.0 - threshold)) if from_logits else threshold
    hit = (y >= cut) if rule == ">=" else (y > cut)
    return ops.where(hit, ops.ones_like(y), ops.zeros_like(y))


def conditional_accuracy(y_pred, y_true, *, cls: int = 0, threshold: float = 0.5,
                         from_logits: bool = False, axis=None):
    r"""Conditional (per-class) accuracy, document 000 eq. (17).

    .. math::

        \text{Conditional Accuracy}_0 = \frac{\sum_{x \in N_D} \mathbb{1}[f(x) = 0]}{|N_D|}

    where :math:`N_D` is the set of points of class 0 and :math:`f(x) =
    \hat y = \mathbb{1}[y \ge \text{threshold}]` the hard prediction of
    eq. (7) (threshold 0.5). ``cls=1`` gives the same ratio on the points
    :math:`D` of class 1 (the recall / sensitivity); ``cls=0`` is the
    specificity. A metric, not a loss: piecewise constant in ``y_pred``
    (zero gradient almost everywhere).

    Range [0, 1]. A class absent from ``y_true`` (``|N_D| = 0``) is an error:
    the ratio is undefined, and a silent 0.0 would read as "every point of the
    class misclassified". :func:`lossfns.evaluation.conditional_accuracy` (both
    classes as a dict) calls this function and behaves the same.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        cls: the class conditioned on, 0 or 1.
        threshold: decision threshold in (0, 1) on the probability.
        from_logits: ``y_pred`` holds logits (compared with
            :math:`\mathrm{logit}(\text{threshold})`, no sigmoid rounding).
        axis: ``None`` (all elements) or an axis/tuple of axes to reduce, e.g.
            ``-1`` for a stack of models ``(n_models, n_samples)``.

    Returns:
        a scalar array (``axis=None``) or the reduced array, in ``y_pred``'s dtype.

    Source: document 000, Sec. 15, eq. (17).

    Example:
        >>> import numpy as np
        >>> y, t = np.array([0.1, 0.6, 0.3, 0.8, 0.4]), np.array([0, 0, 0, 1, 1])
        >>> float(conditional_accuracy(y, t, cls=0)), float(conditional_accuracy(y, t, cls=1))
        (0.6666666666666666, 0.5)
    """
    check_choice("cls", cls, (0, 1))
    check_scalar("threshold", threshold, low=0.0, high=1.0, low_open=True, high_open=True)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    one, zero = ops.ones_like(y), ops.zeros_like(y)
    y_hard = hard_labels(y, ops, threshold=threshold, from_logits=from_logits)
    member = ops.where(t == float(cls), one, zero)
    hits = ops.where(y_hard == t, member, zero)
    n = ops.sum(member, axis=axis) if axis is not None else ops.sum(member)
    k = ops.sum(hits, axis=axis) if axis is not None else ops.sum(hits)
    if ops.eager(n):
        import numpy as np
        if np.any(ops.to_numpy(n) == 0):
            raise ValueError(f"y_true has no element of class {cls} (along axis={axis!r}): "
                             f"conditional accuracy of class {cls} is undefined")
    return k / n
