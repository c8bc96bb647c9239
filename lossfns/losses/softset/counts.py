r"""The soft confusion matrix of document 003, eq. (6): soft-set counts from Heaviside values.

:math:`|TP_s| = \sum_i t_i \mathcal{H}(p_i, \tau)`, :math:`|FP_s| = \sum_i (1 - t_i)
\mathcal{H}(p_i, \tau)`, :math:`|FN_s| = \sum_i t_i (1 - \mathcal{H}(p_i, \tau))`,
:math:`|TN_s| = \sum_i (1 - t_i)(1 - \mathcal{H}(p_i, \tau))`.
"""

from __future__ import annotations



from ..._validation import (check_thresholds,
                            prepare_binary)
from .heaviside import _check_heaviside, _heaviside

__all__ = ["soft_confusion"]


def _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits):
    """Validated soft counts (TP_s, FP_s, FN_s, TN_s) plus ops."""
    _check_heaviside(approx, delta, k, lookup)
    taus = check_thresholds(tau)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        y = ops.sigmoid(y)  # the paper's networks end in a sigmoid; H acts on p in [0, 1]
    y = ops.reshape(y, (-1,))
    t = ops.reshape(t, (-1,))
    h = _heaviside(y, taus, ops, approx, delta, k, lookup)  # (N,) or (T, N)
    nt = 1.0 - t
    # eq. (6) as two matrix-vector products over the batch: |FN_s| = sum_i y_i (1 - H_i)
    # = |P| - |TP_s| and |TN_s| = |N| - |FP_s|, so no other (T, N) array is formed.
    tp = ops.matmul(h, t)
    fp = ops.matmul(h, nt)
    fn = ops.sum(t) - tp
    tn = ops.sum(nt) - fp
    return ops, (tp, fp, fn, tn)


def soft_confusion(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                   k: float = 10.0, lookup: int | None = None, from_logits: bool = False):
    r"""Soft-set confusion matrix :math:`(|TP_s|, |FP_s|, |FN_s|, |TN_s|)` (003 eq. 6).

    .. math::

        |TP_s| = \sum_{i} y_i\, \mathcal{H}(p_i, \tau), \quad
        |FN_s| = \sum_{i} y_i\, \bigl(1 - \mathcal{H}(p_i, \tau)\bigr),

        |FP_s| = \sum_{i} (1 - y_i)\, \mathcal{H}(p_i, \tau), \quad
        |TN_s| = \sum_{i} (1 - y_i)\, \bigl(1 - \mathcal{H}(p_i, \tau)\bigr)

    with :math:`\mathcal{H}` the linear (eq. 5) or sigmoid approximation.
    :math:`|TP_s| + |FN_s|` is the number of positives and
    :math:`|FP_s| + |TN_s|` the number of negatives, for every threshold.
    Each count is Lipschitz in :math:`p` (supp. Thm 4.2).

    Args:
        y_pred: probabilities :math:`p \in [0, 1]` (logits if ``from_logits``:
            a sigmoid is applied first), any shape ``(*)``, all elements pooled.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)``.
        approx: ``"linear"`` (:math:`\mathcal{H}^l`, parameter ``delta``) or
            ``"sigmoid"`` (:math:`\mathcal{H}^s`, parameter ``k``).
        delta: :math:`\delta \in [0, 0.5]`.
        k: :math:`k > 0`.
        lookup: ``None`` (formula) or the number of intervals of an
            interpolated lookup table (:func:`heaviside_lookup`).
        from_logits: ``y_pred`` holds logits.

    Returns:
        ``(tp, fp, fn, tn)``, each of shape ``()`` (scalar ``tau``) or ``(T,)``.

    Source: document 003, eq. (6) (and eq. 2 for the hard counts it softens).

    Example:
        >>> import numpy as np
        >>> tp, fp, fn, tn = soft_confusion(np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0]))
        >>> [round(float(c), 4) for c in (tp, fp, fn, tn)]
        [1.14, 0.7, 0.86, 1.3]
    """
    _, counts = _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits)
    return counts


