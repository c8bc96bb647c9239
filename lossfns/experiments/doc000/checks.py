"""Document 000: the statistics behind its verdicts (issue 9), as functions the notebooks call.

* :func:`table_estimates`: our interval for each Table 1-2 number (min/max over repeats of the
  per-repeat mean and std of the fold accuracies), via :func:`lossfns.verdicts.extreme_interval`;
* :func:`repeat_paired`: per-repeat paired differences of two losses (same folds);
* :func:`lambda_plateau`: the lambdas whose mean CV score is within 2 SE of the best (Fig. 1),
  as an interval on the log10 scale;
* :func:`pr_consistency`: can a published (precision, recall) pair come from one confusion
  matrix with a given number of positives (Sec. 17)?
* :func:`above_majority`: did a model learn anything (accuracy above the majority rate)?
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...verdicts import Estimate, extreme_interval

__all__ = ["per_repeat", "table_estimates", "repeat_paired", "lambda_plateau", "pr_consistency",
           "above_majority"]


def per_repeat(scores: pd.DataFrame) -> pd.DataFrame:
    """Per repeat: the mean and the std (ddof = 0, as ``cross_val_score(...).std()``) of the fold
    accuracies of a :func:`lossfns.experiments.doc000.protocols.cv_scores` frame."""
    return scores.groupby("repeat")["accuracy"].agg(mean="mean", std=lambda a: float(np.std(a)))


def table_estimates(scores: pd.DataFrame, *, seed: int = 0) -> dict[str, Estimate]:
    """Our value and 95% interval of ``mean_min``, ``mean_max``, ``std_min``, ``std_max``
    (Tables 1-2): where the paper's extreme over as many repeats would fall."""
    rep = per_repeat(scores)
    out = {}
    for col in ("mean", "std"):
        for which in ("min", "max"):
            out[f"{col}_{which}"] = extreme_interval(rep[col].to_numpy(), which, log=(col == "std"),
                                                     seed=seed)
    return out


def repeat_paired(a: pd.DataFrame, b: pd.DataFrame, col: str = "mean") -> np.ndarray:
    """Per-repeat differences ``a - b`` of the per-repeat ``col`` of two losses' CV scores
    (trained on the same folds: a paired comparison)."""
    ra, rb = per_repeat(a)[col], per_repeat(b)[col]
    if not ra.index.equals(rb.index):
        raise ValueError("a and b must cover the same repeats")
    return (ra - rb).to_numpy()


def lambda_plateau(grid: pd.DataFrame, *, k: float = 2.0) -> Estimate:
    """The plateau of Fig. 1: lambdas (lam1 = lam2) whose mean CV score is within ``k`` standard
    errors of the best one, as an :class:`Estimate` on the log10 scale (value: the argmax; lo/hi:
    the plateau's ends). ``grid`` has columns ``lam1, cv_mean, cv_mean_se`` (and ``n_repeats``)."""
    g = grid.sort_values("lam1").reset_index(drop=True)
    best = int(g["cv_mean"].idxmax())
    se = float(g.loc[best, "cv_mean_se"])
    if not math.isfinite(se):
        lam = math.log10(g.loc[best, "lam1"])
        return Estimate(lam, math.nan, math.nan, math.nan, 1, "argmax of one repeat")
    near = g[g["cv_mean"] >= g.loc[best, "cv_mean"] - k * se]
    lo, hi = math.log10(near["lam1"].min()), math.log10(near["lam1"].max())
    n = int(g["n_repeats"].iloc[0]) if "n_repeats" in g else 0
    return Estimate(math.log10(g.loc[best, "lam1"]), lo, hi, (hi - lo) / 4.0, n,
                    f"argmax and plateau: lambdas within {k:g} SE of the best mean CV score")


def pr_consistency(precision: float, recall: float, n_pos: int = 90, *, digits: int = 4) -> dict:
    """Can ``(precision, recall)``, printed to ``digits`` decimals, come from one confusion matrix
    with ``n_pos`` positives? Recall must be TP / n_pos and precision TP / (TP + FP) for integers.

    >>> pr_consistency(0.9077, 0.6667)["consistent"]   # 60/90, but 59/65 = 0.9077 needs TP = 59
    False
    >>> pr_consistency(0.9310, 0.6000)["consistent"]   # 54/90 and 54/58
    True
    """
    tol = 0.5 * 10 ** -digits
    tp = round(recall * n_pos)
    if abs(tp / n_pos - recall) > tol:
        return {"tp": None, "predicted_pos": None, "consistent": False,
                "why": f"recall {recall} is not a multiple of 1/{n_pos}"}
    fits = [pp for pp in range(max(tp, 1), 10 * n_pos) if abs(tp / pp - precision) <= tol]
    if not fits:
        return {"tp": tp, "predicted_pos": None, "consistent": False,
                "why": f"no integer TP + FP gives precision {precision} with TP = {tp}"}
    return {"tp": tp, "predicted_pos": fits[0], "consistent": True,
            "why": f"TP = {tp}, TP + FP = {fits[0]}"}


def above_majority(accuracy: float, majority_rate: float) -> bool:
    """A model that does not beat always predicting the larger class has learned nothing:
    claims about how its hyper-parameters move its predictions are not testable on it."""
    return float(accuracy) > float(majority_rate)
