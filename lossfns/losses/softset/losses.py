r"""Soft-set losses of document 003: :math:`1 - \text{metric}` of the soft confusion matrix.

Reductions (batch-level, non-decomposable): a metric is one number per
threshold for the whole batch, so there is no per-sample loss.
``reduction="none"`` returns the per-threshold losses (shape ``()`` for a
scalar ``tau``, ``(T,)`` for a grid), ``"mean"`` averages them over the
thresholds and ``"sum"`` adds them; for a scalar ``tau`` all three give the
same scalar. The Keras classes call the function with ``reduction="none"`` and
Keras' own reduction then averages the ``(T,)`` vector (or sees a scalar),
which equals ``"mean"``; ``sample_weight`` has no meaning for a batch-level
loss and must not be passed.
"""

from __future__ import annotations



from ..._validation import (check_reduction, check_scalar, reduce)
from .._registry import register
from .metrics import _auroc, _metric

__all__ = ["soft_accuracy_loss", "soft_f1_loss", "soft_fbeta_loss", "soft_balanced_accuracy_loss",
           "soft_jaccard_loss", "soft_gmean_loss", "soft_auroc_loss"]


_LOSS_DOC = r"""
    Reductions (batch-level loss): ``"none"`` returns one loss per threshold
    (shape ``()`` for a scalar ``tau``, ``(T,)`` for a grid), ``"mean"`` their
    average, ``"sum"`` their sum; with a scalar ``tau`` all three are the same
    scalar. All elements of ``y_pred`` are pooled into one soft confusion
    matrix (the paper's mini-batch estimate, Sec. 3.2).

    Gradient: through :math:`\mathcal{H}` (piecewise constant slopes with kinks
    at :math:`\tau \pm \tau_m/2` for the linear approximation; smooth for the
    sigmoid) and the quotient; ratios with a zero denominator are 0 (safe
    division) with zero gradient.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``: a sigmoid is
            applied first), any shape ``(*)``, floating dtype.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)`` (paper: 0.5); give a
            grid as a list or tuple when the Keras class must serialise it.
        approx: ``"linear"`` (:func:`heaviside_linear`, paper's Table 1) or
            ``"sigmoid"`` (:func:`heaviside_sigmoid`, Table 4).
        delta: :math:`\delta \in [0, 0.5]` of the linear approximation (paper: 0.1).
        k: :math:`k > 0` of the sigmoid approximation (paper: 10).
        lookup: ``None`` (formula) or the number of intervals of an
            interpolated lookup table (supp. Sec. 3, :func:`heaviside_lookup`).
        from_logits: ``y_pred`` holds logits.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over thresholds (see above).
        class_weight: (accuracy, F-beta, F1 and Jaccard losses) ``None`` or ``(W_n, W_p)``:
            the soft counts of the positives are multiplied by ``W_p`` and those of the
            negatives by ``W_n`` (:func:`soft_confusion`), the class-weighted losses of
            supp. Sec. 7.2 (Table 9, register A83). Balanced accuracy, G-mean and the soft
            AUROC are ratios within a class and do not change under class weights, so they
            do not take it.
"""


def _loss_doc(fn):
    """Insert the shared reduction/argument text at the ``@LOSS_ARGS@`` marker of ``fn.__doc__``."""
    fn.__doc__ = fn.__doc__.replace("    @LOSS_ARGS@", _LOSS_DOC.strip("\n"))
    return fn


def _loss(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, beta=1.0,
          class_weight=None):
    check_reduction(reduction)
    ops, m = _metric(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta, class_weight)
    return reduce(1.0 - m, reduction, ops)


