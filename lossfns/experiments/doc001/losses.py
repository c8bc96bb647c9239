"""The losses of the document-001 experiments by label (:data:`LOSSES_001`) and
:func:`make_loss`, shared by :mod:`.protocols` and :mod:`.sigmoid_free`."""

from __future__ import annotations

import lossfns

__all__ = ["LOSSES_001", "make_loss"]

#: label -> (name of the ``lossfns`` function, its parameters)
LOSSES_001 = {
    "BCE": ("binary_cross_entropy", {}),
    "focal γ=2": ("focal", {"gamma": 2.0, "alpha": None}),
    "l24": ("l24", {}),
    "l6": ("l6", {}),
    "broken 7/16": ("broken_loss", {"constant": "7/16"}),
    "broken 3/16": ("broken_loss", {"constant": "3/16"}),
    "Xtreme Margin": ("xtreme_margin", {}),
}


def make_loss(label: str, **overrides):
    """The per-sample loss function ``(y_pred, y_true) -> (M, B)`` of ``label`` (a key of
    :data:`LOSSES_001`), parameters overridden by ``overrides`` (e.g. ``c`` of l24/l6)."""
    if label not in LOSSES_001:
        raise ValueError(f"label must be one of {sorted(LOSSES_001)}, got {label!r}")
    name, params = LOSSES_001[label]
    fn = getattr(lossfns, name)
    kw = {**params, **overrides}
    return lambda y_pred, y_true: fn(y_pred, y_true, reduction="none", **kw)

