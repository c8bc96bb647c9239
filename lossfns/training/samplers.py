r"""Class weights and resampling of training data (document 003 supp. Sec. 7.2, Tables 8-11).

:func:`class_weights` gives :math:`(W_n, W_p)` from the class counts (the
weights of :func:`lossfns.weighted_bce`); :func:`random_oversample` balances a
training split by drawing minority rows with replacement;
:func:`balanced_epoch_indices` / :class:`BalancedEpochSampler` draw a fixed
number of rows per epoch with a fixed share of positives (document 001: 10,000
images per epoch, half of them positive).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._ops import NUMPY, get_ops
from .._validation import as_array, check_int, check_labels, check_nonempty, check_scalar

__all__ = ["class_weights", "random_oversample", "balanced_epoch_indices", "BalancedEpochSampler"]


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


def _binary_labels(y, name="y"):
    """``y`` as a 1-D NumPy array of labels in {0, 1} (any backend or a list)."""
    if hasattr(y, "shape") and not isinstance(y, np.ndarray):
        y = get_ops(y).to_numpy(y)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row), got shape {y.shape}")
    check_nonempty(y, name)
    check_labels(y, name, NUMPY)
    return y


def _generator(rng, name="rng"):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise TypeError(f"{name} must be a non-negative int seed or a numpy.random.Generator, "
                        f"got {type(rng).__name__} {rng!r}")
    return np.random.default_rng(int(rng))


def balanced_epoch_indices(y, n_per_epoch: int, rng=0, *, positive_fraction: float = 0.5) -> np.ndarray:
    r"""Row indices of one epoch with a fixed share of positives (document 001's sampling).

    Document 001 trains on 10,000 images per epoch, half of them positive:
    ``balanced_epoch_indices(y, 10_000, rng)``. The epoch holds
    :math:`n_p = \mathrm{round}(f \cdot n)` positives and :math:`n - n_p`
    negatives (``f = positive_fraction``, ``n = n_per_epoch``), shuffled
    together. Each class is drawn **without** replacement when it has at least
    as many rows as the epoch needs from it, and **with** replacement only when
    it is too small (then every row of that class is used about equally
    often in expectation; the draw is uniform).

    Deterministic: the same ``y``, ``n_per_epoch`` and integer seed give the
    same indices; pass one ``numpy.random.Generator`` across epochs (or use
    :class:`BalancedEpochSampler`, which seeds each epoch separately) to get a
    new draw every epoch.

    Args:
        y: labels in {0, 1}, shape ``(N,)`` (NumPy, torch, Keras or a list).
        n_per_epoch: rows per epoch, an integer >= 1.
        rng: integer seed (>= 0) or a ``numpy.random.Generator`` (advanced).
        positive_fraction: share of positives in the epoch, in [0, 1].

    Returns:
        ``int64`` array of ``n_per_epoch`` row indices into ``y``.

    Raises:
        ValueError: ``y`` not 1-D, empty or not in {0, 1}; ``n_per_epoch`` < 1;
            ``positive_fraction`` outside [0, 1]; the epoch needs rows of a
            class that ``y`` does not contain.
        TypeError: ``n_per_epoch`` not an integer; ``rng`` not a seed or Generator.

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 90 + [1] * 10)
        >>> idx = balanced_epoch_indices(y, 40, rng=0)
        >>> idx.shape, int(y[idx].sum())
        ((40,), 20)
    """
    y = _binary_labels(y)
    n_per_epoch = check_int("n_per_epoch", n_per_epoch)
    f = check_scalar("positive_fraction", positive_fraction, low=0.0, high=1.0)
    gen = _generator(rng)
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y != 1)
    n_pos = round(f * n_per_epoch)
    n_neg = n_per_epoch - n_pos
    for name, need, have in (("positive", n_pos, pos), ("negative", n_neg, neg)):
        if need > 0 and have.size == 0:
            raise ValueError(f"y has no {name} rows, but positive_fraction={f} and "
                             f"n_per_epoch={n_per_epoch} need {need} of them")
    parts = [gen.choice(have, size=need, replace=need > have.size)
             for need, have in ((n_pos, pos), (n_neg, neg)) if need > 0]
    idx = np.concatenate(parts).astype(np.int64)
    gen.shuffle(idx)
    return idx


class BalancedEpochSampler:
    """Index sampler of :func:`balanced_epoch_indices`, one fresh draw per epoch.

    Epoch ``e`` uses the generator ``numpy.random.default_rng([seed, e])``, so
    any epoch can be reproduced on its own (resuming a run, another worker)
    and different epochs draw different rows. Iterating yields the indices of
    the current epoch (``set_epoch`` chooses it, as ``DistributedSampler``
    does); ``len()`` is ``n_per_epoch``. Usable as ``sampler=`` of a torch
    ``DataLoader``.

    Example:
        >>> import numpy as np
        >>> s = BalancedEpochSampler(np.array([0] * 8 + [1] * 2), 6, seed=3)
        >>> a = s.indices(0); b = s.indices(1)
        >>> len(s), a.tolist() == s.indices(0).tolist(), a.tolist() != b.tolist()
        (6, True, True)
    """

    def __init__(self, y, n_per_epoch: int, seed: int = 0, *, positive_fraction: float = 0.5):
        self.y = _binary_labels(y)
        self.n_per_epoch = check_int("n_per_epoch", n_per_epoch)
        _generator(seed, "seed")
        self.seed = int(seed)
        self.positive_fraction = check_scalar("positive_fraction", positive_fraction, low=0.0, high=1.0)
        self.epoch = 0
        self.indices(0)  # fail early on a class the epochs need but y lacks

    def set_epoch(self, epoch: int) -> None:
        self.epoch = check_int("epoch", epoch, 0)

    def indices(self, epoch: int | None = None) -> np.ndarray:
        """The ``int64`` indices of ``epoch`` (default: the current one)."""
        e = self.epoch if epoch is None else check_int("epoch", epoch, 0)
        return balanced_epoch_indices(self.y, self.n_per_epoch, np.random.default_rng([self.seed, e]),
                                      positive_fraction=self.positive_fraction)

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.n_per_epoch
