"""Document 003 losses at the edges: probabilities exactly 0 and 1, logits of
+-1e4, predictions on the threshold and on the kinks of H^l, and degenerate
batches (one class only, everything predicted 0, empty soft sets). Values and
gradients must be finite on torch and Keras(TensorFlow), in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import torch

from tests._modules import S

DTYPES = (np.float32, np.float64)
BIG = 1e4

LOSSES = [
    (S.soft_f1_loss, {}),
    (S.soft_f1_loss, {"approx": "sigmoid", "tau": [0.1, 0.5, 0.9]}),
    (S.soft_f1_loss, {"lookup": 100}),
    (S.soft_fbeta_loss, {"beta": 3.0}),
    (S.soft_accuracy_loss, {"tau": [0.001, 0.999]}),
    (S.soft_balanced_accuracy_loss, {"delta": 0.0}),
    (S.soft_jaccard_loss, {"delta": 0.5}),
    (S.soft_gmean_loss, {}),
    (S.soft_gmean_loss, {"approx": "sigmoid", "k": 50.0, "lookup": 30}),
    (S.soft_auroc_loss, {}),
    (S.soft_auroc_loss, {"approx": "sigmoid", "n_intervals": 50}),
    (S.weighted_bce, {}),
    (S.weighted_bce, {"weights": (0.5, 290.25), "eps": 1e-7}),
    (S.wmw_auroc_loss, {}),
    (S.wmw_auroc_loss, {"form": "sigmoid", "beta": 100.0}),
    (S.dice_loss, {}),
    (S.dice_loss, {"squared": True, "eps": 0.0}),
]
IDS = [f"{f.__name__}-{p}" for f, p in LOSSES]


def _finite_everywhere(fn, y, t, dtype, **params):
    """Value finite on NumPy/torch/TF; gradient w.r.t. y_pred finite on torch and TF."""
    y = np.asarray(y, dtype=dtype)
    t = np.asarray(t, dtype=dtype)
    val = np.asarray(fn(y, t, **params))
    assert np.all(np.isfinite(val)), f"{fn.__name__}: numpy value {val}"
    ty = torch.tensor(y, requires_grad=True)
    out = fn(ty, torch.tensor(t), **params)
    assert torch.isfinite(out).all(), f"{fn.__name__}: torch value {out}"
    np.testing.assert_allclose(out.detach().numpy(), val, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-6 if dtype == np.float32 else 1e-14)
    out.sum().backward()
    assert ty.grad is not None and torch.isfinite(ty.grad).all(), f"{fn.__name__}: torch grad {ty.grad}"
    ky = tf.convert_to_tensor(y)
    with tf.GradientTape() as tape:
        tape.watch(ky)
        kout = fn(ky, tf.convert_to_tensor(t), **params)
        ksum = tf.reduce_sum(kout)
    assert np.all(np.isfinite(kout.numpy())), f"{fn.__name__}: keras value {kout}"
    g = tape.gradient(ksum, ky)
    if g is not None:  # None: no differentiable path (e.g. one-class batch), i.e. zero
        assert np.all(np.isfinite(g.numpy())), f"{fn.__name__}: tf grad {g}"
    return val


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params", LOSSES, ids=IDS)
def test_probabilities_at_0_and_1_and_kinks(fn, params, dtype):
    # 0, 1, the threshold .5, the kinks .25/.75 of H^l and table nodes
    y = [0.0, 1.0, 1.0, 0.0, 0.5, 0.25, 0.75, 0.01]
    t = [0, 1, 0, 1, 1, 0, 1, 0]
    _finite_everywhere(fn, y, t, dtype, **params)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params", LOSSES, ids=IDS)
def test_huge_logits(fn, params, dtype):
    x = [BIG, -BIG, BIG, -BIG, 0.0, 30.0, -30.0]
    t = [1, 0, 0, 1, 1, 0, 1]
    _finite_everywhere(fn, x, t, dtype, from_logits=True, **params)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params", LOSSES, ids=IDS)
def test_one_class_batches(fn, params, dtype):
    for t in ([1, 1, 1], [0, 0, 0]):
        _finite_everywhere(fn, [0.0, 0.4, 1.0], t, dtype, **params)


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_soft_sets(dtype):
    # H^l(0) = 0 for every tau: no soft positive predictions at all
    zeros, pos = np.zeros(4), np.array([1, 0, 1, 0])
    assert float(_finite_everywhere(S.soft_f1_loss, zeros, pos, dtype)) == 1.0
    assert float(_finite_everywhere(S.soft_gmean_loss, zeros, pos, dtype)) == 1.0  # sqrt(0): guarded
    assert float(_finite_everywhere(S.soft_jaccard_loss, zeros, pos, dtype)) == 1.0
    # nothing predicted and nothing positive: 0/0 handled by safe division
    assert float(_finite_everywhere(S.soft_f1_loss, zeros, np.zeros(4), dtype)) == 1.0
    assert float(_finite_everywhere(S.dice_loss, zeros, np.zeros(4), dtype, eps=0.0)) == 1.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_gmean_gradient_zero_where_a_rate_vanishes(dtype):
    y = torch.tensor(np.zeros(4, dtype=dtype), requires_grad=True)
    S.soft_gmean_loss(y, torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=y.dtype)).backward()
    assert torch.all(y.grad == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_heavisides_at_edges(dtype):
    p = np.array([0.0, 1e-30, 0.5, 1.0 - 1e-7, 1.0], dtype=dtype)
    for fn, kw in ((S.heaviside_linear, {"tau": [0.001, 0.5, 0.999], "delta": 0.1}),
                   (S.heaviside_sigmoid, {"tau": [0.001, 0.999], "k": 200.0}),
                   (S.heaviside_lookup, {"tau": [0.001, 0.999], "size": 1000})):
        tp = torch.tensor(p, requires_grad=True)
        out = fn(tp, **kw)
        assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
        out.sum().backward()
        assert torch.isfinite(tp.grad).all()
        kp = tf.convert_to_tensor(p)
        with tf.GradientTape() as tape:
            tape.watch(kp)
            s = tf.reduce_sum(fn(kp, **kw))
        assert np.all(np.isfinite(tape.gradient(s, kp).numpy()))