@register("003 eq. (3), (5), (6)",
          class_name="SoftAccuracyLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_accuracy_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                       k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                       reduction: str = "mean", class_weight=None):
    r"""Soft-set accuracy loss (003 "Accuracy*") on probabilities (``from_logits=True``: logits).

    .. math::

        L = 1 - \frac{|TP_s| + |TN_s|}{|TP_s| + |TN_s| + |FP_s| + |FN_s|}

    with the soft counts of eq. (6) (:func:`soft_confusion`). Range [0, 1].
    The denominator is the number of elements, so :math:`L` is the mean of
    :math:`y_i (1 - \mathcal{H}(p_i)) + (1 - y_i)\mathcal{H}(p_i)`.

    Source: document 003, eq. (3) and (6); Tables 1, 4, 5, 9, 11.
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_accuracy_loss(p, y).round(4))
        0.39
        >>> soft_accuracy_loss(p, y, tau=[0.25, 0.5], reduction="none").round(4)
        array([0.343, 0.39 ])
    """
    return _loss("accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction,
                 class_weight=class_weight)


@register("003 eq. (3), (6), (8)",
          class_name="SoftF1Loss", tags=("bounded", "batch"))
@_loss_doc
def soft_f1_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                 k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                 reduction: str = "mean", class_weight=None):
    r"""Soft-set F1 loss (003 "F1*") on probabilities (``from_logits=True``: logits).

    .. math::

        L = 1 - F_1^s = 1 - \frac{2|TP_s|}{2|TP_s| + |FP_s| + |FN_s|}
          = 1 - \frac{2 \sum_i y_i \hat y_i^{\mathcal{H}}}{\sum_i (y_i + \hat y_i^{\mathcal{H}})}

    (eq. 8; the harmonic mean of soft precision :math:`|TP_s|/(|TP_s|+|FP_s|)`
    and soft recall, written with counts so that it stays defined when
    :math:`|TP_s| = 0`). Range [0, 1]; 1 (safe division) when the batch has no
    positives and :math:`\mathcal{H} = 0` everywhere.

    Source: document 003, eq. (3), (6), (8); Tables 1-6, 9, 11.
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_f1_loss(p, y).round(4))
        0.4062
    """
    return _loss("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, 1.0,
                 class_weight=class_weight)


@register("003 Sec. 2 (F-beta), eq. (6); Tables 3, 6",
          class_name="SoftFBetaLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_fbeta_loss(y_pred, y_true, *, beta: float = 1.0, tau=0.5, approx: str = "linear",
                    delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                    from_logits: bool = False, reduction: str = "mean", class_weight=None):
    r"""Soft-set F-beta loss (003 "F2*", "F3*") on probabilities (``from_logits=True``: logits).

    .. math::

        F_\beta = (1 + \beta^2)\frac{\text{precision}\cdot\text{recall}}{\beta^2\,\text{precision}
        + \text{recall}}, \qquad
        L = 1 - \frac{(1+\beta^2)|TP_s|}{(1+\beta^2)|TP_s| + \beta^2|FN_s| + |FP_s|}

    (the same quotient written with counts). :math:`\beta \ge 0`: recall counts
    :math:`\beta` times as much as precision; :math:`\beta = 1` is
    :func:`soft_f1_loss`, :math:`\beta = 0` is :math:`1 -` soft precision.
    Range [0, 1].

    Source: document 003, Sec. 2 (F-beta) and eq. (6); Tables 3 and 6.
    @LOSS_ARGS@
        beta: :math:`\beta \ge 0` (paper: 1, 2, 3).

    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_fbeta_loss(p, y, beta=2.0).round(4))
        0.4207
    """
    beta = check_scalar("beta", beta, low=0.0)
    return _loss("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, beta,
                 class_weight=class_weight)


@register("003 Sec. 4.1 (balanced accuracy), eq. (6)",
          class_name="SoftBalancedAccuracyLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_balanced_accuracy_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear",
                                delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                                from_logits: bool = False, reduction: str = "mean"):
    r"""Soft-set balanced-accuracy loss on probabilities (``from_logits=True``: logits).

    .. math::

        L = 1 - \frac{1}{2}\left(\frac{|TP_s|}{|TP_s| + |FN_s|} + \frac{|TN_s|}{|TN_s| + |FP_s|}\right)

    Range [0, 1]. A batch without positives (or negatives) contributes 0 for
    that rate (safe division), so it should hold both classes.

    Source: document 003, Sec. 4.1 and eq. (6) (metric list after [8]).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_balanced_accuracy_loss(p, y).round(4))
        0.39
    """
    return _loss("balanced_accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits,
                 reduction)


