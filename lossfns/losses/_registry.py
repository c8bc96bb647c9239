"""The catalogue: every loss registers itself once; backends wrap the registry.

``lossfns.torch`` builds ``nn.Module`` wrappers and ``lossfns.keras`` builds
``keras.losses.Loss`` subclasses from these entries, so a loss is defined in
exactly one place (its functional form in :mod:`lossfns.losses`).

Class names follow each framework's own style. torch (``class_name``): the loss's
name in CamelCase ending in ``Loss``, as ``torch.nn`` names its own (``MSELoss``,
``HuberLoss``), never doubled (``broken_loss`` -> ``BrokenLoss``). Keras
(``keras_name``): the name of the quantity without a suffix, as ``keras.losses``
names its own (``Hinge``, ``Huber``, ``Dice``, ``KLDivergence``), with "Crossentropy"
as one word, and Keras' own name where Keras ships the same loss
(:data:`KERAS_OWN_NAMES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["LossSpec", "LOSSES", "register"]


@dataclass(frozen=True)
class LossSpec:
    """One registered loss: its function, source, wrapper class names, inputs and tags."""

    name: str                 # functional name, e.g. "xtreme_margin"
    fn: Callable              # fn(*inputs, reduction=..., **params)
    source: str               # document and equation, e.g. "000 eq. (3)-(7)"
    class_name: str           # torch class name, e.g. "XtremeMarginLoss"
    keras: bool = True        # (y_true, y_pred) loss usable in model.compile
    inputs: tuple = ("y_pred", "y_true")
    tags: tuple = field(default_factory=tuple)  # e.g. ("bounded", "needs_logits")

    @property
    def torch_name(self) -> str:
        """The ``torch.nn.Module`` of ``lossfns.torch`` (``class_name``): ``XtremeMarginLoss``."""
        return self.class_name

    @property
    def keras_name(self) -> str:
        """The ``keras.losses.Loss`` class of ``lossfns.keras``: ``XtremeMargin``,
        ``BinaryCrossentropy``, ``MeanSquaredError`` (Keras' own names where Keras has the loss)."""
        if self.name in KERAS_OWN_NAMES:
            return KERAS_OWN_NAMES[self.name]
        base = self.class_name.removesuffix("Loss")
        return base.replace("CrossEntropy", "Crossentropy")

    @property
    def documents(self) -> tuple:
        """The documents the source tag cites, in order: ``"002 sec. Dice; 003 supp."`` ->
        ``("002", "003")``. A loss is filed by what it is; the documents are its tags."""
        return tuple(dict.fromkeys(part.strip()[:3] for part in self.source.split(";")
                                   if part.strip()[:3].isdigit()))


LOSSES: dict[str, LossSpec] = {}
"""The catalogue: functional name -> :class:`LossSpec` (function, source, class names,
inputs, tags), in registration order; every loss of :mod:`lossfns.losses` is in it."""

#: Keras class names that are not the torch name less "Loss": the name Keras gives the same
#: loss (``keras.losses.BinaryFocalCrossentropy``, ``MeanSquaredError``...), or, for the broken
#: loss of document 001, its proper name.
KERAS_OWN_NAMES = {
    "focal": "BinaryFocalCrossentropy",
    "weighted_bce": "WeightedBinaryCrossentropy",
    "mae": "MeanAbsoluteError",
    "mse": "MeanSquaredError",
    "broken_loss": "BrokenLoss",
}


def _camel(name: str) -> str:
    """``xtreme_margin`` -> ``XtremeMarginLoss``; ``broken_loss`` -> ``BrokenLoss`` (no LossLoss)."""
    camel = "".join(p[:1].upper() + p[1:] for p in name.split("_"))
    return camel if camel.endswith("Loss") else camel + "Loss"


def register(source: str, *, keras: bool = True, inputs=("y_pred", "y_true"),
             class_name: str | None = None, tags=()):
    """Decorator adding a functional loss to :data:`LOSSES`."""

    def deco(fn):
        if fn.__name__ in LOSSES:
            raise RuntimeError(f"loss {fn.__name__!r} registered twice")
        LOSSES[fn.__name__] = LossSpec(fn.__name__, fn, source, class_name or _camel(fn.__name__),
                                       keras, tuple(inputs), tuple(tags))
        return fn

    return deco
