"""Document 000, Sec. 4C, 9, 11-12, 14, 15, 18: the data behind the claim verdicts of notebooks
``000-3_xtreme_margin_loss``, ``000-12_subgradient``, ``000-14_training_convergence`` and
``000-15_decision_boundaries`` (issue 9).

Every verdict comes from :mod:`lossfns.verdicts`: a claim of a kind decided by paired
differences (data/claims.csv) is recorded with ``run.claim(key, parts=...)``, which judges the
parts by the file's kind and margin; this module only prepares those parts (part name -> paired
differences ``A_i - B_i``, signed so that what the claim asserts is positive):

* :func:`not_comparable`: a claim no experiment here can test;
* :func:`final_per_seed`: per seed, a column averaged over the last epochs of training curves;
* :func:`sec14_claims`: the three Sec. 14 claims, paired over seeds;
* :func:`sec11b_claims`: "gradient descent cannot be performed", "SGD/Adam unusable", over seeds;
* :func:`paired_diffs` / :func:`guarded_claim`: boundary-model claims paired over inits, "not
  comparable" when a compared model did not beat the majority rate;
* :func:`ratio_cv`: the ratio study of :func:`~lossfns.experiments.doc000.training.
  conditional_accuracy_vs_ratio` (same splits, same training calls, same pooled rows) that also
  returns the accuracy of every fold; :func:`bce_vs_xm_claim` pairs it over folds;
* :func:`ratio_slope_claim`: "the ratio lam2/lam1 steers conditional accuracy", slopes per repeat.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

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


def _against_each(per: pd.DataFrame, target: str, others) -> dict:
    """"``target`` is the best of ``others``": one part per other column, ``target`` minus it."""
    return {f"{target} - {o}": (per[target] - per[o]).to_numpy() for o in others if o != target}


def sec14_claims(curves: pd.DataFrame, *, bce: str = "bce", best_xm: str = "xm(2,100)",
                 overfit_after: int = 10, last: int = 10) -> dict:
    """The Sec. 14 claims' parts from one batch-size reading of
    :func:`~lossfns.experiments.doc000.training.curves` (every loss on the same seeds; final
    test accuracy: the mean over the last ``last`` epochs), paired over seeds:

    * ``000/s14/bce_highest_accuracy``: one part per XM, ``"bce - <xm>"``;
    * ``000/s14/bce_overfits``: one part ``"bce train - test"``, BCE's train minus test
      accuracy averaged over the epochs after ``overfit_after``;
    * ``000/s14/xm2_100_generalises_best``: one part per other loss, ``"<best_xm> - <other>"``.
    """
    test = final_per_seed(curves, "test_acc", last=last)
    for name in (bce, best_xm):
        if name not in test:
            raise ValueError(f"curves must contain {name!r}")
    xms = [c for c in test if c != bce and c.startswith("xm")]
    if not xms:
        raise ValueError("curves must contain at least one XM loss")
    after = curves[curves["loss"] == bce]
    gap = (final_per_seed(after, "train_acc", after=overfit_after)[bce]
           - final_per_seed(after, "test_acc", after=overfit_after)[bce])
    return {
        "000/s14/bce_highest_accuracy": _against_each(test, bce, xms),
        "000/s14/bce_overfits": {f"{bce} train - test": gap.to_numpy()},
        "000/s14/xm2_100_generalises_best": _against_each(test, best_xm, list(test)),
    }


def sec11b_claims(curves: pd.DataFrame, *, majority_rate: float, rmsprop: str, adam: str,
                  sgd_prefix: str = "subgradient", last: int = 10) -> dict:
    """The Sec. 11B claims' parts from one batch-size reading of
    :func:`~lossfns.experiments.doc000.training.subgradient_runs` (every optimiser on the same
    seeds; ``label`` column; final test accuracy: the mean over the last ``last`` epochs):

    * ``000/s11b/no_gradient_descent``: one part, the final test accuracy of constant-step SGD
      (the step with the best mean) minus the majority rate, per seed (non-superiority: not
      above it by more than the margin);
    * ``000/s11b/sgd_adam_unusable``: two parts, ``"<rmsprop> - <sgd>"`` and ``"<rmsprop> -
      <adam>"``, paired over seeds (RMSprop better is what the claim asserts).
    """
    test = final_per_seed(curves, "test_acc", by="label", last=last)
    sgd = [c for c in test if str(c).startswith(sgd_prefix)]
    if not sgd or rmsprop not in test or adam not in test:
        raise ValueError(f"curves must contain {sgd_prefix!r}* labels, {rmsprop!r} and {adam!r}")
    best = str(test[sgd].mean().idxmax())
    return {"000/s11b/no_gradient_descent": {f"{best} - majority rate {majority_rate:.4f}":
                                             (test[best] - majority_rate).to_numpy()},
            "000/s11b/sgd_adam_unusable": {f"{rmsprop} - {lab}": (test[rmsprop] - test[lab]).to_numpy()
                                           for lab in (best, adam)}}


def paired_diffs(metrics: pd.DataFrame, a: str, b: str, col: str, *, unit: str = "seed") -> np.ndarray:
    """Per ``unit`` (init or seed, paired by the common random numbers): ``col`` of loss ``b``
    minus loss ``a`` (the differences behind
    :func:`~lossfns.experiments.doc000.training.paired_change`)."""
    per = metrics[metrics["loss"].isin([a, b])].pivot_table(index=unit, columns="loss", values=col)
    if a not in per or b not in per:
        raise ValueError(f"metrics must contain losses {a!r} and {b!r}")
    return (per[b] - per[a]).dropna().to_numpy()


def guarded_claim(part: str, diffs, accuracies: dict, majority_rate: float) -> dict:
    """The arguments of ``run.claim`` for a claim of one part (``part`` -> ``diffs``), unless a
    compared model learned nothing: ``{"parts": {part: diffs}}``, or, when any of
    ``accuracies`` (name -> mean test accuracy) is not above ``majority_rate``
    (:func:`~lossfns.experiments.doc000.checks.above_majority`), ``{"result": not comparable}``
    (how its predictions move says nothing about the loss), the differences kept beside.

    >>> guarded_claim("b - a", [0.2, 0.3, 0.25], {"xm(500,2)": 0.494}, 0.641)["result"]["verdict"]
    'not comparable'
    >>> list(guarded_claim("b - a", [0.2, 0.3], {"xm(500,2)": 0.9}, 0.641)["parts"])
    ['b - a']
    """
    values = [float(v) for v in np.asarray(diffs, dtype=float)]
    failed = {k: float(v) for k, v in accuracies.items() if not above_majority(v, majority_rate)}
    if failed:
        names = ", ".join(f"{k} test accuracy {v:.3f}" for k, v in failed.items())
        return {"result": {"verdict": "not comparable", "differences": {part: values},
                           "reason": f"{names}: not above the majority rate {majority_rate:.3f}, the model "
                                     f"learned nothing ({part}: mean {np.mean(values):+.4g} over {len(values)} pairs, "
                                     "not deciding)"}}
    return {"parts": {part: np.asarray(values)}}


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
    """``000/s15/bce_beats_xm_cv``'s parts: one per XM, ``"bce - <xm>"``, the fold accuracies
    paired over the same folds (:func:`ratio_cv`)."""
    per = folds.pivot_table(index=["repeat", "fold"], columns="loss", values="accuracy")
    if bce not in per:
        raise ValueError(f"folds must contain {bce!r}")
    xms = [c for c in per if c != bce and str(c).startswith("xm")]
    if not xms:
        raise ValueError("folds must contain at least one XM loss")
    return _against_each(per, bce, xms)


def _slope_per_unit(d: pd.DataFrame, col: str, unit: str) -> np.ndarray:
    out = []
    for _, g in d.groupby(unit):
        x, v = g["log_ratio"].to_numpy(float), g[col].to_numpy(float)
        out.append(float(np.polyfit(x, v, 1)[0]))
    return np.array(out)


def ratio_slope_claim(ratio: pd.DataFrame, *, unit: str = "repeat") -> dict:
    """``000/s15/ratio_steers_accuracy``'s parts: the slope of the conditional accuracy per decade
    of ``log10(lam2/lam1)`` (XM rows of :func:`ratio_cv` / ``conditional_accuracy_vs_ratio``),
    fitted per repeat (the independent units: each has its own folds): ``"class 1 slope"``
    (claimed > 0) and ``"minus class 0 slope"`` (the class-0 slope is claimed < 0, so its
    negative is the part). A single repeat gives one value per part (inconclusive).

    >>> r = pd.DataFrame({"loss": "xm", "repeat": np.repeat([0, 1, 2], 3),
    ...                   "log_ratio": np.tile([-1.0, 0.0, 1.0], 3),
    ...                   "cond_acc_1": [0.80, 0.85, 0.90, 0.81, 0.85, 0.91, 0.79, 0.84, 0.90],
    ...                   "cond_acc_0": [0.90, 0.85, 0.80, 0.91, 0.86, 0.80, 0.89, 0.84, 0.80]})
    >>> {k: v.round(3).tolist() for k, v in ratio_slope_claim(r).items()}
    {'class 1 slope': [0.05, 0.05, 0.055], 'minus class 0 slope': [0.05, 0.055, 0.045]}
    """
    d = ratio.dropna(subset=["log_ratio"])
    if d["log_ratio"].nunique() < 2:
        raise ValueError("ratio_slope_claim needs at least two distinct lambda ratios")
    return {"class 1 slope": _slope_per_unit(d, "cond_acc_1", unit),
            "minus class 0 slope": -_slope_per_unit(d, "cond_acc_0", unit)}
