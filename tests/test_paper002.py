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
