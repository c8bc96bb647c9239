"""Input validation shared by every loss: small steps, clear messages.

Each check raises ``ValueError`` (bad value or shape) or ``TypeError`` (bad
dtype or type) with a message that names the argument, what was expected and
what came. Value checks (NaN, range, label set) need concrete numbers: they run
on NumPy and torch inputs always, and on TensorFlow tensors when executing
eagerly; inside a compiled Keras graph only the static shape and dtype checks
run (values are symbolic there).
"""

from __future__ import annotations

import contextlib
import math
import numbers

from ._ops import get_ops

REDUCTIONS = ("none", "mean", "sum")
# Value checks (NaN, range, label set) read the data back to the host; training
# loops that already trust their inputs can switch them off with
# ``lossfns.value_checks(False)``. Shape and dtype checks always run.
_STATE = {"value_checks": True}
LABEL_SETS = {"01": (0.0, 1.0), "pm1": (-1.0, 1.0)}


@contextlib.contextmanager
def value_checks(enabled: bool = True):
    """Context manager turning the value checks (finite, range, label set) on or off.

    >>> import numpy as np, lossfns
    >>> with lossfns.value_checks(False):
    ...     round(float(lossfns.xtreme_margin(np.array([1.5]), np.array([1.0]))), 4)  # not rejected
    1.3591
    """
    previous = _STATE["value_checks"]
    _STATE["value_checks"] = bool(enabled)
    try:
        yield
    finally:
        _STATE["value_checks"] = previous


def _checking(x, ops) -> bool:
    return _STATE["value_checks"] and ops.eager(x)


def check_reduction(reduction) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def reduce(loss, reduction: str, ops):
    """Apply ``reduction`` ("none" | "mean" | "sum") to an element-wise loss."""
    check_reduction(reduction)
    if reduction == "mean":
        return ops.mean(loss)
    if reduction == "sum":
        return ops.sum(loss)
    return loss


