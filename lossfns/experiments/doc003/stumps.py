r"""Document 003, Sec. 5.1: what predictors that learn one feature, or none, score on the
tabular splits, against the published rows.

Several published rows on Adult are conservative: BCE scores F1 0.26 at accuracy 0.80 and
the released 'AUROC' (the balanced accuracy averaged over τ = 0.1, ..., 0.9, A81) 0.58;
Accuracy\* scores 0.35, 0.81 and 0.61 (Table 1). A trained network scores F1 0.6-0.7 there.
Before reading such a row as a loss's effect, we ask what a model that learned almost
nothing would score. Three fixed predictors, each scored on the test split of every trial
(the splits of :func:`tabular.trial_tasks`, the same as the trained rows'):

=========================  ==================================================================
predictor                  prediction
=========================  ==================================================================
``stump: <feature>``       a decision stump on that one feature (scikit-learn's
                           ``DecisionTreeClassifier(max_depth=1)``, Gini, fit on the training
                           split): positive on one side of one cut. On Adult's
                           ``capital-gain`` it flags the rows with large capital gains.
``all negative``           every row negative (the majority class)
``all positive``           every row positive
=========================  ==================================================================

The predictions are hard (0 or 1), so every threshold τ gives the same counts and the
threshold-averaged metrics (:func:`tabular.threshold_metrics`) are those of the one
prediction. :func:`predictor_table` judges each published row of a table against each
predictor with the report's rule, as :func:`readings.readings_table` does for the readings.
A row that a stump reproduces is evidence about the paper's model (it behaves as if it had
learned one feature), not a reading of its protocol.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from lossfns._validation import check_choice, check_int

from . import btg as B
from . import tabular as T

__all__ = ["FIXED_PREDICTORS", "TABLE1_ROWS", "score_predictors", "predictor_table"]

#: the predictors besides the stump, which is named after its feature ("stump: capital-gain")
FIXED_PREDICTORS = ("all negative", "all positive")

#: the rows of Table 1 (and Table 4, which reprints the baselines): its losses and baselines
TABLE1_ROWS = tuple(dict.fromkeys((*T.TABLE1_LOSSES, *T.BASELINES)))

#: data sets of 003's tabular protocols with real, shipped files
_DATASETS = ("adult", "adult-ordinal", "mammography")


def _stump_predict(feature_train, y_train, feature_test) -> tuple[np.ndarray, float]:
    """A depth-1 tree on one feature (fit on the training split): its hard test predictions
    and its cut (NaN when the best split does not split, i.e. the tree is one leaf)."""
    from sklearn.tree import DecisionTreeClassifier
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(feature_train[:, None], y_train)
    cut = float(tree.tree_.threshold[0]) if tree.tree_.node_count > 1 else float("nan")
    return tree.predict(feature_test[:, None]).astype(np.float64), cut


def score_predictors(dataset: str = "adult-ordinal", *, trials: int, feature: str = "capital-gain",
                     seed: int = 0) -> pd.DataFrame:
    """The stump on ``feature`` and :data:`FIXED_PREDICTORS` on ``dataset``'s test split of
    trials ``0, ..., trials - 1`` (trial i: split seed ``seed + i``, as
    :func:`tabular.run_losses`). One row per predictor and trial: ``dataset`` (``adult`` for
    either Adult encoding), ``predictor``, ``trial``, the stump's ``cut`` (its feature's
    unscaled value; NaN for the others) and :func:`tabular.threshold_metrics`. ``feature``: a
    name of the data set's ``feature_names``, or ``"column <j>"`` where it has none
    (Mammography)."""
    check_choice("dataset", dataset, _DATASETS)
    check_int("trials", trials, 1)
    check_int("seed", seed, 0)
    ds = T.load(dataset)
    names = list(ds.metadata.get("feature_names") or (f"column {i}" for i in range(ds.X.shape[1])))
    check_choice("feature", feature, names)
    j = names.index(feature)
    tasks, tests, _ = T.trial_tasks(ds, trials, scale=False, seed=seed)
    name = T.DATASET_SLUGS[dataset]
    rows = []
    for t, (task, y) in enumerate(zip(tasks, tests)):
        stump, cut = _stump_predict(task.X_train[:, j], task.y_train, task.X_eval[:, j])
        preds = {f"stump: {feature}": (stump, cut), "all negative": (np.zeros(len(y)), float("nan")),
                 "all positive": (np.ones(len(y)), float("nan"))}
        for label, (p, c) in preds.items():
            rows.append({"dataset": name, "stand_in": False, "predictor": label, "trial": t, "cut": c,
                         **T.threshold_metrics(p, y)})
    return pd.DataFrame(rows)


def predictor_table(published: pd.DataFrame, rows: pd.DataFrame, table: str = "table1",
                    losses=TABLE1_ROWS) -> pd.DataFrame:
    """Each published row of ``table`` (its ``losses``) on the data sets of ``rows``
    (:func:`score_predictors`) against each predictor, by the report's rule
    (:func:`btg.reading_table`: per published id, the published mean and sd, each predictor's
    mean and verdict; ``matches``: the predictors that reproduce it). A predictor's
    prediction does not depend on the loss, so it is compared with every loss's row."""
    check_choice("table", table, ("table1", "table4"))
    if not isinstance(rows, pd.DataFrame) or "predictor" not in rows:
        raise ValueError("rows must be the frame of score_predictors (with a 'predictor' column)")
    unknown = [x for x in losses if x not in TABLE1_ROWS]
    if unknown:
        raise ValueError(f"losses must be labels of Table 1's rows {TABLE1_ROWS}, got {unknown}")
    per = {name: pd.concat([g.assign(loss=loss) for loss in losses], ignore_index=True).drop(columns="predictor")
           for name, g in rows.groupby("predictor", sort=False)}
    return B.reading_table(published, per, table)
