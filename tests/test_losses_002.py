"""Document 002 (the primer): reference values, gradients, backend parity, peer
implementations (torch / Keras), bad inputs and the torch/Keras wrappers."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lossfns.keras as lk
import lossfns.torch as lt
from lossfns.losses import LOSSES
from tests._modules import P
from tests._backends import assert_parity, gradcheck

RNG = np.random.default_rng(2002)
DTYPES = (np.float64, np.float32)


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def tt(x):
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


# ----------------------------------------------------------------------------- hand values

def test_categorical_ce_hand_values():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.25, 0.25, 0.5]])
    got = P.categorical_cross_entropy(p, np.array([0, 2, 1]), reduction="none")
    np.testing.assert_allclose(got, [-math.log(0.7), -math.log(0.8), -math.log(0.25)], rtol=1e-14)
    # one-hot targets equal index targets; soft targets weight the logs
    np.testing.assert_allclose(P.categorical_cross_entropy(p, np.eye(3)[[0, 2, 1]], reduction="none"), got)
    soft = P.categorical_cross_entropy(p[:1], np.array([[0.5, 0.5, 0.0]]), reduction="none")
    np.testing.assert_allclose(soft, [-(0.5 * math.log(0.7) + 0.5 * math.log(0.2))], rtol=1e-14)
    # logits: CE = logsumexp(s) - s_y
    s = np.array([[1.0, 2.0, 3.0]])
    want = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 1.0
    np.testing.assert_allclose(P.categorical_cross_entropy(s, np.array([0]), from_logits=True), want,
                               rtol=1e-14)
    # reductions
    assert P.categorical_cross_entropy(p, np.array([0, 2, 1]), reduction="sum") == pytest.approx(
        -math.log(0.7) - math.log(0.8) - math.log(0.25), rel=1e-14)


def test_kl_hand_values_and_zero_convention():
    q, p = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    want = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert P.kl_divergence(q, p) == pytest.approx(want, rel=1e-14)
    # P(x) = 0 terms vanish (0 log 0 = 0): KL(one-hot || q) = -log q_y
    assert P.kl_divergence(np.array([0.2, 0.3, 0.5]), np.array([0.0, 1.0, 0.0])) == pytest.approx(
        -math.log(0.3), rel=1e-14)
    assert P.kl_divergence(p, p) == 0.0
    # logits path: Q = softmax(s)
    s = np.array([0.0, math.log(3.0)])      # softmax = (0.25, 0.75)
    assert P.kl_divergence(s, p, from_logits=True) == pytest.approx(want, rel=1e-12)


def test_entropy_and_ce_equals_kl_plus_h():
    assert P.entropy(np.array([0.5, 0.25, 0.25])) == pytest.approx(1.5 * math.log(2), rel=1e-14)
    assert P.entropy(np.array([1.0, 0.0, 0.0])) == 0.0
    p = softmax(RNG.normal(size=(6, 5)))
    q = softmax(RNG.normal(size=(6, 5)))
    ce = P.categorical_cross_entropy(q, p, reduction="none")
    np.testing.assert_allclose(ce, P.kl_divergence(q, p, reduction="none") + P.entropy(p), rtol=1e-12)
    # and on torch, with logits
    z = torch.randn(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    pt = torch.as_tensor(p)
    lhs = P.categorical_cross_entropy(z, pt, from_logits=True, reduction="none")
    rhs = P.kl_divergence(z, pt, from_logits=True, reduction="none") + P.entropy(pt)
    torch.testing.assert_close(lhs, rhs, rtol=1e-12, atol=1e-12)


def test_multiclass_hinge_hand_values():
    # CS231n example: scores (cat, car, frog) for three images
    s = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = np.array([0, 1, 2])
    ww = [max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1),
          max(0, 1.3 - 4.9 + 1) + max(0, 2.0 - 4.9 + 1),
          max(0, 2.2 + 3.1 + 1) + max(0, 2.5 + 3.1 + 1)]
    np.testing.assert_allclose(P.multiclass_hinge(s, y, reduction="none"), ww, rtol=1e-14)
    assert ww == pytest.approx([2.9, 0.0, 12.9])
    cs = [max(0, 1 + 5.1 - 3.2), max(0, 1 + 2.0 - 4.9), max(0, 1 + 2.5 + 3.1)]
    np.testing.assert_allclose(P.multiclass_hinge(s, y, variant="crammer_singer", reduction="none"),
                               cs, rtol=1e-14)
    # margin 0: only strictly violating classes count
    np.testing.assert_allclose(P.multiclass_hinge(s, y, margin=0.0, reduction="none"),
                               [1.9, 0.0, 10.9], rtol=1e-14)


def test_poly1_hand_values():
    p = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    y = np.array([0, 1])
    want = [-math.log(0.7) + 2.0 * 0.3, -math.log(0.3) + 2.0 * 0.7]
    np.testing.assert_allclose(P.poly1(p, y, epsilon=2.0, reduction="none"), want, rtol=1e-14)
    # epsilon = 0 is cross-entropy; epsilon = -1 removes the first polynomial term
    np.testing.assert_allclose(P.poly1(p, y, epsilon=0.0, reduction="none"),
                               P.categorical_cross_entropy(p, y, reduction="none"), rtol=1e-14)
    want_m1 = [-math.log(0.7) - 0.3, -math.log(0.3) - 0.7]
    np.testing.assert_allclose(P.poly1(p, y, epsilon=-1.0, reduction="none"), want_m1, rtol=1e-14)


def test_focal_hand_values():
    y = np.array([0.9, 0.2, 0.3, 0.8])
    t = np.array([1, 1, 0, 0])
    pt = np.array([0.9, 0.2, 0.7, 0.2])
    at = np.array([0.25, 0.25, 0.75, 0.75])
    want = -at * (1 - pt) ** 2 * np.log(pt)
    np.testing.assert_allclose(P.focal(y, t, reduction="none"), want, rtol=1e-14)
    # gamma = 0, alpha = None: binary cross-entropy
    np.testing.assert_allclose(P.focal(y, t, alpha=None, gamma=0.0, reduction="none"), -np.log(pt),
                               rtol=1e-14)
    # logits: p = sigmoid(z)
    z = np.array([2.0, -1.0, 0.5, -3.0])
    p = 1 / (1 + np.exp(-z))
    pt = np.where(t == 1, p, 1 - p)
    want = -np.where(t == 1, 0.4, 0.6) * (1 - pt) ** 0.5 * np.log(pt)
    np.testing.assert_allclose(P.focal(z, t, alpha=0.4, gamma=0.5, from_logits=True, reduction="none"),
                               want, rtol=1e-13)


def test_focal_reduces_to_binary_cross_entropy():
    from lossfns import binary_cross_entropy
    y = RNG.uniform(0.01, 0.99, size=10)
    t = RNG.integers(0, 2, size=10)
    np.testing.assert_allclose(P.focal(y, t, alpha=None, gamma=0.0, reduction="none"),
                               binary_cross_entropy(y, t, reduction="none"), rtol=1e-14)
    z = RNG.normal(size=10) * 5
    np.testing.assert_allclose(P.focal(z, t, alpha=None, gamma=0.0, from_logits=True, reduction="none"),
                               binary_cross_entropy(z, t, from_logits=True, reduction="none"), rtol=1e-13)


def test_contrastive_hand_values():
    x1 = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    x2 = np.array([[0.3, 0.4], [0.3, 0.4], [1.0, 1.0], [3.0, 4.0]])   # d = .5, .5, 0, 5
    y = np.array([0, 1, 1, 1])
    # hadsell: Y=0 similar -> D^2/2 ; Y=1 dissimilar -> max(0, m-D)^2/2
    want = [0.5 * 0.25, 0.5 * (2.0 - 0.5) ** 2, 0.5 * 2.0 ** 2, 0.0]
    np.testing.assert_allclose(P.contrastive(x1, x2, y, margin=2.0, reduction="none"), want, rtol=1e-14)
    # pair: y=1 similar -> d^2 ; y=0 dissimilar -> max(m-d, 0)^2
    want = [(2.0 - 0.5) ** 2, 0.25, 0.0, 25.0]
    np.testing.assert_allclose(P.contrastive(x1, x2, y, margin=2.0, convention="pair", reduction="none"),
                               want, rtol=1e-14)


def test_triplet_hand_values():
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    p = np.array([[1.0, 0.0], [3.0, 4.0]])
    n = np.array([[0.0, 1.5], [1.0, 0.0]])
    # plain: max(d_ap - d_an + m, 0) with d = (1, 5), (1.5, 1)
    np.testing.assert_allclose(P.triplet(a, p, n, margin=1.0, reduction="none"), [0.5, 5.0], rtol=1e-14)
    # FaceNet squared: (1 - 2.25 + .2, 25 - 1 + .2)
    np.testing.assert_allclose(P.triplet(a, p, n, margin=0.2, squared=True, reduction="none"),
                               [0.0, 24.2], rtol=1e-14)


def test_margin_ranking_hand_values():
    x1 = np.array([0.8, 0.2, 0.5, -1.0])
    x2 = np.array([0.5, 0.5, 0.5, 1.0])
    y = np.array([1, 1, -1, -1])
    want = [max(0, -0.3 + 0.1), max(0, 0.3 + 0.1), max(0, 0.0 + 0.1), max(0, -2.0 + 0.1)]
    np.testing.assert_allclose(P.margin_ranking(x1, x2, y, margin=0.1, reduction="none"), want,
                               rtol=1e-14)


def test_info_nce_and_mnr_hand_values():
    q = np.array([[1.0, 0.0], [0.0, 2.0]])
    k = np.array([[3.0, 0.0], [0.0, 1.0]])
    # in-batch: cos matrix = I, tau = 0.5 -> -log(e^2 / (e^2 + e^0))
    want = -math.log(math.exp(2) / (math.exp(2) + 1))
    np.testing.assert_allclose(P.info_nce(q, k, temperature=0.5, reduction="none"), [want, want],
                               rtol=1e-14)
    # explicit shared negatives: cosines of q0 with negatives (1,1)/sqrt2 and (-1, 0)
    neg = np.array([[1.0, 1.0], [-1.0, 0.0]])
    c = 1 / math.sqrt(2)
    want0 = -math.log(math.exp(1) / (math.exp(1) + math.exp(c) + math.exp(-1)))
    got = P.info_nce(q, k, neg, temperature=1.0, reduction="none")
    assert got[0] == pytest.approx(want0, rel=1e-14)
    # per-query negatives (N, M, D) with the same negatives equal the shared form
    np.testing.assert_allclose(P.info_nce(q, k, np.stack([neg, neg]), temperature=1.0, reduction="none"),
                               got, rtol=1e-14)
    # dot product without normalisation
    want_dot = -math.log(math.exp(3) / (math.exp(3) + math.exp(0)))
    assert P.info_nce(q, k, temperature=1.0, normalize=False, reduction="none")[0] == pytest.approx(
        want_dot, rel=1e-14)
    # MNR with scale s is InfoNCE with tau = 1/s (in-batch), and hard negatives add columns
    a, p = RNG.normal(size=(2, 7, 4))
    np.testing.assert_allclose(P.multiple_negatives_ranking(a, p, scale=20.0, reduction="none"),
                               P.info_nce(a, p, temperature=1 / 20.0, reduction="none"), rtol=1e-12)
    h = RNG.normal(size=(7, 4))
    np.testing.assert_allclose(P.multiple_negatives_ranking(a, p, h, scale=20.0, reduction="none"),
                               _mnr_ref(a, p, h, 20.0), rtol=1e-12)


def _mnr_ref(a, p, h, scale):
    # sentence-transformers' MultipleNegativesRankingLoss, written out in NumPy
    an = a / np.linalg.norm(a, axis=1, keepdims=True)
    cand = np.concatenate([p, h])
    cand = cand / np.linalg.norm(cand, axis=1, keepdims=True)
    s = scale * an @ cand.T
    m = s.max(1, keepdims=True)
    lse = np.log(np.exp(s - m).sum(1)) + m[:, 0]
    return lse - s[np.arange(len(a)), np.arange(len(a))]


def test_arcface_hand_values():
    x = np.array([[1.0, 0.0], [1.0, 1.0]])
    w = np.array([[2.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1])
    s, m = 2.0, 0.3
    # sample 0: theta_0 = 0, theta_1 = pi/2; sample 1: theta = pi/4 to both
    l0 = -math.log(math.exp(s * math.cos(m)) / (math.exp(s * math.cos(m)) + math.exp(0.0)))
    c = math.cos(math.pi / 4)
    l1 = -math.log(math.exp(s * math.cos(math.pi / 4 + m)) /
                   (math.exp(s * math.cos(math.pi / 4 + m)) + math.exp(s * c)))
    np.testing.assert_allclose(P.arcface(x, w, y, s=s, m=m, reduction="none"), [l0, l1], rtol=1e-13)
    # m = 0 is softmax CE on s * cosine
    got = P.arcface(x, w, y, s=s, m=0.0, reduction="none")
    np.testing.assert_allclose(got, [math.log(1 + math.exp(-s)), math.log(2.0)], rtol=1e-13)


def test_ge2e_hand_values():
    # N = 2 speakers, M = 2 utterances, 2-D; utterance pairs at +-45 degrees about the axes
    r = 1 / math.sqrt(2)
    e = np.array([[[r, r], [r, -r]], [[-r, r], [-r, -r]]])
    w, b = 3.0, -1.0
    # own exclusive centroid of e_ji is the other utterance: cos = 0 (orthogonal)
    # other speaker centroid: spk0 centroid (r, 0) -> direction (1, 0); spk1 (-1, 0)
    # e_00 = (r, r): cos to spk1 centroid = -r
    s_own, s_other = w * 0.0 + b, w * (-r) + b
    want = -s_own + math.log(math.exp(s_own) + math.exp(s_other))
    np.testing.assert_allclose(P.ge2e(e, w=w, b=b, reduction="none"), np.full((2, 2), want), rtol=1e-13)
    assert P.ge2e(e, w=w, b=b, reduction="sum") == pytest.approx(4 * want, rel=1e-13)
    # normalize=True is scale-invariant per embedding
    np.testing.assert_allclose(P.ge2e(e * np.array([2.0, 5.0])[:, None, None], w=w, b=b,
                                      reduction="none"), np.full((2, 2), want), rtol=1e-13)


def test_ge2e_against_loop_reference():
    e = RNG.normal(size=(3, 4, 5))
    w, b = 10.0, -5.0
    en = e / np.linalg.norm(e, axis=-1, keepdims=True)
    n, m, _ = e.shape
    want = np.zeros((n, m))
    for j in range(n):
        for i in range(m):
            sims = []
            for k in range(n):
                c = en[k].mean(0) if k != j else (en[j].sum(0) - en[j, i]) / (m - 1)
                sims.append(w * en[j, i] @ c / np.linalg.norm(c) + b)
            want[j, i] = -sims[j] + math.log(sum(math.exp(v) for v in sims))
    np.testing.assert_allclose(P.ge2e(e, w=w, b=b, reduction="none"), want, rtol=1e-12)


def test_regression_hand_values():
    y, t = np.array([1.0, 2.0, 3.0, -4.0]), np.array([1.5, 2.0, 1.0, 0.0])
    assert P.mae(y, t) == pytest.approx((0.5 + 0 + 2 + 4) / 4, rel=1e-15)
    assert P.mse(y, t) == pytest.approx((0.25 + 0 + 4 + 16) / 4, rel=1e-15)
    np.testing.assert_allclose(P.huber(y, t, delta=1.0, reduction="none"),
                               [0.125, 0.0, 1.0 * (2 - 0.5), 1.0 * (4 - 0.5)], rtol=1e-15)
    np.testing.assert_allclose(P.huber(y, t, delta=2.0, reduction="none"), [0.125, 0.0, 2.0, 2 * (4 - 1)],
                               rtol=1e-15)


# ----------------------------------------------------------------------------- parity

def _multiclass_inputs(n=6, c=4):
    z = RNG.normal(size=(n, c)) * 2
    return z, softmax(z), RNG.integers(0, c, size=n)


@pytest.mark.parametrize("dtype", DTYPES)
def test_parity_multiclass(dtype):
    z, p, idx = _multiclass_inputs()
    soft = softmax(RNG.normal(size=p.shape))
    for red in ("none", "mean", "sum"):
        assert_parity(P.categorical_cross_entropy, [p, idx], dtype, reduction=red)
    assert_parity(P.categorical_cross_entropy, [z, soft], dtype, from_logits=True, reduction="none")
    assert_parity(P.kl_divergence, [p, soft], dtype, reduction="none")
    assert_parity(P.kl_divergence, [z, idx], dtype, from_logits=True, reduction="none")
    for v in P.HINGE_VARIANTS:
        assert_parity(P.multiclass_hinge, [z, idx], dtype, variant=v, reduction="none")
    assert_parity(P.poly1, [z, idx], dtype, from_logits=True, epsilon=2.0, reduction="none")
    assert_parity(P.poly1, [p, soft], dtype, epsilon=-0.5, reduction="none")
    assert_parity(P.entropy, [soft], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_parity_binary_and_regression(dtype):
    y = RNG.uniform(0.01, 0.99, size=(4, 5))
    t = RNG.integers(0, 2, size=(4, 5))
    z = RNG.normal(size=(4, 5)) * 3
    assert_parity(P.focal, [y, t], dtype, reduction="none")
    assert_parity(P.focal, [y, t], dtype, alpha=None, gamma=0.5, reduction="none")
    assert_parity(P.focal, [z, t], dtype, from_logits=True, reduction="none")
    r = RNG.normal(size=(4, 5)) * 2
    for fn in (P.mae, P.mse, P.huber):
        assert_parity(fn, [z, r], dtype, reduction="none")
    assert_parity(P.huber, [z, r], dtype, delta=0.3, reduction="sum")


@pytest.mark.parametrize("dtype", DTYPES)
def test_parity_embeddings(dtype):
    a, p, n = RNG.normal(size=(3, 6, 3))
    lab = RNG.integers(0, 2, size=6)
    for conv in P.CONTRASTIVE_CONVENTIONS:
        assert_parity(P.contrastive, [a, p, lab], dtype, convention=conv, reduction="none")
    assert_parity(P.triplet, [a, p, n], dtype, reduction="none")
    assert_parity(P.triplet, [a, p, n], dtype, squared=True, margin=0.2, reduction="none")
    assert_parity(P.margin_ranking, [a[:, 0], p[:, 0], 2 * lab - 1], dtype, margin=0.2, reduction="none")
    assert_parity(P.info_nce, [a, p], dtype, reduction="none")
    assert_parity(P.info_nce, [a, p, n[:4]], dtype, reduction="none")
    assert_parity(P.info_nce, [a, p, RNG.normal(size=(6, 2, 3))], dtype, reduction="none")
    assert_parity(P.multiple_negatives_ranking, [a, p], dtype, reduction="none")
    assert_parity(P.multiple_negatives_ranking, [a, p, n], dtype, reduction="none")
    assert_parity(P.arcface, [a, n[:4], RNG.integers(0, 4, size=6)], dtype, s=8.0, reduction="none")
    assert_parity(P.ge2e, [RNG.normal(size=(3, 4, 5))], dtype, reduction="none")


# ----------------------------------------------------------------------------- gradients

def test_gradcheck_float64():
    z, p, idx = _multiclass_inputs(4, 3)
    soft = softmax(RNG.normal(size=p.shape))
    assert gradcheck(P.categorical_cross_entropy, [p, soft])
    assert gradcheck(P.categorical_cross_entropy, [z, idx], from_logits=True)
    assert gradcheck(P.kl_divergence, [p, soft])
    assert gradcheck(P.kl_divergence, [z, soft], from_logits=True)
    assert gradcheck(P.poly1, [z, idx], from_logits=True, epsilon=1.5)
    # hinges away from their kinks: margins not hit exactly by random normals
    assert gradcheck(P.multiclass_hinge, [z * 3, idx])
    assert gradcheck(P.multiclass_hinge, [z * 3, idx], variant="crammer_singer")
    y = RNG.uniform(0.05, 0.95, size=8)
    t = RNG.integers(0, 2, size=8)
    assert gradcheck(P.focal, [y, t])
    assert gradcheck(P.focal, [y, t], gamma=0.5)
    assert gradcheck(P.focal, [RNG.normal(size=8) * 3, t], from_logits=True)
    a, pp, n = RNG.normal(size=(3, 5, 3))
    lab = np.array([0, 1, 0, 1, 1])
    assert gradcheck(P.contrastive, [a, pp, lab], grad_args=(0, 1), margin=10.0)
    assert gradcheck(P.triplet, [a, pp, n], grad_args=(0, 1, 2), margin=5.0)
    assert gradcheck(P.margin_ranking, [a[:, 0], pp[:, 0], 2 * lab - 1], grad_args=(0, 1), margin=5.0)
    assert gradcheck(P.info_nce, [a, pp, n[:3]], grad_args=(0, 1, 2), temperature=0.5)
    assert gradcheck(P.multiple_negatives_ranking, [a, pp, n], grad_args=(0, 1, 2), scale=5.0)
    assert gradcheck(P.arcface, [a, n[:4], np.array([0, 1, 2, 3, 0])], grad_args=(0, 1), s=4.0)
    assert gradcheck(P.ge2e, [RNG.normal(size=(3, 3, 4))], w=2.0)
    r = RNG.normal(size=8)
    assert gradcheck(P.mse, [r, RNG.normal(size=8)], grad_args=(0, 1))
    assert gradcheck(P.mae, [r, r + RNG.choice([-1, 1], 8) * RNG.uniform(0.1, 1, 8)], grad_args=(0, 1))
    assert gradcheck(P.huber, [r * 3, np.zeros(8) + 0.01], grad_args=(0, 1), delta=1.0)


# ----------------------------------------------------------------------------- peers

def test_ce_agrees_with_torch_and_keras():
    z, p, idx = _multiclass_inputs(8, 5)
    zt = tt(z)
    torch.testing.assert_close(P.categorical_cross_entropy(zt, torch.as_tensor(idx), from_logits=True),
                               torch.nn.CrossEntropyLoss()(zt, torch.as_tensor(idx)), rtol=1e-13, atol=0)
    soft = softmax(RNG.normal(size=z.shape))
    torch.testing.assert_close(P.categorical_cross_entropy(zt, tt(soft), from_logits=True, reduction="none"),
                               torch.nn.CrossEntropyLoss(reduction="none")(zt, tt(soft)), rtol=1e-13, atol=0)
    kcce = keras.losses.CategoricalCrossentropy(reduction=None, dtype="float64")
    np.testing.assert_allclose(P.categorical_cross_entropy(p, soft, reduction="none"),
                               np.asarray(kcce(soft, p)), rtol=1e-12)
    ksp = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None, dtype="float64")
    np.testing.assert_allclose(P.categorical_cross_entropy(z, idx, from_logits=True, reduction="none"),
                               np.asarray(ksp(idx, z)), rtol=1e-12)


def test_kl_agrees_with_torch_and_keras():
    q = softmax(RNG.normal(size=(6, 4)))
    p = softmax(RNG.normal(size=(6, 4)))
    # torch takes log Q as input; "batchmean" is the per-distribution mean
    torch.testing.assert_close(P.kl_divergence(tt(q), tt(p)),
                               torch.nn.KLDivLoss(reduction="batchmean")(torch.log(tt(q)), tt(p)),
                               rtol=1e-13, atol=0)
    torch.testing.assert_close(P.kl_divergence(tt(q), tt(p), reduction="none"),
                               torch.nn.KLDivLoss(reduction="none")(torch.log(tt(q)), tt(p)).sum(-1),
                               rtol=1e-13, atol=0)
    np.testing.assert_allclose(P.kl_divergence(q, p, reduction="none"),
                               np.asarray(keras.losses.kl_divergence(p, q)), rtol=1e-12)
    # Keras clips P to [1e-7, 1]: a zero in P contributes 1e-7 * log(1e-7 / q) there, not 0
    p0 = np.array([[0.0, 1.0]])
    q0 = np.array([[0.5, 0.5]])
    diff = np.asarray(keras.losses.kl_divergence(p0, q0))[0] - P.kl_divergence(q0, p0)
    assert diff == pytest.approx(1e-7 * math.log(1e-7 / 0.5), rel=1e-6)


def test_multiclass_hinge_agrees_with_torch_and_keras():
    z, _, idx = _multiclass_inputs(8, 5)
    for margin in (1.0, 0.5):
        ref = torch.nn.MultiMarginLoss(p=1, margin=margin, reduction="none")(tt(z), torch.as_tensor(idx))
        # torch divides the Weston-Watkins sum by the number of classes C
        torch.testing.assert_close(P.multiclass_hinge(tt(z), torch.as_tensor(idx), margin=margin,
                                                      reduction="none") / 5, ref, rtol=1e-13, atol=1e-15)
    # Keras' CategoricalHinge = Crammer-Singer when some wrong score is >= 0 ...
    pos = np.abs(z) + 0.1
    onehot = np.eye(5)[idx]
    np.testing.assert_allclose(P.multiclass_hinge(pos, idx, variant="crammer_singer", reduction="none"),
                               np.asarray(keras.losses.categorical_hinge(onehot, pos)), rtol=1e-12)
    # ... but its max over wrong classes includes a 0 for the true class
    neg = np.array([[2.0, -3.0, -4.0]])
    assert P.multiclass_hinge(neg, np.array([0]), variant="crammer_singer") == 0.0     # 1 - 3 - 2 < 0
    assert float(keras.losses.categorical_hinge(np.array([[1.0, 0, 0]]), neg)[0]) == pytest.approx(0.0)
    neg = np.array([[0.5, -3.0, -4.0]])
    assert P.multiclass_hinge(neg, np.array([0]), variant="crammer_singer") == 0.0     # 1 - 3 - 0.5
    assert float(keras.losses.categorical_hinge(np.array([[1.0, 0, 0]]), neg)[0]) == pytest.approx(0.5)


def test_poly1_agrees_with_definition_via_torch_ce():
    z, _, idx = _multiclass_inputs(8, 5)
    zt, it = tt(z), torch.as_tensor(idx)
    eps = 2.0
    ce = F.cross_entropy(zt, it, reduction="none")
    pt = torch.sum(F.one_hot(it, 5) * F.softmax(zt, dim=-1), dim=-1)
    torch.testing.assert_close(P.poly1(zt, it, epsilon=eps, from_logits=True, reduction="none"),
                               ce + eps * (1 - pt), rtol=1e-13, atol=0)
    # probabilities give the same as logits
    np.testing.assert_allclose(P.poly1(softmax(z), idx, epsilon=eps, reduction="none"),
                               (ce + eps * (1 - pt)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("balance", [False, True])
def test_focal_agrees_with_keras(balance):
    y = RNG.uniform(0.01, 0.99, size=(5, 4))
    t = RNG.integers(0, 2, size=(5, 4)).astype(float)
    z = RNG.normal(size=(5, 4)) * 2
    for gamma in (2.0, 0.5):
        kf = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=balance, alpha=0.3, gamma=gamma, dtype="float64",
                                                  reduction=None)
        ours = P.focal(y, t, alpha=0.3 if balance else None, gamma=gamma, reduction="none")
        # Keras averages the last axis: compare per-row means
        np.testing.assert_allclose(ours.mean(-1), np.asarray(kf(t, y)), rtol=1e-12)
        kfl = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=balance, alpha=0.3, gamma=gamma, dtype="float64",
                                                   from_logits=True, reduction=None)
        ours = P.focal(z, t, alpha=0.3 if balance else None, gamma=gamma, from_logits=True,
                       reduction="none")
        np.testing.assert_allclose(ours.mean(-1), np.asarray(kfl(t, z)), rtol=1e-10)


def test_focal_matches_torchvision_documented_formula():
    # torchvision.ops.sigmoid_focal_loss (cannot be imported here), transcribed from its source/docs:
    #   p = sigmoid(x); ce = BCEWithLogits(x, t); p_t = p t + (1-p)(1-t)
    #   loss = ce (1 - p_t)^gamma; if alpha >= 0: loss *= alpha t + (1-alpha)(1-t)
    def tv_sigmoid_focal_loss(x, t, alpha=0.25, gamma=2.0):
        p = torch.sigmoid(x)
        ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
        p_t = p * t + (1 - p) * (1 - t)
        loss = ce * ((1 - p_t) ** gamma)
        if alpha >= 0:
            loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
        return loss

    x = tt(RNG.normal(size=20) * 3)
    t = tt(RNG.integers(0, 2, size=20))
    torch.testing.assert_close(P.focal(x, t, from_logits=True, reduction="none"),
                               tv_sigmoid_focal_loss(x, t), rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(P.focal(x, t, alpha=None, gamma=1.0, from_logits=True, reduction="none"),
                               tv_sigmoid_focal_loss(x, t, alpha=-1, gamma=1.0), rtol=1e-12, atol=1e-15)


def test_triplet_agrees_with_torch():
    a, p, n = (tt(v) for v in RNG.normal(size=(3, 10, 4)))
    for margin in (1.0, 0.3):
        torch.testing.assert_close(P.triplet(a, p, n, margin=margin, eps=1e-6),
                                   torch.nn.TripletMarginLoss(margin=margin)(a, p, n), rtol=1e-13, atol=0)
        # eps=0 (the paper's formula) is torch with the exact Euclidean distance
        ref = torch.nn.TripletMarginWithDistanceLoss(
            distance_function=lambda u, v: torch.linalg.vector_norm(u - v, dim=-1), margin=margin)
        torch.testing.assert_close(P.triplet(a, p, n, margin=margin), ref(a, p, n), rtol=1e-13, atol=0)


def test_margin_ranking_agrees_with_torch():
    x1, x2 = tt(RNG.normal(size=12)), tt(RNG.normal(size=12))
    y = tt(RNG.choice([-1, 1], size=12))
    for margin in (0.0, 0.5):
        torch.testing.assert_close(P.margin_ranking(x1, x2, y, margin=margin, reduction="none"),
                                   torch.nn.MarginRankingLoss(margin=margin, reduction="none")(x1, x2, y),
                                   rtol=0, atol=0)


def test_regression_agrees_with_torch_and_keras():
    y, t = tt(RNG.normal(size=(4, 6)) * 2), tt(RNG.normal(size=(4, 6)))
    torch.testing.assert_close(P.mae(y, t), torch.nn.L1Loss()(y, t), rtol=1e-14, atol=0)
    torch.testing.assert_close(P.mse(y, t), torch.nn.MSELoss()(y, t), rtol=1e-14, atol=0)
    for delta in (1.0, 0.3, 2.5):
        torch.testing.assert_close(P.huber(y, t, delta=delta, reduction="none"),
                                   torch.nn.HuberLoss(delta=delta, reduction="none")(y, t), rtol=1e-14,
                                   atol=0)
        np.testing.assert_allclose(P.huber(y.numpy(), t.numpy(), delta=delta, reduction="none").mean(-1),
                                   np.asarray(keras.losses.huber(t.numpy(), y.numpy(), delta=delta)),
                                   rtol=1e-12)
    np.testing.assert_allclose(P.mae(y.numpy(), t.numpy(), reduction="none").mean(-1),
                               np.asarray(keras.losses.mean_absolute_error(t.numpy(), y.numpy())), rtol=1e-12)
    np.testing.assert_allclose(P.mse(y.numpy(), t.numpy(), reduction="none").mean(-1),
                               np.asarray(keras.losses.mean_squared_error(t.numpy(), y.numpy())), rtol=1e-12)


# ----------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([[1, 0, 0]])), ValueError,
     r"Expected y_true of shape \(1, 2\) .* or \(1,\) \(class indices\).*got \(1, 3\)"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 1.5]]), np.array([0])), ValueError,
     r"y_pred must lie in \[0, 1\].*from_logits=True"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([2])), ValueError,
     r"y_true class indices must be integers in \[0, 1\], found 2"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([0.5])), ValueError,
     r"y_true class indices must be integers"),
    (lambda: P.categorical_cross_entropy(np.array([[1, 0]]), np.array([0])), TypeError,
     r"y_pred must have a floating-point dtype"),
    (lambda: P.categorical_cross_entropy(np.array([[np.nan, 0.5]]), np.array([0])), ValueError,
     r"y_pred must be finite"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([[1.5, -0.5]])), ValueError,
     r"y_true must lie in \[0, 1\]"),
    (lambda: P.categorical_cross_entropy(np.array(0.5), np.array(1)), ValueError,
     r"y_pred must have at least 1 dimension"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([0]), from_logits=1), TypeError,
     r"from_logits must be a bool"),
    (lambda: P.categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([0]), reduction="avg"),
     ValueError, r"reduction must be one of"),
    (lambda: P.kl_divergence(np.array([0.5, 0.5]), np.array([0.5, 0.5]), eps=0.0), ValueError,
     r"eps must be in \(0.0, 1.0\)"),
    (lambda: P.multiclass_hinge(np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]])), ValueError,
     r"y_true must contain only labels \{0, 1\}"),
    (lambda: P.multiclass_hinge(np.array([[1.0, 2.0]]), np.array([[1, 1]])), ValueError,
     r"y_true must be one-hot along the last axis"),
    (lambda: P.multiclass_hinge(np.array([[1.0]]), np.array([0])), ValueError, r"at least 2 classes"),
    (lambda: P.multiclass_hinge(np.array([[1.0, 2.0]]), np.array([0]), margin=-1), ValueError,
     r"margin must be in \[0.0, inf\), got -1"),
    (lambda: P.multiclass_hinge(np.array([[1.0, 2.0]]), np.array([0]), variant="ovr"), ValueError,
     r"variant must be one of \('weston_watkins', 'crammer_singer'\), got 'ovr'"),
    (lambda: P.poly1(np.array([[0.5, 0.5]]), np.array([0]), epsilon=-2.0), ValueError,
     r"epsilon must be in \[-1.0, inf\), got -2.0"),
    (lambda: P.focal(np.array([0.5]), np.array([1]), gamma=-1.0), ValueError,
     r"gamma must be in \[0.0, inf\), got -1.0"),
    (lambda: P.focal(np.array([0.5]), np.array([1]), alpha=1.5), ValueError,
     r"alpha must be in \[0.0, 1.0\], got 1.5"),
    (lambda: P.focal(np.array([0.5]), np.array([1]), alpha="0.25"), TypeError,
     r"alpha must be a real number, got str"),
    (lambda: P.focal(np.array([0.5]), np.array([2])), ValueError,
     r"y_true must contain only labels \{0, 1\}, found (np\.int64\()?2"),
    (lambda: P.focal(np.array([1.5]), np.array([1])), ValueError, r"y_pred must lie in \[0.0, 1.0\]"),
    (lambda: P.focal(np.array([0.5, 0.5]), np.array([1])), ValueError,
     r"Expected y_true of shape \(2,\) \(the shape of y_pred\), got \(1,\)"),
    (lambda: P.contrastive(np.zeros((2, 3)), np.zeros((2, 4)), np.array([0, 1])), ValueError,
     r"Expected x2 of shape \(2, 3\) \(the shape of x1\), got \(2, 4\)"),
    (lambda: P.contrastive(np.zeros((2, 3)), np.zeros((2, 3)), np.array([0, 1, 1])), ValueError,
     r"Expected y of shape \(2,\) \(one label per pair\), got \(3,\)"),
    (lambda: P.contrastive(np.zeros((2, 3)), np.zeros((2, 3)), np.array([-1, 1])), ValueError,
     r"y must contain only labels \{0, 1\}, found (np\.int64\()?-1"),
    (lambda: P.contrastive(np.zeros((2, 3)), np.zeros((2, 3)), np.array([0, 1]), convention="x"),
     ValueError, r"convention must be one of \('hadsell', 'pair'\)"),
    (lambda: P.contrastive(np.zeros(3), np.zeros(3), np.array(0)), ValueError,
     r"x1 must have at least 2 dimension\(s\)"),
    (lambda: P.triplet(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((3, 3))), ValueError,
     r"Expected negative of shape \(2, 3\) \(the shape of anchor\), got \(3, 3\)"),
    (lambda: P.triplet(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), margin=-0.1), ValueError,
     r"margin must be in \[0.0, inf\)"),
    (lambda: P.triplet(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), squared=1), TypeError,
     r"squared must be a bool"),
    (lambda: P.triplet(np.zeros((2, 3), int), np.zeros((2, 3)), np.zeros((2, 3))), TypeError,
     r"anchor must have a floating-point dtype"),
    (lambda: P.margin_ranking(np.zeros(3), np.zeros(3), np.array([0, 1, 1])), ValueError,
     r"y must contain only labels \{-1, 1\}, found (np\.int64\()?0"),
    (lambda: P.margin_ranking(np.zeros(3), np.zeros(3), np.array([1, 1])), ValueError,
     r"Expected y of shape \(3,\) \(the shape of x1\), got \(2,\)"),
    (lambda: P.info_nce(np.zeros((2, 3)), np.zeros((2, 3)), temperature=0.0), ValueError,
     r"temperature must be in \(0.0, inf\), got 0.0"),
    (lambda: P.info_nce(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 4))), ValueError,
     r"Expected negatives of shape \(M, 3\) or \(2, M, 3\), got \(2, 4\)"),
    (lambda: P.info_nce(np.ones((2, 2, 3)), np.ones((2, 2, 3))), ValueError,
     r"query must have shape \(N, D\), got \(2, 2, 3\)"),
    (lambda: P.multiple_negatives_ranking(np.ones((2, 3)), np.ones((2, 3)), scale=-1.0), ValueError,
     r"scale must be in \(0.0, inf\)"),
    (lambda: P.arcface(np.ones((2, 3)), np.ones((4, 2)), np.array([0, 1])), ValueError,
     r"Expected weight of shape \(C, 3\) \(same D as features\), got \(4, 2\)"),
    (lambda: P.arcface(np.ones((2, 3)), np.ones((4, 3)), np.array([0, 4])), ValueError,
     r"y_true class indices must be integers in \[0, 3\], found 4"),
    (lambda: P.arcface(np.ones((2, 3)), np.ones((4, 3)), np.array([0, 1]), m=4.0), ValueError,
     r"m must be in \[0.0, 3.14"),
    (lambda: P.arcface(np.ones((2, 3)), np.ones((4, 3)), np.array([0, 1]), s=0.0), ValueError,
     r"s must be in \(0.0, inf\)"),
    (lambda: P.ge2e(np.ones((2, 1, 3))), ValueError,
     r"embeddings must have shape \(N, M, D\) with N >= 2 speakers and M >= 2 utterances, got \(2, 1, 3\)"),
    (lambda: P.ge2e(np.ones((2, 3))), ValueError, r"embeddings must have at least 3 dimension"),
    (lambda: P.ge2e(np.ones((2, 2, 3)), w=0.0), ValueError, r"w must be in \(0.0, inf\)"),
    (lambda: P.huber(np.zeros(3), np.zeros(3), delta=0.0), ValueError, r"delta must be in \(0.0, inf\)"),
    (lambda: P.mse(np.zeros(3), np.zeros(4)), ValueError,
     r"Expected y_true of shape \(3,\) \(the shape of y_pred\), got \(4,\)"),
    (lambda: P.mae(np.zeros(3), np.array([0.0, np.inf, 0.0])), ValueError, r"y_true must be finite"),
    (lambda: P.mae(np.zeros(0), np.zeros(0)), ValueError, r"y_pred must not be empty"),
    (lambda: P.entropy(np.array([1.2, -0.2])), ValueError, r"p must lie in \[0, 1\]"),
    (lambda: P.mse(torch.zeros(3), keras.ops.zeros(3)), TypeError, r"inputs mix array backends"),
])
def test_bad_inputs(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_bad_inputs_torch_and_keras_tensors():
    with pytest.raises(ValueError, match=r"y_true class indices must be integers in \[0, 2\], found 3"):
        P.categorical_cross_entropy(torch.ones(2, 3) / 3, torch.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\]"):
        P.kl_divergence(keras.ops.convert_to_tensor([[1.5, -0.5]]), keras.ops.convert_to_tensor([[0.5, 0.5]]))


# ----------------------------------------------------------------------------- wrappers

# the primer's own catalogue (BCE, the hinges and Dice are covered with documents 000 and 003)
PRIMER = {name: spec for name, spec in LOSSES.items() if name in P.__all__}

WRAPPER_CASES = {
    "categorical_cross_entropy": ({"from_logits": True}, "logits_idx"),
    "kl_divergence": ({}, "probs_soft"),
    "multiclass_hinge": ({"margin": 0.5, "variant": "crammer_singer"}, "logits_onehot"),
    "poly1": ({"epsilon": 2.0, "from_logits": True}, "logits_onehot"),
    "focal": ({"alpha": 0.4, "gamma": 1.5}, "binary"),
    "mae": ({}, "regression"),
    "mse": ({}, "regression"),
    "huber": ({"delta": 0.5}, "regression"),
    "contrastive": ({"margin": 2.0, "convention": "pair"}, "pairs"),
    "triplet": ({"margin": 0.5, "squared": True}, "triplets"),
    "margin_ranking": ({"margin": 0.2}, "ranking"),
    "info_nce": ({"temperature": 0.2}, "nce"),
    "multiple_negatives_ranking": ({"scale": 10.0}, "mnr"),
    "arcface": ({"s": 8.0, "m": 0.3}, "arcface"),
    "ge2e": ({"w": 5.0, "b": -2.0}, "ge2e"),
}


def _wrapper_inputs(kind):
    r = np.random.default_rng(7)
    z = r.normal(size=(6, 4))
    idx = r.integers(0, 4, size=6)
    if kind == "logits_idx":
        return [z, idx]
    if kind == "probs_soft":
        return [softmax(z), softmax(r.normal(size=(6, 4)))]
    if kind == "logits_onehot":
        return [z, np.eye(4)[idx]]
    if kind == "binary":
        return [r.uniform(0.01, 0.99, size=(6, 3)), r.integers(0, 2, size=(6, 3)).astype(float)]
    if kind == "regression":
        return [z, r.normal(size=(6, 4))]
    e = r.normal(size=(3, 6, 4))
    if kind == "pairs":
        return [e[0], e[1], r.integers(0, 2, size=6)]
    if kind == "triplets":
        return list(e)
    if kind == "ranking":
        return [e[0, :, 0], e[1, :, 0], r.choice([-1, 1], size=6)]
    if kind in ("nce", "mnr"):
        return [e[0], e[1], e[2]]
    if kind == "arcface":
        return [e[0], e[1, :4], idx]
    return [r.normal(size=(3, 4, 5))]


def test_every_primer_loss_has_a_wrapper_case():
    assert set(PRIMER) == set(WRAPPER_CASES)


@pytest.mark.parametrize("name", sorted(WRAPPER_CASES))
def test_torch_module_and_keras_class_match_function(name):
    spec = PRIMER[name]
    params, kind = WRAPPER_CASES[name]
    inputs = _wrapper_inputs(kind)
    want = spec.fn(*inputs, reduction="mean", **params)
    mod = getattr(lt, spec.class_name)(**params)
    tin = [torch.as_tensor(x) for x in inputs]
    assert float(mod(*tin)) == pytest.approx(float(want), rel=1e-12)
    assert mod.params["reduction"] == "mean"
    if not spec.keras:
        assert not hasattr(lk, spec.keras_name) and not hasattr(lk, spec.class_name)
        return
    cls = getattr(lk, spec.keras_name)
    loss = cls(**params)
    y_pred, y_true = inputs
    got = loss(keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred.astype(np.float32)))
    assert float(got) == pytest.approx(float(spec.fn(y_pred.astype(np.float32), y_true, reduction="mean",
                                                     **params)), rel=1e-5)
    cfg = loss.get_config()
    for k, v in params.items():
        assert cfg[k] == v
    clone = cls.from_config(cfg)
    assert clone.params == loss.params
    ser = keras.saving.serialize_keras_object(loss)
    back = keras.saving.deserialize_keras_object(ser)
    assert type(back) is cls and back.params == loss.params
