"""Binary classification losses on one prediction per sample: cross-entropy, hinges, focal.

* :func:`binary_cross_entropy` (000 eq. 1; 002), :func:`hinge` (Keras' hinge on
  sigmoid outputs, 000 Sec. 7; 002) and :func:`margin_hinge` (the standard
  margin hinge on scores, 002);
* :func:`focal` (002; Lin et al. 2017, eq. 5);
* :func:`weighted_bce`, class-weighted cross-entropy (003 supp. Sec. 7.2).

The losses of the other documents that are also binary and per-sample have
modules of their own: :mod:`.xtreme_margin` (000) and :mod:`.polynomial` (001).

Example:
    Probabilities by default, logits with ``from_logits=True``; the same loss as a
    torch module and as a Keras loss (Keras calls it as ``loss(y_true, y_pred)``):

    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> logits = np.log(p / (1 - p))
    >>> round(float(lossfns.binary_cross_entropy(p, t)), 4)
    0.4149
    >>> round(float(lossfns.binary_cross_entropy(logits, t, from_logits=True)), 4)
    0.4149
    >>> round(float(lossfns.focal(p, t, alpha=0.25, gamma=2.0)), 4)
    0.0848
    >>> import torch
    >>> from lossfns.torch import FocalLoss
    >>> round(float(FocalLoss(from_logits=True)(torch.tensor(logits), torch.tensor(t))), 4)
    0.0848
    >>> from lossfns.keras import BinaryFocalCrossentropy
    >>> round(float(BinaryFocalCrossentropy(from_logits=True)(t, logits)), 4)
    0.0848
"""

from __future__ import annotations

from .._validation import (check_choice, check_class_weights, check_reduction, check_scalar, prepare_binary,
                           reduce)
from ._common import EPS, safe_div, signed_labels
from ._registry import register

__all__ = ["binary_cross_entropy", "hinge", "margin_hinge", "focal", "weighted_bce"]

LOG_FLOOR = -100.0  # torch.nn.BCELoss clamps each log term at -100


def _clamped_log(p, ops, complement: bool = False):
    """``max(log p, -100)`` (or ``max(log(1 - p), -100)``) with a finite value
    and gradient where the log is -inf.

    ``log(0) = -inf`` and its derivative ``1/p`` is infinite; a plain
    ``maximum(log p, -100)`` would back-propagate ``0 * inf = nan``. The
    untaken branch of ``where`` is therefore fed a harmless argument (log of 1).
    ``log(1 - p)`` is computed as ``log1p(-p)`` like torch's kernel: exact for
    small ``p`` where ``1 - p`` would round (float32 loses digits there).

    A NaN ``p`` propagates (issue 19): the guard selects the *floor* branch with
    ``p <= 0`` (``p >= 1``), a comparison that is False for NaN, so a NaN takes the
    log branch and ``maximum`` (NaN-propagating on every backend) keeps it. The
    former ``where(p > 0, ..., -100)`` turned a NaN into a loss of 100.
    """
    at_floor = (p >= 1) if complement else (p <= 0)
    floor = ops.const(LOG_FLOOR, p)
    if complement:
        log_p = ops.log1p(-ops.where(at_floor, ops.zeros_like(p), p))
    else:
        log_p = ops.log(ops.where(at_floor, ops.ones_like(p), p))
    return ops.where(at_floor, floor + ops.zeros_like(p), ops.maximum(log_p, floor))


@register("000 eq. (1); 002 sec. Binary Cross-Entropy", class_name="BinaryCrossEntropyLoss",
          tags=("convex",))
