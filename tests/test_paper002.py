"""Document 002's atlas computations against hand values and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from lossfns.experiments.doc002 import protocols as P


def test_ce_kl_entropy_identity_and_asymmetry():
    assert P.ce_kl_entropy(n=200, k=4)["max_abs_error"] < 1e-12
    a = P.kl_asymmetry(n=200, k=4)
    assert a["share_different"] == 1.0 and a["median_rel_diff"] > 0.01


def test_ce_and_kl_gradients_coincide_for_fixed_targets_only():
    g = P.ce_kl_gradients(n=16, k=3)
    assert g["max_diff_wrt_logits"] < 1e-15 < g["max_grad_wrt_logits"]
    assert g["max_diff_wrt_targets"] > 1e-3


def test_minibatch_entropy_is_ce_minus_kl():
    s = P.minibatch_loss_spread(n_samples=200, k=3, batch_size=8, n_batches=20)
    assert s.loc["H(p')", "mean"] == pytest.approx(s.loc["CE", "mean"] - s.loc["KL", "mean"], abs=1e-12)


def test_focal_is_shifted_cross_entropy_series():
    assert P.focal_poly_check(2.0, np.linspace(0.1, 0.99, 50)) < 1e-10
    c = P.focal_poly_coefficients(1.5, n_terms=3)
    assert list(c["power (focal)"]) == [2.5, 3.5, 4.5] and list(c["coef (focal)"]) == pytest.approx([1, 0.5, 1 / 3])
    # hand value: (1 - 0.75)^2 = 0.0625
    assert P.focal_modulation([0.75], 2.0)[0] == pytest.approx(0.0625)


def test_huber_is_c1_not_c2_at_delta():
    c = P.huber_c1(delta=1.5)
    assert c["d_left"] == pytest.approx(1.5, abs=1e-5) and c["d_right"] == pytest.approx(1.5, abs=1e-9)
    assert c["d2_left"] == pytest.approx(1.0, abs=1e-2) and abs(c["d2_right"]) < 1e-2


def test_properties_table_known_cases():
    t = P.properties_table(n_points=801).set_index("loss")
    bce, hinge = t.loc["BCE"], t.loc["hinge (Keras, on p)"]
    assert bool(bce["proper"]) and not bool(bce["bounded"]) and bool(bce["convex"]) and not bool(bce["lipschitz"])
    assert not bool(hinge["proper"]) and bool(hinge["bounded"]) and bool(hinge["lipschitz"])
    assert not bool(t.loc["broken 3/16", "convex"])          # the printed constant makes it jump
    assert bool(t.loc["margin hinge (on z)", "needs_logits"]) and not bool(t.loc["margin hinge (on z)", "bounded"])
    assert bool(t.loc["focal γ=0", "proper"]) and not bool(t.loc["focal γ=2", "proper"])


def test_curves_derivative_matches_closed_form():
    c = P.binary_curves(101)
    bce = c[c["loss"] == "BCE"]
    np.testing.assert_allclose(bce["derivative"], -1 / bce["x"], rtol=1e-10)
    m = P.margin_curves(101)
    mb = m[m["loss"] == "BCE"]
    np.testing.assert_allclose(mb["derivative"], -1 / (1 + np.exp(mb["margin"])), rtol=1e-6)


def test_outlier_fits_and_validation():
    f = P.outlier_line_fits(seeds=2, n=40, steps=800)
    assert set(f["loss"]) == {"MAE", "MSE", "Huber δ=1"} and len(f) == 6
    d = P.paired_differences(f, "slope_error", "MSE", "MAE")
    assert d.shape == (2,)
    with pytest.raises(ValueError, match="outlier_share"):
        P.outlier_line_fits(seeds=1, outlier_share=0.6)
    with pytest.raises(ValueError, match="loss values"):
        P.paired_differences(f, "slope_error", "MSE", "nope")


def test_mnr_is_infonce_and_embeddings_run():
    assert P.mnr_infonce_gap() < 1e-12
    m, e = P.train_embeddings(losses=("triplet", "ge2e"), seeds=1, steps=5)
    assert set(m["loss"]) == {"triplet", "ge2e"} and m["recall@1"].between(0, 1).all()
    assert e["triplet"][0].shape[1] == 2
    with pytest.raises(ValueError, match="losses must be among"):
        P.train_embeddings(losses=("nope",), seeds=1, steps=1)


def test_softmax_of_z_and_zero_is_the_sigmoid():
    assert P.softmax_sigmoid_gap(np.array([0.0])) == 0.0                 # both 1/2
    assert P.softmax_sigmoid_gap(np.linspace(-30, 30, 601)) < 1e-15
    with pytest.raises(ValueError, match="z must be"):
        P.softmax_sigmoid_gap(np.array([np.inf]))
    with pytest.raises(ValueError, match="z must be"):
        P.softmax_sigmoid_gap(np.zeros((2, 2)))


def test_poly1_with_epsilon_zero_is_cross_entropy():
    assert P.poly1_ce_gap(n=50, k=3, seed=1) < 1e-12
    with pytest.raises(ValueError, match="k >= 2"):
        P.poly1_ce_gap(n=5, k=1)


def test_aa_floor_hand_values():
    import pandas as pd
    m = pd.DataFrame({"seed": [0, 0, 1, 1], "loss": ["info_nce", "multiple_negatives_ranking"] * 2,
                      "recall@1": [0.8, 0.7, 0.6, 0.65]})
    f = P.aa_floor(m)
    np.testing.assert_allclose(f["values"], [0.1, -0.05])
    assert f["mean"] == pytest.approx(0.025) and f["max_abs"] == pytest.approx(0.1)
    assert f["sd"] == pytest.approx(np.std([0.1, -0.05], ddof=1))
    with pytest.raises(ValueError, match="not in the table"):
        P.aa_floor(m, a="arcface")


def test_same_class_partner_is_another_member_of_the_class():
    y = np.array([0, 1, 0, 2, 1, 2, 0, 0])
    p = P.same_class_partner(y, np.random.default_rng(3))
    assert np.all(y[p] == y) and np.all(p != np.arange(len(y)))
    np.testing.assert_array_equal(p, P.same_class_partner(y, np.random.default_rng(3)))   # deterministic
    # a class of two: the partner is the other member, whatever the draw
    assert p[1] == 4 and p[4] == 1 and p[3] == 5 and p[5] == 3
    with pytest.raises(ValueError, match=">= 2 members"):
        P.same_class_partner(np.array([0, 0, 1]), np.random.default_rng(0))


def test_recall_at_1_hand_values():
    emb = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    assert P.recall_at_1(emb, np.array([0, 0, 1, 1])) == 1.0
    assert P.recall_at_1(emb, np.array([0, 1, 0, 1])) == 0.0
    with pytest.raises(ValueError, match="one label per row"):
        P.recall_at_1(emb, np.array([0, 1]))


def test_mnr_batch_sweep_tiny_is_paired_and_deterministic():
    kw = dict(batch_sizes=(256, 512), seeds=1, epochs=1)
    a = P.mnr_batch_sweep(**kw)
    assert list(a.columns) == ["loss", "batch_size", "seed", "epochs", "steps", "recall@1"]
    assert len(a) == 4 and set(a["loss"]) == set(P.MNR_SWEEP_ARMS)
    n_train = 1257                                   # 70% of the 1,797 digits
    assert a.set_index(["loss", "batch_size"])["steps"].to_dict() == {
        (arm, b): -(-n_train // b) for arm in P.MNR_SWEEP_ARMS for b in (256, 512)}
    assert a["recall@1"].between(0, 1).all()
    b = P.mnr_batch_sweep(**kw)
    np.testing.assert_array_equal(a["recall@1"], b["recall@1"])
    with pytest.raises(ValueError, match="distinct integers >= 2"):
        P.mnr_batch_sweep(batch_sizes=(16, 16))
    with pytest.raises(ValueError, match="arms must be among"):
        P.mnr_batch_sweep(arms=("triplet",))


def _toy_sweep():
    import pandas as pd
    rows = []
    vals = {("multiple_negatives_ranking", 16): [0.5, 0.6], ("multiple_negatives_ranking", 64): [0.6, 0.8],
            ("multiple_negatives_ranking", 256): [0.7, 0.7], ("info_nce", 16): [0.52, 0.6],
            ("info_nce", 64): [0.6, 0.78], ("info_nce", 256): [0.7, 0.71]}
    for (loss, b), v in vals.items():
        rows += [{"loss": loss, "batch_size": b, "seed": s, "steps": 1, "recall@1": x} for s, x in enumerate(v)]
    return pd.DataFrame(rows)


def test_batch_steps_and_sweep_floor_hand_values():
    sweep = _toy_sweep()
    parts = P.batch_steps(sweep)
    assert list(parts) == ["64 minus 16", "256 minus 64"]
    np.testing.assert_allclose(parts["64 minus 16"], [0.1, 0.2])
    np.testing.assert_allclose(parts["256 minus 64"], [0.1, -0.1])
    with pytest.raises(ValueError, match="not in the sweep"):
        P.batch_steps(sweep, loss="arcface")
    f = P.sweep_aa_floor(sweep, margin=0.05)
    np.testing.assert_allclose(f["per_batch_size"][16]["values"], [0.02, 0.0], atol=1e-12)
    assert f["max_abs"] == pytest.approx(0.02)
    assert f["pooled_mean"] == pytest.approx(0.01 / 6)
    assert f["respects_margin"]                                   # about [-0.012, +0.016] inside ±0.05
    assert not P.sweep_aa_floor(sweep, margin=0.01)["respects_margin"]
    s = P.metric_summary(sweep, cols=("recall@1",), by=["loss", "batch_size"])
    assert len(s) == 6 and s.loc[(s["loss"] == "info_nce") & (s["batch_size"] == 64), "mean"].item() == pytest.approx(0.69)


def test_batch_sweep_figure():
    import matplotlib
    matplotlib.use("Agg")
    from lossfns.experiments.doc002 import plots
    sweep = _toy_sweep()
    fig = plots.batch_sweep(P.metric_summary(sweep, cols=("recall@1",), by=["loss", "batch_size"]), sweep)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and "batch size" in ax.get_xlabel() and "recall@1" in ax.get_ylabel()
