"""Per-model early stopping on the validation loss, with restore-best-weights.

Reading (document 003: "stop when the validation loss has not decreased over a
window of 100 epochs"; register entry in docs/ambiguities.md): **patience =
no new minimum for ``patience`` epochs**. After each epoch a model's
validation loss is compared with the smallest value it has seen so far; a
strictly smaller value is a new minimum (its epoch becomes ``best_epoch`` and
its parameters are kept); otherwise the wait grows by one. The model stops at
the epoch where the wait reaches ``patience``, i.e. ``stopped_epoch =
best_epoch + patience`` (Keras ``EarlyStopping(patience=p, min_delta=0,
restore_best_weights=True)`` counts the same way). A model that never stops
runs to the maximum epoch count. NaN never counts as a new minimum.
"""
from __future__ import annotations

import numpy as np
import torch

from .._validation import check_positive_int

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """State of M models' early stopping (see module doc for the rule).

    ``update(epoch, val_loss, params)`` records one epoch; ``alive`` says which
    models still train; ``restore(params)`` copies each model's best
    parameters back into the stacked tensors (models as the leading dim).
    """

    def __init__(self, n_models: int, patience: int, max_epochs: int, params=None):
        check_positive_int("patience", patience)
        check_positive_int("max_epochs", max_epochs)
        self.patience = int(patience)
        self.alive = np.ones(n_models, bool)
        self.best_val = np.full(n_models, np.inf)
        self.best_epoch = np.full(n_models, max_epochs - 1)
        self.stopped_epoch = np.full(n_models, max_epochs - 1)
        self.wait = np.zeros(n_models, int)
        self.best_params = None if params is None else [p.detach().clone() for p in params]

    def update(self, epoch: int, val_loss, params=None) -> np.ndarray:
        """Record ``val_loss`` (M,) of ``epoch``; returns the models that stopped now."""
        vl = np.asarray(val_loss, dtype=float)
        alive = self.alive
        improved = alive & (vl < self.best_val)
        self.best_val[improved] = vl[improved]
        self.best_epoch[improved] = epoch
        self.wait[improved] = 0
        self.wait[alive & ~improved] += 1
        if self.best_params is not None and params is not None and improved.any():
            with torch.no_grad():
                for bp, p in zip(self.best_params, params):
                    imp_t = torch.as_tensor(improved, device=p.device)
                    bp.copy_(torch.where(imp_t.view(-1, *([1] * (p.dim() - 1))), p, bp))
        stop = alive & (self.wait >= self.patience)
        self.stopped_epoch[stop] = epoch
        self.alive[stop] = False
        return stop

    def restore(self, params) -> None:
        """Copy the best parameters (per model) into ``params`` in place."""
        if self.best_params is None:
            return
        with torch.no_grad():
            for bp, p in zip(self.best_params, params):
                p.copy_(bp)
