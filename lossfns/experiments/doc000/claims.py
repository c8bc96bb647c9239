"""Document 000, Sec. 4C, 9, 11-12, 14, 15, 18: the statistics behind the claim verdicts of notebooks
``000-3_xtreme_margin_loss``, ``000-12_subgradient``, ``000-14_training_convergence`` and
``000-15_decision_boundaries`` (issue 9).

Every verdict comes from :mod:`lossfns.verdicts` (:func:`~lossfns.verdicts.paired_claim`) or from an
exact computation (:func:`~lossfns.verdicts.exact_claim`); this module only prepares the paired data:

* :func:`not_comparable`: a claim no experiment here can test;
* :func:`final_per_seed`: per seed, a column averaged over the last epochs of training curves;
* :func:`sec14_claims`: the three Sec. 14 claims, paired over seeds;
* :func:`sec11b_claims`: "gradient descent cannot be performed", "SGD/Adam unusable", paired over seeds;
* :func:`paired_diffs` / :func:`guarded_claim`: boundary-model claims paired over inits, "not
  comparable" when a compared model did not beat the majority rate;
* :func:`ratio_cv`: the ratio study of :func:`~lossfns.experiments.doc000.training.
  conditional_accuracy_vs_ratio` (same splits, same training calls, same pooled rows) that also
  returns the accuracy of every fold; :func:`bce_vs_xm_claim` pairs it over folds;
* :func:`ratio_slope_claim`: "the ratio lam2/lam1 steers conditional accuracy".
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from ...verdicts import Estimate, mean_interval, paired_claim
from .checks import above_majority

__all__ = ["not_comparable", "final_per_seed", "sec14_claims", "sec11b_claims", "paired_diffs",
           "guarded_claim", "ratio_cv", "bce_vs_xm_claim", "ratio_slope_claim"]


def not_comparable(reason: str) -> dict:
    """A claim no experiment here can test, with the reason."""
    return {"verdict": "not comparable", "reason": reason}


def final_per_seed(curves: pd.DataFrame, col: str = "test_acc", *, by: str = "loss",
                   last: int = 10, after: int | None = None) -> pd.DataFrame:
    """Seeds x ``by`` (loss or optimiser label) of ``col`` averaged over the last ``last`` epochs
    (or, with ``after``, over the epochs after ``after``) of a curves table (one row per
    (``by``, seed, epoch))."""
    E = int(curves["epoch"].max())
    keep = curves["epoch"] > (E - min(last, E) if after is None else after)
    if not keep.any():
        raise ValueError(f"no epoch after {after} (the curves have {E})")
    return curves[keep].groupby([by, "seed"], sort=False)[col].mean().unstack(0)


def _paired(diffs, method: str, greater: bool = True) -> dict:
    """:func:`~lossfns.verdicts.paired_claim` with the comparison named in its reason."""
    res = paired_claim(diffs, greater=greater, method=method)
    return {**res, "reason": f"{method}: {res['reason']}"}


def _best_other(per: pd.DataFrame, target: str, pool) -> str:
    means = per[[c for c in pool if c != target]].mean()
    return str(means.idxmax())


def sec14_claims(curves: pd.DataFrame, *, bce: str = "bce", best_xm: str = "xm(2,100)",
                 overfit_after: int = 10, last: int = 10) -> dict:
    """The Sec. 14 claims from one batch-size reading of
    :func:`~lossfns.experiments.doc000.training.curves` (every loss on the same seeds):

    * ``000/s14/bce_highest_accuracy``: BCE minus the XM with the highest mean final test accuracy
      (mean over the last ``last`` epochs), paired over seeds;
    * ``000/s14/bce_overfits``: BCE's train minus test accuracy averaged over the epochs after
      ``overfit_after``, per seed (> 0 claimed);
    * ``000/s14/xm2_100_generalises_best``: ``best_xm`` minus the other loss with the highest mean
      final test accuracy, paired over seeds.
    """
    test = final_per_seed(curves, "test_acc", last=last)
    for name in (bce, best_xm):
        if name not in test:
            raise ValueError(f"curves must contain {name!r}")
    xms = [c for c in test if c != bce and c.startswith("xm")]
    if not xms:
        raise ValueError("curves must contain at least one XM loss")
    xm_top = _best_other(test, bce, xms)
    other = _best_other(test, best_xm, list(test))
    after = curves[curves["loss"] == bce]
    gap = (final_per_seed(after, "train_acc", after=overfit_after)[bce]
           - final_per_seed(after, "test_acc", after=overfit_after)[bce])
    return {
        "000/s14/bce_highest_accuracy": _paired(
            (test[bce] - test[xm_top]).to_numpy(), f"paired over seeds: {bce} - {xm_top}"),
        "000/s14/bce_overfits": _paired(
            gap.to_numpy(), f"paired over seeds: {bce} train - test, epochs > {overfit_after}"),
        "000/s14/xm2_100_generalises_best": _paired(
            (test[best_xm] - test[other]).to_numpy(), f"paired over seeds: {best_xm} - {other}"),
    }


def sec11b_claims(curves: pd.DataFrame, *, majority_rate: float, rmsprop: str, adam: str,
                  sgd_prefix: str = "subgradient", last: int = 10) -> dict:
    """The Sec. 11B claims from one batch-size reading of
    :func:`~lossfns.experiments.doc000.training.subgradient_runs` (every optimiser on the same
    seeds; ``label`` column):

    * ``000/s11b/no_gradient_descent``: final test accuracy of constant-step SGD (the step with the
      best mean) minus the majority rate, per seed; the claim says it is not above 0
      (``paired_claim(greater=False)``): contradicted when SGD beats the majority rate beyond the
      95% interval;
    * ``000/s11b/sgd_adam_unusable``: SGD - RMSprop and Adam - RMSprop final test accuracy, paired
      over seeds; supported only if both are below 0 beyond their intervals, contradicted if
      either is above 0 beyond it, else inconclusive. ``value``/``lo``/``hi``: the comparison
      closest to contradicting the claim (the larger mean difference).
    """
    test = final_per_seed(curves, "test_acc", by="label", last=last)
    sgd = [c for c in test if str(c).startswith(sgd_prefix)]
    if not sgd or rmsprop not in test or adam not in test:
        raise ValueError(f"curves must contain {sgd_prefix!r}* labels, {rmsprop!r} and {adam!r}")
    best = str(test[sgd].mean().idxmax())
    learned = float((test[best] > majority_rate).mean())
    no_gd = _paired((test[best] - majority_rate).to_numpy(),
                    f"over seeds: {best} final test accuracy - majority rate {majority_rate:.4f}",
                    greater=False)
    no_gd["reason"] += f"; {learned:.0%} of seeds above the majority rate"
    comp = {lab: paired_claim((test[lab] - test[rmsprop]).to_numpy(), greater=False,
                              method=f"paired over seeds: {lab} - {rmsprop}")
            for lab in (best, adam)}
    if all(c["verdict"] == "supported" for c in comp.values()):
        verdict = "supported"
    elif any(c["verdict"] == "contradicted" for c in comp.values()):
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    closest = max(comp, key=lambda k: comp[k]["value"])
    c = comp[closest]
    reason = "; ".join(f"{k} - {rmsprop}: {v['reason']}" for k, v in comp.items())
    reason += " (supported only if both are below 0 beyond their intervals)"
    unusable = {"verdict": verdict, **{k: c[k] for k in ("value", "lo", "hi", "se", "n", "method")},
                "comparisons": comp, "reason": reason}
    return {"000/s11b/no_gradient_descent": no_gd, "000/s11b/sgd_adam_unusable": unusable}


def paired_diffs(metrics: pd.DataFrame, a: str, b: str, col: str, *, unit: str = "seed") -> np.ndarray:
    """Per ``unit`` (init or seed, paired by the common random numbers): ``col`` of loss ``b``
    minus loss ``a`` (the differences behind
    :func:`~lossfns.experiments.doc000.training.paired_change`)."""
    per = metrics[metrics["loss"].isin([a, b])].pivot_table(index=unit, columns="loss", values=col)
    if a not in per or b not in per:
        raise ValueError(f"metrics must contain losses {a!r} and {b!r}")
    return (per[b] - per[a]).dropna().to_numpy()


def guarded_claim(diffs, accuracies: dict, majority_rate: float, *, greater: bool = True,
                  method: str = "paired differences") -> dict:
    """:func:`~lossfns.verdicts.paired_claim` of ``diffs``, unless a compared model learned
    nothing: when any of ``accuracies`` (name -> mean test accuracy) is not above
    ``majority_rate`` (:func:`~lossfns.experiments.doc000.checks.above_majority`), the claim is
    **not comparable** (how its predictions move says nothing about the loss); the paired test is
    kept under ``direction``.

    >>> guarded_claim([0.2, 0.3, 0.25], {"xm(500,2)": 0.494}, 0.641)["verdict"]
    'not comparable'
    """
    res = paired_claim(diffs, greater=greater, method=method)
    failed = {k: float(v) for k, v in accuracies.items() if not above_majority(v, majority_rate)}
    if failed:
        names = ", ".join(f"{k} test accuracy {v:.3f}" for k, v in failed.items())
        return {**res, "verdict": "not comparable", "direction": res["verdict"],
                "reason": f"{names}: not above the majority rate {majority_rate:.3f}, the model "
                          f"learned nothing (paired test, not deciding: {res['verdict']}, "
                          f"{res['reason']})"}
    return res


def ratio_cv(X, y, pairs, *, extra_losses=("bce",), n_splits: int = 10, n_repeats: int = 5,
             epochs: int = 50, batch_size: int = 32, standardize: bool = True, seed: int = 0,
             device: str = "auto", spec=None, quiet: bool = True):
    """:func:`~lossfns.experiments.doc000.training.conditional_accuracy_vs_ratio` with
    ``per_fold=True``: ``(pooled, folds)``, ``folds`` holding the accuracy of every fold."""
    from .protocols import PAPER000_SPEC
    from .training import conditional_accuracy_vs_ratio

    return conditional_accuracy_vs_ratio(
        X, y, pairs, extra_losses=extra_losses, n_splits=n_splits, n_repeats=n_repeats,
        epochs=epochs, batch_size=batch_size, standardize=standardize, seed=seed, device=device,
        spec=PAPER000_SPEC if spec is None else spec, quiet=quiet, per_fold=True)


def bce_vs_xm_claim(folds: pd.DataFrame, *, bce: str = "bce") -> dict:
    """``000/s15/bce_beats_xm_cv``: BCE minus the XM with the highest mean fold accuracy, paired
    over the same folds (:func:`ratio_cv`), 95% t-interval."""
    per = folds.pivot_table(index=["repeat", "fold"], columns="loss", values="accuracy")
    if bce not in per:
        raise ValueError(f"folds must contain {bce!r}")
    xms = [c for c in per if c != bce and str(c).startswith("xm")]
    if not xms:
        raise ValueError("folds must contain at least one XM loss")
    best = str(per[xms].mean().idxmax())
    return _paired((per[bce] - per[best]).to_numpy(), f"paired over folds: {bce} - {best}")


def _slope_per_unit(d: pd.DataFrame, col: str, unit: str) -> np.ndarray:
    out = []
    for _, g in d.groupby(unit):
        x, v = g["log_ratio"].to_numpy(float), g[col].to_numpy(float)
        out.append(float(np.polyfit(x, v, 1)[0]))
    return np.array(out)


def _ols_slope(x, v) -> Estimate:
    from scipy import stats
    lr = stats.linregress(x, v)
    n = len(x)
    h = float(stats.t.ppf(0.975, n - 2)) * float(lr.stderr)
    return Estimate(float(lr.slope), float(lr.slope) - h, float(lr.slope) + h, float(lr.stderr), n,
                    f"OLS slope over {n} ratios of one repeat (t interval, {n - 2} df)")


def ratio_slope_claim(ratio: pd.DataFrame, *, unit: str = "repeat") -> dict:
    """``000/s15/ratio_steers_accuracy``: the slope of the conditional accuracy per decade of
    ``log10(lam2/lam1)`` (XM rows of :func:`ratio_cv` / ``conditional_accuracy_vs_ratio``) for
    class 1 (``cond_acc_1``, claimed > 0) and class 0 (``cond_acc_0``, claimed < 0).

    The slope is fitted per repeat (the independent units: each has its own folds) and its 95%
    interval is the t-interval over repeats; with a single repeat, the OLS interval over the
    ratios of that repeat (its rows share folds: indicative). **supported** only when the class-1
    slope is positive and the class-0 slope negative, each with an interval excluding 0;
    **contradicted** when either excludes 0 the other way; else **inconclusive**.
    ``value``/``lo``/``hi``/``se``/``n``: the class-1 slope; ``class_0``: the class-0 slope.

    >>> r = pd.DataFrame({"loss": "xm", "repeat": np.repeat([0, 1, 2], 3),
    ...                   "log_ratio": np.tile([-1.0, 0.0, 1.0], 3),
    ...                   "cond_acc_1": [0.80, 0.85, 0.90, 0.81, 0.85, 0.91, 0.79, 0.84, 0.90],
    ...                   "cond_acc_0": [0.90, 0.85, 0.80, 0.91, 0.86, 0.80, 0.89, 0.84, 0.80]})
    >>> ratio_slope_claim(r)["verdict"]
    'supported'
    """
    d = ratio.dropna(subset=["log_ratio"])
    if d["log_ratio"].nunique() < 2:
        raise ValueError("ratio_slope_claim needs at least two distinct lambda ratios")
    n_units = d[unit].nunique()
    est = {}
    for col in ("cond_acc_1", "cond_acc_0"):
        if n_units >= 2:
            est[col] = mean_interval(_slope_per_unit(d, col, unit),
                                     method=f"slope per decade, per {unit}; t interval over {n_units} {unit}s")
        else:
            est[col] = _ols_slope(d["log_ratio"].to_numpy(float), d[col].to_numpy(float))
    s1, s0 = est["cond_acc_1"], est["cond_acc_0"]
    if s1.lo > 0 and s0.hi < 0:
        verdict = "supported"
    elif s1.hi < 0 or s0.lo > 0:
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    reason = (f"slope per decade of lam2/lam1: class 1 {s1.value:+.4f}, 95% CI [{s1.lo:+.4f}, "
              f"{s1.hi:+.4f}]; class 0 {s0.value:+.4f}, 95% CI [{s0.lo:+.4f}, {s0.hi:+.4f}] "
              f"({s1.method})")
    return {"verdict": verdict, **s1.as_dict(), "class_0": s0.as_dict(), "reason": reason}
