"""lossfns.training.samplers: class weights (003 Table 8), random oversampling (003 Tables
10-11) and the balanced per-epoch sampler of document 001 (10,000 images per epoch, half
positive)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lossfns.training.samplers import (BalancedEpochSampler, balanced_epoch_indices, class_weights,
                                       random_oversample)

Y = np.array([0] * 900 + [1] * 100)


def test_document_001_epoch_10000_half_positive():
    rng = np.random.default_rng(0)
    y = (rng.uniform(size=60_000) < 0.1).astype(int)  # ~6,000 positives, 54,000 negatives
    idx = balanced_epoch_indices(y, 10_000, rng=1)
    assert idx.dtype == np.int64 and idx.shape == (10_000,)
    assert int(y[idx].sum()) == 5_000
    # both classes are large enough: no row repeats
    assert np.unique(idx).size == 10_000
    assert idx.min() >= 0 and idx.max() < y.size


def test_replacement_only_for_the_small_class():
    idx = balanced_epoch_indices(Y, 400, rng=0)
    pos, neg = idx[Y[idx] == 1], idx[Y[idx] == 0]
    assert pos.size == neg.size == 200
    assert np.unique(neg).size == 200          # 900 negatives: drawn without replacement
    assert np.unique(pos).size <= 100          # 100 positives for 200 draws: with replacement
    assert set(np.unique(pos)) <= set(np.flatnonzero(Y == 1))


def test_exactly_the_class_size_needs_no_replacement():
    idx = balanced_epoch_indices(Y, 200, rng=5)
    assert sorted(idx[Y[idx] == 1].tolist()) == list(range(900, 1000))


def test_deterministic_per_seed_and_shuffled():
    a = balanced_epoch_indices(Y, 300, rng=7)
    b = balanced_epoch_indices(Y, 300, rng=7)
    c = balanced_epoch_indices(Y, 300, rng=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # classes are interleaved, not one block after the other
    assert 0 < int(Y[a[:150]].sum()) < 150
    # a Generator advances: consecutive epochs differ, the sequence is reproducible
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    e1 = [balanced_epoch_indices(Y, 50, g1) for _ in range(3)]
    e2 = [balanced_epoch_indices(Y, 50, g2) for _ in range(3)]
    assert all(np.array_equal(u, v) for u, v in zip(e1, e2))
    assert not np.array_equal(e1[0], e1[1])


def test_positive_fraction_and_backends():
    idx = balanced_epoch_indices(torch.tensor(Y), 1000, rng=0, positive_fraction=0.25)
    assert int(Y[idx].sum()) == 250
    assert int(Y[balanced_epoch_indices(Y.tolist(), 10, rng=0, positive_fraction=1.0)].sum()) == 10
    assert int(Y[balanced_epoch_indices(Y, 10, rng=0, positive_fraction=0.0)].sum()) == 0
    # an epoch that needs no positives works without any
    assert balanced_epoch_indices(np.zeros(5), 4, rng=0, positive_fraction=0.0).shape == (4,)


@pytest.mark.parametrize("args,kwargs,exc,match", [
    ((Y, 0), {}, ValueError, r"n_per_epoch must be an integer >= 1, got 0"),
    ((Y, 10.0), {}, TypeError, r"n_per_epoch must be an integer >= 1"),
    ((Y, 10, "0"), {}, TypeError, r"rng must be a non-negative int seed or a numpy.random.Generator"),
    ((Y, 10, -1), {}, TypeError, r"rng must be a non-negative int seed"),
    ((Y, 10), {"positive_fraction": 1.5}, ValueError, r"positive_fraction must be in \[0.0, 1.0\]"),
    ((Y.reshape(10, 100), 10), {}, ValueError, r"y must be 1-D"),
    ((np.array([0, 2, 1]), 10), {}, ValueError, r"y must contain only labels"),
    ((np.array([]), 10), {}, ValueError, r"y"),
    ((np.zeros(5), 10), {}, ValueError, (r"y has no positive rows, but positive_fraction=0.5 and "
                                         r"n_per_epoch=10 need 5 of them")),
    ((np.ones(5), 10), {}, ValueError, r"y has no negative rows"),
])
def test_errors_name_the_argument(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        balanced_epoch_indices(*args, **kwargs)


def test_sampler_class_per_epoch_and_dataloader():
    s = BalancedEpochSampler(Y, 64, seed=2)
    assert len(s) == 64
    e0 = list(s)
    assert e0 == s.indices(0).tolist() == list(BalancedEpochSampler(Y, 64, seed=2))
    s.set_epoch(1)
    e1 = list(s)
    assert e1 != e0 and e1 == s.indices(1).tolist()
    assert sum(Y[i] for i in e1) == 32
    ds = torch.utils.data.TensorDataset(torch.arange(Y.size), torch.tensor(Y))
    batches = list(torch.utils.data.DataLoader(ds, batch_size=16, sampler=s))
    assert sum(b[0].numel() for b in batches) == 64
    assert torch.cat([b[0] for b in batches]).tolist() == e1
    with pytest.raises(ValueError, match="y has no positive rows"):
        BalancedEpochSampler(np.zeros(4), 4)
    with pytest.raises(TypeError, match="seed must be a non-negative int seed"):
        BalancedEpochSampler(Y, 4, seed=None)
    with pytest.raises(ValueError, match="epoch must be an integer >= 0, got -1"):
        s.set_epoch(-1)


def test_class_weights_and_oversampling_still_hold():
    assert class_weights(Y) == pytest.approx((1000 / 1800, 1000 / 200), rel=1e-15)
    X = np.arange(Y.size)[:, None]
    Xr, yr = random_oversample(X, Y, seed=0)
    assert int(yr.sum()) == 900 and yr.size == 1800
    np.testing.assert_array_equal(Xr[:1000, 0], np.arange(1000))
