r"""Ranking losses: the Wilcoxon-Mann-Whitney AUROC surrogate of Yan et al. (2003).

A baseline of document 003 (ref. [40]): the AUROC is the share of
(positive, negative) pairs ranked correctly; the surrogate replaces the step
on each pair's score difference by a smooth penalty (:func:`wmw_auroc_loss`).
Memory: ``"mean"`` and ``"sum"`` visit the positives x negatives pairs in blocks of
at most ``chunk_pairs`` pairs (never an N x N matrix); only ``reduction="none"``
returns the full pair matrix.

Example:
    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.7, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> round(float(lossfns.wmw_auroc_loss(p, t)), 4)
    0.02
    >>> round(float(lossfns.wmw_auroc_loss(p, t, form="sigmoid")), 4)
    0.1378
"""

from __future__ import annotations


import numpy as np

from .._validation import (check_choice, check_int, check_reduction, check_scalar, prepare_binary)
from ._common import safe_div
from ._registry import register

__all__ = ["wmw_auroc_loss", "WMW_FORMS"]

WMW_FORMS = ("polynomial", "sigmoid")


@register("003 baseline [40]: Yan et al. (2003), WMW statistic", keras=False,
          class_name="WMWAUROCLoss", tags=("batch", "pairwise"))
def wmw_auroc_loss(y_pred, y_true, *, form: str = "polynomial", gamma: float = 0.3, p: float = 2.0,
                   beta: float = 10.0, from_logits: bool = False, reduction: str = "mean",
                   chunk_pairs: int = 1 << 22):
    r"""WMW AUROC surrogate of Yan et al. (2003) on probabilities (``from_logits=True``: logits).

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
    other pairs), N the number of elements; memory :math:`O(N^2)`.

    Memory of ``"mean"`` / ``"sum"``: the positives are split into blocks of
    ``max(1, chunk_pairs // |N|)`` rows and each block is compared with all
    negatives, so no array holds more than about ``chunk_pairs`` pairs (default
    :math:`2^{22}`: ~32 MB per float64 temporary) whatever the batch size; a
    45,000-row validation set needs no N x N matrix (2 x 10^9 pairs, 16 GB).
    The blocks are summed in order, so the value equals the one-matrix sum to
    float rounding. Under autograd each block keeps its own intermediates for the
    backward pass (memory :math:`O(|P||N|)` again): chunking bounds evaluation,
    not training on a huge batch. Needs eager inputs (the block indices are read
    on the host); in a traced graph the one-matrix form is used.

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
        chunk_pairs: upper bound on the pairs evaluated at once by ``"mean"`` and
            ``"sum"`` (an integer >= 1).

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
    chunk_pairs = check_int("chunk_pairs", chunk_pairs)
    ops, x, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        x = ops.sigmoid(x)
    x, t = ops.reshape(x, (-1,)), ops.reshape(t, (-1,))
    if reduction != "none" and ops.eager(t):
        return _wmw_chunked(x, t, ops, form, gamma, p, beta, reduction, chunk_pairs)
    d = ops.expand_dims(x, 1) - ops.expand_dims(x, 0)              # d[i, j] = x_i - x_j
    pairs = ops.expand_dims(t, 1) * ops.expand_dims(1.0 - t, 0)   # i positive, j negative
    terms = pairs * _pair_terms(d, ops, form, gamma, p, beta)
    if reduction == "none":
        return terms
    total = ops.sum(terms)
    if reduction == "sum":
        return total
    return safe_div(total, ops.sum(pairs), ops)


def _pair_terms(d, ops, form, gamma, p, beta):
    """R(d) of every pair difference ``d`` (any shape)."""
    if form == "polynomial":
        # guard: the untaken branch gets base 0 (finite power and gradient for p > 1).
        # The test is d >= gamma, False for NaN: a NaN difference stays NaN (issue 19).
        inactive = d >= gamma
        base = ops.where(inactive, ops.zeros_like(d), gamma - d)
        return base ** p
    return ops.sigmoid(-beta * d)


def _wmw_chunked(x, t, ops, form, gamma, p, beta, reduction, chunk_pairs):
    """Sum (or mean) of R over positives x negatives, ``chunk_pairs`` pairs at a time."""
    labels = np.asarray(ops.to_numpy(t)).reshape(-1)
    if np.isnan(labels).any():
        # a NaN label (value checks off) is in neither class: the pairs, hence the loss,
        # are undefined. NaN, still tied to x (the unchunked path gives NaN as well).
        return ops.sum(x) * float("nan")
    pos = np.flatnonzero(labels == 1)
    neg = np.flatnonzero(labels != 1)
    n_pairs = pos.size * neg.size
    if n_pairs == 0:
        # no pair: the sum is 0 (and the mean 0 by safe division), still tied to x
        return ops.sum(x) * 0.0
    xn = ops.expand_dims(_gather(x, neg, ops), 0)                   # (1, |N|)
    rows = max(1, chunk_pairs // neg.size)
    total = None
    for start in range(0, pos.size, rows):
        xp = ops.expand_dims(_gather(x, pos[start:start + rows], ops), 1)   # (B, 1)
        block = ops.sum(_pair_terms(xp - xn, ops, form, gamma, p, beta))
        total = block if total is None else total + block
    if reduction == "sum":
        return total
    return total / float(n_pairs)


def _gather(x, idx, ops):
    """``x[idx]`` for a 1-D ``x`` and NumPy integer indices (on x's backend and device)."""
    return ops.take(x, ops.index_like(idx, x))
