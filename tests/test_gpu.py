"""``device="cuda"``: the batched trainer and the torch losses on a GPU give the CPU's results.

Skipped without a CUDA device. ``tests/conftest.py`` hides GPUs from the test suite unless
``CUDA_VISIBLE_DEVICES`` is already set, so on a GPU machine (with torch's CUDA build, see the
README, "Run the full profile on a GPU")::

    CUDA_VISIBLE_DEVICES=0 .venv/bin/python -m pytest tests/test_gpu.py -q

The trainer draws its randomness (initialisation, shuffling, dropout) from per-model CPU
generators, so both devices train the same models: only floating-point rounding may differ.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lossfns
import lossfns.torch as lt
from lossfns.training import MLPSpec, Task, train_batched

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA device visible to torch (a CUDA build of torch and CUDA_VISIBLE_DEVICES=0 "
           "are needed: tests/conftest.py hides GPUs by default)")

SPEC = MLPSpec(((8, "relu", 0.25), (4, "tanh", 0.0)))  # tiny, with dropout (CPU-drawn masks)


def _tasks(n_models: int = 3, seed: int = 0) -> list[Task]:
    rng = np.random.default_rng(seed)
    tasks = []
    for m in range(n_models):
        n = 30 + 7 * m  # ragged: padded batches on both devices
        X = rng.normal(size=(n, 5))
        y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(float)
        Xe = rng.normal(size=(20, 5))
        ye = (Xe[:, 0] + 0.5 * Xe[:, 1] > 0).astype(float)
        tasks.append(Task(X, y, Xe, ye))
    return tasks


def _xm(p, t):
    return lossfns.xtreme_margin(p, t, lam1=2.0, lam2=2.0, reduction="none")


def _train(device: str, dtype) -> object:
    return train_batched(SPEC, _tasks(), _xm, epochs=3, batch_size=8, optimizer="rmsprop",
                         seed=3, dtype=dtype, device=device, quiet=True)


@pytest.mark.parametrize("dtype,atol", [(torch.float64, 1e-9), (torch.float32, 2e-4)])
def test_train_batched_cuda_matches_cpu(dtype, atol):
    cpu, gpu = _train("cpu", dtype), _train("cuda", dtype)
    assert all(p.device.type == "cpu" for p in gpu.params), "parameters come back on the CPU"
    for key in cpu.history:
        np.testing.assert_allclose(gpu.history[key], cpu.history[key], atol=atol, rtol=0, err_msg=key)
    for a, b in zip(gpu.eval_proba, cpu.eval_proba):
        np.testing.assert_allclose(a, b, atol=atol, rtol=0)
    for a, b in zip(gpu.params, cpu.params):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=10 * atol, rtol=0)


def test_auto_device_picks_cuda():
    from lossfns.training import resolve_device
    assert resolve_device("auto") == "cuda"


LOSSES = [
    (lt.BinaryCrossEntropyLoss, {}),
    (lt.HingeLoss, {}),
    (lt.FocalLoss, {}),
    (lt.XtremeMarginLoss, {"lam1": 2.0, "lam2": 100.0}),
    (lt.SoftF1Loss, {}),
    (lt.SoftAUROCLoss, {}),
]


@pytest.mark.parametrize("cls,params", LOSSES, ids=[c.__name__ for c, _ in LOSSES])
def test_torch_losses_on_cuda_match_cpu(cls, params):
    g = torch.Generator().manual_seed(0)
    p_cpu = torch.rand(64, generator=g, dtype=torch.float64).clamp(0.01, 0.99).requires_grad_(True)
    t_cpu = (torch.rand(64, generator=g) > 0.5).to(torch.float64)
    p_gpu = p_cpu.detach().to("cuda").requires_grad_(True)
    crit = cls(**params)
    loss_cpu, loss_gpu = crit(p_cpu, t_cpu), crit(p_gpu, t_cpu.to("cuda"))
    assert loss_gpu.device.type == "cuda" and loss_gpu.dtype == torch.float64
    loss_cpu.backward()
    loss_gpu.backward()
    np.testing.assert_allclose(loss_gpu.item(), loss_cpu.item(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p_gpu.grad.cpu().numpy(), p_cpu.grad.numpy(), rtol=1e-9, atol=1e-12)


# --- the training paths of the full profile (early stopping, pooled losses, probes, CNNs) -----

def _val_tasks(n_models: int = 3, seed: int = 1) -> list[Task]:
    rng = np.random.default_rng(seed)
    tasks = []
    for m in range(n_models):
        n = 40 + 5 * m
        X = rng.normal(size=(n, 5))
        y = (X[:, 0] - 0.4 * X[:, 2] + 0.3 * rng.normal(size=n) > 0).astype(float)
        Xv = rng.normal(size=(15, 5))
        yv = (Xv[:, 0] - 0.4 * Xv[:, 2] > 0).astype(float)
        tasks.append(Task(X, y, Xv, yv, Xv, yv))
    return tasks


def _assert_same_run(cpu, gpu, atol):
    np.testing.assert_array_equal(gpu.best_epoch, cpu.best_epoch)
    np.testing.assert_array_equal(gpu.stopped_epoch, cpu.stopped_epoch)
    for key in cpu.history:
        np.testing.assert_allclose(gpu.history[key], cpu.history[key], atol=atol, rtol=0, err_msg=key)
    for a, b in zip(gpu.eval_proba, cpu.eval_proba):
        np.testing.assert_allclose(a, b, atol=atol, rtol=0)


@pytest.mark.parametrize("reduction", ["mean", "pooled"])
def test_early_stopping_and_pooled_losses_on_cuda_match_cpu(reduction):
    """The tabular protocols (003-5-1, 003-5-3, 000-8): patience windows with the best weights
    restored, per-sample and pooled (soft-set) losses, probes."""
    from lossfns.training.batched import pooled
    loss = pooled(lt.SoftF1Loss()) if reduction == "pooled" else _xm
    kw = dict(epochs=6, batch_size=16, optimizer="adam", seed=5, dtype=torch.float64,
              patience=2, quiet=True, probes=True,
              loss_reduction="batch" if reduction == "pooled" else "mean")
    cpu = train_batched(SPEC, _val_tasks(), loss, device="cpu", **kw)
    gpu = train_batched(SPEC, _val_tasks(), loss, device="cuda", **kw)
    _assert_same_run(cpu, gpu, 1e-9)


@pytest.mark.parametrize("arch", ["small_cnn", "tiny_darknet"])
def test_cnn_training_and_prediction_on_cuda_match_cpu(arch):
    """The image protocols (001-6 small CNN on Fashion-MNIST, 003-5-2 Tiny Darknet on CIFAR-10):
    ragged tasks, batch norm, early stopping, then predict_cnn with the trained parameters."""
    from lossfns.training.cnn import SMALL_CNN, TINY_DARKNET, predict_cnn, train_cnn
    spec, shape = {"small_cnn": (SMALL_CNN, (28, 28)), "tiny_darknet": (TINY_DARKNET, (3, 32, 32))}[arch]
    rng = np.random.default_rng(2)
    tasks = []
    for n in (12, 9):
        X, Xv = rng.normal(size=(n,) + shape), rng.normal(size=(6,) + shape)
        tasks.append(Task(X, (X.reshape(n, -1)[:, 0] > 0).astype(int), Xv,
                          (Xv.reshape(6, -1)[:, 0] > 0).astype(int), Xv,
                          (Xv.reshape(6, -1)[:, 0] > 0).astype(int)))

    def bce(p, t):
        return torch.nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t, reduction="none")

    kw = dict(epochs=2, batch_size=4, dtype=torch.float64, seed=1, patience=1, quiet=True)
    cpu, gpu = (train_cnn(spec, tasks, bce, device=d, **kw) for d in ("cpu", "cuda"))
    _assert_same_run(cpu, gpu, 1e-8)
    X = rng.normal(size=(5,) + shape)
    on_cpu = predict_cnn(spec, cpu.params, X)
    on_gpu = predict_cnn(spec, [p.to("cuda") for p in gpu.params], X)
    np.testing.assert_allclose(on_gpu, on_cpu, atol=1e-8, rtol=0)
