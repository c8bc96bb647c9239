"""Document 001's experiments (doc001.protocols) against closed forms and hand values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc001 import protocols as D
from lossfns.experiments.doc001 import sigmoid_free as S6
from lossfns.experiments.doc001.theory import phi_arctan


def test_argmax_balanced_and_rare():
    assert D.argmax_G(0.5, "arctan", n_theta=2001) == pytest.approx(0.5)
    # arctan: phi(1) = 0.5 >= 2 phi(0.1) = 0.127 -> the argmax is a = 0
    assert float(phi_arctan(np.array(1.0))) >= 2 * float(phi_arctan(np.array(0.1)))
    assert D.argmax_G(0.1, "arctan", n_theta=2001) == 0.0
    with pytest.raises(ValueError, match="a1 must lie"):
        D.argmax_G(1.5)


def test_biased_argmax_is_below_a1_and_sharpness_shrinks_the_bias():
    biases = [0.4 - D.argmax_G(0.4, "sqrt", eps, n_theta=4001) for eps in (0.1, 0.01)]
    assert biases[0] > biases[1] >= 0


def test_derivative_closed_form_matches_autograd():
    d = D.derivative_check(a1=0.3, n=21)
    assert (d["max |autograd - closed form|"] < 1e-10).all()


def test_condition_table_counts():
    t = D.argmax_vs_share([0.05, 0.45, 0.5], n_theta=2001)
    c = D.condition_iii_grid(t, tol=1e-3).set_index("phi")
    assert c.loc["arctan", "condition holds"] == 1 and c.loc["arctan", "condition holds and argmax = a"] == 1


def test_focal_derivatives_hand_values():
    der = D.focal_derivatives(n=11)
    bce = der[der["loss"] == "BCE"]
    np.testing.assert_allclose(bce["|dl/dy|"], 1 / bce["y"], rtol=1e-12)
    l6 = der[der["loss"] == "l6"]
    np.testing.assert_allclose(l6["|dl/dy|"], 6 * (1 - l6["y"]) ** 5, rtol=1e-10)


def test_make_loss_validates_and_broken_constants_share_gradients():
    with pytest.raises(ValueError, match="label must be one of"):
        D.make_loss("nope")
    import torch
    y = torch.linspace(0.01, 0.99, 99, dtype=torch.float64, requires_grad=True)
    t = (torch.arange(99) % 2).to(torch.float64)
    g = [torch.autograd.grad(D.make_loss(k)(y, t).sum(), y)[0] for k in ("broken 7/16", "broken 3/16")]
    assert torch.equal(g[0], g[1])


def test_trap_simulation_shapes_and_determinism():
    a = D.trap_simulation([0.5], seeds=2, epochs=3, n=200, labels=("BCE", "broken 7/16"))
    b = D.trap_simulation([0.5], seeds=2, epochs=3, n=200, labels=("BCE", "broken 7/16"))
    assert len(a) == 2 * 2 * 3 and a.equals(b)
    f = D.last_epochs(a, ["flip_share"], last=2)
    assert len(f) == 4 and f["flip_share"].between(0, 1).all()


def test_melanoma_stand_in_ci_subset_is_balanced_and_labelled():
    Xtr, ytr, Xva, yva, desc = S6.melanoma_stand_in("ci", n_train=100, n_val=50)
    assert Xtr.shape == (100, 28, 28) and ytr.mean() == 0.5 and yva.mean() == 0.5
    assert "STAND-IN" in desc
    with pytest.raises(ValueError, match="source must be"):
        S6.melanoma_stand_in("isic")
    with pytest.raises(ValueError, match="at most 2000"):
        S6.melanoma_stand_in("ci", n_train=1800, n_val=400)


def test_sigmoid_free_training_runs_and_records_probes():
    data = S6.melanoma_stand_in("ci", n_train=40, n_val=20)
    c = S6.train_sigmoid_free(data, seeds=2, epochs=2, batch_size=20)
    assert set(c["loss"]) == {"sigmoid-free", "sigmoid + BCE", "sigmoid + l24", "sigmoid + l6"} and len(c) == 16
    g = S6.growth(c, "mean_abs_logit")
    assert g.shape == (2, 4)
    assert c["train_accuracy"].between(0, 1).all()
    # issue 22: each seed its own draw, the sigmoid losses train longer than the sigmoid-free one
    draws = S6.sigmoid_free_draws("ci", n_train=40, n_val=20, seeds=2, seed=0)
    assert not np.array_equal(draws[0][0], draws[1][0])
    c2 = S6.train_sigmoid_free(draws, seeds=2, epochs=1, epochs_sigmoid=3, sigmoid_losses=("BCE",), batch_size=20)
    assert c2.groupby("loss")["epoch"].max().to_dict() == {"sigmoid-free": 1, "sigmoid + BCE": 3}
    # with_final: the largest |logit| at the last epoch, from the network's own logits
    c3, fin = S6.train_sigmoid_free(draws, seeds=2, epochs=1, epochs_sigmoid=3, sigmoid_losses=("BCE",),
                                    batch_size=20, with_final=True)
    pd.testing.assert_frame_equal(c3, c2)          # the same training, the same curves
    assert list(fin.columns) == ["loss", "seed", "max_abs_logit"] and len(fin) == 4
    last = c2[c2["epoch"] == c2.groupby("loss")["epoch"].transform("max")].set_index(["loss", "seed"])
    mx = fin.set_index(["loss", "seed"])["max_abs_logit"]
    assert (mx >= last["mean_abs_logit"].reindex(mx.index) - 1e-6).all()   # a maximum is at least the mean
    with pytest.raises(ValueError, match="data must be one draw or a list"):
        S6.train_sigmoid_free(draws, seeds=3, epochs=1)
    with pytest.raises(ValueError, match="sigmoid_losses must be among"):
        S6.train_sigmoid_free(data, seeds=1, epochs=1, sigmoid_losses=("hinge",))
    with pytest.raises(ValueError, match="seeds must be"):
        S6.sigmoid_free_draws("ci", seeds=0)


def test_loglog_slope_is_scale_free_and_final_values_take_each_loss_own_last_epoch():
    import pandas as pd
    ep = np.arange(1, 9)
    rows = [{"loss": "grows", "seed": 0, "epoch": e, "z": 3.0 * e ** 2} for e in ep]
    rows += [{"loss": "flat", "seed": 0, "epoch": e, "z": 0.01} for e in ep[:4]]
    c = pd.DataFrame(rows)
    sl = S6.loglog_slope(c, "z")
    assert list(sl.columns) == ["grows", "flat"]
    assert sl.loc[0, "grows"] == pytest.approx(2.0) and sl.loc[0, "flat"] == pytest.approx(0.0, abs=1e-12)
    scaled = S6.loglog_slope(c.assign(z=c["z"] * 1e-3), "z")      # the scale does not change the slope
    assert scaled.loc[0, "grows"] == pytest.approx(2.0)
    fv = S6.final_values(c, "z")
    assert fv.loc[0, "grows"] == 3.0 * 64 and fv.loc[0, "flat"] == 0.01
    with pytest.raises(ValueError, match="last_share"):
        S6.loglog_slope(c, "z", last_share=0)
    with pytest.raises(ValueError, match="must be > 0"):
        S6.loglog_slope(c.assign(z=0.0), "z")


def test_all_supported():
    s, i, c = ({"verdict": v, "reason": v} for v in ("supported", "inconclusive", "contradicted"))
    assert D.all_supported([s, s], "x")["verdict"] == "supported"
    assert D.all_supported([s, i], "x")["verdict"] == "inconclusive"
    assert D.all_supported([i, c], "x")["verdict"] == "contradicted"


def test_sgd_toy_without_noise_converges_to_the_argmax():
    # batch large and lr small: the flow settles at theta* (within the grid) and the excess is ~0
    r = D.sgd_toy(a1=0.3, phi="sqrt", eps=0.01, lr=0.01, batch=4096, momentum=0.0, steps=400, seeds=2)
    assert r["theta_star"] == pytest.approx(0.298, abs=1e-3)   # Prop. 4.1 ii): just below a1
    assert (r["excess"] < 1e-3).all() and (r["dist_star"] < 0.02).all()


def test_sgd_toy_validation_and_sweep_shape():
    with pytest.raises(ValueError, match="steps >= 2"):
        D.sgd_toy(a1=0.3, phi="sqrt", eps=0.01, lr=0.01, batch=0, momentum=0.9, steps=10, seeds=1)
    df = D.noise_sweep({"lr": [0.01, 0.02]}, steps=20, seeds=3)
    assert len(df) == 6 and set(df["setting"]) == {"lr"}
    with pytest.raises(ValueError, match="grid settings"):
        D.noise_sweep({"nope": [1]}, steps=20, seeds=1)
    s = D.sweep_summary(df)
    assert set(s["quantity"]) == {"dist_a1", "excess"} and (s["lo"] <= s["mean"]).all()


def test_full_batch_control_is_deterministic_and_reaches_the_minimum():
    """Issue 22: the noise-free control of Sec. 3's hovering: every seed takes the same exact path
    and ends at the minimum (excess ~ 0), so SGD's excess can be judged against it."""
    ctrl = D.hover_control(steps=400, seeds=3, seed=0)
    assert list(ctrl.columns) == ["seed", "sgd", "full_batch", "excess"]
    assert list(ctrl["seed"]) == [0, 1, 2]
    assert np.ptp(ctrl["full_batch"]) == 0 and ctrl["full_batch"].iloc[0] < 1e-5
    assert (ctrl["sgd"] > 1e-3).all()                          # batch 8 hovers well above the minimum
    np.testing.assert_allclose(ctrl["excess"], ctrl["sgd"] - ctrl["full_batch"])
    with pytest.raises(ValueError, match="batch must be"):
        D.sgd_toy(**{**D.NOISE_BASE, "batch": "half"}, steps=10, seeds=1)