def binary_cross_entropy(y_pred, y_true, *, from_logits: bool = False, eps: float | None = None,
                         reduction: str = "mean"):
    r"""Binary cross-entropy of probabilities (``from_logits=True``: of logits); 000 eq. 1, 002.

    .. math::

        L(y, t) = -\bigl(t \log y + (1 - t) \log(1 - y)\bigr)

    with :math:`y` the predicted probability of class 1 and :math:`t \in \{0, 1\}`.

    Probabilities (``from_logits=False``): two clamping conventions exist.

    * ``eps=None`` (default, **torch semantics**): each log term is clamped at
      -100 exactly like :class:`torch.nn.BCELoss`, so the loss lies in
      [0, 100] and equals torch's to the last bit of the formula.
    * ``eps=float`` (**Keras semantics**): :math:`y` is first clipped to
      :math:`[\epsilon, 1-\epsilon]` like ``keras.losses.BinaryCrossentropy``
      (Keras uses ``eps = 1e-7``); the loss then lies in
      :math:`[-\log(1-\epsilon), -\log\epsilon]` (about [1e-7, 16.1] for 1e-7).
      The two conventions differ only for :math:`y < \epsilon` or
      :math:`y > 1-\epsilon`.

    Logits (``from_logits=True``), :math:`x` the logit:

    .. math::

        L(x, t) = -\bigl(t \log\sigma(x) + (1 - t) \log\sigma(-x)\bigr)

    which equals the formula above with :math:`y = \sigma(x)` because
    :math:`1 - \sigma(x) = \sigma(-x)`. :math:`\log\sigma` is evaluated
    as :math:`\min(x, 0) - \log(1 + e^{-|x|})` (``ops.log_sigmoid``), which
    never overflows, so values and gradients stay finite for logits of
    :math:`\pm 10^4` (``log(sigmoid(x))`` would give ``log(0) = -inf``);
    this is what :class:`torch.nn.BCEWithLogitsLoss` and
    ``tf.nn.sigmoid_cross_entropy_with_logits`` compute. ``eps`` is ignored
    on this path. Range :math:`[0, \infty)`.

    Gradient: smooth. With probabilities, :math:`\partial L/\partial y =
    (y - t)/(y(1-y))` is unbounded at the wrong end; inside the -100 clamp
    (:math:`y < e^{-100}`) or the Keras clip the gradient is 0 (torch's
    hand-written backward instead returns :math:`(y-t)/\max(y(1-y), 10^{-12})`
    there; values agree).

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), shape ``(*)``,
            floating dtype.
        y_true: labels in {0, 1}, same shape (int/bool accepted and cast).
        from_logits: ``y_pred`` holds logits.
        eps: ``None`` for torch's clamp, or a clip width in (0, 0.5) for Keras'.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 000, eq. (1); document 002, Binary Cross-Entropy.

    Example:
        >>> import numpy as np
        >>> binary_cross_entropy(np.array([0.9, 0.2, 0.0]), np.array([1, 1, 1]), reduction="none").round(4)
        array([  0.1054,   1.6094, 100.    ])
        >>> binary_cross_entropy(np.array([0.9, 0.2, 0.0]), np.array([1, 1, 1]), eps=1e-7,
        ...                      reduction="none").round(4)
        array([ 0.1054,  1.6094, 16.1181])
        >>> float(binary_cross_entropy(np.array([2.0, -1.0]), np.array([1, 0]), from_logits=True).round(4))
        0.2201
    """
    check_reduction(reduction)
    if eps is not None:
        check_scalar("eps", eps, low=0.0, high=0.5, low_open=True, high_open=True)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        # -log(sigmoid(x)) = -log_sigmoid(x) (= softplus(-x)), evaluated as
        # max(-x, 0) + log1p(exp(-|x|)): never overflows, never log(0).
        # (Not ops.softplus: torch's F.softplus returns x itself for x > 20,
        # an absolute error up to e^-20 = 2e-9, visible in float64.)
        # With u = 2t - 1 in {-1, 1} both terms are one: -log sigmoid(u x)
        # (t = 1: -log sigmoid(x); t = 0: -log sigmoid(-x)); one transcendental
        # per element instead of two (the benchmark's 3x-of-fused-BCE target).
        loss = -ops.log_sigmoid(signed_labels(t) * y)
    elif eps is None:
        loss = -(t * _clamped_log(y, ops) + (1.0 - t) * _clamped_log(y, ops, complement=True))
    else:
        yc = ops.clip(y, eps, 1.0 - eps)
        loss = -(t * ops.log(yc) + (1.0 - t) * ops.log(1.0 - yc))
    return reduce(loss, reduction, ops)


@register("000 Sec. 7 (Keras hinge on sigmoid outputs); 002 sec. Hinge Loss",
          tags=("convex", "kink"))
