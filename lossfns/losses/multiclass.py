r"""Multiclass and distribution losses: categorical cross-entropy, KL divergence,
multiclass hinge, PolyLoss (document 002, the primer).

The primer lost most display formulas in extraction (categorical CE, hinge,
PolyLoss are only named); where it did, the definition of the paper it cites
is implemented and each docstring says so. Sources are quoted as
``002 sec. <heading>``.

Inputs: ``y_pred`` of shape ``(*, C)`` (class axis last) and ``y_true``
either a target distribution of the same shape (one-hot or soft) or integer
class indices of shape ``(*)``. Helpers of information theory used by the
losses (and by document 002's identity CE = KL + H): :func:`log_softmax`,
:func:`entropy`.

Example:
    Class scores (logits) with integer labels, as ``torch.nn.CrossEntropyLoss``
    takes them; probabilities and a target distribution by default:

    >>> import numpy as np
    >>> import lossfns
    >>> scores, labels = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]), np.array([0, 2])
    >>> round(float(lossfns.categorical_cross_entropy(scores, labels, from_logits=True)), 4)
    0.1755
    >>> import torch
    >>> round(float(torch.nn.CrossEntropyLoss()(torch.tensor(scores), torch.tensor(labels))), 4)
    0.1755
    >>> q, target = np.array([[0.7, 0.2, 0.1]]), np.array([[0.6, 0.3, 0.1]])
    >>> round(float(lossfns.kl_divergence(q, target)), 4)
    0.0291
"""

from __future__ import annotations


import numpy as np

from .._ops import get_ops
from .._validation import (_checking, _shape, as_array, check_bool, check_choice, check_distribution_values,
                           check_finite, check_float, check_labels, check_nonempty, check_rank,
                           check_scalar, reduce)
from ._common import EPS
from ._registry import register

__all__ = ["categorical_cross_entropy", "kl_divergence", "multiclass_hinge", "poly1", "entropy",
           "log_softmax"]

HINGE_VARIANTS = ("weston_watkins", "crammer_singer")


def log_softmax(z, axis: int = -1):
    r"""Stable :math:`\log \mathrm{softmax}(z)_i = z_i - \log\sum_j e^{z_j}` (any backend).

    Computed as ``z - logsumexp(z)`` (the logsumexp subtracts the maximum), so
    it is finite for logits of any size, unlike ``log(softmax(z))``.

    Example:
        >>> import numpy as np
        >>> log_softmax(np.array([0.0, 1e4])).round(4)
        array([-10000.,      0.])
    """
    ops = get_ops(z)
    return z - ops.logsumexp(z, axis=axis, keepdims=True)

def _xlogy_safe(p, ops):
    # p * log(p) with the convention 0 log 0 = 0; the log never sees a 0 (its
    # untaken branch gets 1), so gradients stay finite at p = 0. The guard is
    # p <= 0, False for NaN: a NaN p reaches the log and propagates.
    zero = p <= 0
    return ops.where(zero, ops.zeros_like(p), p * ops.log(ops.where(zero, ops.ones_like(p), p)))

