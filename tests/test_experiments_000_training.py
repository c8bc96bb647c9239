"""lossfns.experiments.doc000.training: Sec. 11-12, 14, 15, 18 protocols (tiny runs)."""

import numpy as np
import pandas as pd
import pytest
import torch

from lossfns.experiments.doc000 import training as pt


@pytest.fixture(scope="module")
def data():
    """A small separable-ish problem: 80 rows, 5 features, 60% positives."""
    rng = np.random.default_rng(0)
    y = (np.arange(80) % 5 < 3).astype(int)
    X = rng.normal(size=(80, 5))
    X[:, 1] += 1.5 * y          # the informative feature
    X[:, 3] -= 0.8 * y          # informative, opposite direction
    return X, y


def test_parse_xm():
    assert pt.parse_xm("xm(2,100)") == (2.0, 100.0)
    assert pt.parse_xm("xm( 1 ; 5e1 )") == (1.0, 50.0)
    assert pt.parse_xm("bce") is None


def test_holdout_tasks_train_only_scaling(data):
    X, y = data
    tasks, splits, scalers = pt.holdout_tasks(X, y, n_seeds=2, test_fraction=0.25, seed=3)
    assert len(tasks) == len(splits) == len(scalers) == 2
    for t, (tr, te), sc in zip(tasks, splits, scalers):
        assert set(tr).isdisjoint(te) and len(tr) + len(te) == len(y)
        assert len(te) == 20 and abs(y[te].mean() - y.mean()) < 0.05  # stratified
        np.testing.assert_allclose(t.X_train.mean(0), 0, atol=1e-12)     # scaled on train rows
        np.testing.assert_allclose(sc.mean_, X[tr].mean(0))
    assert not np.array_equal(splits[0][1], splits[1][1])


def test_curves_shape_and_determinism(data):
    X, y = data
    kw = dict(n_seeds=2, epochs=3, batch_size=16, seed=1)
    a = pt.curves(X, y, ["xm(2,2)", "bce"], **kw)
    b = pt.curves(X, y, ["xm(2,2)", "bce"], **kw)
    assert len(a) == 2 * 2 * 3
    assert set(a.columns) >= {"loss", "seed", "epoch", "train_loss", "train_acc", "test_loss", "test_acc",
                              "batch_size", "optimizer", "label"}
    pd.testing.assert_frame_equal(a, b)
    assert a[["train_acc", "test_acc"]].apply(lambda c: c.between(0, 1).all()).all()
    c = pt.curves(X, y, ["xm(2,2)", "bce"], **{**kw, "seed": 2})
    assert not np.allclose(a["train_loss"], c["train_loss"])


def test_curves_common_random_numbers(data):
    """A loss trained alone gives the same numbers as among others (same splits, inits, masks)."""
    X, y = data
    both = pt.curves(X, y, ["bce", "xm(2,100)"], n_seeds=2, epochs=2, seed=0)
    alone = pt.curves(X, y, ["xm(2,100)"], n_seeds=2, epochs=2, seed=0)
    np.testing.assert_allclose(both[both["loss"] == "xm(2,100)"]["test_acc"].to_numpy(),
                               alone["test_acc"].to_numpy())


