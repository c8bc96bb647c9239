r"""Ranking losses: the Wilcoxon-Mann-Whitney AUROC surrogate of Yan et al. (2003).

A baseline of document 003 (ref. [40]): the AUROC is the share of
(positive, negative) pairs ranked correctly; the surrogate replaces the step
on each pair's score difference by a smooth penalty (:func:`wmw_auroc_loss`).
Memory: the pairs are positives x negatives, never an N x N matrix.
"""

from __future__ import annotations


from .._validation import (check_choice, check_reduction, check_scalar, prepare_binary)
from ._common import safe_div
from ._registry import register

__all__ = ["wmw_auroc_loss", "WMW_FORMS"]

WMW_FORMS = ("polynomial", "sigmoid")


@register("003 baseline [40]: Yan et al. (2003), WMW statistic", keras=False,
          class_name="WMWAUROCLoss", tags=("batch", "pairwise"))
def wmw_auroc_loss(y_pred, y_true, *, form: str = "polynomial", gamma: float = 0.3, p: float = 2.0,
                   beta: float = 10.0, from_logits: bool = False, reduction: str = "mean"):
    r"""Wilcoxon-Mann-Whitney AUROC surrogate of Yan et al. (2003), the "AUROC‡" baseline of 003.

    Over all pairs of a positive :math:`x_i` and a negative :math:`x_j`
    (:math:`d_{ij} = x_i - x_j`), ``form="polynomial"`` (Yan et al.'s eq.):

    .. math::

        R(x_i, x_j) = \begin{cases} \bigl(-(x_i - x_j - \gamma)\bigr)^{p} & x_i - x_j < \gamma \\
                                    0 & \text{otherwise} \end{cases},
        \qquad 0 < \gamma \le 1,\ p > 1

    and ``form="sigmoid"``, one minus the sigmoid-smoothed WMW statistic:

    .. math::

        R(x_i, x_j) = 1 - \sigma\bigl(\beta (x_i - x_j)\bigr) = \sigma\bigl(-\beta (x_i - x_j)\bigr)

    so that ``"mean"`` gives :math:`1 - \frac{1}{|P||N|}\sum_{i,j}\sigma(\beta d_{ij})`
    (1 - soft AUROC). ``"sum"`` is Yan et al.'s unnormalised sum over pairs;
    ``"mean"`` divides by the number of positive-negative pairs (0 when the
    batch lacks a class); ``"none"`` returns the ``(N, N)`` matrix of pair
    terms (row: positive :math:`i`, column: negative :math:`j`; zero for the
    other pairs), N the number of elements. Memory is :math:`O(N^2)`.

    Pairs are positives against negatives as in Yan et al. (the authors'
    released code compares positives with positives: a known defect, see
    ``shared/datasets/README.md``; not reproduced here). :math:`x` are the
    network's probabilities (sigmoid outputs; ``from_logits`` applies the
    sigmoid first), the scale on which :math:`\gamma \le 1` is meaningful.

    Range :math:`[0, (1+\gamma)^p]` per pair (polynomial), (0, 1) (sigmoid).
    Gradient: the polynomial form is :math:`C^1` at :math:`d = \gamma` for
    :math:`p > 1` (derivative :math:`-p(\gamma - d)^{p-1}` vanishing there).

    Not registered for Keras: Keras' reduction would average the
    ``(N, N)`` pair matrix over all :math:`N^2` entries, not over the pairs.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``, pooled.
        y_true: labels in {0, 1}, same shape.
        form: ``"polynomial"`` or ``"sigmoid"``.
        gamma: margin :math:`0 < \gamma \le 1` (Yan et al.: 0.1 to 0.7).
        p: exponent :math:`p > 1` (Yan et al.: 2 or 3).
        beta: slope :math:`\beta > 0` of the sigmoid form.
        from_logits: ``y_pred`` holds logits.
        reduction: ``"none"`` (``(N, N)``), ``"mean"`` (over pairs) or ``"sum"``.

    Source: L. Yan, R. Dodier, M. Mozer, R. Wolniewicz, "Optimizing classifier
    performance via an approximation to the Wilcoxon-Mann-Whitney statistic",
    ICML 2003 (document 003, ref. [40], Tables 1 and 4 line 5).

    Example:
        >>> import numpy as np
        >>> x, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(wmw_auroc_loss(x, y, reduction="sum").round(4))
        0.37
        >>> float(wmw_auroc_loss(x, y, form="sigmoid", beta=1.0).round(4))
        0.44
    """
    check_reduction(reduction)
    check_choice("form", form, WMW_FORMS)
    gamma = check_scalar("gamma", gamma, low=0.0, high=1.0, low_open=True)
    p = check_scalar("p", p, low=1.0, low_open=True)
    beta = check_scalar("beta", beta, low=0.0, low_open=True)
    ops, x, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        x = ops.sigmoid(x)
    x, t = ops.reshape(x, (-1,)), ops.reshape(t, (-1,))
    d = ops.expand_dims(x, 1) - ops.expand_dims(x, 0)              # d[i, j] = x_i - x_j
    pairs = ops.expand_dims(t, 1) * ops.expand_dims(1.0 - t, 0)   # i positive, j negative
    if form == "polynomial":
        active = d < gamma
        # guard: the untaken branch gets base 0 (finite power and gradient for p > 1)
        base = ops.where(active, gamma - d, ops.zeros_like(d))
        r = base ** p
    else:
        r = ops.sigmoid(-beta * d)
    terms = pairs * r
    if reduction == "none":
        return terms
    total = ops.sum(terms)
    if reduction == "sum":
        return total
    return safe_div(total, ops.sum(pairs), ops)


