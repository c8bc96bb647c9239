"""MLP specifications: hidden layers ``(units, activation, dropout)`` and one output unit.

Backend-free (no torch, no Keras): the batched torch trainer
(:mod:`lossfns.training.mlp`) and the Keras loop
(:func:`lossfns.training.keras_trainer.keras_mlp`) both build from it.
``output="probability"`` puts a sigmoid on the output unit, ``"logit"`` leaves it linear.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MLPSpec", "ACTIVATION_NAMES"]

ACTIVATION_NAMES = ("relu", "sigmoid", "tanh", "linear")


@dataclass(frozen=True)
class MLPSpec:
    """Hidden layers ``((units, activation, dropout), ...)`` + Dense(1) output."""

    hidden: tuple
    output: str = "probability"

    def __post_init__(self):
        hidden = tuple(tuple(layer) for layer in self.hidden)
        for k, layer in enumerate(hidden):
            if len(layer) != 3:
                raise ValueError(f"hidden[{k}] must be (units, activation, dropout), got {layer!r}")
            units, act, rate = layer
            if isinstance(units, bool) or not isinstance(units, int) or units < 1:
                raise ValueError(f"hidden[{k}] units must be a positive int, got {units!r}")
            if act not in ACTIVATION_NAMES:
                raise ValueError(f"hidden[{k}] activation must be one of {sorted(ACTIVATION_NAMES)}, got {act!r}")
            if not 0.0 <= float(rate) < 1.0:
                raise ValueError(f"hidden[{k}] dropout must be in [0, 1), got {rate!r}")
        if self.output not in ("probability", "logit"):
            raise ValueError(f"output must be 'probability' or 'logit', got {self.output!r}")
        object.__setattr__(self, "hidden", hidden)

    def widths(self, n_features: int) -> list[tuple[int, int]]:
        """(fan_in, fan_out) of every Dense layer, output layer included."""
        sizes = [n_features] + [u for u, _, _ in self.hidden] + [1]
        return list(zip(sizes[:-1], sizes[1:]))

    @property
    def dropout_units(self) -> int:
        """Number of uniform draws per sample per step for the dropout masks."""
        return sum(u for u, _, r in self.hidden if r > 0)

    def with_output(self, output: str) -> "MLPSpec":
        return MLPSpec(self.hidden, output)

