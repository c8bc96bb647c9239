r"""AP-Perf's adversarial F1 (Fathony & Kolter, AISTATS 2020): document 003's Table 1 row "F1†".

The loss comes from the PyPI package ``ap-perf`` (0.1.1, imported lazily: ``pip install
lossfns[apperf]``, or the lock, which pins it with its one extra dependency, numba). AP-Perf
writes the metric from the confusion matrix (here F1 = 2 TP / (AP + PP)) and turns it into a
differentiable objective through adversarial prediction: for a batch of scores
:math:`\psi \in \mathbb{R}^m` and labels :math:`y \in \{0, 1\}^m` the loss is

.. math::  \ell(\psi, y) = -\Bigl(\min_{Q} \max_{P}\; \mathbb{E}_{\hat y \sim P,\,
           \check y \sim Q}\bigl[\mathrm{F1}(\hat y, \check y)\bigr] + \psi^\top (y - q)\Bigr)

with :math:`P` the predictor's and :math:`Q` the adversary's distribution over label vectors
(:math:`q` its marginals); the adversary is held to the data's statistics through the
Lagrangian term :math:`\psi^\top (y - q)`, so minimising :math:`\ell` over the network is
maximising the worst-case expected F1. AP-Perf solves the inner game with ADMM
(100 iterations by default) on :math:`m \times m` marginal matrices. The gradient of
:math:`\ell` with respect to the scores is :math:`q - y`. The inner problem costs
:math:`O(m^3)` in the batch size :math:`m`, so the authors train with small batches.

:func:`train_apperf` trains one torch MLP per :class:`~lossfns.training.Task` with that loss
and Adam, in turn (the ADMM solve is NumPy on the CPU, one batch at a time, so batching models
as :func:`~lossfns.training.train_batched` does gains nothing). It reuses the training layer:
the spec's forward pass and Glorot initialisation (:mod:`.mlp`), the per-model generator and
its draw order (:func:`~lossfns.training.model_seed`: permutation, then dropout uniforms, as
in :mod:`.batched`), the stacked Adam (:mod:`.optim`), :class:`.EarlyStopping` and
:class:`~lossfns.training.TrainResult`.
"""
from __future__ import annotations

import contextlib
import math
from typing import Sequence

import numpy as np
import torch

from .._progress import progress
from .._validation import (check_bool, check_choice, check_int, check_positive,
                           check_positive_int, prepare_binary)
from .batched import Task, TrainResult, _as_xy, check_run, model_seed
from .early_stopping import EarlyStopping
from .mlp import dropout_multipliers, forward, glorot_init
from .optim import make_optimizer
from .spec import MLPSpec

__all__ = ["f1_adversarial_loss", "train_apperf", "APPERF_BATCH_SIZE", "APPERF_LR", "VAL_LOSSES"]

#: the authors' settings for the AP-Perf row of 003's Table 1 (003's supplement)
APPERF_BATCH_SIZE = 20
APPERF_LR = 3e-4
#: what early stopping watches: the AP-Perf objective per sample over validation batches, or BCE
VAL_LOSSES = ("apperf", "bce")

_INSTALL_HINT = ("AP-Perf is not installed: pip install 'lossfns[apperf]' (or install "
                 "requirements/lock.txt, which pins ap-perf and numba)")


def _ap_perf():
    """The ``ap_perf`` package, imported on first use; its numba kernels cache their compiled
    code on disk (the package's own ``@jit`` does not ask for it), so only the first process
    pays the ~5-10 s compilation."""
    try:
        import ap_perf
        import ap_perf.projection as projection
    except ImportError as err:  # ap_perf itself, or numba under it
        raise ImportError(f"{_INSTALL_HINT} ({err})") from err
    if not getattr(projection, "_lossfns_caching", False):
        try:
            from numba.core.registry import CPUDispatcher
            for obj in vars(projection).values():
                if isinstance(obj, CPUDispatcher):
                    obj.enable_caching()
        except Exception:  # noqa: BLE001  (a speed-up only: without it numba compiles each run)
            pass
        projection._lossfns_caching = True
    return ap_perf


