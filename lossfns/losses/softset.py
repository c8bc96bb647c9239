r"""Document 003: Tsoi et al., "Bridging the Gap: Unifying the Training and
Evaluation of Neural Network Binary Classifiers" (NeurIPS 2022, with supplement).

Confusion-matrix metrics made differentiable in two steps:

1. a Heaviside approximation :math:`\mathcal{H}(p, \tau)` replaces the step
   :math:`H(p, \tau) = \mathbb{1}[p \ge \tau]` (eq. 1): the five-point linear
   :func:`heaviside_linear` (eq. 5 / supp. eq. 27), the sigmoid
   :func:`heaviside_sigmoid` (Sec. 3.1) or a precomputed table of either
   (:func:`heaviside_lookup`, supp. Sec. 3);
2. soft-set counts :math:`|TP_s|, |FP_s|, |FN_s|, |TN_s|` (eq. 6,
   :func:`soft_confusion`) enter the metric's usual formula; the loss is
   :math:`1 - \text{metric}`.

Thresholds: ``tau`` is a scalar in (0, 1) or a 1-D grid of shape ``(T,)``.
Predictions of any shape are flattened to ``(N,)`` and evaluated against all
thresholds at once as a ``(T, N)`` array (no Python loop over thresholds or
samples); counts and metrics then have shape ``()`` (scalar ``tau``) or
``(T,)`` (grid).

Reductions of the soft-set losses (batch-level, non-decomposable): a metric is
one number per threshold for the whole batch, so there is no per-sample loss.
``reduction="none"`` returns the per-threshold losses (shape ``()`` for a
scalar ``tau``, ``(T,)`` for a grid), ``"mean"`` averages them over the
thresholds and ``"sum"`` adds them; for a scalar ``tau`` all three give the
same scalar. The Keras classes (``lossfns.keras``) call the function with
``reduction="none"`` and Keras' own reduction then averages the ``(T,)``
vector (or sees a scalar), which equals ``"mean"``; ``sample_weight`` has no
meaning for a batch-level loss and must not be passed.

Baselines of the paper's experiments are here too: class-weighted BCE
(supp. Sec. 7.2), the Wilcoxon-Mann-Whitney AUROC surrogate of Yan et al.
(2003), Dice (supp. Tables 7 and 12; also document 002) and random
oversampling (supp. Table 10); plus the theory helpers of supp. Sec. 1
(Lipschitz constants, limits of the soft metrics).

Safe division (torchmetrics' convention): a ratio whose denominator is 0
(e.g. recall in a batch without positives) is 0; values and gradients stay
finite.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from .._ops import NUMPY
from .._validation import (as_array, check_choice, check_finite, check_float, check_in_range,
                           check_labels, check_nonempty, check_reduction, check_scalar, prepare_binary, reduce)
from ._registry import register
from .classification import binary_cross_entropy

__all__ = [
    # Heaviside approximations
    "heaviside_linear", "heaviside_sigmoid", "heaviside_lookup",
    # theory helpers (supp. Sec. 1)
    "linear_heaviside_slopes", "lipschitz_constant", "f1_limit", "accuracy_limit", "auroc_limit",
    # soft confusion matrix and metrics
    "soft_confusion", "soft_accuracy", "soft_f1", "soft_fbeta", "soft_balanced_accuracy",
    "soft_jaccard", "soft_gmean", "soft_auroc",
    # losses
    "soft_accuracy_loss", "soft_f1_loss", "soft_fbeta_loss", "soft_balanced_accuracy_loss",
    "soft_jaccard_loss", "soft_gmean_loss", "soft_auroc_loss",
    # baselines
    "class_weights", "weighted_bce", "wmw_auroc_loss", "dice_loss", "random_oversample",
]

APPROXIMATIONS = ("linear", "sigmoid")
WMW_FORMS = ("polynomial", "sigmoid")


# ============================================================================ validation helpers

def _taus(tau, name: str = "tau") -> np.ndarray:
    """``tau`` as a float64 array of shape () or (T,), every entry in (0, 1)."""
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


def _check_heaviside(approx, delta, k, lookup):
    check_choice("approx", approx, APPROXIMATIONS)
    check_scalar("delta", delta, low=0.0, high=0.5)
    check_scalar("k", k, low=0.0, low_open=True)
    if lookup is not None:
        _check_size("lookup", lookup)


def _check_size(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {low}, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _prepare_probabilities(p, name, ops=None):
    """A floating, non-empty, finite array of probabilities in [0, 1]."""
    from .._ops import get_ops
    ops = ops or get_ops(p)
    p = as_array(p, name, ops)
    check_float(p, name, ops)
    check_nonempty(p, name)
    check_finite(p, name, ops)
    check_in_range(p, name, ops, 0.0, 1.0)
    return ops, p


def _safe_div(num, den, ops):
    """``num / den`` with 0 where ``den == 0`` (finite value and gradient)."""
    nz = den != 0
    return ops.where(nz, num / ops.where(nz, den, ops.ones_like(den)), ops.zeros_like(num))


# ============================================================================ Heaviside approximations

def _linear_coefficients(taus, delta):
    """Breakpoints, slopes and intercepts of eq. (27), elementwise in ``taus`` (NumPy)."""
    tm = np.minimum(taus, 1.0 - taus)                 # eq. (24)
    a1, a3 = taus - tm / 2.0, taus + tm / 2.0          # the points tau -+ tau_m / 2
    m1 = delta / a1
    m2 = (1.0 - 2.0 * delta) / tm
    m3 = delta / (1.0 - a3)
    b2 = 0.5 - m2 * taus
    b3 = 1.0 - delta - m3 * a3
    return a1, a3, m1, m2, m3, b2, b3


def _coef(values, ops, like, grid, ndim):
    """Per-threshold constant: a Python float (scalar tau) or a (T, 1, ..., 1) array."""
    if not grid:
        return float(values)
    return ops.const(np.asarray(values).reshape((-1,) + (1,) * ndim), like)


def _direct(p, taus, ops, approx, delta, k):
    """H(p, tau) by formula; p of ndim d -> shape of p (scalar tau) or (T, *p.shape)."""
    grid = taus.ndim == 1
    ndim = len(p.shape)
    x = ops.expand_dims(p, 0) if grid else p
    if approx == "sigmoid":
        tau_c = _coef(taus, ops, p, grid, ndim)
        return ops.sigmoid(k * (x - tau_c))
    a1, a3, m1, m2, m3, _, _ = (_coef(v, ops, p, grid, ndim)
                                for v in _linear_coefficients(taus, delta))
    tau_c = _coef(taus, ops, p, grid, ndim)
    # eq. (27), three segments; every branch is finite, so `where` needs no guard.
    # The middle and right segments are written in the algebraically identical
    # forms 0.5 + m2 (p - tau) and 1 - m3 (1 - p) (since b3 = 1 - m3, as
    # delta = m3 (1 - tau - tau_m / 2)): H(tau) = 0.5 and H(1) = 1 hold exactly
    # and H never leaves [0, 1] through rounding.
    mid = 0.5 + m2 * (x - tau_c)
    right = 1.0 - m3 * (1.0 - x)
    return ops.where(x < a1, x * m1, ops.where(x > a3, right, mid))


@functools.lru_cache(maxsize=64)
def _table(approx, taus, param, size):
    """Precomputed H over p = j / size, j = 0..size, for each tau (NumPy, float64).

    Returns the flattened value table (T * (size + 1),) and the table of
    forward differences (slope per interval).
    """
    t = np.asarray(taus, dtype=np.float64)
    grid_p = np.linspace(0.0, 1.0, size + 1)
    delta, k = (param, 10.0) if approx == "linear" else (0.1, param)
    vals = np.atleast_2d(_direct(grid_p, t, NUMPY, approx, delta, k))       # (T, size + 1)
    slope = np.concatenate([np.diff(vals, axis=-1), np.zeros((vals.shape[0], 1))], axis=-1)
    return vals.ravel(), slope.ravel()  # cached: callers must not write to them


def _lookup(p, taus, ops, approx, delta, k, size, interpolate=True):
    """H(p, tau) from the table of :func:`_table`: O(1) per element (floor + gather)."""
    grid = taus.ndim == 1
    ndim = len(p.shape)
    x = ops.expand_dims(p, 0) if grid else p
    vals, slope = _table(approx, tuple(np.atleast_1d(taus).tolist()), float(delta if approx == "linear" else k),
                         size)
    u = x * float(size)
    # index of the table interval holding p; p = 1 falls in the last interval
    # (frac = 1) when interpolating and on the last entry when truncating.
    i = ops.clip(ops.floor(u), 0.0, float(size - 1 if interpolate else size))
    j = i
    if grid:
        offsets = np.arange(taus.size, dtype=np.float64) * (size + 1)
        j = i + _coef(offsets, ops, p, True, ndim)
    idx = ops.as_index(j)
    h = ops.take(ops.const(vals, p), idx)
    if interpolate:
        # linear interpolation between neighbouring entries: the gradient w.r.t.
        # p is the table's slope (truncation alone would have zero gradient).
        h = h + ops.take(ops.const(slope, p), idx) * (u - i)
    return h


def _heaviside(p, taus, ops, approx, delta, k, lookup=None):
    if lookup is None:
        return _direct(p, taus, ops, approx, delta, k)
    return _lookup(p, taus, ops, approx, delta, k, lookup)


def heaviside_linear(p, tau=0.5, delta: float = 0.1):
    r"""Five-point linear Heaviside approximation :math:`\mathcal{H}^l` (003 eq. 5 / supp. eq. 27).

    .. math::

        \mathcal{H}^l(p, \tau) = \begin{cases}
            p \cdot m_1 & p < \tau - \frac{\tau_m}{2} \\
            p \cdot m_3 + \bigl(1 - \delta - m_3(\tau + \frac{\tau_m}{2})\bigr) & p > \tau + \frac{\tau_m}{2} \\
            p \cdot m_2 + (0.5 - m_2 \tau) & \text{otherwise}
        \end{cases}

        m_1 = \frac{\delta}{\tau - \frac{\tau_m}{2}}, \quad
        m_2 = \frac{1 - 2\delta}{\tau_m}, \quad
        m_3 = \frac{\delta}{1 - \tau - \frac{\tau_m}{2}}, \quad
        \tau_m = \min\{\tau, 1 - \tau\}

    i.e. the linear interpolation of the points (0, 0),
    :math:`(\tau - \tau_m/2, \delta)`, :math:`(\tau, 0.5)`,
    :math:`(\tau + \tau_m/2, 1 - \delta)`, (1, 1) (supp. eq. 26).

    Range [0, 1] on :math:`p \in [0, 1]`; non-decreasing; :math:`\mathcal{H}^l(\tau, \tau) = 0.5`;
    Lipschitz with constant :math:`M = \max\{m_1, m_2, m_3\}` (supp. Thm 4.1,
    :func:`lipschitz_constant`).

    Gradient: piecewise constant (:math:`m_1, m_2, m_3`) with kinks at
    :math:`\tau \pm \tau_m/2`; autograd takes the middle slope :math:`m_2` at
    the two kinks. :math:`\delta = 0` gives zero gradient on the outer
    segments, :math:`\delta = 0.5` on the middle one (supp. Fig. 4).

    Args:
        p: probabilities in [0, 1], any shape ``(*)``, floating dtype (NumPy,
            torch or Keras/TF).
        tau: threshold in (0, 1), or a 1-D grid of ``T`` thresholds.
        delta: :math:`\delta \in [0, 0.5]`.

    Returns:
        shape ``(*)`` for a scalar ``tau``; ``(T, *)`` for a grid.

    Source: document 003, eq. (5); supplement Sec. 2.2, eq. (23)-(27).

    Example:
        >>> import numpy as np
        >>> heaviside_linear(np.array([0.0, 0.1, 0.25, 0.5, 0.6, 1.0])).round(4)
        array([0.  , 0.04, 0.1 , 0.5 , 0.66, 1.  ])
        >>> heaviside_linear(np.array([0.3, 0.7]), tau=[0.2, 0.8], delta=0.2).round(4)
        array([[0.8   , 0.9143],
               [0.0857, 0.2   ]])
    """
    check_scalar("delta", delta, low=0.0, high=0.5)
    taus = _taus(tau)
    ops, p = _prepare_probabilities(p, "p")
    return _direct(p, taus, ops, "linear", delta, 10.0)


def heaviside_sigmoid(p, tau=0.5, k: float = 10.0):
    r"""Sigmoid Heaviside approximation :math:`\mathcal{H}^s` (003 Sec. 3.1).

    .. math::

        \mathcal{H}^s(k, p, \tau) = \bigl(1 + e^{-k(p - \tau)}\bigr)^{-1}

    Range (0, 1), smooth, increasing, :math:`\mathcal{H}^s(\tau, \tau) = 0.5`,
    Lipschitz with constant :math:`k/4`. Unlike :math:`\mathcal{H}^l` it does
    not reach 0 at :math:`p = 0` nor 1 at :math:`p = 1` (eq. 4 fails, badly
    for small ``k`` or ``tau`` near 0 or 1: supp. Sec. 2.1). Gradient
    :math:`k\,\mathcal{H}^s(1 - \mathcal{H}^s)`, vanishing away from
    :math:`\tau` for large ``k`` (supp. Fig. 3). Evaluated with the backend's
    overflow-free sigmoid.

    Args:
        p: probabilities in [0, 1], any shape ``(*)``, floating dtype.
        tau: threshold in (0, 1), or a 1-D grid of ``T`` thresholds.
        k: slope :math:`k > 0` (paper: 10, searched in {1, 10, 20, 50}).

    Returns:
        shape ``(*)`` for a scalar ``tau``; ``(T, *)`` for a grid.

    Source: document 003, Sec. 3.1; supplement Sec. 2.1.

    Example:
        >>> import numpy as np
        >>> heaviside_sigmoid(np.array([0.0, 0.5, 0.6, 1.0])).round(4)
        array([0.0067, 0.5   , 0.7311, 0.9933])
    """
    check_scalar("k", k, low=0.0, low_open=True)
    taus = _taus(tau)
    ops, p = _prepare_probabilities(p, "p")
    return _direct(p, taus, ops, "sigmoid", 0.1, k)


def heaviside_lookup(p, tau=0.5, *, approx: str = "linear", delta: float = 0.1, k: float = 10.0,
                     size: int = 100, interpolate: bool = True):
    r"""Lookup-table Heaviside approximation (003 supp. Sec. 3).

    The table holds :math:`\mathcal{H}(j/S, \tau)` for :math:`j = 0, \dots, S`
    (``S = size`` intervals; ``size=100`` is the paper's "p truncated to two
    decimal places") and each threshold, computed once in float64 and cached.
    An element costs a floor and one or two gathers, whatever the
    approximation: :math:`i = \lfloor pS \rfloor`, then

    .. math::

        \mathcal{H}_{\text{table}}(p) = T[i] + (T[i+1] - T[i])\,(pS - i)
        \quad (\texttt{interpolate=True}), \qquad T[i] \quad (\texttt{interpolate=False})

    ``interpolate=False`` is the paper's truncation: piecewise constant, so its
    gradient w.r.t. ``p`` is zero almost everywhere and it cannot train a
    network. The default interpolates linearly between table entries, which
    keeps a useful gradient (the slope of the table interval) and error
    :math:`O(1/S^2)` for the sigmoid; for ``approx="linear"`` it is exact when
    :math:`\tau \pm \tau_m/2` lie on the table grid (e.g. ``tau=0.5``,
    ``size=100``) and within :math:`M/S` otherwise.

    Args:
        p: probabilities in [0, 1], any shape ``(*)``, floating dtype.
        tau: threshold in (0, 1), or a 1-D grid of ``T`` thresholds.
        approx: ``"linear"`` (:func:`heaviside_linear`) or ``"sigmoid"``
            (:func:`heaviside_sigmoid`).
        delta: :math:`\delta \in [0, 0.5]` of the linear approximation.
        k: :math:`k > 0` of the sigmoid approximation.
        size: number of table intervals :math:`S \ge 1`.
        interpolate: interpolate between entries (default) or truncate.

    Returns:
        shape ``(*)`` for a scalar ``tau``; ``(T, *)`` for a grid.

    Source: document 003, supplement Sec. 3.

    Example:
        >>> import numpy as np
        >>> p = np.array([0.123, 0.6, 0.987])
        >>> heaviside_lookup(p, approx="sigmoid").round(4)
        array([0.0226, 0.7311, 0.9924])
        >>> heaviside_lookup(p, approx="sigmoid", interpolate=False).round(4)
        array([0.0219, 0.7311, 0.9918])
    """
    _check_heaviside(approx, delta, k, None)
    size = _check_size("size", size)
    if not isinstance(interpolate, bool):
        raise TypeError(f"interpolate must be a bool, got {interpolate!r}")
    taus = _taus(tau)
    ops, p = _prepare_probabilities(p, "p")
    return _lookup(p, taus, ops, approx, delta, k, size, interpolate)


# ============================================================================ theory helpers

def _np_unit(name, x, low=0.0, high=1.0, open_=False):
    arr = np.asarray(x, dtype=np.float64)
    bad = ~np.isfinite(arr) | ((arr <= low) | (arr >= high) if open_ else (arr < low) | (arr > high))
    if bad.any():
        iv = f"({low}, {high})" if open_ else f"[{low}, {high}]"
        raise ValueError(f"{name} must lie in {iv}, got {float(arr[bad].ravel()[0])!r}")
    return arr


def linear_heaviside_slopes(tau, delta: float = 0.1):
    r"""Slopes :math:`(m_1, m_2, m_3)` of :math:`\mathcal{H}^l` (003 eq. 5; supp. Sec. 1.1).

    .. math::

        m_1 = \frac{\delta}{\tau - \frac{\tau_m}{2}}, \quad
        m_2 = \frac{1 - 2\delta}{\tau_m}, \quad
        m_3 = \frac{\delta}{1 - \tau - \frac{\tau_m}{2}}, \quad
        \tau_m = \min\{\tau, 1 - \tau\}

    Args:
        tau: threshold(s) in (0, 1), scalar or array (NumPy).
        delta: :math:`\delta \in [0, 0.5]`.

    Returns:
        three float64 arrays shaped like ``tau``.

    Example:
        >>> [float(m) for m in linear_heaviside_slopes(0.5, 0.1)]
        [0.4, 1.6, 0.4]
    """
    check_scalar("delta", delta, low=0.0, high=0.5)
    t = _np_unit("tau", tau, open_=True)
    _, _, m1, m2, m3, _, _ = _linear_coefficients(t, float(delta))
    return m1, m2, m3


def lipschitz_constant(tau, delta: float = 0.1):
    r"""Lipschitz constant :math:`M = \max\{m_1, m_2, m_3\}` of :math:`\mathcal{H}^l`
    (003 Thm 4.1, supp. Sec. 1.1): :math:`|\mathcal{H}^l(p_1) - \mathcal{H}^l(p_2)|
    \le M |p_1 - p_2|`.

    For :math:`\delta \le 1/3` the middle slope dominates and
    :math:`M = (1 - 2\delta)/\min\{\tau, 1-\tau\}`, which grows without bound
    as :math:`\tau \to 0` or 1.

    Args:
        tau: threshold(s) in (0, 1), scalar or array (NumPy).
        delta: :math:`\delta \in [0, 0.5]`.

    Example:
        >>> lipschitz_constant(np.array([0.1, 0.5, 0.8]), 0.1).round(4)
        array([8. , 1.6, 4. ])
    """
    m1, m2, m3 = linear_heaviside_slopes(tau, delta)
    return np.maximum(np.maximum(m1, m2), m3)


def f1_limit(r, u, v):
    r"""Almost-sure limit of :math:`F_1` and of :math:`F_1^s` as :math:`n \to \infty`
    (003 eq. 10 and 12):

    .. math::

        F_1,\ F_1^s \xrightarrow{\text{a.s.}} \frac{2ru}{r + ru + v - rv}

    for a share :math:`r` of positives, true-positive probability :math:`u` and
    false-positive probability :math:`v`. NumPy, broadcasting; 0 where the
    denominator is 0 (only at :math:`r = 0, v = 0`).

    Example:
        >>> float(f1_limit(0.3, 0.8, 0.1))
        0.7868852459016393
    """
    r, u, v = (_np_unit(n, x) for n, x in (("r", r), ("u", u), ("v", v)))
    num, den = 2.0 * r * u, r + r * u + v - r * v
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


def accuracy_limit(r, u, v):
    r"""Almost-sure limit of Accuracy and of :math:`\text{Accuracy}^s` (003 supp. Sec. 1.2.1):
    :math:`\frac{|TP| + |TN|}{n} \to ru + (1 - r)(1 - v)`.

    Example:
        >>> float(accuracy_limit(0.3, 0.8, 0.1))
        0.87
    """
    r, u, v = (_np_unit(n, x) for n, x in (("r", r), ("u", u), ("v", v)))
    return r * u + (1.0 - r) * (1.0 - v)


def auroc_limit(u, v):
    r"""Almost-sure limit of AUROC and of :math:`\text{AUROC}^s` (003 supp. eq. 20/21):

    .. math::

        \frac{1}{2} \sum_{i=1}^k \bigl(v(\tau_{i-1}) - v(\tau_i)\bigr)\bigl(u(\tau_i) + u(\tau_{i-1})\bigr)

    Args:
        u, v: arrays of :math:`u(\tau_i)` and :math:`v(\tau_i)`, :math:`i = 0..k`,
            along the last axis (NumPy, values in [0, 1]).

    Example:
        >>> float(auroc_limit([1.0, 0.9, 0.0], [1.0, 0.2, 0.0]))
        0.85
    """
    u, v = _np_unit("u", u), _np_unit("v", v)
    if u.shape != v.shape or u.ndim == 0 or u.shape[-1] < 2:
        raise ValueError(f"u and v must have the same shape with at least 2 thresholds on the last "
                         f"axis, got {u.shape} and {v.shape}")
    return 0.5 * np.sum((v[..., :-1] - v[..., 1:]) * (u[..., 1:] + u[..., :-1]), axis=-1)


# ============================================================================ soft confusion matrix

def _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits):
    """Validated soft counts (TP_s, FP_s, FN_s, TN_s) plus ops."""
    _check_heaviside(approx, delta, k, lookup)
    taus = _taus(tau)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        y = ops.sigmoid(y)  # the paper's networks end in a sigmoid; H acts on p in [0, 1]
    y = ops.reshape(y, (-1,))
    t = ops.reshape(t, (-1,))
    h = _heaviside(y, taus, ops, approx, delta, k, lookup)  # (N,) or (T, N)
    nt = 1.0 - t
    # eq. (6) as two matrix-vector products over the batch: |FN_s| = sum_i y_i (1 - H_i)
    # = |P| - |TP_s| and |TN_s| = |N| - |FP_s|, so no other (T, N) array is formed.
    tp = ops.matmul(h, t)
    fp = ops.matmul(h, nt)
    fn = ops.sum(t) - tp
    tn = ops.sum(nt) - fp
    return ops, (tp, fp, fn, tn)


def soft_confusion(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                   k: float = 10.0, lookup: int | None = None, from_logits: bool = False):
    r"""Soft-set confusion matrix :math:`(|TP_s|, |FP_s|, |FN_s|, |TN_s|)` (003 eq. 6).

    .. math::

        |TP_s| = \sum_{i} y_i\, \mathcal{H}(p_i, \tau), \quad
        |FN_s| = \sum_{i} y_i\, \bigl(1 - \mathcal{H}(p_i, \tau)\bigr),

        |FP_s| = \sum_{i} (1 - y_i)\, \mathcal{H}(p_i, \tau), \quad
        |TN_s| = \sum_{i} (1 - y_i)\, \bigl(1 - \mathcal{H}(p_i, \tau)\bigr)

    with :math:`\mathcal{H}` the linear (eq. 5) or sigmoid approximation.
    :math:`|TP_s| + |FN_s|` is the number of positives and
    :math:`|FP_s| + |TN_s|` the number of negatives, for every threshold.
    Each count is Lipschitz in :math:`p` (supp. Thm 4.2).

    Args:
        y_pred: probabilities :math:`p \in [0, 1]` (logits if ``from_logits``:
            a sigmoid is applied first), any shape ``(*)``, all elements pooled.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)``.
        approx: ``"linear"`` (:math:`\mathcal{H}^l`, parameter ``delta``) or
            ``"sigmoid"`` (:math:`\mathcal{H}^s`, parameter ``k``).
        delta: :math:`\delta \in [0, 0.5]`.
        k: :math:`k > 0`.
        lookup: ``None`` (formula) or the number of intervals of an
            interpolated lookup table (:func:`heaviside_lookup`).
        from_logits: ``y_pred`` holds logits.

    Returns:
        ``(tp, fp, fn, tn)``, each of shape ``()`` (scalar ``tau``) or ``(T,)``.

    Source: document 003, eq. (6) (and eq. 2 for the hard counts it softens).

    Example:
        >>> import numpy as np
        >>> tp, fp, fn, tn = soft_confusion(np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0]))
        >>> [round(float(c), 4) for c in (tp, fp, fn, tn)]
        [1.14, 0.7, 0.86, 1.3]
    """
    _, counts = _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits)
    return counts


# ============================================================================ metrics from counts

def _accuracy(c, ops, beta=None):
    tp, fp, fn, tn = c
    return _safe_div(tp + tn, tp + tn + fp + fn, ops)


def _fbeta(c, ops, beta=1.0):
    tp, fp, fn, _ = c
    b2 = beta * beta
    return _safe_div((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn + fp, ops)


def _balanced_accuracy(c, ops, beta=None):
    tp, fp, fn, tn = c
    return 0.5 * (_safe_div(tp, tp + fn, ops) + _safe_div(tn, tn + fp, ops))


def _jaccard(c, ops, beta=None):
    tp, fp, fn, _ = c
    return _safe_div(tp, tp + fp + fn, ops)


def _gmean(c, ops, beta=None):
    tp, fp, fn, tn = c
    x = _safe_div(tp, tp + fn, ops) * _safe_div(tn, tn + fp, ops)
    # sqrt'(0) is infinite: feed the untaken branch 1 and take 0 (a subgradient) at x = 0.
    pos = x > 0
    return ops.where(pos, ops.sqrt(ops.where(pos, x, ops.ones_like(x))), ops.zeros_like(x))


_METRICS = {"accuracy": _accuracy, "fbeta": _fbeta, "balanced_accuracy": _balanced_accuracy,
            "jaccard": _jaccard, "gmean": _gmean}


def _metric(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta=1.0):
    ops, counts = _soft_counts(y_pred, y_true, tau, approx, delta, k, lookup, from_logits)
    return ops, _METRICS[which](counts, ops, beta)


_METRIC_ARGS = """
    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``, pooled.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)``.
        approx: ``"linear"`` or ``"sigmoid"``; ``delta`` / ``k`` their parameters.
        lookup: ``None`` or the size of an interpolated lookup table.
        from_logits: ``y_pred`` holds logits.

    Returns:
        shape ``()`` (scalar ``tau``) or ``(T,)``; values in [0, 1].
