"""Document 003's released package ``torch-btg`` 0.0.1 against the project (issue 25; register
A89): its Heaviside approximation equals ours, its soft confusion matrix is ours evaluated at
the mirrored threshold 1 - τ (not a partition for a positive unless τ = 0.5), its losses are
the released readings (mean over τ = 0.1, ..., 0.9, δ = 0.2, AUROC without end points) on those
counts, and the adapter trains with them on CPU (lossfns.experiments.doc003.btg).

Tests that call the package are skipped, with the reason, when it is not installed; it is part
of the suite's lock (requirements/suite.in), so `make setup` installs it.

Tolerances. The package adds ``EPS = 1e-7`` to τ_m in the middle slope of ``linear_approx``, so
its H differs from ours by at most (1 - 2δ) EPS / (2 τ_m) per example (the slope's relative
error EPS / τ_m times the middle segment's half-height (1 - 2δ) / 2): :func:`eps_bound`. Counts
summed over n examples differ by at most n times that. Its F1 and accuracy losses are returned
in float32 (a float32 accumulator), hence ``F32``.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

import lossfns
from lossfns.datasets.registry import Dataset
from lossfns.experiments.doc003 import btg as B
from lossfns.experiments.doc003 import tabular as T
from lossfns.losses.softset.heaviside import heaviside_linear

needs_btg = pytest.mark.skipif(not B.available(), reason="torch-btg is not installed (requirements/suite.in: "
                                                         "pip install torch-btg==0.0.1 --no-deps)")
EPS = 1e-7        # torch_btg.confusion.EPS
F32 = 1e-6        # a float32 loss value in [0, 1]: a few units of its last place


def eps_bound(tau, delta) -> float:
    """Largest |H_btg - H_ours| of one example (module doc), over the thresholds ``tau``."""
    tm = np.minimum(np.asarray(tau, float), 1.0 - np.asarray(tau, float))
    return float(np.max((1.0 - 2.0 * delta) * EPS / (2.0 * tm))) + 1e-15


def random_batch(seed: int = 0, n: int = 50):
    """The issue's "50 random predictions with 30% positives": p ~ U(0, 1), then y = [u < 0.3]
    from the same generator (seed 0: 13 positives)."""
    g = np.random.default_rng(seed)
    p = g.random(n)
    y = (g.random(n) < 0.3).astype(float)
    return p, y


def f1_of(c):
    return 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"])


def accuracy_of(c):
    return (c["tp"] + c["tn"]) / (c["tp"] + c["tn"] + c["fp"] + c["fn"])


def auroc_interior(c):
    """The package's AUROC reading on counts: trapezoids between the ROC points of the
    thresholds sorted by FPR, no end points."""
    tpr, fpr = c["tp"] / (c["tp"] + c["fn"]), c["fp"] / (c["fp"] + c["tn"])
    order = np.argsort(fpr, kind="stable")
    return float(np.trapezoid(tpr[order], fpr[order]))


def ours(p, y, tau, delta):
    tp, fp, fn, tn = lossfns.soft_confusion(p, y, tau=np.asarray(tau, float), delta=delta)
    return {"tp": np.asarray(tp), "fn": np.asarray(fn), "fp": np.asarray(fp), "tn": np.asarray(tn)}


# --- the adapter itself ---------------------------------------------------------------------

def test_cuda_as_identity_is_scoped_and_reentrant():
    before = dict(torch.Tensor.__dict__)
    x = torch.zeros(2)
    with B.cuda_as_identity():
        assert x.cuda() is x and x.cuda(0, non_blocking=True) is x
        with B.cuda_as_identity():
            assert x.cuda() is x
        assert x.cuda() is x, "the inner block restored the outer block's patch"
    assert "cuda" not in torch.Tensor.__dict__ and torch.Tensor.cuda is torch._C.TensorBase.cuda
    with pytest.raises(ZeroDivisionError), B.cuda_as_identity():
        1 / 0
    assert dict(torch.Tensor.__dict__) == before, "an exception inside the block leaves the patch behind"


def test_missing_package_error_names_it_and_the_lock(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch_btg", None)
    with pytest.raises(ImportError, match=r"torch-btg is not installed.*requirements/suite.in"):
        B.load_btg()
    assert B.available() is False
    with pytest.raises(ImportError, match="torch-btg"):
        B.run_table1_btg("mammography", trials=1, max_epochs=1, patience=1)


def test_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="metric must be one of"):
        B.BtgLoss("f2")
    with pytest.raises(ValueError, match="approx must be one of"):
        B.BtgLoss("f1", approx="step")
    with pytest.raises(ValueError, match="delta"):
        B.BtgLoss("f1", delta=0.7)
    with pytest.raises(ValueError, match="k"):
        B.BtgLoss("f1", k=0)
    with pytest.raises(TypeError, match="probabilities and targets must be torch tensors"):
        B.BtgLoss("f1")(np.array([0.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="same number of elements"):
        B.BtgLoss("f1")(torch.rand(3), torch.ones(2))
    with pytest.raises(ValueError, match="readings must be a non-empty subset"):
        B.run_table1_btg("mammography", trials=1, max_epochs=1, patience=1, readings=("mine",))
    with pytest.raises(ValueError, match="y must be one of"):
        B.side_by_side(0.4, 2)
    mixed = pd.DataFrame({"loss": ["F1* (torch-btg)", "F1* (ours, released readings)"],
                          "reading": [B.READING, B.OURS_RELEASED]})
    with pytest.raises(ValueError, match="results must hold one reading"):
        B.estimates(mixed)


# --- parity: the Heaviside approximation ----------------------------------------------------

@needs_btg
@pytest.mark.parametrize("tau", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("delta", [0.1, 0.2])
def test_linear_approx_is_our_heaviside_linear(tau, delta):
    confusion, _ = B.load_btg()
    p = torch.linspace(0.0, 1.0, 2001, dtype=torch.float64)
    theirs = confusion.linear_approx(delta)(p, torch.full_like(p, tau)).numpy()
    np.testing.assert_allclose(theirs, heaviside_linear(p.numpy(), tau, delta), rtol=0,
                               atol=eps_bound(tau, delta))


# --- the partition defect (register A89) ----------------------------------------------------

@needs_btg
@pytest.mark.parametrize("p, tau, tp, fn, h", [
    # H(p, 1 - tau) = H(0.4, 0.3) = 0.5 + (0.8 / 0.3) 0.1 = 23/30 for TP; FN = 1 - H(0.4, 0.7)
    (0.4, 0.7, 23 / 30, 51 / 55, 4 / 55),
    # TP = H(0.2, 0.7) = 0.2 * 0.1 / 0.55 = 2/55; FN = 1 - H(0.2, 0.3) = 1 - 7/30
    (0.2, 0.3, 2 / 55, 23 / 30, 7 / 30),
    # tau = 0.5: 1 - tau = tau, the package agrees with eq. (6)
    (0.4, 0.5, 0.34, 0.66, 0.34),
])
def test_one_positive_is_no_partition_unless_tau_is_one_half(p, tau, tp, fn, h):
    c = B.btg_confusion([p], [1.0], [tau], delta=0.1)
    tol = eps_bound(tau, 0.1)
    assert c["tp"][0] == pytest.approx(tp, abs=tol) and c["fn"][0] == pytest.approx(fn, abs=tol)
    assert c["fp"][0] == 0.0 and c["tn"][0] == 0.0
    mine = ours([p], [1.0], tau, 0.1)
    assert float(mine["tp"]) == pytest.approx(h, abs=1e-12) and float(mine["tp"] + mine["fn"]) == pytest.approx(1.0)
    # the issue's rounded figures
    assert (round(c["tp"][0], 3), round(c["fn"][0], 3), round(c["tp"][0] + c["fn"][0], 3)) == {
        0.7: (0.767, 0.927, 1.694), 0.3: (0.036, 0.767, 0.803), 0.5: (0.34, 0.66, 1.0)}[tau]


@needs_btg
def test_a_negative_stays_a_partition_but_is_counted_at_the_mirrored_threshold():
    # p = 0.8 > tau = 0.7: FP = H(0.8, 0.3) = 1 - 0.2 * 0.1 / 0.55 = 53/55, ours H(0.8, 0.7) = 23/30
    c = B.btg_confusion([0.8], [0.0], [0.7], delta=0.1)
    assert c["fp"][0] == pytest.approx(53 / 55, abs=eps_bound(0.7, 0.1))
    assert c["fp"][0] + c["tn"][0] == pytest.approx(1.0, abs=1e-12)
    assert float(ours([0.8], [0.0], 0.7, 0.1)["fp"]) == pytest.approx(23 / 30, abs=1e-12)


@needs_btg
@pytest.mark.parametrize("delta", [0.1, 0.2])
def test_the_package_is_our_heaviside_at_the_mirrored_threshold(delta):
    """The documented reason why the released readings cannot equal ours: every count of the
    package is doc003.btg.released_confusion (our H at τ or 1 - τ), to float tolerance."""
    p, y = random_batch(0, 200)
    p[:4] = [0.0, 1.0, 0.5, 0.3]          # end points and values on thresholds
    taus = B.btg_thresholds()
    theirs, model = B.btg_confusion(p, y, taus, delta=delta), B.released_confusion(p, y, taus, delta=delta)
    tol = len(p) * eps_bound(taus, delta)
    for c in ("tp", "fn", "fp", "tn"):
        np.testing.assert_allclose(theirs[c], model[c], rtol=0, atol=tol, err_msg=c)
    mine = ours(p, y, taus, delta)
    positives = int(y.sum())
    np.testing.assert_allclose(mine["tp"] + mine["fn"], positives, rtol=1e-12)
    np.testing.assert_allclose(theirs["fp"] + theirs["tn"], len(y) - positives, rtol=0, atol=tol)
    at_half = np.isclose(taus, 0.5)
    np.testing.assert_allclose(theirs["tp"][at_half], mine["tp"][at_half], rtol=0, atol=tol)
    assert np.abs(theirs["tp"] + theirs["fn"] - positives)[~at_half].max() > 1.0, "the defect vanished"


@needs_btg
def test_the_sigmoid_leaks_counts_into_the_other_class():
    """With ``sig(k)`` the package zeroes the other class's input *before* the approximation,
    and sig(0 - τ') = 1 / (1 + exp(k τ')) is not 0: one negative at p = 0.3 adds sigma(-1) =
    0.269 to TP_s and to FN_s at τ = 0.1 (τ' = τ above the threshold), ours 0."""
    c = B.btg_confusion([0.3], [0.0], [0.1, 0.5], approx="sigmoid", k=10.0)
    leak = 1 / (1 + np.exp(10 * np.array([0.1, 0.5])))      # tau' = 0.1 (p > tau), 1 - 0.5
    np.testing.assert_allclose(c["tp"], leak, rtol=1e-12)
    np.testing.assert_allclose(c["fn"], leak, rtol=1e-12)
    tp, _, fn, _ = lossfns.soft_confusion(np.array([0.3]), np.array([0.0]), tau=np.array([0.1, 0.5]), approx="sigmoid")
    assert np.all(np.asarray(tp) == 0) and np.all(np.asarray(fn) == 0)


# --- parity: the released readings ----------------------------------------------------------

@needs_btg
def test_f1_loss_on_the_issues_random_predictions():
    """Pinned (seed 0 of :func:`random_batch`: 13 positives of 50): the package's F1 loss
    0.5162 at δ = 0.1 and 0.5395 at its default δ = 0.2; ours, mean over τ = 0.1..0.9 of the
    soft F1 loss, 0.6322 and 0.6369."""
    p, y = random_batch(0)
    assert int(y.sum()) == 13
    pt, yt = torch.tensor(p), torch.tensor(y)
    _, loss = B.load_btg()
    with B.cuda_as_identity():
        default = float(loss.fb_loss()(pt, yt)[0])
    assert float(B.BtgLoss("f1")(pt, yt)) == default, "the adapter's default is the package's (δ = 0.2)"
    assert default == pytest.approx(0.5395, abs=5e-5)
    assert float(B.BtgLoss("f1", delta=0.1)(pt, yt)) == pytest.approx(0.5162, abs=5e-5)
    for delta, value in ((0.1, 0.6322), (0.2, 0.6369)):
        assert float(lossfns.soft_f1_loss(p, y, tau=T.THRESHOLDS, delta=delta)) == pytest.approx(value, abs=5e-5)


@needs_btg
@pytest.mark.parametrize("delta", [0.1, 0.2])
def test_released_readings_equal_the_package_on_its_counts_and_ours_on_ours(delta):
    """The package's F1, accuracy and AUROC losses are the released readings (mean over the 9
    thresholds; AUROC: trapezoids without end points) applied to its counts, to float
    tolerance; the project's losses at the same readings (doc003.btg.released_reading_losses)
    are the same readings applied to eq. (6). So the gap between the two (0.54 against 0.64 for
    F1 here) is the soft confusion matrix alone: A89."""
    p, y = random_batch(0)
    taus = B.btg_thresholds()
    model = B.released_confusion(p, y, taus, delta=delta)
    pt, yt = torch.tensor(p), torch.tensor(y)
    theirs = {m: float(B.BtgLoss(m, delta=delta)(pt, yt)) for m in B.METRICS}
    assert theirs["f1"] == pytest.approx(1 - np.mean(f1_of(model)), abs=F32)
    assert theirs["accuracy"] == pytest.approx(1 - np.mean(accuracy_of(model)), abs=F32)
    # each rate is off by at most eps_bound; the area of 8 trapezoids by at most (1 + 2 * 8) times that
    assert theirs["auroc"] == pytest.approx(1 - auroc_interior(model), abs=17 * eps_bound(taus, delta))

    mine_c = ours(p, y, T.THRESHOLDS, delta)
    mine = {m: float(fn(pt, yt)) for m, (fn, _) in zip(B.METRICS, B.released_reading_losses(delta=delta).values())}
    assert mine["f1"] == pytest.approx(1 - np.mean(f1_of(mine_c)), abs=1e-12)
    assert mine["accuracy"] == pytest.approx(1 - np.mean(accuracy_of(mine_c)), abs=1e-12)
    assert mine["auroc"] == pytest.approx(1 - auroc_interior(mine_c), abs=1e-12)
    assert all(abs(theirs[m] - mine[m]) > 0.05 for m in B.METRICS), (theirs, mine)


@needs_btg
@pytest.mark.parametrize("delta", [0.1, 0.2])
def test_at_the_single_threshold_one_half_the_package_equals_ours(delta):
    """Where the mirror is the identity (τ = 1 - τ) the released accuracy loss is ours."""
    confusion, loss = B.load_btg()
    p, y = random_batch(1)
    fn = loss.mean_accuracy_approx_loss_on(thresholds=torch.tensor([0.5], dtype=torch.float64),
                                           approx=confusion.linear_approx(delta))
    with B.cuda_as_identity():
        theirs = float(fn(torch.tensor(p), torch.tensor(y))[0])
    assert theirs == pytest.approx(float(lossfns.soft_accuracy_loss(p, y, tau=0.5, delta=delta)),
                                   abs=F32 + len(p) * eps_bound(0.5, delta))


# --- the adapter in training ----------------------------------------------------------------

@needs_btg
def test_losses_give_gradients_and_keep_the_graph_where_the_package_returns_a_constant():
    p, y = random_batch(0)
    pt = torch.tensor(p, dtype=torch.float32, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float32)
    for label, (fn, reduction) in B.btg_losses().items():
        assert reduction == "pooled" and label.endswith(" (torch-btg)")
        value = fn(pt, yt)
        assert value.dtype == torch.float32 and value.shape == ()
        (grad,) = torch.autograd.grad(value, pt)
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0, label
    auroc = B.BtgLoss("auroc")
    # no positive area: the package raises (a positive in the batch) or returns 1 without a graph
    zero = torch.zeros(4, requires_grad=True)
    for target in (torch.tensor([1.0, 0.0, 0.0, 0.0]), torch.zeros(4)):
        value = auroc(zero, target)
        assert float(value.detach()) == 1.0
        (grad,) = torch.autograd.grad(value, zero)
        assert torch.equal(grad, torch.zeros(4))
    assert "cuda" not in torch.Tensor.__dict__


def tiny_dataset(n: int = 240, seed: int = 0) -> Dataset:
    g = np.random.default_rng(seed)
    y = (g.random(n) < 0.25).astype(int)
    X = g.normal(size=(n, 4)) + 1.5 * y[:, None] * np.array([1.0, 0.5, 0.0, 0.0])
    return Dataset(X, y, {"name": "tiny", "positive_class": 1, "is_stand_in": False, "source": "test", "sha256": ""})


@needs_btg
def test_run_table1_btg_on_a_tiny_dataset():
    ds = tiny_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)   # the package's torch.range warning stays silenced
        r = B.run_table1_btg(ds, trials=2, max_epochs=2, patience=1, readings=(B.READING, B.OURS_RELEASED))
    assert len(r) == 2 * 3 * 2
    assert r.groupby("reading")["loss"].apply(lambda s: sorted(set(s))).to_dict() == {
        B.READING: ["AUROC* (torch-btg)", "Accuracy* (torch-btg)", "F1* (torch-btg)"],
        B.OURS_RELEASED: ["AUROC* (ours, released readings)", "Accuracy* (ours, released readings)",
                          "F1* (ours, released readings)"]}
    assert set(r["approx"]) == {"linear"} and set(r["dataset"]) == {"tiny"}
    assert r[["F1", "Accuracy", "AUROC (released code: mean balanced accuracy)", "AUROC (true)"]].stack().between(0, 1).all()
    assert r["stopped_epoch"].between(0, 1).all()
    est = B.estimates(r[r["reading"] == B.READING])
    assert sorted(est) == sorted(f"003/table1/tiny/{s}/{m}" for s in ("f1_soft", "acc_soft", "auroc_soft")
                                 for m in ("f1", "accuracy", "auroc"))
    assert "cuda" not in torch.Tensor.__dict__


