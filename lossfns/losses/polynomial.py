r"""Losses of document 001 (Phuong & Zung, "On the dynamics of loss functions"): polynomial
losses in the wrong-class probability, the sigmoid-free logit loss, the broken loss.

* :func:`l24` and :func:`l6` (Sec. 5): bounded, focal polynomials of
  :math:`q`, the probability given to the wrong class;
* :func:`sigmoid_free` (Sec. 6): a piecewise loss on the logit :math:`r`
  itself, no sigmoid (:func:`sigmoid_free_l1`, :func:`sigmoid_free_l2`);
* :func:`broken_loss` (Sec. 7): a loss with a kink that traps predictions
  near 0.5 (:func:`broken_l1`), with both readings of its constant.

The toy model of Sec. 4 is a protocol, not a loss: :mod:`lossfns.experiments.doc001.theory`.

Example:
    ``l24``, ``l6`` and the broken loss take probabilities; the sigmoid-free loss
    takes the logit itself:

    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> [round(float(f(p, t)), 4) for f in (lossfns.l24, lossfns.l6, lossfns.broken_loss)]
    [0.1804, 0.0156, 0.0547]
    >>> round(float(lossfns.sigmoid_free(np.log(p / (1 - p)), t)), 4)
    0.1768
"""

from __future__ import annotations



import numpy as np  # noqa: F401  (the doctests use it)

from .._ops import get_ops
from .._validation import (check_choice, check_reduction, check_scalar,
                           prepare_binary, reduce)
from ._common import signed_labels
from ._registry import register

__all__ = ["l24", "l6", "sigmoid_free", "broken_loss", "sigmoid_free_l1", "sigmoid_free_l2", "broken_l1",
           "BROKEN_CONSTANTS"]

BROKEN_CONSTANTS = {"7/16": 7.0 / 16.0, "3/16": 3.0 / 16.0}


def _wrong_prob(y, t, from_logits, ops):
    """q = the probability given to the wrong class: ``1 - y`` for t = 1, ``y`` for t = 0.

    On probabilities ``q = |t - y|`` (exact for t in {0, 1}); from logits
    ``q = sigmoid(-u x)`` with ``u = 2t - 1``, which keeps full relative
    precision of ``1 - y`` for large ``x`` (``1 - sigmoid(x)`` rounds to 0
    in float32 from x ~ 17 on). One pass instead of evaluating both class
    terms and masking one with ``t`` / ``1 - t``: the same numbers, about
    half the element-wise operations.
    """
    if from_logits:
        return ops.sigmoid((1.0 - 2.0 * t) * y)
    return ops.abs(t - y)


def _class_weight(t, w1, w0):
    """w1 for t = 1, w0 for t = 0 (t in {0, 1}): ``w0 + (w1 - w0) t``."""
    return w0 + (w1 - w0) * t


# ----------------------------------------------------------------------------------------------
# Sec. 5: polynomial losses
# ----------------------------------------------------------------------------------------------

@register("001 Sec. 5 (l_24)", tags=("bounded", "focal", "asymmetric"))
def l24(y_pred, y_true, *, c: float = 1.0, from_logits: bool = False, reduction: str = "mean"):
    r"""Polynomial :math:`\ell_{24}` of 001 Sec. 5 on probabilities (``from_logits=True``: logits).

    .. math::

        \ell_{24}(y) = c\,y_{true}\bigl((1-y)^2 + (1-y)^4\bigr)
                     + (1 - y_{true})\bigl(y^2 + y^4\bigr)

    with :math:`y \in [0, 1]` the predicted probability, :math:`y_{true} \in
    \{0, 1\}` and :math:`c > 0` the asymmetry coefficient (weight of class 1;
    :math:`c = 1` is symmetric).

    Range: :math:`[0, 2\max(c, 1)]`. Smooth (polynomial). Focal in the sense
    of Sec. 5: :math:`|d\ell/dy| = c(2(1-y) + 4(1-y)^3)` for
    :math:`y_{true} = 1` vanishes as :math:`y \to 1` (BCE's :math:`1/y` stays
    above 1), and is at most :math:`6c` at :math:`y = 0`.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``: a sigmoid
            is applied first), shape ``(*)``, floating dtype.
        y_true: labels in {0, 1}, same shape.
        c: asymmetry coefficient :math:`c > 0`.
        from_logits: apply a sigmoid to ``y_pred`` first.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 001, Sec. 5, formula for :math:`\ell_{24}`.

    Example:
        >>> import numpy as np
        >>> l24(np.array([0.9, 0.2, 0.75]), np.array([1, 1, 0]), c=2.0, reduction="none").round(4)
        array([0.0202, 2.0992, 0.8789])
    """
    check_reduction(reduction)
    check_scalar("c", c, low=0.0, low_open=True)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    # c t ((1-y)^2 + (1-y)^4) + (1-t)(y^2 + y^4) = w(t) (q^2 + q^4), q = wrong-class probability
    q2 = ops.square(_wrong_prob(y, t, from_logits, ops))
    loss = _class_weight(t, c, 1.0) * (q2 + ops.square(q2))
    return reduce(loss, reduction, ops)


