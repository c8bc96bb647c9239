"""Document 000 (Xtreme Margin) and its baselines: BCE, Keras hinge, margin hinge;
conditional accuracy (eq. 17) and conditional risk (eq. 18-19).

Reference values are computed by hand in each test (never by the function
under test); peers: torch BCELoss / BCEWithLogitsLoss / MultiMarginLoss, Keras
BinaryCrossentropy / Hinge, scikit-learn hinge_loss, and the paper's own
batch-size-1 TensorFlow code (benchmarks/bench_losses.py).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import keras
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossfns.torch as lt
from lossfns.losses import LOSSES
from lossfns.losses.classification import binary_cross_entropy, hinge, margin_hinge
from lossfns.losses.xtreme_margin import conditional_risk, xm_g_term, xm_s_term, xtreme_margin
from lossfns.metrics import conditional_accuracy
from lossfns._ops import NUMPY
from tests._backends import assert_keras_wrapper, assert_parity, gradcheck

E = math.e
RNG = np.random.default_rng(2000)
DTYPES = (np.float64, np.float32)
ROOT = Path(__file__).resolve().parents[1]


def t64(x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


def probs_away_from_kinks(n, rng=RNG):
    """Probabilities with |y - t| away from 0.5 and y away from 0.5, plus labels."""
    y = rng.uniform(0.02, 0.98, n)
    y = np.where(np.abs(y - 0.5) < 0.05, y + 0.1, y)
    t = rng.integers(0, 2, n).astype(np.float64)
    return y, t


# ----------------------------------------------------------------------------- BCE

def test_bce_hand_values_probabilities():
    y = np.array([0.9, 0.2, 0.5, 0.0, 1.0, 1e-50])
    t = np.array([1, 0, 1, 1, 0, 1])
    want = [-math.log(0.9), -math.log(0.8), math.log(2.0), 100.0, 100.0, 100.0]
    np.testing.assert_allclose(binary_cross_entropy(y, t, reduction="none"), want, rtol=1e-15)
    assert binary_cross_entropy(y, t, reduction="sum") == pytest.approx(sum(want), rel=1e-15)
    assert binary_cross_entropy(y, t) == pytest.approx(sum(want) / 6, rel=1e-15)


def test_bce_hand_values_keras_eps():
    y = np.array([0.0, 1.0, 0.3, 1e-9])
    t = np.array([1, 0, 1, 0])
    e = 1e-7
    # Keras' formula: clip to [e, 1 - e], then log(1 - y) evaluated as written (not log1p)
    want = [-math.log(e), -math.log(1 - (1 - e)), -math.log(0.3), -math.log(1 - e)]
    np.testing.assert_allclose(binary_cross_entropy(y, t, eps=e, reduction="none"), want, rtol=1e-12)


def test_bce_hand_values_logits():
    x = np.array([2.0, -1.0, 0.0, 30.0, -1e4])
    t = np.array([1, 0, 1, 0, 0])
    want = [math.log1p(math.exp(-2)), math.log1p(math.exp(-1)), math.log(2.0),
            30.0 + math.log1p(math.exp(-30)), 0.0]
    np.testing.assert_allclose(binary_cross_entropy(x, t, from_logits=True, reduction="none"), want,
                               rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_bce_matches_torch_bceloss(dtype):
    y = np.r_[RNG.uniform(0, 1, 5000), 0.0, 1.0, 0.0, 1.0, 1e-40, 1 - 1e-12]
    t = np.r_[RNG.integers(0, 2, 5000), 1, 0, 0, 1, 1, 0].astype(np.float64)
    yt, tt = torch.tensor(y, dtype=dtype), torch.tensor(t, dtype=dtype)
    ours = binary_cross_entropy(yt, tt, reduction="none")
    ref = F.binary_cross_entropy(yt, tt, reduction="none")
    # Same formula (log1p(-y) for the second term, both logs clamped at -100); torch's
    # vectorised log may differ by one unit in the last place.
    ulp = torch.finfo(dtype).eps
    torch.testing.assert_close(ours, ref, rtol=2 * ulp, atol=0.0)
    assert float(binary_cross_entropy(yt, tt)) == pytest.approx(float(torch.nn.BCELoss()(yt, tt)),
                                                                rel=4 * ulp)


def _exact_bce_logits(x, t):
    """float64 reference: max(x,0) - t x + log1p(exp(-|x|)) (the textbook stable form)."""
    return np.maximum(x, 0) - t * x + np.log1p(np.exp(-np.abs(x)))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_bce_logits_matches_torch_bce_with_logits(dtype):
    x = np.r_[RNG.normal(0, 10, 5000), 1e4, -1e4, 0.0, 80.0, -80.0, 20.01, -20.01]
    t = RNG.integers(0, 2, x.size).astype(np.float64)
    xt, tt = torch.tensor(x, dtype=dtype), torch.tensor(t, dtype=dtype)
    ours = binary_cross_entropy(xt, tt, from_logits=True, reduction="none")
    ref = F.binary_cross_entropy_with_logits(xt, tt, reduction="none")
    x_rounded = xt.double().numpy()  # the reference sees the same (rounded) inputs
    exact = torch.tensor(_exact_bce_logits(x_rounded, t), dtype=dtype)
    ulp = torch.finfo(dtype).eps
    # torch computes (1-t) x + max(-x, 0) + log(e^-m + e^(-x-m)) (log, not log1p):
    # its rounding error is about one ulp of |x| + 1, whatever the size of the loss;
    # so the comparison with torch is at that scale ...
    scale = torch.tensor(np.abs(x) + 1.0, dtype=dtype)
    assert bool(torch.all((ours - ref).abs() <= 4 * ulp * scale))
    # ... while ours is accurate relative to the loss itself, even when it is tiny
    torch.testing.assert_close(ours, exact, rtol=4 * ulp, atol=0.0)


def test_bce_matches_keras_with_its_epsilon():
    y = np.r_[RNG.uniform(0, 1, 2000), 0.0, 1.0, 1e-9, 1 - 1e-9].astype(np.float32)
    t = np.r_[RNG.integers(0, 2, 2000), 1, 0, 1, 0].astype(np.float32)
    k_el = np.asarray(keras.ops.binary_crossentropy(t, y))
    # on TF tensors: the same operations, bit for bit
    ours_tf = binary_cross_entropy(keras.ops.convert_to_tensor(y), keras.ops.convert_to_tensor(t), eps=1e-7,
                                   reduction="none")
    np.testing.assert_array_equal(np.asarray(ours_tf), k_el)
    # on NumPy: numpy's and TF's float32 log differ by a few ulp
    ours = binary_cross_entropy(y, t, eps=1e-7, reduction="none")
    np.testing.assert_allclose(ours, k_el, rtol=4 * np.finfo(np.float32).eps, atol=0)
    k_cls = float(keras.losses.BinaryCrossentropy()(t[:, None], y[:, None]))
    assert float(binary_cross_entropy(y, t, eps=1e-7)) == pytest.approx(k_cls, rel=1e-6)


def test_bce_torch_vs_keras_semantics_differ_only_at_the_ends():
    y = np.array([0.0, 1e-9, 0.3, 0.7, 1.0])
    t = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    torch_sem = binary_cross_entropy(y, t, reduction="none")
    keras_sem = binary_cross_entropy(y, t, eps=1e-7, reduction="none")
    np.testing.assert_allclose(torch_sem, [100.0, -math.log(1e-9), -math.log(0.3), -math.log(0.3), 100.0],
                               rtol=1e-14)
    np.testing.assert_allclose(keras_sem, [-math.log(1e-7)] * 2 + [-math.log(0.3)] * 2 + [-math.log(1 - (1 - 1e-7))],
                               rtol=1e-12)
    assert np.array_equal(torch_sem[2:4], keras_sem[2:4])


def test_bce_logits_matches_keras_from_logits():
    x = RNG.normal(0, 5, 1000).astype(np.float32)
    t = RNG.integers(0, 2, 1000).astype(np.float32)
    ref = np.asarray(keras.ops.binary_crossentropy(t, x, from_logits=True))
    np.testing.assert_allclose(binary_cross_entropy(x, t, from_logits=True, reduction="none"), ref,
                               rtol=2e-6, atol=1e-7)


def test_bce_logits_equals_probabilities_path():
    x = RNG.normal(0, 3, 200)
    t = RNG.integers(0, 2, 200)
    p = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(binary_cross_entropy(x, t, from_logits=True, reduction="none"),
                               binary_cross_entropy(p, t, reduction="none"), rtol=1e-9)


# ----------------------------------------------------------------------------- hinges

def test_hinge_hand_values():
    y = np.array([0.9, 0.2, 0.75, 0.0, 1.0])
    t = np.array([1, 1, 0, 0, 1])
    want = [0.1, 0.8, 1.75, 1.0, 0.0]
    np.testing.assert_allclose(hinge(y, t, reduction="none"), want, rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(hinge(y, 2 * t - 1, labels="pm1", reduction="none"), want, rtol=1e-15,
                               atol=1e-16)
    x = np.array([0.0, math.log(3.0)])  # sigmoid: 0.5, 0.75
    np.testing.assert_allclose(hinge(x, np.array([1, 0]), from_logits=True, reduction="none"), [0.5, 1.75],
                               rtol=1e-15)


@pytest.mark.parametrize("shape", [(64,), (32, 1), (8, 5)])
def test_hinge_matches_keras_hinge_on_sigmoid_outputs(shape):
    y = RNG.uniform(0, 1, shape).astype(np.float32)
    t = RNG.integers(0, 2, shape).astype(np.float32)
    # keras.losses.hinge maps {0,1} -> {-1,1} and averages over the last axis
    k_fn = np.asarray(keras.losses.hinge(t, y))
    ours = hinge(y, t, reduction="none")
    np.testing.assert_allclose(ours.mean(axis=-1), k_fn, rtol=1e-6)
    k_cls = float(keras.losses.Hinge()(t, y))
    assert float(hinge(y, t)) == pytest.approx(k_cls, rel=1e-6)


def test_margin_hinge_hand_values():
    f = np.array([2.0, 0.3, -0.5, 1.0, -3.0])
    t = np.array([1, 1, 0, 1, 1])
    np.testing.assert_allclose(margin_hinge(f, t, reduction="none"), [0.0, 0.7, 0.5, 0.0, 4.0], rtol=1e-15)
    np.testing.assert_allclose(margin_hinge(f, t, margin=2.5, reduction="none"), [0.5, 2.2, 2.0, 1.5, 5.5],
                               rtol=1e-15)
    np.testing.assert_allclose(margin_hinge(f, t, margin=0.0, reduction="none"), [0.0, 0.0, 0.0, 0.0, 3.0],
                               rtol=1e-15)


def test_margin_hinge_matches_sklearn_keras_and_torch_multimargin():
    from sklearn.metrics import hinge_loss
    f = RNG.normal(0, 2, 500)
    t = RNG.integers(0, 2, 500)
    ours = margin_hinge(f, t, reduction="none")
    assert float(ours.mean()) == pytest.approx(hinge_loss(2 * t - 1, f), rel=1e-13)
    np.testing.assert_allclose(np.asarray(keras.losses.hinge(t.astype(np.float64)[:, None], f[:, None])),
                               ours, rtol=1e-13)
    # MultiMarginLoss on the two class scores (-f/2, f/2) divides by C = 2
    scores = t64(np.stack([-f / 2, f / 2], axis=1))
    for m in (1.0, 0.3):
        mm = F.multi_margin_loss(scores, torch.as_tensor(t), margin=m, reduction="none").numpy()
        np.testing.assert_allclose(margin_hinge(f, t, margin=m, reduction="none"), 2 * mm, rtol=1e-13,
                                   atol=1e-15)


def test_hinge_on_sigmoid_is_margin_hinge_of_probability():
    y = RNG.uniform(0, 1, 100)
    t = RNG.integers(0, 2, 100)
    np.testing.assert_array_equal(hinge(y, t, reduction="none"), margin_hinge(y, t, reduction="none"))


# ----------------------------------------------------------------------------- Xtreme Margin

def test_xm_hand_values_product_reading():
    y = np.array([0.9, 0.2, 0.75, 0.1, 0.5, 0.5, 0.0, 1.0, 0.3])
    t = np.array([1, 1, 0, 0, 1, 0, 0, 1, 0])
    lam1, lam2 = 2.0, 3.0
    want = [1 / (1 + lam2 * 0.8 ** 2),  # correct, class 1
            E * 0.8,                     # wrong: 1/(1 + 1/(e|t-y|) - 1) = e|t-y|
            E * 0.75,
            1 / (1 + lam1 * 0.8 ** 2),  # correct, class 0
            E / 2,                        # |y-t| = 0.5 counts as wrong in eq. (6)
            E / 2,                        # y_hard = 1 != t, |y-t| = 0.5
            1 / (1 + lam1),
            1 / (1 + lam2),
            1 / (1 + lam1 * 0.4 ** 2)]
    got = xtreme_margin(y, t, lam1=lam1, lam2=lam2, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_xm_hand_values_exponential_reading_and_paper_constant():
    y = np.array([0.2, 0.9, 1.0])
    t = np.array([1, 0, 0])
    got = xtreme_margin(y, t, s_reading="exponential", reduction="none")
    np.testing.assert_allclose(got, [math.exp(0.8), math.exp(0.9), E], rtol=1e-14)
    got = xtreme_margin(y, t, e=2.718, reduction="none")
    np.testing.assert_allclose(got, [2.718 * 0.8, 2.718 * 0.9, 2.718], rtol=1e-14)


def test_xm_range_and_jump_at_half():
    y = np.linspace(0, 1, 10001)
    for tv in (0, 1):
        L = xtreme_margin(y, np.full_like(y, tv), lam1=5.0, lam2=5.0, reduction="none")
        assert L.min() > 0 and L.max() <= E * (1 + 1e-15)
    # t = 1: just below 0.5 is wrong (e|t-y| -> e/2), just above is correct (-> 1)
    lo, hi = xtreme_margin(np.array([0.5 - 1e-9, 0.5 + 1e-9]), np.array([1, 1]), reduction="none")
    assert lo == pytest.approx(E / 2, rel=1e-8) and hi == pytest.approx(1.0, rel=1e-8)


def test_xm_terms_directly():
    y = np.array([0.9, 0.2])
    t = np.array([1.0, 1.0])
    np.testing.assert_allclose(xm_s_term(y, t, NUMPY), [0.0, 1 / (E * 0.8) - 1], rtol=1e-15)
    np.testing.assert_allclose(xm_s_term(y, t, NUMPY, "exponential"), [0.0, math.exp(-0.8) - 1], rtol=1e-15)
    np.testing.assert_allclose(xm_g_term(y, t, NUMPY, 2.0, 3.0), [3.0 * 0.64, 0.0], rtol=1e-15)


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_losses", ROOT / "benchmarks" / "bench_losses.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_xm_matches_paper_batch_size_one_tensorflow_code():
    import tensorflow as tf
    bench = _load_bench()
    y = np.r_[RNG.uniform(0, 1, 40), 0.5, 0.0, 1.0].astype(np.float32)
    t = np.r_[RNG.integers(0, 2, 40), 1, 0, 0].astype(np.float32)
    for lam1, lam2 in ((1.0, 1.0), (2.0, 100.0)):
        paper = [float(bench.xtreme_margin_paper_tf(tf.constant([[ti]]), tf.constant([[yi]]), lam1, lam2)[0])
                 for yi, ti in zip(y, t)]
        ours = xtreme_margin(y, t, lam1=lam1, lam2=lam2, e=2.718, reduction="none")
        np.testing.assert_allclose(ours, paper, rtol=2e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("params", [{}, {"lam1": 100.0, "lam2": 2.0}, {"s_reading": "exponential"},
                                    {"from_logits": True}])
def test_xm_parity(dtype, params):
    y, t = probs_away_from_kinks(300)
    if params.get("from_logits"):
        y = np.log(y / (1 - y))
    assert_parity(xtreme_margin, [y, t], dtype, reduction="none", **params)


def test_xm_gradcheck():
    y, t = probs_away_from_kinks(40)
    y = np.where(np.abs(y - t) < 0.02, 0.3 + 0.4 * t, y)  # |.| kink at y == t
    assert gradcheck(xtreme_margin, [y, t], lam1=3.0, lam2=0.5)
    assert gradcheck(xtreme_margin, [y, t], s_reading="exponential")
    assert gradcheck(xtreme_margin, [np.log(y / (1 - y)), t], from_logits=True)


# ----------------------------------------------------------------------------- parity / gradcheck

CASES = [
    (binary_cross_entropy, {}, "prob"),
    (binary_cross_entropy, {"eps": 1e-7}, "prob"),
    (binary_cross_entropy, {"from_logits": True}, "logit"),
    (hinge, {}, "prob"),
    (hinge, {"from_logits": True}, "logit"),
    (hinge, {"labels": "pm1"}, "prob_pm1"),
    (margin_hinge, {}, "logit"),
    (margin_hinge, {"margin": 0.5, "labels": "pm1"}, "logit_pm1"),
]


def _case_inputs(kind, n=300):
    y, t = probs_away_from_kinks(n)
    if kind.startswith("logit"):
        y = RNG.normal(0, 3, n)
    if kind.endswith("pm1"):
        t = 2 * t - 1
    return y, t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params,kind", CASES, ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_classification_parity(fn, params, kind, dtype):
    y, t = _case_inputs(kind)
    assert_parity(fn, [y, t], dtype, reduction="none", **params)
    assert_parity(fn, [y, t], dtype, reduction="sum", **params)


@pytest.mark.parametrize("fn,params,kind", CASES, ids=[f"{c[0].__name__}-{c[1]}" for c in CASES])
def test_classification_gradcheck(fn, params, kind):
    y, t = _case_inputs(kind, 30)
    if fn is margin_hinge:
        m = params.get("margin", 1.0)
        u = t if kind.endswith("pm1") else 2 * t - 1
        y = np.where(np.abs(u * y - m) < 0.05, y + 0.2, y)  # away from the kink u f = m
    assert gradcheck(fn, [y, t], **params)


def test_bce_gradient_analytic():
    y = t64([0.2, 0.7]).requires_grad_(True)
    binary_cross_entropy(y, t64([1.0, 0.0]), reduction="sum").backward()
    np.testing.assert_allclose(y.grad.numpy(), [-1 / 0.2, 1 / 0.3], rtol=1e-14)
    x = t64([0.4, -2.0]).requires_grad_(True)
    binary_cross_entropy(x, t64([1.0, 0.0]), from_logits=True, reduction="sum").backward()
    s = 1 / (1 + np.exp(-np.array([0.4, -2.0])))
    np.testing.assert_allclose(x.grad.numpy(), s - [1.0, 0.0], rtol=1e-14)


# ----------------------------------------------------------------------------- metrics

def test_conditional_accuracy_hand_values():
    y = np.array([0.1, 0.6, 0.3, 0.8, 0.4, 0.5])
    t = np.array([0, 0, 0, 1, 1, 1])
    assert float(conditional_accuracy(y, t, cls=0)) == pytest.approx(2 / 3)   # 0.1, 0.3 right
    assert float(conditional_accuracy(y, t, cls=1)) == pytest.approx(2 / 3)   # 0.8, 0.5 (>= .5)
    assert float(conditional_accuracy(y, t, cls=1, threshold=0.7)) == pytest.approx(1 / 3)
    x = np.log(y / (1 - y))
    assert float(conditional_accuracy(x, t, cls=1, from_logits=True, threshold=0.7)) == pytest.approx(1 / 3)


def test_conditional_accuracy_vectorised_and_matches_evaluation_module():
    from lossfns.evaluation import conditional_accuracy as eval_ca
    y = RNG.uniform(0, 1, (4, 200))
    t = RNG.integers(0, 2, (4, 200))
    rows = conditional_accuracy(y, t, cls=1, axis=-1)
    assert rows.shape == (4,)
    for i in range(4):
        ref = eval_ca(t[i], y[i])
        assert rows[i] == pytest.approx(ref[1], rel=1e-15)
        assert float(conditional_accuracy(y[i], t[i], cls=0)) == pytest.approx(ref[0], rel=1e-15)
    tt = torch.as_tensor(y)
    assert float(conditional_accuracy(tt, torch.as_tensor(t), cls=0)) == pytest.approx(
        float(conditional_accuracy(y, t, cls=0)), rel=1e-15)


def test_conditional_accuracy_empty_class_raises():
    with pytest.raises(ValueError, match="y_true has no element of class 1"):
        conditional_accuracy(np.array([0.2, 0.7]), np.array([0, 0]), cls=1)
    with pytest.raises(ValueError, match=r"cls must be one of \(0, 1\), got 2"):
        conditional_accuracy(np.array([0.2]), np.array([0]), cls=2)


def test_conditional_risk_hand_values():
    y = np.array([0.9, 0.9, 0.3, 0.6])
    p = np.array([1.0, 0.8, 0.5, 0.0])
    l_09_1, l_09_0 = 1 / (1 + 0.64), E * 0.9
    l_03_1, l_03_0 = E * 0.7, 1 / (1 + 0.16)
    l_06_0 = E * 0.6
    want = [l_09_1, 0.8 * l_09_1 + 0.2 * l_09_0, 0.5 * (l_03_1 + l_03_0), l_06_0]
    np.testing.assert_allclose(conditional_risk(y, p, reduction="none"), want, rtol=1e-14)
    want_l = [1 / (1 + 5 * 0.64), 0.8 / (1 + 5 * 0.64) + 0.2 * E * 0.9]
    np.testing.assert_allclose(conditional_risk(y[:2], p[:2], lam2=5.0, reduction="none"), want_l, rtol=1e-14)


def test_conditional_risk_with_bce_is_soft_label_bce():
    y = RNG.uniform(0.01, 0.99, 100)
    p = RNG.uniform(0, 1, 100)
    ref = F.binary_cross_entropy(t64(y), t64(p), reduction="none").numpy()
    np.testing.assert_allclose(conditional_risk(y, p, loss=binary_cross_entropy, reduction="none"), ref,
                               rtol=1e-13)
    x = np.log(y / (1 - y))
    ref = F.binary_cross_entropy_with_logits(t64(x), t64(p), reduction="none").numpy()
    np.testing.assert_allclose(conditional_risk(x, p, loss=binary_cross_entropy, from_logits=True,
                                                reduction="none"), ref, rtol=1e-12)


def test_conditional_risk_hard_labels_equal_loss_and_parity():
    y, t = probs_away_from_kinks(100)
    np.testing.assert_allclose(conditional_risk(y, t, lam1=3.0, reduction="none"),
                               xtreme_margin(y, t, lam1=3.0, reduction="none"), rtol=1e-15)
    p = RNG.uniform(0, 1, 100)
    for dtype in DTYPES:
        assert_parity(conditional_risk, [y, p], dtype, reduction="none", lam2=4.0)


def test_conditional_risk_bad_inputs():
    with pytest.raises(ValueError, match=r"p_true must lie in \[0.0, 1.0\]"):
        conditional_risk(np.array([0.2]), np.array([1.5]))
    with pytest.raises(TypeError, match="loss must be a callable binary loss, got str"):
        conditional_risk(np.array([0.2]), np.array([0.5]), loss="xm")
    with pytest.raises(ValueError, match=r"Expected p_true of shape \(2,\)"):
        conditional_risk(np.array([0.2, 0.3]), np.array([0.5]))


# ----------------------------------------------------------------------------- wrappers

WRAPPED = {
    "binary_cross_entropy": [{}, {"eps": 1e-7}, {"from_logits": True}],
    "hinge": [{}, {"from_logits": True}],
    "margin_hinge": [{"margin": 0.5}],
    "xtreme_margin": [{"lam1": 2.0, "lam2": 100.0}, {"s_reading": "exponential", "e": 2.718}],
}


@pytest.mark.parametrize("name,params", [(n, p) for n, ps in WRAPPED.items() for p in ps])
def test_torch_module_and_keras_class_match_function(name, params):
    spec = LOSSES[name]
    logits = params.get("from_logits") or name == "margin_hinge"
    y, t = probs_away_from_kinks(64)
    if logits:
        y = RNG.normal(0, 2, 64)
    want = spec.fn(y, t, reduction="mean", **params)
    mod = getattr(lt, spec.class_name)(**params)
    assert float(mod(t64(y), t64(t))) == pytest.approx(float(want), rel=1e-14)
    assert_keras_wrapper(spec, params, y, t)


def test_every_000_loss_has_wrapper_case():
    # the losses document 000 cites, plus the standard margin hinge tested here beside Keras' hinge
    cited = {n for n, s in LOSSES.items() if "000" in s.documents} | {"margin_hinge"}
    assert cited == set(WRAPPED)


@pytest.mark.parametrize("s_reading", ["product", "exponential"])
def test_xm_equals_its_term_definition(s_reading):
    # the loss is evaluated per side for speed; it must equal 1 / (1 + s + g) of eq. (3)-(7)
    y = np.r_[RNG.uniform(0, 1, 2000), 0.0, 0.5, 1.0, 0.5]
    t = np.r_[RNG.integers(0, 2, 2000), 1, 1, 0, 0].astype(np.float64)
    ref = 1.0 / (1.0 + xm_s_term(y, t, NUMPY, s_reading) + xm_g_term(y, t, NUMPY, 3.0, 0.5))
    np.testing.assert_allclose(xtreme_margin(y, t, lam1=3.0, lam2=0.5, s_reading=s_reading, reduction="none"),
                               ref, rtol=4e-16)
