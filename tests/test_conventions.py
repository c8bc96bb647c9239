"""Each row of docs/conventions.md, demonstrated with concrete numbers.

One test per row (test names are quoted in the table). Keras losses are built
with ``dtype="float64"`` so that their numbers can be compared exactly.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lossfns import binary_cross_entropy, hinge, margin_hinge
from tests._modules import P

DOC = Path(__file__).resolve().parents[1] / "docs" / "conventions.md"
F64 = {"dtype": "float64"}


def t64(x):
    return torch.tensor(x, dtype=torch.float64)


def tv_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss (reduction "none"), transcribed from its
    documented source; torchvision cannot be imported in this environment."""
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return loss


def test_row_focal_alpha_side():
    # one positive and one negative, both predicted with p_t = 0.6 (logit +-log 1.5)
    z = np.array([math.log(1.5), -math.log(1.5)])
    t = np.array([1.0, 0.0])
    fl = 0.4 ** 2 * -math.log(0.6)                         # unweighted focal term, gamma = 2
    ours = P.focal(z, t, alpha=0.25, gamma=2.0, from_logits=True, reduction="none")
    np.testing.assert_allclose(ours, [0.25 * fl, 0.75 * fl], rtol=1e-12)   # alpha on positives
    np.testing.assert_allclose(P.focal(z, t, alpha=None, from_logits=True, reduction="none"), [fl, fl],
                               rtol=1e-12)
    # torchvision: alpha weights positives too; alpha = -1 disables the weighting
    np.testing.assert_allclose(tv_sigmoid_focal_loss(t64(z), t64(t)).numpy(), ours, rtol=1e-12)
    np.testing.assert_allclose(tv_sigmoid_focal_loss(t64(z), t64(t), alpha=-1).numpy(), [fl, fl],
                               rtol=1e-12)
    # Keras: alpha=0.25 is ignored unless apply_class_balancing=True (default False)
    y, zz = t[:, None], z[:, None]
    kdef = keras.losses.BinaryFocalCrossentropy(from_logits=True, reduction=None, **F64)
    np.testing.assert_allclose(np.asarray(kdef(y, zz)), [fl, fl], rtol=1e-12)
    kbal = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.25, from_logits=True,
                                                reduction=None, **F64)
    np.testing.assert_allclose(np.asarray(kbal(y, zz)), [0.25 * fl, 0.75 * fl], rtol=1e-12)


def test_row_hinge_labels():
    x = np.array([0.3, 0.3])
    # Keras maps {0, 1} labels to {-1, 1}: these two calls are identical
    k01 = float(keras.losses.hinge(np.array([0.0, 1.0]), x))
    kpm = float(keras.losses.hinge(np.array([-1.0, 1.0]), x))
    assert k01 == kpm == pytest.approx((1.3 + 0.7) / 2)
    # ours: labels="01" (default) maps the same way; "pm1" takes +-1 and rejects 0
    assert margin_hinge(x, np.array([0, 1])) == pytest.approx(1.0)
    assert margin_hinge(x, np.array([-1, 1]), labels="pm1") == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"y_true must contain only labels \{-1, 1\}"):
        margin_hinge(x, np.array([0, 1]), labels="pm1")
    # torch.nn.HingeEmbeddingLoss expects +-1 and is another loss: x for y=1, max(0, 1-x) for y=-1
    he = torch.nn.HingeEmbeddingLoss(reduction="none")
    np.testing.assert_allclose(he(t64([0.3, 0.3]), t64([1.0, -1.0])).numpy(), [0.3, 0.7], rtol=1e-15)
    # ... and silently gives x + max(0, 1-x) = 1 for a label 0 (no error)
    np.testing.assert_allclose(he(t64([0.3]), t64([0.0])).numpy(), [1.0], rtol=1e-15)
    # the 000 "hinge" on sigmoid outputs: 1 - y for t=1, 1 + y for t=0
    np.testing.assert_allclose(hinge(np.array([0.3, 0.3]), np.array([1, 0]), reduction="none"), [0.7, 1.3])


def test_row_from_logits_defaults():
    logit = 2.0
    want = math.log1p(math.exp(-logit))                     # BCE of logit 2, label 1 = 0.1269
    # ours: from_logits=False by default, and a logit outside [0, 1] is an error
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\].*from_logits=True"):
        binary_cross_entropy(np.array([logit]), np.array([1]))
    assert binary_cross_entropy(np.array([logit]), np.array([1]), from_logits=True) == pytest.approx(want)
    # Keras: from_logits=False by default; a logit is silently clipped to 1 - 1e-7 as a probability
    kdef = float(keras.losses.BinaryCrossentropy(**F64)(np.array([[1.0]]), np.array([[logit]])))
    assert kdef == pytest.approx(-math.log(1 - 1e-7), rel=1e-6)
    klog = float(keras.losses.BinaryCrossentropy(from_logits=True, **F64)(np.array([[1.0]]), np.array([[logit]])))
    assert klog == pytest.approx(want, rel=1e-12)
    # torch: the class decides: BCELoss takes probabilities (errors on 2.0), BCEWithLogitsLoss logits
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.BCELoss()(t64([logit]), t64([1.0]))
    assert float(torch.nn.BCEWithLogitsLoss()(t64([logit]), t64([1.0]))) == pytest.approx(want, rel=1e-15)
    # torchvision's sigmoid_focal_loss always takes logits; Keras' focal loss probabilities by default
    assert float(tv_sigmoid_focal_loss(t64([logit]), t64([1.0]), alpha=-1, gamma=0.0)) == pytest.approx(want)


