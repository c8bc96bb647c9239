"""Finite values and gradients at the edges (documents 000 and 001 losses).

For every loss: probabilities exactly 0 and 1 (both labels) and logits of
+-1e4, in float32 and float64, on torch (autograd) and Keras/TensorFlow
(GradientTape). Score losses (margin hinge, sigmoid-free) get scores +-1e4.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import torch

from lossfns.losses.classification import binary_cross_entropy, hinge, margin_hinge
from lossfns.losses.polynomial import broken_loss, l6, l24, sigmoid_free
from lossfns.losses.xtreme_margin import conditional_risk, xtreme_margin

PROB_EDGES = (np.array([0.0, 0.0, 1.0, 1.0, 0.5, 0.5]), np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]))
LOGIT_EDGES = (np.array([-1e4, -1e4, 1e4, 1e4, 0.0, 0.0, -80.0, 80.0]),
               np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]))

CASES = [
    ("bce", binary_cross_entropy, {}, PROB_EDGES),
    ("bce_keras_eps", binary_cross_entropy, {"eps": 1e-7}, PROB_EDGES),
    ("bce_logits", binary_cross_entropy, {"from_logits": True}, LOGIT_EDGES),
    ("hinge", hinge, {}, PROB_EDGES),
    ("hinge_logits", hinge, {"from_logits": True}, LOGIT_EDGES),
    ("margin_hinge", margin_hinge, {}, LOGIT_EDGES),
    ("xm", xtreme_margin, {"lam1": 100.0, "lam2": 100.0}, PROB_EDGES),
    ("xm_exp", xtreme_margin, {"s_reading": "exponential"}, PROB_EDGES),
    ("xm_logits", xtreme_margin, {"from_logits": True}, LOGIT_EDGES),
    ("l24", l24, {"c": 2.0}, PROB_EDGES),
    ("l24_logits", l24, {"from_logits": True}, LOGIT_EDGES),
    ("l6", l6, {}, PROB_EDGES),
    ("l6_logits", l6, {"from_logits": True}, LOGIT_EDGES),
    ("sigmoid_free", sigmoid_free, {"c": 3.0}, LOGIT_EDGES),
    ("broken", broken_loss, {}, PROB_EDGES),
    ("broken_3_16", broken_loss, {"constant": "3/16"}, PROB_EDGES),
    ("broken_logits", broken_loss, {"from_logits": True}, LOGIT_EDGES),
]


def _check_finite(v, g, name):
    assert np.all(np.isfinite(v)), f"{name}: non-finite value {v}"
    assert np.all(np.isfinite(g)), f"{name}: non-finite gradient {g}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,params,edges", CASES, ids=[c[0] for c in CASES])
def test_finite_values_and_gradients_torch(name, fn, params, edges, dtype):
    y, t = edges
    yt = torch.tensor(y.astype(dtype), requires_grad=True)
    loss = fn(yt, torch.tensor(t.astype(dtype)), reduction="none", **params)
    loss.sum().backward()
    _check_finite(loss.detach().numpy(), yt.grad.numpy(), name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,params,edges", CASES, ids=[c[0] for c in CASES])
def test_finite_values_and_gradients_keras(name, fn, params, edges, dtype):
    y, t = edges
    yv = tf.Variable(y.astype(dtype))
    with tf.GradientTape() as tape:
        loss = fn(tf.convert_to_tensor(yv), tf.constant(t.astype(dtype)), reduction="none", **params)
        total = tf.reduce_sum(loss)
    g = tape.gradient(total, yv)
    _check_finite(loss.numpy(), g.numpy(), name)


def test_bce_edge_values_exact():
    # probabilities: torch's -100 clamp; logits: the linear tail, no overflow
    y, t = PROB_EDGES
    np.testing.assert_array_equal(binary_cross_entropy(y, t, reduction="none")[:4], [0.0, 100.0, 100.0, 0.0])
    x, t = LOGIT_EDGES
    for dtype in (torch.float32, torch.float64):
        v = binary_cross_entropy(torch.tensor(x, dtype=dtype), torch.tensor(t, dtype=dtype), from_logits=True,
                                 reduction="none")
        np.testing.assert_allclose(v.numpy()[:4], [0.0, 1e4, 1e4, 0.0], rtol=1e-7)


def test_bce_logit_gradient_saturates_to_sigmoid_minus_label():
    x = torch.tensor([-1e4, 1e4, -1e4, 1e4], dtype=torch.float32, requires_grad=True)
    binary_cross_entropy(x, torch.tensor([1.0, 0.0, 0.0, 1.0]), from_logits=True, reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1.0, 1.0, 0.0, 0.0])


def test_polynomial_logit_paths_keep_precision_of_one_minus_y():
    # 1 - sigmoid(x) loses digits in float32 (it is 0 from x ~ 17); sigmoid(-x) does not
    for x, fn, power in ((10.0, l6, 6), (30.0, l24, 2)):
        exact = (1.0 / (1.0 + np.exp(x))) ** power + (power == 2) * (1.0 / (1.0 + np.exp(x))) ** 4
        v = fn(torch.tensor([x], dtype=torch.float32), torch.tensor([1.0]), from_logits=True, reduction="none")
        assert float(v) == pytest.approx(exact, rel=1e-5)


def test_conditional_risk_finite_at_edges():
    y = torch.tensor([0.0, 1.0, 0.5], dtype=torch.float32, requires_grad=True)
    r = conditional_risk(y, torch.tensor([0.3, 0.7, 1.0]), reduction="sum")
    r.backward()
    assert torch.isfinite(r) and torch.all(torch.isfinite(y.grad))
