"""Small convolutional networks for binary image classification, many models at once.

Two architectures (plain torch, no torchvision), each ending in one output unit
(``output="probability"``: sigmoid; ``"logit"``: linear):

- :data:`SMALL_CNN` for 28 x 28 grayscale images (Fashion-MNIST sized, document
  001): conv 3x3 (16) - ReLU - maxpool 2 - conv 3x3 (32) - ReLU - maxpool 2 -
  flatten - dense 64 - ReLU - dense 1 ("same" padding; 105,281 parameters).
  The document does not print its network; this is a stated choice.
- :data:`TINY_DARKNET` for 32 x 32 x 3 images (document 003 supp. Sec. 4.2,
  "Tiny Darknet"): the Darknet reference tiny stack of 3x3 / 1x1 convolutions,
  each followed by batch norm and leaky ReLU (slope 0.1), with 2 x 2 max
  pooling; channels 16, [pool] 32, [pool] 16-128-16-128, [pool]
  32-256-32-256, [pool] 64-512-64-512-128, then a 1x1 convolution to one
  channel, global average pooling and the output unit. (ImageNet's 1000-way
  head becomes one unit; the fifth pooling is dropped for 32 x 32 inputs.)

Initialisation (per model, from its own CPU generator, float64 then cast):
Glorot-uniform kernels (Keras' default; fans in*k*k and out*k*k), zero
biases, batch-norm scale 1 and shift 0. Batch norm follows torch's defaults
(momentum 0.1, i.e. Keras momentum 0.9; eps 1e-5; running variance unbiased)
and is computed over the *real* rows of a batch only (padding of a ragged last
batch never enters the statistics); evaluation uses the running statistics.

Many models: parameters are stacked with the models first and the forward
pass is ``torch.func.vmap`` of :func:`functional_forward` over them
(``vectorize=True``; convolutions become grouped convolutions), or a loop over
the models (``vectorize=False``, less memory). Randomness is per model as in
:mod:`lossfns.training.batched` (init, then each epoch ``randperm`` of its rows
from generator ``model_seed(seed, model_id)``), so training M models together
equals training each alone up to float rounding.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .._progress import progress
from .._validation import check_positive_int
from .batched import Task, TrainResult, _masked_mean, check_run, model_seed
from .early_stopping import EarlyStopping
from .optim import make_optimizer
from .probes import ProbeRecorder

__all__ = ["CNNSpec", "SMALL_CNN", "TINY_DARKNET", "cnn_init", "functional_forward", "train_cnn",
           "predict_cnn", "n_parameters"]

LAYER_KINDS = ("conv", "bn", "relu", "leaky", "pool", "gap", "flatten", "dense")


@dataclass(frozen=True)
class CNNSpec:
    """``in_shape`` (C, H, W) and layers: ``("conv", out, k, bias)``, ``("bn",)``,
    ``("relu",)``, ``("leaky",)`` (slope 0.1), ``("pool",)`` (max 2x2),
    ``("gap",)`` (global average pool), ``("flatten",)``, ``("dense", units)``.
    The last layer must produce one value per image."""

    in_shape: tuple
    layers: tuple
    output: str = "probability"

    def __post_init__(self):
        for k, layer in enumerate(self.layers):
            if layer[0] not in LAYER_KINDS:
                raise ValueError(f"layers[{k}] kind must be one of {LAYER_KINDS}, got {layer[0]!r}")
        if self.output not in ("probability", "logit"):
            raise ValueError(f"output must be 'probability' or 'logit', got {self.output!r}")
        if self._shapes()[-1] != (1,):
            raise ValueError(f"the network must end in one unit, got shape {self._shapes()[-1]}")

    def with_output(self, output: str) -> "CNNSpec":
        return CNNSpec(self.in_shape, self.layers, output)

    def _shapes(self):
        shape = tuple(self.in_shape)
        out = [shape]
        for layer in self.layers:
            kind = layer[0]
            if kind == "conv":
                shape = (layer[1],) + shape[1:]
            elif kind == "pool":
                shape = (shape[0], shape[1] // 2, shape[2] // 2)
            elif kind == "gap":
                shape = (shape[0],)
            elif kind == "flatten":
                shape = (int(np.prod(shape)),)
            elif kind == "dense":
                shape = (layer[1],)
            out.append(shape)
        return out


def _darknet_layers():
    layers = []

    def conv(c, k):
        layers.extend([("conv", c, k, False), ("bn",), ("leaky",)])

    conv(16, 3); layers.append(("pool",))
    conv(32, 3); layers.append(("pool",))
    for c in (16, 128, 16, 128):
        conv(c, 1 if c == 16 else 3)
    layers.append(("pool",))
    for c in (32, 256, 32, 256):
        conv(c, 1 if c == 32 else 3)
    layers.append(("pool",))
    for c in (64, 512, 64, 512, 128):
        conv(c, 1 if c in (64, 128) else 3)
    layers.extend([("conv", 1, 1, True), ("gap",)])
    return tuple(layers)


SMALL_CNN = CNNSpec((1, 28, 28), (("conv", 16, 3, True), ("relu",), ("pool",),
                                  ("conv", 32, 3, True), ("relu",), ("pool",), ("flatten",),
                                  ("dense", 64), ("relu",), ("dense", 1)))
TINY_DARKNET = CNNSpec((3, 32, 32), _darknet_layers())


def _glorot(shape, fan_in, fan_out, gen):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand(*shape, generator=gen, dtype=torch.float64) * 2.0 - 1.0) * limit


def cnn_init(spec: CNNSpec, generator: torch.Generator, dtype=torch.float32):
    """One model's (params, buffers): dicts of tensors, drawn layer by layer."""
    params, buffers = {}, {}
    shapes = spec._shapes()
    for i, layer in enumerate(spec.layers):
        c_in = shapes[i][0]
        if layer[0] == "conv":
            _, c, k, bias = layer
            params[f"{i}.w"] = _glorot((c, c_in, k, k), c_in * k * k, c * k * k, generator).to(dtype)
            if bias:
                params[f"{i}.b"] = torch.zeros(c, dtype=dtype)
        elif layer[0] == "dense":
            params[f"{i}.w"] = _glorot((layer[1], c_in), c_in, layer[1], generator).to(dtype)
            params[f"{i}.b"] = torch.zeros(layer[1], dtype=dtype)
        elif layer[0] == "bn":
            params[f"{i}.g"] = torch.ones(c_in, dtype=dtype)
            params[f"{i}.b"] = torch.zeros(c_in, dtype=dtype)
            buffers[f"{i}.mean"] = torch.zeros(c_in, dtype=dtype)
            buffers[f"{i}.var"] = torch.ones(c_in, dtype=dtype)
    return params, buffers


