"""The stacked (models x ...) forward pass of an :class:`~lossfns.training.spec.MLPSpec`.

A spec is a tuple of hidden layers ``(units, activation, dropout)`` followed by
one Dense(1) output unit; ``output="probability"`` puts a sigmoid on it,
``"logit"`` leaves it linear. Parameters of M independent copies are stacked:
W_l has shape (M, in_l, out_l) and b_l shape (M, out_l).
"""
from __future__ import annotations

import math

import torch

from .spec import MLPSpec  # noqa: F401  (re-exported)

ACTIVATIONS = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "linear": lambda x: x,
}


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
    # one pass: where(u >= rate, 1 / (1 - rate), 0), the same numbers as
    # (u >= rate) / (1 - rate) in u's dtype
    return torch.where(u >= rates, 1.0 / (1.0 - rates), torch.zeros((), dtype=u.dtype, device=u.device))
