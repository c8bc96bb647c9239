"""Issue 10 speed paths keep the maths: the where-free linear Heaviside against the former
`where` chain (values and gradients, bitwise, on NumPy, torch and Keras/TensorFlow, at and
around every breakpoint), and the chunked WMW loss against the unchunked pair matrix, with its
memory bound."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import torch

from lossfns.losses.softset.heaviside import _direct_where, _linear_coefficients, heaviside_linear

CASES = [(0.5, 0.1), (0.3, 0.1), (0.8, 0.2), (0.001, 0.1), (0.999, 0.3), (0.37, 0.0), (0.62, 0.5),
         (0.25, 0.25), ([0.1, 0.5, 0.9], 0.1), ([0.2, 0.45, 0.7], 0.0), ([0.05, 0.95], 0.5)]
DTYPES = (np.float64, np.float32)


def _points(tau, dtype):
    """Breakpoints 0, a1, tau, a3, 1 of every threshold, their float neighbours, and a grid."""
    taus = np.atleast_1d(np.asarray(tau, dtype=np.float64))
    a1, a3, *_ = _linear_coefficients(taus, 0.1)  # breakpoints do not depend on delta
    bps = np.r_[0.0, 1.0, taus, a1, a3].astype(dtype)
    near = np.r_[np.nextafter(bps, dtype(0)), np.nextafter(bps, dtype(1))]
    p = np.r_[bps, near, np.linspace(0, 1, 1001, dtype=dtype),
              np.random.default_rng(10).uniform(0, 1, 2000).astype(dtype)]
    return np.clip(p, 0, 1).astype(dtype)


def _slopes(p, tau, delta):
    """The slope the where chain's autograd gives: m1 left of a1, m3 right of a3, m2 between
    (both kinks included)."""
    taus = np.atleast_1d(np.asarray(tau, dtype=np.float64))[:, None]
    a1, a3, m1, m2, m3, _, _ = _linear_coefficients(taus, delta)
    x = p[None, :]  # compared in p's dtype, as the backends compare
    return np.where(x < a1.astype(p.dtype), m1, np.where(x > a3.astype(p.dtype), m3, m2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tau,delta", CASES)
def test_where_free_heaviside_is_bitwise_the_where_chain_numpy(tau, delta, dtype):
    p = _points(tau, dtype)
    taus = np.asarray(tau, dtype=np.float64)
    new = heaviside_linear(p, tau, delta)
    old = _direct_where(p, taus, delta)
    assert new.dtype == old.dtype == dtype
    np.testing.assert_array_equal(new, old)
    # the exact values of the definition survive
    for t in np.atleast_1d(taus):
        h = heaviside_linear(np.array([0.0, t, 1.0], dtype=dtype), float(t), delta)
        assert h.tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tau,delta", CASES)
def test_where_free_heaviside_torch_values_and_gradients(tau, delta, dtype):
    p = _points(tau, dtype)
    taus = np.asarray(tau, dtype=np.float64)
    x_new = torch.tensor(p, requires_grad=True)
    x_old = torch.tensor(p, requires_grad=True)
    new = heaviside_linear(x_new, tau, delta)
    old = _direct_where(x_old, taus, delta)
    assert torch.equal(new, old)
    # per-threshold gradients (a sum over thresholds would mix them)
    rows_new = list(new) if new.ndim == 2 else [new]
    rows_old = list(old) if old.ndim == 2 else [old]
    slopes = _slopes(p, tau, delta)
    for r, (hn, ho) in enumerate(zip(rows_new, rows_old)):
        (g_new,) = torch.autograd.grad(hn.sum(), x_new, retain_graph=True)
        (g_old,) = torch.autograd.grad(ho.sum(), x_old, retain_graph=True)
        assert torch.equal(g_new, g_old)
        np.testing.assert_array_equal(g_new.numpy(), slopes[r].astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tau,delta", CASES[:4] + CASES[8:10])
def test_where_free_heaviside_keras_values_and_gradients(tau, delta, dtype):
    p = _points(tau, dtype)
    taus = np.asarray(tau, dtype=np.float64)
    x = tf.convert_to_tensor(p)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        new = heaviside_linear(x, tau, delta)
        old = _direct_where(x, taus, delta)
        s_new, s_old = tf.reduce_sum(new), tf.reduce_sum(old)
    np.testing.assert_array_equal(new.numpy(), old.numpy())
    g_new, g_old = tape.gradient(s_new, x).numpy(), tape.gradient(s_old, x).numpy()
    np.testing.assert_array_equal(g_new, g_old)
    np.testing.assert_allclose(g_new, _slopes(p, tau, delta).sum(axis=0).astype(dtype),
                               rtol=1e-6 if dtype == np.float32 else 1e-15)


def test_soft_losses_unchanged_against_where_chain():
    """A soft F1 and AUROC built on the old chain give the same value and gradient (torch)."""
    from lossfns.losses.softset import soft_f1_loss

    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 500)
    p[:5] = [0.0, 0.25, 0.5, 0.75, 1.0]
    t = torch.tensor((rng.uniform(size=500) < 0.3).astype(np.float64))
    x = torch.tensor(p, requires_grad=True)
    loss = soft_f1_loss(x, t, tau=[0.1, 0.5, 0.9])
    (g,) = torch.autograd.grad(loss, x)
    xo = torch.tensor(p, requires_grad=True)
    h = _direct_where(xo, np.array([0.1, 0.5, 0.9]), 0.1)
    tp, fp = h @ t, h @ (1 - t)
    fn = t.sum() - tp
    ref = (1 - 2 * tp / (2 * tp + fp + fn)).mean()
    (g_ref,) = torch.autograd.grad(ref, xo)
    torch.testing.assert_close(loss, ref, rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(g, g_ref, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- WMW, chunked

from lossfns.losses.ranking import wmw_auroc_loss  # noqa: E402
from tests._backends import run_all  # noqa: E402

WMW_PARAMS = [{}, {"gamma": 0.5, "p": 3.0}, {"form": "sigmoid", "beta": 4.0}]


def _wmw_matrix_sum(probs, y, **params):
    return float(np.sum(wmw_auroc_loss(probs, y, reduction="none", **params)))


@pytest.mark.parametrize("params", WMW_PARAMS, ids=str)
@pytest.mark.parametrize("chunk_pairs", [1, 7, 50, 1 << 22])
def test_wmw_chunked_equals_pair_matrix_on_every_backend(params, chunk_pairs):
    rng = np.random.default_rng(11)
    p = rng.uniform(0, 1, 37)
    y = (rng.uniform(size=37) < 0.35).astype(float)
    y[:2] = [0, 1]
    want = _wmw_matrix_sum(p, y, **params)
    n_pairs = int(y.sum() * (1 - y).sum())
    for reduction, scale in (("sum", 1.0), ("mean", 1.0 / n_pairs)):
        got = run_all(lambda a, b, r=reduction: wmw_auroc_loss(a, b, reduction=r, chunk_pairs=chunk_pairs,
                                                               **params), [p, y])
        for backend, value in got.items():
            assert value.shape == ()
            assert float(value) == pytest.approx(want * scale, rel=1e-12), (backend, reduction)


@pytest.mark.parametrize("params", WMW_PARAMS, ids=str)
def test_wmw_chunked_gradient_equals_pair_matrix_gradient(params):
    rng = np.random.default_rng(12)
    p = rng.uniform(0.01, 0.99, 40)
    y = torch.tensor((rng.uniform(size=40) < 0.4).astype(float))
    x1 = torch.tensor(p, requires_grad=True)
    x2 = torch.tensor(p, requires_grad=True)
    (g1,) = torch.autograd.grad(wmw_auroc_loss(x1, y, chunk_pairs=5, **params), x1)
    pairs = float(y.sum() * (1 - y).sum())
    (g2,) = torch.autograd.grad(wmw_auroc_loss(x2, y, reduction="none", **params).sum() / pairs, x2)
    torch.testing.assert_close(g1, g2, rtol=1e-12, atol=1e-15)


def test_wmw_one_class_and_bad_chunk():
    assert float(wmw_auroc_loss(np.array([0.2, 0.9]), np.array([0, 0]), reduction="sum")) == 0.0
    x = torch.tensor([0.2, 0.9], requires_grad=True)
    loss = wmw_auroc_loss(x, torch.tensor([1.0, 1.0]))
    loss.backward()
    assert float(loss.detach()) == 0.0 and torch.equal(x.grad, torch.zeros(2))
    with pytest.raises(ValueError, match="chunk_pairs must be an integer >= 1, got 0"):
        wmw_auroc_loss(np.array([0.2, 0.9]), np.array([0, 1]), chunk_pairs=0)


def _wmw_polynomial_sorted(p, y, gamma):
    """Reference for p = 2 without pairs: for a positive x, sum over negatives z > x - gamma of
    (gamma - x + z)^2 = k c^2 + 2 c S1 + S2 (c = gamma - x) from prefix sums of sorted negatives."""
    z = np.sort(p[y == 0])
    s1 = np.r_[0.0, np.cumsum(z[::-1])][::-1]       # s1[j] = sum z[j:]
    s2 = np.r_[0.0, np.cumsum((z * z)[::-1])][::-1]
    xs = p[y == 1]
    j = np.searchsorted(z, xs - gamma, side="right")  # first negative with z > x - gamma
    k = z.size - j
    c = gamma - xs
    return float(np.sum(k * c * c + 2 * c * s1[j] + s2[j]))


def test_wmw_45000_rows_within_2gb_numpy():
    """Document 003's Kaggle validation split has ~45,000 rows: the N x N pair matrix would be
    2e9 entries (16 GB in float64). The chunked mean/sum stays far below 2 GB (tracemalloc
    counts NumPy's buffers) and matches a pair-free reference."""
    import tracemalloc

    rng = np.random.default_rng(45)
    n = 45_000
    y = (rng.uniform(size=n) < 0.05).astype(np.float64)  # the minority class is positive in 003
    p = np.clip(0.3 * y + rng.normal(0.4, 0.2, n), 0.0, 1.0)
    tracemalloc.start()
    try:
        got = float(wmw_auroc_loss(p, y, reduction="sum"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 ** 3
    # the default block is 2^22 pairs; a few float64 temporaries of it, not N^2
    assert peak < 400 * 1024 ** 2, peak
    assert got == pytest.approx(_wmw_polynomial_sorted(p, y, 0.3), rel=1e-9)


# ----------------------------------------------------------------------------- region counts

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("taus,delta", [([0.1, 0.5, 0.9], 0.1), ([0.2, 0.45, 0.7], 0.0),
                                        (list(np.arange(1, 10) / 10), 0.3), ([0.05, 0.95], 0.5)])
def test_grid_counts_from_region_totals_equal_counts_of_h(taus, delta, dtype, monkeypatch):
    """Threshold grids count by region totals (two mask x matrix products); the reference is
    eq. (6) on the where-chain H: same values (to rounding) and the same gradient."""
    from lossfns.losses.softset import counts, soft_confusion

    monkeypatch.setattr(counts, "_REGION_MIN_N", 0)  # the region path at every batch size

    rng = np.random.default_rng(13)
    p = np.r_[_points(taus, dtype)[:40], rng.uniform(0, 1, 300)].astype(dtype)
    y = (rng.uniform(size=p.size) < 0.4).astype(dtype)
    x = torch.tensor(p, requires_grad=True)
    t = torch.tensor(y)
    got = torch.stack(soft_confusion(x, t, tau=taus, delta=delta))
    xr = torch.tensor(p, requires_grad=True)
    h = _direct_where(xr, np.asarray(taus), delta)
    tp, fp = h @ t, h @ (1 - t)
    want = torch.stack([tp, fp, t.sum() - tp, (1 - t).sum() - fp])
    tol = dict(rtol=1e-5, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-11)
    torch.testing.assert_close(got, want, **tol)
    wts = torch.tensor(np.random.default_rng(1).normal(size=want.shape), dtype=want.dtype)
    (g,) = torch.autograd.grad((got * wts).sum(), x)
    (g_ref,) = torch.autograd.grad((want * wts).sum(), xr)
    torch.testing.assert_close(g, g_ref, **tol)
    # NumPy and Keras run the same path
    for backend in ("numpy", "keras"):
        from tests._backends import to_backend, to_numpy
        out = np.stack([to_numpy(c) for c in soft_confusion(to_backend(p, backend, dtype),
                                                            to_backend(y, backend, dtype),
                                                            tau=taus, delta=delta)])
        np.testing.assert_allclose(out, want.detach().numpy(), **tol)


@pytest.mark.parametrize("min_n", [0, 4096])
def test_grid_counts_exact_zeros_when_nothing_is_predicted(min_n, monkeypatch):
    from lossfns.losses.softset import counts, soft_confusion

    monkeypatch.setattr(counts, "_REGION_MIN_N", min_n)

    tp, fp, fn, tn = soft_confusion(np.zeros(6), np.array([1, 0, 1, 0, 0, 0]), tau=[0.2, 0.5, 0.8])
    assert tp.tolist() == [0.0] * 3 and fp.tolist() == [0.0] * 3
    assert fn.tolist() == [2.0] * 3 and tn.tolist() == [4.0] * 3


def test_large_batch_takes_the_region_path_and_agrees():
    """At N >= _REGION_MIN_N a grid counts by region totals; it matches the H path."""
    from lossfns.losses.softset import counts, soft_f1_loss

    rng = np.random.default_rng(14)
    p = rng.uniform(0, 1, counts._REGION_MIN_N + 10)
    y = (rng.uniform(size=p.size) < 0.3).astype(float)
    big = soft_f1_loss(p, y, tau=[0.2, 0.5, 0.8], reduction="none")
    h = _direct_where(p, np.array([0.2, 0.5, 0.8]), 0.1)
    tp, fp = h @ y, h @ (1 - y)
    np.testing.assert_allclose(big, 1 - 2 * tp / (tp + fp + y.sum()), rtol=1e-12)


def test_region_path_float32_accuracy_on_100000_rows():
    """float32 region totals (BLAS sums over 1e5 rows) stay within float32 rounding of the
    float64 counts."""
    from lossfns.losses.softset import soft_confusion

    rng = np.random.default_rng(15)
    p = rng.uniform(0, 1, 100_000)
    y = (rng.uniform(size=p.size) < 0.2).astype(float)
    taus = list(np.arange(1, 10) / 10)
    want = np.stack(soft_confusion(p, y, tau=taus))
    got = np.stack([c.numpy() for c in soft_confusion(torch.tensor(p, dtype=torch.float32),
                                                       torch.tensor(y, dtype=torch.float32), tau=taus)])
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=0.05)