def test_batch_dependence_pairs_consecutive_batch_sizes_by_seed():
    import pandas as pd
    df = pd.DataFrame({"setting": ["batch"] * 6 + ["lr"], "value": [1, 1, 8, 8, 64, 64, 0.01],
                       "seed": [0, 1, 0, 1, 0, 1, 0], "excess": [0.3, 0.2, 0.05, 0.04, 0.01, 0.0, 9.0]})
    parts = D.batch_dependence(df)
    assert list(parts) == ["1 vs 8", "8 vs 64"]
    np.testing.assert_allclose(parts["1 vs 8"], [0.25, 0.16])
    np.testing.assert_allclose(parts["8 vs 64"], [0.04, 0.04])
    with pytest.raises(ValueError, match="no 'batch' setting"):
        D.batch_dependence(df[df["setting"] == "lr"])
    with pytest.raises(ValueError, match="at least 2 sizes"):
        D.batch_dependence(df[df["value"] == 1])


def test_weighted_argmax_unit_weight_is_the_plain_one_and_the_phi_weight_restores_a1():
    a1 = 0.4
    assert D.argmax_G_weighted(a1, 1.0, "arctan", n_theta=2001) == D.argmax_G(a1, "arctan", n_theta=2001) == 0.0
    # arctan: w = phi(0.6)/phi(0.4) = atan(0.6)/atan(0.4) makes a1 the argmax
    w = np.arctan(0.6) / np.arctan(0.4)
    assert D.argmax_G_weighted(a1, w, "arctan", n_theta=2001) == pytest.approx(a1)
    with pytest.raises(ValueError, match="weight must be"):
        D.argmax_G_weighted(a1, 0.0)
    with pytest.raises(ValueError, match="a1 must lie"):
        D.argmax_G_weighted(1.2, 1.0)
    t = D.remedy_table([0.3], n_theta=401)
    assert len(t) == len(D.PHIS) and (t["argmax, φ weight"] == 0.3).all()
    assert (t["argmax, volume weight"] > 0.3).all()      # equal volume overshoots a1
    with pytest.raises(ValueError, match="shares must lie"):
        D.remedy_table([0.5])