@register("001 Sec. 5 (l_6)", tags=("bounded", "focal", "asymmetric"))
def l6(y_pred, y_true, *, c: float = 1.0, from_logits: bool = False, reduction: str = "mean"):
    r"""Power-six loss :math:`\ell_6` of 001 Sec. 5 on probabilities (``from_logits=True``: logits).

    .. math::

        \ell_6(y) = c\,y_{true}(1-y)^6 + (1 - y_{true})\,y^6

    with :math:`y \in [0, 1]`, :math:`y_{true} \in \{0, 1\}`, asymmetry
    coefficient :math:`c > 0` (weight of class 1).

    Range: :math:`[0, \max(c, 1)]`. Smooth; very focal:
    :math:`|d\ell/dy| = 6c(1-y)^5` for :math:`y_{true} = 1` is below
    :math:`6c \cdot 2^{-5} \approx 0.19c` once the sample is correctly
    classified (:math:`y > 0.5`), and at most :math:`6c`.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), shape ``(*)``,
            floating dtype.
        y_true: labels in {0, 1}, same shape.
        c: asymmetry coefficient :math:`c > 0`.
        from_logits: apply a sigmoid to ``y_pred`` first (the "sigmoid + power
            six" model of Sec. 6, Fig. 2).
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 001, Sec. 5, formula for :math:`\ell_6`.

    Example:
        >>> import numpy as np
        >>> l6(np.array([0.9, 0.2, 0.75]), np.array([1, 1, 0]), c=2.0, reduction="none").round(6)
        array([2.00000e-06, 5.24288e-01, 1.77979e-01])
    """
    check_reduction(reduction)
    check_scalar("c", c, low=0.0, low_open=True)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    # c t (1-y)^6 + (1-t) y^6 = w(t) q^6, q = wrong-class probability
    q = _wrong_prob(y, t, from_logits, ops)
    loss = _class_weight(t, c, 1.0) * ops.square(q * ops.square(q))
    return reduce(loss, reduction, ops)


# ----------------------------------------------------------------------------------------------
# Sec. 6: the sigmoid-free logit loss
# ----------------------------------------------------------------------------------------------

def sigmoid_free_l1(r, ops=None):
    r""":math:`l_1(r) = 0.5\max(-r, 0) + \max(\min(0.5 - r, 0.5), 0)^4` (001 Sec. 6).

    Piecewise: :math:`-r/2 + 1/16` for :math:`r \le 0`, :math:`(0.5 - r)^4`
    on :math:`[0, 0.5]`, 0 for :math:`r \ge 0.5`; continuously differentiable
    (slope -1/2 on both sides of 0, slope 0 on both sides of 0.5).

    >>> sigmoid_free_l1(np.array([-1.0, 0.0, 0.25, 1.0]))
    array([0.5625    , 0.0625    , 0.00390625, 0.        ])
    """
    ops = ops or get_ops(r)
    zero = ops.zeros_like(r)
    return 0.5 * ops.maximum(-r, zero) + ops.square(ops.square(
        ops.maximum(ops.minimum(0.5 - r, zero + 0.5), zero)))


def sigmoid_free_l2(r, ops=None):
    r""":math:`l_2(r) = 0.5\max(r, 0) + \max(\min(0.5 + r, 0.5), 0)^4 = l_1(-r)` (001 Sec. 6)."""
    ops = ops or get_ops(r)
    return sigmoid_free_l1(-r, ops)