def f1_adversarial_loss(*, max_iter: int = 100):
    r"""AP-Perf's adversarial F1 loss of one batch: ``loss(logits, y) -> scalar`` (torch).

    Builds AP-Perf's F1 metric as its README does (a ``PerformanceMetric`` subclass with
    ``define(C) = 2 C.tp / (C.ap + C.pp)``, ``initialize()``,
    ``enforce_special_case_positive()``: F1 = 1 when prediction and labels are all negative)
    and its ``MetricLayer``. The value is the negated adversarial objective of the batch
    (module doc),

    .. math::  \ell(\psi, y) = -\Bigl(\min_Q \max_P \mathbb{E}_{P,Q}[\mathrm{F1}(\hat y, \check y)]
               + \psi^\top (y - q)\Bigr),

    minimised over the network's scores :math:`\psi` (the *logits*: no sigmoid is applied;
    AP-Perf reads them as potentials, and ``sigmoid(logit)`` is used only afterwards to apply
    probability thresholds); its gradient with respect to the logits is :math:`q - y`, with
    :math:`q` the adversary's marginals. The objective sums over the batch (it grows with the
    batch size; it is not a mean).

    Settings of 003 for this row (the authors' supplement): batch size 20, Adam lr 3e-4
    (:data:`APPERF_BATCH_SIZE`, :data:`APPERF_LR`). Cost: the ADMM solve (``max_iter``
    iterations, AP-Perf's default 100) is cubic in the batch size and runs in NumPy on the
    CPU, whatever the logits' device; at small batches two L-BFGS-B calls per ADMM iteration
    dominate. Measured on a 2-core CPU with one BLAS thread: about 0.05-0.09 s per batch of 20
    and 0.27 s per batch of 100; a multi-threaded BLAS is 3-10x slower on these tiny matrices,
    so run the loop under ``threadpoolctl.threadpool_limits(1)`` (:func:`train_apperf` does).

    ``ap_perf``'s own backward pass returns :math:`q - y` whatever gradient flows in; the
    callable returned here keeps its forward value and applies the chain rule, so the loss may
    be scaled or added to others.

    Args:
        max_iter: ADMM iterations per batch (positive int).

    Returns:
        ``loss(logits, y)``: ``logits`` a floating torch tensor of shape (m,) (or (m, 1)),
        ``y`` its labels in {0, 1}; returns a 0-d tensor. ``loss.metric`` is the AP-Perf
        metric object, ``loss.layer`` its ``MetricLayer``.
    """
    max_iter = check_positive_int("max_iter", max_iter)
    ap = _ap_perf()

    class F1Score(ap.PerformanceMetric):
        """F1 = 2 TP / (AP + PP) (AP-Perf's README)."""

        def define(self, C):
            return (2 * C.tp) / (C.ap + C.pp)

    metric = F1Score()
    metric.initialize()
    metric.enforce_special_case_positive()
    layer = ap.MetricLayer(metric, {"max_iter": max_iter})

    def loss(logits, y):
        if not isinstance(logits, torch.Tensor):
            raise TypeError(f"logits must be a torch tensor, got {type(logits).__name__}")
        if logits.dim() == 2 and logits.shape[1] == 1:
            logits = logits[:, 0]
            y = y.reshape(-1) if isinstance(y, torch.Tensor) else np.asarray(y).reshape(-1)
        if logits.dim() != 1:
            raise ValueError(f"logits must have shape (m,) (one score per sample), got "
                             f"{tuple(logits.shape)}")
        _, logits, y = prepare_binary(logits, y, from_logits=True, true_name="y")
        y = y.detach()
        if not logits.requires_grad:
            return layer(logits.detach(), y).reshape(())
        psi = logits.detach().requires_grad_(True)
        with torch.enable_grad():
            obj = layer(psi, y).reshape(())
            (g,) = torch.autograd.grad(obj, psi)  # q - y: AP-Perf ignores the incoming gradient
        # same value as obj, gradient g * (incoming gradient) with respect to the logits
        return obj.detach().to(logits.dtype) + (g.to(logits.dtype) * (logits - logits.detach())).sum()

    loss.metric, loss.layer = metric, layer
    loss.__name__ = "f1_adversarial_loss"
    return loss


@contextlib.contextmanager
def _thread_limit(threads):
    """At most ``threads`` BLAS threads (``threadpoolctl``, when installed) and torch threads."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # the solver then runs with the BLAS's own thread count
            yield
        else:
            with threadpool_limits(limits=threads):
                yield
    finally:
        torch.set_num_threads(before)


def _stack(params):
    """One model's parameter list -> stacked (1, ...) leaf tensors for :func:`.mlp.forward`."""
    return [p.unsqueeze(0).clone().requires_grad_(True) for p in params]