def test_two_parameter_argmax_sharp_phi_finds_the_boundaries():
    assert D.argmax_G_2d(0.25, 0.75, "sqrt", 0.001, n_theta=41) == (0.25, 0.75)
    t1, t2 = D.argmax_G_2d(0.4, 0.6, "arctan", n_theta=41)
    assert t2 - t1 < 0.2                                   # the minority interval shrinks
    with pytest.raises(ValueError, match="0 < a1 < a2 < 1"):
        D.argmax_G_2d(0.6, 0.4)
    n2 = D.n2_table(n_theta=21)
    assert len(n2) == len(D.N2_CASES) * len(D.PHIS)
    assert set(n2.columns) >= {"distance", "class-0 width", "true class-0 width"}


def _tiny_imbalanced(n=240, share=0.1, seed=0):
    """A synthetic imbalanced data set (positives shifted on both features), ds.X / ds.y."""
    from types import SimpleNamespace
    rng = np.random.default_rng(seed)
    y = (np.arange(n) < int(share * n)).astype(float)
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    return SimpleNamespace(X=X, y=y)


def test_sec5_splits_balance_training_and_validation_but_not_test():
    ds = _tiny_imbalanced()
    d = D.sec5_splits(ds, 3)
    assert d["y_bal"].mean() == 0.5 and d["y_val_bal"].mean() == 0.5
    assert len(d["y_train"]) + len(d["y_val"]) + len(d["y_test"]) == 240
    assert 0 < d["y_test"].mean() < 0.2                                  # the test split keeps its imbalance
    n_pos, n_neg = d["y_train"].sum(), (1 - d["y_train"]).sum()
    w_n, w_p = d["weights"]
    assert w_p / w_n == pytest.approx(n_neg / n_pos)
    np.testing.assert_allclose(d["X_train"].mean(0), 0, atol=1e-12)      # standardised on the training rows
    assert D.sec5_splits(ds, 3)["y_bal"].tolist() == d["y_bal"].tolist()
    with pytest.raises(ValueError, match="seed must be"):
        D.sec5_splits(ds, -1)


