"""CNNs trained many at once (issue 10): parity with one-by-one training, vmap vs loop,
masked batch norm on ragged batches, early stopping, probes, pooled losses, CUDA."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import lossfns
from lossfns.training import Task
from lossfns.training.batched import pooled
from lossfns.training.cnn import (SMALL_CNN, TINY_DARKNET, CNNSpec, n_parameters, predict_cnn,
                                  train_cnn)


def bce(p, t):
    return torch.nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t, reduction="none")


def _images(n, shape, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n,) + shape)
    y = (X.reshape(n, -1)[:, :20].mean(1) + 0.1 * rng.normal(size=n) > 0).astype(int)
    return X, y


def _tasks(shape, sizes, n_eval=6):
    out = []
    for k, n in enumerate(sizes):
        X, y = _images(n, shape, k)
        Xe, ye = _images(n_eval, shape, 50 + k)
        out.append(Task(X, y, Xe, ye, Xe, ye))
    return out


def _assert_same(a, b, m_a, m_b, tol):
    np.testing.assert_allclose(a.eval_proba[m_a], b.eval_proba[m_b], atol=tol, rtol=0)
    for k in ("train_loss", "train_acc", "eval_loss"):
        np.testing.assert_allclose(a.history[k][m_a], b.history[k][m_b], atol=tol, rtol=0)
    for pa, pb in zip(a.params, b.params):
        np.testing.assert_allclose(pa[m_a].numpy(), pb[m_b].numpy(), atol=tol, rtol=0)


def test_architectures():
    assert n_parameters(SMALL_CNN) == 105_281
    assert n_parameters(TINY_DARKNET) == 913_233
    assert SMALL_CNN._shapes()[-1] == (1,) and TINY_DARKNET._shapes()[-2] == (1, 2, 2)
    with pytest.raises(ValueError, match="end in one unit"):
        CNNSpec((1, 4, 4), (("conv", 2, 3, True), ("gap",)))


# float32 with SGD, not Adam: the vmapped and the looped convolutions round differently (by
# about 1e-7), and Adam divides each gradient by its own running scale, so a parameter whose
# gradient is rounding noise moves by +-lr either way (measured on an AVX2-only AMD EPYC: 0.02
# apart after 2 epochs at lr 1e-2, whatever the code); with SGD the same rounding stays at 1e-8.
# Adam's arithmetic is checked in float64, where rounding cannot flip a step.
@pytest.mark.parametrize("dtype,optimizer,tol", [(torch.float64, "adam", 1e-10), (torch.float32, "sgd", 1e-5)])
def test_small_cnn_together_equals_alone(dtype, optimizer, tol):
    tasks = _tasks((28, 28), (21, 13, 8))  # ragged: 3, 2, 1 batches of 8, short last batches
    kw = dict(epochs=2, batch_size=8, optimizer=optimizer, optimizer_kwargs={"lr": 1e-2}, dtype=dtype,
              quiet=True, seed=4, device="cpu")
    together = train_cnn(SMALL_CNN, tasks, bce, **kw)
    for m, task in enumerate(tasks):
        _assert_same(together, train_cnn(SMALL_CNN, [task], bce, model_ids=[m], **kw), m, 0, tol)
    looped = train_cnn(SMALL_CNN, tasks, bce, vectorize=False, **kw)
    for m in range(3):
        _assert_same(together, looped, m, m, tol)


def test_tiny_darknet_together_equals_alone_with_masked_batchnorm():
    # ragged tasks: batch norm statistics of the short last batches must ignore padding
    tasks = _tasks((3, 32, 32), (7, 4), n_eval=3)
    kw = dict(epochs=1, batch_size=4, optimizer="sgd", optimizer_kwargs={"lr": [0.05, 0.01], "momentum": 0.9},
              dtype=torch.float64, quiet=True, seed=1)
    together = train_cnn(TINY_DARKNET, tasks, bce, **kw)
    for m, task in enumerate(tasks):
        alone_kw = dict(kw, optimizer_kwargs={"lr": kw["optimizer_kwargs"]["lr"][m], "momentum": 0.9})
        _assert_same(together, train_cnn(TINY_DARKNET, [task], bce, model_ids=[m], **alone_kw), m, 0, 1e-10)
    # running statistics moved away from their initial values (0, 1)
    assert not torch.allclose(together.params[-1], torch.ones_like(together.params[-1]))
    np.testing.assert_allclose(predict_cnn(TINY_DARKNET, together.params, tasks[0].X_eval)[0],
                               together.eval_proba[0], atol=1e-12)


def test_cnn_pooled_loss_parity_early_stopping_and_probes():
    tasks = _tasks((28, 28), (19, 11))
    loss = pooled(lossfns.soft_f1_loss)
    kw = dict(epochs=6, batch_size=8, optimizer="adam", optimizer_kwargs={"lr": 0.05}, dtype=torch.float64,
              quiet=True, seed=2, loss_reduction="batch", patience=2, probes=True)
    together = train_cnn(SMALL_CNN, tasks, loss, **kw)
    for m, task in enumerate(tasks):
        alone = train_cnn(SMALL_CNN, [task], loss, model_ids=[m], **kw)
        _assert_same(together, alone, m, 0, 1e-10)
        assert alone.best_epoch[0] == together.best_epoch[m]
        np.testing.assert_allclose(alone.probes["val/f1"][0], together.probes["val/f1"][m], atol=1e-12)
    assert together.probes["train/accuracy"].shape == (2, 6)
    vl = together.history["val_loss"]
    for m in range(2):
        b, s = together.best_epoch[m], together.stopped_epoch[m]
        assert vl[m, b] == np.nanmin(vl[m]) and (s == 5 or s - b == 2)


def test_cnn_input_validation():
    X, y = _images(4, (28, 28), 0)
    with pytest.raises(ValueError, match=r"shape \(n, 3, 32, 32\)"):
        train_cnn(TINY_DARKNET, [Task(X, y)], bce, epochs=1, quiet=True)
    with pytest.raises(ValueError, match="patience"):
        train_cnn(SMALL_CNN, [Task(X, y)], bce, epochs=1, patience=2, quiet=True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    tasks = _tasks((28, 28), (16, 9))
    kw = dict(epochs=2, batch_size=8, dtype=torch.float64, quiet=True, seed=3)
    cpu = train_cnn(SMALL_CNN, tasks, bce, device="cpu", **kw)
    gpu = train_cnn(SMALL_CNN, tasks, bce, device="cuda", **kw)
    for m in range(2):
        np.testing.assert_allclose(cpu.eval_proba[m], gpu.eval_proba[m], atol=1e-8)
    from lossfns.training import MLPSpec, train_batched
    X, y = _images(30, (4,), 0)
    spec = MLPSpec(((8, "relu", 0.2),))
    a = train_batched(spec, [Task(X, y, X, y)], bce, epochs=3, dtype=torch.float64, quiet=True, device="cpu")
    b = train_batched(spec, [Task(X, y, X, y)], bce, epochs=3, dtype=torch.float64, quiet=True, device="cuda")
    np.testing.assert_allclose(a.eval_proba[0], b.eval_proba[0], atol=1e-8)


def test_small_cnn_learns_a_visible_pattern():
    rng = np.random.default_rng(0)
    y = np.arange(96) % 2
    X = rng.normal(scale=0.3, size=(96, 28, 28))
    X[y == 1, :14] += 1.0  # class 1: bright upper half
    task = Task(X[:64], y[:64], X[64:], y[64:])
    r = train_cnn(SMALL_CNN, [task], bce, epochs=4, batch_size=16, optimizer_kwargs={"lr": 3e-3},
                  quiet=True, seed=0)
    assert r.history["eval_acc"][0, -1] >= 0.9
    assert r.history["train_loss"][0, -1] < r.history["train_loss"][0, 0]
