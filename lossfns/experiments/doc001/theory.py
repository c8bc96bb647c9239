r"""Document 001 (Phuong & Zung, "On the dynamics of loss functions"): the toy model of Sec. 4.

:func:`phi_sqrt` and :func:`phi_arctan` (the two sharpness functions),
:func:`toy_gain`, :func:`toy_G` and :func:`toy_G_derivative_closed_form`
(Proposition 4.1). Plain functions on any backend (autograd checks the closed
form). The losses of the document are in :mod:`lossfns.losses.polynomial`.
"""

from __future__ import annotations

import math

import numpy as np

from ..._ops import get_ops
from ..._validation import as_array, check_choice, check_finite, check_scalar

__all__ = ["phi_sqrt", "phi_arctan", "toy_gain", "toy_G", "toy_G_derivative_closed_form"]



def phi_sqrt(x, eps: float):
    r""":math:`\phi(x) = x / \sqrt{x^2 + \epsilon}` (001 Sec. 4); :math:`\epsilon > 0` is the sharpness.

    Increasing, odd, :math:`\phi(\pm\infty) = \pm 1`; :math:`\phi'(0) = 1/\sqrt\epsilon`.

    >>> phi_sqrt(np.array([-1.0, 0.0, 1.0]), 0.01).round(6)
    array([-0.995037,  0.      ,  0.995037])
    """
    check_scalar("eps", eps, low=0.0, low_open=True)
    ops = get_ops(x)
    x = as_array(x, "x", ops)
    return x / ops.sqrt(ops.square(x) + eps)


def phi_arctan(x):
    r""":math:`\phi(x) = \frac{2}{\pi}\arctan(x)` (001 Sec. 4).

    >>> phi_arctan(np.array([-1.0, 0.0, 1.0]))
    array([-0.5,  0. ,  0.5])
    """
    ops = get_ops(x)
    x = as_array(x, "x", ops)
    return (2.0 / math.pi) * ops.arctan(x)


def _resolve_phi(phi, eps):
    if callable(phi):
        return phi
    check_choice("phi", phi, ("arctan", "sqrt"))
    if phi == "sqrt":
        check_scalar("eps", eps, low=0.0, low_open=True)
        return lambda x: phi_sqrt(x, eps)
    return phi_arctan


def _theta_array(theta):
    """theta as a floating array of its backend (integers are cast to float64)."""
    ops = get_ops(theta)
    th = as_array(theta, "theta", ops)
    if not ops.is_floating(th):
        th = ops.cast(th, ops.asarray(np.zeros((), dtype=np.float64)))
    check_finite(th, "theta", ops)
    return ops, th


def toy_gain(theta, w, phi="arctan", *, eps: float = 0.01):
    r"""Point-wise gain of the toy model, 001 Sec. 4: :math:`g(\theta, w) = \prod_i (-\phi(w - \theta_i))`.

    For one parameter (:math:`n = 1`) this is :math:`-\phi(w - \theta)`,
    positive for :math:`w < \theta` (predicted class 1) and negative beyond.
    Reading (ambiguity register): SPEC writes :math:`-\prod_i \phi(w-\theta_i)`,
    equal to the paper's :math:`\prod_i(-\phi)` only for odd :math:`n`; we
    follow the paper, whose sign makes :math:`g(a_1..a_n, \cdot)` positive on
    :math:`\Omega_+ = \cup [a_{2i}, a_{2i+1}[` for every :math:`n`.

    Args:
        theta: parameters, shape ``()`` (n = 1) or ``(..., n)`` (last axis: the n
            parameters of one model; leading axes: a batch of models).
        w: points of :math:`\Omega = [a, b]`, shape ``(m,)``.
        phi: ``"arctan"`` (:func:`phi_arctan`), ``"sqrt"`` (:func:`phi_sqrt`
            with ``eps``) or a callable.
        eps: sharpness of ``"sqrt"``.

    Returns:
        shape ``(..., m)`` (``(m,)`` for scalar ``theta``).

    >>> toy_gain(0.0, np.array([-1.0, 0.0, 1.0])).round(6)
    array([ 0.5, -0. , -0.5])
    >>> toy_gain(np.array([-1.0, 1.0]), np.array([-2.0, 0.0, 2.0])).round(6)
    array([ 0.397584, -0.25    ,  0.397584])
    """
    phi = _resolve_phi(phi, eps)
    ops, th = _theta_array(theta)
    w = ops.cast(as_array(w, "w", ops, like=th), th)
    if len(th.shape) == 0:
        return -phi(w - th)
    diff = ops.expand_dims(w, 0) - ops.expand_dims(th, -1)      # (..., n, m)
    return ops.prod(-phi(diff), axis=-2)


def _ground_truth_segments(a, b, y_true):
    """Breakpoints a = a_0 < a_1 < ... < a_{n+1} = b (y_true = 1 on even segments)."""
    pts = np.atleast_1d(np.asarray(y_true, dtype=np.float64))
    if pts.ndim != 1:
        raise ValueError(f"y_true must be a callable or the breakpoints a_1 < ... < a_n (1-D), "
                         f"got shape {pts.shape}")
    edges = np.concatenate([[a], pts, [b]])
    if not np.all(np.diff(edges) > 0):
        raise ValueError(f"y_true breakpoints must satisfy a < a_1 < ... < a_n < b, got "
                         f"a={a}, breakpoints={pts.tolist()}, b={b}")
    return edges


_GL_ORDER = 8
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_GL_ORDER)


