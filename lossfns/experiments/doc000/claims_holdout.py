"""Document 000, Sec. 13 and 17 (hold-out experiments): the statistics behind their verdicts.

Sec. 13 (bias, notebook 000-13):

* :func:`bootstrap_bias_proba`: the training of :func:`lossfns.experiments.doc000.protocols.bootstrap_bias`
  (same split, same bootstrap resamples, same seeds), returning the test probabilities of every
  bootstrap model instead of their summary;
* :func:`bias_points`: the bias-variance decomposition of
  :func:`lossfns.evaluation.bias_variance` *per test point* (its column means are that function's
  numbers), so that every loss's bias gets a standard error from a bootstrap over test points;
* :func:`point_estimates`: that bootstrap, with the same resampled test points for every loss;
* :func:`point_diffs`: per-test-point differences of two losses (a paired comparison: all losses
  predict the same test points);
* :func:`pairwise_table`: every pair of losses, mean paired difference with its 95% t-interval;
* :func:`ordering_table`: Kendall's tau of each bias measure against the paper's column.

Sec. 17 (precision, recall, AUC, notebook 000-17):

* :func:`seed_matrix`: per-seed values of one metric, one column per loss (every loss trains on
  the same split and init per seed);
* :func:`single_run_table`: each published single-run number against our single-run spread;
* :func:`reading_fit`: mean absolute distance of the published numbers to two readings;
* :func:`consistency_table`: :func:`~lossfns.experiments.doc000.checks.pr_consistency` of
  every published (precision, recall) pair;
* :func:`sec17_claims`: the Sec. 17 claims' parts, paired over seeds.

:func:`sec13_claims`: the Sec. 13 bias claims' parts, paired over test points.

Verdicts themselves come from :mod:`lossfns.verdicts` only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import evaluation
from ..._ops import NUMPY
from ...metrics import hard_labels
from ...training import Task, train_batched
from ...training import standardize as standardize_train_only
from ...verdicts import (Estimate, bootstrap, kendall_permutation, mean_interval, number_verdict,
                        single_run_interval)
from .checks import pr_consistency
from .protocols import PAPER000_SPEC, holdout, make_loss

__all__ = ["BIAS_MEASURES", "bootstrap_bias_proba", "bias_points", "bias_summary", "point_estimates",
           "point_diffs", "pairwise_table", "ordering_table", "seed_matrix", "single_run_table",
           "reading_fit", "consistency_table", "SEC17_XM", "sec17_claims", "sec13_claims"]

#: The per-point columns of :func:`bias_points` (those of :func:`lossfns.evaluation.bias_variance`).
BIAS_MEASURES = ("mse", "bias2", "variance", "loss01", "bias01", "variance01", "net_variance01")


# --------------------------------------------------------------------------- Sec. 13


def bootstrap_bias_proba(X, y, losses, *, n_boot: int = 50, epochs: int = 50,
                         test_fraction: float = 0.3, batch_size: int = 32, standardize: bool = True,
                         seed: int = 0, device: str = "auto", quiet: bool = True):
    """The training of :func:`lossfns.experiments.doc000.protocols.bootstrap_bias`, step for step (same
    split, resamples and seeds, hence the same models), returning ``(y_test, proba)`` with
    ``proba[loss]`` of shape ``(n_boot, n_test)``: the test probabilities of each bootstrap model.
    """
    X, y = np.asarray(X, float), np.asarray(y)
    train, test = holdout(y, test_fraction, seed)
    X = standardize_train_only(X[train], X)[1] if standardize else X
    rng = np.random.default_rng(seed)
    boots = [train[rng.integers(0, len(train), len(train))] for _ in range(n_boot)]
    tasks = [Task(X[b], y[b], X[test], y[test]) for b in boots]
    proba = {}
    for loss in losses:
        res = train_batched(PAPER000_SPEC, tasks, make_loss(loss), epochs=epochs, seed=seed,
                            batch_size=batch_size, device=device, quiet=quiet, track_eval=False)
        proba[loss] = np.stack(res.eval_proba)
    return y[test], proba


def bias_points(y_true, proba, threshold: float = 0.5) -> pd.DataFrame:
    """:func:`lossfns.evaluation.bias_variance` per test point: one row per point with the
    columns of :data:`BIAS_MEASURES`; each column's mean is the function's number.

    ``proba``: ``(n_boot, n_test)`` probabilities of the bootstrap models.

    >>> d = bias_points([0, 1], [[0.2, 0.6], [0.4, 0.8]])
    >>> [round(v, 4) for v in d["bias2"]], [round(v, 4) for v in d["variance"]]
    ([0.09, 0.09], [0.01, 0.01])
    """
    t = np.asarray(y_true, dtype=float)
    P = np.asarray(proba, dtype=float)
    if P.ndim != 2 or P.shape[1] != t.shape[0]:
        raise ValueError(f"proba must have shape (n_boot, {t.shape[0]}), got {P.shape}")
    mean_p = P.mean(0)
    hard = hard_labels(P, NUMPY, threshold=threshold).astype(int)
    main = (hard.mean(0) >= 0.5).astype(int)
    biased = main != t
    v_x = (hard != main).mean(0)
    return pd.DataFrame({
        "mse": ((P - t) ** 2).mean(0), "bias2": (mean_p - t) ** 2, "variance": P.var(0),
        "loss01": (hard != t).mean(0), "bias01": biased.astype(float), "variance01": v_x,
        "net_variance01": np.where(biased, -v_x, v_x)})


def bias_summary(y_true, proba: dict) -> pd.DataFrame:
    """One row per loss: ``loss`` and :func:`lossfns.evaluation.bias_variance` of its models
    (the table :func:`lossfns.experiments.doc000.protocols.bootstrap_bias` returns)."""
    return pd.DataFrame([{"loss": loss, **evaluation.bias_variance(y_true, p)}
                         for loss, p in proba.items()])


def point_estimates(points: dict, measure: str = "bias2", *, n_boot: int = 2000,
                    seed: int = 0) -> dict[str, Estimate]:
    """Each loss's ``measure`` (mean over test points) with a bootstrap over test points.

    ``points[loss]`` is a :func:`bias_points` frame; every loss is resampled with the same
    test points (same ``seed``), so differences of their bootstrap draws are paired. The
    interval covers the choice of test points only: the training split is fixed.
    """
    return {loss: bootstrap(d[measure].to_numpy(), np.mean, n_boot=n_boot, seed=seed,
                            method="bootstrap over test points")
            for loss, d in points.items()}


def point_diffs(points: dict, a: str, b: str, measure: str = "bias2") -> np.ndarray:
    """Per-test-point ``measure`` of loss ``a`` minus loss ``b`` (same test points: paired)."""
    da, db = points[a][measure].to_numpy(), points[b][measure].to_numpy()
    if da.shape != db.shape:
        raise ValueError("a and b must cover the same test points")
    return da - db


def pairwise_table(points: dict, losses, measure: str = "bias2") -> pd.DataFrame:
    """Every pair ``(a, b)`` of ``losses`` (in order): the mean per-test-point difference
    ``a - b`` of ``measure`` with its 95% t-interval over the test points. Descriptive: with
    several pairs, some intervals exclude 0 by chance (no correction for multiple comparisons).
    """
    losses = list(losses)
    rows = []
    for i, a in enumerate(losses):
        for b in losses[i + 1:]:
            e = mean_interval(point_diffs(points, a, b, measure))
            rows.append({"a": a, "b": b, f"{measure} a - b": e.value, "lo": e.lo, "hi": e.hi,
                         "excludes 0": bool(e.lo > 0 or e.hi < 0)})
    return pd.DataFrame(rows)


def ordering_table(published, table: pd.DataFrame, measures=("bias2", "bias01", "mse")) -> pd.DataFrame:
    """Kendall's tau of each column ``measures`` of ``table`` (one row per loss) against the
    ``published`` values, with its exact permutation p-value and concordant/discordant pairs."""
    pub = np.asarray(published, dtype=float)
    rows = []
    for m in measures:
        ours = table[m].to_numpy(dtype=float)
        tau, p = kendall_permutation(pub, ours)
        i, j = np.triu_indices(len(pub), 1)
        s = np.sign(pub[i] - pub[j]) * np.sign(ours[i] - ours[j])
        rows.append({"measure": m, "tau": tau, "p": p, "concordant": int((s > 0).sum()),
                     "discordant": int((s < 0).sum())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Sec. 17


def seed_matrix(runs: pd.DataFrame, metric: str, losses) -> pd.DataFrame:
    """Per-seed ``metric`` (rows: seeds) of each loss in ``losses`` (columns), from
    :func:`lossfns.experiments.doc000.protocols.holdout_metrics` rows of every loss."""
    m = runs.pivot(index="seed", columns="loss", values=metric)
    return m[list(losses)]


def single_run_table(per_seed: dict, published: dict) -> pd.DataFrame:
    """Each published single-run number against where one run of ours falls.

    ``per_seed[reading][id]``: per-seed values of the number ``id`` under a reading (e.g. 'g'
    and 'b' positive); ``published[id]``: the paper's value. One row per (id, reading) with our
    mean, the 95% single-run interval, the single-run sd, z and the verdict of
    :func:`lossfns.verdicts.number_verdict`.
    """
    rows = []
    for reading, values in per_seed.items():
        for key, v in values.items():
            est = single_run_interval(v)
            res = number_verdict(published[key], est)
            rows.append({"id": key, "reading": reading, "paper": float(published[key]),
                         "ours (mean)": est.value, "lo": est.lo, "hi": est.hi,
                         "single-run sd": est.se, "z": res["z"], "verdict": res["verdict"]})
    return pd.DataFrame(rows)


def reading_fit(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute distance between the paper and our mean per reading and kind of number
    (the id's middle part: ``pr/.../precision`` -> precision); ``table`` from
    :func:`single_run_table`."""
    kind = table["id"].str.split("/").str[-1].where(table["id"].str.contains("/pr/"), "auc")
    d = table.assign(kind=kind, dist=(table["paper"] - table["ours (mean)"]).abs())
    out = d.pivot_table(index="kind", columns="reading", values="dist", aggfunc="mean")
    out.loc["all"] = d.groupby("reading")["dist"].mean()
    return out.reset_index().rename_axis(columns=None)


