r"""Document 002: Chadha & Jain, "Primers: Loss Functions" (aman.ai, 2020) -- the catalogue.

The primer has no equation numbers and the text extraction lost most of its
display formulas (categorical CE, hinge, focal, PolyLoss, GE2E, triplet,
InfoNCE, margin ranking, MNR, Huber are only named); it keeps the formulas of
softmax, KL divergence, the CE = KL + H identity, ArcFace, contrastive, MAE and
MSE. Where the formula was lost we implement the definition of the paper the
primer cites for that loss, and say so in each docstring. Sources are quoted as
``002 sec. <heading>``.

Not defined here (re-used from elsewhere): binary cross-entropy and the binary
hinges (:mod:`lossfns.losses.classification`), Dice (:mod:`lossfns.losses.softset`).

Inputs of the multiclass losses: ``y_pred`` of shape ``(*, C)`` (class axis
last) and ``y_true`` either a target distribution of the same shape (one-hot
or soft) or integer class indices of shape ``(*)``. Embedding losses take their
natural inputs (embeddings of shape ``(*, D)``) and are not Keras losses.
"""

from __future__ import annotations

import math

import numpy as np

from .._ops import get_ops
from .._validation import (_checking, _shape, as_array, check_choice, check_finite, check_float,
                           check_labels, check_nonempty, check_same_shape,
                           check_scalar, prepare_binary, reduce)
from ._registry import register

__all__ = [
    # multiclass / distribution losses
    "categorical_cross_entropy", "kl_divergence", "multiclass_hinge", "poly1",
    # binary
    "focal",
    # embedding / ranking losses
    "contrastive", "triplet", "margin_ranking", "info_nce", "multiple_negatives_ranking",
    "arcface", "ge2e",
    # regression
    "mae", "mse", "huber",
    # helpers (not losses)
    "entropy", "log_softmax", "l2_normalize",
]

#: probabilities are clipped to [EPS, 1] before a log (Keras' backend epsilon).
EPS = 1e-7
HINGE_VARIANTS = ("weston_watkins", "crammer_singer")
CONTRASTIVE_CONVENTIONS = ("hadsell", "pair")


# --------------------------------------------------------------------------- helpers

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


def _safe_norm(x, ops, axis=-1, keepdims=False):
    # sqrt has an infinite derivative at 0: take it of 1 where the squared norm
    # is 0 and return 0 there, so values and gradients stay finite at x = 0.
    n2 = ops.sum(ops.square(x), axis=axis, keepdims=keepdims)
    pos = n2 > 0
    return ops.where(pos, ops.sqrt(ops.where(pos, n2, ops.ones_like(n2))), ops.zeros_like(n2))


def l2_normalize(x, axis: int = -1, eps: float = 1e-12):
    r""":math:`x / \max(\lVert x\rVert_2, \epsilon)` along ``axis`` (as ``torch.nn.functional.normalize``).

    Example:
        >>> import numpy as np
        >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
        array([[0.6, 0.8],
               [0. , 0. ]])
    """
    ops = get_ops(x)
    return x / ops.maximum(_safe_norm(x, ops, axis=axis, keepdims=True), ops.const(eps, x))


def _xlogy_safe(p, ops):
    # p * log(p) with the convention 0 log 0 = 0; the log never sees a 0 (its
    # untaken branch gets 1), so gradients stay finite at p = 0.
    pos = p > 0
    return ops.where(pos, p * ops.log(ops.where(pos, p, ops.ones_like(p))), ops.zeros_like(p))


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
    _check_prob_values(p, "p", ops)
    return 0.0 - ops.sum(_xlogy_safe(p, ops), axis=axis)  # 0 - x: no "-0." for certain p


def _check_prob_values(x, name, ops):
    if _checking(x, ops):
        arr = ops.to_numpy(x)
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"{name} must lie in [0, 1] (a probability distribution), got values "
                             f"in [{arr.min():.6g}, {arr.max():.6g}]")


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {value!r}")


def _check_rank(x, name, min_rank, what):
    if len(_shape(x)) < min_rank:
        raise ValueError(f"{name} must have at least {min_rank} dimension(s) ({what}), "
                         f"got shape {_shape(x)}")


def _prepare_multiclass(y_pred, y_true, *, from_logits=False, probabilities=True,
                        one_hot_only=False):
    """Validate ``y_pred (*, C)`` and ``y_true`` (distribution ``(*, C)`` or indices ``(*)``).

    Returns ``(ops, y_pred, t)`` with ``t`` a float target distribution of shape ``(*, C)``.
    """
    _check_bool("from_logits", from_logits)
    ops = get_ops(y_pred, y_true)
    y_pred = as_array(y_pred, "y_pred", ops)
    y_true = as_array(y_true, "y_true", ops, like=y_pred)
    check_float(y_pred, "y_pred", ops)
    _check_rank(y_pred, "y_pred", 1, "the last axis holds the C classes")
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
            _check_prob_values(y_true, "y_true", ops)
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