@pytest.mark.parametrize("kw, match", [
    (dict(losses=["nope"]), "loss must be"),
    (dict(losses=[]), "at least one"),
    (dict(losses=["bce"], epochs=0), "epochs"),
    (dict(losses=["bce"], batch_size=1.5), "batch_size"),
    (dict(losses=["bce"], n_seeds=0), "n_seeds"),
    (dict(losses=["bce"], test_fraction=1.0), "test_fraction"),
])
def test_curves_bad_inputs(data, kw, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        pt.curves(X, y, **{"epochs": 1, "n_seeds": 1, **kw})


def test_curves_bad_data():
    with pytest.raises(ValueError, match="only 0 and 1"):
        pt.curves(np.zeros((10, 2)), np.arange(10), ["bce"], n_seeds=1, epochs=1)
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        pt.curves(np.zeros(10), np.zeros(10), ["bce"], n_seeds=1, epochs=1)


def _toy_curves():
    rows = []
    for loss, gap in (("bce", 0.05), ("xm(2,100)", 0.0)):
        for s in range(3):
            for e in range(1, 21):
                test = 0.8 + 0.005 * s + (0.02 if loss == "xm(2,100)" else 0.0)
                rows.append({"loss": loss, "seed": s, "epoch": e, "train_acc": test + gap, "test_acc": test})
    return pd.DataFrame(rows)


def test_band_summary_and_stats():
    df = _toy_curves()
    b = pt.band_summary(df)
    assert len(b) == 2 * 20 and (b["n"] == 3).all()
    r = b.iloc[0]
    assert r["test_acc_lo"] <= r["test_acc_mean"] <= r["test_acc_hi"]
    np.testing.assert_allclose(r["test_acc_sd"], 0.005)
    st = pt.convergence_stats(df, overfit_after=10, last=5).set_index("loss")
    np.testing.assert_allclose(st.loc["bce", "gap_final"], 0.05)
    assert st.loc["bce", "frac_test_below_train"] == 1.0
    assert st.loc["xm(2,100)", "frac_test_below_train"] == 0.0
    with pytest.raises(ValueError, match="overfit_after"):
        pt.convergence_stats(df, overfit_after=20)
    with pytest.raises(ValueError, match="lo < hi"):
        pt.band_summary(df, lo=0.9, hi=0.1)


def test_convergence_verdicts_rules():
    v = pt.convergence_verdicts(_toy_curves(), reading="toy").set_index("claim")["verdict"].tolist()
    # XM has the higher test accuracy and no gap; BCE is always 0.05 above on train
    assert v == ["not supported", "supported", "supported"]
    with pytest.raises(ValueError, match="must contain"):
        pt.convergence_verdicts(_toy_curves(), best_xm="xm(1,1)")


def test_feature_scores_and_selection(data):
    X, y = data
    sc = pt.feature_scores(X, y)
    assert list(sc.columns) == ["feature", "auroc", "abs_auroc", "mutual_info"]
    assert sc["abs_auroc"].is_monotonic_decreasing
    assert pt.select_features(X, y, k=2) == [1, 3]        # the two informative features
    assert sc.set_index("feature").loc[3, "auroc"] < 0.5   # direction-free ranking
    Xc = X.copy(); Xc[:, 0] = 1.0                          # constant column: AUROC 0.5
    assert pt.feature_scores(Xc, y).set_index("feature").loc[0, "auroc"] == 0.5
    with pytest.raises(ValueError, match="exceeds"):
        pt.select_features(X, y, k=6)
    with pytest.raises(ValueError, match="both classes"):
        pt.feature_scores(X, np.ones(80, int))


def test_boundary_models(data):
    X, y = data
    kw = dict(n_seeds=2, epochs=2, grid_size=7, seed=0)
    a = pt.boundary_models(X[:, [1, 3]], y, ["xm(2,500)", "bce"], **kw)
    b = pt.boundary_models(X[:, [1, 3]], y, ["xm(2,500)", "bce"], **kw)
    assert a["xx"].shape == a["yy"].shape == (7, 7)
    assert a["proba"]["bce"].shape == (2, 7, 7)
    assert ((a["proba"]["bce"] > 0) & (a["proba"]["bce"] < 1)).all()
    np.testing.assert_array_equal(a["proba"]["xm(2,500)"], b["proba"]["xm(2,500)"])
    pd.testing.assert_frame_equal(a["metrics"], b["metrics"])
    assert len(a["metrics"]) == 4
    # one split shared by the inits (default) vs one split per seed
    assert np.array_equal(a["splits"][0][1], a["splits"][1][1])
    c = pt.boundary_models(X[:, [1, 3]], y, ["bce"], vary_split=True, **kw)
    assert not np.array_equal(c["splits"][0][1], c["splits"][1][1])
    with pytest.raises(ValueError, match="two features"):
        pt.boundary_models(X, y, ["bce"], **kw)


def test_conditional_accuracy_vs_ratio_and_trend(data):
    X, y = data
    kw = dict(n_splits=2, n_repeats=2, epochs=2, seed=0)
    r = pt.conditional_accuracy_vs_ratio(X, y, [(2, 2), (2, 100), (100, 2)], **kw)
    r2 = pt.conditional_accuracy_vs_ratio(X, y, [(2, 2), (2, 100), (100, 2)], **kw)
    pd.testing.assert_frame_equal(r, r2)
    assert len(r) == 4 * 2 and r["loss"].tolist()[-1] == "bce"
    np.testing.assert_allclose(r.dropna()["log_ratio"].unique(), [0.0, np.log10(50), -np.log10(50)])
    assert r["log_ratio"].isna().sum() == 2
    t = pt.ratio_trend(r)
    assert list(t["metric"]) == ["cond_acc_0", "cond_acc_1", "accuracy"]
    assert np.isfinite(t[["slope_per_decade", "spearman_rho", "spearman_p"]].to_numpy()).all()
    with pytest.raises(ValueError, match="positive"):
        pt.conditional_accuracy_vs_ratio(X, y, [(0, 2)], **kw)
    with pytest.raises(ValueError, match="two distinct"):
        pt.ratio_trend(r[r["loss"].isin(["xm(2,2)", "bce"])])


def test_ratio_trend_recovers_slope():
    lr = np.repeat([-2.0, 0.0, 2.0], 3)
    df = pd.DataFrame({"log_ratio": lr, "cond_acc_0": 0.8 - 0.05 * lr, "cond_acc_1": 0.7 + 0.1 * lr,
                       "accuracy": np.full(9, 0.75)})
    t = pt.ratio_trend(df).set_index("metric")
    np.testing.assert_allclose(t.loc["cond_acc_1", "slope_per_decade"], 0.1)
    np.testing.assert_allclose(t.loc["cond_acc_0", "slope_per_decade"], -0.05)
    assert t.loc["cond_acc_1", "spearman_rho"] > 0.99 and t.loc["accuracy", "spearman_p"] == 1.0


def test_paired_change():
    df = pd.DataFrame({"loss": ["a"] * 3 + ["b"] * 3, "seed": [0, 1, 2] * 2,
                       "v": [0.1, 0.2, 0.3, 0.2, 0.4, 0.3]})
    m, se = pt.paired_change(df, "a", "b", "v")
    np.testing.assert_allclose(m, 0.1)
    np.testing.assert_allclose(se, np.std([0.1, 0.2, 0.0], ddof=1) / np.sqrt(3))
    with pytest.raises(ValueError, match="must contain"):
        pt.paired_change(df, "a", "c", "v")


def test_subgradient_runs(data):
    X, y = data
    opts = [("sgd step 0.5", "sgd", {"lr": 0.5}), ("rmsprop", "rmsprop", {})]
    c, k = pt.subgradient_runs(X, y, "xm(2,2)", opts, n_seeds=2, epochs=3, seed=0)
    c2, k2 = pt.subgradient_runs(X, y, "xm(2,2)", opts, n_seeds=2, epochs=3, seed=0)
    pd.testing.assert_frame_equal(c, c2)
    pd.testing.assert_frame_equal(k, k2)
    assert len(c) == 2 * 2 * 3 and list(k["label"]) == ["sgd step 0.5", "rmsprop"]
    # evaluations: every real training sample once per epoch per model
    n_train = len(y) - 24   # train_test_split: ceil(0.3 * 80) = 24 test rows
    assert (k["evaluations"] == 2 * 3 * n_train).all() and (k["at_kink"] >= 0).all()
    conv = pt.optimizer_convergence(c, majority_rate=0.6, last=2)
    assert list(conv["label"]) == ["sgd step 0.5", "rmsprop"]
    assert conv["seeds_learned"].between(0, 1).all()
    with pytest.raises(ValueError, match="label, name, kwargs"):
        pt.subgradient_runs(X, y, "xm(2,2)", [("sgd", {})], n_seeds=1, epochs=1)
    with pytest.raises(ValueError, match="at least one"):
        pt.subgradient_runs(X, y, "xm(2,2)", [], n_seeds=1, epochs=1)


def test_kink_counter_counts_exact_kinks_of_real_training_samples():
    counter = {"evaluations": 0, "at_kink": 0}
    fn = pt._kink_counting(lambda p, t: (p - t) ** 2, counter)
    p = torch.tensor([[0.5, 0.2, 0.5, 0.9, 0.5]], requires_grad=True)
    t = torch.tensor([[1.0, 0.0, 0.0, 1.0, 0.0]])
    mask = torch.tensor([[True, True, True, True, False]])   # last one: padding
    out = fn(p, t, mask)
    assert counter == {"evaluations": 4, "at_kink": 2}
    np.testing.assert_allclose(out.detach().numpy(), [(0.25 + 0.04 + 0.25 + 0.01) / 4])
    with torch.no_grad():                                     # evaluation pass: not counted
        fn(p.detach(), t, mask)
    assert counter == {"evaluations": 4, "at_kink": 2}


def test_subgradient_runs_match_plain_training(data):
    """The counting wrapper does not change training: same numbers as curves()."""
    X, y = data
    c, _ = pt.subgradient_runs(X, y, "xm(2,2)", [("rmsprop", "rmsprop", {})], n_seeds=2, epochs=3)
    d = pt.curves(X, y, ["xm(2,2)"], n_seeds=2, epochs=3)
    np.testing.assert_allclose(c["train_loss"], d["train_loss"], rtol=1e-6)
    np.testing.assert_allclose(c["test_acc"], d["test_acc"])


def test_subgradient_inequality():
    s = pt.subgradient_inequality(2, 2, n_points=201)
    assert list(s["t"]) == [0, 1]
    # wrong side: L = e|t - y| is steeper than the jump allows -> never a subgradient
    assert (s["share_subgradient_wrong_side"] == 0).all()
    assert (s["share_subgradient"] > 0).all() and (s["share_subgradient"] < 0.5).all()
    # symmetric lambdas: the two labels mirror each other
    assert s["share_subgradient"].nunique() == 1
    with pytest.raises(ValueError, match="n_points"):
        pt.subgradient_inequality(n_points=2)
