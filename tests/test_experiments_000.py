"""Document 000 protocol helpers (lossfns.experiments.doc000.protocols)."""

import numpy as np
import pandas as pd
import pytest
import torch

from lossfns import binary_cross_entropy, hinge, xtreme_margin
from lossfns.datasets import load_ionosphere, load_sonar
from lossfns.experiments.doc000 import protocols


def test_make_loss_maps_table_names_to_package_losses():
    p = torch.tensor([[0.2, 0.7, 0.9]])
    t = torch.tensor([[0.0, 0.0, 1.0]])
    torch.testing.assert_close(protocols.make_loss("bce")(p, t), binary_cross_entropy(p, t, reduction="none"))
    torch.testing.assert_close(protocols.make_loss("hinge")(p, t), hinge(p, t, reduction="none"))
    torch.testing.assert_close(protocols.make_loss("xm(1, 50)")(p, t),
                               xtreme_margin(p, t, lam1=1.0, lam2=50.0, reduction="none"))
    assert protocols.loss_label("xm(100;1)") == "Xtreme Margin (100, 1)"
    with pytest.raises(ValueError, match="loss must be 'bce', 'hinge' or 'xm"):
        protocols.make_loss("focal")


def test_minmax_summary_by_hand():
    # repeat 0: folds 0.5, 1.0 -> mean .75, std .25; repeat 1: 0.8, 0.8 -> mean .8, std 0
    s = pd.DataFrame({"repeat": [0, 0, 1, 1], "fold": [0, 1, 0, 1], "accuracy": [0.5, 1.0, 0.8, 0.8]})
    out = protocols.minmax_summary(s)
    assert out["mean_min"] == pytest.approx(0.75) and out["mean_max"] == pytest.approx(0.8)
    assert out["std_min"] == pytest.approx(0.0) and out["std_max"] == pytest.approx(0.25)
    assert out["n_repeats"] == 2


def test_cv_scores_deterministic_and_shaped():
    d = load_sonar(positive="R")
    kw = dict(n_splits=3, n_repeats=1, epochs=2, seed=5, device="cpu")
    a = protocols.cv_scores(d.X, d.y, "xm(1,1)", **kw)
    b = protocols.cv_scores(d.X, d.y, "xm(1,1)", **kw)
    assert list(a.columns) == ["loss", "repeat", "fold", "accuracy"] and len(a) == 3
    pd.testing.assert_frame_equal(a, b)
    assert a["accuracy"].between(0, 1).all()


def test_holdout_of_ionosphere_has_90_positives():
    d = load_ionosphere()
    train, test = protocols.holdout(d.y, protocols.HOLDOUT_TEST_FRACTION, seed=3)
    assert d.y[test].sum() == 90 and len(np.intersect1d(train, test)) == 0
    assert len(train) + len(test) == len(d.y)


def test_bootstrap_bias_columns():
    d = load_sonar(positive="R")
    out = protocols.bootstrap_bias(d.X, d.y, ["bce"], n_boot=3, epochs=1, device="cpu")
    assert {"bias2", "variance", "bias01", "variance01"} <= set(out.columns)
    assert out.loc[0, "mse"] == pytest.approx(out.loc[0, "bias2"] + out.loc[0, "variance"])
