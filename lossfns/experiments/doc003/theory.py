r"""Document 003 (Tsoi et al., NeurIPS 2022): theory helpers of supp. Sec. 1.

Slopes and Lipschitz constant of the linear Heaviside approximation
(Theorem 4.1, supp. Sec. 1.1) and the limits of the soft metrics as the
batch grows (eq. 10, 12; supp. Sec. 1.2). NumPy only. The losses themselves
are in :mod:`lossfns.losses.softset`.
"""

from __future__ import annotations

import numpy as np

from ..._validation import check_scalar, check_unit_array
from ...losses.softset.heaviside import _linear_coefficients
from ...training.spec import MLPSpec

__all__ = ["PAPER003_SPEC", "linear_heaviside_slopes", "lipschitz_constant", "f1_limit",
           "accuracy_limit", "auroc_limit"]

#: Document 003 supp. 4.2: 32-16-1, ReLU, dropout (rate not given: 0.5, torch's default).
PAPER003_SPEC = MLPSpec(((32, "relu", 0.5), (16, "relu", 0.5)))


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
    t = check_unit_array("tau", tau, open_=True)
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
    r, u, v = (check_unit_array(n, x) for n, x in (("r", r), ("u", u), ("v", v)))
    num, den = 2.0 * r * u, r + r * u + v - r * v
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


def accuracy_limit(r, u, v):
    r"""Almost-sure limit of Accuracy and of :math:`\text{Accuracy}^s` (003 supp. Sec. 1.2.1):
    :math:`\frac{|TP| + |TN|}{n} \to ru + (1 - r)(1 - v)`.

    Example:
        >>> float(accuracy_limit(0.3, 0.8, 0.1))
        0.87
    """
    r, u, v = (check_unit_array(n, x) for n, x in (("r", r), ("u", u), ("v", v)))
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
    u, v = check_unit_array("u", u), check_unit_array("v", v)
    if u.shape != v.shape or u.ndim == 0 or u.shape[-1] < 2:
        raise ValueError(f"u and v must have the same shape with at least 2 thresholds on the last "
                         f"axis, got {u.shape} and {v.shape}")
    return 0.5 * np.sum((v[..., :-1] - v[..., 1:]) * (u[..., 1:] + u[..., :-1]), axis=-1)


