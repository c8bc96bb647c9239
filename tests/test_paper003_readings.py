"""Document 003, Sec. 5.1: the released code's readings (doc003.readings) and the tabular
helpers they rest on (doc003.tabular: Adult's ordinal reading, unscaled trials, the cap
table, the non-superiority claim). No training: the rows are built by hand."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

import lossfns
from lossfns.experiments.doc003 import btg as B
from lossfns.experiments.doc003 import readings as R
from lossfns.experiments.doc003 import tabular as T
from lossfns.pipeline.published import published

AUROC_RELEASED = "AUROC (released code: mean balanced accuracy)"


def batch(n: int = 40, seed: int = 0):
    """Probabilities (requires_grad) and 0/1 targets with both classes present."""
    g = np.random.default_rng(seed)
    p = torch.tensor(g.uniform(0.02, 0.98, n), dtype=torch.float64, requires_grad=True)
    y = torch.tensor((np.arange(n) % 3 == 0).astype(float), dtype=torch.float64)
    return p, y


def evaluate(fn, reduction, p, y):
    """The scalar a batched trainer optimises: a pooled loss as is, a per-example one averaged."""
    value = fn(p, y)
    return value.mean() if reduction == "mean" else value


# --- reading_losses --------------------------------------------------------------------------

@pytest.mark.parametrize("reading", list(R.READINGS))
def test_reading_losses_are_table1_rows_with_finite_values_and_gradients(reading):
    if reading == B.READING:
        pytest.importorskip("torch_btg")
    specs = R.reading_losses(reading)
    assert specs and set(specs) <= set(T.TABLE1_LOSSES)
    p, y = batch()
    for label, (fn, reduction) in specs.items():
        assert reduction in ("pooled", "mean"), label
        value = evaluate(fn, reduction, p, y)
        assert value.shape == () and torch.isfinite(value), label
        (grad,) = torch.autograd.grad(value, p)
        assert torch.isfinite(grad).all() and grad.abs().sum() > 0, label
    assert "cuda" not in torch.Tensor.__dict__   # the torch-btg adapter restored Tensor.cuda


def test_reading_losses_compute_the_reading_they_name():
    p, y = batch(seed=1)
    taus = T.THRESHOLDS
    assert R.reading_losses("Adult ordinal, unscaled") == T.TABLE1_LOSSES
    assert set(R.reading_losses("AUROC* without end points")) == {"AUROC*"}
    assert set(R.reading_losses(B.OURS_RELEASED)) == {"F1*", "Accuracy*", "AUROC*"}
    with torch.no_grad():
        mean_f1 = np.mean([float(lossfns.soft_f1_loss(p, y, tau=float(t))) for t in taus])
        mean_f1_02 = np.mean([float(lossfns.soft_f1_loss(p, y, tau=float(t), delta=0.2)) for t in taus])
        f1 = dict(R.reading_losses("trained on the mean over τ"))["F1*"][0]
        assert float(f1(p, y)) == pytest.approx(mean_f1, rel=1e-9)
        f1_02 = R.reading_losses("δ = 0.2")["F1*"][0]
        assert float(f1_02(p, y)) == pytest.approx(float(lossfns.soft_f1_loss(p, y, delta=0.2)), rel=1e-9)
        assert float(f1_02(p, y)) != pytest.approx(float(T.TABLE1_LOSSES["F1*"][0](p, y)), rel=1e-6)
        released = R.reading_losses(B.OURS_RELEASED)
        assert float(released["F1*"][0](p, y)) == pytest.approx(mean_f1_02, rel=1e-9)
        interior = R.reading_losses("AUROC* without end points")["AUROC*"][0]
        assert float(interior(p, y)) == pytest.approx(float(B.soft_auroc_interior_loss(p, y, delta=0.1)), rel=1e-9)
        # without the end points the area differs from ours (A31)
        assert float(interior(p, y)) != pytest.approx(float(T.TABLE1_LOSSES["AUROC*"][0](p, y)), rel=1e-6)


@pytest.mark.parametrize("reading", R.SIGMOID_READINGS)
def test_sigmoid_reading_losses_are_table4_rows_with_gradients(reading):
    if reading == B.READING:
        pytest.importorskip("torch_btg")
    specs = R.reading_losses(reading, "sigmoid")
    assert set(specs) == {"F1*", "Accuracy*", "AUROC*"}
    p, y = batch(seed=2)
    for label, (fn, reduction) in specs.items():
        value = evaluate(fn, reduction, p, y)
        (grad,) = torch.autograd.grad(value, p)
        assert torch.isfinite(value) and torch.isfinite(grad).all() and grad.abs().sum() > 0, label
    # the sigmoid rows are not the linear ones
    linear = R.reading_losses(reading, "linear")
    with torch.no_grad():
        assert float(specs["F1*"][0](p, y)) != pytest.approx(float(linear["F1*"][0](p, y)), rel=1e-6)


def test_sigmoid_reading_losses_compute_the_released_readings():
    p, y = batch(seed=3)
    taus = T.THRESHOLDS
    with torch.no_grad():
        released = R.reading_losses(B.OURS_RELEASED, "sigmoid")
        mean_f1 = np.mean([float(lossfns.soft_f1_loss(p, y, tau=float(t), approx="sigmoid")) for t in taus])
        assert float(released["F1*"][0](p, y)) == pytest.approx(mean_f1, rel=1e-9)
        assert R.reading_losses("Adult ordinal, unscaled", "sigmoid") == T.TABLE4_LOSSES


def test_readings_without_a_sigmoid_form_are_refused_by_name():
    with pytest.raises(ValueError, match="no Table 4"):
        R.reading_losses("δ = 0.2", "sigmoid")
    with pytest.raises(ValueError, match="approx must be one of"):
        R.reading_losses(B.OURS_RELEASED, "tanh")
    with pytest.raises(ValueError, match="no Table 4"):
        R.run_readings({"AUROC* without end points": {"mammography": ["AUROC*"]}}, trials=1, max_epochs=1,
                       patience=1, approx="sigmoid")


def test_unknown_reading_is_refused_by_name():
    with pytest.raises(ValueError, match="reading must be one of"):
        R.reading_losses("ours")


# --- run_readings validation (nothing trains) -----------------------------------------------

def test_run_readings_rejects_empty_runs_and_unknown_losses_before_training():
    with pytest.raises(ValueError, match="non-empty dict"):
        R.run_readings({}, trials=1, max_epochs=1, patience=1)
    with pytest.raises(ValueError, match="non-empty dict"):
        R.run_readings([("δ = 0.2", {})], trials=1, max_epochs=1, patience=1)
    with pytest.raises(ValueError, match=re.escape("runs['δ = 0.2']['mammography']") + ".*'BCE'"):
        R.run_readings({"δ = 0.2": {"mammography": ["F1*", "BCE"]}}, trials=1, max_epochs=1, patience=1)
    with pytest.raises(ValueError, match="reading must be one of"):
        R.run_readings({"no such reading": {"mammography": ["F1*"]}}, trials=1, max_epochs=1, patience=1)


# --- readings_table and matches_summary against the published numbers --------------------------

def reading_rows(reading: str, dataset: str, values: dict, *, trials: int = 10, noise: float = 1e-4) -> pd.DataFrame:
    """Rows as run_readings writes them: loss -> (F1, Accuracy, released AUROC), each trial
    the value plus a deterministic noise of at most ``noise``."""
    rows = []
    for loss, (f1, acc, auc) in values.items():
        for t in range(trials):
            e = noise * ((t % 3) - 1)
            rows.append({"dataset": dataset, "stand_in": False, "loss": loss, "trial": t, "reading": reading,
                         "F1": f1 + e, "Accuracy": acc + e, AUROC_RELEASED: auc + e, "AUROC (true)": 0.8 + e,
                         "stopped_epoch": 50 + t, "capped": False, "wall_s_all_trials": 1.0,
                         "encoding": ""})
    return pd.DataFrame(rows)


def test_readings_table_and_matches_summary_on_published_numbers():
    pub = published()
    ids = {f"003/table1/mammography/{s}/{m}" for s in ("f1_soft", "bce") for m in ("f1", "accuracy", "auroc")}
    assert ids <= set(pub.index)
    # Mammography, published F1*: F1 0.63 (sd 0.04), accuracy 0.98 (0.00), AUROC 0.78 (0.03);
    # BCE: 0.56 (0.11), 0.99 (0.00), 0.71 (0.06); 10 trials, margin 0.04
    good = reading_rows("δ = 0.2", "mammography", {"F1*": (0.63, 0.98, 0.78), "BCE": (0.56, 0.99, 0.71)})
    bad = reading_rows(B.OURS_RELEASED, "mammography", {"F1*": (0.33, 0.68, 0.48)})
    table = R.readings_table(pub, pd.concat([good, bad], ignore_index=True))
    assert set(table["id"]) == ids and len(table) == 6
    t = table.set_index("id")
    for m in ("f1", "accuracy", "auroc"):
        i = f"003/table1/mammography/f1_soft/{m}"
        assert t.loc[i, "δ = 0.2: verdict"] == "reproduced"
        assert t.loc[i, f"{B.OURS_RELEASED}: verdict"] == "not reproduced"
        assert t.loc[i, "matches"] == "δ = 0.2"
        assert t.loc[i, "published"] == pytest.approx(float(pub.loc[i, "value"]))
    assert t.loc["003/table1/mammography/f1_soft/f1", B.OURS_RELEASED] == pytest.approx(0.33, abs=1e-4)
    # BCE's published sd is wide: even exact means are inconclusive on F1 (0.11) and AUROC (0.06);
    # the other reading did not run BCE
    assert t.loc["003/table1/mammography/bce/accuracy", "δ = 0.2: verdict"] == "reproduced"
    assert t.loc["003/table1/mammography/bce/f1", "δ = 0.2: verdict"] == "inconclusive"
    assert t.loc["003/table1/mammography/bce/auroc", "δ = 0.2: verdict"] == "inconclusive"
    assert (t.loc[[i for i in ids if "/bce/" in i], f"{B.OURS_RELEASED}: verdict"] == "not run").all()
    assert t.loc["003/table1/mammography/bce/f1", "matches"] == "neither"

    summary = R.matches_summary(table).set_index("reading")
    assert list(summary.index) == ["δ = 0.2", B.OURS_RELEASED]
    assert summary.loc["δ = 0.2"].to_dict() == {"numbers": 6, "reproduced": 4, "inconclusive": 2, "not reproduced": 0}
    assert summary.loc[B.OURS_RELEASED].to_dict() == {"numbers": 3, "reproduced": 0, "inconclusive": 0,
                                                     "not reproduced": 3}


# --- Adult's ordinal reading ----------------------------------------------------------------

@pytest.fixture(scope="module")
def adult():
    from lossfns.datasets import load_dataset
    return load_dataset("adult")


def test_adult_ordinal_codes_and_columns(adult):
    from lossfns.datasets.tabular import ADULT_COLUMNS, ADULT_NUMERIC, _read_adult
    ds = T.adult_ordinal(adult)
    names = [c for c in ADULT_COLUMNS if c not in ("fnlwgt", "income")]
    assert ds.metadata["feature_names"] == names and ds.X.shape == (len(adult.y), 13)
    np.testing.assert_array_equal(ds.y, adult.y)
    onehot = list(adult.metadata["feature_names"])
    for j, attr in enumerate(names):
        col = ds.X[:, j]
        if attr in ADULT_NUMERIC:
            np.testing.assert_array_equal(col, adult.X[:, onehot.index(attr)])
        else:
            k = sum(n.startswith(attr + "_") for n in onehot)
            assert np.array_equal(col, np.round(col)) and col.min() == 0 and col.max() == k - 1, attr
            assert len(np.unique(col)) == k, attr
    raw = pd.concat([_read_adult("data/adult.data"), _read_adult("data/adult.test")], ignore_index=True)
    assert len(raw) == len(adult.y)
    for attr in [c for c in names if c not in ADULT_NUMERIC]:   # workclass, ..., sex, native-country
        codes = pd.Categorical(raw[attr], categories=sorted(set(raw[attr]))).codes
        np.testing.assert_array_equal(ds.X[:, names.index(attr)], codes.astype(np.float64))
    assert set(raw["sex"]) == {"Female", "Male"} and set(ds.X[:, names.index("sex")]) == {0.0, 1.0}


def test_load_adult_ordinal_and_refusal_without_one_hot_columns(adult):
    np.testing.assert_array_equal(T.load("adult-ordinal").X, T.adult_ordinal(adult).X)
    ordinal = T.adult_ordinal(adult)
    with pytest.raises(ValueError, match="no one-hot columns of 'workclass'"):
        T.adult_ordinal(ordinal)


# --- trial_tasks with and without standardisation -------------------------------------------

def test_trial_tasks_unscaled_keeps_the_raw_rows_and_the_default_standardises():
    from lossfns.training.splits import TABULAR_FRACTIONS, train_val_test_split
    ds = T.load("mammography")
    raw, _, _ = T.trial_tasks(ds, 2, scale=False)
    scaled, tests, counts = T.trial_tasks(ds, 2)
    assert [c["trial"] for c in counts] == [0, 1]
    for t in range(2):
        sp = train_val_test_split(ds.y, TABULAR_FRACTIONS, seed=t)
        np.testing.assert_array_equal(raw[t].X_train, ds.X[sp.train])
        np.testing.assert_array_equal(raw[t].X_eval, ds.X[sp.test])
        np.testing.assert_array_equal(raw[t].X_val, ds.X[sp.val])
        np.testing.assert_array_equal(raw[t].y_train, scaled[t].y_train)
        np.testing.assert_array_equal(tests[t], ds.y[sp.test])
        np.testing.assert_allclose(scaled[t].X_train.mean(axis=0), 0.0, atol=1e-10)
        np.testing.assert_allclose(scaled[t].X_train.std(axis=0), 1.0, atol=1e-6)
        # the test and validation splits are scaled with the training split's statistics
        mu, sd = raw[t].X_train.mean(axis=0), raw[t].X_train.std(axis=0)
        np.testing.assert_allclose(scaled[t].X_eval, (raw[t].X_eval - mu) / sd, atol=1e-9)
        assert not np.allclose(raw[t].X_train.mean(axis=0), 0.0, atol=1e-3)
    assert not np.array_equal(raw[0].X_train, raw[1].X_train)   # trials differ by split


# --- cap_table ------------------------------------------------------------------------------

def test_cap_table_counts_capped_models_per_group():
    rows = pd.DataFrame({
        "dataset": ["adult"] * 4 + ["mammography"] * 3,
        "loss": ["F1*", "F1*", "F1*", "BCE", "F1*", "F1*", "F1*"],
        "trial": [0, 1, 2, 0, 0, 1, 2],
        "stopped_epoch": [120, 1999, 1999, 300, 40, 80, 60],
        "capped": [False, True, True, False, False, False, False],
        "AUROC (true)": [0.90, 0.85, 0.50, 0.91, 0.88, 0.86, 0.87],
    })
    t = T.cap_table(rows)
    assert list(t.columns) == ["dataset", "loss", "models", "capped", "first stop", "last stop",
                               "true AUROC min", "capped share"]
    assert list(zip(t["dataset"], t["loss"])) == [("adult", "F1*"), ("adult", "BCE"), ("mammography", "F1*")]
    assert list(t["models"]) == [3, 1, 3] and list(t["capped"]) == [2, 0, 0]
    assert t["capped share"].tolist() == pytest.approx([2 / 3, 0.0, 0.0])
    assert list(t["first stop"]) == [120, 300, 40] and list(t["last stop"]) == [1999, 300, 80]
    assert t["true AUROC min"].tolist() == pytest.approx([0.50, 0.91, 0.86])
    by_loss = T.cap_table(rows, group=("loss", "reading")).set_index("loss")  # absent keys are ignored
    assert by_loss.loc["F1*", "models"] == 6 and by_loss.loc["F1*", "capped"] == 2


# --- Sec. 5.1's auroc_not_better: a non-superiority claim ------------------------------------

def judge(key, found):
    """What run.claim(key, parts=found[key]) records: the parts judged by the claims file."""
    from lossfns import verdicts as V
    from lossfns.pipeline.published import claims
    spec = claims().loc[key]
    return V.judge_parts(found[key], spec["kind"], float(spec["margin"]))


def claims_rows(auroc_star_shift: float) -> pd.DataFrame:
    """One dataset, 10 trials: AUROC* and WMW within +-0.002 of BCE on the true AUROC (plus
    ``auroc_star_shift`` for AUROC*), F1* above BCE on F1, Accuracy* equal to BCE on accuracy."""
    rows = []
    for t in range(10):
        e = 0.002 * ((t % 5) - 2) / 2            # -0.002 ... +0.002
        base = 0.85 + 0.01 * (t % 4)             # BCE's true AUROC varies by trial
        for loss, f1, acc, auc in (("BCE", 0.50, 0.90 + 0.001 * (t % 2), base),
                                   ("F1*", 0.60 + 0.001 * t, 0.90 + 0.001 * (t % 2), base - 0.01),
                                   ("Accuracy*", 0.40, 0.90 + 0.001 * (t % 2) + 0.0005 * e, base),
                                   ("AUROC*", 0.30, 0.60, base + e + auroc_star_shift),
                                   ("AUROC (WMW)", 0.20, 0.70, base - e)):
            rows.append({"dataset": "mammography", "loss": loss, "trial": t, "F1": f1, "Accuracy": acc,
                         AUROC_RELEASED: auc, "AUROC (true)": auc})
    return pd.DataFrame(rows)


def test_auroc_not_better_is_a_non_superiority_claim():
    # regression: the claim used to require AUROC* and WMW significantly BELOW BCE, so
    # indistinguishable losses came out inconclusive
    c = T.table1_claims(claims_rows(0.0))
    r = judge("003/s5.1/auroc_not_better", c)
    assert r["verdict"] == "supported", r["reason"]
    assert judge("003/s5.1/f1_beats_bce", c)["verdict"] == "supported"
    assert judge("003/s5.1/acc_comparable_bce", c)["verdict"] == "supported"
    assert "003/s5.1/f1_beats_apperf" not in c
    above = judge("003/s5.1/auroc_not_better", T.table1_claims(claims_rows(0.03)))
    assert above["verdict"] == "contradicted"
    assert above["parts"]["mammography AUROC*"]["verdict"] == "contradicted"
    assert above["parts"]["mammography AUROC (WMW)"]["verdict"] == "supported"
    assert "contradicted by mammography AUROC*" in above["reason"]