def test_reading_table_says_which_reading_matches():
    rows = []
    for t in range(5):
        rows.append({"dataset": "adult", "loss": "F1*", "trial": t, "F1": 0.63 + 0.001 * t, "Accuracy": 0.80,
                     "AUROC (released code: mean balanced accuracy)": 0.78, "AUROC (true)": 0.9})
    ours_rows = pd.DataFrame(rows)
    btg_rows = ours_rows.assign(loss="F1* (torch-btg)", reading=B.READING, F1=ours_rows["F1"] - 0.2)
    cols = {"value": 0.63, "statistic": "mean", "pub_sd": 0.01, "pub_sd_decimals": 2, "pub_n": 10, "decimals": 2,
            "eq_margin": 0.02, "compare": "value"}
    published = pd.DataFrame([{"id": "003/table1/adult/f1_soft/f1", **cols},
                              {"id": "003/table1/adult/f1_soft/accuracy", **cols, "value": 0.5}]).set_index("id")
    tab = B.reading_table(published, {"ours": ours_rows, "torch-btg": btg_rows})
    assert list(tab["id"]) == ["003/table1/adult/f1_soft/f1", "003/table1/adult/f1_soft/accuracy"]
    assert list(tab["matches"]) == ["ours", "neither"]
    assert tab.loc[0, "torch-btg: verdict"] == "not reproduced"
    assert tab.loc[0, "torch-btg"] == pytest.approx(0.432)
    with pytest.raises(ValueError, match="readings must be a non-empty dict"):
        B.reading_table(published, {})


