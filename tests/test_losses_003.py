"""Document 003 (Tsoi et al., "Bridging the Gap"): Heaviside approximations,
soft confusion matrix, soft-set metrics and losses, and the baselines (weighted
BCE, WMW, Dice, oversampling) of lossfns.losses.softset.

Reference values are computed in the tests from the paper's definitions
(five-point interpolation with np.interp, explicit sums, hand arithmetic),
never by calling the function under test. Peers: torch BCELoss /
BCEWithLogitsLoss, Keras BinaryCrossentropy and Dice, scikit-learn metrics.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import lossfns.keras as lk
import lossfns.torch as lt
from lossfns.losses import LOSSES
from tests._modules import S
from tests._backends import assert_keras_wrapper, assert_parity, gradcheck

RNG = np.random.default_rng(3003)
DTYPES = (np.float64, np.float32)
P4 = np.array([0.9, 0.6, 0.3, 0.1])
Y4 = np.array([1, 0, 1, 0])


# ----------------------------------------------------------------------------- references

def ref_linear(p, tau, delta):
    """H^l as the linear interpolation of the five points of supp. eq. (26)."""
    tm = min(tau, 1 - tau)
    return np.interp(p, [0.0, tau - tm / 2, tau, tau + tm / 2, 1.0], [0.0, delta, 0.5, 1 - delta, 1.0])


def ref_sigmoid(p, tau, k):
    return np.array([1.0 / (1.0 + math.exp(-k * (x - tau))) for x in np.ravel(p)]).reshape(np.shape(p))


def ref_counts(h, y):
    """Eq. (6) summed by an explicit loop."""
    tp = fp = fn = tn = 0.0
    for hi, yi in zip(h, y):
        if yi == 1:
            tp += hi
            fn += 1 - hi
        else:
            fp += hi
            tn += 1 - hi
    return tp, fp, fn, tn


def kinks(taus):
    taus = np.atleast_1d(taus)
    tm = np.minimum(taus, 1 - taus)
    return np.r_[taus - tm / 2, taus + tm / 2]


def away(n, bad, margin=0.01, rng=RNG, low=0.0, high=1.0):
    """n uniform probabilities at least `margin` away from every point of `bad`."""
    out = []
    while len(out) < n:
        x = rng.uniform(low, high)
        if np.all(np.abs(x - np.asarray(bad)) > margin):
            out.append(x)
    return np.array(out)


def labels(n, rng=RNG):
    t = rng.integers(0, 2, n)
    t[:2] = [0, 1]  # both classes present
    return t


# ----------------------------------------------------------------------------- Heaviside: hand values

@pytest.mark.parametrize("tau,delta", [(0.5, 0.1), (0.2, 0.1), (0.8, 0.2), (0.35, 0.0), (0.6, 0.5)])
def test_linear_heaviside_five_points(tau, delta):
    tm = min(tau, 1 - tau)
    pts = np.array([0.0, tau - tm / 2, tau, tau + tm / 2, 1.0])
    want = [0.0, delta, 0.5, 1 - delta, 1.0]
    np.testing.assert_allclose(S.heaviside_linear(pts, tau, delta), want, rtol=0, atol=1e-15)
    assert S.heaviside_linear(np.array([tau]), tau, delta)[0] == 0.5  # exact
    assert S.heaviside_linear(np.array([1.0]), tau, delta)[0] == 1.0


def test_linear_heaviside_hand_values_default():
    # tau = .5, delta = .1: m1 = .4, m2 = 1.6, m3 = .4; H = .4p | .5 + 1.6(p - .5) | 1 - .4(1 - p)
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9, 0.95])
    want = [0.04, 0.08, 0.18, 0.66, 0.82, 0.96, 0.98]
    np.testing.assert_allclose(S.heaviside_linear(p), want, rtol=1e-14)


@pytest.mark.parametrize("tau,delta", [(0.5, 0.1), (0.1, 0.15), (0.9, 0.3), (0.42, 0.05)])
def test_linear_heaviside_matches_interpolation(tau, delta):
    p = RNG.uniform(0, 1, 500)
    np.testing.assert_allclose(S.heaviside_linear(p, tau, delta), ref_linear(p, tau, delta),
                               rtol=1e-12, atol=1e-14)


def test_linear_heaviside_grid_shape_and_rows():
    p = RNG.uniform(0, 1, (4, 5))
    taus = [0.1, 0.5, 0.75]
    h = S.heaviside_linear(p, taus, 0.2)
    assert h.shape == (3, 4, 5)
    for i, t in enumerate(taus):
        np.testing.assert_allclose(h[i], ref_linear(p, t, 0.2), rtol=1e-12, atol=1e-14)
    assert S.heaviside_linear(p, 0.5).shape == (4, 5)
    assert S.heaviside_linear(p, np.array(0.5)).shape == (4, 5)  # 0-d array = scalar


@pytest.mark.parametrize("tau,k", [(0.5, 10.0), (0.2, 1.0), (0.9, 50.0)])
def test_sigmoid_heaviside_hand_values(tau, k):
    p = np.array([0.0, 0.25, tau, 0.8, 1.0])
    np.testing.assert_allclose(S.heaviside_sigmoid(p, tau, k), ref_sigmoid(p, tau, k), rtol=1e-14)
    assert S.heaviside_sigmoid(np.array([tau]), tau, k)[0] == 0.5


def test_sigmoid_heaviside_grid():
    p = RNG.uniform(0, 1, 7)
    h = S.heaviside_sigmoid(p, [0.3, 0.6], k=20.0)
    assert h.shape == (2, 7)
    np.testing.assert_allclose(h[1], ref_sigmoid(p, 0.6, 20.0), rtol=1e-14)


def test_lookup_interpolated_linear_is_exact_when_kinks_on_grid():
    # tau = .5: kinks .25, .75 lie on the 1/100 grid -> interpolation reproduces H^l
    p = RNG.uniform(0, 1, 1000)
    np.testing.assert_allclose(S.heaviside_lookup(p, 0.5, size=100), ref_linear(p, 0.5, 0.1),
                               rtol=0, atol=1e-13)


def test_lookup_truncated_is_table_entry():
    p = np.array([0.123, 0.6, 0.987, 1.0, 0.0])
    got = S.heaviside_lookup(p, 0.3, approx="sigmoid", k=10.0, size=100, interpolate=False)
    want = ref_sigmoid(np.array([0.12, 0.60, 0.98, 1.0, 0.0]), 0.3, 10.0)
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_lookup_interpolated_sigmoid_hand_value():
    # p = .123 -> between .12 and .13, weight .3 on the upper entry
    lo, hi = ref_sigmoid(np.array([0.12, 0.13]), 0.5, 10.0)
    got = S.heaviside_lookup(np.array([0.123]), approx="sigmoid")[0]
    assert got == pytest.approx(lo + 0.3 * (hi - lo), rel=1e-12)


def test_lookup_grid_of_thresholds():
    p = RNG.uniform(0, 1, 50)
    taus = [0.1, 0.5, 0.9]
    got = S.heaviside_lookup(p, taus, size=1000)
    assert got.shape == (3, 50)
    for i, t in enumerate(taus):
        # off-grid kinks: the interpolant is within M / size of H^l (M = max slope)
        m = S.lipschitz_constant(t, 0.1)
        assert np.max(np.abs(got[i] - ref_linear(p, t, 0.1))) <= m / 1000


def test_lookup_gradient_is_table_slope():
    p = torch.tensor([0.123, 0.555], dtype=torch.float64, requires_grad=True)
    S.heaviside_lookup(p, approx="sigmoid").sum().backward()
    lo = ref_sigmoid(np.array([0.12, 0.55]), 0.5, 10.0)
    hi = ref_sigmoid(np.array([0.13, 0.56]), 0.5, 10.0)
    np.testing.assert_allclose(p.grad.numpy(), (hi - lo) * 100, rtol=1e-10)
    q = torch.tensor([0.123], dtype=torch.float64, requires_grad=True)
    out = S.heaviside_lookup(q, approx="sigmoid", interpolate=False)
    assert not out.requires_grad  # truncation: the output does not depend differentiably on p


def test_soft_losses_with_lookup_equal_direct_on_grid_kinks():
    p, t = RNG.uniform(0, 1, 300), labels(300)
    for fn in (S.soft_f1_loss, S.soft_accuracy_loss, S.soft_gmean_loss):
        assert float(fn(p, t, lookup=100)) == pytest.approx(float(fn(p, t)), abs=1e-12)


# ----------------------------------------------------------------------------- theory helpers

def test_slopes_and_lipschitz_hand_values():
    m1, m2, m3 = S.linear_heaviside_slopes(0.5, 0.1)
    assert (float(m1), float(m2), float(m3)) == pytest.approx((0.4, 1.6, 0.4), rel=1e-15)
    m1, m2, m3 = S.linear_heaviside_slopes(0.2, 0.1)  # tm = .2: m1 = .1/.1, m2 = .8/.2, m3 = .1/.7
    assert (float(m1), float(m2), float(m3)) == pytest.approx((1.0, 4.0, 0.1 / 0.7), rel=1e-14)
    np.testing.assert_allclose(S.lipschitz_constant(np.array([0.1, 0.5, 0.8]), 0.1), [8.0, 1.6, 4.0],
                               rtol=1e-14)
    # delta = .45: m2 = .1/tm is smaller than m1 = .45/(tau - tm/2) at tau = .5 (= 1.8)
    assert float(S.lipschitz_constant(0.5, 0.45)) == pytest.approx(1.8, rel=1e-14)


def test_lipschitz_constant_bounds_secant_slopes():
    for tau, delta in [(0.5, 0.1), (0.15, 0.2), (0.93, 0.05)]:
        p = np.sort(RNG.uniform(0, 1, 2000))
        h = ref_linear(p, tau, delta)
        slopes = np.diff(h) / np.diff(p)
        assert slopes.max() <= float(S.lipschitz_constant(tau, delta)) * (1 + 1e-9)


def test_limits_hand_values():
    assert float(S.f1_limit(0.3, 0.8, 0.1)) == pytest.approx(0.48 / 0.61, rel=1e-15)
    assert float(S.f1_limit(0.5, 1.0, 0.0)) == 1.0
    assert float(S.f1_limit(0.0, 0.5, 0.0)) == 0.0  # 0/0 -> 0
    assert float(S.accuracy_limit(0.3, 0.8, 0.1)) == pytest.approx(0.3 * 0.8 + 0.7 * 0.9, rel=1e-15)
    assert float(S.auroc_limit([1.0, 0.9, 0.0], [1.0, 0.2, 0.0])) == pytest.approx(
        0.5 * (0.8 * 1.9 + 0.2 * 0.9), rel=1e-15)
    # perfect classifier u = 1 until the last threshold, v = 0 after the first: AUROC 1
    assert float(S.auroc_limit([1, 1, 1, 0], [1, 0, 0, 0])) == 1.0


def test_f1_limit_matches_simulation():
    # supp. 1.2: F1 and F1_s of Bernoulli / Beta predictions approach 2ru/(r+ru+v-rv)
    rng = np.random.default_rng(5)
    n, r, u, v = 200_000, 0.3, 0.7, 0.2
    y = (rng.uniform(size=n) < r).astype(float)
    hard = np.where(y == 1, rng.uniform(size=n) < u, rng.uniform(size=n) < v).astype(float)
    soft = np.where(y == 1, rng.beta(2 * u, 2 * (1 - u), n), rng.beta(2 * v, 2 * (1 - v), n))
    lim = float(S.f1_limit(y.mean(), u, v))
    for yh in (hard, soft):
        f1 = 2 * np.sum(y * yh) / np.sum(y + yh)
        assert f1 == pytest.approx(lim, abs=5e-3)


# ----------------------------------------------------------------------------- soft confusion / metrics

def test_soft_confusion_hand_values():
    # H^l(.9, .6, .3, .1) = .96, .66, .18, .04 (tau .5, delta .1)
    tp, fp, fn, tn = S.soft_confusion(P4, Y4)
    assert [float(c) for c in (tp, fp, fn, tn)] == pytest.approx([1.14, 0.70, 0.86, 1.30], rel=1e-14)
    assert np.shape(tp) == ()


def test_soft_confusion_grid_and_sigmoid_against_loop():
    p, y = RNG.uniform(0, 1, 60), labels(60)
    taus = [0.2, 0.5, 0.65]
    for approx, ref in (("linear", lambda t: ref_linear(p, t, 0.15)),
                        ("sigmoid", lambda t: ref_sigmoid(p, t, 7.0))):
        counts = S.soft_confusion(p, y, tau=taus, approx=approx, delta=0.15, k=7.0)
        for c in counts:
            assert c.shape == (3,)
        for i, t in enumerate(taus):
            want = ref_counts(ref(t), y)
            np.testing.assert_allclose([c[i] for c in counts], want, rtol=1e-12)


def test_soft_confusion_pools_any_shape_and_from_logits():
    p, y = RNG.uniform(0.01, 0.99, (3, 4)), labels(12).reshape(3, 4)
    flat = S.soft_confusion(p.ravel(), y.ravel())
    np.testing.assert_allclose(S.soft_confusion(p, y), flat, rtol=1e-14)
    logit = np.log(p / (1 - p))
    np.testing.assert_allclose(S.soft_confusion(logit, y, from_logits=True), flat, rtol=1e-12)


def test_soft_metrics_hand_values():
    tp, fp, fn, tn = 1.14, 0.70, 0.86, 1.30
    want = {
        S.soft_accuracy_loss: 1 - (tp + tn) / 4,
        S.soft_f1_loss: 1 - 2 * tp / (2 * tp + fp + fn),
        S.soft_balanced_accuracy_loss: 1 - 0.5 * (tp / 2 + tn / 2),
        S.soft_jaccard_loss: 1 - tp / (tp + fp + fn),
        S.soft_gmean_loss: 1 - math.sqrt((tp / 2) * (tn / 2)),
    }
    for fn_, w in want.items():
        assert float(fn_(P4, Y4)) == pytest.approx(w, rel=1e-13), fn_.__name__
    for beta in (0.0, 0.5, 2.0, 3.0):
        b2 = beta ** 2
        w = 1 - (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)
        assert float(S.soft_fbeta_loss(P4, Y4, beta=beta)) == pytest.approx(w, rel=1e-13)
    # beta = 0 is 1 - soft precision
    assert float(S.soft_fbeta_loss(P4, Y4, beta=0.0)) == pytest.approx(1 - tp / (tp + fp), rel=1e-13)
    assert float(S.soft_f1(P4, Y4)) == pytest.approx(2 * tp / (2 * tp + fp + fn), rel=1e-13)


def test_soft_metric_functions_equal_one_minus_losses():
    p, y = RNG.uniform(0, 1, 40), labels(40)
    pairs = [(S.soft_accuracy, S.soft_accuracy_loss), (S.soft_f1, S.soft_f1_loss),
             (S.soft_balanced_accuracy, S.soft_balanced_accuracy_loss),
             (S.soft_jaccard, S.soft_jaccard_loss), (S.soft_gmean, S.soft_gmean_loss)]
    for metric, loss in pairs:
        m = metric(p, y, tau=[0.3, 0.6], approx="sigmoid")
        np.testing.assert_allclose(1 - m, loss(p, y, tau=[0.3, 0.6], approx="sigmoid", reduction="none"),
                                   rtol=1e-14)
    assert float(S.soft_fbeta(p, y, beta=2.0)) == pytest.approx(1 - float(S.soft_fbeta_loss(p, y, beta=2.0)))
    assert float(S.soft_auroc(p, y)) == pytest.approx(1 - float(S.soft_auroc_loss(p, y)))


def test_reductions_over_threshold_grid():
    p, y = RNG.uniform(0, 1, 30), labels(30)
    taus = [0.25, 0.5, 0.75]
    per = np.array([float(S.soft_f1_loss(p, y, tau=t)) for t in taus])
    none = S.soft_f1_loss(p, y, tau=taus, reduction="none")
    assert none.shape == (3,)
    np.testing.assert_allclose(none, per, rtol=1e-14)
    assert float(S.soft_f1_loss(p, y, tau=taus)) == pytest.approx(per.mean(), rel=1e-14)
    assert float(S.soft_f1_loss(p, y, tau=taus, reduction="sum")) == pytest.approx(per.sum(), rel=1e-14)
    # scalar tau: all three reductions give the same scalar
    vals = {r: S.soft_f1_loss(p, y, reduction=r) for r in ("none", "mean", "sum")}
    assert all(np.shape(v) == () for v in vals.values())
    assert len({float(v) for v in vals.values()}) == 1


def test_safe_division_batch_without_positives():
    p, y = np.array([0.0, 0.1]), np.array([0, 0])   # H^l = 0, .04; no positives
    # F1: 2TP / (2TP + FP + FN) = 0 / .04 = 0 -> loss 1; recall 0/0 -> 0
    assert float(S.soft_f1_loss(p, y)) == 1.0
    assert float(S.soft_balanced_accuracy_loss(p, y)) == pytest.approx(1 - 0.5 * (0 + 1.96 / 2), rel=1e-14)
    assert float(S.soft_gmean_loss(p, y)) == 1.0
    # nothing predicted, nothing positive: 0/0 -> 0
    assert float(S.soft_f1_loss(np.array([0.0]), np.array([0]))) == 1.0


# ----------------------------------------------------------------------------- soft AUROC

def ref_soft_auroc(p, y, n, h):
    tpr, fpr = [1.0], [1.0]
    for i in range(1, n):
        tp, fp, fn, tn = ref_counts(h(p, i / n), y)
        tpr.append(tp / (tp + fn))
        fpr.append(fp / (fp + tn))
    tpr.append(0.0)
    fpr.append(0.0)
    return 0.5 * sum((fpr[i - 1] - fpr[i]) * (tpr[i] + tpr[i - 1]) for i in range(1, n + 1))


def test_soft_auroc_hand_value_two_intervals():
    # only tau = .5: TPR = 1.14/2 = .57, FPR = .70/2 = .35
    want = 0.5 * ((1 - 0.35) * (0.57 + 1) + (0.35 - 0) * (0 + 0.57))
    assert float(S.soft_auroc(P4, Y4, n_intervals=2)) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("n", [4, 10, 37])
def test_soft_auroc_against_reference_loop(n):
    p, y = RNG.uniform(0, 1, 50), labels(50)
    want = ref_soft_auroc(p, y, n, lambda q, t: ref_linear(q, t, 0.1))
    assert float(S.soft_auroc(p, y, n_intervals=n)) == pytest.approx(want, rel=1e-12)
    want_s = ref_soft_auroc(p, y, n, lambda q, t: ref_sigmoid(q, t, 10.0))
    assert float(S.soft_auroc(p, y, n_intervals=n, approx="sigmoid")) == pytest.approx(want_s, rel=1e-12)
    for red in ("none", "mean", "sum"):
        assert np.shape(S.soft_auroc_loss(p, y, n_intervals=n, reduction=red)) == ()


def test_soft_auroc_sharp_sigmoid_matches_sklearn():
    rng = np.random.default_rng(11)
    y = labels(400, rng)
    p = np.clip(0.5 + (y - 0.5) * 0.4 + rng.normal(0, 0.2, 400), 0, 1)
    got = float(S.soft_auroc(p, y, n_intervals=1000, approx="sigmoid", k=1e5))
    assert got == pytest.approx(roc_auc_score(y, p), abs=2e-3)


# ----------------------------------------------------------------------------- weighted BCE

def test_class_weights_hand_values_and_table8_row():
    assert S.class_weights([0, 0, 0, 1]) == pytest.approx((4 / 6, 4 / 2), rel=1e-15)
    # CocktailParty, all 4800 rows (Table 10: 1454 positive): 4800/(2*3346), 4800/(2*1454)
    w_n, w_p = S.class_weights(np.r_[np.zeros(3346), np.ones(1454)])
    assert (round(w_n, 2), round(w_p, 2)) == (0.72, 1.65)  # Table 8 row
    assert S.class_weights(torch.tensor([1, 0, 0])) == pytest.approx((0.75, 1.5), rel=1e-15)


def test_weighted_bce_hand_values():
    y, t = np.array([0.9, 0.2, 0.4, 0.3]), np.array([1, 0, 0, 0])
    w_n, w_p = 4 / 6, 4 / 2   # from the batch
    want = [-w_p * math.log(0.9), -w_n * math.log(0.8), -w_n * math.log(0.6), -w_n * math.log(0.7)]
    np.testing.assert_allclose(S.weighted_bce(y, t, reduction="none"), want, rtol=1e-14)
    want2 = [-3.0 * math.log(0.9), -0.5 * math.log(0.8), -0.5 * math.log(0.6), -0.5 * math.log(0.7)]
    assert float(S.weighted_bce(y, t, weights=(0.5, 3.0))) == pytest.approx(np.mean(want2), rel=1e-14)
    assert float(S.weighted_bce(y, t, weights=(0.5, 3.0), reduction="sum")) == pytest.approx(
        np.sum(want2), rel=1e-14)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_weighted_bce_matches_torch(dtype):
    y = torch.tensor(RNG.uniform(0.001, 0.999, 500), dtype=dtype)
    t = torch.tensor(labels(500), dtype=dtype)
    w_n, w_p = S.class_weights(t)
    w = t * w_p + (1 - t) * w_n
    want = torch.nn.BCELoss(weight=w)(y, t)
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    assert float(S.weighted_bce(y, t)) == pytest.approx(float(want), rel=tol)
    x = torch.logit(y)
    # BCEWithLogits(pos_weight = W_p / W_n) * W_n is the same weighting
    want_l = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w_p / w_n, dtype=dtype))(x, t) * w_n
    assert float(S.weighted_bce(x, t, from_logits=True)) == pytest.approx(float(want_l), rel=tol * 10)


def test_weighted_bce_matches_keras_sample_weight():
    y = RNG.uniform(0.001, 0.999, 200).astype(np.float32)
    t = labels(200).astype(np.float32)
    w = (0.7, 2.5)
    sw = np.where(t == 1, w[1], w[0]).astype(np.float32)
    want = keras.losses.BinaryCrossentropy()(t[:, None], y[:, None], sample_weight=sw)
    assert float(S.weighted_bce(y, t, weights=w, eps=1e-7)) == pytest.approx(float(want), rel=1e-5)


# ----------------------------------------------------------------------------- WMW

def test_wmw_polynomial_hand_values():
    # pos .9, .3; neg .6, .1; gamma .3, p 2: d = .3 (-> 0), .8 (0), -.3 (.6^2), .2 (.1^2)
    assert float(S.wmw_auroc_loss(P4, Y4, reduction="sum")) == pytest.approx(0.37, rel=1e-12)
    assert float(S.wmw_auroc_loss(P4, Y4)) == pytest.approx(0.37 / 4, rel=1e-12)
    # p = 3, gamma = .5: d = .3 (.2^3), .8 (0), -.3 (.8^3), .2 (.3^3)
    want = 0.2 ** 3 + 0.8 ** 3 + 0.3 ** 3
    assert float(S.wmw_auroc_loss(P4, Y4, gamma=0.5, p=3.0, reduction="sum")) == pytest.approx(want, rel=1e-12)
    m = S.wmw_auroc_loss(P4, Y4, reduction="none")
    assert m.shape == (4, 4)
    assert m[2, 1] == pytest.approx(0.36) and m[2, 3] == pytest.approx(0.01)
    assert np.count_nonzero(m) == 2


def test_wmw_sigmoid_hand_values_and_limit():
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    d = [0.9 - 0.6, 0.9 - 0.1, 0.3 - 0.6, 0.3 - 0.1]
    want = 1 - np.mean([sig(2.0 * x) for x in d])
    assert float(S.wmw_auroc_loss(P4, Y4, form="sigmoid", beta=2.0)) == pytest.approx(want, rel=1e-13)
    # beta -> infinity: 1 - WMW statistic = 1 - AUROC (no ties)
    p, y = RNG.uniform(0, 1, 80), labels(80)
    got = float(S.wmw_auroc_loss(p, y, form="sigmoid", beta=1e7))
    assert got == pytest.approx(1 - roc_auc_score(y, p), abs=1e-6)


def test_wmw_compares_positives_with_negatives_only():
    # changing a positive-positive or negative-negative gap leaves the loss unchanged
    y = np.array([1, 1, 0, 0])
    a = S.wmw_auroc_loss(np.array([0.2, 0.25, 0.5, 0.6]), y, reduction="sum")
    b = S.wmw_auroc_loss(np.array([0.2, 0.25, 0.6, 0.5]), y, reduction="sum")
    assert float(a) == pytest.approx(float(b), rel=1e-14)
    # one class only: no pairs, mean is 0 by safe division
    assert float(S.wmw_auroc_loss(np.array([0.2, 0.9]), np.array([1, 1]))) == 0.0


# ----------------------------------------------------------------------------- Dice

def test_dice_hand_values():
    # sum p y = 1.2, sum p = 1.9, sum y = 2; squared: sum p^2 = 1.27
    assert float(S.dice_loss(P4, Y4, eps=0.0)) == pytest.approx(1 - 2.4 / 3.9, rel=1e-14)
    assert float(S.dice_loss(P4, Y4, eps=0.0, squared=True)) == pytest.approx(1 - 2.4 / 3.27, rel=1e-14)
    assert float(S.dice_loss(P4, Y4, eps=0.0, smooth=1.0)) == pytest.approx(1 - 3.4 / 4.9, rel=1e-14)
    assert float(S.dice_loss(np.zeros(3), np.zeros(3), eps=0.0)) == 1.0  # 0/0 -> DSC 0


@pytest.mark.parametrize("axis", [None, 1, (1, 2)])
def test_dice_matches_keras(axis):
    y = RNG.uniform(0, 1, (4, 3, 5)).astype(np.float32)
    t = RNG.integers(0, 2, (4, 3, 5)).astype(np.float32)
    want = keras.losses.dice(t, y, axis=axis)
    got = S.dice_loss(y, t, axis=axis, reduction="none")
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
    want_m = keras.losses.Dice(axis=axis)(t, y)
    assert float(S.dice_loss(y, t, axis=axis)) == pytest.approx(float(want_m), rel=1e-6)


def test_dice_logit_variant_is_sigmoid_variant_of_probabilities():
    x = RNG.normal(0, 2, 100)
    t = labels(100)
    p = 1 / (1 + np.exp(-x))
    assert float(S.dice_loss(x, t, from_logits=True)) == pytest.approx(float(S.dice_loss(p, t)), rel=1e-13)


def test_dice_equals_one_minus_f1_of_probabilities():
    # the set form of 002 (2|A n B| / (|A| + |B|)) on hard predictions is F1
    p = (RNG.uniform(0, 1, 50) > 0.5).astype(float)
    t = labels(50)
    tp, fp, fn = np.sum(p * t), np.sum(p * (1 - t)), np.sum((1 - p) * t)
    assert float(S.dice_loss(p, t, eps=0.0)) == pytest.approx(1 - 2 * tp / (2 * tp + fp + fn), rel=1e-14)


# ----------------------------------------------------------------------------- oversampling

def test_random_oversample_counts_and_determinism():
    X = np.arange(40).reshape(20, 2)
    y = np.r_[np.zeros(15, int), np.ones(5, int)]
    Xr, yr = S.random_oversample(X, y, seed=1)
    assert Xr.shape == (30, 2) and int(yr.sum()) == 15
    np.testing.assert_array_equal(Xr[:20], X)          # originals first, unchanged
    assert set(map(tuple, Xr[20:])) <= set(map(tuple, X[15:]))  # only minority rows added
    Xr2, yr2 = S.random_oversample(X, y, seed=1)
    np.testing.assert_array_equal(Xr, Xr2)
    # minority = negatives
    Xn, yn = S.random_oversample(X, 1 - y, seed=0)
    assert int((yn == 0).sum()) == 15 and len(yn) == 30
    # Table 10, CocktailParty: 2142 negatives in the training split -> 4284 rows, 2142 positive
    yt = np.r_[np.zeros(2142, int), np.ones(930, int)]
    _, yo = S.random_oversample(np.zeros((yt.size, 1)), yt, seed=0)
    assert (len(yo), int(yo.sum())) == (4284, 2142)


# ----------------------------------------------------------------------------- parity

LOSS_CASES = [
    (S.soft_f1_loss, {}),
    (S.soft_f1_loss, {"tau": [0.3, 0.5, 0.7], "approx": "sigmoid"}),
    (S.soft_f1_loss, {"lookup": 64}),
    (S.soft_fbeta_loss, {"beta": 2.0, "tau": [0.2, 0.6]}),
    (S.soft_accuracy_loss, {"tau": [0.3, 0.5, 0.7]}),
    (S.soft_accuracy_loss, {"approx": "sigmoid", "lookup": 50}),
    (S.soft_balanced_accuracy_loss, {"delta": 0.2}),
    (S.soft_jaccard_loss, {"approx": "sigmoid", "k": 20.0}),
    (S.soft_gmean_loss, {"tau": [0.4, 0.6]}),
    (S.soft_auroc_loss, {}),
    (S.soft_auroc_loss, {"n_intervals": 20, "approx": "sigmoid"}),
    (S.weighted_bce, {}),
    (S.weighted_bce, {"weights": (0.6, 2.0), "eps": 1e-7}),
    (S.wmw_auroc_loss, {}),
    (S.wmw_auroc_loss, {"form": "sigmoid", "beta": 5.0}),
    (S.dice_loss, {}),
    (S.dice_loss, {"squared": True, "smooth": 1.0}),
]
LOGIT_CASES = [(S.soft_f1_loss, {}), (S.soft_auroc_loss, {}), (S.weighted_bce, {}),
               (S.wmw_auroc_loss, {}), (S.dice_loss, {})]


def _ids(cases):
    return [f"{f.__name__}-{p}" for f, p in cases]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params", LOSS_CASES, ids=_ids(LOSS_CASES))
def test_parity(fn, params, dtype):
    p, t = RNG.uniform(0, 1, 120), labels(120)
    for red in ("none", "mean", "sum"):
        assert_parity(fn, [p, t], dtype, reduction=red, **params)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn,params", LOGIT_CASES, ids=_ids(LOGIT_CASES))
def test_parity_logits(fn, params, dtype):
    x, t = RNG.normal(0, 3, 120), labels(120)
    assert_parity(fn, [x, t], dtype, from_logits=True, **params)


@pytest.mark.parametrize("dtype", DTYPES)
def test_parity_heavisides_and_confusion(dtype):
    p, t = RNG.uniform(0, 1, (6, 7)), labels(42).reshape(6, 7)
    assert_parity(S.heaviside_linear, [p], dtype, tau=[0.1, 0.5, 0.8], delta=0.2)
    assert_parity(S.heaviside_sigmoid, [p], dtype, tau=0.3, k=15.0)
    assert_parity(S.heaviside_lookup, [p], dtype, tau=[0.2, 0.7], approx="sigmoid", size=200)
    assert_parity(S.heaviside_lookup, [p], dtype, interpolate=False)
    for fn in (S.soft_accuracy, S.soft_f1, S.soft_balanced_accuracy, S.soft_jaccard, S.soft_gmean,
               S.soft_auroc):
        assert_parity(fn, [p, t], dtype)
    for i in range(4):
        assert_parity(lambda a, b: S.soft_confusion(a, b, tau=[0.25, 0.5])[i], [p, t], dtype)


# ----------------------------------------------------------------------------- gradients

def _grad_inputs(params, taus, n=24):
    """Probabilities away from the kinks of H^l (and from lookup-table nodes)."""
    if params.get("lookup"):
        s = params["lookup"]
        p = (RNG.integers(0, s, n) + RNG.uniform(0.2, 0.8, n)) / s
    elif params.get("approx") == "sigmoid":
        p = RNG.uniform(0.02, 0.98, n)
    else:
        p = away(n, np.r_[kinks(taus), np.atleast_1d(taus)], 0.004, low=0.02, high=0.98)
    return p, labels(n)


@pytest.mark.parametrize("fn,params", LOSS_CASES, ids=_ids(LOSS_CASES))
def test_gradcheck(fn, params):
    prm = dict(params)
    taus = prm.get("tau", 0.5)
    if fn is S.soft_auroc_loss:
        n = prm.get("n_intervals", 10)
        taus = np.arange(1, n) / n
    p, t = _grad_inputs(prm, taus)
    if fn is S.wmw_auroc_loss and prm.get("form", "polynomial") == "polynomial":
        d = p[:, None] - p[None, :]
        assert np.min(np.abs(d - 0.3)) > 1e-4  # away from the (C^1) joint d = gamma
    assert gradcheck(fn, [p, t], **prm)


def test_gradcheck_logits_and_heavisides():
    x, t = RNG.normal(0, 2, 20), labels(20)
    for fn in (S.soft_f1_loss, S.weighted_bce, S.dice_loss):
        assert gradcheck(fn, [x, t], from_logits=True, approx="sigmoid") if fn is S.soft_f1_loss \
            else gradcheck(fn, [x, t], from_logits=True)
    p = away(15, kinks([0.2, 0.6]), 0.01)
    assert gradcheck(S.heaviside_linear, [p], tau=[0.2, 0.6], delta=0.15)
    assert gradcheck(S.heaviside_sigmoid, [p], tau=[0.2, 0.6], k=8.0)


def test_linear_heaviside_gradient_is_segment_slope():
    p = torch.tensor([0.1, 0.4, 0.9], dtype=torch.float64, requires_grad=True)
    S.heaviside_linear(p).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [0.4, 1.6, 0.4], rtol=1e-14)


# ----------------------------------------------------------------------------- bad inputs

BAD = [
    (S.soft_f1_loss, {"tau": 0.0}, ValueError, r"tau must lie in \(0, 1\) \(open interval\), got 0\.0$"),
    (S.soft_f1_loss, {"tau": [0.5, 1.0]}, ValueError, r"tau must lie in \(0, 1\) \(open interval\), got 1\.0$"),
    (S.soft_f1_loss, {"tau": [[0.5]]}, ValueError, r"tau must be a scalar or a 1-D grid.*\(1, 1\)"),
    (S.soft_f1_loss, {"tau": []}, ValueError, r"tau must not be empty"),
    (S.soft_f1_loss, {"tau": "0.5"}, TypeError, r"tau must be a number in \(0, 1\).*str"),
    (S.soft_f1_loss, {"tau": float("nan")}, ValueError, r"tau must lie in \(0, 1\) \(open interval\), got nan$"),
    (S.soft_f1_loss, {"delta": -0.1}, ValueError, r"delta must be in \[0.0, 0.5\], got -0.1"),
    (S.soft_f1_loss, {"delta": 0.6}, ValueError, r"delta must be in \[0.0, 0.5\], got 0.6"),
    (S.soft_f1_loss, {"k": 0.0}, ValueError, r"k must be in \(0.0, inf\), got 0.0"),
    (S.soft_f1_loss, {"approx": "cubic"}, ValueError, r"approx must be one of \('linear', 'sigmoid'\), got 'cubic'"),
    (S.soft_f1_loss, {"lookup": 0}, ValueError, r"lookup must be an integer >= 1, got 0"),
    (S.soft_f1_loss, {"lookup": 10.5}, TypeError, r"lookup must be an integer >= 1, got float 10.5"),
    (S.soft_f1_loss, {"reduction": "avg"}, ValueError, r"reduction must be one of .*got 'avg'"),
    (S.soft_fbeta_loss, {"beta": -1.0}, ValueError, r"beta must be in \[0.0, inf\), got -1.0"),
    (S.soft_auroc_loss, {"n_intervals": 1}, ValueError, r"n_intervals must be an integer >= 2, got 1"),
    (S.soft_auroc_loss, {"n_intervals": 2.0}, TypeError, r"n_intervals must be an integer >= 2, got float"),
    (S.wmw_auroc_loss, {"gamma": 0.0}, ValueError, r"gamma must be in \(0.0, 1.0\], got 0.0"),
    (S.wmw_auroc_loss, {"gamma": 1.5}, ValueError, r"gamma must be in \(0.0, 1.0\], got 1.5"),
    (S.wmw_auroc_loss, {"p": 1.0}, ValueError, r"p must be in \(1.0, inf\), got 1.0"),
    (S.wmw_auroc_loss, {"beta": -2.0}, ValueError, r"beta must be in \(0.0, inf\), got -2.0"),
    (S.wmw_auroc_loss, {"form": "exp"}, ValueError, r"form must be one of \('polynomial', 'sigmoid'\), got 'exp'"),
    (S.weighted_bce, {"weights": (1.0,)}, TypeError, r"weights must be None or a pair \(W_n, W_p\).*\(1.0,\)"),
    (S.weighted_bce, {"weights": (1.0, -2.0)}, ValueError, r"weights\[1\] \(W_p\) must be in \(0.0, inf\), got -2.0"),
    (S.weighted_bce, {"weights": "ab"}, TypeError, r"weights must be None or a pair"),
    (S.dice_loss, {"smooth": -1.0}, ValueError, r"smooth must be in \[0.0, inf\), got -1.0"),
    (S.dice_loss, {"eps": -1e-7}, ValueError, r"eps must be in \[0.0, inf\), got -1e-07"),
    (S.dice_loss, {"squared": 1}, TypeError, r"squared must be a bool, got 1"),
    (S.dice_loss, {"axis": 3}, ValueError, r"axis must hold distinct axes of an array of rank 1, got 3"),
    (S.dice_loss, {"axis": (0, 0)}, ValueError, r"axis must hold distinct axes.*\(0, 0\)"),
    (S.dice_loss, {"axis": 0.5}, TypeError, r"axis must be None, an int or a tuple of ints, got 0.5"),
]


@pytest.mark.parametrize("fn,params,exc,match", BAD, ids=[f"{b[0].__name__}-{b[1]}" for b in BAD])
def test_bad_parameters(fn, params, exc, match):
    with pytest.raises(exc, match=match):
        fn(P4, Y4, **params)


ALL_LOSSES = [S.soft_f1_loss, S.soft_fbeta_loss, S.soft_accuracy_loss, S.soft_balanced_accuracy_loss,
              S.soft_jaccard_loss, S.soft_gmean_loss, S.soft_auroc_loss, S.weighted_bce,
              S.wmw_auroc_loss, S.dice_loss]


@pytest.mark.parametrize("fn", ALL_LOSSES, ids=lambda f: f.__name__)
def test_bad_arrays(fn):
    with pytest.raises(ValueError, match=r"Expected y_true of shape \(4,\).*got \(3,\)"):
        fn(P4, Y4[:3])
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0.0, 1.0\].*got values in \[0.1, 1.5\]"):
        fn(np.array([0.9, 1.5, 0.3, 0.1]), Y4)
    with pytest.raises(ValueError, match=r"y_true must contain only labels \{0, 1\}, found 2"):
        fn(P4, np.array([1, 2, 0, 0]))
    with pytest.raises(ValueError, match=r"y_pred must be finite, found nan"):
        fn(np.array([0.9, np.nan, 0.3, 0.1]), Y4)
    with pytest.raises(TypeError, match=r"y_pred must have a floating-point dtype, got int64"):
        fn(np.array([1, 0, 1, 0]), Y4)
    with pytest.raises(ValueError, match=r"y_pred must not be empty"):
        fn(np.array([]), np.array([]))
    with pytest.raises(TypeError, match=r"from_logits must be a bool"):
        fn(P4, Y4, from_logits="yes")


def test_bad_inputs_of_helpers():
    with pytest.raises(ValueError, match=r"p must lie in \[0.0, 1.0\].*\[-0.1, 0.5\]"):
        S.heaviside_linear(np.array([-0.1, 0.5]))
    with pytest.raises(TypeError, match=r"p must have a floating-point dtype, got int64"):
        S.heaviside_sigmoid(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"k must be in \(0.0, inf\), got -1.0"):
        S.heaviside_sigmoid(P4, k=-1.0)
    with pytest.raises(ValueError, match=r"size must be an integer >= 1, got 0"):
        S.heaviside_lookup(P4, size=0)
    with pytest.raises(TypeError, match=r"interpolate must be a bool, got 1"):
        S.heaviside_lookup(P4, interpolate=1)
    with pytest.raises(ValueError, match=r"tau must lie in \(0.0, 1.0\), got 1.0"):
        S.lipschitz_constant(1.0)
    with pytest.raises(ValueError, match=r"delta must be in \[0.0, 0.5\], got 0.7"):
        S.linear_heaviside_slopes(0.5, 0.7)
    with pytest.raises(ValueError, match=r"u must lie in \[0.0, 1.0\], got 1.2"):
        S.f1_limit(0.5, 1.2, 0.1)
    with pytest.raises(ValueError, match=r"u and v must have the same shape.*\(3,\) and \(2,\)"):
        S.auroc_limit([1, 0.5, 0], [1, 0])
    with pytest.raises(ValueError, match=r"y must contain both classes.*0 negatives and 3 positives"):
        S.class_weights([1, 1, 1])
    with pytest.raises(ValueError, match=r"y must contain only labels \{0, 1\}, found 3"):
        S.class_weights([0, 3])
    with pytest.raises(ValueError, match=r"Expected X with 3 rows \(the length of y\), got shape \(2, 2\)"):
        S.random_oversample(np.zeros((2, 2)), np.array([0, 1, 0]))
    with pytest.raises(ValueError, match=r"y must be 1-D, got shape \(2, 1\)"):
        S.random_oversample(np.zeros((2, 2)), np.array([[0], [1]]))
    with pytest.raises(ValueError, match=r"y must contain both classes to oversample, got 2 negatives and 0"):
        S.random_oversample(np.zeros((2, 2)), np.array([0, 0]))


# ----------------------------------------------------------------------------- wrappers

WRAPPED = {
    "soft_accuracy_loss": [{}, {"tau": [0.3, 0.5, 0.7], "approx": "sigmoid"}],
    "soft_f1_loss": [{}, {"tau": [0.25, 0.5], "delta": 0.2}, {"lookup": 100, "from_logits": True}],
    "soft_fbeta_loss": [{"beta": 2.0}],
    "soft_balanced_accuracy_loss": [{"approx": "sigmoid", "k": 20.0}],
    "soft_jaccard_loss": [{"tau": 0.4}],
    "soft_gmean_loss": [{}],
    "soft_auroc_loss": [{"n_intervals": 20}],
    "weighted_bce": [{}, {"weights": (0.6, 2.5)}, {"from_logits": True}],
    "wmw_auroc_loss": [{}, {"form": "sigmoid", "beta": 3.0}],
    "dice_loss": [{}, {"squared": True, "smooth": 1.0}],
}


@pytest.mark.parametrize("name,params", [(n, p) for n, ps in WRAPPED.items() for p in ps])
def test_torch_module_and_keras_class_match_function(name, params):
    spec = LOSSES[name]
    y, t = RNG.uniform(0.01, 0.99, 64), labels(64)
    if params.get("from_logits"):
        y = RNG.normal(0, 2, 64)
    want = spec.fn(y, t, reduction="mean", **params)
    mod = getattr(lt, spec.class_name)(**params)
    got_t = mod(torch.tensor(y), torch.tensor(t, dtype=torch.float64))
    assert float(got_t) == pytest.approx(float(want), rel=1e-13)
    if not spec.keras:
        assert name == "wmw_auroc_loss" and not hasattr(lk, spec.keras_name) and not hasattr(lk, spec.class_name)
        return
    assert_keras_wrapper(spec, params, y, t)


def test_every_003_loss_has_wrapper_case():
    assert {n for n, s in LOSSES.items() if "003" in s.documents} == set(WRAPPED)
    assert set(LOSSES) >= set(WRAPPED)
    for name in WRAPPED:
        assert name in S.__all__


def test_soft_f1_trains_keras_model_with_tau_grid():
    """The Keras class works inside model.fit (compiled graph) with a threshold grid."""
    keras.utils.set_random_seed(0)
    x = np.r_[RNG.normal(-1, 1, (64, 2)), RNG.normal(1, 1, (64, 2))].astype(np.float32)
    y = np.r_[np.zeros(64), np.ones(64)].astype(np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=lk.SoftF1(tau=[0.3, 0.5, 0.7]))
    hist = model.fit(x, y, batch_size=128, epochs=30, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