@register("001 Sec. 6 (sigmoid-free loss l(r))", tags=("needs_logits", "asymmetric", "convex"))
def sigmoid_free(y_pred, y_true, *, c: float = 1.0, labels: str = "01", reduction: str = "mean"):
    r"""Sigmoid-free loss on the raw last-layer score :math:`r` (a logit; 001 Sec. 6).

    .. math::

        l(r) = c\,(1 + y_{true})\,l_1(r) + (1 - y_{true})\,l_2(r)

        l_1(r) = 0.5 \times \max(-r, 0) + \bigl(\max(\min(0.5 - r, 0.5), 0)\bigr)^4

        l_2(r) = 0.5 \times \max(r, 0) + \bigl(\max(\min(0.5 + r, 0.5), 0)\bigr)^4

    where :math:`y_{true} \in \{1, -1\}` (yes / no) in the paper and
    :math:`c > 0` is the asymmetry coefficient. No sigmoid is applied:
    :math:`r` is the raw score (the paper's point is that composing the loss
    with a sigmoid drives parameters to infinity).

    Labels: ``labels="pm1"`` takes the paper's :math:`u = y_{true} \in \{1, -1\}`
    as given; ``labels="01"`` (default, the package convention) maps
    :math:`t \in \{0, 1\}` by :math:`u = 2t - 1`. The factor 2: :math:`1 + u`
    and :math:`1 - u` are 2 or 0, so :math:`l = 2c\,l_1(r)` for positives and
    :math:`2\,l_2(r)` for negatives, i.e. :math:`l = 2\,[c\,t\,l_1 + (1-t)\,l_2]`.
    We keep the paper's factor 2 (it scales the gradient, hence the
    effective learning rate).

    Range :math:`[0, \infty)`; 0 once :math:`u r \ge 0.5` (a margin of 0.5),
    linear growth (slope :math:`c` resp. 1 after the factor 2) for wrong signs.
    Convex and continuously differentiable (:math:`C^1`): :math:`l_1'` is
    :math:`-1/2` on both sides of 0 and 0 on both sides of 0.5; the second
    derivative jumps at 0 and 0.5. Values and gradients are finite for any
    finite :math:`r` (piecewise polynomial, no exp/log).

    Args:
        y_pred: scores/logits :math:`r`, shape ``(*)``, floating dtype.
        y_true: labels in {0, 1} (``labels="01"``) or {-1, 1} (``"pm1"``), same shape.
        c: asymmetry coefficient :math:`c > 0`.
        labels: ``"01"`` or ``"pm1"``.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 001, Sec. 6, :math:`l(r)`, :math:`l_1`, :math:`l_2`.

    Example:
        >>> import numpy as np
        >>> sigmoid_free(np.array([2.0, 0.25, -1.0, 0.0]), np.array([1, 1, 1, 0]), reduction="none").round(6)
        array([0.     , 0.007812, 1.125  , 0.125  ])
        >>> sigmoid_free(np.array([2.0, 0.25, -1.0]), np.array([1, 1, -1]), labels="pm1", c=3.0,
        ...              reduction="none").round(6)
        array([0.      , 0.023438, 0.      ])
    """
    check_reduction(reduction)
    check_scalar("c", c, low=0.0, low_open=True)
    check_choice("labels", labels, ("01", "pm1"))
    ops, r, t = prepare_binary(y_pred, y_true, label_set=labels, probabilities=False)
    u = signed_labels(t, labels)
    # c(1+u) l1(r) + (1-u) l2(r) = (c(1+u) + (1-u)) l1(u r) for u in {-1, 1},
    # since l2(r) = l1(-r): one piecewise evaluation instead of two.
    loss = (c * (1.0 + u) + (1.0 - u)) * sigmoid_free_l1(u * r, ops)
    return reduce(loss, reduction, ops)


# ----------------------------------------------------------------------------------------------
# Sec. 7: the broken loss
# ----------------------------------------------------------------------------------------------

def _broken_constant(constant) -> float:
    if isinstance(constant, str):
        return BROKEN_CONSTANTS[check_choice("constant", constant, tuple(BROKEN_CONSTANTS))]
    return check_scalar("constant", constant)