def entropy(p, *, axis: int = -1):
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i` (nats), with :math:`0 \log 0 = 0`.

    002 sec. "KL divergence vs. Cross-entropy loss": :math:`S(v) = -\sum_i p(v_i)\log p(v_i)`
    and the identity :math:`H(p, q) = D_{KL}(p\,\|\,q) + H(p)` that
    :func:`categorical_cross_entropy` and :func:`kl_divergence` satisfy.

    Args:
        p: probabilities, shape ``(*, C)``, class axis ``axis``.

    Returns:
        shape ``(*)``.

    Example:
        >>> import numpy as np
        >>> entropy(np.array([[0.5, 0.5], [1.0, 0.0]])).round(4)
        array([0.6931, 0.    ])
    """
    ops = get_ops(p)
    p = as_array(p, "p", ops)
    check_float(p, "p", ops)
    check_finite(p, "p", ops)
    check_distribution_values(p, "p", ops)
    return 0.0 - ops.sum(_xlogy_safe(p, ops), axis=axis)  # 0 - x: no "-0." for certain p

def _prepare_multiclass(y_pred, y_true, *, from_logits=False, probabilities=True,
                        one_hot_only=False):
    """Validate ``y_pred (*, C)`` and ``y_true`` (distribution ``(*, C)`` or indices ``(*)``).

    Returns ``(ops, y_pred, t)`` with ``t`` a float target distribution of shape ``(*, C)``.
    """
    check_bool("from_logits", from_logits)
    ops = get_ops(y_pred, y_true)
    y_pred = as_array(y_pred, "y_pred", ops)
    y_true = as_array(y_true, "y_true", ops, like=y_pred)
    check_float(y_pred, "y_pred", ops)
    check_rank(y_pred, "y_pred", 1, "the last axis holds the C classes")
    check_nonempty(y_pred, "y_pred")
    check_finite(y_pred, "y_pred", ops)
    if probabilities and not from_logits:
        if _checking(y_pred, ops):
            arr = ops.to_numpy(y_pred)
            if arr.min() < 0.0 or arr.max() > 1.0:
                raise ValueError(f"y_pred must lie in [0, 1] (class probabilities; pass "
                                 f"from_logits=True for logits), got values in "
                                 f"[{arr.min():.6g}, {arr.max():.6g}]")
    ps, ts = _shape(y_pred), _shape(y_true)
    n_cls = ps[-1]
    if ts == ps:
        if ops.is_floating(y_true):
            check_finite(y_true, "y_true", ops)
        if one_hot_only:
            check_labels(y_true, "y_true", ops, "01")
            if _checking(y_true, ops):
                rows = ops.to_numpy(y_true).reshape(-1, n_cls).sum(axis=1)
                if not np.all(rows == 1):
                    raise ValueError(f"y_true must be one-hot along the last axis (one 1 per row), "
                                     f"found a row summing to {rows[rows != 1][0].item()!r}")
        else:
            check_distribution_values(y_true, "y_true", ops)
        return ops, y_pred, ops.cast(y_true, y_pred)
    if ts == ps[:-1]:
        if ops.is_floating(y_true):
            check_finite(y_true, "y_true", ops)
        if _checking(y_true, ops):
            arr = ops.to_numpy(y_true)
            bad = (arr != np.round(arr)) | (arr < 0) | (arr >= n_cls)
            if bad.any():
                raise ValueError(f"y_true class indices must be integers in [0, {n_cls - 1}], "
                                 f"found {arr[bad].ravel()[0].item()!r}")
        return ops, y_pred, _one_hot(y_true, n_cls, y_pred, ops)
    raise ValueError(f"Expected y_true of shape {ps} (a target distribution) or {ps[:-1]} "
                     f"(class indices) for y_pred of shape {ps}, got {ts}")

def _one_hot(idx, n_cls, like, ops):
    classes = ops.linspace(0.0, float(n_cls - 1), n_cls, like=like)
    hit = ops.expand_dims(ops.cast(idx, like), -1) == classes
    return ops.cast(hit, like)

def _log_probs(y_pred, from_logits, ops, eps=EPS):
    if from_logits:
        return log_softmax(y_pred, axis=-1)
    # Probabilities: clip to [eps, 1] so log(0) never happens; the clip has a
    # zero gradient below eps, so gradients stay finite at p = 0 (Keras does the same).
    return ops.log(ops.clip(y_pred, eps, 1.0))

def _ce_rows(logits, target_onehot, ops):
    # Cross-entropy of softmax(logits) against a one-hot target, per row.
    return -ops.sum(target_onehot * log_softmax(logits, axis=-1), axis=-1)


# --------------------------------------------------------------------------- multiclass

@register("002 sec. Multiclass classification / Categorical Cross-Entropy",
          class_name="CategoricalCrossEntropyLoss", tags=("convex", "multiclass"))
def categorical_cross_entropy(y_pred, y_true, *, from_logits: bool = False, eps: float = EPS,
                              reduction: str = "mean"):
    r"""Categorical cross-entropy of probabilities (last axis; ``from_logits=True``: logits).

    .. math::

        \mathrm{CE}(p, t) = -\sum_{c=1}^{M} t_{c} \log p_{c},
        \qquad p = \mathrm{softmax}(s) \text{ if } \texttt{from\_logits}

    Source: 002 sec. "Cross Entropy / Negative Log Likelihood" (binary form
    :math:`-(y\log p + (1-y)\log(1-p))`; the :math:`M > 2` display was lost in
    extraction, this is the standard form it names) and sec. "Softmax"
    (:math:`f(s)_i = e^{s_i} / \sum_j e^{s_j}`).

    Readings: ``y_pred`` probabilities are *not* renormalised (Keras'
    ``CategoricalCrossentropy`` divides by their sum first; the primer's formula
    does not) and are clipped to ``[eps, 1]`` before the log, so values and
    gradients are finite at :math:`p = 0` (the loss saturates at
    :math:`-\log(\mathrm{eps}) \approx 16.1`). With ``from_logits`` the log
    probabilities are ``s - logsumexp(s)`` (stable for logits of any size; no
    ``log(softmax)``). This equals ``torch.nn.CrossEntropyLoss`` on logits.

    Range: :math:`[0, \infty)` (:math:`[0, -\log \mathrm{eps}]` on probabilities);
    0 iff the target is one-hot and predicted with probability 1. Convex in the
    logits, smooth.

    Args:
        y_pred: probabilities (or logits) of shape ``(*, C)``, class axis last.
        y_true: target distribution of shape ``(*, C)`` (one-hot or soft, values
            in [0, 1]) or class indices of shape ``(*)``.
        from_logits: ``y_pred`` are logits.
        eps: clip of probabilities before the log (ignored with logits).
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
        >>> categorical_cross_entropy(p, np.array([0, 2]), reduction="none").round(4)
        array([0.3567, 0.2231])
    """
    check_scalar("eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
    ops, y, t = _prepare_multiclass(y_pred, y_true, from_logits=from_logits)
    loss = -ops.sum(t * _log_probs(y, from_logits, ops, eps), axis=-1)
    return reduce(loss, reduction, ops)


@register("002 sec. Kullback-Leibler (KL) Divergence", class_name="KLDivergenceLoss",
          tags=("convex", "multiclass"))
def kl_divergence(y_pred, y_true, *, from_logits: bool = False, eps: float = EPS,
                  reduction: str = "mean"):
    r"""KL divergence of probabilities Q from the target P (``from_logits=True``: Q as logits).

    .. math::

        D_{\mathrm{KL}}(P \,\|\, Q) = \sum_{x \in \mathcal{X}} P(x) \log\frac{P(x)}{Q(x)},
        \qquad P = \texttt{y\_true},\ Q = \texttt{y\_pred}

    Source: 002 sec. "Kullback-Leibler (KL) Divergence" (the displayed formula)
    and "KL divergence vs. Cross-entropy loss": :math:`H(P, Q) = D_{KL}(P\|Q) + H(P)`
    (:func:`categorical_cross_entropy` = :func:`kl_divergence` + :func:`entropy`).
    P is the data ("you always start from what you observed"), Q the model.

    Conventions: :math:`0 \log 0 = 0` (terms with :math:`P(x)=0` vanish, with
    finite gradients); Q is clipped to ``[eps, 1]`` before the log unless
    ``from_logits`` (then :math:`\log Q` = log-softmax, stable). The sum runs
    over the last axis, so ``"mean"`` is the mean KL per distribution
    (``torch.nn.KLDivLoss(reduction="batchmean")`` on 2-D input, which takes
    :math:`\log Q` as input; its ``"mean"`` divides by the number of elements).
    Keras' ``KLDivergence`` also clips P to ``[1e-7, 1]``, so it differs from
    this definition by about :math:`10^{-7}\log(10^{-7}/Q)` per zero of P.

    Range: :math:`[0, \infty)`, 0 iff :math:`Q = P` (for normalised inputs).
    Convex in Q; smooth for :math:`Q > 0`.

    Args:
        y_pred: Q, probabilities (or logits) of shape ``(*, C)``.
        y_true: P, a distribution of shape ``(*, C)`` or class indices ``(*)``.
        from_logits: ``y_pred`` are logits.
        eps: clip of Q before the log.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> kl_divergence(np.array([0.25, 0.75]), np.array([0.5, 0.5])).round(4)
        np.float64(0.1438)
    """
    check_scalar("eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
    ops, q, p = _prepare_multiclass(y_pred, y_true, from_logits=from_logits)
    loss = ops.sum(_xlogy_safe(p, ops) - p * _log_probs(q, from_logits, ops, eps), axis=-1)
    return reduce(loss, reduction, ops)


@register("002 sec. Hinge Loss / Multiclass SVM Loss", tags=("convex", "multiclass"))
def multiclass_hinge(y_pred, y_true, *, margin: float = 1.0, variant: str = "weston_watkins",
                     reduction: str = "mean"):
    r"""Multiclass SVM (hinge) loss on class scores (logits), not probabilities.

    .. math::

        \text{Weston-Watkins (default):}\quad
        L = \sum_{j \ne y} \max(0,\ \Delta + s_j - s_y)

        \text{Crammer-Singer:}\quad
        L = \max\bigl(0,\ \Delta + \max_{j \ne y} s_j - s_y\bigr)

    Source: 002 sec. "Hinge Loss / Multiclass SVM Loss". The primer's display
    formula was lost in extraction; only the binary case survives in words
    (":math:`t = \pm 1` and a classifier score y", i.e.
    :math:`\max(0, 1 - t\,y)`, implemented as ``margin_hinge`` in
    :mod:`lossfns.losses.classification`). Reading chosen: the primer's
    "Multiclass SVM loss" (the CS231n form it derives from) is the
    Weston-Watkins sum over all wrong classes with :math:`\Delta = 1`; the
    Crammer-Singer max is offered as ``variant="crammer_singer"``.

    Peers: ``torch.nn.MultiMarginLoss(p=1, margin)`` is Weston-Watkins divided
    by C. ``keras.losses.CategoricalHinge`` is Crammer-Singer except that its
    "max over wrong classes" is :math:`\max_j (1-t_j) s_j`, which includes a 0
    for the true class, so it differs when all wrong scores are negative.

    Range: :math:`[0, \infty)`. Convex and piecewise linear in the scores;
    kinks where :math:`s_j - s_y = -\Delta` (and, for Crammer-Singer, where the
    arg-max wrong class changes); autograd returns a subgradient there.

    Args:
        y_pred: class scores (any real numbers) of shape ``(*, C)``, C >= 2.
        y_true: one-hot targets ``(*, C)`` or class indices ``(*)``.
        margin: :math:`\Delta \ge 0`.
        variant: ``"weston_watkins"`` or ``"crammer_singer"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]])
        >>> multiclass_hinge(s, np.array([0, 1]), reduction="none").round(4)
        array([2.9, 0. ])
        >>> multiclass_hinge(s, np.array([0, 1]), variant="crammer_singer", reduction="none").round(4)
        array([2.9, 0. ])
    """
    check_scalar("margin", margin, low=0.0)
    check_choice("variant", variant, HINGE_VARIANTS)
    ops, s, t = _prepare_multiclass(y_pred, y_true, probabilities=False, one_hot_only=True)
    if _shape(s)[-1] < 2:
        raise ValueError(f"y_pred must have at least 2 classes on its last axis, got shape {_shape(s)}")
    s_y = ops.sum(t * s, axis=-1, keepdims=True)
    if variant == "weston_watkins":
        terms = ops.maximum(margin + s - s_y, ops.zeros_like(s)) * (1.0 - t)
        loss = ops.sum(terms, axis=-1)
    else:
        # Replace the true class' score by the row minimum: the row max of the
        # result is then the max over the wrong classes (C >= 2).
        masked = ops.where(t > 0, ops.min(s, axis=-1, keepdims=True) + ops.zeros_like(s), s)
        worst = ops.max(masked, axis=-1, keepdims=True)
        loss = ops.sum(ops.maximum(margin + worst - s_y, ops.zeros_like(s_y)), axis=-1)
    return reduce(loss, reduction, ops)


@register("002 sec. PolyLoss (Leng et al. 2022, Poly-1, eq. 3)", tags=("multiclass",))
def poly1(y_pred, y_true, *, epsilon: float = 1.0, from_logits: bool = False, eps: float = EPS,
          reduction: str = "mean"):
    r"""Poly-1 loss (Leng et al. 2022) on probabilities (``from_logits=True``: logits).

    .. math::

        L_{\text{Poly-1}} = -\log P_t + \epsilon\,(1 - P_t),
        \qquad P_t = \sum_c t_c\, p_c

    Source: 002 sec. "PolyLoss" names Leng et al. 2022 and describes CE as
    :math:`\sum_j \frac{1}{j}(1-P_t)^j` with Poly-1 perturbing the first
    coefficient "vertically"; the formula itself was lost in extraction, this is
    Leng et al.'s eq. (3). :math:`\epsilon = 0` gives :func:`categorical_cross_entropy`.
    For soft targets :math:`P_t = \sum_c t_c p_c` and the CE term is
    :math:`-\sum_c t_c \log p_c` (as in the authors' code with label smoothing).

    Range: :math:`[0, \infty)` for :math:`\epsilon \ge 0`; for
    :math:`-1 \le \epsilon < 0` it is bounded below by :math:`\epsilon` (it can
    be slightly negative on soft targets). :math:`\epsilon < -1` is rejected:
    the loss would no longer decrease monotonically in :math:`P_t`. Smooth.

    Args:
        y_pred: probabilities (or logits) ``(*, C)``.
        y_true: target distribution ``(*, C)`` or class indices ``(*)``.
        epsilon: :math:`\epsilon \ge -1`, the Poly-1 coefficient.
        from_logits: ``y_pred`` are logits (log-probabilities via log-softmax).
        eps: clip of probabilities before the log.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> poly1(np.array([[0.7, 0.2, 0.1]]), np.array([0]), epsilon=1.0, reduction="none").round(4)
        array([0.6567])
    """
    check_scalar("epsilon", epsilon, low=-1.0)
    check_scalar("eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
    ops, y, t = _prepare_multiclass(y_pred, y_true, from_logits=from_logits)
    logp = _log_probs(y, from_logits, ops, eps)
    p_t = ops.sum(t * (ops.exp(logp) if from_logits else y), axis=-1)
    loss = -ops.sum(t * logp, axis=-1) + epsilon * (1.0 - p_t)
    return reduce(loss, reduction, ops)


