r"""Class weights and resampling of training data (document 003 supp. Sec. 7.2, Tables 8-11).

:func:`class_weights` gives :math:`(W_n, W_p)` from the class counts (the
weights of :func:`lossfns.weighted_bce`); :func:`random_oversample` balances a
training split by drawing minority rows with replacement.
"""

from __future__ import annotations

import numpy as np

from .._ops import NUMPY, get_ops
from .._validation import as_array, check_labels, check_nonempty

__all__ = ["class_weights", "random_oversample"]


def class_weights(y) -> tuple[float, float]:
    r"""Class weights :math:`(W_n, W_p)` of 003 supp. Sec. 7.2 (Table 8).

    .. math::

        W_n = \frac{1}{|n|}\,\frac{|n| + |p|}{2}, \qquad W_p = \frac{1}{|p|}\,\frac{|n| + |p|}{2}

    with :math:`|n|` and :math:`|p|` the numbers of negatives and positives in
    ``y`` (the paper computes them once per data set; its positive class is
    always the minority). A class absent from ``y`` is an error.

    Args:
        y: labels in {0, 1} (NumPy, torch or Keras array, or a list), any shape.

    Returns:
        ``(W_n, W_p)`` as Python floats.

    Example:
        >>> [round(w, 4) for w in class_weights([0] * 3346 + [1] * 1454)]  # CocktailParty
        [0.7173, 1.6506]
    """

    ops = get_ops(y)
    arr = np.asarray(ops.to_numpy(as_array(y, "y", ops)))
    check_nonempty(arr, "y")
    check_labels(arr, "y", NUMPY)
    n_pos = int(np.sum(arr == 1))
    n_neg = int(arr.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"y must contain both classes to compute class weights, got {n_neg} "
                         f"negatives and {n_pos} positives")
    total = n_neg + n_pos
    return total / (2.0 * n_neg), total / (2.0 * n_pos)


def random_oversample(X, y, seed=0):
    r"""Random oversampling of the minority class to a 50/50 balance (003 supp. Sec. 7.2, Table 10).

    Draws :math:`|\text{majority}| - |\text{minority}|` rows of the minority
    class uniformly with replacement and appends them after the original rows
    (the layout of imbalanced-learn's ``RandomOverSampler``). Apply it to the
    training split only, as the paper does. Balanced input is returned as a
    copy.

    Args:
        X: features, NumPy array ``(N, ...)``.
        y: labels in {0, 1}, shape ``(N,)``.
        seed: seed of ``numpy.random.default_rng`` (or a ``Generator``).

    Returns:
        ``(X_res, y_res)`` with both classes of equal size.

    Example:
        >>> import numpy as np
        >>> Xr, yr = random_oversample(np.arange(10).reshape(5, 2), np.array([0, 0, 0, 1, 0]), seed=0)
        >>> Xr.shape, int(yr.sum()), yr.tolist()
        ((8, 2), 4, [0, 0, 0, 1, 0, 1, 1, 1])
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    if X.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"Expected X with {y.shape[0]} rows (the length of y), got shape {X.shape}")
    check_nonempty(y, "y")
    check_labels(y, "y", NUMPY)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y != 1)
    if pos.size == 0 or neg.size == 0:
        raise ValueError(f"y must contain both classes to oversample, got {neg.size} negatives and "
                         f"{pos.size} positives")
    minority = pos if pos.size < neg.size else neg
    extra = rng.choice(minority, size=abs(int(pos.size) - int(neg.size)), replace=True)
    idx = np.concatenate([np.arange(y.shape[0]), extra])
    return X[idx], y[idx]
