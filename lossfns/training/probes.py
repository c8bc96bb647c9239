"""Per-epoch probes of M models, recorded as (models x epochs) arrays.

For each watched set (``"train"``: the training rows, evaluated without
dropout at the end of the epoch; ``"val"``: the validation rows) and model:

- ``loss``: the training loss on the set (mean reduction: mean over rows;
  batch reduction: the loss of the whole set as one batch);
- ``accuracy``, ``sensitivity`` (TP / P), ``specificity`` (TN / N),
  ``balanced_accuracy`` ((sensitivity + specificity) / 2), ``f1``
  (2 TP / (2 TP + FP + FN)): from the one hard-prediction rule
  :func:`lossfns.metrics.hard_labels` (``y >= 0.5``; on logits, ``z >= 0``);
  NaN where a ratio's denominator is 0;
- ``mean_abs_logit``: mean |z| of the output logit (for probability outputs
  z = logit(p), p clipped to [1e-7, 1 - 1e-7]);
- ``uncertain_share``: share of rows with probability in the open interval
  (0.4, 0.6);
- ``flip_share``: share of rows whose hard class differs from the previous
  epoch's (NaN at the first epoch);

plus ``param_norm``: the L2 norm of all of a model's parameters. Keys of the
record: ``"<set>/<probe>"`` and ``"param_norm"``.
"""
from __future__ import annotations

import numpy as np
import torch

from .._ops import get_ops
from ..metrics import hard_labels

__all__ = ["PROBE_NAMES", "set_probes", "param_norm", "ProbeRecorder"]

PROBE_NAMES = ("loss", "accuracy", "balanced_accuracy", "sensitivity", "specificity", "f1",
               "mean_abs_logit", "uncertain_share", "flip_share")

_CLIP = 1e-7


def _ratio(num, den):
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def set_probes(out: torch.Tensor, y: torch.Tensor, mask: torch.Tensor, *, from_logits: bool,
               loss=None, prev_hard: torch.Tensor | None = None):
    """Probes of one set for M models.

    Args:
        out: (M, n) outputs (probabilities, or logits with ``from_logits``).
        y: (M, n) labels in {0, 1}; mask: (M, n) bool, real rows.
        loss: (M,) loss values (stored as given), or None.
        prev_hard: (M, n) hard labels of the previous epoch, or None.
    Returns:
        (dict probe -> (M,) float64 array, hard labels (M, n)).
    """
    with torch.no_grad():
        out = out.detach()
        hard = hard_labels(out, get_ops(out), from_logits=from_logits)
        m = mask.to(out.dtype)
        yt = y.to(out.dtype)
        n = m.sum(1)
        tp = (hard * yt * m).sum(1)
        tn = ((1 - hard) * (1 - yt) * m).sum(1)
        fp = (hard * (1 - yt) * m).sum(1)
        fn = ((1 - hard) * yt * m).sum(1)
        if from_logits:
            z, p = out, torch.sigmoid(out)
        else:
            p = out
            z = torch.logit(out.clamp(_CLIP, 1 - _CLIP))
        abs_z = (z.abs() * m).sum(1)
        unc = (((p > 0.4) & (p < 0.6)).to(out.dtype) * m).sum(1)
        flips = None if prev_hard is None else ((hard != prev_hard).to(out.dtype) * m).sum(1)
    c = {k: v.double().cpu().numpy() for k, v in
         dict(n=n, tp=tp, tn=tn, fp=fp, fn=fn, abs_z=abs_z, unc=unc).items()}
    sens = _ratio(c["tp"], c["tp"] + c["fn"])
    spec = _ratio(c["tn"], c["tn"] + c["fp"])
    res = {
        "loss": np.full(len(c["n"]), np.nan) if loss is None else np.asarray(loss, float),
        "accuracy": _ratio(c["tp"] + c["tn"], c["n"]),
        "balanced_accuracy": (sens + spec) / 2,
        "sensitivity": sens,
        "specificity": spec,
        "f1": _ratio(2 * c["tp"], 2 * c["tp"] + c["fp"] + c["fn"]),
        "mean_abs_logit": _ratio(c["abs_z"], c["n"]),
        "uncertain_share": _ratio(c["unc"], c["n"]),
        "flip_share": (np.full(len(c["n"]), np.nan) if flips is None
                       else _ratio(flips.double().cpu().numpy(), c["n"])),
    }
    return res, hard


def param_norm(params) -> np.ndarray:
    """(M,) L2 norm of every model's parameters (stacked tensors, models first)."""
    with torch.no_grad():
        sq = sum(p.detach().reshape(p.shape[0], -1).double().pow(2).sum(1) for p in params)
    return sq.sqrt().cpu().numpy()


class ProbeRecorder:
    """Collects probes epoch by epoch into ``record[key]`` arrays (M, epochs), NaN-filled."""

    def __init__(self, n_models: int, epochs: int, sets=("train", "val")):
        self.record = {"param_norm": np.full((n_models, epochs), np.nan)}
        for s in sets:
            for k in PROBE_NAMES:
                self.record[f"{s}/{k}"] = np.full((n_models, epochs), np.nan)
        self._prev = {}

    def add(self, epoch: int, live: np.ndarray, name: str, out, y, mask, *, from_logits: bool,
            loss=None) -> None:
        """Probes of set ``name`` at ``epoch`` for the models ``live`` (indices)."""
        res, hard = set_probes(out, y, mask, from_logits=from_logits, loss=loss,
                               prev_hard=self._prev.get(name))
        self._prev[name] = hard
        for k, v in res.items():
            self.record[f"{name}/{k}"][live, epoch] = v[live]

    def add_params(self, epoch: int, live: np.ndarray, params) -> None:
        self.record["param_norm"][live, epoch] = param_norm(params)[live]