def consistency_table(pairs: dict, n_pos: int = 90) -> pd.DataFrame:
    """:func:`~lossfns.experiments.doc000.checks.pr_consistency` of each published
    ``pairs[label] = (precision, recall)``."""
    rows = []
    for label, (p, r) in pairs.items():
        c = pr_consistency(p, r, n_pos)
        rows.append({"loss": label, "precision": p, "recall": r, "TP": c["tp"],
                     "TP + FP": c["predicted_pos"], "consistent": c["consistent"], "why": c["why"]})
    out = pd.DataFrame(rows)
    return out.astype({"TP": "Int64", "TP + FP": "Int64"})


#: The XM variants of Sec. 17.
SEC17_XM = ("xm(1,50)", "xm(50,1)", "xm(5,5)")


def sec17_claims(runs: pd.DataFrame) -> dict[str, dict]:
    """The Sec. 17 claims as claim parts (claim id -> part name ``"<A> - <B>"`` -> per-seed
    differences of the metric, for ``run.claim(key, parts=...)``; every loss trains on the same
    split and init per seed).

    ``runs``: :func:`lossfns.experiments.doc000.protocols.holdout_metrics` rows of the five
    losses. "X has the highest ..." has one part per other loss (X minus it); "every XM beats Y
    on AUC" one part per XM (the XM minus Y); "the ratio raises precision / recall above BCE's"
    one part, the XM the paper's table puts highest (XM(50;1) for precision, XM(5;5) for
    recall, fixed in advance) minus BCE; "AUC rises with lam2" XM(1;50) minus XM(50;1).
    """
    losses = list(dict.fromkeys(runs["loss"]))
    P, R, A = (seed_matrix(runs, m, losses) for m in ("precision", "recall", "auroc"))

    def diffs(M, pairs):
        return {f"{a} - {b}": (M[a] - M[b]).to_numpy() for a, b in pairs}

    return {
        "000/s17/xm55_highest_recall": diffs(R, [("xm(5,5)", o) for o in losses if o != "xm(5,5)"]),
        "000/s17/hinge_highest_precision": diffs(P, [("hinge", o) for o in losses if o != "hinge"]),
        "000/s17/every_xm_beats_bce_auc": diffs(A, [(x, "bce") for x in SEC17_XM]),
        "000/s17/every_xm_beats_hinge_auc": diffs(A, [(x, "hinge") for x in SEC17_XM]),
        "000/s17/auc_rises_with_lam2": diffs(A, [("xm(1,50)", "xm(50,1)")]),
        "000/s17/ratio_beats_bce_pr": diffs(P, [("xm(50,1)", "bce")]),
        "000/s17/ratio_beats_bce_recall": diffs(R, [("xm(5,5)", "bce")]),
    }