# --- the notebook's tables and figure -------------------------------------------------------

@needs_btg
def test_partition_grid_and_side_by_side():
    grid = B.partition_grid(np.linspace(0, 1, 11), [0.3, 0.5, 0.7], delta=0.1)
    assert len(grid) == 11 * 3 * 2
    assert np.allclose(grid["ours_sum"], 1.0)
    neg, pos = grid[grid["y"] == 0], grid[grid["y"] == 1]
    np.testing.assert_allclose(neg["btg_sum"], 1.0, atol=1e-12)
    half = pos[np.isclose(pos["tau"], 0.5)]
    np.testing.assert_allclose(half["btg_hit"], half["ours_hit"], atol=eps_bound(0.5, 0.1))
    off = pos[~np.isclose(pos["tau"], 0.5)]
    assert off["btg_sum"].max() > 1.6 and off["btg_sum"].min() < 0.85   # double- and under-counting
    row = grid[(grid["y"] == 1) & np.isclose(grid["p"], 0.4) & np.isclose(grid["tau"], 0.7)].iloc[0]
    assert row["btg_sum"] == pytest.approx(23 / 30 + 51 / 55, abs=2 * eps_bound(0.7, 0.1))

    summary = B.partition_summary(grid).set_index(["example", "tau"])
    assert summary["agrees"].to_dict() == {(e, t): t == 0.5 for e in ("negative (FP_s, TN_s)", "positive (TP_s, FN_s)")
                                           for t in (0.3, 0.5, 0.7)}
    assert summary.loc[("negative (FP_s, TN_s)", 0.7), ["btg_total_min", "btg_total_max"]].tolist() == \
        pytest.approx([1.0, 1.0])
    assert summary.loc[("positive (TP_s, FN_s)", 0.7), "btg_total_max"] >= row["btg_sum"] > 1.69

    s = B.side_by_side(0.4, 1, (0.5, 0.7)).set_index(["tau", "count"])
    assert s.loc[(0.7, "sum"), "torch-btg"] == pytest.approx(1.694, abs=5e-4)
    assert s.loc[(0.7, "sum"), "ours"] == pytest.approx(1.0)
    assert s.loc[(0.5, "tp"), "torch-btg"] == pytest.approx(s.loc[(0.5, "tp"), "ours"], abs=eps_bound(0.5, 0.1))