def test_sec5_runs_records_scores_stops_and_the_pairs_of_each_claim():
    ds = _tiny_imbalanced()
    kw = dict(seeds=2, max_epochs=4, patience=2, batch_size=32, lr=0.01)
    t = D.sec5_runs(ds, **kw)
    assert D.sec5_runs(ds, **kw).equals(t)                                # deterministic
    assert len(t) == 2 * (3 + 5)
    assert set(t["arm"]) == {"balanced", "natural"}
    assert t[["balanced_accuracy", "auroc"]].apply(lambda c: c.between(0, 1)).all().all()
    assert (t["best_epoch"] <= t["stopped_epoch"]).all() and (t["stopped_epoch"] <= 4).all()
    # the cap stopped a model whose last new minimum came less than `patience` epochs before its end
    assert (t["hit_cap"] == (t["stopped_epoch"] - t["best_epoch"] < 2)).all()
    d = D.sec5_splits(ds, 0)
    r = d["weights"][1] / d["weights"][0]
    assert t.loc[t["loss"] == "l6 c=n-/n+", "c"].iloc[0] == pytest.approx(r)
    checks = D.converged_checks(t, 4)
    assert checks["models"].sum() == len(t) and (checks["stopped by the cap"] <= checks["models"]).all()
    parts = D.sec5_parts(t)
    assert set(parts) == set(D.SEC5_CLAIM_PARTS)
    bal = t[t["arm"] == "balanced"].set_index(["loss", "seed"])["auroc"]
    np.testing.assert_allclose(parts["001/s5/poly_beats_bce_controls"]["l6 c=1 - BCE (AUROC)"],
                               (bal["l6 c=1"] - bal["BCE"]).to_numpy())
    with pytest.raises(ValueError, match="has no run"):
        D.sec5_parts(t[t["arm"] == "balanced"])


def test_sec5_validation_names_the_argument():
    ds = _tiny_imbalanced()
    data = [D.sec5_splits(ds, 0)]
    with pytest.raises(ValueError, match="arm must be"):
        D.train_converged(data, {"BCE": D.make_loss("BCE")}, arm="both", max_epochs=2, patience=1)
    with pytest.raises(ValueError, match="patience must be"):
        D.train_converged(data, {"BCE": D.make_loss("BCE")}, arm="natural", max_epochs=2, patience=0)
    with pytest.raises(ValueError, match="losses must be"):
        D.train_converged(data, {}, arm="natural", max_epochs=2, patience=1)
    with pytest.raises(ValueError, match="data must be"):
        D.train_converged([], {"BCE": D.make_loss("BCE")}, arm="natural", max_epochs=2, patience=1)
    with pytest.raises(ValueError, match="arms must be"):
        D.sec5_runs(ds, seeds=1, max_epochs=2, patience=1, arms={"other": {}})
    with pytest.raises(ValueError, match="table must be"):
        D.converged_checks(pd.DataFrame({"arm": []}), 2)


def test_sec5_figures_label_their_bands():
    import matplotlib
    matplotlib.use("Agg")
    from lossfns.experiments.doc001 import plots
    rng = np.random.default_rng(0)
    t = pd.DataFrame([{"arm": a, "loss": l, "seed": s, "balanced_accuracy": 0.7 + 0.1 * rng.random(),
                       "auroc": 0.9, "stopped_epoch": 10 + s} for a, l in (("balanced", "BCE"), ("natural", "l6 c=1"))
                      for s in range(3)])
    fig = plots.sec5_scores(t, 50)
    assert "95% t-interval" in fig.axes[0].get_title()
    assert fig.axes[0].get_ylim() == (0.5, 1.0) and fig.axes[2].get_ylim()[0] == 0
    low = t.assign(balanced_accuracy=0.4)                                 # below chance: the axis is not cut
    assert plots.sec5_scores(low, 50).axes[0].get_ylim()[0] < 0.4
    fig2 = plots.paired_differences({"c": {"p": [0.01, 0.02, 0.03]}}, {"c": 0.01})
    lo, hi = fig2.axes[0].get_xlim()
    from lossfns.verdicts import mean_interval
    assert lo == -hi and hi > mean_interval([0.01, 0.02, 0.03]).hi > 0.03   # the axis holds the interval
    assert "95% t-interval" in fig2.axes[0].get_title()
