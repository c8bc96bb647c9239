r"""Regression losses of document 002: MAE (L1), MSE (L2) and Huber.

In a binary-classification package these serve the primer's catalogue and
the comparisons of its notebooks; ``y_true`` is any real target.

Example:
    >>> import numpy as np
    >>> import lossfns
    >>> y_pred, y_true = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 1.0])
    >>> [round(float(f(y_pred, y_true)), 4) for f in (lossfns.mae, lossfns.mse, lossfns.huber)]
    [0.8333, 1.4167, 0.5417]
    >>> import torch
    >>> from lossfns.torch import MSELoss
    >>> round(float(MSELoss()(torch.tensor(y_pred), torch.tensor(y_true))), 4)
    1.4167
"""

from __future__ import annotations



from .._validation import (check_scalar, prepare_binary, reduce)
from ._registry import register

__all__ = ["mae", "mse", "huber"]

def _prepare_regression(y_pred, y_true):
    return prepare_binary(y_pred, y_true, label_set=None, probabilities=False)


# --------------------------------------------------------------------------- regression

@register("002 sec. Mean Average Error or L1 loss", class_name="MAELoss",
          tags=("convex", "regression"))
def mae(y_pred, y_true, *, reduction: str = "mean"):
    r"""Mean absolute error (L1 loss) of predicted values.

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
    r"""Mean squared error (L2 loss) of predicted values.

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
    r"""Huber loss with threshold :math:`\delta`, of predicted values.

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
