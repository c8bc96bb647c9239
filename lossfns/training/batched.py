"""Train many independent copies of one small MLP at once (PyTorch).

Model m (of M) has its own training data (e.g. its own CV fold), its own
initialisation, shuffling, dropout masks and optimiser state; all M run in
lock-step through stacked parameters (M, in, out) and ``torch.baddbmm``.

Randomness and parity. Model m owns a CPU ``torch.Generator`` seeded from
``SeedSequence([seed, model_id])`` (``model_id`` defaults to m). It draws, in
this order: the Glorot init of every layer; then, each epoch, a permutation of
its n_m training rows (``randperm``) and a block of uniforms of shape
(steps_m, batch_size, dropout_units) for its dropout masks. These draws depend
only on (seed, model_id, n_m, batch_size, spec), never on the other models,
so training copy m alone (``model_ids=[m]``) draws the very same numbers as
training it among others. Ragged epochs (n_m not equal) are padded: a padded
sample has mask 0, and a model with fewer batches than the longest is
*inactive* on the extra steps: its parameters and optimiser state are left
untouched. Losses are averaged per model over its real samples (Keras "mean"
reduction), so gradients are per model. Hence batched and one-by-one runs give
the same numbers up to float rounding of the batched matmuls.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from .._progress import progress
from .._validation import check_positive_int, check_xy
from .device import resolve_device
from .early_stopping import EarlyStopping
from .mlp import MLPSpec, dropout_multipliers, forward, glorot_init
from .optim import make_optimizer
from .probes import ProbeRecorder


@dataclass
class Task:
    """Data of one model. Arrays: X (n, d) float, y (n,) in {0, 1}.

    ``X_eval``/``y_eval``: the set whose predictions are returned (and, with
    ``track_eval``, scored every epoch). ``X_val``/``y_val``: the set early
    stopping watches.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_eval: np.ndarray | None = None
    y_eval: np.ndarray | None = None
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None


@dataclass
class TrainResult:
    """Histories have shape (M, epochs), NaN after a model stopped early.

    ``eval_proba[m]``: (n_eval_m,) final outputs on model m's eval set (the
    probability, or the logit for ``output="logit"``), from the restored best
    parameters under early stopping. ``params``: final stacked parameters.
    """

    history: dict
    eval_proba: list
    best_epoch: np.ndarray
    stopped_epoch: np.ndarray
    params: list = field(repr=False, default_factory=list)
    model_ids: list = field(default_factory=list)
    seed: int = 0
    #: per-epoch probes (``probes=True``): "<set>/<probe>" and "param_norm" -> (M, epochs)
    probes: dict = field(default_factory=dict)


def model_seed(seed: int, model_id: int) -> int:
    """63-bit seed of model ``model_id``'s generator."""
    return int(np.random.SeedSequence([int(seed), int(model_id)]).generate_state(1, np.uint64)[0]
               & np.uint64(2**63 - 1))


def _as_xy(X, y, what: str, m: int, d: int | None):
    return check_xy(X, y, x_name=f"tasks[{m}].X_{what}", y_name=f"tasks[{m}].y_{what}",
                    n_features=d, finite=True)

def _pad(arrays, dtype, device, width=None):
    """Stack ragged (n_m, ...) arrays into (M, n_max, ...) with zero padding + lengths."""
    n = [len(a) for a in arrays]
    out = np.zeros((len(arrays), max(max(n), 1)) + arrays[0].shape[1:], dtype=np.float64)
    for m, a in enumerate(arrays):
        out[m, : len(a)] = a
    return torch.as_tensor(out, dtype=dtype, device=device), n


def _masked_mean(per_sample, mask):
    """(M, B) losses -> (M,) mean over real samples (0 for a model without any)."""
    s = torch.where(mask, per_sample, torch.zeros_like(per_sample)).sum(1)
    return s / mask.sum(1).clamp(min=1).to(per_sample.dtype)