@needs_btg
def test_plots():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lossfns.experiments.doc003 import plots
    fig = plots.btg_partition(B.partition_grid(np.linspace(0, 1, 11), [0.3, 0.5, 0.7]))
    assert len(fig.axes) == 5   # three τ panels, the grid, its colour bar
    plt.close(fig)
    with pytest.raises(ValueError, match="not on the grid"):
        plots.btg_partition(B.partition_grid(np.linspace(0, 1, 3), [0.5]), taus=(0.3,))
    tab = pd.DataFrame({"id": ["003/table1/adult/f1_soft/f1"], "published": [0.63], "published sd": [0.01],
                        "ours": [0.64], "ours: verdict": ["reproduced"], "btg": [0.5], "btg: verdict": ["not reproduced"]})
    fig = plots.reading_dots(tab)
    assert len(fig.axes) == 1
    plt.close(fig)


def test_compare_readings_puts_each_reading_beside_ours_on_real_data_only():
    def rows(loss, f1, **extra):
        return [{"dataset": ds, "stand_in": ds == "creditcard", "loss": loss, "trial": t, "F1": f1 + 0.001 * t,
                 "Accuracy": 0.9, "AUROC (released code: mean balanced accuracy)": 0.7, "AUROC (true)": 0.8, **extra}
                for ds in ("mammography", "creditcard") for t in range(4)]
    ours_rows = pd.DataFrame(rows("F1*", 0.60) + rows("BCE", 0.50))
    btg_rows = pd.DataFrame(rows("F1* (torch-btg)", 0.40, reading=B.READING)
                            + rows("F1* (ours, released readings)", 0.58, reading=B.OURS_RELEASED))
    cols = {"statistic": "mean", "pub_sd": 0.01, "pub_sd_decimals": 2, "pub_n": 10, "decimals": 2,
            "eq_margin": 0.02, "compare": "value"}
    published = pd.DataFrame([{"id": f"003/table4/{ds}/f1_soft/f1", "value": 0.60, **cols}
                              for ds in ("mammography", "kaggle")]).set_index("id")
    out = B.compare_readings(published, {"sigmoid": ours_rows}, {"sigmoid": btg_rows})
    tab = out["table4"]
    assert list(out) == ["table4"] and list(tab["id"]) == ["003/table4/mammography/f1_soft/f1"]
    assert [c for c in tab.columns if not c.endswith("verdict")] == [
        "id", "published", "published sd", B.OURS, B.READING, B.OURS_RELEASED, "matches"]
    assert tab.loc[0, B.READING] == pytest.approx(0.4015) and tab.loc[0, "matches"] == B.OURS
    assert tab.loc[0, f"{B.READING}: verdict"] == "not reproduced"
    with pytest.raises(ValueError, match="approximations must be a subset"):
        B.run_tables(["mammography"], ["step"], [B.READING], trials=1, max_epochs=1, patience=1)
