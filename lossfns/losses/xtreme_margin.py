"""Document 000: R. S. Wali, "Xtreme Margin: a tunable loss function for binary
classification problems" (2022), and its two baselines (BCE, Keras hinge).

Example:
    The loss on probabilities, then one training step of a torch model with a
    sigmoid output:

    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> round(float(lossfns.xtreme_margin(p, t, lam1=2.0, lam2=2.0)), 4)
    0.8837
    >>> import torch
    >>> from lossfns.torch import XtremeMarginLoss
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
    >>> x, y = torch.randn(8, 2), torch.tensor([0.0, 1.0] * 4)
    >>> loss = XtremeMarginLoss(lam1=2.0, lam2=2.0)(model(x).squeeze(1), y)
    >>> loss.backward()
    >>> bool(torch.isfinite(model[0].weight.grad).all())
    True
"""

from __future__ import annotations

import math

from .._ops import get_ops
from .._validation import (as_array, check_choice, check_finite, check_float, check_in_range,
                           check_nonempty, check_reduction, check_same_shape, check_scalar,
                           prepare_binary, reduce)
from ..metrics import hard_labels
from ._registry import register

__all__ = ["xtreme_margin", "xm_s_term", "xm_g_term", "conditional_risk"]

S_READINGS = ("product", "exponential")


def xm_s_term(y, t, ops, s_reading: str = "product", e: float = math.e):
    r"""The "simple evaluation" term :math:`s(y, y_{true})` of 000 eq. (6).

    ``product`` (default):  :math:`s = \frac{1}{e\,|t-y|} - 1` for :math:`|y-t| \ge 0.5`;
    ``exponential``:        :math:`s = e^{-|t-y|} - 1`;  both 0 for :math:`|y-t| < 0.5`.
    """
    d = ops.abs(t - y)
    # |t - y| < 0.5 is False for NaN: a NaN takes the "wrong" branch and propagates.
    close = d < 0.5
    # Guard the untaken branch of `where` so it stays finite (and so does its gradient).
    d_safe = ops.where(close, ops.ones_like(d), d)
    if s_reading == "product":
        s_wrong = 1.0 / (e * d_safe) - 1.0
    else:
        s_wrong = ops.exp(-d_safe) - 1.0
    return ops.where(close, ops.zeros_like(d), s_wrong)


def xm_g_term(y, t, ops, lam1: float, lam2: float):
    r"""The "extreme margin" term :math:`g` of 000 eq. (4), with :math:`y_{pred}` of eq. (7)."""
    y_hard = hard_labels(y, ops)                      # eq. (7): 1 iff y >= 0.5
    correct = y_hard == t
    lam = ops.where(t == 0, ops.const(lam1, y), ops.const(lam2, y))
    g = lam * ops.square(2.0 * y - 1.0)
    # 0 * g, not zeros: 0 for a finite y, NaN for a NaN y (whose hard label is 0)
    return ops.where(correct, g, 0.0 * g)


@register("000 eq. (3)-(7)", tags=("bounded", "discontinuous"))
def xtreme_margin(y_pred, y_true, *, lam1: float = 1.0, lam2: float = 1.0,
                  s_reading: str = "product", e: float = math.e, from_logits: bool = False,
                  reduction: str = "mean"):
    r"""Xtreme Margin loss on probabilities (``from_logits=True``: logits); 000 eq. 3-7.

    .. math::

        L(y, t; \lambda_1, \lambda_2) = \frac{1}{1 + s(y, t) + g(y, t)}

        g = \mathbb{1}[t = \hat y,\ t = 0]\,\lambda_1 (2y-1)^2
          + \mathbb{1}[t = \hat y,\ t = 1]\,\lambda_2 (2y-1)^2,
        \qquad \hat y = \mathbb{1}[y \ge 0.5]

        s(y, t) = \begin{cases} 0 & |y - t| < 0.5 \\
                  \frac{1}{e\,|t - y|} - 1 & |y - t| \ge 0.5 \end{cases}

    Reading of :math:`s` (ambiguity register, SPEC sec. 6): the extraction lost
    the layout of ``1/e|t-y| - 1``. ``s_reading="product"`` (default) reads
    :math:`1/(e\cdot|t-y|) - 1`, as the paper's own code (``2.718 * |t-y|``)
    and its Sec. 4C derivation :math:`L = e|t-y|` do; ``"exponential"`` reads
    :math:`e^{-|t-y|} - 1`, giving :math:`L = e^{|t-y|}` on wrong predictions.
    ``e`` defaults to exact :math:`e` (the paper's code uses 2.718).

    Range: (0, e]. Correct side: :math:`L = 1/(1+\lambda(2y-1)^2) \in (0, 1]`;
    wrong side: :math:`L = e|t-y| \in [e/2, e]` (product reading).

    Gradient: L is discontinuous at :math:`|y - t| = 0.5` (value 1 on the
    correct side, e/2 on the wrong side) and flat (zero gradient) at
    :math:`y = 0.5`; autograd returns the one-sided (sub)gradient. At the
    boundary :math:`y = 0.5, t = 1` eq. (6) counts the prediction as wrong
    (:math:`|y-t| = 0.5`) while eq. (7) counts it as correct; as written,
    :math:`s` applies and :math:`g = 0`, so :math:`L = e/2`.

    Args:
        y_pred: predicted probabilities :math:`y \in [0, 1]` (logits if
            ``from_logits``), any shape ``(*)``, floating dtype.
        y_true: labels :math:`t \in \{0, 1\}`, same shape.
        lam1: :math:`\lambda_1 \ge 0`, weight of correct class-0 margins.
        lam2: :math:`\lambda_2 \ge 0`, weight of correct class-1 margins.
        s_reading: ``"product"`` or ``"exponential"`` (see above).
        e: the constant of :math:`s`; ``2.718`` reproduces the paper's code.
        from_logits: apply a sigmoid to ``y_pred`` first.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"`` (scalar).

    Source: document 000, eq. (3)-(7), Sec. 4C.

    Example:
        >>> import numpy as np
        >>> xtreme_margin(np.array([0.9, 0.2, 0.75]), np.array([1, 1, 0]), reduction="none").round(4)
        array([0.6098, 2.1746, 2.0387])
    """
    check_reduction(reduction)
    check_scalar("lam1", lam1, low=0.0)
    check_scalar("lam2", lam2, low=0.0)
    check_scalar("e", e, low=0.0, low_open=True)
    check_choice("s_reading", s_reading, S_READINGS)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        y = ops.sigmoid(y)
    # 1/(1 + s + g) evaluated per side (same function, fewer element-wise passes
    # than summing the masked terms of xm_s_term / xm_g_term):
    #   wrong side (|t-y| >= 0.5, g = 0): 1/(1 + s) = e|t-y|  (product) or e^{|t-y|} (exponential)
    #   correct side (s = 0, y_hard = t):  1/(1 + lam_t (2y-1)^2)
    # |t-y| = 0.5 takes the wrong side, as eq. (6) and xm_s_term do (there (2y-1)^2 = 0).
    d = ops.abs(t - y)
    wrong = d >= 0.5
    lam = lam1 + (lam2 - lam1) * t                        # lam_t for t in {0, 1}
    correct_val = 1.0 / (1.0 + lam * ops.square(2.0 * y - 1.0))
    wrong_val = e * d if s_reading == "product" else ops.exp(d)
    loss = ops.where(wrong, wrong_val, correct_val)
    return reduce(loss, reduction, ops)


