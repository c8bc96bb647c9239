"""Small pieces every loss family shares, each defined once.

* :data:`EPS`: the probability clip of the losses that take logs of probabilities;
* :func:`signed_labels`: labels in {0, 1} as signs :math:`u = 2t - 1 \\in \\{-1, 1\\}`;
* :func:`safe_div`: a ratio that is 0 where its denominator is 0, with finite
  value and gradient (torchmetrics' ``zero_division=0`` convention).

The hard prediction (000 eq. 7) is :func:`lossfns.metrics.hard_labels`.
"""

from __future__ import annotations

#: Probability clip of the losses that take logs of probabilities (Keras' epsilon).
EPS = 1e-7


def signed_labels(t, labels: str = "01"):
    """:math:`u \\in \\{-1, 1\\}`: ``2t - 1`` for labels "01", ``t`` itself for "pm1"."""
    return 2.0 * t - 1.0 if labels == "01" else t


def safe_div(num, den, ops):
    """``num / den`` with 0 where ``den == 0`` (finite value and gradient)."""
    nz = den != 0
    return ops.where(nz, num / ops.where(nz, den, ops.ones_like(den)), ops.zeros_like(num))