def pooled(loss_fn: Callable) -> Callable:
    """A batch-pooled loss of one model -> a ``loss_reduction="batch"`` loss of M models.

    ``loss_fn(y_pred, y_true) -> scalar`` pools one model's batch (soft-set F1
    ``lossfns.soft_f1_loss``, ``lossfns.dice_loss``, ``lossfns.wmw_auroc_loss``,
    ...; bind options with ``functools.partial``). The result calls it once per
    model on that model's *real* rows only (``y_pred[m][mask[m]]``), so padding
    of a ragged last batch never enters the pooled counts, and model m's loss
    sees only its own batch: the same value as training model m alone. A model
    without real rows in the batch gets 0 (it is inactive on that step).
    """
    def batch_loss(y_pred, y_true, mask):
        vals = []
        for m in range(y_pred.shape[0]):
            if bool(mask[m].all()):
                vals.append(loss_fn(y_pred[m], y_true[m]))
            elif bool(mask[m].any()):
                vals.append(loss_fn(y_pred[m][mask[m]], y_true[m][mask[m]]))
            else:
                vals.append(y_pred[m].sum() * 0.0)
        return torch.stack([torch.as_tensor(v, dtype=y_pred.dtype, device=y_pred.device).reshape(())
                            if not torch.is_tensor(v) else v.reshape(()) for v in vals])
    batch_loss.__name__ = f"pooled_{getattr(loss_fn, '__name__', 'loss')}"
    return batch_loss


def check_run(tasks, loss_fn, *, epochs, batch_size, loss_reduction, dtype, model_ids, device):
    """The arguments every batched trainer shares (MLP and CNN), checked once.

    Returns ``(tasks, loss_fn, loss_reduction, model_ids, device)``: the tasks as a list, a
    ``"pooled"`` loss wrapped so each model sees only its own batch (then ``"batch"``), one
    model id per task and the ``torch.device``.
    """
    if not callable(loss_fn):
        raise TypeError("loss_fn must be callable")
    tasks = list(tasks)
    if not tasks:
        raise ValueError("tasks must be a non-empty sequence of Task")
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    if loss_reduction not in ("mean", "batch", "pooled"):
        raise ValueError(f"loss_reduction must be 'mean', 'batch' or 'pooled', got {loss_reduction!r}")
    if loss_reduction == "pooled":  # a library loss of one model's batch
        loss_fn, loss_reduction = pooled(loss_fn), "batch"
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f"dtype must be torch.float32 or torch.float64, got {dtype!r}")
    M = len(tasks)
    model_ids = list(range(M)) if model_ids is None else [int(i) for i in model_ids]
    if len(model_ids) != M:
        raise ValueError(f"model_ids must have one id per task ({M}), got {len(model_ids)}")
    return tasks, loss_fn, loss_reduction, model_ids, torch.device(resolve_device(device))