def toy_G(theta, a: float, b: float, y_true, phi="arctan", *, eps: float = 0.01,
          n_grid: int = 2000, signed: bool = True):
    r"""Total gain of the toy model, 001 Sec. 4, by numerical integration.

    .. math::

        G(\theta) = \int_a^b \bigl(2\,y_{true}(w) - 1\bigr)\, g(\theta, w)\, dw

    Reading (ambiguity register): the paper writes
    :math:`G(\theta) = \int_a^b g(\theta, \omega)\, d\omega` without the
    labels, but then states
    :math:`dG/d\theta = -\phi(b-\theta) - \phi(a-\theta) + 2\phi(a_1-\theta)`
    for :math:`n = 1`, :math:`y_{true} = 1` on :math:`[a, a_1[`. That
    derivative (and Prop. 4.1) holds only with the label sign
    :math:`2y_{true} - 1` inside the integral (the gain counts +g on
    :math:`\Omega_+`, -g on :math:`\Omega_-`); the literal integral has
    derivative :math:`\phi(b-\theta) - \phi(a-\theta)`. ``signed=False``
    computes the literal reading.

    Quadrature: composite 8-point Gauss-Legendre with about ``n_grid`` nodes
    (equal panels) on each interval between consecutive breakpoints, where
    the integrand is smooth (error far below 1e-10 for ``arctan``; ``sqrt``
    with small ``eps`` needs panels narrower than :math:`\sqrt\epsilon`).
    With a callable ``y_true`` the labels' jumps are not known: the same rule
    on [a, b], first-order accurate at the jumps.

    Args:
        theta: parameters, shape ``()`` (one model, n = 1) or ``(..., n)``: the
            last axis holds the n parameters of one model, leading axes are a
            batch of models (a grid of one-parameter models is ``theta[:, None]``).
            Torch tensors keep autograd (``G`` is differentiable in ``theta``).
        a, b: the input space :math:`\Omega = [a, b]`, ``a < b``.
        y_true: the breakpoints :math:`a_1 < \dots < a_n` in ``(a, b)`` (a
            float for one), with :math:`y_{true} = 1` on
            :math:`[a_{2i}, a_{2i+1}[`; or a callable mapping a NumPy array of
            points to labels in {0, 1}.
        phi: ``"arctan"``, ``"sqrt"`` (with ``eps``) or a callable.
        eps: sharpness of ``"sqrt"``.
        n_grid: quadrature nodes per interval (>= 2; rounded up to a multiple of 8).
        signed: include the label sign :math:`2y_{true} - 1` (default).

    Returns:
        ``G`` of shape ``theta.shape[:-1]`` (``()`` for scalar ``theta``).

    Example:
        >>> round(float(toy_G(0.0, -1.0, 1.0, 0.0)), 6)   # balanced, theta = a_1: 1 - (2/pi) ln 2
        0.558729
        >>> round(float(toy_G(0.0, -1.0, 1.0, 0.0, signed=False)), 6)
        0.0
    """
    a = check_scalar("a", a)
    b = check_scalar("b", b)
    if not a < b:
        raise ValueError(f"a must be smaller than b, got a={a}, b={b}")
    n_grid = check_scalar("n_grid", n_grid, low=2, integer=True)
    phi = _resolve_phi(phi, eps)
    if callable(y_true):
        edges = np.array([a, b])
    else:
        edges = _ground_truth_segments(a, b, y_true)
    # composite Gauss-Legendre: each interval cut into equal panels of _GL_ORDER nodes
    panels = max(1, -(-n_grid // _GL_ORDER))
    cuts = np.concatenate([np.linspace(lo, hi, panels + 1)[:-1] for lo, hi in zip(edges[:-1], edges[1:])]
                          + [[edges[-1]]])
    lo, hi = cuts[:-1, None], cuts[1:, None]
    nodes = (0.5 * (hi - lo) * _GL_X + 0.5 * (hi + lo)).ravel()
    weights = (0.5 * (hi - lo) * _GL_W).ravel()
    if callable(y_true):
        labels = np.asarray(y_true(nodes), dtype=np.float64)
        if labels.shape != nodes.shape or not np.all(np.isin(labels, (0.0, 1.0))):
            raise ValueError("y_true(w) must return labels in {0, 1} of the shape of w")
    else:
        seg = np.repeat(np.arange(len(edges) - 1), panels * _GL_ORDER)
        labels = (seg % 2 == 0).astype(np.float64)
    sign = 2.0 * labels - 1.0 if signed else np.ones_like(labels)
    ops, th = _theta_array(theta)
    w_node = ops.const(nodes, th)
    coef = ops.const(weights * sign, th)
    g = toy_gain(th, w_node, phi)
    return ops.sum(g * coef, axis=-1)


def toy_G_derivative_closed_form(theta, a: float, b: float, a1: float, phi="arctan", *,
                                 eps: float = 0.01):
    r"""Proof formula of Prop. 4.1 (001 Sec. 4), :math:`n = 1`:

    .. math::

        \frac{dG}{d\theta} = -\phi(b - \theta) - \phi(a - \theta) + 2\,\phi(a_1 - \theta)

    for :math:`y_{true} = 1` on :math:`[a, a_1[` and 0 on :math:`[a_1, b]`;
    it is the derivative of :func:`toy_G` with the label sign (``signed=True``).
    Vectorised over ``theta`` of any shape.

    >>> toy_G_derivative_closed_form(np.array([-0.5, 0.0, 0.5]), -1.0, 1.0, 0.0).round(6)
    array([ 0.259836,  0.      , -0.259836])
    """
    a = check_scalar("a", a)
    b = check_scalar("b", b)
    a1 = check_scalar("a1", a1)
    if not a < a1 < b:
        raise ValueError(f"a1 must lie in (a, b), got a={a}, a1={a1}, b={b}")
    phi = _resolve_phi(phi, eps)
    ops, th = _theta_array(theta)
    return -phi(b - th) - phi(a - th) + 2.0 * phi(a1 - th)
