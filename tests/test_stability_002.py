"""Document 002 losses at the edges: probabilities 0 and 1, logits of +-1e4,
coincident / zero / antiparallel embeddings. Values and gradients must be
finite on torch and Keras(TensorFlow), in float32 and float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
import torch

from tests._modules import P

DTYPES = (np.float32, np.float64)
BIG = 1e4


def _finite_everywhere(fn, inputs, grad_idx, dtype, **params):
    """Value finite on NumPy/torch/Keras; gradient w.r.t. inputs[grad_idx] finite on torch and TF."""
    cast = [np.asarray(x, dtype=dtype) if np.issubdtype(np.asarray(x).dtype, np.floating) else np.asarray(x)
            for x in inputs]
    val_np = np.asarray(fn(*cast, **params))
    assert np.all(np.isfinite(val_np)), f"{fn.__name__}: numpy value {val_np}"
    # torch
    tin = [torch.tensor(x, requires_grad=(i in grad_idx)) for i, x in enumerate(cast)]
    out = fn(*tin, **params)
    assert torch.isfinite(out).all(), f"{fn.__name__}: torch value {out}"
    np.testing.assert_allclose(out.detach().numpy(), val_np, rtol=1e-5 if dtype == np.float32 else 1e-12)
    out.sum().backward()  # a non-finite gradient of any element would make the sum's non-finite
    for i in grad_idx:
        g = tin[i].grad
        assert g is not None and torch.isfinite(g).all(), f"{fn.__name__}: torch grad {g}"
    # keras / tensorflow
    kin = [tf.convert_to_tensor(x) for x in cast]
    with tf.GradientTape() as tape:
        for i in grad_idx:
            tape.watch(kin[i])
        kout = fn(*kin, **params)
    assert np.all(np.isfinite(kout.numpy())), f"{fn.__name__}: keras value {kout}"
    for g in tape.gradient(kout, [kin[i] for i in grad_idx]):
        assert g is not None and np.all(np.isfinite(g.numpy())), f"{fn.__name__}: tf grad {g}"
    return val_np


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_losses_at_probabilities_0_and_1(dtype):
    p = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    idx = np.array([0, 0, 2])               # right & certain; wrong & certain; zero prob on target
    v = _finite_everywhere(P.categorical_cross_entropy, [p, idx], (0,), dtype, reduction="none")
    np.testing.assert_allclose(v, [0.0, -math.log(1e-7), -math.log(1e-7)], rtol=1e-5)
    _finite_everywhere(P.kl_divergence, [p, np.eye(3)[idx]], (0, 1), dtype, reduction="none")
    _finite_everywhere(P.kl_divergence, [p[::-1].copy(), p], (0, 1), dtype, reduction="none")
    _finite_everywhere(P.poly1, [p, idx], (0,), dtype, epsilon=2.0, reduction="none")
    _finite_everywhere(P.entropy, [p], (0,), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_losses_at_huge_logits(dtype):
    z = np.array([[BIG, -BIG, 0.0], [-BIG, BIG, 0.0], [BIG, BIG, -BIG]])
    idx = np.array([0, 0, 2])
    v = _finite_everywhere(P.categorical_cross_entropy, [z, idx], (0,), dtype, from_logits=True,
                           reduction="none")
    np.testing.assert_allclose(v, [0.0, 2 * BIG, 2 * BIG + math.log(2)], rtol=1e-6)
    _finite_everywhere(P.kl_divergence, [z, idx], (0,), dtype, from_logits=True, reduction="none")
    _finite_everywhere(P.poly1, [z, idx], (0,), dtype, from_logits=True, reduction="none")
    _finite_everywhere(P.multiclass_hinge, [z, idx], (0,), dtype, reduction="none")
    _finite_everywhere(P.multiclass_hinge, [z, idx], (0,), dtype, variant="crammer_singer",
                       reduction="none")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_focal_at_edges(dtype, gamma):
    y = np.array([0.0, 1.0, 0.0, 1.0])
    t = np.array([0, 1, 1, 0])
    v = _finite_everywhere(P.focal, [y, t], (0,), dtype, gamma=gamma, reduction="none")
    np.testing.assert_allclose(v[:2], [0.0, 0.0], atol=0)
    np.testing.assert_allclose(v[2:], [0.25 * -math.log(1e-7), 0.75 * -math.log(1e-7)], rtol=1e-5)
    z = np.array([BIG, -BIG, BIG, -BIG])
    t = np.array([1, 1, 0, 0])
    v = _finite_everywhere(P.focal, [z, t], (0,), dtype, gamma=gamma, from_logits=True, reduction="none")
    np.testing.assert_allclose(v, [0.0, 0.25 * BIG, 0.75 * BIG, 0.0], rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_losses_at_coincident_and_zero_points(dtype):
    z = np.zeros((3, 2))
    e = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    lab = np.array([0, 1, 1])
    for conv in P.CONTRASTIVE_CONVENTIONS:
        v = _finite_everywhere(P.contrastive, [e, e.copy(), lab], (0, 1), dtype, convention=conv,
                               reduction="none")
        # distance 0: similar pairs cost 0, dissimilar pairs the full margin term
        assert v[0] == 0.0 if conv == "hadsell" else v[0] == 1.0
    _finite_everywhere(P.triplet, [e, e.copy(), e.copy()], (0, 1, 2), dtype, reduction="none")
    _finite_everywhere(P.triplet, [e, e.copy(), e.copy()], (0, 1, 2), dtype, squared=True,
                       reduction="none")
    _finite_everywhere(P.info_nce, [e, z, z], (0, 1, 2), dtype, reduction="none")
    _finite_everywhere(P.multiple_negatives_ranking, [e, e * BIG, z], (0, 1, 2), dtype, reduction="none")
    _finite_everywhere(P.margin_ranking, [e[:, 0] * BIG, -e[:, 0] * BIG, 2 * lab - 1], (0, 1), dtype,
                       reduction="none")


@pytest.mark.parametrize("dtype", DTYPES)
def test_arcface_at_parallel_and_antiparallel_features(dtype):
    w = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    x = np.array([[BIG, 0.0], [-2.0, 0.0], [0.0, 0.0]])     # cos = 1 / cos = -1 to class 0 / zero
    y = np.array([0, 0, 1])
    v = _finite_everywhere(P.arcface, [x, w, y], (0, 1), dtype, s=64.0, m=0.5, reduction="none")
    # x parallel to W_0: target logit s cos(m), others s*0 and -s
    want0 = -64 * math.cos(0.5) + math.log(math.exp(64 * math.cos(0.5)) + 1 + math.exp(-64))
    assert v[0] == pytest.approx(want0, rel=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_ge2e_with_identical_embeddings(dtype):
    e = np.ones((2, 3, 4))
    v = _finite_everywhere(P.ge2e, [e], (0,), dtype, reduction="none")
    np.testing.assert_allclose(v, math.log(2.0), rtol=1e-6)   # all similarities equal
    _finite_everywhere(P.ge2e, [e * BIG], (0,), dtype, normalize=False, reduction="none")


@pytest.mark.parametrize("dtype", DTYPES)
def test_regression_losses_at_large_residuals(dtype):
    y = np.array([BIG, -BIG, 0.0, 1.0])
    t = np.array([-BIG, BIG, 0.0, 1.0])
    for fn in (P.mae, P.mse, P.huber):
        _finite_everywhere(fn, [y, t], (0, 1), dtype, reduction="none")