def sec13_claims(points: dict, losses) -> dict[str, dict]:
    """The Sec. 13 bias claims as claim parts (claim id -> part name -> per-test-point
    differences of the squared-error bias², paired: every loss predicts the same test points),
    signed so that what the claim asserts is positive:

    * ``000/s13/lambdas_tune_bias``: ``"xm(2,2) - xm(1,50)"`` (the pair the paper's table sets
      furthest apart, fixed in advance);
    * ``000/s13/bce_lowest_bias``: one part per other loss of ``losses``, ``"<other> - bce"``
      (lower bias is better: the other's bias² minus BCE's);
    * ``000/s13/xm_1_50_below_hinge``: ``"hinge - xm(1,50)"``;
    * ``000/s13/xm_1_50_above_bce``: ``"xm(1,50) - bce"``.
    """
    def part(a, b):
        return {f"{a} - {b}": point_diffs(points, a, b, "bias2")}

    lowest = {}
    for o in losses:
        if o != "bce":
            lowest.update(part(o, "bce"))
    return {"000/s13/lambdas_tune_bias": part("xm(2,2)", "xm(1,50)"),
            "000/s13/bce_lowest_bias": lowest,
            "000/s13/xm_1_50_below_hinge": part("hinge", "xm(1,50)"),
            "000/s13/xm_1_50_above_bce": part("xm(1,50)", "bce")}