def broken_l1(y, constant="7/16", ops=None):
    r""":math:`\ell_1(y) = y^4` for :math:`y \le 1/2`, :math:`y - C` for :math:`y > 1/2` (001 Sec. 7).

    ``constant``: ``"7/16"`` (continuous, default), ``"3/16"`` (as printed) or a float.

    >>> broken_l1(np.array([0.25, 0.5, 0.75]))
    array([0.00390625, 0.0625    , 0.3125    ])
    >>> broken_l1(np.array([0.25, 0.5, 0.75]), "3/16")
    array([0.00390625, 0.0625    , 0.5625    ])
    """
    C = _broken_constant(constant)
    ops = ops or get_ops(y)
    return ops.where(y <= 0.5, ops.square(ops.square(y)), y - C)


@register("001 Sec. 7 (broken loss)", tags=("kink", "asymmetric"))
def broken_loss(y_pred, y_true, *, c: float = 1.0, constant="7/16", from_logits: bool = False,
                reduction: str = "mean"):
    r"""The "broken" loss of 001 Sec. 7 on probabilities (``from_logits=True``: logits).

    .. math::

        \ell(y) = c\,(1 - y_{true})\,\ell_1(y) + y_{true}\,\ell_1(1 - y),
        \qquad
        \ell_1(y) = \begin{cases} y^4 & y \le 1/2 \\ y - C & y \ge 1/2 \end{cases}

    with :math:`y \in [0, 1]`, :math:`y_{true} \in \{0, 1\}`, :math:`c > 0`
    the asymmetry coefficient. Note that here :math:`c` weights class 0, as
    printed in Sec. 7 (in :func:`l24`/:func:`l6` it weights class 1).

    Readings (ambiguity register):

    * **C.** The text prints :math:`C = 3/16` and calls the function
      continuous, but :math:`(1/2)^4 = 1/16 \ne 1/2 - 3/16 = 5/16`: with 3/16
      the loss jumps in value by 1/4 at :math:`y = 1/2`. :math:`C = 7/16` is
      the continuous reading and the default (``constant="7/16"``);
      ``constant="3/16"`` reproduces the printed formula; a float is accepted.
    * **"and similarly for** :math:`\ell_2` **".** The paper writes
      :math:`\ell(y) = c(1-y)\ell_1(y) + y\ell_2(y)` (the first :math:`y` of
      each term meaning :math:`y_{true}`). We read :math:`\ell_2(y) =
      \ell_1(1-y)`, the mirror image, so that class 1 is penalised as
      :math:`y` falls below 1, with the same derivative jump at 1/2.

    Range: :math:`[0, \max(c, 1)(1 - C)]`, i.e. [0, 9/16] for :math:`c=1`,
    :math:`C = 7/16`. Gradient: :math:`|d\ell_1/dy|` jumps from
    :math:`4 (1/2)^3 = 0.5` to 1 at :math:`y = 1/2` (the "stochastic trap"
    of Sec. 7); autograd takes the :math:`y^4` branch at exactly 1/2.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), shape ``(*)``,
            floating dtype.
        y_true: labels in {0, 1}, same shape.
        c: asymmetry coefficient :math:`c > 0`.
        constant: ``"7/16"`` (default), ``"3/16"`` or a float :math:`C`.
        from_logits: apply a sigmoid to ``y_pred`` first.
        reduction: ``"none"`` (shape ``(*)``), ``"mean"`` or ``"sum"``.

    Source: document 001, Sec. 7.

    Example:
        >>> import numpy as np
        >>> broken_loss(np.array([0.9, 0.2, 0.75, 0.5]), np.array([1, 1, 0, 0]), reduction="none").round(6)
        array([0.0001, 0.3625, 0.3125, 0.0625])
        >>> broken_loss(np.array([0.9, 0.2, 0.75, 0.5]), np.array([1, 1, 0, 0]), constant="3/16",
        ...             reduction="none").round(6)
        array([0.0001, 0.6125, 0.5625, 0.0625])
    """
    check_reduction(reduction)
    check_scalar("c", c, low=0.0, low_open=True)
    C = _broken_constant(constant)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    # c(1-t) l1(y) + t l1(1-y) = w(t) l1(q), q = wrong-class probability
    loss = _class_weight(t, 1.0, c) * broken_l1(_wrong_prob(y, t, from_logits, ops), C, ops)
    return reduce(loss, reduction, ops)