def test_row_reduction_and_keras_last_axis():
    y = np.array([[0.9, 0.2, 0.6], [0.3, 0.5, 0.8]])
    t = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    elem = -(t * np.log(y) + (1 - t) * np.log(1 - y))
    # ours and torch: "none" keeps the element shape, "mean" averages all 6 elements, "sum" adds them
    assert binary_cross_entropy(y, t, reduction="none").shape == (2, 3)
    assert torch.nn.BCELoss(reduction="none")(t64(y), t64(t)).shape == (2, 3)
    assert binary_cross_entropy(y, t, reduction="sum") == pytest.approx(elem.sum(), rel=1e-14)
    assert float(torch.nn.BCELoss(reduction="sum")(t64(y), t64(t))) == pytest.approx(elem.sum(), rel=1e-14)
    # Keras: first a mean over the LAST axis (one value per sample), then the reduction
    knone = np.asarray(keras.losses.BinaryCrossentropy(reduction=None, **F64)(t, y))
    assert knone.shape == (2,)
    np.testing.assert_allclose(knone, elem.mean(-1), rtol=1e-6)     # Keras clips at 1e-7
    ksum = float(keras.losses.BinaryCrossentropy(reduction="sum", **F64)(t, y))
    assert ksum == pytest.approx(elem.sum() / 3, rel=1e-6)           # sum of row means, not of elements
    # the default reductions ("mean" / "sum_over_batch_size") agree for equal row lengths
    kdef = float(keras.losses.BinaryCrossentropy(**F64)(t, y))
    assert kdef == pytest.approx(elem.mean(), rel=1e-6) and binary_cross_entropy(y, t) == pytest.approx(
        elem.mean(), rel=1e-14)


def test_row_kl_log_space_input():
    q, p = np.array([[0.25, 0.75]]), np.array([[0.5, 0.5]])
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)   # 0.1438
    assert P.kl_divergence(q, p) == pytest.approx(kl, rel=1e-14)
    # torch: input = log Q (target P as probabilities); "batchmean" is the KL, "mean" divides by C too
    assert float(torch.nn.KLDivLoss(reduction="batchmean")(torch.log(t64(q)), t64(p))) == pytest.approx(kl)
    with pytest.warns(UserWarning, match="batchmean"):
        mean = float(torch.nn.KLDivLoss()(torch.log(t64(q)), t64(p)))
    assert mean == pytest.approx(kl / 2)
    # passing Q itself (not log Q) silently gives a wrong, here negative, number
    wrong = float(torch.nn.KLDivLoss(reduction="batchmean")(t64(q), t64(p)))
    assert wrong == pytest.approx(0.5 * (math.log(0.5) - 0.25) + 0.5 * (math.log(0.5) - 0.75)) and wrong < 0
    # log_target=True: the target is log P as well
    lt = float(torch.nn.KLDivLoss(reduction="batchmean", log_target=True)(torch.log(t64(q)), torch.log(t64(p))))
    assert lt == pytest.approx(kl)
    # Keras: probabilities, y_true = P first, sum over the last axis
    assert float(keras.losses.KLDivergence(**F64)(p, q)) == pytest.approx(kl, rel=1e-12)


def test_row_huber_delta_vs_smoothl1_beta():
    r = t64([0.5, 3.0])
    z = torch.zeros(2, dtype=torch.float64)
    # Huber(delta=2): 0.5 a^2 = 0.125 ; delta (|a| - delta/2) = 2 * 2 = 4
    np.testing.assert_allclose(P.huber(r, z, delta=2.0, reduction="none").numpy(), [0.125, 4.0], rtol=1e-15)
    np.testing.assert_allclose(torch.nn.HuberLoss(delta=2.0, reduction="none")(r, z).numpy(), [0.125, 4.0])
    # SmoothL1(beta=2): 0.5 a^2 / beta = 0.0625 ; |a| - beta/2 = 2   -> Huber / beta
    np.testing.assert_allclose(torch.nn.SmoothL1Loss(beta=2.0, reduction="none")(r, z).numpy(), [0.0625, 2.0])
    # equal at delta = beta = 1
    torch.testing.assert_close(torch.nn.SmoothL1Loss(reduction="none")(r, z),
                               P.huber(r, z, delta=1.0, reduction="none"))
    # Keras' Huber(delta) is Huber averaged over the last axis
    kh = float(keras.losses.Huber(delta=2.0, **F64)(np.zeros((1, 2)), np.array([[0.5, 3.0]])))
    assert kh == pytest.approx((0.125 + 4.0) / 2)