def train_batched(spec: MLPSpec, tasks: Sequence[Task], loss_fn: Callable, *,
                  epochs: int, batch_size: int = 32, optimizer: str = "rmsprop",
                  optimizer_kwargs: dict | None = None, seed: int = 0,
                  model_ids: Sequence[int] | None = None, shuffle: bool = True,
                  patience: int | None = None, track_eval: bool = True,
                  loss_reduction: str = "mean", dtype=torch.float32, device: str = "auto",
                  quiet: bool = False, eval_batch: int = 65536,
                  threads: int | None = 1, probes: bool = False,
                  restore_best: bool = True) -> TrainResult:
    """Train M = len(tasks) independent MLPs (see module doc for the randomness).

    Args:
        spec: architecture; ``spec.output`` decides whether ``loss_fn`` sees
            probabilities or logits.
        tasks: one :class:`Task` per model; all with the same number of features.
        loss_fn: ``loss_reduction="mean"``: ``loss_fn(y_pred, y_true) ->``
            per-sample losses, element-wise, shapes (M, B) -> (M, B); averaged
            per model over real samples. ``"batch"``: ``loss_fn(y_pred, y_true,
            mask) -> (M,)`` one loss per model's batch (for batch-level losses
            such as soft-set F1); mask (M, B) bool marks real samples. Wrap a
            library loss of one model with :func:`pooled` (each model sees only
            its own real rows), or pass it with ``loss_reduction="pooled"``:
            ``loss_fn(y_pred, y_true) -> scalar`` of one model's real rows.
        epochs, batch_size: as in Keras ``fit`` (the last batch may be short);
            ``epochs`` is the maximum epoch count under early stopping.
        optimizer: "rmsprop" (Keras defaults), "adam", "sgd" (momentum,
            nesterov); kwargs passed on (:mod:`lossfns.training.optim`).
            ``optimizer_kwargs["lr"]`` may be a sequence of M values, one per
            model: a learning-rate sweep in one call.
        seed, model_ids: generator of model m seeded from (seed, model_ids[m]).
        patience: early stopping on the validation loss (needs X_val/y_val),
            per model; reading "no new minimum for ``patience`` epochs"
            (:mod:`lossfns.training.early_stopping`): stop at epoch
            best_epoch + patience; then, with ``restore_best``, restore the
            parameters of the best validation epoch (per model).
        track_eval: score eval (and val) sets every epoch into the history.
        dtype, device: computation dtype and "auto"/"cpu"/"cuda".
        quiet: no tqdm progress bar.
        threads: CPU threads torch may use while training (restored after);
            ``None`` keeps torch's setting. The default 1 is fastest for these
            small matmuls on a shared 2-core machine (two threads measured up to
            30x slower there under load).
        probes: record per-epoch probes per model (``result.probes``, see
            :mod:`lossfns.training.probes`) on the training rows and, when
            given, the validation rows. Costs one extra evaluation pass of
            the training set per epoch; changes no trained number.

    Returns:
        :class:`TrainResult`; history keys "train_loss", "train_acc" (running
        means over the epoch, dropout on, as Keras reports them), plus
        "eval_loss", "eval_acc" (``track_eval``) and "val_loss" (val set given).
    """
    if not isinstance(spec, MLPSpec):
        raise TypeError(f"spec must be an MLPSpec, got {type(spec).__name__}")
    if patience is not None:
        check_positive_int("patience", patience)
    tasks, loss_fn, loss_reduction, model_ids, dev = check_run(
        tasks, loss_fn, epochs=epochs, batch_size=batch_size, loss_reduction=loss_reduction,
        dtype=dtype, model_ids=model_ids, device=device)
    M = len(tasks)

    # ---- data, padded to (M, n_max, d)
    d = np.asarray(tasks[0].X_train).shape[-1] if np.asarray(tasks[0].X_train).ndim == 2 else None
    tr = [_as_xy(t.X_train, t.y_train, "train", m, d) for m, t in enumerate(tasks)]
    if min(len(y) for _, y in tr) == 0:
        raise ValueError("every task needs at least one training sample")
    has_eval = tasks[0].X_eval is not None
    has_val = tasks[0].X_val is not None
    if any((t.X_eval is not None) != has_eval or (t.X_val is not None) != has_val for t in tasks):
        raise ValueError("either all tasks or none must have an eval (val) set")
    if patience is not None and not has_val:
        raise ValueError("patience (early stopping) needs X_val/y_val in every task")
    Xtr, n_tr = _pad([x for x, _ in tr], dtype, dev)
    ytr, _ = _pad([y for _, y in tr], dtype, dev)
    sets = {}
    for name, flag in (("eval", has_eval), ("val", has_val)):
        if flag:
            xy = [_as_xy(getattr(t, f"X_{name}"), getattr(t, f"y_{name}"), name, m, d)
                  for m, t in enumerate(tasks)]
            X_, n_ = _pad([x for x, _ in xy], dtype, dev)
            y_, _ = _pad([y for _, y in xy], dtype, dev)
            mask = torch.arange(X_.shape[1], device=dev)[None, :] < torch.tensor(n_, device=dev)[:, None]
            sets[name] = (X_, y_, mask, n_)

    # ---- per-model generators and parameters
    gens = [torch.Generator().manual_seed(model_seed(seed, i)) for i in model_ids]
    per_model = [glorot_init(spec, d, g, dtype) for g in gens]
    params = [torch.stack([pm[k] for pm in per_model]).to(dev).requires_grad_(True)
              for k in range(len(per_model[0]))]
    opt = make_optimizer(optimizer, params, **(optimizer_kwargs or {}))

    B = int(batch_size)
    steps = [math.ceil(n / B) for n in n_tr]
    S = max(steps)
    D = spec.dropout_units
    arangeM = torch.arange(M, device=dev)
    hist = {k: np.full((M, epochs), np.nan) for k in ["train_loss", "train_acc"]
            + (["eval_loss", "eval_acc"] if has_eval and track_eval else [])
            + (["val_loss"] if has_val else [])}
    stopper = EarlyStopping(M, patience or 1, epochs, params if patience is not None else None)
    alive = stopper.alive
    thr = 0.5 if spec.output == "probability" else 0.0
    recorder = ProbeRecorder(M, epochs, ("train", "val") if has_val else ("train",)) if probes else None
    if probes:
        tr_mask = torch.arange(Xtr.shape[1], device=dev)[None, :] < torch.tensor(n_tr, device=dev)[:, None]
        sets["train"] = (Xtr, ytr, tr_mask, n_tr)

    def evaluate(name):
        X_, y_, mask, _ = sets[name]
        with torch.no_grad():
            out = torch.cat([forward(spec, params, X_[:, i:i + eval_batch])
                             for i in range(0, X_.shape[1], eval_batch)], dim=1)
            if loss_reduction == "mean":
                loss = _masked_mean(loss_fn(out, y_), mask)
            else:
                loss = loss_fn(out, y_, mask)
            acc = _masked_mean(((out >= thr).to(dtype) == y_).to(dtype), mask)
        return out, loss.cpu().numpy(), acc.cpu().numpy()

    def _draw(live):
        """One epoch's per-model draws (permutation, then dropout uniforms) for
        the models ``live``, and the batches they select: (Xb, Yb, Mb, keep)."""
        idx = torch.zeros(S * B, M, dtype=torch.long)
        smask = torch.zeros(S * B, M, dtype=torch.bool)
        # (M, S*B, D), contiguous per model. Rows a model does not draw
        # (steps where it is idle, models stopped early) stay uninitialised:
        # their samples are masked, so their multipliers never reach a number.
        u = torch.empty(M, S * B, D, dtype=dtype) if D else None
        for m in live:
            n = n_tr[m]
            perm = torch.randperm(n, generator=gens[m]) if shuffle else torch.arange(n)
            idx[:n, m] = perm
            smask[:n, m] = True
            if D:
                # float32 draws (as always), written in place when dtype is float32
                if dtype == torch.float32:
                    torch.rand(steps[m] * B, D, generator=gens[m], out=u[m, : steps[m] * B])
                else:
                    u[m, : steps[m] * B] = torch.rand(steps[m] * B, D, generator=gens[m])
        idx, smask = idx.view(S, B, M).to(dev), smask.view(S, B, M).to(dev)
        keep = dropout_multipliers(spec, u.view(M, S, B, D).to(dev)) if D else None
        # one row gather (index_select on the flattened (M * n_max) rows, much
        # faster on CPU than broadcast advanced indexing), rows in (S, B, M)
        # order viewed as (S, M, B): the memory layout of the advanced-indexing
        # gather this replaces (matmul rounding follows it)
        flat = (idx + arangeM[None, None, :] * Xtr.shape[1]).reshape(-1)
        Xb = Xtr.reshape(-1, Xtr.shape[2]).index_select(0, flat).view(S, B, M, -1).transpose(1, 2)
        Yb = ytr.reshape(-1).index_select(0, flat).view(S, B, M).transpose(1, 2)
        return Xb, Yb, smask.transpose(1, 2), keep

    # Without early stopping the set of training models never changes, so the
    # next epoch's draws (which depend only on each model's own generator) are
    # made in a second thread while this epoch trains: the same numbers, the
    # second core used. With early stopping they are drawn in turn.
    pool = ThreadPoolExecutor(1) if patience is None and epochs > 1 else None

    def _run_epochs():
        nxt = None
        for epoch in progress(range(epochs), quiet=quiet, desc="epochs", leave=False):
            Xb, Yb, Mb, keep = nxt.result() if nxt is not None else _draw(np.flatnonzero(alive))
            if pool is not None and epoch + 1 < epochs:
                nxt = pool.submit(_draw, np.flatnonzero(alive))
            loss_sum = torch.zeros(M, dtype=dtype, device=dev)
            correct = torch.zeros(M, dtype=dtype, device=dev)
            alive_t = torch.as_tensor(alive, device=dev)
            active_all = Mb.any(2) & alive_t  # (S, M)
            for s in range(S):
                mb, yb, active = Mb[s], Yb[s], active_all[s]
                out = forward(spec, params, Xb[s], keep[:, s] if D else None)
                if loss_reduction == "mean":
                    per = loss_fn(out, yb)
                    if per.shape != out.shape:
                        raise ValueError(f"loss_fn must return per-sample losses of shape {tuple(out.shape)}, "
                                         f"got {tuple(per.shape)} (use loss_reduction='batch' for batch losses)")
                    model_loss = _masked_mean(per, mb)
                else:
                    model_loss = loss_fn(out, yb, mb)
                grads = torch.autograd.grad(model_loss.sum(), params)
                opt.step(grads, active)
                with torch.no_grad():
                    cnt = mb.sum(1).to(dtype)
                    loss_sum += torch.where(active, model_loss.detach() * cnt, torch.zeros_like(cnt))
                    hit = ((out.detach() >= thr).to(dtype) == yb) & mb
                    correct += torch.where(active, hit.sum(1).to(dtype), torch.zeros_like(cnt))
            n_arr = np.asarray(n_tr, float)
            live = np.flatnonzero(alive)
            hist["train_loss"][live, epoch] = (loss_sum.cpu().numpy() / n_arr)[live]
            hist["train_acc"][live, epoch] = (correct.cpu().numpy() / n_arr)[live]
            if has_eval and track_eval:
                _, el, ea = evaluate("eval")
                hist["eval_loss"][live, epoch] = el[live]
                hist["eval_acc"][live, epoch] = ea[live]
            if probes:
                recorder.add_params(epoch, live, params)
                out_t, tl, _ = evaluate("train")
                recorder.add(epoch, live, "train", out_t, ytr, sets["train"][2],
                             from_logits=spec.output == "logit", loss=tl)
            if has_val:
                out_v, vl, _ = evaluate("val")
                hist["val_loss"][live, epoch] = vl[live]
                if probes:
                    recorder.add(epoch, live, "val", out_v, sets["val"][1], sets["val"][2],
                                 from_logits=spec.output == "logit", loss=vl)
                if patience is not None:
                    stopper.update(epoch, vl, params)
                    if not alive.any():
                        break

    # Optimiser moments of idle units decay into float32 denormals, which make
    # CPU arithmetic several times slower; flush them to zero while training
    # (values below 1.2e-38 only), then switch back to torch's default.
    threads_before = torch.get_num_threads()
    if dev.type == "cpu":
        hardware_flush = torch.set_flush_denormal(True)
        if threads is not None:
            check_positive_int("threads", threads)
            torch.set_num_threads(threads)
        # one thread that flushes denormals itself: the optimiser's own flush is redundant
        opt.flush_tiny = not (hardware_flush and torch.get_num_threads() == 1)
    try:
        _run_epochs()
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if dev.type == "cpu":
            torch.set_flush_denormal(False)
            torch.set_num_threads(threads_before)
    if patience is not None and restore_best:
        stopper.restore(params)
    eval_proba = []
    if has_eval:
        out, _, _ = evaluate("eval")
        out = out.cpu().numpy().astype(np.float64)
        eval_proba = [out[m, : sets["eval"][3][m]] for m in range(M)]
    return TrainResult(history=hist, eval_proba=eval_proba, best_epoch=stopper.best_epoch,
                       stopped_epoch=stopper.stopped_epoch, params=[p.detach().cpu() for p in params],
                       model_ids=model_ids, seed=seed, probes=recorder.record if probes else {})


def predict(spec: MLPSpec, params, X) -> np.ndarray:
    """Outputs of every stacked model on one array X (n, d): shape (M, n)."""
    p0 = params[0]
    x = torch.as_tensor(np.asarray(X), dtype=p0.dtype, device=p0.device)
    with torch.no_grad():
        return forward(spec, params, x.unsqueeze(0).expand(p0.shape[0], -1, -1)).cpu().numpy()


def cv_tasks(X, y, splits, *, standardize: bool = False) -> list[Task]:
    """One Task per split (``splits`` from :mod:`lossfns.training.splits`).

    Eval set = split.test; val set = split.val when the split has one.
    ``standardize`` fits a StandardScaler on each split's training rows only.
    """
    from .splits import standardize as _std

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    tasks = []
    for sp in splits:
        parts = [X[sp.train], X[sp.test]] + ([X[sp.val]] if sp.val is not None else [])
        if standardize:
            parts = list(_std(*parts)[:-1])
        tasks.append(Task(parts[0], y[sp.train], parts[1], y[sp.test],
                          parts[2] if sp.val is not None else None,
                          y[sp.val] if sp.val is not None else None))
    return tasks