"""


def soft_accuracy(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
                  from_logits=False):
    r"""Soft-set accuracy :math:`\frac{|TP_s| + |TN_s|}{|TP_s| + |TN_s| + |FP_s| + |FN_s|}`
    (003 eq. 3 on eq. 6). See :func:`soft_accuracy_loss`."""
    return _metric("accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_f1(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
            from_logits=False):
    r"""Soft-set :math:`F_1^s = \frac{2|TP_s|}{2|TP_s| + |FP_s| + |FN_s|}` (003 eq. 8).
    See :func:`soft_f1_loss`."""
    return _metric("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, 1.0)[1]


def soft_fbeta(y_pred, y_true, *, beta=1.0, tau=0.5, approx="linear", delta=0.1, k=10.0,
               lookup=None, from_logits=False):
    r"""Soft-set :math:`F_\beta^s = \frac{(1+\beta^2)|TP_s|}{(1+\beta^2)|TP_s| + \beta^2|FN_s| + |FP_s|}`
    (003 Sec. 2). See :func:`soft_fbeta_loss`."""
    beta = check_scalar("beta", beta, low=0.0)
    return _metric("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta)[1]


def soft_balanced_accuracy(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0,
                           lookup=None, from_logits=False):
    r"""Soft-set balanced accuracy :math:`\frac12\bigl(\frac{|TP_s|}{|TP_s|+|FN_s|} +
    \frac{|TN_s|}{|TN_s|+|FP_s|}\bigr)`. See :func:`soft_balanced_accuracy_loss`."""
    return _metric("balanced_accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_jaccard(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
                 from_logits=False):
    r"""Soft-set Jaccard index :math:`\frac{|TP_s|}{|TP_s| + |FP_s| + |FN_s|}`.
    See :func:`soft_jaccard_loss`."""
    return _metric("jaccard", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


def soft_gmean(y_pred, y_true, *, tau=0.5, approx="linear", delta=0.1, k=10.0, lookup=None,
               from_logits=False):
    r"""Soft-set G-mean :math:`\sqrt{\text{TPR}_s \cdot \text{TNR}_s}`. See :func:`soft_gmean_loss`."""
    return _metric("gmean", y_pred, y_true, tau, approx, delta, k, lookup, from_logits)[1]


for _f in (soft_accuracy, soft_f1, soft_fbeta, soft_balanced_accuracy, soft_jaccard, soft_gmean):
    _f.__doc__ += "\n" + _METRIC_ARGS


def _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits):
    n = _check_size("n_intervals", n_intervals, low=2)
    taus = np.arange(1, n, dtype=np.float64) / n            # interior thresholds tau_1..tau_{k-1}
    ops, (tp, fp, fn, tn) = _soft_counts(y_pred, y_true, taus, approx, delta, k, lookup, from_logits)
    tpr = _safe_div(tp, tp + fn, ops)
    fpr = _safe_div(fp, fp + tn, ops)
    one, zero = ops.ones_like(tpr[:1]), ops.zeros_like(tpr[:1])
    # boundary conditions of supp. Sec. 1.2.2: TPR(0) = FPR(0) = 1, TPR(1) = FPR(1) = 0
    tpr = ops.concatenate([one, tpr, zero], axis=0)
    fpr = ops.concatenate([one, fpr, zero], axis=0)
    return ops, 0.5 * ops.sum((fpr[:-1] - fpr[1:]) * (tpr[1:] + tpr[:-1]))


def soft_auroc(y_pred, y_true, *, n_intervals: int = 10, approx="linear", delta=0.1, k=10.0,
               lookup=None, from_logits=False):
    r"""Soft-set AUROC by the trapezoidal rule over :math:`\tau_i = i/k` (003 supp. eq. 18, 21).
    A scalar in [0, 1]. See :func:`soft_auroc_loss` for the formula and the reading."""
    return _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits)[1]


# ============================================================================ soft-set losses

_LOSS_DOC = r"""
    Reductions (batch-level loss): ``"none"`` returns one loss per threshold
    (shape ``()`` for a scalar ``tau``, ``(T,)`` for a grid), ``"mean"`` their
    average, ``"sum"`` their sum; with a scalar ``tau`` all three are the same
    scalar. All elements of ``y_pred`` are pooled into one soft confusion
    matrix (the paper's mini-batch estimate, Sec. 3.2).

    Gradient: through :math:`\mathcal{H}` (piecewise constant slopes with kinks
    at :math:`\tau \pm \tau_m/2` for the linear approximation; smooth for the
    sigmoid) and the quotient; ratios with a zero denominator are 0 (safe
    division) with zero gradient.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``: a sigmoid is
            applied first), any shape ``(*)``, floating dtype.
        y_true: labels in {0, 1}, same shape.
        tau: threshold in (0, 1) or a 1-D grid ``(T,)`` (paper: 0.5); give a
            grid as a list or tuple when the Keras class must serialise it.
        approx: ``"linear"`` (:func:`heaviside_linear`, paper's Table 1) or
            ``"sigmoid"`` (:func:`heaviside_sigmoid`, Table 4).
        delta: :math:`\delta \in [0, 0.5]` of the linear approximation (paper: 0.1).
        k: :math:`k > 0` of the sigmoid approximation (paper: 10).
        lookup: ``None`` (formula) or the number of intervals of an
            interpolated lookup table (supp. Sec. 3, :func:`heaviside_lookup`).
        from_logits: ``y_pred`` holds logits.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` over thresholds (see above).
"""


def _loss_doc(fn):
    """Insert the shared reduction/argument text at the ``@LOSS_ARGS@`` marker of ``fn.__doc__``."""
    fn.__doc__ = fn.__doc__.replace("    @LOSS_ARGS@", _LOSS_DOC.strip("\n"))
    return fn


def _loss(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, beta=1.0):
    check_reduction(reduction)
    ops, m = _metric(which, y_pred, y_true, tau, approx, delta, k, lookup, from_logits, beta)
    return reduce(1.0 - m, reduction, ops)


@register("003 eq. (3), (5), (6)",
          class_name="SoftAccuracyLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_accuracy_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                       k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                       reduction: str = "mean"):
    r"""Accuracy loss over soft sets, :math:`1 - \text{Accuracy}^s` (003 "Accuracy*").

    .. math::

        L = 1 - \frac{|TP_s| + |TN_s|}{|TP_s| + |TN_s| + |FP_s| + |FN_s|}

    with the soft counts of eq. (6) (:func:`soft_confusion`). Range [0, 1].
    The denominator is the number of elements, so :math:`L` is the mean of
    :math:`y_i (1 - \mathcal{H}(p_i)) + (1 - y_i)\mathcal{H}(p_i)`.

    Source: document 003, eq. (3) and (6); Tables 1, 4, 5, 9, 11.
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_accuracy_loss(p, y).round(4))
        0.39
        >>> soft_accuracy_loss(p, y, tau=[0.25, 0.5], reduction="none").round(4)
        array([0.343, 0.39 ])
    """
    return _loss("accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction)


@register("003 eq. (3), (6), (8)",
          class_name="SoftF1Loss", tags=("bounded", "batch"))
@_loss_doc
def soft_f1_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                 k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                 reduction: str = "mean"):
    r"""F1 loss over soft sets, :math:`1 - F_1^s` (003 "F1*").

    .. math::

        L = 1 - F_1^s = 1 - \frac{2|TP_s|}{2|TP_s| + |FP_s| + |FN_s|}
          = 1 - \frac{2 \sum_i y_i \hat y_i^{\mathcal{H}}}{\sum_i (y_i + \hat y_i^{\mathcal{H}})}

    (eq. 8; the harmonic mean of soft precision :math:`|TP_s|/(|TP_s|+|FP_s|)`
    and soft recall, written with counts so that it stays defined when
    :math:`|TP_s| = 0`). Range [0, 1]; 1 (safe division) when the batch has no
    positives and :math:`\mathcal{H} = 0` everywhere.

    Source: document 003, eq. (3), (6), (8); Tables 1-6, 9, 11.
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_f1_loss(p, y).round(4))
        0.4062
    """
    return _loss("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, 1.0)


@register("003 Sec. 2 (F-beta), eq. (6); Tables 3, 6",
          class_name="SoftFBetaLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_fbeta_loss(y_pred, y_true, *, beta: float = 1.0, tau=0.5, approx: str = "linear",
                    delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                    from_logits: bool = False, reduction: str = "mean"):
    r"""F-beta loss over soft sets, :math:`1 - F_\beta^s` (003 "F2*", "F3*").

    .. math::

        F_\beta = (1 + \beta^2)\frac{\text{precision}\cdot\text{recall}}{\beta^2\,\text{precision}
        + \text{recall}}, \qquad
        L = 1 - \frac{(1+\beta^2)|TP_s|}{(1+\beta^2)|TP_s| + \beta^2|FN_s| + |FP_s|}

    (the same quotient written with counts). :math:`\beta \ge 0`: recall counts
    :math:`\beta` times as much as precision; :math:`\beta = 1` is
    :func:`soft_f1_loss`, :math:`\beta = 0` is :math:`1 -` soft precision.
    Range [0, 1].

    Source: document 003, Sec. 2 (F-beta) and eq. (6); Tables 3 and 6.
    @LOSS_ARGS@
        beta: :math:`\beta \ge 0` (paper: 1, 2, 3).

    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_fbeta_loss(p, y, beta=2.0).round(4))
        0.4207
    """
    beta = check_scalar("beta", beta, low=0.0)
    return _loss("fbeta", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction, beta)


@register("003 Sec. 4.1 (balanced accuracy), eq. (6)",
          class_name="SoftBalancedAccuracyLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_balanced_accuracy_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear",
                                delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                                from_logits: bool = False, reduction: str = "mean"):
    r"""Balanced-accuracy loss over soft sets (003 Sec. 4.1 lists balanced accuracy).

    .. math::

        L = 1 - \frac{1}{2}\left(\frac{|TP_s|}{|TP_s| + |FN_s|} + \frac{|TN_s|}{|TN_s| + |FP_s|}\right)

    Range [0, 1]. A batch without positives (or negatives) contributes 0 for
    that rate (safe division), so it should hold both classes.

    Source: document 003, Sec. 4.1 and eq. (6) (metric list after [8]).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_balanced_accuracy_loss(p, y).round(4))
        0.39
    """
    return _loss("balanced_accuracy", y_pred, y_true, tau, approx, delta, k, lookup, from_logits,
                 reduction)


@register("003 Sec. 4.1 (Jaccard), eq. (6)",
          class_name="SoftJaccardLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_jaccard_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                      k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                      reduction: str = "mean"):
    r"""Jaccard (intersection-over-union) loss over soft sets.

    .. math::

        L = 1 - \frac{|TP_s|}{|TP_s| + |FP_s| + |FN_s|}

    Range [0, 1]. Note :math:`J = F_1/(2 - F_1)` holds for soft counts too.

    Source: document 003, Sec. 4.1 and eq. (6).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_jaccard_loss(p, y).round(4))
        0.5778
    """
    return _loss("jaccard", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction)


@register("003 Sec. 4.1 (G-mean), eq. (6)",
          class_name="SoftGMeanLoss", tags=("bounded", "batch"))
@_loss_doc
def soft_gmean_loss(y_pred, y_true, *, tau=0.5, approx: str = "linear", delta: float = 0.1,
                    k: float = 10.0, lookup: int | None = None, from_logits: bool = False,
                    reduction: str = "mean"):
    r"""Geometric-mean loss over soft sets.

    .. math::

        L = 1 - \sqrt{\frac{|TP_s|}{|TP_s| + |FN_s|}\cdot\frac{|TN_s|}{|TN_s| + |FP_s|}}

    Range [0, 1]. The square root has an infinite derivative at 0; there the
    loss returns the subgradient 0 (guarded ``where``), so a batch where one
    soft rate is exactly 0 gives no gradient through this term.

    Source: document 003, Sec. 4.1 and eq. (6).
    @LOSS_ARGS@
    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_gmean_loss(p, y).round(4))
        0.3913
    """
    return _loss("gmean", y_pred, y_true, tau, approx, delta, k, lookup, from_logits, reduction)


@register("003 supp. Sec. 1.2.2, eq. (18), (21)",
          class_name="SoftAUROCLoss", tags=("bounded", "batch"))
def soft_auroc_loss(y_pred, y_true, *, n_intervals: int = 10, approx: str = "linear",
                    delta: float = 0.1, k: float = 10.0, lookup: int | None = None,
                    from_logits: bool = False, reduction: str = "mean"):
    r"""AUROC loss over soft sets, :math:`1 - \text{AUROC}^s` (003 "AUROC*").

    .. math::

        \text{AUROC}^s = \frac{1}{2} \sum_{i=1}^{K} \bigl(\text{FPR}^s(\tau_{i-1}) - \text{FPR}^s(\tau_i)\bigr)
                          \bigl(\text{TPR}^s(\tau_i) + \text{TPR}^s(\tau_{i-1})\bigr),
        \qquad \tau_i = \frac{i}{K}

        \text{TPR}^s(\tau) = \frac{|TP_s(\tau)|}{|TP_s(\tau)| + |FN_s(\tau)|}, \quad
        \text{FPR}^s(\tau) = \frac{|FP_s(\tau)|}{|FP_s(\tau)| + |TN_s(\tau)|}

    (the trapezoidal rule of supp. eq. 18 on soft rates, eq. 21), :math:`K`
    = ``n_intervals`` (the supplement's :math:`k`, renamed so as not to clash
    with the sigmoid slope ``k``).

    Reading (ambiguity register): neither approximation is defined as a step
    at :math:`\tau_0 = 0` and :math:`\tau_K = 1` (the linear one divides by
    :math:`\tau_m = 0`; the sigmoid one gives :math:`\mathcal{H}^s(p, 0) \ge
    0.5`), so the end points use the boundary conditions the supplement states,
    :math:`\text{TPR}(0) = \text{FPR}(0) = 1` and :math:`\text{TPR}(1) =
    \text{FPR}(1) = 0`; only the interior thresholds :math:`\tau_1 .. \tau_{K-1}`
    are soft. The default :math:`K = 10` makes them the evaluation thresholds
    0.1, ..., 0.9 of the paper (the paper does not state its :math:`k`).

    Range [0, 1] (a batch needs both classes; otherwise a rate is 0 by safe
    division and the value is meaningless). A batch-level scalar: every
    ``reduction`` returns it unchanged. Gradient: through the soft rates at the
    interior thresholds.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``.
        y_true: labels in {0, 1}, same shape.
        n_intervals: :math:`K \ge 2`, number of threshold intervals.
        approx, delta, k, lookup, from_logits: as in :func:`soft_f1_loss`.
        reduction: ``"none"``, ``"mean"`` or ``"sum"`` (all give the scalar).

    Source: document 003, supplement Sec. 1.2.2, eq. (18) and (21); Tables 1, 4.

    Example:
        >>> import numpy as np
        >>> p, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(soft_auroc_loss(p, y).round(4))
        0.2658
        >>> float(soft_auroc_loss(p, y, n_intervals=2).round(4))
        0.39
    """
    check_reduction(reduction)
    ops, auc = _auroc(y_pred, y_true, n_intervals, approx, delta, k, lookup, from_logits)
    return reduce(1.0 - auc, reduction, ops)


# ============================================================================ baselines

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
    from .._ops import get_ops
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


def _check_weights(weights):
    if weights is None:
        return None
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__") or len(weights) != 2:
        raise TypeError(f"weights must be None or a pair (W_n, W_p) of positive numbers, "
                        f"got {weights!r}")
    w_n = check_scalar("weights[0] (W_n)", weights[0], low=0.0, low_open=True)
    w_p = check_scalar("weights[1] (W_p)", weights[1], low=0.0, low_open=True)
    return w_n, w_p


@register("003 supp. Sec. 7.2 (Tables 8, 9)",
          class_name="WeightedBCELoss", tags=("convex",))
def weighted_bce(y_pred, y_true, *, weights=None, from_logits: bool = False,
                 eps: float | None = None, reduction: str = "mean"):
    r"""Class-weighted binary cross-entropy, the weighted baseline of 003 supp. Sec. 7.2.

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
    w = _check_weights(weights)
    ops, y, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    bce = binary_cross_entropy(y, t, from_logits=from_logits, eps=eps, reduction="none")
    if w is None:
        n_pos = ops.sum(t)
        n_all = ops.sum(ops.ones_like(t))
        w_p = _safe_div(n_all, 2.0 * n_pos, ops)
        w_n = _safe_div(n_all, 2.0 * (n_all - n_pos), ops)
    else:
        w_n, w_p = w
    return reduce((t * w_p + (1.0 - t) * w_n) * bce, reduction, ops)


@register("003 baseline [40]: Yan et al. (2003), WMW statistic", keras=False,
          class_name="WMWAUROCLoss", tags=("batch", "pairwise"))
def wmw_auroc_loss(y_pred, y_true, *, form: str = "polynomial", gamma: float = 0.3, p: float = 2.0,
                   beta: float = 10.0, from_logits: bool = False, reduction: str = "mean"):
    r"""Wilcoxon-Mann-Whitney AUROC surrogate of Yan et al. (2003), the "AUROC‡" baseline of 003.

    Over all pairs of a positive :math:`x_i` and a negative :math:`x_j`
    (:math:`d_{ij} = x_i - x_j`), ``form="polynomial"`` (Yan et al.'s eq.):

    .. math::

        R(x_i, x_j) = \begin{cases} \bigl(-(x_i - x_j - \gamma)\bigr)^{p} & x_i - x_j < \gamma \\
                                    0 & \text{otherwise} \end{cases},
        \qquad 0 < \gamma \le 1,\ p > 1

    and ``form="sigmoid"``, one minus the sigmoid-smoothed WMW statistic:

    .. math::

        R(x_i, x_j) = 1 - \sigma\bigl(\beta (x_i - x_j)\bigr) = \sigma\bigl(-\beta (x_i - x_j)\bigr)

    so that ``"mean"`` gives :math:`1 - \frac{1}{|P||N|}\sum_{i,j}\sigma(\beta d_{ij})`
    (1 - soft AUROC). ``"sum"`` is Yan et al.'s unnormalised sum over pairs;
    ``"mean"`` divides by the number of positive-negative pairs (0 when the
    batch lacks a class); ``"none"`` returns the ``(N, N)`` matrix of pair
    terms (row: positive :math:`i`, column: negative :math:`j`; zero for the
    other pairs), N the number of elements. Memory is :math:`O(N^2)`.

    Pairs are positives against negatives as in Yan et al. (the authors'
    released code compares positives with positives: a known defect, see
    ``shared/datasets/README.md``; not reproduced here). :math:`x` are the
    network's probabilities (sigmoid outputs; ``from_logits`` applies the
    sigmoid first), the scale on which :math:`\gamma \le 1` is meaningful.

    Range :math:`[0, (1+\gamma)^p]` per pair (polynomial), (0, 1) (sigmoid).
    Gradient: the polynomial form is :math:`C^1` at :math:`d = \gamma` for
    :math:`p > 1` (derivative :math:`-p(\gamma - d)^{p-1}` vanishing there).

    Not registered for Keras: Keras' reduction would average the
    ``(N, N)`` pair matrix over all :math:`N^2` entries, not over the pairs.

    Args:
        y_pred: probabilities in [0, 1] (logits if ``from_logits``), any shape ``(*)``, pooled.
        y_true: labels in {0, 1}, same shape.
        form: ``"polynomial"`` or ``"sigmoid"``.
        gamma: margin :math:`0 < \gamma \le 1` (Yan et al.: 0.1 to 0.7).
        p: exponent :math:`p > 1` (Yan et al.: 2 or 3).
        beta: slope :math:`\beta > 0` of the sigmoid form.
        from_logits: ``y_pred`` holds logits.
        reduction: ``"none"`` (``(N, N)``), ``"mean"`` (over pairs) or ``"sum"``.

    Source: L. Yan, R. Dodier, M. Mozer, R. Wolniewicz, "Optimizing classifier
    performance via an approximation to the Wilcoxon-Mann-Whitney statistic",
    ICML 2003 (document 003, ref. [40], Tables 1 and 4 line 5).

    Example:
        >>> import numpy as np
        >>> x, y = np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0])
        >>> float(wmw_auroc_loss(x, y, reduction="sum").round(4))
        0.37
        >>> float(wmw_auroc_loss(x, y, form="sigmoid", beta=1.0).round(4))
        0.44
    """
    check_reduction(reduction)
    check_choice("form", form, WMW_FORMS)
    gamma = check_scalar("gamma", gamma, low=0.0, high=1.0, low_open=True)
    p = check_scalar("p", p, low=1.0, low_open=True)
    beta = check_scalar("beta", beta, low=0.0, low_open=True)
    ops, x, t = prepare_binary(y_pred, y_true, from_logits=from_logits)
    if from_logits:
        x = ops.sigmoid(x)
    x, t = ops.reshape(x, (-1,)), ops.reshape(t, (-1,))
    d = ops.expand_dims(x, 1) - ops.expand_dims(x, 0)              # d[i, j] = x_i - x_j
    pairs = ops.expand_dims(t, 1) * ops.expand_dims(1.0 - t, 0)   # i positive, j negative
    if form == "polynomial":
        active = d < gamma
        # guard: the untaken branch gets base 0 (finite power and gradient for p > 1)
        base = ops.where(active, gamma - d, ops.zeros_like(d))
        r = base ** p
    else:
        r = ops.sigmoid(-beta * d)
    terms = pairs * r
    if reduction == "none":
        return terms
    total = ops.sum(terms)
    if reduction == "sum":
        return total
    return _safe_div(total, ops.sum(pairs), ops)


def _check_axis(axis, ndim):
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


@register("002 sec. Dice Loss; 003 supp. Tables 7, 12 (DICE, DICE^s) [25]",
          class_name="DiceLoss", tags=("bounded", "batch"))
def dice_loss(y_pred, y_true, *, from_logits: bool = False, squared: bool = False,
              smooth: float = 0.0, eps: float = 1e-7, axis=None, reduction: str = "mean"):
    r"""Soft Dice loss (document 002 "Dice Loss"; document 003 supp. Tables 7 and 12).

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
    axes = _check_axis(axis, len(y.shape))
    if from_logits:
        y = ops.sigmoid(y)

    def total(z):
        return ops.sum(z) if axes is None else ops.sum(z, axis=axes)

    inter = total(y * t)
    den = (total(y * y) + total(t * t)) if squared else (total(y) + total(t))
    dsc = _safe_div(2.0 * inter + smooth, den + (smooth + eps), ops)
    return reduce(1.0 - dsc, reduction, ops)


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
