"""Document 000, Sec. 7-8 (Tables 1-2, Fig. 1-2): the statistics behind the verdicts of notebooks
``000-8_cv_tables`` and ``000-8b_lambda_tuning`` (issue 9).

Every verdict comes from :mod:`lossfns.verdicts` (a claim recorded with parts is judged by
data/claims.csv's kind and margin); this module only prepares the paired data:

* :func:`paired_extreme_bootstrap`: "A has a lower min over repeats than B", bootstrapped over
  repeats resampled jointly for A and B (the same folds);
* :func:`lowest_std_claim`: "XM has the lowest lower bound of the CV std" against every other loss;
* :func:`table_rows`: Tables 1-2, ours with 95% intervals against the paper, one reading per row;
* :func:`lambda_repeats` / :func:`lambda_summary`: the lambda grid of Fig. 1-2 per repeat, and the
  summary of :func:`lossfns.experiments.doc000.protocols.lambda_grid_scores` computed from it;
* :func:`sec8_claims` and :func:`keras_torch_claim`: the parts (paired differences over repeats or
  folds) of the Sec. 8 mean-CV claims and of the Keras-torch check, for ``run.claim(key, parts=...)``;
* :func:`optimum_claim` (Fig. 1) and :func:`std_smallest_claim` (Fig. 2): lambda = 100 against
  every lambda more than half a decade away, one part each, paired over repeats.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...verdicts import LEVEL, Estimate, number_verdict
from .checks import above_majority, per_repeat, repeat_paired, table_estimates

__all__ = ["reportable", "paired_extreme_bootstrap", "lowest_std_claim", "sec8_claims", "keras_torch_claim",
           "table_rows", "lambda_repeats", "lambda_summary", "far_lambdas", "optimum_claim",
           "std_smallest_claim"]

STATS = ("mean_min", "mean_max", "std_min", "std_max")


def reportable(est: Estimate) -> Estimate | None:
    """``est`` if it has a finite interval, else ``None`` (the report then says "inconclusive: no
    interval"): results.json stores NaN as null, which :meth:`Estimate.from_dict` cannot read back.

    >>> reportable(Estimate(1.0, float("nan"), float("nan"), float("nan"), 1, "one run")) is None
    True
    """
    return est if math.isfinite(est.lo) and math.isfinite(est.hi) else None


def paired_extreme_bootstrap(a, b, which: str = "min", *, n_boot: int = 4000,
                             seed: int = 0) -> Estimate:
    """``min(a) - min(b)`` (or ``max``) over repeats, with a percentile bootstrap that resamples
    the repeat indices jointly for ``a`` and ``b`` (per-repeat values of two losses trained on
    the same folds).

    >>> e = paired_extreme_bootstrap([0.03, 0.04, 0.05, 0.06], [0.05, 0.06, 0.07, 0.08])
    >>> round(e.value, 2), e.n
    (-0.02, 4)
    """
    if which not in ("min", "max"):
        raise ValueError(f"which must be 'min' or 'max', got {which!r}")
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"a and b must be 1-D of the same non-zero length, got {a.shape}, {b.shape}")
    ext = np.min if which == "min" else np.max
    n = a.size
    value = float(ext(a) - ext(b))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    boots = ext(a[idx], axis=1) - ext(b[idx], axis=1)
    lo, hi = np.quantile(boots, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return Estimate(value, float(lo), float(hi), float(boots.std(ddof=1)), n,
                    f"paired bootstrap over {n} repeats ({n_boot} resamples)")


def lowest_std_claim(scores: dict, target, others, *, n_boot: int = 4000, seed: int = 0) -> dict:
    """Claim "``target`` has the lowest lower bound (min over repeats) of the CV std": for each
    loss of ``others``, :func:`paired_extreme_bootstrap` of the per-repeat std, target - other.

    ``scores`` maps a name to a :func:`lossfns.experiments.doc000.protocols.cv_scores` frame (all on the
    same folds). **supported** only if the target's min is lower than every other's beyond the
    95% interval; **contradicted** if it is higher than some other's beyond it; else
    **inconclusive**. ``value``: the largest difference (the closest competitor).
    """
    std = {k: per_repeat(scores[k])["std"] for k in [target, *others]}
    n = len(std[target])
    if n < 2:
        return {"verdict": "inconclusive", "value": math.nan, "n": n,
                "reason": f"only {n} repeat(s): no interval", "comparisons": {}}
    comp = {}
    for o in others:
        if not std[o].index.equals(std[target].index):
            raise ValueError(f"{target} and {o} must cover the same repeats")
        comp[o] = paired_extreme_bootstrap(std[target].to_numpy(), std[o].to_numpy(), "min",
                                           n_boot=n_boot, seed=seed).as_dict()
    if all(c["hi"] < 0 for c in comp.values()):
        verdict = "supported"
    elif any(c["lo"] > 0 for c in comp.values()):
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    closest = max(comp, key=lambda o: comp[o]["value"])
    reason = "; ".join(f"min std {target} - {o} {c['value']:+.4f}, 95% CI [{c['lo']:+.4f}, "
                       f"{c['hi']:+.4f}]" for o, c in comp.items()) + f" over {n} repeats"
    return {"verdict": verdict, "value": comp[closest]["value"], "lo": comp[closest]["lo"],
            "hi": comp[closest]["hi"], "n": n, "method": comp[closest]["method"],
            "comparisons": comp, "reason": reason}


def sec8_claims(scores: dict) -> dict:
    """The mean-CV claims of Sec. 8 as claim parts (claim id -> part name -> per-repeat
    differences of the mean fold accuracy, paired: the same folds) from one reading: ``scores``
    maps ``"bce", "hinge", "xm(1,1)", "xm(100,100)"`` to
    :func:`lossfns.experiments.doc000.protocols.cv_scores` frames on the same folds. Signed so
    that what the claim asserts is positive: ``xm11_vs_hinge_bounds`` XM(1,1) - Hinge,
    ``xm11_vs_bce_bounds`` ("XM(1,1) is worse than BCE") BCE - XM(1,1), ``tuned_beats_untuned``
    XM(100,100) - XM(1,1). The std claim is :func:`lowest_std_claim`."""
    def part(a, b):
        return {f"{a} - {b}": repeat_paired(scores[a], scores[b])}

    return {"000/s8/xm11_vs_hinge_bounds": part("xm(1,1)", "hinge"),
            "000/s8/xm11_vs_bce_bounds": part("bce", "xm(1,1)"),
            "000/s8/tuned_beats_untuned": part("xm(100,100)", "xm(1,1)")}


def keras_torch_claim(agree: pd.DataFrame) -> dict:
    """``000/ours/keras_torch_agree``'s part: torch - Keras fold accuracies on the same folds
    (:func:`lossfns.experiments.doc000.protocols.keras_agreement`); equivalence, margin in
    data/claims.csv."""
    return {"torch - keras": (agree["torch"] - agree["keras"]).to_numpy()}


def table_rows(readings: dict, published: dict, *, seed: int = 0) -> pd.DataFrame:
    """Tables 1-2 with intervals: one row per (reading, statistic).

    ``readings`` maps a label (e.g. ``("XM(1,1)", 1)``) to ``(scores, published_key or None,
    main)``; ``published`` maps an id to the paper's value. The verdict column is
    :func:`lossfns.verdicts.number_verdict`, the rule the report applies (for every reading, so
    the readings can be compared; the report uses the main one).
    """
    rows = []
    for label, (scores, key, main) in readings.items():
        est = table_estimates(scores, seed=seed)
        for stat in STATS:
            e = est[stat]
            pub = published.get(f"{key}/{stat}") if key else None
            v = number_verdict(pub, e) if pub is not None else {"verdict": "", "z": math.nan}
            rows.append({"reading": label, "main": bool(main), "statistic": stat,
                         "ours": e.value, "lo": e.lo, "hi": e.hi,
                         "paper": math.nan if pub is None else float(pub),
                         "verdict": v["verdict"], "z": v["z"]})
    return pd.DataFrame(rows)


def lambda_repeats(X, y, pairs, **cv_kwargs) -> pd.DataFrame:
    """Per ``(lam1, lam2)`` of ``pairs`` and per repeat: the mean and std of the fold accuracies
    of :func:`lossfns.experiments.doc000.protocols.cv_scores` (XM with those lambdas; same seed, so the
    same folds for every pair: paired over repeats)."""
    from . import protocols

    frames = []
    for lam1, lam2 in pairs:
        rep = per_repeat(protocols.cv_scores(X, y, f"xm({lam1},{lam2})", **cv_kwargs)).reset_index()
        frames.append(rep.assign(lam1=lam1, lam2=lam2)[["lam1", "lam2", "repeat", "mean", "std"]])
    return pd.concat(frames, ignore_index=True)


def lambda_summary(reps: pd.DataFrame) -> pd.DataFrame:
    """The frame of :func:`lossfns.experiments.doc000.protocols.lambda_grid_scores` (``lam1, lam2,
    cv_mean, cv_std, cv_mean_se``) from :func:`lambda_repeats`, pairs in their order."""
    rows = []
    for (lam1, lam2), g in reps.groupby(["lam1", "lam2"], sort=False):
        rows.append({"lam1": lam1, "lam2": lam2, "cv_mean": float(g["mean"].mean()),
                     "cv_std": float(g["std"].mean()),
                     "cv_mean_se": float(g["mean"].std(ddof=1) / np.sqrt(len(g)))
                     if len(g) > 1 else float("nan")})
    return pd.DataFrame(rows)


def _diagonal(reps: pd.DataFrame, col: str) -> pd.DataFrame:
    """repeats x lambdas (lam1 = lam2) of ``col``."""
    d = reps[reps["lam1"] == reps["lam2"]]
    return d.pivot(index="repeat", columns="lam1", values=col).sort_index(axis=1)


def far_lambdas(lambdas, at: float = 100.0, away: float = 0.5) -> list:
    """The lambdas more than ``away`` decades from ``at``.

    >>> [round(l, 1) for l in far_lambdas([10 ** (k / 3) for k in range(3, 10)])]
    [10.0, 21.5, 464.2, 1000.0]
    """
    return [lam for lam in lambdas if abs(math.log10(lam) - math.log10(at)) > away + 1e-12]


def _untestable(reps, at, away):
    lams = sorted(reps.loc[reps["lam1"] == reps["lam2"], "lam1"].unique())
    if not any(math.isclose(lam, at) for lam in lams):
        return {"verdict": "not run", "reason": f"lambda = {at:g} is not on the grid"}
    if not far_lambdas(lams, at, away):
        return {"verdict": "not run", "reason": f"no lambda more than {away:g} decade from {at:g}"}
    return None


def optimum_claim(reps: pd.DataFrame, *, at: float = 100.0, away: float = 0.5) -> dict:
    """Fig. 1, "the mean CV score is maximised at lambda = ``at``", as the arguments of
    ``run.claim``: ``{"parts": ...}`` with one part per lambda more than ``away`` decades away
    (``"lambda <at> - lambda <other>"``: the per-repeat mean CV at ``at`` minus the other's,
    paired over repeats), or ``{"result": not run}`` when the grid cannot test it."""
    bad = _untestable(reps, at, away)
    if bad:
        return {"result": bad}
    m = _diagonal(reps, "mean")
    at_col = next(c for c in m.columns if math.isclose(c, at))
    return {"parts": {f"lambda {at:g} - lambda {lam:g}": (m[at_col] - m[lam]).to_numpy()
                      for lam in far_lambdas(m.columns, at, away)}}


def std_smallest_claim(reps: pd.DataFrame, *, at: float = 100.0, away: float = 0.5,
                       majority_rate: float | None = None) -> dict:
    """Fig. 2, "the std of the CV score is smallest at lambda = ``at``", as the arguments of
    ``run.claim``: ``{"parts": ...}`` with one part per lambda more than ``away`` decades away
    (``"std lambda <other> - lambda <at>"``: the per-repeat std of the fold accuracies of the
    other lambda minus that at ``at``, paired over repeats; a smaller std is what the claim
    asserts, so the rival's comes first), or ``{"result": not run}`` when nothing can be tested.

    ``majority_rate``: lambdas whose mean CV score does not beat it learned nothing (their
    near-constant predictions have a tiny std) and are left out of the rivals.
    """
    bad = _untestable(reps, at, away)
    if bad:
        return {"result": bad}
    s, m = _diagonal(reps, "std"), _diagonal(reps, "mean")
    at_col = next(c for c in s.columns if math.isclose(c, at))
    far = far_lambdas(s.columns, at, away)
    if majority_rate is not None:
        far = [lam for lam in far if above_majority(m[lam].mean(), majority_rate)]
    if not far:
        return {"result": {"verdict": "not run", "reason": "no rival lambda beats the majority rate"}}
    return {"parts": {f"std lambda {lam:g} - lambda {at:g}": (s[lam] - s[at_col]).to_numpy() for lam in far}}