def _prepare_regression(y_pred, y_true):
    return prepare_binary(y_pred, y_true, label_set=None, probabilities=False)


def _prepare_embeddings(arrays: dict, *, min_rank=2):
    """Validate float embeddings of one shape ``(*, D)``; returns (ops, arrays...)."""
    ops = get_ops(*arrays.values())
    out = []
    first_name, first = None, None
    for name, x in arrays.items():
        x = as_array(x, name, ops, like=first)
        check_float(x, name, ops)
        _check_rank(x, name, min_rank, "embeddings along the last axis")
        check_nonempty(x, name)
        check_finite(x, name, ops)
        if first is None:
            first_name, first = name, x
        else:
            check_same_shape(first, x, first_name, name)
        out.append(ops.cast(x, first))
    return (ops, *out)


def _prepare_pair_labels(y, name, like, ops, label_set):
    y = as_array(y, name, ops, like=like)
    want = _shape(like)[:-1]
    if _shape(y) != want:
        raise ValueError(f"Expected {name} of shape {want} (one label per pair), got {_shape(y)}")
    if ops.is_floating(y):
        check_finite(y, name, ops)
    check_labels(y, name, ops, label_set)
    return ops.cast(y, like)


def _ce_rows(logits, target_onehot, ops):
    # Cross-entropy of softmax(logits) against a one-hot target, per row.
    return -ops.sum(target_onehot * log_softmax(logits, axis=-1), axis=-1)


# --------------------------------------------------------------------------- multiclass

@register("002 sec. Multiclass classification / Categorical Cross-Entropy",
          class_name="CategoricalCrossEntropyLoss", tags=("convex", "multiclass"))
def categorical_cross_entropy(y_pred, y_true, *, from_logits: bool = False, eps: float = EPS,
                              reduction: str = "mean"):
    r"""Categorical cross-entropy (negative log-likelihood) over the last axis.

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
    r"""Kullback-Leibler divergence :math:`D_{KL}(P\,\|\,Q)` of the prediction Q from the target P.

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
    r"""Multiclass SVM (hinge) loss on class scores.

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
    r"""Poly-1 loss: cross-entropy plus :math:`\epsilon` times the first polynomial term.

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


# --------------------------------------------------------------------------- binary focal

@register("002 sec. Focal Loss (Lin et al. 2017, eq. 5)", class_name="FocalLoss",
          tags=("focal",))
