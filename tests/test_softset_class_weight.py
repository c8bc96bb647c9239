"""Class-weighted soft-set counts and losses (003 supp. Sec. 7.2, Table 9; register A83)."""
import numpy as np
import pytest
import torch

import lossfns
from lossfns.training.samplers import class_weights

from tests._backends import assert_parity

P = np.array([0.9, 0.6, 0.3, 0.1, 0.55, 0.05])
Y = np.array([1, 0, 1, 0, 0, 0])


def test_weighted_counts_by_hand():
    # H^l at tau 0.5, delta 0.1: slopes 0.4 / 1.6 / 0.4; H(0.9) = 0.96, H(0.6) = 0.66, H(0.3) = 0.18,
    # H(0.1) = 0.04, H(0.55) = 0.58, H(0.05) = 0.02
    h = np.array([0.96, 0.66, 0.18, 0.04, 0.58, 0.02])
    tp, fp, fn, tn = lossfns.soft_confusion(P, Y, class_weight=(0.5, 3.0))
    assert float(tp) == pytest.approx(3.0 * (0.96 + 0.18))
    assert float(fn) == pytest.approx(3.0 * (0.04 + 0.82))
    assert float(fp) == pytest.approx(0.5 * (0.66 + 0.04 + 0.58 + 0.02))
    assert float(tn) == pytest.approx(0.5 * (4 - (0.66 + 0.04 + 0.58 + 0.02)))
    assert np.allclose(h, lossfns.heaviside_linear(P, 0.5, 0.1))


@pytest.mark.parametrize("fn", [lossfns.soft_f1_loss, lossfns.soft_accuracy_loss, lossfns.soft_jaccard_loss])
def test_unit_weights_change_nothing_and_weights_do(fn):
    assert float(fn(P, Y, class_weight=(1.0, 1.0))) == pytest.approx(float(fn(P, Y)), abs=1e-15)
    assert float(fn(P, Y, class_weight=class_weights(Y))) != pytest.approx(float(fn(P, Y)), abs=1e-3)


def test_weighted_accuracy_is_balanced_accuracy():
    # with W = class_weights(y) of the same batch, the weighted accuracy is the balanced accuracy
    w = class_weights(Y)
    assert float(lossfns.soft_accuracy_loss(P, Y, class_weight=w)) == pytest.approx(
        float(lossfns.soft_balanced_accuracy_loss(P, Y)), abs=1e-12)


def test_weighted_f1_by_formula():
    tp, fp, fn, _ = lossfns.soft_confusion(P, Y, class_weight=(0.7, 2.0), approx="sigmoid")
    want = 1 - 2 * tp / (2 * tp + fp + fn)
    got = lossfns.soft_f1_loss(P, Y, class_weight=(0.7, 2.0), approx="sigmoid")
    assert float(got) == pytest.approx(float(want), abs=1e-14)
    got_b = lossfns.soft_fbeta_loss(P, Y, beta=1.0, class_weight=(0.7, 2.0), approx="sigmoid")
    assert float(got_b) == pytest.approx(float(want), abs=1e-14)


def test_weighted_parity_and_gradcheck():
    assert_parity(lossfns.soft_f1_loss, (P, Y), class_weight=(0.6, 2.5))
    assert_parity(lossfns.soft_accuracy_loss, (P, Y), class_weight=(0.6, 2.5), tau=[0.3, 0.5, 0.7])
    p = torch.tensor([0.83, 0.61, 0.27, 0.12, 0.47, 0.07], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(Y, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda q: lossfns.soft_f1_loss(q, y, class_weight=(0.6, 2.5), approx="sigmoid"),
                                    (p,))


def test_weighted_torch_module():
    from lossfns.torch import SoftF1Loss
    m = SoftF1Loss(class_weight=(0.5, 3.0))
    v = m(torch.tensor(P), torch.tensor(Y, dtype=torch.float64))
    assert float(v) == pytest.approx(float(lossfns.soft_f1_loss(P, Y, class_weight=(0.5, 3.0))))


@pytest.mark.parametrize("bad, exc, match", [((1.0,), TypeError, "class_weight must be None or a pair"),
                                            ("ab", TypeError, "class_weight must be None or a pair"),
                                            ((0.0, 1.0), ValueError, r"class_weight\[0\] \(W_n\)"),
                                            ((1.0, float("inf")), ValueError, r"class_weight\[1\] \(W_p\)")])
def test_bad_class_weight(bad, exc, match):
    with pytest.raises(exc, match=match):
        lossfns.soft_f1_loss(P, Y, class_weight=bad)


def test_weighted_bce_message_unchanged():
    with pytest.raises(TypeError, match="weights must be None or a pair"):
        lossfns.weighted_bce(P, Y, weights=(1.0,))
