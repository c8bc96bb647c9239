r"""The soft confusion matrix of document 003, eq. (6): soft-set counts from Heaviside values.

:math:`|TP_s| = \sum_i t_i \mathcal{H}(p_i, \tau)`, :math:`|FP_s| = \sum_i (1 - t_i)
\mathcal{H}(p_i, \tau)`, :math:`|FN_s| = \sum_i t_i (1 - \mathcal{H}(p_i, \tau))`,
:math:`|TN_s| = \sum_i (1 - t_i)(1 - \mathcal{H}(p_i, \tau))`.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_class_weights, check_thresholds, prepare_binary
from .heaviside import _check_heaviside, _heaviside, _linear_coefficients

__all__ = ["soft_confusion"]

# batch size from which a threshold grid counts by region totals (below: H then mat-vec)
_REGION_MIN_N = 4096


def _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits, class_weight=None):
    """Validated soft counts (TP_s, FP_s, FN_s, TN_s) plus ops; with ``class_weight`` =
    (W_n, W_p) the positives' counts (TP_s, FN_s) are scaled by W_p and the negatives'
    (FP_s, TN_s) by W_n (every element weighted by its class's weight)."""
    _check_heaviside(approx, delta, k, lookup)
    w = check_class_weights("class_weight", class_weight)
    ops, counts = _unweighted_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits)
    if w is None:
        return ops, counts
    tp, fp, fn, tn = counts
    return ops, (w[1] * tp, w[0] * fp, w[1] * fn, w[0] * tn)


def _unweighted_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits):
    taus = check_thresholds(tau)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        y = ops.sigmoid(y)  # the paper's networks end in a sigmoid; H acts on p in [0, 1]
    y = ops.reshape(y, (-1,))
    t = ops.reshape(t, (-1,))
    n = y.shape[0]
    if approx == "linear" and lookup is None and taus.size > 1 and (n is None or n >= _REGION_MIN_N):
        # a threshold grid on a large batch: region totals by BLAS. One threshold or a
        # small batch: forming H costs fewer dispatches (benchmarks/bench_losses.py --softset)
        return ops, _linear_counts(y, t, taus, delta, ops)
    h = _heaviside(y, taus, ops, approx, delta, k, lookup)  # (N,) or (T, N)
    nt = 1.0 - t
    # eq. (6) as two matrix-vector products over the batch: |FN_s| = sum_i y_i (1 - H_i)
    # = |P| - |TP_s| and |TN_s| = |N| - |FP_s|, so no other (T, N) array is formed.
    tp = ops.matmul(h, t)
    fp = ops.matmul(h, nt)
    fn = ops.sum(t) - tp
    tn = ops.sum(nt) - fp
    return ops, (tp, fp, fn, tn)


def _linear_counts(x, t, taus, delta, ops):
    r"""Eq. (6) for the linear H without forming H (issue 10: speed).

    :math:`\mathcal{H}^l` is affine on each of its three regions, so a count is a
    sum of per-region totals: with :math:`n_r = \sum_{i \in r} w_i` and
    :math:`s_r = \sum_{i \in r} w_i p_i` (``w`` = the labels for TP, ``1 - y``
    for FP), :math:`\sum_i w_i \mathcal{H}(p_i) = m_1 s_{left} + 0.5\, n_{mid} +
    m_2 (s_{mid} - \tau n_{mid}) + n_{right} + m_3 (s_{right} - n_{right})`. The
    totals come from two 0/1 masks ``[p >= a1]``, ``[p > a3]`` (thresholds x batch)
    times the (batch x 4) matrix ``[y, 1 - y, y p, (1 - y) p]``: two BLAS products
    instead of a dozen element-wise passes. The gradient w.r.t. ``p_i`` is
    :math:`w_i` times the slope of its region (m2 at both kinks), as with H.
    A batch wholly in the left region (e.g. all ``p = 0``) gives exact zeros.
    """
    grid = taus.ndim == 1
    tv = np.atleast_1d(taus).astype(np.float64)
    a1, a3, m1, m2, m3, _, _ = _linear_coefficients(tv, delta)

    def coef(v):
        return ops.const(v, x) if grid else float(v[0])

    xx = ops.expand_dims(x, 0) if grid else x
    ge = ops.mask_ge(xx, ops.expand_dims(coef(a1), 1) if grid else coef(a1))
    gt = ops.mask_gt(xx, ops.expand_dims(coef(a3), 1) if grid else coef(a3))
    nt = 1.0 - t
    w = ops.stack([t, nt, t * x, nt * x], axis=0)      # (4, N), rows contiguous
    wt = ops.transpose(w)                                # (N, 4) view: BLAS transposes
    tot = ops.sum(w, axis=1)                             # (4,)
    g_ge = ops.matmul(ge, wt)                            # (4,) or (T, 4)
    g_gt = ops.matmul(gt, wt)
    if grid:
        m1, m2, m3, tau = (ops.expand_dims(coef(v), 1) for v in (m1, m2, m3, tv))
    else:
        m1, m2, m3, tau = coef(m1), coef(m2), coef(m3), coef(tv)
    # (positives, negatives) side by side: n = sums of the weights, s = of weights x p
    s_all = tot[2:]
    n_ge, s_ge, n_gt, s_gt = g_ge[..., :2], g_ge[..., 2:], g_gt[..., :2], g_gt[..., 2:]
    n_mid, s_mid = n_ge - n_gt, s_ge - s_gt
    left = m1 * (s_all - s_ge)
    mid = 0.5 * n_mid + m2 * (s_mid - tau * n_mid)
    right = n_gt + m3 * (s_gt - n_gt)
    c = (left + mid) + right                             # (2,) or (T, 2): TP_s, FP_s
    tp, fp = c[..., 0], c[..., 1]
    return tp, fp, tot[0] - tp, tot[1] - fp


def soft_confusion(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                   k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                   class_weight=None):
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
        class_weight: ``None`` or ``(W_n, W_p)``: each element's terms are multiplied by its
            class's weight, :math:`|TP_s| = W_p \sum_i y_i \mathcal{H}(p_i)`, :math:`|FP_s| =
            W_n \sum_i (1 - y_i) \mathcal{H}(p_i)`, ... (the weighted losses of supp.
            Sec. 7.2, register A83; weights e.g. from
            :func:`lossfns.training.samplers.class_weights`).

    Returns:
        ``(tp, fp, fn, tn)``, each of shape ``()`` (scalar ``tau``) or ``(T,)``.

    Source: document 003, eq. (6) (and eq. 2 for the hard counts it softens).

    Example:
        >>> import numpy as np
        >>> tp, fp, fn, tn = soft_confusion(np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0]))
        >>> [round(float(c), 4) for c in (tp, fp, fn, tn)]
        [1.14, 0.7, 0.86, 1.3]
    """
    _, counts = _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits, class_weight)
    return counts