def train_apperf(spec: MLPSpec, tasks: Sequence[Task], *, epochs: int,
                 batch_size: int = APPERF_BATCH_SIZE, lr: float = APPERF_LR, seed: int = 0,
                 patience: int | None = None, quiet: bool = True, max_iter: int = 100,
                 val_loss: str = "apperf", model_ids: Sequence[int] | None = None,
                 restore_best: bool = True, threads: int | None = 1) -> TrainResult:
    """Train one MLP per task with AP-Perf's adversarial F1 (:func:`f1_adversarial_loss`), Adam.

    The network is ``spec`` with its output unit left linear (the loss reads logits); the
    returned ``eval_proba`` are ``sigmoid(logit)`` on each task's eval set, so probability
    thresholds (0.1, ..., 0.9) apply as for the other models. Model m draws from the
    generator of ``model_seed(seed, model_ids[m])``: Glorot init, then each epoch a
    permutation of its training rows and its dropout uniforms (the order of
    :func:`~lossfns.training.train_batched`). AP-Perf resets its solver's warm start at every
    batch, so a batch's loss depends on that batch only and a model's numbers do not depend
    on the models trained before it. Adam in torch style
    (betas 0.9, 0.999, eps 1e-8). Each training step solves one ADMM problem (cubic in
    ``batch_size``: keep it small).

    Args:
        spec: the architecture (``spec.output`` is ignored: trained on logits).
        tasks: one :class:`~lossfns.training.Task` per model, same number of features.
        epochs: maximum epoch count.
        batch_size, lr: the authors' 20 and 3e-4 by default.
        seed, model_ids: as in :func:`~lossfns.training.train_batched`.
        patience: early stopping (needs X_val/y_val in every task): stop when the validation
            loss has made no new minimum for ``patience`` epochs, then (``restore_best``)
            restore the best epoch's parameters (:class:`.EarlyStopping`).
        val_loss: what the validation loss is: ``"apperf"`` (default) the AP-Perf objective
            summed over the validation rows in fixed batches of ``batch_size`` and divided by
            their count (the full set at once would be cubic in its size), which costs about
            one training step per batch; ``"bce"`` the binary cross-entropy of the logits
            (cheap).
        quiet: no progress bar (default; else a tqdm bar over models and one over epochs).
        max_iter: ADMM iterations per batch.
        threads: CPU threads the BLAS (through ``threadpoolctl``) and torch may use while
            training, restored after; ``None`` keeps the settings. The default 1 is the fast
            one: AP-Perf's solver makes thousands of tiny NumPy matrix products per batch, and
            multi-threaded OpenBLAS made them 3-10x slower on a 2-core machine (measured: 0.05-
            0.09 s against 0.22-0.33 s per batch of 20, 0.27 s against 2.2-3.1 s per batch of
            100).

    Returns:
        :class:`~lossfns.training.TrainResult`: history "train_loss" (mean AP-Perf objective
        per training row over the epoch's steps) and "val_loss" (when a val set is given),
        shape (M, epochs), NaN after a model stopped; ``eval_proba``; ``best_epoch``,
        ``stopped_epoch`` (0-based); ``params`` stacked over models (``spec.with_output("logit")``
        gives the logits through :func:`~lossfns.training.predict`).
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec, got {type(spec).__name__}")
    lr = check_positive("lr", lr)
    check_int("seed", seed, 0, what="a non-negative int", type_error=ValueError)
    if patience is not None:
        check_positive_int("patience", patience)
    max_iter = check_positive_int("max_iter", max_iter)
    check_choice("val_loss", val_loss, VAL_LOSSES)
    check_bool("quiet", quiet)
    check_bool("restore_best", restore_best)
    if threads is not None:
        check_positive_int("threads", threads)
    tasks, _, _, model_ids, _ = check_run(
        tasks, lambda *a: None, epochs=epochs, batch_size=batch_size, loss_reduction="batch",
        dtype=torch.float32, model_ids=model_ids, device="cpu")
    M, B, dtype = len(tasks), int(batch_size), torch.float32
    d = np.asarray(tasks[0].X_train).shape[-1] if np.asarray(tasks[0].X_train).ndim == 2 else None
    has_eval, has_val = tasks[0].X_eval is not None, tasks[0].X_val is not None
    if any((t.X_eval is not None) != has_eval or (t.X_val is not None) != has_val for t in tasks):
        raise ValueError("either all tasks or none must have an eval (val) set")
    if patience is not None and not has_val:
        raise ValueError("patience (early stopping) needs X_val/y_val in every task")
    data = []
    for m, t in enumerate(tasks):
        tr = _as_xy(t.X_train, t.y_train, "train", m, d)
        if len(tr[1]) == 0:
            raise ValueError(f"tasks[{m}].X_train must have at least one row")
        ev = _as_xy(t.X_eval, t.y_eval, "eval", m, d) if has_eval else None
        va = _as_xy(t.X_val, t.y_val, "val", m, d) if has_val else None
        data.append((tr, ev, va))

    loss_fn = f1_adversarial_loss(max_iter=max_iter)
    logit_spec = spec.with_output("logit")
    D = spec.dropout_units
    hist = {k: np.full((M, epochs), np.nan) for k in ["train_loss"] + (["val_loss"] if has_val else [])}
    best_epoch, stopped_epoch = np.full(M, epochs - 1), np.full(M, epochs - 1)
    eval_proba, finals = [], []

    def as_t(a):
        return torch.as_tensor(np.asarray(a, dtype=np.float64), dtype=dtype)

    def validation_loss(params, Xv, yv):
        with torch.no_grad():
            z = forward(logit_spec, params, Xv.unsqueeze(0))[0]
            if val_loss == "bce":
                return float(torch.nn.functional.binary_cross_entropy_with_logits(z, yv))
            total = sum(float(loss_fn(z[i:i + B], yv[i:i + B])) for i in range(0, len(yv), B))
            return total / len(yv)

    with _thread_limit(threads):
        for m in progress(range(M), quiet=quiet, desc="AP-Perf models"):
            (Xtr, ytr), ev, va = data[m]
            Xtr, ytr = as_t(Xtr), as_t(ytr)
            Xv, yv = (as_t(va[0]), as_t(va[1])) if has_val else (None, None)
            n = len(ytr)
            steps = math.ceil(n / B)
            gen = torch.Generator().manual_seed(model_seed(seed, model_ids[m]))
            params = _stack(glorot_init(spec, Xtr.shape[1], gen, dtype))
            opt = make_optimizer("adam", params, lr=lr)
            stopper = EarlyStopping(1, patience or 1, epochs, params if patience is not None else None)
            active = torch.ones(1, dtype=torch.bool)
            for epoch in progress(range(epochs), quiet=quiet, desc=f"model {m} epochs", leave=False):
                perm = torch.randperm(n, generator=gen)
                keep = dropout_multipliers(spec, torch.rand(steps * B, D, generator=gen, dtype=dtype)) if D else None
                total = 0.0
                for s in range(steps):
                    idx = perm[s * B:(s + 1) * B]
                    k = keep[s * B:s * B + len(idx)].unsqueeze(0) if D else None
                    z = forward(logit_spec, params, Xtr[idx].unsqueeze(0), k)[0]
                    obj = loss_fn(z, ytr[idx])
                    grads = torch.autograd.grad(obj, params)
                    opt.step(grads, active)
                    total += float(obj.detach())
                hist["train_loss"][m, epoch] = total / n
                if has_val:
                    vl = validation_loss(params, Xv, yv)
                    hist["val_loss"][m, epoch] = vl
                    if patience is not None:
                        stopper.update(epoch, np.array([vl]), params)
                        if not stopper.alive[0]:
                            break
            if patience is not None and restore_best:
                stopper.restore(params)
            best_epoch[m], stopped_epoch[m] = stopper.best_epoch[0], stopper.stopped_epoch[0]
            if has_eval:
                with torch.no_grad():
                    z = forward(logit_spec, params, as_t(ev[0]).unsqueeze(0))[0]
                eval_proba.append(torch.sigmoid(z).numpy().astype(np.float64))
            finals.append([p.detach()[0] for p in params])
    stacked = [torch.stack([f[k] for f in finals]) for k in range(len(finals[0]))]
    return TrainResult(history=hist, eval_proba=eval_proba, best_epoch=best_epoch,
                       stopped_epoch=stopped_epoch, params=stacked, model_ids=model_ids, seed=seed)
