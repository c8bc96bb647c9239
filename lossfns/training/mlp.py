"""MLP specifications and the stacked (models x ...) forward pass.

A spec is a tuple of hidden layers ``(units, activation, dropout)`` followed by
one Dense(1) output unit; ``output="probability"`` puts a sigmoid on it,
``"logit"`` leaves it linear. Parameters of M independent copies are stacked:
W_l has shape (M, in_l, out_l) and b_l shape (M, out_l).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "linear": lambda x: x,
}


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
            if act not in ACTIVATIONS:
                raise ValueError(f"hidden[{k}] activation must be one of {sorted(ACTIVATIONS)}, got {act!r}")
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


#: Document 000 Sec. 7 (the Keras Sequential model), sigmoid output.
PAPER000_SPEC = MLPSpec(((64, "relu", 0.25), (32, "sigmoid", 0.25), (16, "relu", 0.25), (8, "relu", 0.0)))
#: Document 003 supp. 4.2: 32-16-1, ReLU, dropout (rate not given: 0.5, torch's default).
PAPER003_SPEC = MLPSpec(((32, "relu", 0.5), (16, "relu", 0.5)))
#: A small network for 2-feature decision-boundary plots (document 000 Fig. 10-12).
BOUNDARY_SPEC = MLPSpec(((16, "relu", 0.0), (8, "relu", 0.0)))


def glorot_init(spec: MLPSpec, n_features: int, generator: torch.Generator,
                dtype=torch.float32) -> list[torch.Tensor]:
    """One model's parameters [W_1, b_1, ...]: Glorot-uniform W (in, out), zero b.

    W ~ U(-l, l), l = sqrt(6 / (fan_in + fan_out)), drawn layer by layer from
    ``generator`` (CPU) in float64 then cast, so every dtype sees the same draw.
    """
    params = []
    for fan_in, fan_out in spec.widths(n_features):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        w = (torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64) * 2.0 - 1.0) * limit
        params += [w.to(dtype), torch.zeros(fan_out, dtype=dtype)]
    return params


def forward(spec: MLPSpec, params, x: torch.Tensor, keep=None) -> torch.Tensor:
    """Stacked forward pass.

    Args:
        params: [W_1 (M, in, out), b_1 (M, out), ...].
        x: (M, B, d) inputs.
        keep: None (no dropout, evaluation) or (M, B, dropout_units) tensor of
            inverted-dropout multipliers (0 or 1/(1-rate)), columns consumed
            layer by layer.
    Returns:
        (M, B) probabilities or logits (``spec.output``).
    """
    h = x
    col = 0
    for k, (units, act, rate) in enumerate(spec.hidden):
        h = ACTIVATIONS[act](torch.baddbmm(params[2 * k + 1].unsqueeze(1), h, params[2 * k]))
        if rate > 0:
            if keep is not None:
                h = h * keep[..., col:col + units]
            col += units
    k = len(spec.hidden)
    z = torch.baddbmm(params[2 * k + 1].unsqueeze(1), h, params[2 * k]).squeeze(-1)
    return torch.sigmoid(z) if spec.output == "probability" else z


def dropout_multipliers(spec: MLPSpec, u: torch.Tensor) -> torch.Tensor:
    """Turn uniforms u (..., dropout_units) into inverted-dropout multipliers.

    A unit is dropped when u < rate (probability ``rate``), kept ones are
    scaled by 1 / (1 - rate), as Keras and torch do.
    """
    rates = torch.cat([torch.full((units,), float(rate), dtype=u.dtype, device=u.device)
                       for units, _, rate in spec.hidden if rate > 0])
    return (u >= rates).to(u.dtype) / (1.0 - rates)
