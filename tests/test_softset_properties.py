"""Property tests (hypothesis, derandomised) of the document 003 soft sets:
conservation of the soft confusion matrix, CDF-like properties of the
Heaviside approximations, the Lipschitz bound of supp. Thm 4.1, convergence of
soft metrics to scikit-learn's hard metrics as the approximation sharpens, and
the lookup table against the direct formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, f1_score, jaccard_score,
                             roc_auc_score)

from tests._modules import S

SET = settings(derandomize=True, max_examples=60, deadline=None,
               suppress_health_check=[HealthCheck.too_slow])

probs = st.floats(0.0, 1.0, allow_nan=False)
taus = st.floats(0.001, 0.999)
deltas = st.floats(0.0, 0.5)
slopes = st.floats(0.5, 200.0)


@st.composite
def batches(draw, min_size=2, max_size=60):
    n = draw(st.integers(min_size, max_size))
    p = draw(arrays(np.float64, n, elements=probs))
    y = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    return p, y


@st.composite
def tau_grids(draw):
    return draw(st.lists(taus, min_size=1, max_size=6))


# ----------------------------------------------------------------------------- conservation

@SET
@given(batches(), tau_grids(), deltas, slopes, st.sampled_from(["linear", "sigmoid"]),
       st.sampled_from([None, 7, 100]))
def test_counts_add_up_to_class_sizes(batch, grid, delta, k, approx, lookup):
    p, y = batch
    tp, fp, fn, tn = S.soft_confusion(p, y, tau=grid, approx=approx, delta=delta, k=k, lookup=lookup)
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    # each element contributes H + (1 - H) = 1 up to one rounding of 1 - H
    np.testing.assert_allclose(tp + fn, n_pos, rtol=0, atol=1e-12 * max(n_pos, 1))
    np.testing.assert_allclose(fp + tn, n_neg, rtol=0, atol=1e-12 * max(n_neg, 1))
    for c in (tp, fp, fn, tn):
        assert c.shape == (len(grid),) and np.all(c >= 0)


# ----------------------------------------------------------------------------- Heaviside properties

def _h(approx, p, tau, delta, k):
    return S.heaviside_linear(p, tau, delta) if approx == "linear" else S.heaviside_sigmoid(p, tau, k)


@SET
@given(arrays(np.float64, st.integers(2, 80), elements=probs), taus, deltas, slopes,
       st.sampled_from(["linear", "sigmoid", "lookup-linear", "lookup-sigmoid"]))
def test_heaviside_monotone_and_in_unit_interval(p, tau, delta, k, kind):
    p = np.sort(p)
    if kind.startswith("lookup"):
        h = S.heaviside_lookup(p, tau, approx=kind.split("-")[1], delta=delta, k=k, size=50)
    else:
        h = _h(kind, p, tau, delta, k)
    assert np.all(h >= 0.0) and np.all(h <= 1.0)
    # non-decreasing; adjacent segments of eq. (27) meet up to one rounding (1 ulp)
    assert np.all(np.diff(h) >= -4 * np.finfo(np.float64).eps)


@SET
@given(taus, deltas, slopes)
def test_heaviside_at_threshold_is_one_half(tau, delta, k):
    assert S.heaviside_linear(np.array([tau]), tau, delta)[0] == 0.5
    assert S.heaviside_sigmoid(np.array([tau]), tau, k)[0] == 0.5
    # and the limits of eq. (4) hold exactly for H^l
    assert S.heaviside_linear(np.array([0.0, 1.0]), tau, delta).tolist() == [0.0, 1.0]


@SET
@given(arrays(np.float64, 40, elements=probs), arrays(np.float64, 40, elements=probs), taus, deltas)
def test_lipschitz_bound_on_random_pairs(p1, p2, tau, delta):
    m = float(S.lipschitz_constant(tau, delta))
    gap = np.abs(S.heaviside_linear(p1, tau, delta) - S.heaviside_linear(p2, tau, delta))
    # the slack is rounding of values of size <= 1 (a few ulps)
    assert np.all(gap <= m * np.abs(p1 - p2) + 4 * np.finfo(np.float64).eps)


# ----------------------------------------------------------------------------- convergence to hard metrics

@st.composite
def separable(draw, margin=1e-3):
    """Scores at least `margin` away from tau (so the step is unambiguous), both classes,
    at least one predicted positive and one predicted negative."""
    tau = draw(st.floats(0.05, 0.95))
    n = draw(st.integers(4, 60))
    side = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    u = draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
    lo = u * (tau - margin)                                # [0, tau - margin]
    hi = tau + margin + u * (1.0 - tau - margin)           # [tau + margin, 1]
    p = np.where(side == 1, hi, lo)
    y = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    assume(0 < y.sum() < n and 0 < side.sum() < n)
    return p, y, tau


SKLEARN = [
    (S.soft_accuracy, accuracy_score),
    (S.soft_f1, f1_score),
    (S.soft_balanced_accuracy, balanced_accuracy_score),
    (S.soft_jaccard, jaccard_score),
]


@SET
@given(separable())
def test_sharp_sigmoid_metrics_equal_sklearn(data):
    p, y, tau = data
    hard = (p >= tau).astype(int)
    for soft, ref in SKLEARN:
        want = ref(y, hard)
        coarse = abs(float(soft(p, y, tau=tau, approx="sigmoid", k=100.0)) - want)
        sharp = abs(float(soft(p, y, tau=tau, approx="sigmoid", k=1e6)) - want)
        assert sharp <= 1e-9, soft.__name__          # exp(-1e6 * 1e-3) vanishes
        assert sharp <= coarse + 1e-12, soft.__name__  # sharpening does not move away
    tpr = np.sum(hard * y) / y.sum()
    tnr = np.sum((1 - hard) * (1 - y)) / (1 - y).sum()
    assert float(S.soft_gmean(p, y, tau=tau, approx="sigmoid", k=1e6)) == pytest.approx(
        math.sqrt(tpr * tnr), abs=1e-9)


@st.composite
def outside_band(draw):
    """Scores outside [tau - tau_m/2, tau + tau_m/2], where H^l -> H as delta -> 0."""
    tau = draw(st.floats(0.05, 0.95))
    tm = min(tau, 1 - tau)
    n = draw(st.integers(4, 60))
    side = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    u = draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
    p = np.where(side == 1, tau + tm / 2 + 1e-9 + u * (1 - tau - tm / 2 - 1e-9), u * (tau - tm / 2 - 1e-9))
    y = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    assume(0 < y.sum() < n and 0 < side.sum() < n)
    return p, y, tau


@SET
@given(outside_band(), st.sampled_from([0.0, 1e-4, 1e-2]))
def test_linear_soft_f1_tends_to_hard_f1_as_delta_vanishes(data, delta):
    p, y, tau = data
    hard = (p >= tau).astype(int)
    want = f1_score(y, hard)
    got = float(S.soft_f1(p, y, tau=tau, delta=delta))
    # |H^l - H| <= delta outside the band, so each soft count is within n delta of
    # the hard one; the ratios (denominators >= 1 here) move by O(n delta), and
    # 4 n delta is a loose bound for all four. delta = 0 is exact.
    assert abs(got - want) <= 4 * len(p) * delta + 1e-12
    if delta == 0.0:
        assert got == pytest.approx(want, abs=1e-14)
    for soft, ref in SKLEARN:
        assert abs(float(soft(p, y, tau=tau, delta=delta)) - ref(y, hard)) <= 4 * len(p) * delta + 1e-12


@settings(derandomize=True, max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.5, 3.0))
def test_soft_auroc_close_to_sklearn(seed, separation):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    y[:2] = [0, 1]
    p = 1.0 / (1.0 + np.exp(-(separation * (2 * y - 1) + rng.normal(0, 1, 200))))
    got = float(S.soft_auroc(p, y, n_intervals=1000, approx="sigmoid", k=1e5))
    assert got == pytest.approx(roc_auc_score(y, p), abs=5e-3)


# ----------------------------------------------------------------------------- lookup table

@SET
@given(arrays(np.float64, 50, elements=probs), taus, deltas, st.integers(10, 400))
def test_lookup_linear_within_table_resolution(p, tau, delta, size):
    direct = S.heaviside_linear(p, tau, delta)
    m = float(S.lipschitz_constant(tau, delta))
    interp = S.heaviside_lookup(p, tau, delta=delta, size=size)
    trunc = S.heaviside_lookup(p, tau, delta=delta, size=size, interpolate=False)
    tol = 8 * np.finfo(np.float64).eps * max(m, 1.0) * size  # rounding of p * size
    assert np.max(np.abs(interp - direct)) <= m / size + tol
    assert np.max(np.abs(trunc - direct)) <= m / size + tol
    # at the table nodes the table is the formula
    nodes = np.arange(size + 1) / size
    np.testing.assert_allclose(S.heaviside_lookup(nodes, tau, delta=delta, size=size),
                               S.heaviside_linear(nodes, tau, delta), rtol=0, atol=1e-12)


@SET
@given(arrays(np.float64, 50, elements=probs), taus, slopes, st.integers(10, 400))
def test_lookup_sigmoid_within_interpolation_error(p, tau, k, size):
    direct = S.heaviside_sigmoid(p, tau, k)
    h = 1.0 / size
    interp = S.heaviside_lookup(p, tau, approx="sigmoid", k=k, size=size)
    # linear interpolation error <= h^2/8 max|f''|, f'' = k^2 s(1-s)(1-2s), |.| <= k^2/(6 sqrt 3)
    bound = h * h / 8 * k * k / (6 * math.sqrt(3))
    assert np.max(np.abs(interp - direct)) <= bound + 1e-12
    trunc = S.heaviside_lookup(p, tau, approx="sigmoid", k=k, size=size, interpolate=False)
    assert np.max(np.abs(trunc - direct)) <= k / 4 * h + 1e-12   # Lipschitz k/4 times the cell