def check_scalar(name: str, value, *, low=None, high=None, low_open=False,
                 high_open=False, integer=False) -> float:
    """Validate a scalar hyper-parameter such as ``lam1`` or ``delta``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if integer and int(value) != value:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lo = "-inf" if low is None else f"{low}"
        hi = "inf" if high is None else f"{high}"
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return int(value) if integer else float(value)


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def _shape(x) -> tuple:
    return tuple(int(d) if d is not None else -1 for d in x.shape)


def as_array(x, name: str, ops, like=None):
    """Convert Python scalars/lists (and NumPy arrays for a torch ``like``)."""
    if x is None:
        raise TypeError(f"{name} must be an array, got None")
    if ops.name == "torch":
        import torch
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(x, device=None if like is None else like.device)
        return x
    if ops.name == "numpy":
        import numpy as np
        return np.asarray(x)
    return ops.asarray(x)


def check_float(x, name: str, ops):
    if not ops.is_floating(x):
        raise TypeError(f"{name} must have a floating-point dtype, got {x.dtype}")
    return x


def check_nonempty(x, name: str):
    if any(d == 0 for d in _shape(x)):
        raise ValueError(f"{name} must not be empty, got shape {_shape(x)}")
    return x


def check_same_shape(a, b, name_a: str, name_b: str):
    if _shape(a) != _shape(b):
        raise ValueError(f"Expected {name_b} of shape {_shape(a)} (the shape of {name_a}), "
                         f"got {_shape(b)}")


def _minmax(x, ops) -> tuple[float, float]:
    """(min, max) of ``x`` in one pass on its own device; NaN propagates into both."""
    if ops.name == "torch":
        import torch
        lo, hi = torch.aminmax(x.detach() if x.dtype != torch.bool else x.detach().to(torch.uint8))
        return lo.item(), hi.item()
    arr = ops.to_numpy(x)
    return arr.min().item(), arr.max().item()


def _not_finite_error(x, name: str, ops):
    import numpy as np
    arr = ops.to_numpy(x)
    bad = ~np.isfinite(arr)
    return ValueError(f"{name} must be finite, found {arr[bad].ravel()[0]} ({int(bad.sum())} "
                      f"non-finite values)")


def check_values(x, name: str, ops, *, finite: bool = True, low: float | None = None,
                 high: float | None = None):
    """Finite and/or within [low, high], from one min/max pass (eager inputs only)."""
    if not _checking(x, ops) or any(d == 0 for d in _shape(x)):
        return x
    import math
    lo, hi = _minmax(x, ops)
    if finite and not (math.isfinite(lo) and math.isfinite(hi)):
        raise _not_finite_error(x, name, ops)
    if low is not None and (lo < low or hi > high):
        raise ValueError(f"{name} must lie in [{low}, {high}] (probabilities; pass "
                         f"from_logits=True for logits), got values in [{lo:.6g}, {hi:.6g}]")
    return x


def check_finite(x, name: str, ops):
    return check_values(x, name, ops, finite=True)


def check_in_range(x, name: str, ops, low: float, high: float):
    return check_values(x, name, ops, finite=False, low=low, high=high)


def check_labels(t, name: str, ops, label_set: str = "01"):
    a, b = LABEL_SETS[check_choice("labels", label_set, LABEL_SETS)]
    if _checking(t, ops):
        if ops.name == "torch":
            bad = (t != a) & (t != b)
            if not bool(bad.any()):
                return t
            arr, bad = ops.to_numpy(t), ops.to_numpy(bad)
        else:
            arr = ops.to_numpy(t)
            bad = (arr != a) & (arr != b)
            if not bad.any():
                return t
        raise ValueError(f"{name} must contain only labels {{{a:g}, {b:g}}}, "
                         f"found {arr[bad].ravel()[0].item()!r}")
    return t


def prepare_binary(y_pred, y_true, *, from_logits: bool = False, label_set: str | None = "01",
                   probabilities: bool = True, true_name: str = "y_true",
                   true_range: tuple | None = None):
    """Validate and format a (prediction, target) pair.

    Returns ``(ops, y_pred, y_true)`` with ``y_true`` cast to ``y_pred``'s dtype.

    * ``y_pred``: floating array of any shape ``(*)``, non-empty, finite; in
      [0, 1] when ``probabilities`` and not ``from_logits``.
    * ``y_true`` (named ``true_name`` in messages): same shape, finite; values in
      the label set (``"01"``: {0, 1}; ``"pm1"``: {-1, 1}; ``None``: any real
      target, e.g. regression) and in ``true_range`` when given (e.g. (0, 1) for
      soft labels); integer and boolean labels are accepted and cast.
    """
    if not isinstance(from_logits, bool):
        raise TypeError(f"from_logits must be a bool, got {from_logits!r}")
    ops = get_ops(y_pred, y_true)
    y_pred = as_array(y_pred, "y_pred", ops)
    y_true = as_array(y_true, true_name, ops, like=y_pred)
    check_float(y_pred, "y_pred", ops)
    check_same_shape(y_pred, y_true, "y_pred", true_name)
    check_nonempty(y_pred, "y_pred")
    if probabilities and not from_logits:
        check_values(y_pred, "y_pred", ops, low=0.0, high=1.0)
    else:
        check_finite(y_pred, "y_pred", ops)
    if ops.is_floating(y_true):
        check_finite(y_true, true_name, ops)
    if label_set is not None:
        check_labels(y_true, true_name, ops, label_set)
    if true_range is not None:
        check_in_range(y_true, true_name, ops, *true_range)
    return ops, y_pred, ops.cast(y_true, y_pred)


# ---------------------------------------------------------------------------------------------
# Arguments that are not arrays: integers, booleans, fractions, axes, threshold grids.
# Every module checks its arguments through these (no private copies).
# ---------------------------------------------------------------------------------------------

def check_int(name: str, value, low: int = 1, *, what: str | None = None,
              type_error: type = TypeError) -> int:
    """An integer argument ``>= low`` (``bool`` is not an integer).

    ``type_error`` (default ``TypeError``) for a non-integer, ``ValueError``
    below ``low``; the message says "``name`` must be ``what``" (default: "an
    integer >= ``low``").

    >>> check_int("epochs", 3)
    3
    >>> check_int("epochs", 0, what="a positive int")
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a positive int, got 0
    """
    what = what or f"an integer >= {low}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise type_error(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def check_positive_int(name: str, value) -> int:
    """``check_int(name, value, 1)`` for counts of the training layer and the protocols
    (epochs, batch sizes, seeds): worded "a positive int", and ``ValueError`` for
    any bad value, a float included (their documented contract)."""
    return check_int(name, value, 1, what="a positive int", type_error=ValueError)


def check_known_keywords(owner: str, given, known, expected=None) -> None:
    """Every keyword in ``given`` is one of ``known``; the error lists ``expected`` (default
    ``known``), e.g. a loss class given a parameter its function does not take."""
    unknown = set(given) - set(known)
    if unknown:
        raise TypeError(f"{owner} got unknown parameter(s) {sorted(unknown)}; "
                        f"expected some of {sorted(known if expected is None else expected)}")


def check_positive(name: str, value) -> float:
    """A real number > 0 (learning rates, momenta denominators...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_fraction(name: str, value) -> float:
    """A real number in the open interval (0, 1) (test fractions, shares)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return float(value)


def check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {value!r}")
    return value


def check_bool_or_choice(name: str, value, choices):
    """``True``, ``False`` or one of the strings ``choices`` (e.g. ``stand_in``: True, False,
    "auto" or "if_missing"). Numbers are refused: 1 would compare equal to True.

    >>> check_bool_or_choice("stand_in", 1, ("auto",))
    Traceback (most recent call last):
    ...
    ValueError: stand_in must be True, False or one of ('auto',), got 1
    """
    if isinstance(value, bool) or (isinstance(value, str) and value in choices):
        return value
    raise ValueError(f"{name} must be True, False or one of {tuple(choices)}, got {value!r}")


def check_existing_path(name: str, value, what: str):
    """A file-system path argument that must exist (a folder or a file); ``what`` says what
    it should be, e.g. "a folder holding 'sonar.all-data', or that file". Returns a ``Path``.

    A path that does not exist is a mistake of the caller (a typo, a wrong working
    directory); a loader must say so rather than read its data from somewhere else.
    """
    import os
    from pathlib import Path
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike) to {what}, got "
                        f"{type(value).__name__} {value!r}")
    path = Path(value)
    if not path.exists():
        raise ValueError(f"{name} must be an existing folder or file ({what}), got {str(value)!r}, "
                         f"which does not exist (resolved: {path.resolve()})")
    return path


def check_rank(x, name: str, min_rank: int, what: str):
    """``x`` has at least ``min_rank`` dimensions (``what`` says what they hold)."""
    if len(_shape(x)) < min_rank:
        raise ValueError(f"{name} must have at least {min_rank} dimension(s) ({what}), "
                         f"got shape {_shape(x)}")
    return x


def check_distribution_values(x, name: str, ops):
    """Entries of a probability distribution lie in [0, 1] (eager inputs only)."""
    if _checking(x, ops):
        arr = ops.to_numpy(x)
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"{name} must lie in [0, 1] (a probability distribution), got values "
                             f"in [{arr.min():.6g}, {arr.max():.6g}]")
    return x


def check_axis(axis, ndim: int):
    """``None``, an int or a tuple of distinct ints, each a valid axis of a rank-``ndim`` array.

    Returns ``None`` or the tuple of non-negative axes.
    """
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, numbers.Integral) and not isinstance(axis, bool) else axis
    try:
        axes = tuple(axes)
    except TypeError:
        raise TypeError(f"axis must be None, an int or a tuple of ints, got {axis!r}") from None
    if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral) for a in axes):
        raise TypeError(f"axis must be None, an int or a non-empty tuple of ints, got {axis!r}")
    norm = tuple(int(a) % ndim if -ndim <= a < ndim else None for a in axes)
    if None in norm or len(set(norm)) != len(norm):
        raise ValueError(f"axis must hold distinct axes of an array of rank {ndim}, got {axis!r}")
    return norm


def check_thresholds(tau, name: str = "tau"):
    """``tau`` as a float64 NumPy array of shape () or (T,), every entry in (0, 1)."""
    import numpy as np
    if isinstance(tau, (bool, np.bool_)) or isinstance(tau, (str, bytes)) or tau is None:
        raise TypeError(f"{name} must be a number in (0, 1) or a 1-D sequence of them, "
                        f"got {type(tau).__name__} {tau!r}")
    try:
        arr = np.array(tau, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be a number in (0, 1) or a 1-D sequence of them, "
                        f"got {type(tau).__name__} {tau!r}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D grid of thresholds, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got {tau!r}")
    bad = ~(np.isfinite(arr) & (arr > 0.0) & (arr < 1.0))
    if bad.any():
        raise ValueError(f"{name} must lie in (0, 1) (open interval), got {float(arr[bad].ravel()[0])!r}")
    return arr


def check_unit_array(name: str, x, low: float = 0.0, high: float = 1.0, open_: bool = False):
    """A float64 NumPy array with every entry in [low, high] (or (low, high) when ``open_``)."""
    import numpy as np
    arr = np.asarray(x, dtype=np.float64)
    bad = ~np.isfinite(arr) | ((arr <= low) | (arr >= high) if open_ else (arr < low) | (arr > high))
    if bad.any():
        iv = f"({low}, {high})" if open_ else f"[{low}, {high}]"
        raise ValueError(f"{name} must lie in {iv}, got {float(arr[bad].ravel()[0])!r}")
    return arr


def prepare_probabilities(p, name: str, ops=None):
    """A floating, non-empty, finite array of probabilities in [0, 1]; returns ``(ops, p)``."""
    ops = ops or get_ops(p)
    p = as_array(p, name, ops)
    check_float(p, name, ops)
    check_nonempty(p, name)
    check_finite(p, name, ops)
    check_in_range(p, name, ops, 0.0, 1.0)
    return ops, p


def check_xy(X, y, *, x_name: str = "X", y_name: str = "y", n_features: int | None = None,
             finite: bool = False):
    """Tabular data: ``X`` of shape (n, d) as float64 and ``y`` of shape (n,) in {0, 1}.

    Returns ``(X, y)`` as NumPy arrays (``y`` keeps its dtype).
    """
    import numpy as np
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{x_name} must be 2-D (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{y_name} must have shape ({X.shape[0]},) (one label per row of "
                         f"{x_name}), got {y.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{x_name} has {X.shape[1]} features, expected {n_features}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{y_name} must contain only 0 and 1")
    if finite and not np.isfinite(X).all():
        raise ValueError(f"{x_name} contains NaN or inf")
    return X, y


def check_binary_scores(y_true, y_prob=None, name: str = "y_prob"):
    """Evaluation inputs: ``y_true`` a non-empty 1-D array in {0, 1} (returned as int) and,
    when given, ``y_prob`` a finite float array of the same shape."""
    import numpy as np
    y_true = np.asarray(y_true)
    if y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true must be a non-empty 1-D array, got shape {y_true.shape}")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must contain only 0 and 1")
    if y_prob is None:
        return y_true.astype(int)
    y_prob = np.asarray(y_prob, dtype=float)
    if y_prob.shape != y_true.shape:
        raise ValueError(f"{name} must have the shape of y_true {y_true.shape}, got {y_prob.shape}")
    if not np.isfinite(y_prob).all():
        raise ValueError(f"{name} contains NaN or inf")
    return y_true.astype(int), y_prob


def check_class_weights(name: str, weights):
    """``None`` or a pair ``(W_n, W_p)`` of positive finite numbers (negative class first), the
    class weights of document 003 supp. Sec. 7.2; returns ``None`` or a tuple of two floats."""
    if weights is None:
        return None
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__") or len(weights) != 2:
        raise TypeError(f"{name} must be None or a pair (W_n, W_p) of positive numbers, "
                        f"got {weights!r}")
    w_n = check_scalar(f"{name}[0] (W_n)", weights[0], low=0.0, low_open=True)
    w_p = check_scalar(f"{name}[1] (W_p)", weights[1], low=0.0, low_open=True)
    return float(w_n), float(w_p)