def hinge(y_pred, y_true, *, from_logits: bool = False, labels: str = "01",
          reduction: str = "mean"):
    r"""Keras-style hinge on probabilities, as trained in 000 (``from_logits=True``: on logits).

    .. math::

        L(y, t) = \max\bigl(0,\ 1 - u\,y\bigr), \qquad u = 2t - 1 \in \{-1, 1\}

    with :math:`y \in [0, 1]` the sigmoid output. This is
    ``keras.losses.Hinge`` (which maps {0, 1} labels to {-1, 1} the same way)
    fed with the probabilities of the paper's constant architecture (last
    layer ``Dense(1, sigmoid)``, Sec. 7). Reading (ambiguity register): the
    paper says "hinge" without a formula; on sigmoid outputs this is *not* a
    margin loss: :math:`L = 1 - y` for :math:`t = 1` and :math:`L = 1 + y`
    for :math:`t = 0`, never 0 for class 0, i.e. a linear loss with constant
    gradient :math:`\mp 1`. For the standard hinge on scores use
    :func:`margin_hinge`.

    Range: [0, 2]. Gradient :math:`-u` (constant; the kink at :math:`uy = 1`
    is only reached at :math:`y = 1, t = 1`).

    Keras' ``hinge`` averages over the last axis before the batch reduction;
    for equal-sized last axes this gives the same ``"mean"`` as ours.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``: a sigmoid
            is applied first), shape ``(*)``, floating dtype.
        y_true: labels in {0, 1} (``labels="01"``) or {-1, 1} (``"pm1"``), same shape.
        from_logits: apply a sigmoid to ``y_pred`` first.
        labels: ``"01"`` or ``"pm1"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 000, Sec. 7 (Keras ``hinge``); document 002, Hinge Loss.

    Example:
        >>> import numpy as np
        >>> hinge(np.array([0.9, 0.2, 0.75]), np.array([1, 1, 0]), reduction="none").round(4)
        array([0.1 , 0.8 , 1.75])
    """
    check_reduction(reduction)
    check_choice("labels", labels, ("01", "pm1"))
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits, label_set=labels)
    if from_logits:
        y = ops.sigmoid(y)
    u = signed_labels(t, labels)
    loss = ops.maximum(1.0 - u * y, ops.zeros_like(y))
    return reduce(loss, reduction, ops)


@register("002 sec. Hinge Loss (standard margin hinge on scores)", tags=("convex", "kink"))
def margin_hinge(y_pred, y_true, *, margin: float = 1.0, labels: str = "01",
                 reduction: str = "mean"):
    r"""Standard (SVM) margin hinge on real-valued scores (logits), not probabilities.

    .. math::

        L(f, u) = \max\bigl(0,\ m - u\,f\bigr)

    with :math:`f \in \mathbb{R}` a score/logit, :math:`u \in \{-1, 1\}` the
    signed label (labels ``"01"`` are mapped by :math:`u = 2t - 1`, ``"pm1"``
    are used as given) and :math:`m \ge 0` the margin.

    Range :math:`[0, \infty)`. Convex, piecewise linear, gradient
    :math:`-u` for :math:`uf < m` and 0 beyond; kink at :math:`uf = m`
    (autograd returns 0 there). Agrees with ``keras.losses.Hinge`` on raw
    scores (margin 1), ``sklearn.metrics.hinge_loss`` and with
    ``2 * torch.nn.MultiMarginLoss`` on the two class scores
    :math:`(-f/2, f/2)`.

    Args:
        y_pred: scores :math:`f` of any real value, shape ``(*)``, floating dtype.
        y_true: labels in {0, 1} (``labels="01"``) or {-1, 1} (``"pm1"``), same shape.
        margin: :math:`m \ge 0`.
        labels: ``"01"`` or ``"pm1"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 002, Hinge Loss (binary form).

    Example:
        >>> import numpy as np
        >>> margin_hinge(np.array([2.0, 0.3, -0.5]), np.array([1, 1, 0]), reduction="none").round(4)
        array([0. , 0.7, 0.5])
    """
    check_reduction(reduction)
    check_scalar("margin", margin, low=0.0)
    check_choice("labels", labels, ("01", "pm1"))
    ops, f, t = prepare_binary(y_pred, y_true, label_set=labels, probabilities=False)
    u = signed_labels(t, labels)
    loss = ops.maximum(margin - u * f, ops.zeros_like(f))
    return reduce(loss, reduction, ops)