def test_row_categorical_ce_inputs():
    # torch CrossEntropyLoss: always logits, class axis 1 (not last)
    s = np.array([[1.0, 2.0, 3.0]])
    lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
    assert float(torch.nn.CrossEntropyLoss()(t64(s), torch.tensor([0]))) == pytest.approx(lse - 1.0)
    s3 = t64(np.arange(12.0).reshape(1, 3, 4) / 10)                 # (N, C, d): classes on axis 1
    ours = P.categorical_cross_entropy(s3.transpose(1, 2), torch.zeros(1, 4, dtype=torch.long),
                                       from_logits=True, reduction="none")
    torch.testing.assert_close(ours, torch.nn.CrossEntropyLoss(reduction="none")(s3, torch.zeros(1, 4,
                                                                                                   dtype=torch.long)))
    # Keras CategoricalCrossentropy: probabilities by default, RENORMALISED by their sum
    p = np.array([[0.2, 0.2]])                                        # does not sum to 1
    assert float(keras.losses.CategoricalCrossentropy(**F64)(np.array([[1.0, 0.0]]), p)) == pytest.approx(
        math.log(2.0))
    # ours takes the formula -sum t log p literally (no renormalisation)
    assert P.categorical_cross_entropy(p, np.array([0])) == pytest.approx(-math.log(0.2))


def test_row_multiclass_hinge():
    s = np.array([[0.5, -3.0, -4.0], [3.2, 5.1, -1.7]])
    y = np.array([0, 0])
    ww = P.multiclass_hinge(s, y, reduction="none")                  # [0 + 0, 2.9 + 0] = [0, 2.9]
    np.testing.assert_allclose(ww, [0.0, 2.9], rtol=1e-14)
    # torch MultiMarginLoss: Weston-Watkins divided by C = 3
    mm = torch.nn.MultiMarginLoss(reduction="none")(t64(s), torch.tensor(y)).numpy()
    np.testing.assert_allclose(mm, ww / 3, rtol=1e-14)
    # Keras CategoricalHinge: max(0, 1 + max_j (1-t_j) s_j - s_y); the true class contributes a 0
    kh = np.asarray(keras.losses.categorical_hinge(np.eye(3)[y], s))
    np.testing.assert_allclose(kh, [0.5, 2.9], rtol=1e-12)
    np.testing.assert_allclose(P.multiclass_hinge(s, y, variant="crammer_singer", reduction="none"),
                               [0.0, 2.9], rtol=1e-14)


def test_row_triplet_distance():
    a, p, n = t64([[0.0, 0.0]]), t64([[3.0, 4.0]]), t64([[1.0, 0.0]])
    # ours (default): plain Euclidean, max(5 - 1 + 1, 0) = 5
    assert float(P.triplet(a, p, n)) == pytest.approx(5.0, rel=1e-15)
    # torch adds eps = 1e-6 to the difference inside the norm: ||a - p + 1e-6||
    torch_val = float(torch.nn.TripletMarginLoss()(a, p, n))
    want = math.hypot(-3 + 1e-6, -4 + 1e-6) - math.hypot(-1 + 1e-6, 1e-6) + 1.0
    assert torch_val == pytest.approx(want, rel=1e-14) and torch_val != 5.0
    assert float(P.triplet(a, p, n, eps=1e-6)) == pytest.approx(torch_val, rel=1e-15)
    # FaceNet: squared distances, max(25 - 1 + 0.2, 0)
    assert float(P.triplet(a, p, n, margin=0.2, squared=True)) == pytest.approx(24.2)


def test_row_contrastive_labels():
    x1, x2 = np.zeros((2, 1)), np.array([[0.5], [0.5]])              # distance 0.5, margin 1
    # Hadsell (default): Y = 0 similar, 1/2 factors
    np.testing.assert_allclose(P.contrastive(x1, x2, np.array([0, 1]), reduction="none"), [0.125, 0.125])
    # "pair": y = 1 similar, no 1/2
    np.testing.assert_allclose(P.contrastive(x1, x2, np.array([1, 0]), convention="pair", reduction="none"),
                               [0.25, 0.25])


def test_row_margin_ranking_default_margin():
    x1, x2, y = t64([0.2]), t64([0.5]), t64([1.0])
    assert float(P.margin_ranking(x1, x2, y)) == pytest.approx(0.3)
    assert float(torch.nn.MarginRankingLoss()(x1, x2, y)) == pytest.approx(0.3)   # margin 0 in both


def test_every_row_of_the_doc_names_an_existing_test():
    import re
    text = DOC.read_text()
    named = set(re.findall(r"`(test_row_\w+)`", text))
    defined = {k for k in globals() if k.startswith("test_row_")}
    assert named == defined