def focal(y_pred, y_true, *, alpha: float | None = 0.25, gamma: float = 2.0,
          from_logits: bool = False, eps: float = EPS, reduction: str = "mean"):
    r"""Binary focal loss of Lin et al. (2017), with :math:`\alpha`-balancing.

    .. math::

        \mathrm{FL}(p_t) = -\alpha_t (1 - p_t)^{\gamma} \log(p_t),
        \qquad p_t = \begin{cases} p & t = 1 \\ 1 - p & t = 0 \end{cases},
        \qquad \alpha_t = \begin{cases} \alpha & t = 1 \\ 1 - \alpha & t = 0 \end{cases}

    Source: 002 sec. "Focal Loss" (describes the modulating factor on CE; the
    formula was lost in extraction, this is Lin et al.'s eq. 5).
    ``alpha=None`` drops :math:`\alpha_t` (Lin et al.'s eq. 4). Alpha side:
    :math:`\alpha` weights the **positives** (t = 1), as in torchvision's
    ``sigmoid_focal_loss`` (which disables it with ``alpha < 0``) and Keras'
    ``BinaryFocalCrossentropy(apply_class_balancing=True)`` (Keras ignores
    ``alpha`` unless ``apply_class_balancing``); see ``docs/conventions.md``.
    Defaults :math:`\alpha = 0.25, \gamma = 2` are Lin et al.'s.

    Stability: with ``from_logits`` and :math:`z_t = (2t-1)z`,
    :math:`\log p_t = \log\sigma(z_t)` and
    :math:`(1-p_t)^\gamma = \exp(\gamma \log\sigma(-z_t))`, both through
    ``log_sigmoid`` (never ``log(sigmoid)``), finite for :math:`|z| = 10^4`. On
    probabilities, :math:`p_t` is clipped to ``[eps, 1]`` before the log, and
    :math:`(1-p_t)^\gamma` is evaluated only where :math:`1-p_t > 0` (0
    elsewhere), so the gradient is finite at :math:`p \in \{0, 1\}` even for
    :math:`0 < \gamma < 1`.

    Range: :math:`[0, \infty)` (:math:`\le -\log\mathrm{eps}` on probabilities).
    Smooth in the logit; :math:`\gamma = 0,\ \alpha=` ``None`` is binary cross-entropy.

    Args:
        y_pred: probabilities :math:`p \in [0, 1]` (logits if ``from_logits``), shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        alpha: :math:`\alpha \in [0, 1]` weight of the positive class, or ``None``.
        gamma: focusing parameter :math:`\gamma \ge 0`.
        from_logits: ``y_pred`` are logits.
        eps: clip of :math:`p_t` before the log (probabilities only).
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> focal(np.array([0.9, 0.2]), np.array([1, 1]), reduction="none").round(5)
        array([0.00026, 0.25751])
    """
    if alpha is not None:
        check_scalar("alpha", alpha, low=0.0, high=1.0)
    check_scalar("gamma", gamma, low=0.0)
    check_scalar("eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        z_t = (2.0 * t - 1.0) * y
        log_pt = ops.log_sigmoid(z_t)
        mod = ops.exp(gamma * ops.log_sigmoid(-z_t)) if gamma != 0 else ops.ones_like(y)
    else:
        p_t = t * y + (1.0 - t) * (1.0 - y)
        q = t * (1.0 - y) + (1.0 - t) * y          # 1 - p_t without cancellation
        log_pt = ops.log(ops.clip(p_t, eps, 1.0))
        if gamma == 0:
            mod = ops.ones_like(y)
        else:
            # q ** gamma has an infinite derivative at q = 0 for gamma < 1: evaluate
            # the power on 1 there and return 0 (its value) instead.
            pos = q > 0
            mod = ops.where(pos, ops.where(pos, q, ops.ones_like(q)) ** gamma, ops.zeros_like(q))
    loss = -mod * log_pt
    if alpha is not None:
        loss = (t * alpha + (1.0 - t) * (1.0 - alpha)) * loss
    return reduce(loss, reduction, ops)


# --------------------------------------------------------------------------- embeddings

@register("002 sec. Contrastive Loss (Hadsell et al. 2006)", keras=False,
          inputs=("x1", "x2", "y"), tags=("embedding",))
def contrastive(x1, x2, y, *, margin: float = 1.0, convention: str = "hadsell",
                reduction: str = "mean"):
    r"""Contrastive loss on pairs of embeddings (Hadsell, Chopra & LeCun 2006).

    .. math::

        \texttt{"hadsell"} \text{ (default)}:\quad
        L = (1 - Y)\,\tfrac{1}{2} D_W^2 + Y\,\tfrac{1}{2}\{\max(0, m - D_W)\}^2,
        \quad Y = 0 \text{ similar},\ Y = 1 \text{ dissimilar}

        \texttt{"pair"}:\quad
        L = y\, d^2 + (1 - y) \max(m - d, 0)^2,
        \quad y = 1 \text{ similar},\ y = 0 \text{ dissimilar}

    with :math:`D_W = d = \lVert x_1 - x_2 \rVert_2`.

    Source: 002 sec. "Contrastive Loss", which prints both formulas.
    Ambiguity (register): the two disagree on the label meaning (Y = 0 vs
    y = 1 for "similar") and on the factor 1/2. Default: the first, Hadsell et
    al.'s own (the paper the section cites); the second is
    ``convention="pair"``. Both give 0 for similar pairs at distance 0 and
    for dissimilar pairs at distance :math:`\ge m`.

    Gradient: smooth except at :math:`D = m` for dissimilar pairs (a C1 kink:
    the second derivative jumps) and at :math:`D = 0` for dissimilar pairs
    (the norm is not differentiable there; autograd returns 0).

    Range: :math:`[0, \infty)`; dissimilar pairs contribute at most
    :math:`m^2/2` (``"hadsell"``) or :math:`m^2` (``"pair"``).

    Args:
        x1, x2: embeddings of shape ``(*, D)``.
        y: pair labels in {0, 1} of shape ``(*)`` (meaning set by ``convention``).
        margin: :math:`m \ge 0`.
        convention: ``"hadsell"`` or ``"pair"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a, b = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[0.3, 0.4], [0.3, 0.4]])
        >>> contrastive(a, b, np.array([0, 1]), margin=1.0, reduction="none").round(4)
        array([0.125, 0.125])
    """
    check_scalar("margin", margin, low=0.0)
    check_choice("convention", convention, CONTRASTIVE_CONVENTIONS)
    ops, a, b = _prepare_embeddings({"x1": x1, "x2": x2})
    lab = _prepare_pair_labels(y, "y", a, ops, "01")
    diff = a - b
    d2 = ops.sum(ops.square(diff), axis=-1)     # no sqrt: smooth at 0
    d = _safe_norm(diff, ops)
    hinge2 = ops.square(ops.maximum(margin - d, ops.zeros_like(d)))
    if convention == "hadsell":
        loss = 0.5 * (1.0 - lab) * d2 + 0.5 * lab * hinge2
    else:
        loss = lab * d2 + (1.0 - lab) * hinge2
    return reduce(loss, reduction, ops)


@register("002 sec. Triplet Loss (Schroff et al. 2015, eq. 1)", keras=False,
          inputs=("anchor", "positive", "negative"), tags=("embedding",))
def triplet(anchor, positive, negative, *, margin: float = 1.0, squared: bool = False,
            eps: float = 0.0, reduction: str = "mean"):
    r"""Triplet loss on (anchor, positive, negative) embeddings.

    .. math::

        L(A, P, N) = \max\bigl(d(f(A), f(P)) - d(f(A), f(N)) + \alpha,\ 0\bigr),
        \qquad d(u, v) = \lVert u - v + \varepsilon \rVert_2
        \ (\text{or } \lVert u - v\rVert_2^2 \text{ if } \texttt{squared})

    Source: 002 sec. "Triplet Loss" (symbols A, P, N, margin alpha, embedding
    f; the display formula was lost in extraction). Ambiguity (register):
    FaceNet (Schroff et al. 2015, eq. 1), which the section cites, uses
    *squared* distances; the Wikipedia form the section copies, and
    ``torch.nn.TripletMarginLoss``, use the plain Euclidean distance. Default:
    plain distance (``squared=False``); ``squared=True`` is FaceNet's.
    ``eps`` is added to the difference as in ``torch.nn.functional.pairwise_distance``
    (which uses 1e-6); the paper's formula is ``eps=0`` (default). With
    ``eps=1e-6`` this equals ``TripletMarginLoss(margin=margin)``.

    Range: :math:`[0, \infty)`; 0 once the negative is farther than the
    positive by the margin. Gradient: kink at the hinge (loss = 0 boundary);
    the plain norm is not differentiable at :math:`u = v` (autograd returns 0).

    Args:
        anchor, positive, negative: embeddings of shape ``(*, D)``.
        margin: :math:`\alpha \ge 0`.
        squared: use squared Euclidean distances (FaceNet).
        eps: :math:`\varepsilon \ge 0` added to the difference inside the norm.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a = np.array([[0.0, 0.0]]); p = np.array([[1.0, 0.0]]); n = np.array([[0.0, 1.5]])
        >>> triplet(a, p, n, margin=1.0, reduction="none").round(4)
        array([0.5])
    """
    check_scalar("margin", margin, low=0.0)
    check_scalar("eps", eps, low=0.0)
    _check_bool("squared", squared)
    ops, a, p, n = _prepare_embeddings({"anchor": anchor, "positive": positive,
                                        "negative": negative})

    def dist(u, v):
        diff = u - v + eps
        return ops.sum(ops.square(diff), axis=-1) if squared else _safe_norm(diff, ops)

    d_ap, d_an = dist(a, p), dist(a, n)
    loss = ops.maximum(d_ap - d_an + margin, ops.zeros_like(d_ap))
    return reduce(loss, reduction, ops)


@register("002 sec. Margin Ranking Loss", keras=False, inputs=("x1", "x2", "y"),
          tags=("convex", "ranking"))
def margin_ranking(x1, x2, y, *, margin: float = 0.0, reduction: str = "mean"):
    r"""Margin ranking loss: rank ``x1`` above ``x2`` when :math:`y = 1`, below when :math:`y = -1`.

    .. math::

        L(x_1, x_2, y) = \max\bigl(0,\ -y\,(x_1 - x_2) + \mathrm{margin}\bigr)

    Source: 002 sec. "Margin Ranking Loss" (labels :math:`y \in \{1, -1\}`; the
    section shows ``torch.nn.MarginRankingLoss()`` code, whose documented
    formula is the one above, default margin 0; the display formula itself
    was lost). Equal to ``torch.nn.MarginRankingLoss``.

    Range: :math:`[0, \infty)`; convex, piecewise linear, kink at
    :math:`y(x_1 - x_2) = \mathrm{margin}`.

    Args:
        x1, x2: scores of any identical shape ``(*)``, floating.
        y: labels in {-1, 1}, same shape.
        margin: :math:`\ge 0`.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> margin_ranking(np.array([0.8, 0.2]), np.array([0.5, 0.5]), np.array([1, 1]),
        ...                margin=0.1, reduction="none").round(4)
        array([0. , 0.4])
    """
    check_scalar("margin", margin, low=0.0)
    ops, a, b = _prepare_embeddings({"x1": x1, "x2": x2}, min_rank=0)
    lab = as_array(y, "y", ops, like=a)
    check_same_shape(a, lab, "x1", "y")
    if ops.is_floating(lab):
        check_finite(lab, "y", ops)
    check_labels(lab, "y", ops, "pm1")
    lab = ops.cast(lab, a)
    loss = ops.maximum(-lab * (a - b) + margin, ops.zeros_like(a))
    return reduce(loss, reduction, ops)


@register("002 sec. InfoNCE Loss (van den Oord et al. 2018, eq. 4)", keras=False,
          inputs=("query", "positive", "negatives"), class_name="InfoNCELoss",
          tags=("embedding",))
def info_nce(query, positive, negatives=None, *, temperature: float = 0.1,
             normalize: bool = True, reduction: str = "mean"):
    r"""InfoNCE: categorical cross-entropy of picking the positive among negatives.

    .. math::

        \mathcal{L}_N = -\log \frac{\exp(\mathrm{sim}(q, k^+)/\tau)}
        {\exp(\mathrm{sim}(q, k^+)/\tau) + \sum_{k^-} \exp(\mathrm{sim}(q, k^-)/\tau)},
        \qquad \mathrm{sim}(u, v) = \frac{u^\top v}{\lVert u\rVert\,\lVert v\rVert}

    Source: 002 sec. "InfoNCE Loss" ("uses categorical cross-entropy loss to
    identify the positive sample amongst a set of unrelated noise samples";
    van den Oord et al.'s eq. 4 with the critic
    :math:`f(x, c) = \exp(\mathrm{sim}/\tau)`). Reading: CPC's bilinear critic
    :math:`\exp(z^\top W c)` is replaced by the temperature-scaled cosine of
    its later use (SimCLR/MoCo); ``normalize=False`` uses the raw dot product.

    Negatives: ``None`` -> in-batch negatives (the other rows' positives, shape
    of the logits ``(N, N)``, target the diagonal); ``(M, D)`` -> the same M
    negatives for every query; ``(N, M, D)`` -> M negatives per query.

    Range: :math:`[0, \infty)`; :math:`\log(1 + K)` for K negatives at equal
    similarity. Smooth (logsumexp, stable for any temperature).

    Args:
        query: ``(N, D)``. positive: ``(N, D)``.
        negatives: ``None``, ``(M, D)`` or ``(N, M, D)``.
        temperature: :math:`\tau > 0`.
        normalize: use cosine similarity (True) or the dot product.
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> info_nce(q, q, temperature=1.0, reduction="none").round(4)
        array([0.3133, 0.3133])
    """
    check_scalar("temperature", temperature, low=0.0, low_open=True)
    _check_bool("normalize", normalize)
    ops, q, k = _prepare_embeddings({"query": query, "positive": positive})
    if len(_shape(q)) != 2:
        raise ValueError(f"query must have shape (N, D), got {_shape(q)}")
    if normalize:
        q, k = l2_normalize(q), l2_normalize(k)
    n = _shape(q)[0]
    if negatives is None:
        logits = ops.matmul(q, ops.transpose(k, (1, 0))) / temperature          # (N, N)
        target = _one_hot(ops.linspace(0.0, float(n - 1), n, like=q), n, q, ops)
        return reduce(_ce_rows(logits, target, ops), reduction, ops)
    neg = as_array(negatives, "negatives", ops, like=q)
    check_float(neg, "negatives", ops)
    check_nonempty(neg, "negatives")
    check_finite(neg, "negatives", ops)
    ns, d = _shape(neg), _shape(q)[1]
    if not (len(ns) == 2 and ns[1] == d) and not (len(ns) == 3 and ns[0] == n and ns[2] == d):
        raise ValueError(f"Expected negatives of shape (M, {d}) or ({n}, M, {d}), got {ns}")
    neg = ops.cast(neg, q)
    if normalize:
        neg = l2_normalize(neg)
    pos_logit = ops.sum(q * k, axis=-1, keepdims=True)                          # (N, 1)
    if len(ns) == 2:
        neg_logit = ops.matmul(q, ops.transpose(neg, (1, 0)))                  # (N, M)
    else:
        neg_logit = ops.sum(ops.expand_dims(q, 1) * neg, axis=-1)              # (N, M)
    logits = ops.concatenate([pos_logit, neg_logit], axis=-1) / temperature
    loss = -log_softmax(logits, axis=-1)[..., 0]
    return reduce(loss, reduction, ops)


@register("002 sec. Multiple Negative Ranking Loss (Henderson et al. 2017)", keras=False,
          inputs=("anchor", "positive", "negative"), tags=("embedding",))
def multiple_negatives_ranking(anchor, positive, negative=None, *, scale: float = 20.0,
                               reduction: str = "mean"):
    r"""Multiple-negatives ranking loss with in-batch negatives (sentence-transformers' form).

    .. math::

        L_i = -\log \frac{\exp(s\cdot\cos(a_i, p_i))}
        {\sum_{j=1}^{N} \exp(s\cdot\cos(a_i, p_j)) + \sum_{j=1}^{N} \exp(s\cdot\cos(a_i, n_j))}

    (the second sum only when hard negatives ``negative`` are given).

    Source: 002 sec. "Multiple Negative Ranking Loss" (Henderson et al. 2017;
    "only positive pairs ... samples n-1 negative docs in each batch"; the
    section's code uses sbert's ``losses.MultipleNegativesRankingLoss``, whose
    defaults are cosine similarity and ``scale=20``). It is :func:`info_nce`
    with in-batch negatives and :math:`\tau = 1/s` (tested).

    Range: :math:`[0, \infty)`; smooth.

    Args:
        anchor: ``(N, D)``. positive: ``(N, D)``, row i pairs with anchor i.
        negative: optional hard negatives ``(N, D)``, candidates for every anchor.
        scale: :math:`s > 0` (inverse temperature).
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> a = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> multiple_negatives_ranking(a, a, scale=1.0).round(4)
        np.float64(0.3133)
    """
    check_scalar("scale", scale, low=0.0, low_open=True)
    arrays = {"anchor": anchor, "positive": positive}
    if negative is not None:
        arrays["negative"] = negative
    ops, *xs = _prepare_embeddings(arrays)
    if len(_shape(xs[0])) != 2:
        raise ValueError(f"anchor must have shape (N, D), got {_shape(xs[0])}")
    a = l2_normalize(xs[0])
    cands = ops.concatenate([l2_normalize(x) for x in xs[1:]], axis=0)          # (N or 2N, D)
    logits = scale * ops.matmul(a, ops.transpose(cands, (1, 0)))
    n, m = _shape(a)[0], _shape(cands)[0]
    target = _one_hot(ops.linspace(0.0, float(n - 1), n, like=a), m, a, ops)
    return reduce(_ce_rows(logits, target, ops), reduction, ops)


@register("002 sec. Additive Angular Margin Loss (ArcFace)", keras=False,
          inputs=("features", "weight", "labels"), class_name="ArcFaceLoss",
          tags=("embedding", "multiclass"))
def arcface(features, weight, labels, *, s: float = 64.0, m: float = 0.5,
            reduction: str = "mean"):
    r"""ArcFace / additive angular margin loss (Deng et al. 2018).

    .. math::

        L_i = -\log \frac{e^{s\cos(\theta_{y_i} + m)}}
        {e^{s\cos(\theta_{y_i} + m)} + \sum_{j=1, j \ne y_i}^{n} e^{s\cos\theta_j}},
        \qquad \cos\theta_j = \frac{W_j^\top x_i}{\lVert W_j\rVert\,\lVert x_i\rVert}

    (the document's :math:`\frac{1}{N}\sum_i` is ``reduction="mean"``).

    Source: 002 sec. "Additive Angular Margin Loss" (formula printed, with a
    stray capital S in the numerator that is the same scale s). Reading: the
    formula literally, :math:`\cos(\theta_y + m)` for all :math:`\theta_y`,
    computed as :math:`\cos\theta\cos m - \sin\theta\sin m` with
    :math:`\sin\theta = \sqrt{1-\cos^2\theta}`. The insightface code replaces
    it by :math:`\cos\theta - m\sin m` when :math:`\theta + m > \pi` (to keep
    the target logit monotone); that fix is not in the document and not here.
    Defaults s = 64, m = 0.5 are the paper's.

    Range: :math:`[0, \infty)`. Gradient: smooth except where
    :math:`\cos\theta_y = \pm 1` (:math:`\sin\theta` has an infinite slope
    there; it is guarded to a finite 0) and at zero-norm inputs.

    Args:
        features: ``(N, D)`` embeddings :math:`x_i`.
        weight: ``(C, D)`` class centres :math:`W_j`.
        labels: ``(N,)`` integer class indices in [0, C).
        s: scale :math:`s > 0` (hypersphere radius).
        m: angular margin :math:`m \in [0, \pi)`.
        reduction: ``"none"`` (shape ``(N,)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0, 0.0]]); W = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> arcface(x, W, np.array([0]), s=1.0, m=0.5, reduction="none").round(4)
        array([0.3477])
    """
    check_scalar("s", s, low=0.0, low_open=True)
    check_scalar("m", m, low=0.0, high=math.pi, high_open=True)
    ops = get_ops(features, weight, labels)
    x = as_array(features, "features", ops)
    w = as_array(weight, "weight", ops, like=x)
    for name, arr in (("features", x), ("weight", w)):
        check_float(arr, name, ops)
        if len(_shape(arr)) != 2:
            raise ValueError(f"{name} must have shape ({'N' if name == 'features' else 'C'}, D), "
                             f"got {_shape(arr)}")
        check_nonempty(arr, name)
        check_finite(arr, name, ops)
    if _shape(w)[1] != _shape(x)[1]:
        raise ValueError(f"Expected weight of shape (C, {_shape(x)[1]}) (same D as features), "
                         f"got {_shape(w)}")
    w = ops.cast(w, x)
    cos = ops.matmul(l2_normalize(x), ops.transpose(l2_normalize(w), (1, 0)))   # (N, C)
    ops, cos, t = _prepare_multiclass(cos, labels, probabilities=False, one_hot_only=True)
    v = 1.0 - ops.square(cos)
    pos = v > 0
    sin = ops.where(pos, ops.sqrt(ops.where(pos, v, ops.ones_like(v))), ops.zeros_like(v))
    cos_m = cos * math.cos(m) - sin * math.sin(m)                     # cos(theta + m)
    logits = s * ops.where(t > 0, cos_m, cos)
    return reduce(_ce_rows(logits, t, ops), reduction, ops)


@register("002 sec. Generalized End-to-End Loss (Wan et al. 2018, eq. 6, 9)", keras=False,
          inputs=("embeddings",), class_name="GE2ELoss", tags=("embedding",))
def ge2e(embeddings, *, w: float = 10.0, b: float = -5.0, normalize: bool = True,
         reduction: str = "mean"):
    r"""Generalized end-to-end (GE2E) loss, softmax variant (Wan et al. 2018).

    .. math::

        L(e_{ji}) = -S_{ji,j} + \log \sum_{k=1}^{N} \exp(S_{ji,k}),
        \qquad S_{ji,k} = \begin{cases}
        w \cos(e_{ji}, c_j^{(-i)}) + b & k = j \\
        w \cos(e_{ji}, c_k) + b & k \ne j \end{cases}

        c_k = \frac{1}{M}\sum_{m=1}^{M} e_{km}, \qquad
        c_j^{(-i)} = \frac{1}{M-1}\sum_{m \ne i} e_{jm}

    Source: 002 sec. "Generalized End-to-End Loss" names Wan et al. (ICASSP
    2018); its formulas were lost in extraction, these are the paper's
    eq. (1), (6), (8), (9) (the softmax variant, with the exclusive centroid for
    the own speaker). The paper's embeddings are L2-normalised network outputs
    (``normalize=True``; False uses the given vectors). The paper sums over all
    (j, i); ``reduction="sum"`` gives that, ``"mean"`` divides by N M. The paper
    keeps :math:`w > 0`; ``w`` and ``b`` are learnable there (pass the current
    values; initial 10 and -5 as in the paper).

    Range: :math:`[0, \infty)`; :math:`\log N` when all similarities are equal.
    Smooth (logsumexp).

    Args:
        embeddings: ``(N, M, D)``: N >= 2 speakers, M >= 2 utterances each.
        w: scale :math:`w > 0`. b: bias.
        normalize: L2-normalise each embedding first.
        reduction: ``"none"`` (shape ``(N, M)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> e = np.array([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]])
        >>> ge2e(e, w=1.0, b=0.0).round(4)
        np.float64(0.3133)
    """
    check_scalar("w", w, low=0.0, low_open=True)
    check_scalar("b", b)
    _check_bool("normalize", normalize)
    ops, e = _prepare_embeddings({"embeddings": embeddings}, min_rank=3)
    shp = _shape(e)
    if len(shp) != 3 or shp[0] < 2 or shp[1] < 2:
        raise ValueError(f"embeddings must have shape (N, M, D) with N >= 2 speakers and M >= 2 "
                         f"utterances, got {shp}")
    n, m_utt = shp[0], shp[1]
    if normalize:
        e = l2_normalize(e)
    e_hat = l2_normalize(e)
    cen = ops.mean(e, axis=1)                                              # (N, D)
    cos_all = ops.matmul(e_hat, ops.transpose(l2_normalize(cen), (1, 0)))  # (N, M, N)
    excl = (m_utt * ops.expand_dims(cen, 1) - e) / (m_utt - 1.0)          # (N, M, D)
    cos_self = ops.sum(e_hat * l2_normalize(excl), axis=-1)               # (N, M)
    eye = _one_hot(ops.linspace(0.0, float(n - 1), n, like=e), n, e, ops)  # (N, N)
    own = ops.expand_dims(eye, 1) > 0                                      # (N, 1, N)
    sim = w * ops.where(own, ops.expand_dims(cos_self, -1) + ops.zeros_like(cos_all),
                        cos_all) + b
    loss = -ops.sum(sim * ops.cast(own, sim), axis=-1) + ops.logsumexp(sim, axis=-1)
    return reduce(loss, reduction, ops)


# --------------------------------------------------------------------------- regression

@register("002 sec. Mean Average Error or L1 loss", class_name="MAELoss",
          tags=("convex", "regression"))
def mae(y_pred, y_true, *, reduction: str = "mean"):
    r"""Mean absolute error (L1 loss).

    .. math::

        \mathrm{MAE} = \frac{1}{m}\sum_{i=1}^{m} \bigl|h(x^{(i)}) - y^{(i)}\bigr|

    Source: 002 sec. "Mean Average Error or L1 loss" (printed). ``"none"``
    returns :math:`|h(x) - y|` per element; ``"mean"`` is the formula
    (= ``torch.nn.L1Loss``). Range :math:`[0, \infty)`; convex; kink at 0
    (autograd's subgradient there is 0).

    Args:
        y_pred: predictions :math:`h(x)`, any shape ``(*)``, floating.
        y_true: targets :math:`y`, same shape.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> mae(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 1.0])).round(4)
        np.float64(0.8333)
    """
    ops, y, t = _prepare_regression(y_pred, y_true)
    return reduce(ops.abs(y - t), reduction, ops)


@register("002 sec. Mean Squared Error or L2 loss", class_name="MSELoss",
          tags=("convex", "regression"))
def mse(y_pred, y_true, *, reduction: str = "mean"):
    r"""Mean squared error (L2 loss).

    .. math::

        \mathrm{MSE} = \frac{1}{m}\sum_{i=1}^{m} \bigl(y^{(i)} - \hat y^{(i)}\bigr)^2

    Source: 002 sec. "Mean Squared Error or L2 loss" (printed). Equal to
    ``torch.nn.MSELoss``. Range :math:`[0, \infty)`; convex, smooth.

    Args:
        y_pred: predictions :math:`\hat y`, any shape ``(*)``, floating.
        y_true: targets, same shape.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> mse(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 1.0])).round(4)
        np.float64(1.4167)
    """
    ops, y, t = _prepare_regression(y_pred, y_true)
    return reduce(ops.square(t - y), reduction, ops)


@register("002 sec. Huber Loss / Smooth Mean Absolute Error", class_name="HuberLoss",
          tags=("convex", "regression"))
def huber(y_pred, y_true, *, delta: float = 1.0, reduction: str = "mean"):
    r"""Huber loss with threshold :math:`\delta`.

    .. math::

        L_\delta(a) = \begin{cases} \tfrac{1}{2} a^2 & |a| \le \delta \\
        \delta\,\bigl(|a| - \tfrac{1}{2}\delta\bigr) & |a| > \delta \end{cases},
        \qquad a = y - f(x)

    Source: 002 sec. "Huber Loss / Smooth Mean Absolute Error" (quadratic for
    small :math:`a`, linear for large, "equal values and slopes ... at
    :math:`|a| = \delta`"; the display was lost, this is the Wikipedia formula
    the section cites). Equal to ``torch.nn.HuberLoss(delta=delta)``;
    ``torch.nn.SmoothL1Loss(beta)`` is :math:`L_\beta / \beta` (see
    ``docs/conventions.md``). Keras' ``Huber`` averages the last axis first.

    Range :math:`[0, \infty)`; convex; C1 (the second derivative jumps from 1
    to 0 at :math:`|a| = \delta`).

    Args:
        y_pred: predictions, any shape ``(*)``, floating.
        y_true: targets, same shape.
        delta: :math:`\delta > 0`.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Example:
        >>> import numpy as np
        >>> huber(np.array([0.5, 3.0]), np.array([0.0, 0.0]), delta=1.0, reduction="none")
        array([0.125, 2.5  ])
    """
    check_scalar("delta", delta, low=0.0, low_open=True)
    ops, y, t = _prepare_regression(y_pred, y_true)
    a = ops.abs(t - y)
    loss = ops.where(a <= delta, 0.5 * ops.square(a), delta * (a - 0.5 * delta))
    return reduce(loss, reduction, ops)