def conditional_risk(y_pred, p_true, *, loss=None, from_logits: bool = False,
                     reduction: str = "mean", **loss_params):
    r"""Conditional risk of a prediction under uncertain labels, document 000 eq. (18)-(19).

    .. math::

        R(\hat y \mid \vec x; L) = \sum_{y \in \{0, 1\}} P(Y = y \mid X = \vec x)\, L(y, \hat y)
        = p\, L(\hat y, 1) + (1 - p)\, L(\hat y, 0)

    with :math:`p = P(Y = 1 \mid X = \vec x)` the confidence of the label
    (e.g. the share of annotators voting 1), :math:`\hat y` the model's
    predicted probability and :math:`L` a binary loss, by default Xtreme
    Margin, which gives eq. (19):
    :math:`R = \sum_y P(Y=y\mid\vec x) / (1 + s(\hat y, y) + g(\hat y, y))`.

    Reading (ambiguity register): eq. (19) writes :math:`s(y, y_{true})`
    with :math:`y` the summation variable; we read the sum as running over the
    possible true labels :math:`y`, each scored against the fixed prediction
    :math:`\hat y` (the only reading in which :math:`P(Y = y\mid\vec x)`
    weights make sense). For hard labels (:math:`p \in \{0, 1\}`) the risk
    equals the loss itself.

    Range: that of :math:`L` (a convex combination). Gradients as those of
    :math:`L`; linear in :math:`p`.

    Args:
        y_pred: predicted probabilities :math:`\hat y` (logits if ``from_logits``),
            shape ``(*)``, floating dtype.
        p_true: :math:`P(Y = 1 \mid \vec x) \in [0, 1]`, same shape.
        loss: a binary loss ``loss(y_pred, y_true, reduction=..., **params)``
            of this package (default :func:`xtreme_margin`).
        from_logits: forwarded to ``loss``.
        reduction: ``"none"`` (per-instance risk, shape ``(*)``), ``"mean"`` or ``"sum"``.
        **loss_params: hyper-parameters of ``loss`` (e.g. ``lam1``, ``lam2``).

    Source: document 000, Sec. 16, eq. (18)-(19).

    Example:
        >>> import numpy as np
        >>> conditional_risk(np.array([0.9, 0.9, 0.3]), np.array([1.0, 0.8, 0.5]), lam1=1.0, lam2=1.0,
        ...                  reduction="none").round(4)
        array([0.6098, 0.9771, 1.3824])
    """
    check_reduction(reduction)
    loss = xtreme_margin if loss is None else loss
    if not callable(loss):
        raise TypeError(f"loss must be a callable binary loss, got {type(loss).__name__} {loss!r}")
    ops = get_ops(y_pred, p_true)
    y = as_array(y_pred, "y_pred", ops)
    p = as_array(p_true, "p_true", ops, like=y)
    check_float(y, "y_pred", ops)
    check_same_shape(y, p, "y_pred", "p_true")
    check_nonempty(y, "y_pred")
    check_finite(p, "p_true", ops)
    check_in_range(p, "p_true", ops, 0.0, 1.0)
    p = ops.cast(p, y)
    params = dict(loss_params)
    if from_logits:
        params["from_logits"] = True
    l1 = loss(y, ops.ones_like(y), reduction="none", **params)
    l0 = loss(y, ops.zeros_like(y), reduction="none", **params)
    return reduce(p * l1 + (1.0 - p) * l0, reduction, ops)
