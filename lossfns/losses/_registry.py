"""The catalogue: every loss registers itself once; backends wrap the registry.

``lossfns.torch`` builds ``nn.Module`` wrappers and ``lossfns.keras`` builds
``keras.losses.Loss`` subclasses from these entries, so a loss is defined in
exactly one place (its functional form in :mod:`lossfns.losses`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["LossSpec", "LOSSES", "register"]


@dataclass(frozen=True)
class LossSpec:
    name: str                 # functional name, e.g. "xtreme_margin"
    fn: Callable              # fn(*inputs, reduction=..., **params)
    source: str               # document and equation, e.g. "000 eq. (3)-(7)"
    class_name: str           # wrapper class name, e.g. "XtremeMarginLoss"
    keras: bool = True        # (y_true, y_pred) loss usable in model.compile
    inputs: tuple = ("y_pred", "y_true")
    tags: tuple = field(default_factory=tuple)  # e.g. ("bounded", "needs_logits")

    @property
    def documents(self) -> tuple:
        """The documents the source tag cites, in order: ``"002 sec. Dice; 003 supp."`` ->
        ``("002", "003")``. A loss is filed by what it is; the documents are its tags."""
        return tuple(dict.fromkeys(part.strip()[:3] for part in self.source.split(";")
                                   if part.strip()[:3].isdigit()))


LOSSES: dict[str, LossSpec] = {}


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_")) + "Loss"


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
