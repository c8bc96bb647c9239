"""doc003.stumps: predictors that train nothing, scored on 003's tabular splits (notebook 003-5-1e)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc003 import stumps as S
from lossfns.experiments.doc003 import tabular as T
from lossfns.pipeline.published import published


@pytest.fixture(scope="module")
def adult_rows():
    return S.score_predictors("adult-ordinal", trials=2, seed=0)


def _hand_metrics(pred, y):
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn)
    return {"F1": f1, "Accuracy": (tp + tn) / len(y),
            "AUROC (released code: mean balanced accuracy)": 0.5 * (tp / (tp + fn) + tn / (tn + fp))}


def test_each_predictor_scores_what_its_hard_predictions_give_by_hand(adult_rows):
    """Hard predictions give the same counts at every τ: the threshold-averaged metrics are the
    one prediction's, counted here by hand on the test split of each trial."""
    ds = T.load("adult-ordinal")
    j = list(ds.metadata["feature_names"]).index("capital-gain")
    tasks, tests, _ = T.trial_tasks(ds, 2, scale=False, seed=0)
    assert list(adult_rows["predictor"].unique()) == ["stump: capital-gain", "all negative", "all positive"]
    assert set(adult_rows["dataset"]) == {"adult"}
    for t in range(2):
        y = tests[t]
        rows = adult_rows[adult_rows["trial"] == t].set_index("predictor")
        cut = rows.loc["stump: capital-gain", "cut"]
        # the cut lies between two training values of the feature, and flags the large gains
        x_train = tasks[t].X_train[:, j]
        assert x_train.min() < cut < x_train.max()
        flagged = (tasks[t].X_eval[:, j] > cut).astype(int)
        assert 0 < flagged.mean() < 0.1
        for label, pred in (("stump: capital-gain", flagged), ("all negative", np.zeros_like(y)),
                            ("all positive", np.ones_like(y))):
            hand = {"F1": 0.0, "Accuracy": float((y == 0).mean()),
                    "AUROC (released code: mean balanced accuracy)": 0.5} if label == "all negative" else _hand_metrics(pred, y)
            for col, value in hand.items():
                assert rows.loc[label, col] == pytest.approx(value, abs=1e-12), (label, col)
        assert np.isnan(rows.loc["all negative", "cut"]) and np.isnan(rows.loc["all positive", "cut"])


def test_the_splits_are_those_of_the_trained_rows():
    """Trial i's test split is run_losses' (split seed seed + i): the all-positive accuracy is
    that split's positive rate, for seed 3 as for seed 0."""
    ds = T.load("mammography")
    rows = S.score_predictors("mammography", trials=2, seed=3, feature="column 0")
    _, tests, _ = T.trial_tasks(ds, 2, seed=3)
    pos = rows[rows["predictor"] == "all positive"].sort_values("trial")["Accuracy"].to_numpy()
    np.testing.assert_allclose(pos, [y.mean() for y in tests], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    (dict(dataset="iris", trials=1), "dataset must be one of ('adult', 'adult-ordinal', 'mammography'), got 'iris'"),
    (dict(dataset="adult-ordinal", trials=0), "trials"),
    (dict(dataset="adult-ordinal", trials=1, feature="fnlwgt"), "feature must be one of ("),
])
def test_bad_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        S.score_predictors(**kwargs)


def test_predictor_table_judges_every_published_row_against_every_predictor(adult_rows):
    pub = published()
    for table in ("table1", "table4"):
        t = S.predictor_table(pub, adult_rows, table)
        expected = [i for i in pub.index if i.startswith(f"003/{table}/adult/")
                    and i.split("/")[3] in {"f1_soft", "acc_soft", "auroc_soft", "auroc_wmw", "bce", "f1_adv"}
                    and i.split("/")[4] in {"f1", "accuracy", "auroc"}]
        assert sorted(t["id"]) == sorted(expected)
        for name in adult_rows["predictor"].unique():
            assert f"{name}: verdict" in t
        # every predictor's mean is its trials' mean, whichever loss's row it is compared with
        stump = adult_rows[adult_rows["predictor"] == "stump: capital-gain"]
        f1_rows = t[t["id"].str.endswith("/f1")]
        assert (f1_rows["stump: capital-gain"] == round(stump["F1"].mean(), 4)).all()
        # 'matches' names exactly the predictors whose verdict is reproduced
        for _, row in t.iterrows():
            hits = [n for n in adult_rows["predictor"].unique() if row[f"{n}: verdict"] == "reproduced"]
            assert row["matches"] == (", ".join(hits) if hits else "neither")


def test_predictor_table_refuses_what_it_cannot_judge(adult_rows):
    with pytest.raises(ValueError, match="table must be one of"):
        S.predictor_table(published(), adult_rows, "table2")
    with pytest.raises(ValueError, match="rows must be the frame of score_predictors"):
        S.predictor_table(published(), adult_rows.drop(columns="predictor"))
    with pytest.raises(ValueError, match=r"losses must be labels of Table 1's rows .*got \['Dice'\]"):
        S.predictor_table(published(), adult_rows, losses=("BCE", "Dice"))
    assert isinstance(S.predictor_table(published(), adult_rows, losses=("BCE",)), pd.DataFrame)
