r"""Heaviside approximations of document 003 (Tsoi et al., NeurIPS 2022), Sec. 3.

The step :math:`H(p, \tau) = \mathbb{1}[p \ge \tau]` (eq. 1) is replaced by the
five-point linear :func:`heaviside_linear` (eq. 5 / supp. eq. 27), the sigmoid
:func:`heaviside_sigmoid` (Sec. 3.1) or a precomputed table of either
(:func:`heaviside_lookup`, supp. Sec. 3). ``tau`` is a scalar in (0, 1) or a
1-D grid ``(T,)``; predictions of any shape are flattened to ``(N,)`` and
evaluated against every threshold at once as a ``(T, N)`` array.
"""

from __future__ import annotations

import functools

import numpy as np

from ..._ops import NUMPY
from ..._validation import (check_choice, check_int,
                            check_scalar, check_thresholds,
                            prepare_probabilities)

__all__ = ["heaviside_linear", "heaviside_sigmoid", "heaviside_lookup", "APPROXIMATIONS"]

APPROXIMATIONS = ("linear", "sigmoid")


def _check_heaviside(approx, delta, k, lookup):
    check_choice("approx", approx, APPROXIMATIONS)
    check_scalar("delta", delta, low=0.0, high=0.5)
    check_scalar("k", k, low=0.0, low_open=True)
    if lookup is not None:
        check_int("lookup", lookup, 1)


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
    t = np.atleast_1d(taus).astype(np.float64)
    c1, c3, s1, s2, s3, _, _ = _linear_coefficients(t, delta)
    a1 = _coef(c1 if grid else c1[0], ops, p, grid, ndim)
    a3 = _coef(c3 if grid else c3[0], ops, p, grid, ndim)
    # eq. (27), three segments. The middle and right segments are written in the
    # algebraically identical forms 0.5 + m2 (p - tau) and 1 - m3 (1 - p) (since
    # b3 = 1 - m3, as delta = m3 (1 - tau - tau_m / 2)): H(tau) = 0.5 and H(1) = 1
    # hold exactly and H never leaves [0, 1] through rounding.
    #
    # Where-free form (issue 10): every segment is "anchor value + slope * (p - anchor
    # point)" -- left (0, 0, m1), middle (tau, 0.5, m2), right (1, 1, m3). The region
    # index r = [p >= a1] + [p > a3] (0, 1, 2) gives the anchor value 0.5 r exactly,
    # and the anchor point and slope are gathered from per-threshold tables of three
    # entries (a gather returns the entries exactly). So the value is bitwise the
    # former `where(x < a1, x m1, where(x > a3, right, mid))` chain (x - 0 = x and
    # x - 1 = -(1 - x) exactly), H(0) = 0, H(tau) = 0.5, H(1) = 1 exactly, and the
    # gradient is the gathered slope alone (index and tables carry none): m1 left of
    # a1, m3 right of a3, m2 on [a1, a3] including both kinks, as before. Autograd
    # records three ops instead of a where chain: torch's `where` on a (T, N) array
    # cost ~8x a multiply per element, forward and backward. ``_direct_where`` keeps
    # the old chain as the reference of the tests.
    r = ops.mask_ge(x, a1) + ops.mask_gt(x, a3)
    anchor_h = 0.5 * r                                          # 0, 0.5, 1
    table_x = np.stack([np.zeros_like(t), t, np.ones_like(t)], axis=1).ravel()   # 0, tau, 1
    table_s = np.stack([s1, s2, s3], axis=1).ravel()                          # m1, m2, m3
    if grid:
        r = r + _coef(3.0 * np.arange(t.size), ops, p, True, ndim)
    idx = ops.as_index(r)
    anchor_x = ops.take(ops.const(table_x, p), idx)
    slope = ops.take(ops.const(table_s, p), idx)
    return anchor_h + slope * (x - anchor_x)


def _direct_where(p, taus, delta):
    """The former `where` chain of eq. (27), NumPy/torch/Keras: reference for the tests only."""
    from ..._ops import get_ops
    ops = get_ops(p)
    grid = taus.ndim == 1
    ndim = len(p.shape)
    x = ops.expand_dims(p, 0) if grid else p
    a1, a3, m1, m2, m3, _, _ = (_coef(v, ops, p, grid, ndim)
                                for v in _linear_coefficients(taus, delta))
    tau_c = _coef(taus, ops, p, grid, ndim)
    mid = 0.5 + m2 * (x - tau_c)
    right = 1.0 - m3 * (1.0 - x)
    return ops.where(x < a1, x * m1, ops.where(x > a3, right, mid))


@functools.lru_cache(maxsize=64)
def _table(approx, taus, param, size):
    """Precomputed H over p = j / size, j = 0..size, for each tau (NumPy, float64).

    Returns the flattened value table (T * (size + 1) + 1,) and the table of
    forward differences (slope per interval); the last entry of both is a NaN
    sentinel, the gather target of a NaN p (:func:`_lookup`).
    """
    t = np.asarray(taus, dtype=np.float64)
    grid_p = np.linspace(0.0, 1.0, size + 1)
    delta, k = (param, 10.0) if approx == "linear" else (0.1, param)
    vals = np.atleast_2d(_direct(grid_p, t, NUMPY, approx, delta, k))       # (T, size + 1)
    slope = np.concatenate([np.diff(vals, axis=-1), np.zeros((vals.shape[0], 1))], axis=-1)
    sentinel = [np.nan]
    # cached: callers must not write to them
    return np.concatenate([vals.ravel(), sentinel]), np.concatenate([slope.ravel(), sentinel])


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
    # a NaN p (value checks off) has no interval: it gathers the NaN sentinel after the
    # tables, so H is NaN, truncated or interpolated (issue 19; a NaN cast to an integer
    # index would be out of range)
    idx = ops.as_index(ops.fill_nan(j, float(len(vals) - 1)))
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
    taus = check_thresholds(tau)
    ops, p = prepare_probabilities(p, "p")
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
    taus = check_thresholds(tau)
    ops, p = prepare_probabilities(p, "p")
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
    size = check_int("size", size)
    if not isinstance(interpolate, bool):
        raise TypeError(f"interpolate must be a bool, got {interpolate!r}")
    taus = check_thresholds(tau)
    ops, p = prepare_probabilities(p, "p")
    return _lookup(p, taus, ops, approx, delta, k, size, interpolate)