@register("003 Sec. 4.1 (Jaccard), eq. (6)",
          class_name="SoftJaccardLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_jaccard_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                      k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                      reduction: str = "mean", class_weight=None):
    r"""Soft-set Jaccard (IoU) loss on probabilities (``from_logits=True``: logits).

    .. math::

        L = 1 - \frac{|TP_s|}{|TP_s| + |FP_s| + |FN_s|}

    Range [0, 1]. Note :math:`J = F_1/(2 - F_1)` holds for soft counts too.

    Source: document 003, Sec. 4.1 and eq. (6).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_jaccard_loss(p, y).round(4))
        0.5778
    """
    return _loss("jaccard", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction,
                 class_weight=class_weight)


@register("003 Sec. 4.1 (G-mean), eq. (6)",
          class_name="SoftGMeanLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_gmean_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                    k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                    reduction: str = "mean"):
    r"""Soft-set geometric-mean loss on probabilities (``from_logits=True``: logits).

    .. math::

        L = 1 - \sqrt{\frac{|TP_s|}{|TP_s| + |FN_s|}\cdot\frac{|TN_s|}{|TN_s| + |FP_s|}}

    Range [0, 1]. The square root has an infinite derivative at 0; there the
    loss returns the subgradient 0 (guarded ``where``), so a batch where one
    soft rate is exactly 0 gives no gradient through this term.

    Source: document 003, Sec. 4.1 and eq. (6).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_gmean_loss(p, y).round(4))
        0.3913
    """
    return _loss("gmean", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction)


@register("003 supp. Sec. 1.2.2, eq. (18), (21)",
          class_name="SoftAUROCLoss", tags=("bounded", "batch"))
def soft_auroc_loss(y_pred, y_true, *, n_intervals: int = 10, approx: str = "linear",
                    delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                    from_logits: bool = False, reduction: str = "mean"):
    r"""Soft-set AUROC loss (003 "AUROC*") on probabilities (``from_logits=True``: logits).

    .. math::

        \text{AUROC}^s = \frac{1}{2} \sum_{i=1}^{K} \bigl(\text{FPR}^s(\tau_{i-1}) - \text{FPR}^s(\tau_i)\bigr)
                          \bigl(\text{TPR}^s(\tau_i) + \text{TPR}^s(\tau_{i-1})\bigr),
        \qquad \tau_i = \frac{i}{K}

        \text{TPR}^s(\tau) = \frac{|TP_s(\tau)|}{|TP_s(\tau)| + |FN_s(\tau)|}, \quad
        \text{FPR}^s(\tau) = \frac{|FP_s(\tau)|}{|FP_s(\tau)| + |TN_s(\tau)|}

    (the trapezoidal rule of supp. eq. 18 on soft rates, eq. 21), :math:`K`
    = ``n_intervals`` (the supplement's :math:`k`, renamed so as not to clash
    with the sigmoid slope ``k``).

    Reading (ambiguity register): neither approximation is defined as a step
    at :math:`\tau_0 = 0` and :math:`\tau_K = 1` (the linear one divides by
    :math:`\tau_m = 0`; the sigmoid one gives :math:`\mathcal{H}^s(p, 0) \ge
    0.5`), so the end points use the boundary conditions the supplement states,
    :math:`\text{TPR}(0) = \text{FPR}(0) = 1` and :math:`\text{TPR}(1) =
    \text{FPR}(1) = 0`; only the interior thresholds :math:`\tau_1 .. \tau_{K-1}`
    are soft. The default :math:`K = 10` makes them the evaluation thresholds
    0.1, ..., 0.9 of the paper (the paper does not state its :math:`k`).

    Range [0, 1] (a batch needs both classes; otherwise a rate is 0 by safe
    division and the value is meaningless). A batch-level scalar: every
    ``reduction`` returns it unchanged. Gradient: through the soft rates at the
    interior thresholds.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        n_intervals: :math:`K \ge 2`, number of threshold intervals.
        approx, delta, k, lookup, from_logits: as in :func:`soft_f1_loss`.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` (all give the scalar).

    Source: document 003, supplement Sec. 1.2.2, eq. (18) and (21); Tables 1, 4.

    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_auroc_loss(p, y).round(4))
        0.2658
        >>> float(soft_auroc_loss(p, y, n_intervals=2).round(4))
        0.39
    """
    check_reduction(reduction)
    ops, auc = _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits)
    return reduce(1.0 - auc, reduction, ops)


