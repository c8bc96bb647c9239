r"""Overlap losses: the Dice loss (document 002 sec. Dice Loss; document 003 supp. Tables 7, 12).

The soft Jaccard loss, also an overlap, is a soft-set metric of document 003
and lives in :mod:`lossfns.losses.softset`.

Example:
    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> round(float(lossfns.dice_loss(p, t)), 4)
    0.3333
"""

from __future__ import annotations


from .._validation import (check_axis, check_reduction, check_scalar, prepare_binary, reduce)
from ._common import safe_div
from ._registry import register

__all__ = ["dice_loss"]


@register("002 sec. Dice Loss; 003 supp. Tables 7, 12 (DICE, DICE^s) [25]",
          class_name="DiceLoss", tags=("bounded", "batch"))
def dice_loss(y_pred, y_true, *, from_logits: bool = False, squared: bool = False,
              smooth: float = 0.0, eps: float = 1e-7, axis=None, reduction: str = "mean"):
    r"""Soft Dice loss on probabilities (``from_logits=True``: logits); 002, 003 supp.

    .. math::

        L = 1 - \frac{2\sum_i p_i y_i + s}{\sum_i p_i^{q} + \sum_i y_i^{q} + s + \epsilon},
        \qquad q = 1 \ (\texttt{squared=False}),\ q = 2 \ (\texttt{squared=True})

    One definition for both documents: 002 defines Dice as
    :math:`1 - \text{DSC}`, :math:`\text{DSC} = 2|A \cap B| / (|A| + |B|)` on
    sets, which with soft membership :math:`p_i` is ``squared=False``
    (:math:`q = 1`, also Keras' ``keras.losses.Dice``, with
    :math:`\epsilon` = Keras' 1e-7); 003 cites Milletari et al.'s V-Net Dice
    [25], whose denominator squares the terms: ``squared=True``. ``smooth``
    (:math:`s`) is the additive smoothing of many implementations (0 = none).

    Reading of 003 Table 12 (ambiguity register): "DICE is logit-only, and
    DICE^s uses a sigmoid output layer". Dice needs memberships in [0, 1]; we
    read "DICE" as a network without an output sigmoid whose raw outputs are
    squashed inside the loss (``from_logits=True``) and "DICE^s" as a network
    ending in a sigmoid (``from_logits=False``): the same function of the
    probabilities, differing only in where the sigmoid lives (and hence in
    how the paper's evaluation thresholds the outputs). Applying Dice to
    unbounded logits is not a Dice coefficient and is not offered. The
    released code's Dice gives negatives no gradient (a known defect); here
    negatives enter through :math:`\sum p_i^q`.

    Range [0, 1] (:math:`s = 0`). Batch-level: ``axis=None`` pools all
    elements into one coefficient (a scalar, every ``reduction`` returns
    it); ``axis`` = int or tuple computes one coefficient per remaining index
    (e.g. ``axis=(1, 2, 3)`` per image, as Keras), then ``"none"`` returns
    those, ``"mean"``/``"sum"`` reduce them. Gradient smooth; :math:`\epsilon`
    keeps it finite when both sums vanish.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        from_logits: apply a sigmoid to ``y_pred`` first.
        squared: V-Net's squared denominator.
        smooth: :math:`s \ge 0`, added to numerator and denominator.
        eps: :math:`\epsilon \ge 0`, added to the denominator only (Keras: 1e-7);
            with :math:`s = \epsilon = 0` a zero denominator gives DSC 0.
        axis: ``None``, an int or a tuple of ints: the axes summed over.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over the remaining axes.

    Source: document 002, "Dice Loss"; document 003, supplement Sec. 7.1, 7.3,
    Tables 7 and 12; F. Milletari et al., V-Net (3DV 2016).

    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(dice_loss(p, y, eps=0.0).round(4))
        0.3846
        >>> float(dice_loss(p, y, squared=True, eps=0.0).round(4))
        0.2661
    """
    check_reduction(reduction)
    if not isinstance(squared, bool):
        raise TypeError(f"squared must be a bool, got {squared!r}")
    smooth = check_scalar("smooth", smooth, low=0.0)
    eps = check_scalar("eps", eps, low=0.0)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    axes = check_axis(axis, len(y.shape))
    if from_logits:
        y = ops.sigmoid(y)

    def total(z):
        return ops.sum(z) if axes is None else ops.sum(z, axis=axes)

    inter = total(y * t)
    den = (total(y * y) + total(t * t)) if squared else (total(y) + total(t))
    dsc = safe_div(2.0 * inter + smooth, den + (smooth + eps), ops)
    return reduce(1.0 - dsc, reduction, ops)


