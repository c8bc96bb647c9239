"""Document 001 (Phuong & Zung): l24, l6, sigmoid-free loss, broken loss, and the
toy model of Sec. 4 (Prop. 4.1 and its derivative formula).

Reference values are computed by hand in each test. No PyTorch/Keras peer
exists for these losses; where one is related (BCE for the focality
comparison, the composition sigmoid + loss for ``from_logits``) it is checked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import lossfns.torch as lt
from lossfns.experiments.doc001.theory import (
    phi_arctan,
    phi_sqrt,
    toy_G,
    toy_G_derivative_closed_form,
    toy_gain,
)
from lossfns.losses import LOSSES
from lossfns.losses.polynomial import (
    broken_l1,
    broken_loss,
    l6,
    l24,
    sigmoid_free,
    sigmoid_free_l1,
    sigmoid_free_l2,
)
from tests._backends import assert_keras_wrapper, assert_parity, gradcheck

RNG = np.random.default_rng(2001)
DTYPES = (np.float64, np.float32)


def t64(x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


def sig(x):
    return 1 / (1 + np.exp(-x))


# ----------------------------------------------------------------------------- l24 / l6

def test_l24_hand_values():
    y = np.array([0.9, 0.2, 0.75, 0.0, 1.0, 0.5])
    t = np.array([1, 1, 0, 1, 0, 0])
    c = 2.0
    want = [c * (0.1 ** 2 + 0.1 ** 4), c * (0.8 ** 2 + 0.8 ** 4), 0.75 ** 2 + 0.75 ** 4, c * 2.0, 2.0,
            0.25 + 0.0625]
    np.testing.assert_allclose(l24(y, t, c=c, reduction="none"), want, rtol=1e-14)
    assert l24(y, t, c=c) == pytest.approx(sum(want) / 6, rel=1e-14)
    assert l24(y, t, c=c, reduction="sum") == pytest.approx(sum(want), rel=1e-14)


def test_l6_hand_values():
    y = np.array([0.9, 0.2, 0.75, 0.0, 1.0, 0.5])
    t = np.array([1, 1, 0, 1, 0, 1])
    c = 3.0
    want = [c * 0.1 ** 6, c * 0.8 ** 6, 0.75 ** 6, c, 1.0, c / 64]
    np.testing.assert_allclose(l6(y, t, c=c, reduction="none"), want, rtol=1e-13)


def test_polynomial_losses_from_logits_equal_composition():
    x = RNG.normal(0, 3, 200)
    t = RNG.integers(0, 2, 200)
    for fn in (l24, l6, broken_loss):
        np.testing.assert_allclose(fn(x, t, from_logits=True, c=1.5, reduction="none"),
                                   fn(sig(x), t, c=1.5, reduction="none"), rtol=1e-9, atol=1e-15)


def test_focality_derivatives_vs_bce():
    # |dl/dy| for t = 1: BCE 1/y >= 1; l24: c(2(1-y) + 4(1-y)^3); l6: 6c(1-y)^5 (Sec. 5)
    y = np.array([0.1, 0.5, 0.9])
    yt = t64(y).requires_grad_(True)
    l24(yt, t64([1, 1, 1]), c=2.0, reduction="sum").backward()
    np.testing.assert_allclose(-yt.grad.numpy(), 2.0 * (2 * (1 - y) + 4 * (1 - y) ** 3), rtol=1e-14)
    yt = t64(y).requires_grad_(True)
    l6(yt, t64([1, 1, 1]), reduction="sum").backward()
    np.testing.assert_allclose(-yt.grad.numpy(), 6 * (1 - y) ** 5, rtol=1e-14)
    yt = t64(y).requires_grad_(True)
    l6(yt, t64([0, 0, 0]), c=5.0, reduction="sum").backward()   # c weights class 1 only
    np.testing.assert_allclose(yt.grad.numpy(), 6 * y ** 5, rtol=1e-14)
    # correctly classified (y = 0.9): l6 gradient is 1e-5 of BCE's (1/0.9)
    assert 6 * 0.1 ** 5 < 1e-4 < 1 / 0.9


# ----------------------------------------------------------------------------- sigmoid-free

def test_sigmoid_free_l1_l2_pieces():
    r = np.array([-2.0, -0.5, 0.0, 0.1, 0.25, 0.5, 3.0])
    l1 = [1.0 + 1 / 16, 0.25 + 1 / 16, 1 / 16, 0.4 ** 4, 0.25 ** 4, 0.0, 0.0]
    np.testing.assert_allclose(sigmoid_free_l1(r), l1, rtol=1e-14, atol=0)
    np.testing.assert_allclose(sigmoid_free_l2(-r), l1, rtol=1e-14, atol=0)


def test_sigmoid_free_hand_values_and_factor_two():
    r = np.array([2.0, 0.25, -1.0, 0.0, -0.1, 0.3])
    t = np.array([1, 1, 1, 0, 0, 0])
    c = 1.5
    l1 = [0.0, 0.25 ** 4, 0.5 + 1 / 16]
    l2 = [1 / 16, 0.4 ** 4, 0.15 + 1 / 16]
    want = [2 * c * v for v in l1] + [2 * v for v in l2]     # (1 + u) = 2, (1 - u) = 2
    np.testing.assert_allclose(sigmoid_free(r, t, c=c, reduction="none"), want, rtol=1e-14)
    np.testing.assert_allclose(sigmoid_free(r, 2 * t - 1, c=c, labels="pm1", reduction="none"), want,
                               rtol=1e-14)


def test_sigmoid_free_is_c1_and_convex():
    # slope -1/2 on both sides of 0 for l1 (times 2c): gradient continuous at r = 0 and r = 0.5
    for r0 in (0.0, 0.5):
        h = 1e-7
        r = t64([r0 - h, r0 + h]).requires_grad_(True)
        sigmoid_free(r, t64([1, 1]), reduction="sum").backward()
        g = r.grad.numpy()
        want = -1.0 if r0 == 0.0 else 0.0
        np.testing.assert_allclose(g, [want, want], atol=1e-6)
    r = np.linspace(-3, 3, 601)
    v = sigmoid_free(r, np.ones_like(r), reduction="none")
    assert np.all(np.diff(v, 2) >= -1e-12)     # convex


def test_sigmoid_free_no_sigmoid_grows_linearly():
    r = np.array([-10.0, -100.0, -1e4])
    np.testing.assert_allclose(sigmoid_free(r, np.ones(3), c=1.0, reduction="none"), -r + 1 / 8, rtol=1e-15)


# ----------------------------------------------------------------------------- broken loss

def test_broken_l1_and_constants():
    y = np.array([0.0, 0.25, 0.5, 0.5 + 1e-12, 0.75, 1.0])
    np.testing.assert_allclose(broken_l1(y), [0, 0.25 ** 4, 1 / 16, 1 / 16 + 1e-12, 0.75 - 7 / 16, 9 / 16],
                               rtol=1e-10, atol=0)
    # the printed 3/16 jumps in value by 1/4 at y = 1/2
    lo, hi = broken_l1(np.array([0.5, 0.5 + 1e-12]), "3/16")
    assert lo == pytest.approx(1 / 16) and hi == pytest.approx(5 / 16)
    np.testing.assert_allclose(broken_l1(np.array([0.8]), 0.3), [0.5], rtol=1e-15)


def test_broken_loss_hand_values():
    y = np.array([0.9, 0.2, 0.75, 0.5, 0.3])
    t = np.array([1, 1, 0, 0, 0])
    c = 2.0
    want = [0.1 ** 4, 0.8 - 7 / 16, c * (0.75 - 7 / 16), c / 16, c * 0.3 ** 4]
    np.testing.assert_allclose(broken_loss(y, t, c=c, reduction="none"), want, rtol=1e-14)
    want3 = [0.1 ** 4, 0.8 - 3 / 16, c * (0.75 - 3 / 16), c / 16, c * 0.3 ** 4]
    np.testing.assert_allclose(broken_loss(y, t, c=c, constant="3/16", reduction="none"), want3, rtol=1e-14)


def test_broken_loss_derivative_jump_at_threshold():
    y = t64([0.5 - 1e-9, 0.5 + 1e-9]).requires_grad_(True)
    broken_loss(y, t64([0, 0]), reduction="sum").backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.5, 1.0], rtol=1e-6)     # 4 (1/2)^3 -> 1
    y = t64([0.5 - 1e-9, 0.5 + 1e-9]).requires_grad_(True)
    broken_loss(y, t64([1, 1]), reduction="sum").backward()
    np.testing.assert_allclose(y.grad.numpy(), [-1.0, -0.5], rtol=1e-6)


# ----------------------------------------------------------------------------- parity / gradcheck

def _inputs(kind, n=300):
    y = RNG.uniform(0.02, 0.98, n)
    y = np.where(np.abs(y - 0.5) < 0.03, y + 0.1, y)
    t = RNG.integers(0, 2, n).astype(np.float64)
    if kind == "logit":
        y = RNG.normal(0, 2, n)
        y = np.where(np.min(np.abs(y[:, None] - np.array([-0.5, 0.0, 0.5])), axis=1) < 0.02, y + 0.1, y)
    if kind == "pm1":
        y = RNG.normal(0, 2, n)
        y = np.where(np.min(np.abs(y[:, None] - np.array([-0.5, 0.0, 0.5])), axis=1) < 0.02, y + 0.1, y)
        t = 2 * t - 1
    return y, t


CASES = [
    (l24, {}, "prob"), (l24, {"c": 3.0, "from_logits": True}, "logit"),
    (l6, {"c": 0.5}, "prob"), (l6, {"from_logits": True}, "logit"),
    (sigmoid_free, {"c": 2.0}, "logit"), (sigmoid_free, {"labels": "pm1"}, "pm1"),
    (broken_loss, {}, "prob"), (broken_loss, {"constant": "3/16", "c": 2.0}, "prob"),
    (broken_loss, {"from_logits": True}, "logit"),
]
IDS = [f"{f.__name__}-{p}" for f, p, _ in CASES]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params,kind", CASES, ids=IDS)
def test_parity(fn, params, kind, dtype):
    y, t = _inputs(kind)
    assert_parity(fn, [y, t], dtype, reduction="none", **params)
    assert_parity(fn, [y, t], dtype, reduction="mean", **params)


@pytest.mark.parametrize("fn,params,kind", CASES, ids=IDS)
def test_gradcheck(fn, params, kind):
    y, t = _inputs(kind, 30)
    assert gradcheck(fn, [y, t], **params)


# ----------------------------------------------------------------------------- toy model (Sec. 4)

def test_phi_hand_values():
    np.testing.assert_allclose(phi_arctan(np.array([1.0, -1.0, 0.0])), [0.5, -0.5, 0.0], rtol=1e-15)
    np.testing.assert_allclose(phi_sqrt(np.array([3.0, -3.0, 0.0]), 16.0), [0.6, -0.6, 0.0], rtol=1e-15)
    assert abs(float(phi_arctan(np.array(1e12))) - 1) < 1e-11


def test_toy_gain_hand_values_and_sign_on_ground_truth():
    w = np.array([-2.0, 0.5, 2.0])
    np.testing.assert_allclose(toy_gain(1.0, w), [-(2 / math.pi) * math.atan(-3), -(2 / math.pi) * math.atan(-0.5),
                                                  -0.5], rtol=1e-14)
    # n = 2, theta = (a1, a2): positive on [a, a1[ and [a2, b], negative in between
    th = np.array([-1.0, 1.0])
    w = np.linspace(-3, 3, 61)
    g = toy_gain(th, w, "sqrt", eps=0.1)
    inside = (w > -1) & (w < 1)
    outside = (w < -1) | (w > 1)
    assert np.all(g[inside] < 0) and np.all(g[outside] > 0)
    # batch of thetas
    assert toy_gain(np.stack([th, th + 0.5]), w).shape == (2, 61)


def test_toy_G_closed_form_integral():
    # phi = (2/pi) arctan, theta = a1 = 0 on [-1, 1]: G = 2 int_0^1 phi = 1 - (2/pi) ln 2
    assert float(toy_G(0.0, -1.0, 1.0, 0.0)) == pytest.approx(1 - 2 / math.pi * math.log(2), rel=1e-13)
    # literal reading (no label sign): the integral of an odd function over [-1, 1] is 0
    assert float(toy_G(0.0, -1.0, 1.0, 0.0, signed=False)) == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize("phi,eps,n_grid", [("arctan", 0.01, 400), ("sqrt", 0.1, 400), ("sqrt", 0.01, 2000)])
@pytest.mark.parametrize("a,b,a1", [(0.0, 1.0, 0.5), (-2.0, 3.0, 0.0), (0.0, 10.0, 1.0)])
def test_toy_G_numerical_derivative_matches_closed_form(phi, eps, n_grid, a, b, a1):
    theta = np.linspace(a + 0.05 * (b - a), b - 0.05 * (b - a), 9)
    h = 1e-5
    col = theta[:, None]                 # a batch of one-parameter models: shape (9, n=1)
    dG = (toy_G(col + h, a, b, a1, phi, eps=eps, n_grid=n_grid)
          - toy_G(col - h, a, b, a1, phi, eps=eps, n_grid=n_grid)) / (2 * h)
    assert dG.shape == (9,)
    closed = toy_G_derivative_closed_form(theta, a, b, a1, phi, eps=eps)
    np.testing.assert_allclose(dG, closed, atol=1e-7)
    # torch autograd through the quadrature gives the same derivative
    th = torch.tensor(theta, requires_grad=True)
    toy_G(th.unsqueeze(-1), a, b, a1, phi, eps=eps, n_grid=n_grid).sum().backward()
    np.testing.assert_allclose(th.grad.numpy(), closed, atol=1e-9)


def test_toy_G_literal_reading_has_other_derivative():
    theta = np.array([0.2, 0.5, 0.7])
    h = 1e-5
    col = theta[:, None]
    dG = (toy_G(col + h, 0.0, 1.0, 0.3, signed=False) - toy_G(col - h, 0.0, 1.0, 0.3, signed=False)) / (2 * h)
    np.testing.assert_allclose(dG, phi_arctan(1.0 - theta) - phi_arctan(0.0 - theta), atol=1e-8)
    assert not np.allclose(dG, toy_G_derivative_closed_form(theta, 0.0, 1.0, 0.3))


def test_proposition_4_1_cases():
    def argmax(a, b, a1, phi="arctan", eps=0.01):
        th = np.linspace(a, b, 4001)
        return th[np.argmax(toy_G(th[:, None], a, b, a1, phi, eps=eps, n_grid=300))]
    # i) balanced: argmax at a1
    assert argmax(0.0, 2.0, 1.0) == pytest.approx(1.0, abs=1e-3)
    # ii) biased (class 1 = [a, a1[ is the minority): argmax in ]a, a1[, shifted towards a
    m = argmax(0.0, 2.2, 1.0)
    assert 0.0 < m < 1.0 - 0.01
    # ... and the bias shrinks with sharpness (smaller eps)
    m_sharp = argmax(0.0, 2.2, 1.0, "sqrt", 1e-4)
    m_blunt = argmax(0.0, 2.2, 1.0, "sqrt", 1.0)
    assert abs(m_sharp - 1.0) < abs(m_blunt - 1.0)
    # iii) rare event: phi(b - a) >= 2 phi(a1 - a) -> dG/dtheta < 0 on [a, b], argmax = a
    a, b, a1 = 0.0, 20.0, 0.1
    assert phi_arctan(b - a) >= 2 * phi_arctan(a1 - a)
    th = np.linspace(a, b, 2001)
    assert np.all(toy_G_derivative_closed_form(th, a, b, a1) < 0)
    assert argmax(a, b, a1) == a


def test_toy_G_callable_ground_truth_and_multi_parameter():
    # callable labels agree with breakpoints (first-order accurate at the jump)
    g1 = toy_G(0.3, 0.0, 1.0, 0.4)
    g2 = toy_G(0.3, 0.0, 1.0, lambda w: (w < 0.4).astype(float), n_grid=4000)
    assert float(g2) == pytest.approx(float(g1), abs=1e-3)
    # n = 2: G is maximal near theta = (a1, a2) for a balanced symmetric layout
    a, b, br = -3.0, 3.0, [-1.0, 1.0]
    best = toy_G(np.array([-1.0, 1.0]), a, b, br, "sqrt", eps=1e-3, n_grid=600)
    for d in ([0.1, 0.0], [0.0, -0.1], [-0.1, 0.1]):
        assert toy_G(np.array([-1.0, 1.0]) + d, a, b, br, "sqrt", eps=1e-3, n_grid=600) < best


def test_toy_model_bad_inputs():
    with pytest.raises(ValueError, match=r"eps must be in \(0.0, inf\), got 0.0"):
        phi_sqrt(np.array([1.0]), 0.0)
    with pytest.raises(ValueError, match="a must be smaller than b, got a=1.0, b=0.0"):
        toy_G(0.5, 1.0, 0.0, 0.5)
    with pytest.raises(ValueError, match=r"y_true breakpoints must satisfy a < a_1 < ... < a_n < b"):
        toy_G(0.5, 0.0, 1.0, 1.5)
    with pytest.raises(ValueError, match=r"a1 must lie in \(a, b\), got a=0.0, a1=2.0, b=1.0"):
        toy_G_derivative_closed_form(0.5, 0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match=r"phi must be one of \('arctan', 'sqrt'\), got 'tanh'"):
        toy_gain(0.0, np.array([0.0]), "tanh")
    with pytest.raises(ValueError, match="n_grid must be in"):
        toy_G(0.5, 0.0, 1.0, 0.5, n_grid=1)
    with pytest.raises(ValueError, match="theta must be finite"):
        toy_G(np.array([np.nan]), 0.0, 1.0, 0.5)


# ----------------------------------------------------------------------------- bad inputs (001 specific)

def test_001_bad_parameters():
    y, t = np.array([0.3, 0.7]), np.array([0, 1])
    with pytest.raises(ValueError, match=r"c must be in \(0.0, inf\), got -1.0"):
        l6(y, t, c=-1.0)
    with pytest.raises(ValueError, match=r"c must be in \(0.0, inf\), got 0"):
        l24(y, t, c=0)
    with pytest.raises(ValueError, match=r"constant must be one of \('7/16', '3/16'\), got '5/16'"):
        broken_loss(y, t, constant="5/16")
    with pytest.raises(ValueError, match=r"y_true must contain only labels \{-1, 1\}, found 0"):
        sigmoid_free(y, t, labels="pm1")
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\]"):
        l6(np.array([1.5, 0.2]), t)


# ----------------------------------------------------------------------------- wrappers

WRAPPED = {
    "l24": [{"c": 2.0}, {"from_logits": True}],
    "l6": [{"c": 0.5}],
    "sigmoid_free": [{"c": 3.0}],
    "broken_loss": [{"constant": "3/16"}, {"constant": 0.25, "c": 2.0}],
}


@pytest.mark.parametrize("name,params", [(n, p) for n, ps in WRAPPED.items() for p in ps])
def test_torch_module_and_keras_class_match_function(name, params):
    spec = LOSSES[name]
    y, t = _inputs("logit" if params.get("from_logits") or name == "sigmoid_free" else "prob", 64)
    want = spec.fn(y, t, reduction="mean", **params)
    mod = getattr(lt, spec.class_name)(**params)
    assert float(mod(t64(y), t64(t))) == pytest.approx(float(want), rel=1e-14)
    assert_keras_wrapper(spec, params, y, t)


def test_every_001_loss_has_wrapper_case():
    assert {n for n, s in LOSSES.items() if "001" in s.documents} == set(WRAPPED)


def test_fused_forms_equal_the_printed_formulas():
    # the losses evaluate the wrong-class probability once; compare with the printed two-term formulas
    y = np.r_[RNG.uniform(0, 1, 2000), 0.0, 1.0, 0.5]
    t = np.r_[RNG.integers(0, 2, 2000), 1, 0, 1].astype(np.float64)
    c = 1.7
    np.testing.assert_allclose(l24(y, t, c=c, reduction="none"),
                               c * t * ((1 - y) ** 2 + (1 - y) ** 4) + (1 - t) * (y ** 2 + y ** 4), rtol=1e-14)
    np.testing.assert_allclose(l6(y, t, c=c, reduction="none"), c * t * (1 - y) ** 6 + (1 - t) * y ** 6,
                               rtol=1e-13, atol=1e-300)
    b1 = lambda v: np.where(v <= 0.5, v ** 4, v - 7 / 16)  # noqa: E731
    np.testing.assert_allclose(broken_loss(y, t, c=c, reduction="none"), c * (1 - t) * b1(y) + t * b1(1 - y),
                               rtol=1e-14)
    r = RNG.normal(0, 1, 2000)
    u = 2 * t[:2000] - 1
    l1 = lambda v: 0.5 * np.maximum(-v, 0) + np.maximum(np.minimum(0.5 - v, 0.5), 0) ** 4  # noqa: E731
    l2 = lambda v: 0.5 * np.maximum(v, 0) + np.maximum(np.minimum(0.5 + v, 0.5), 0) ** 4  # noqa: E731
    np.testing.assert_allclose(sigmoid_free(r, t[:2000], c=c, reduction="none"),
                               c * (1 + u) * l1(r) + (1 - u) * l2(r), rtol=1e-14)
