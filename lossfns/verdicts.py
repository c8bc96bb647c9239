"""Verdicts a statistician would sign: every published number and claim judged against our spread.

One module decides every verdict of the suite (the notebooks and the report only call it);
``docs/verdicts.md`` states the rules for readers.

Published numbers (:func:`number_verdict`) get one of five verdicts:

* **reproduced**: the published value lies inside our 95% interval (or, where an equivalence
  margin was stated in advance, our interval lies inside published +- margin);
* **not reproduced**: it lies outside; the distance is given in standard errors (z);
* **inconclusive**: our interval is too wide to decide (fewer than 3 runs, or, with a margin
  stated in advance, an interval that contains the published value but is wider than the margin);
* **not comparable**: our run used a stand-in dataset, or the paper does not define the quantity;
* **not run**: no notebook has produced it yet.

Our interval comes from the spread of *our* runs, chosen to match what the paper reports:

* a mean (or any statistic) over repeats, folds or seeds -> :func:`bootstrap` over those units
  (percentile interval and bootstrap standard error);
* a number the paper got from a *single* run -> :func:`single_run_interval`, the range in which
  one run of ours falls 95% of the time (a prediction interval), not the standard error of our
  mean, which would shrink with more seeds and reject a perfectly typical single run.

Claims (:func:`paired_claim`, :func:`equivalence_claim`, :func:`rank_claim`) get
**supported** (the 95% interval of the paired difference excludes 0 in the claimed direction),
**contradicted** (it excludes 0 the other way), **inconclusive** (it contains 0), or **not
comparable** / **not run**. Equivalence claims ("Keras and torch agree") need a margin stated in
advance: supported when the 90% interval (two one-sided tests at 5%) lies inside +- margin,
contradicted when the 95% interval lies entirely outside it, inconclusive otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["NUMBER_VERDICTS", "CLAIM_VERDICTS", "Estimate", "bootstrap", "mean_interval",
           "single_run_interval", "extreme_interval", "number_verdict", "paired_claim", "equivalence_claim",
           "rank_claim", "kendall_permutation"]

NUMBER_VERDICTS = ("reproduced", "not reproduced", "inconclusive", "not comparable", "not run")
CLAIM_VERDICTS = ("supported", "contradicted", "inconclusive", "not comparable", "not run")
LEVEL = 0.95
MIN_RUNS = 3


@dataclass(frozen=True)
class Estimate:
    """Our value of a quantity with its 95% interval ``[lo, hi]`` and standard error ``se``.

    ``n`` counts the independent units (repeats, folds, seeds) the interval rests on;
    ``method`` says how it was obtained (shown in the report).
    """

    value: float
    lo: float
    hi: float
    se: float
    n: int
    method: str

    def as_dict(self) -> dict:
        return {k: (float(v) if isinstance(v, (int, float, np.floating)) and k != "n" else v)
                for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "Estimate":
        def num(v):  # results.json stores NaN as null
            return math.nan if v is None else float(v)
        return cls(num(d["value"]), num(d["lo"]), num(d["hi"]), num(d["se"]), int(d["n"]),
                   str(d["method"]))


def _samples(values, name="values") -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr


def _t_quantile(df: int, level: float = LEVEL) -> float:
    from scipy.stats import t
    return float(t.ppf(0.5 + level / 2.0, df))


def bootstrap(units, statistic=np.mean, *, n_boot: int = 4000, seed: int = 0,
              method: str = "bootstrap") -> Estimate:
    """Percentile bootstrap over independent units (repeats, folds or seeds).

    ``units``: a 1-D array of per-unit values, or a 2-D array whose rows are units (the
    statistic then receives the resampled rows). ``statistic(sample) -> float``.

    >>> e = bootstrap([0.80, 0.82, 0.84, 0.86, 0.88], np.mean, n_boot=2000)
    >>> round(e.value, 3), e.n, e.lo < 0.84 < e.hi
    (0.84, 5, True)
    """
    data = np.asarray(units, dtype=np.float64)
    if data.ndim not in (1, 2) or data.shape[0] == 0:
        raise ValueError(f"units must be a non-empty 1-D or 2-D array, got shape {data.shape}")
    if not np.isfinite(data).all():
        raise ValueError("units must be finite")
    n = data.shape[0]
    value = float(statistic(data))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    boots = np.array([statistic(data[i]) for i in idx], dtype=np.float64)
    lo, hi = np.quantile(boots, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return Estimate(value, float(lo), float(hi), float(boots.std(ddof=1)), n,
                    f"{method} ({n} units, {n_boot} resamples)")


def mean_interval(values, *, method: str = "mean") -> Estimate:
    """Mean with its t-interval and standard error ``s / sqrt(n)``.

    >>> e = mean_interval([1.0, 2.0, 3.0])
    >>> e.value, round(e.se, 4), round(e.hi, 3)
    (2.0, 0.5774, 4.484)
    """
    x = _samples(values)
    n = x.size
    m = float(x.mean())
    if n < 2:
        return Estimate(m, math.nan, math.nan, math.nan, n, f"{method} of {n} run")
    se = float(x.std(ddof=1) / math.sqrt(n))
    h = _t_quantile(n - 1) * se
    return Estimate(m, m - h, m + h, se, n, f"{method} of {n} runs (t interval)")


def single_run_interval(values, *, method: str = "single-run spread") -> Estimate:
    """Where one more run would fall with 95% probability (normal prediction interval
    ``mean +- t * s * sqrt(1 + 1/n)``); ``se`` is the single-run standard deviation ``s``.

    For numbers the paper reports from one run: their uncertainty is one run's, not a mean's.

    >>> e = single_run_interval([0.60, 0.62, 0.64, 0.66, 0.68])
    >>> round(e.value, 2), round(e.se, 4), e.lo < 0.60 and e.hi > 0.68
    (0.64, 0.0316, True)
    """
    x = _samples(values)
    n = x.size
    m = float(x.mean())
    if n < 2:
        return Estimate(m, math.nan, math.nan, math.nan, n, f"{method} of {n} run")
    s = float(x.std(ddof=1))
    h = _t_quantile(n - 1) * s * math.sqrt(1.0 + 1.0 / n)
    return Estimate(m, m - h, m + h, s, n, f"{method} of {n} runs (prediction interval)")


def extreme_interval(values, which: str = "min", *, n: int | None = None, log: bool = False,
                     n_sim: int = 4000, seed: int = 0) -> Estimate:
    """Where the paper's ``min`` (or ``max``) over ``n`` repeats would fall, from our repeats.

    A bootstrap of an extreme is unreliable (a resample's min is never below the sample's), so
    this is a parametric bootstrap: our per-repeat values are modelled as normal (on a log
    scale with ``log``, for standard deviations), the parameters are redrawn from their
    sampling distribution (``sigma^2 ~ s^2 (k-1) / chi^2_{k-1}``, ``mu ~ N(m, sigma^2/k)``),
    and the extreme of ``n`` draws (default: as many as we have) is simulated ``n_sim`` times.
    ``value`` is our own extreme; ``[lo, hi]`` the central 95% of the simulated extremes;
    ``se`` their standard deviation.

    >>> e = extreme_interval([0.80, 0.82, 0.84, 0.83, 0.81, 0.85, 0.79, 0.84], "min")
    >>> e.value, e.lo < 0.79 < e.hi
    (0.79, True)
    """
    if which not in ("min", "max"):
        raise ValueError(f"which must be 'min' or 'max', got {which!r}")
    x = _samples(values)
    if log:
        if (x <= 0).any():
            raise ValueError("values must be positive with log=True")
        x = np.log(x)
    k = x.size
    n = k if n is None else int(n)
    value = float(x.min() if which == "min" else x.max())
    if k < MIN_RUNS:
        v = math.exp(value) if log else value
        return Estimate(v, math.nan, math.nan, math.nan, k, f"{which} of {k} repeats")
    rng = np.random.default_rng(seed)
    m, s = float(x.mean()), float(x.std(ddof=1))
    sigma = s * np.sqrt((k - 1) / rng.chisquare(k - 1, size=n_sim))
    mu = rng.normal(m, sigma / math.sqrt(k))
    draws = rng.normal(mu[:, None], sigma[:, None], size=(n_sim, n))
    ext = draws.min(axis=1) if which == "min" else draws.max(axis=1)
    if log:
        ext, value = np.exp(ext), math.exp(value)
    lo, hi = np.quantile(ext, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return Estimate(float(value), float(lo), float(hi), float(ext.std(ddof=1)), k,
                    f"{which} over {n} repeats: parametric bootstrap from {k} repeats"
                    f"{' (log scale)' if log else ''}")


def number_verdict(published: float, estimate: Estimate | dict | None, *, stand_in: bool = False,
                   margin: float | None = None, log10: bool = False, defined: bool = True) -> dict:
    """The verdict of one published number against our estimate.

    ``log10``: compare on a log10 scale (e.g. a regularisation strength); ``margin``: an
    equivalence margin stated in advance (same scale); ``defined=False``: the paper does not
    define the quantity well enough to compare values (e.g. a bias above 1).

    Returns ``{"verdict", "z", "reason"}``; ``z = (published - ours) / se`` (NaN when undefined).

    >>> e = Estimate(0.84, 0.82, 0.86, 0.01, 20, "bootstrap")
    >>> number_verdict(0.85, e)["verdict"], number_verdict(0.90, e)["verdict"]
    ('reproduced', 'not reproduced')
    >>> number_verdict(0.90, e)["z"]
    6.0
    """
    if estimate is None:
        return {"verdict": "not run", "z": math.nan, "reason": "no notebook has produced it"}
    est = Estimate.from_dict(estimate) if isinstance(estimate, dict) else estimate
    if stand_in:
        return {"verdict": "not comparable", "z": math.nan, "reason": "stand-in dataset"}
    if not defined:
        return {"verdict": "not comparable", "z": math.nan,
                "reason": "the paper does not define the quantity (see the register)"}
    pub = math.log10(published) if log10 else float(published)
    z = (pub - est.value) / est.se if est.se and math.isfinite(est.se) and est.se > 0 else math.nan
    z = round(z, 2) if math.isfinite(z) else z
    if est.n < MIN_RUNS or not (math.isfinite(est.lo) and math.isfinite(est.hi)):
        return {"verdict": "inconclusive", "z": z, "reason": f"only {est.n} run(s): no interval"}
    inside = est.lo <= pub <= est.hi
    if margin is not None:
        if pub - margin <= est.lo and est.hi <= pub + margin:
            return {"verdict": "reproduced", "z": z,
                    "reason": f"our 95% interval lies within the stated margin +-{margin:g}"}
        if inside:
            return {"verdict": "inconclusive", "z": z,
                    "reason": f"inside our interval, which is wider than the stated margin +-{margin:g}"}
    if inside:
        return {"verdict": "reproduced", "z": z, "reason": "inside our 95% interval"}
    dist = f"{abs(z):.1f} SE {'above' if pub > est.value else 'below'} ours" if math.isfinite(z) \
        else "outside our 95% interval"
    return {"verdict": "not reproduced", "z": z, "reason": f"outside our 95% interval ({dist})"}


def _direction(lo: float, hi: float) -> int:
    return 1 if lo > 0 else (-1 if hi < 0 else 0)


def paired_claim(diffs, *, greater: bool = True, method: str = "paired differences") -> dict:
    """Claim "A > B" (``greater``) or "A < B" from paired differences ``A_i - B_i`` over the
    same folds or seeds: mean difference with its 95% t-interval.

    >>> paired_claim([0.02, 0.03, 0.01, 0.04, 0.02])["verdict"]
    'supported'
    >>> paired_claim([0.02, -0.03, 0.01, -0.04, 0.02])["verdict"]
    'inconclusive'
    """
    est = mean_interval(diffs, method=method)
    if est.n < 2:
        return {"verdict": "inconclusive", **est.as_dict(), "reason": "fewer than 2 pairs"}
    sign = _direction(est.lo, est.hi) * (1 if greater else -1)
    verdict = {1: "supported", -1: "contradicted", 0: "inconclusive"}[sign]
    reason = (f"mean difference {est.value:+.4g}, 95% CI [{est.lo:+.4g}, {est.hi:+.4g}] "
              f"over {est.n} pairs")
    return {"verdict": verdict, **est.as_dict(), "reason": reason}


def equivalence_claim(diffs, margin: float, *, method: str = "paired differences") -> dict:
    """Claim "A and B agree within +- ``margin``" (margin stated in advance), from paired
    differences: two one-sided tests at 5% (the 90% t-interval inside +- margin).

    >>> equivalence_claim([0.001, -0.002, 0.0, 0.002, -0.001], 0.01)["verdict"]
    'supported'
    >>> equivalence_claim([0.05, -0.06, 0.04, 0.07, -0.05], 0.01)["verdict"]
    'inconclusive'
    """
    if not margin > 0:
        raise ValueError(f"margin must be a positive number stated in advance, got {margin!r}")
    x = _samples(diffs, "diffs")
    est = mean_interval(x, method=method)
    if est.n < 2:
        return {"verdict": "inconclusive", **est.as_dict(), "margin": margin,
                "reason": "fewer than 2 pairs"}
    h90 = _t_quantile(est.n - 1, 0.90) * est.se
    lo90, hi90 = est.value - h90, est.value + h90
    if -margin <= lo90 and hi90 <= margin:
        verdict = "supported"
    elif est.lo > margin or est.hi < -margin:
        verdict = "contradicted"
    else:
        verdict = "inconclusive"
    reason = (f"mean difference {est.value:+.4g}, 90% CI [{lo90:+.4g}, {hi90:+.4g}] against the "
              f"margin +-{margin:g}")
    return {"verdict": verdict, **est.as_dict(), "margin": margin, "reason": reason}


def kendall_permutation(a, b, *, n_perm: int = 20000, seed: int = 0) -> tuple[float, float]:
    """Kendall's tau of ``a`` and ``b`` and its two-sided p-value (exact over all permutations
    for n <= 8, else ``n_perm`` random permutations)."""
    import itertools

    from scipy.stats import kendalltau
    a, b = _samples(a, "a"), _samples(b, "b")
    if a.size != b.size or a.size < 3:
        raise ValueError(f"a and b need the same length >= 3, got {a.size} and {b.size}")
    tau = float(kendalltau(a, b).statistic)
    if a.size <= 8:
        perms = (np.array(p) for p in itertools.permutations(range(a.size)))
        taus = np.array([kendalltau(a, b[p]).statistic for p in perms])
    else:
        rng = np.random.default_rng(seed)
        taus = np.array([kendalltau(a, rng.permutation(b)).statistic for _ in range(n_perm)])
    p = float(np.mean(np.abs(taus) >= abs(tau) - 1e-12))
    return tau, p


def rank_claim(published, ours, *, alpha: float = 0.05) -> dict:
    """Claim "our ordering agrees with the published one": Kendall's tau with its permutation
    p-value; supported if tau > 0 and p < ``alpha``, contradicted if tau < 0 and p < ``alpha``.

    >>> rank_claim([1, 2, 3, 4, 5, 6], [1.1, 2.2, 2.9, 4.3, 5.1, 6.4])["verdict"]
    'supported'
    """
    tau, p = kendall_permutation(published, ours)
    verdict = "inconclusive" if p >= alpha else ("supported" if tau > 0 else "contradicted")
    return {"verdict": verdict, "value": tau, "p": p, "n": len(ours),
            "reason": f"Kendall tau = {tau:.2f} over {len(ours)} rows, permutation p = {p:.3f}"}