def n_parameters(spec: CNNSpec) -> int:
    """Number of trainable parameters of one model."""
    p, _ = cnn_init(spec, torch.Generator().manual_seed(0), torch.float32)
    return sum(v.numel() for v in p.values())


BN_MOMENTUM, BN_EPS = 0.1, 1e-5


def functional_forward(spec: CNNSpec, params: dict, buffers: dict, x: torch.Tensor,
                       weight: torch.Tensor | None = None):
    """One model: x (B, C, H, W) -> ((B,) outputs, new buffers).

    ``weight`` (B,) in {0, 1} marks real rows in training mode (batch norm
    from batch statistics over them, running statistics updated); ``None``
    is evaluation mode (running statistics, buffers returned unchanged).
    """
    h = x
    new = dict(buffers)
    for i, layer in enumerate(spec.layers):
        kind = layer[0]
        if kind == "conv":
            k = layer[2]
            h = F.conv2d(h, params[f"{i}.w"], params.get(f"{i}.b"), padding=k // 2)
        elif kind == "dense":
            h = h @ params[f"{i}.w"].T + params[f"{i}.b"]
        elif kind == "bn":
            if weight is None:
                mean, var = buffers[f"{i}.mean"], buffers[f"{i}.var"]
            else:
                w = weight.view(-1, 1, 1, 1)
                cnt = (weight.sum() * h.shape[2] * h.shape[3])
                mean = (h * w).sum((0, 2, 3)) / cnt.clamp(min=1)
                var = (((h - mean.view(1, -1, 1, 1)) ** 2) * w).sum((0, 2, 3)) / cnt.clamp(min=1)
                with torch.no_grad():
                    unbiased = var.detach() * cnt / (cnt - 1).clamp(min=1)
                    new[f"{i}.mean"] = (1 - BN_MOMENTUM) * buffers[f"{i}.mean"] + BN_MOMENTUM * mean.detach()
                    new[f"{i}.var"] = (1 - BN_MOMENTUM) * buffers[f"{i}.var"] + BN_MOMENTUM * unbiased
            h = ((h - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + BN_EPS)
                 * params[f"{i}.g"].view(1, -1, 1, 1) + params[f"{i}.b"].view(1, -1, 1, 1))
        elif kind == "relu":
            h = torch.relu(h)
        elif kind == "leaky":
            h = F.leaky_relu(h, 0.1)
        elif kind == "pool":
            h = F.max_pool2d(h, 2)
        elif kind == "gap":
            h = h.mean((2, 3))
        elif kind == "flatten":
            h = h.flatten(1)
    z = h.reshape(h.shape[0])
    return (torch.sigmoid(z) if spec.output == "probability" else z), new


def _stacked_forward(spec, names, bnames, params, buffers, x, weight, vectorize):
    """M models: params/buffers lists of stacked tensors, x (M, B, C, H, W) -> (M, B), buffers."""
    def one(p, b, xx, ww):
        out, nb = functional_forward(spec, dict(zip(names, p)), dict(zip(bnames, b)), xx, ww)
        return out, [nb[k] for k in bnames]

    if vectorize:
        if weight is None:
            out, nb = torch.func.vmap(lambda p, b, xx: one(p, b, xx, None))(params, buffers, x)
        else:
            out, nb = torch.func.vmap(one)(params, buffers, x, weight)
        return out, nb
    outs, nbs = [], []
    for m in range(x.shape[0]):
        o, nb = one([p[m] for p in params], [b[m] for b in buffers], x[m],
                    None if weight is None else weight[m])
        outs.append(o)
        nbs.append(nb)
    return torch.stack(outs), [torch.stack([nb[j] for nb in nbs]) for j in range(len(bnames))]


def _images(X, spec, name):
    X = np.asarray(X)
    if X.ndim == 3 and spec.in_shape[0] == 1:
        X = X[:, None]
    if X.shape[1:] != tuple(spec.in_shape):
        raise ValueError(f"{name} must have shape (n, {', '.join(map(str, spec.in_shape))}), got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} must be finite")
    return X


def _labels(y, n, name):
    y = np.asarray(y).ravel()
    if len(y) != n:
        raise ValueError(f"{name} must have {n} labels, got {len(y)}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{name} must contain only 0 and 1")
    return y


def _pad_stack(arrays, dtype, device):
    n = [len(a) for a in arrays]
    out = torch.zeros((len(arrays), max(max(n), 1)) + arrays[0].shape[1:], dtype=dtype)
    for m, a in enumerate(arrays):
        out[m, :len(a)] = torch.as_tensor(a, dtype=dtype)
    mask = torch.arange(out.shape[1])[None, :] < torch.tensor(n)[:, None]
    return out.to(device), mask.to(device), n


def train_cnn(spec: CNNSpec, tasks: Sequence[Task], loss_fn: Callable, *, epochs: int,
              batch_size: int = 32, optimizer: str = "adam", optimizer_kwargs: dict | None = None,
              seed: int = 0, model_ids: Sequence[int] | None = None, shuffle: bool = True,
              patience: int | None = None, restore_best: bool = True, loss_reduction: str = "mean",
              probes: bool = False, dtype=torch.float32, device: str = "auto", quiet: bool = False,
              eval_batch: int = 1024, vectorize: bool = True, threads: int | None = 1) -> TrainResult:
    """Train M = len(tasks) CNNs of one ``spec`` at once (see module doc).

    Same contract as :func:`lossfns.training.train_batched` (losses, ragged
    tasks, per-model ``optimizer_kwargs["lr"]``, early stopping with
    ``patience`` / ``restore_best``, ``probes``, result layout); images are
    (n, C, H, W) arrays (or (n, H, W) for one channel). ``eval_batch`` rows
    per evaluation chunk; ``vectorize=False`` loops over the models instead
    of ``vmap`` (same numbers, less memory). ``threads``: CPU threads while
    training (restored after; ``None`` keeps torch's setting); the default 1
    because two threads ran ~20x slower on the shared 2-core machine
    (docs/benchmarks-training.md). ``TrainResult.params`` holds the stacked parameters then
    the batch-norm running statistics, in :func:`cnn_init` order.
    """
    if not isinstance(spec, CNNSpec):
        raise TypeError(f"spec must be a CNNSpec, got {type(spec).__name__}")
    tasks, loss_fn, loss_reduction, model_ids, dev = check_run(
        tasks, loss_fn, epochs=epochs, batch_size=batch_size, loss_reduction=loss_reduction,
        dtype=dtype, model_ids=model_ids, device=device)
    M = len(tasks)
    has_eval = tasks[0].X_eval is not None
    has_val = tasks[0].X_val is not None
    if any((t.X_eval is not None) != has_eval or (t.X_val is not None) != has_val for t in tasks):
        raise ValueError("either all tasks or none must have an eval (val) set")
    if patience is not None and not has_val:
        raise ValueError("patience (early stopping) needs X_val/y_val in every task")

    sets = {}
    for name in ("train", "eval", "val"):
        if name == "train" or (name == "eval" and has_eval) or (name == "val" and has_val):
            Xs = [_images(getattr(t, f"X_{name}"), spec, f"tasks[{m}].X_{name}") for m, t in enumerate(tasks)]
            ys = [_labels(getattr(t, f"y_{name}"), len(x), f"tasks[{m}].y_{name}")
                  for m, (t, x) in enumerate(zip(tasks, Xs))]
            X_, mask, n_ = _pad_stack(Xs, dtype, dev)
            y_, _, _ = _pad_stack(ys, dtype, dev)
            sets[name] = (X_, y_, mask, n_)
    Xtr, ytr, _, n_tr = sets["train"]
    if min(n_tr) == 0:
        raise ValueError("every task needs at least one training sample")

    gens = [torch.Generator().manual_seed(model_seed(seed, i)) for i in model_ids]
    inits = [cnn_init(spec, g, dtype) for g in gens]
    names, bnames = list(inits[0][0]), list(inits[0][1])
    params = [torch.stack([pb[0][k] for pb in inits]).to(dev).requires_grad_(True) for k in names]
    buffers = [torch.stack([pb[1][k] for pb in inits]).to(dev) for k in bnames]
    opt = make_optimizer(optimizer, params, **(optimizer_kwargs or {}))
    if dev.type == "cpu":
        opt.flush_tiny = True

    B = int(batch_size)
    steps = [math.ceil(n / B) for n in n_tr]
    S = max(steps)
    arangeM = torch.arange(M, device=dev)
    hist = {k: np.full((M, epochs), np.nan) for k in ["train_loss", "train_acc"]
            + (["eval_loss", "eval_acc"] if has_eval else []) + (["val_loss"] if has_val else [])}
    stopper = EarlyStopping(M, patience or 1, epochs, params + buffers if patience is not None else None)
    alive = stopper.alive
    from_logits = spec.output == "logit"
    thr = 0.0 if from_logits else 0.5
    recorder = ProbeRecorder(M, epochs, ("train", "val") if has_val else ("train",)) if probes else None

    def model_loss(out, y, mask):
        if loss_reduction == "mean":
            per = loss_fn(out, y)
            if per.shape != out.shape:
                raise ValueError(f"loss_fn must return per-sample losses of shape {tuple(out.shape)}, "
                                 f"got {tuple(per.shape)} (use loss_reduction='batch' for batch losses)")
            return _masked_mean(per, mask)
        return loss_fn(out, y, mask)

    def evaluate(name):
        X_, y_, mask, _ = sets[name]
        with torch.no_grad():
            out = torch.cat([_stacked_forward(spec, names, bnames, params, buffers,
                                              X_[:, i:i + eval_batch], None, vectorize)[0]
                             for i in range(0, X_.shape[1], eval_batch)], dim=1)
            loss = model_loss(out, y_, mask)
            acc = _masked_mean(((out >= thr).to(dtype) == y_).to(dtype), mask)
        return out, loss.cpu().numpy(), acc.cpu().numpy()

    def run_epochs():
        for epoch in progress(range(epochs), quiet=quiet, desc="epochs", leave=False):
            idx = torch.zeros(S * B, M, dtype=torch.long)
            smask = torch.zeros(S * B, M, dtype=torch.bool)
            for m in np.flatnonzero(alive):
                n = n_tr[m]
                idx[:n, m] = torch.randperm(n, generator=gens[m]) if shuffle else torch.arange(n)
                smask[:n, m] = True
            idx = idx.view(S, B, M).transpose(1, 2).to(dev)      # (S, M, B)
            smask = smask.view(S, B, M).transpose(1, 2).to(dev)
            active_all = smask.any(2) & torch.as_tensor(alive, device=dev)
            loss_sum = torch.zeros(M, dtype=dtype, device=dev)
            correct = torch.zeros(M, dtype=dtype, device=dev)
            for s in range(S):
                mb, active = smask[s], active_all[s]
                xb = Xtr[arangeM[:, None], idx[s]]
                yb = ytr[arangeM[:, None], idx[s]]
                out, nb = _stacked_forward(spec, names, bnames, params, buffers, xb, mb.to(dtype), vectorize)
                ml = model_loss(out, yb, mb)
                grads = torch.autograd.grad(ml.sum(), params)
                opt.step(grads, active)
                with torch.no_grad():
                    for j, b in enumerate(nb):
                        buffers[j] = torch.where(active.view(-1, *([1] * (b.dim() - 1))), b, buffers[j])
                    cnt = mb.sum(1).to(dtype)
                    loss_sum += torch.where(active, ml.detach() * cnt, torch.zeros_like(cnt))
                    hit = ((out.detach() >= thr).to(dtype) == yb) & mb
                    correct += torch.where(active, hit.sum(1).to(dtype), torch.zeros_like(cnt))
            live = np.flatnonzero(alive)
            n_arr = np.asarray(n_tr, float)
            hist["train_loss"][live, epoch] = (loss_sum.cpu().numpy() / n_arr)[live]
            hist["train_acc"][live, epoch] = (correct.cpu().numpy() / n_arr)[live]
            if has_eval:
                _, el, ea = evaluate("eval")
                hist["eval_loss"][live, epoch] = el[live]
                hist["eval_acc"][live, epoch] = ea[live]
            if probes:
                recorder.add_params(epoch, live, params)
                out_t, tl, _ = evaluate("train")
                recorder.add(epoch, live, "train", out_t, ytr, sets["train"][2], from_logits=from_logits, loss=tl)
            if has_val:
                out_v, vl, _ = evaluate("val")
                hist["val_loss"][live, epoch] = vl[live]
                if probes:
                    recorder.add(epoch, live, "val", out_v, sets["val"][1], sets["val"][2],
                                 from_logits=from_logits, loss=vl)
                if patience is not None:
                    stopper.update(epoch, vl, params + buffers)
                    if not alive.any():
                        break

    threads_before = torch.get_num_threads()
    if dev.type == "cpu" and threads is not None:
        check_positive_int("threads", threads)
        torch.set_num_threads(threads)
    try:
        run_epochs()
    finally:
        torch.set_num_threads(threads_before)
    if patience is not None and restore_best:
        stopper.restore(params + buffers)
    eval_proba = []
    if has_eval:
        out, _, _ = evaluate("eval")
        out = out.cpu().numpy().astype(np.float64)
        eval_proba = [out[m, :sets["eval"][3][m]] for m in range(M)]
    return TrainResult(history=hist, eval_proba=eval_proba, best_epoch=stopper.best_epoch,
                       stopped_epoch=stopper.stopped_epoch,
                       params=[p.detach().cpu() for p in params] + [b.cpu() for b in buffers],
                       model_ids=model_ids, seed=seed, probes=recorder.record if probes else {})


def predict_cnn(spec: CNNSpec, params, X, *, eval_batch: int = 1024) -> np.ndarray:
    """Outputs (M, n) of trained models (``TrainResult.params``) on one image array X."""
    p0, b0 = cnn_init(spec, torch.Generator().manual_seed(0))
    names, bnames = list(p0), list(b0)
    p, b = list(params[:len(names)]), list(params[len(names):])
    x = torch.as_tensor(_images(X, spec, "X"), dtype=p[0].dtype, device=p[0].device)
    M = p[0].shape[0]
    with torch.no_grad():
        outs = [_stacked_forward(spec, names, bnames, p, b,
                                 x[i:i + eval_batch].unsqueeze(0).expand(M, *x[i:i + eval_batch].shape),
                                 None, True)[0] for i in range(0, len(x), eval_batch)]
    return torch.cat(outs, 1).cpu().numpy()