# --------------------------------------------------------------------------- binary focal

@register("002 sec. Focal Loss (Lin et al. 2017, eq. 5)", class_name="FocalLoss",
          tags=("focal",))
def focal(y_pred, y_true, *, alpha: float | None = 0.25, gamma: float = 2.0,
          from_logits: bool = False, eps: float = EPS, reduction: str = "mean"):
    r"""Binary focal loss of Lin et al. (2017) on probabilities (``from_logits=True``: logits).

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
        z_t = signed_labels(t) * y
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
            # the power on 1 there and return 0 (its value) instead. The guard is
            # q <= 0 (False for NaN) so that a NaN takes the power and propagates.
            zero = q <= 0
            mod = ops.where(zero, ops.zeros_like(q), ops.where(zero, ops.ones_like(q), q) ** gamma)
    loss = -mod * log_pt
    if alpha is not None:
        loss = (t * alpha + (1.0 - t) * (1.0 - alpha)) * loss
    return reduce(loss, reduction, ops)


# --------------------------------------------------------------------------- class-weighted BCE (003)

@register("003 supp. Sec. 7.2 (Tables 8, 9)",
          class_name="WeightedBCELoss", tags=("convex",))
def weighted_bce(y_pred, y_true, *, weights=None, from_logits: bool = False,
                 eps: float | None = None, reduction: str = "mean"):
    r"""Class-weighted BCE on probabilities (``from_logits=True``: logits); 003 supp. Sec. 7.2.

    .. math::

        L_i = -\bigl(W_p\, y_i \log p_i + W_n\, (1 - y_i) \log(1 - p_i)\bigr),
        \quad W_n = \frac{|n| + |p|}{2|n|},\ W_p = \frac{|n| + |p|}{2|p|}

    ``weights=None`` computes :math:`(W_n, W_p)` from the labels of the batch
    itself (a class absent from the batch gets weight 0, it has no terms);
    ``weights=(W_n, W_p)`` uses fixed weights, e.g. ``class_weights(y_train)``
    over the training set as in the paper (Table 8). The per-element terms
    are :func:`binary_cross_entropy`'s (torch's -100 clamp by default,
    ``eps`` for Keras' clip, the stable log-sigmoid path for logits), so
    :math:`L = W_{y}\,\text{BCE}` equals ``torch.nn.BCELoss(weight=W)`` and
    Keras' ``BinaryCrossentropy`` with ``sample_weight=W``. ``"mean"`` divides by
    the number of elements (not by the sum of weights), as both do.

    Range :math:`[0, \infty)` (logits) or :math:`[0, 100\max W]`. Gradient
    that of BCE times the weight.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        weights: ``None`` (batch counts) or a pair ``(W_n, W_p)`` of positive numbers.
        from_logits: ``y_pred`` holds logits.
        eps: ``None`` (torch clamp) or Keras' clip width, see :func:`binary_cross_entropy`.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 003, supplement Sec. 7.2, Tables 8 and 9.

    Example:
        >>> import numpy as np
        >>> weighted_bce(np.array([0.9, 0.2, 0.4, 0.3]), np.array([1, 0, 0, 0]), reduction="none").round(4)
        array([0.2107, 0.1488, 0.3406, 0.2378])
    """
    check_reduction(reduction)
    w = check_class_weights("weights", weights)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    bce = binary_cross_entropy(y, t, from_logits=from_logits, eps=eps, reduction="none")
    if w is None:
        n_pos = ops.sum(t)
        n_all = ops.sum(ops.ones_like(t))
        w_p = safe_div(n_all, 2.0 * n_pos, ops)
        w_n = safe_div(n_all, 2.0 * (n_all - n_pos), ops)
    else:
        w_n, w_p = w
    return reduce((t * w_p + (1.0 - t) * w_n) * bce, reduction, ops)
