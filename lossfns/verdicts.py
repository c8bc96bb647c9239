"""Verdicts a statistician would sign: every published number and claim judged against both
spreads, ours and the paper's.

One module decides every verdict of the suite (the notebooks and the report only call it);
``docs/verdicts.md`` states the rules for readers.

Published numbers (:func:`compare_number`, from a :class:`Published` row of
``data/published_numbers.csv``) get one of five verdicts. The difference ``ours - published``
gets a 95% interval that carries our standard error, the paper's (its printed sd over its
trials) and the printed rounding; against the equivalence margin registered for the kind of
quantity it is

* **reproduced**: the interval lies inside +- margin (an exact quantity: ours rounds to the
  printed value);
* **not reproduced**: the interval lies wholly outside the margin; every such number carries a
  cause (:func:`cause_of`: ``protocol``, ``reading``, ``paper``, ``stand-in`` or
  ``unexplained``, from ``data/causes.csv``);
* **inconclusive**: neither (the uncertainty straddles the margin), or fewer than 3 runs, or a
  value recorded without an interval;
* **not comparable**: our run used a stand-in dataset, or the paper does not define the quantity;
* **not run**: no notebook has produced it.

Our interval comes from the spread of *our* runs, chosen to match what the paper reports:

* a mean (or any statistic) over repeats, folds or seeds -> :func:`bootstrap` over those units
  (percentile interval and bootstrap standard error), or :func:`mean_interval`;
* a number the paper got from a *single* run -> :func:`single_run_interval`, the range in which
  one run of ours falls 95% of the time (a prediction interval), not the standard error of our
  mean, which would shrink with more seeds and reject a perfectly typical single run;
* a min or max over repeats -> :func:`extreme_interval`.

:func:`number_verdict` with a bare published value keeps the earlier rule (the value inside our
95% interval) for the notebooks' tables of other readings, which know the value only.

Claims (:func:`paired_claim`, :func:`equivalence_claim`, :func:`rank_claim`) get
**supported** (the 95% interval of the paired difference excludes 0 in the claimed direction),
**contradicted** (it excludes 0 the other way), **inconclusive** (it contains 0), or **not
comparable** / **not run**. Equivalence claims ("Keras and torch agree") need a margin stated in
advance: supported when the 90% interval (two one-sided tests at 5%) lies inside +- margin,
contradicted when the 95% interval lies entirely outside it, inconclusive otherwise.
A claim settled by an exact computation (no sampling uncertainty) is recorded with
:func:`exact_claim`; :func:`claim_rows` turns recorded claim results into the rows of a
notebook's verdict table.

``python -m lossfns.verdicts recheck`` recomputes every verdict from ``results/`` and ``data/``
and compares it with the committed ``reports/verdicts.csv`` (:mod:`lossfns.pipeline.recheck`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["NUMBER_VERDICTS", "CLAIM_VERDICTS", "STATISTICS", "CAUSES", "Estimate", "Published",
           "bootstrap", "mean_interval", "single_run_interval", "extreme_interval", "compare_number",
           "number_verdict", "match_cause", "cause_of", "paired_claim", "equivalence_claim",
           "rank_claim", "kendall_permutation", "exact_claim", "claim_rows", "CLAIM_KINDS",
           "DIFFERENCE_KINDS", "difference_test", "combine_parts", "judge_parts"]

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


#: How the paper obtained a published number (column ``statistic`` of data/published_numbers.csv).
STATISTICS = ("mean", "single", "extreme", "exact", "grid")
#: Why a number is not reproduced (or a claim contradicted): see docs/verdicts.md.
CAUSES = ("protocol", "reading", "paper", "stand-in", "unexplained")


def _opt_int(v) -> int | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return None
    return int(v)


def _opt_float(v) -> float:
    if v is None or v == "":
        return math.nan
    return float(v)


@dataclass(frozen=True)
class Published:
    """A published number as the paper printed it (one row of data/published_numbers.csv).

    ``statistic``: how the paper got it: ``mean`` (a mean over ``n`` trials, with the paper's
    standard deviation ``sd`` printed to ``sd_decimals`` decimals, or NaN when none is printed),
    ``single`` (one run), ``extreme`` (a min or max over ``n`` repeats), ``exact`` (a quantity
    computed from the data: a count, a class weight, a share), ``grid`` (the best value of a
    grid, compared on a log10 scale). ``decimals``: the printed decimals of the value (its
    rounding is half a unit of the last one). ``margin``: the equivalence margin registered for
    the kind of quantity (docs/verdicts.md); ``compare``: ``value``, ``log10`` or ``undefined``.
    """

    value: float
    statistic: str = "mean"
    sd: float = math.nan
    sd_decimals: int | None = None
    n: int | None = None
    decimals: int | None = None
    margin: float | None = None
    compare: str = "value"

    def __post_init__(self):
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {STATISTICS}, got {self.statistic!r}")
        if self.compare not in ("value", "log10", "undefined"):
            raise ValueError(f"compare must be 'value', 'log10' or 'undefined', got {self.compare!r}")

    @property
    def rounding(self) -> float:
        """Half a unit of the last printed decimal (0 when the precision is not decimal)."""
        return 0.0 if self.decimals is None else 0.5 * 10.0 ** -self.decimals

    @property
    def sd_rounding(self) -> float:
        return 0.0 if self.sd_decimals is None else 0.5 * 10.0 ** -self.sd_decimals

    @classmethod
    def from_row(cls, row) -> "Published":
        """From a row (a mapping) of data/published_numbers.csv with the columns written by
        tools/published_columns.py (``statistic``, ``pub_sd``, ``pub_sd_decimals``, ``pub_n``,
        ``decimals``, ``eq_margin``)."""
        def get(k):
            v = row.get(k) if hasattr(row, "get") else row[k]
            return None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else v
        if get("statistic") is None and get("compare") != "undefined":
            raise ValueError("the published number has no 'statistic': run python tools/published_columns.py")
        margin = get("eq_margin")
        return cls(value=float(row["value"]), statistic=get("statistic") or "mean",
                   sd=_opt_float(get("pub_sd")), sd_decimals=_opt_int(get("pub_sd_decimals")),
                   n=_opt_int(get("pub_n")), decimals=_opt_int(get("decimals")),
                   margin=None if margin is None else float(margin), compare=get("compare") or "value")


def _fmt(x: float) -> str:
    return f"{x:+.4g}"


def _outcome(lo: float, hi: float, margin: float) -> str:
    """Equivalence against +- margin: inside -> reproduced; wholly outside -> not reproduced."""
    if -margin <= lo and hi <= margin:
        return "reproduced"
    if hi < -margin or lo > margin:
        return "not reproduced"
    return "inconclusive"


def _none(verdict: str, reason: str, **extra) -> dict:
    return {"verdict": verdict, "diff": math.nan, "lo": math.nan, "hi": math.nan, "se": math.nan,
            "z": math.nan, "margin": math.nan, "reason": reason, **extra}


def compare_number(pub: Published, estimate: Estimate | dict | None, *, recorded: bool | None = None,
                   stand_in: bool = False) -> dict:
    """The verdict of one published number (verdicts v2, docs/verdicts.md): the difference
    ``ours - published`` with a 95% interval that carries our uncertainty, the paper's and its
    printing, judged against the equivalence margin registered for the kind of quantity.

    * ``mean`` over ``n`` trials: ``d +- t_df * se_d +- r`` with ``se_d^2 = se_ours^2 +
      (sd^2 + r_sd^2 / 3) / n`` (the paper's printed sd, its own rounding ``r_sd`` taken as
      uniform; our single-run sd in place of a missing one), ``df`` by Welch-Satterthwaite, and
      the value's rounding ``r`` (half a unit of its last decimal) added as a bound;
    * ``single`` run or ``extreme`` over repeats: our interval is already where the paper's
      number would fall under our protocol (:func:`single_run_interval`,
      :func:`extreme_interval`): ``[lo - published - r, hi - published + r]``;
    * ``grid``: the same on the log10 scale;
    * ``exact``: reproduced when every value of our interval rounds to the printed number
      (``|ours - published| <= r``), not reproduced when none does, inconclusive otherwise.

    **reproduced**: the interval lies inside ``+- margin``; **not reproduced**: wholly outside
    it; **inconclusive** otherwise, or with fewer than 3 runs or no interval. ``recorded``: a
    notebook produced the number (default: an estimate is given); ``stand_in``: our run used a
    stand-in dataset. Returns ``{"verdict", "diff", "lo", "hi", "se", "z", "margin", "reason"}``:
    ``diff`` = ours - published (log10 for ``grid``), ``[lo, hi]`` its interval, ``se`` its
    standard error (both spreads, ``mean`` only) and ``z``: the part of ``diff`` beyond the
    printed rounding, in standard errors (``mean`` only; finite: the paper's rounding of its sd
    keeps ``se`` above 0).

    >>> p = Published(0.85, "mean", sd=0.01, sd_decimals=2, n=10, decimals=2, margin=0.02)
    >>> compare_number(p, Estimate(0.853, 0.846, 0.860, 0.003, 10, "mean"))["verdict"]
    'reproduced'
    >>> compare_number(p, Estimate(0.90, 0.893, 0.907, 0.003, 10, "mean"))["verdict"]
    'not reproduced'
    """
    recorded = estimate is not None if recorded is None else recorded
    if pub.compare == "undefined":
        return _none("not comparable", "the paper does not define the quantity (see the register)")
    if stand_in:
        return _none("not comparable", "stand-in dataset")
    if not recorded:
        return _none("not run", "no notebook has produced it")
    if estimate is None:
        return _none("inconclusive", "recorded without an interval")
    est = Estimate.from_dict(estimate) if isinstance(estimate, dict) else estimate
    x = math.log10(pub.value) if pub.compare == "log10" else float(pub.value)
    r = 0.0 if pub.statistic == "grid" else pub.rounding
    d = est.value - x
    margin = pub.margin
    finite = math.isfinite(est.lo) and math.isfinite(est.hi)
    if pub.statistic == "exact":
        lo, hi = (est.lo, est.hi) if finite else (est.value, est.value)
        tol = r + 1e-9 * max(1.0, abs(x))  # a float's last bits never decide
        if max(abs(lo - x), abs(hi - x)) <= tol:
            verdict, how = "reproduced", "rounds to the printed value"
        elif lo - x > tol or x - hi > tol:
            verdict, how = "not reproduced", "does not round to the printed value"
        else:
            verdict, how = "inconclusive", "our value varies across the printed value's rounding"
        return {"verdict": verdict, "diff": d, "lo": lo - x, "hi": hi - x, "se": math.nan, "z": math.nan,
                "margin": 0.0, "reason": f"exact quantity: ours {how} (±{r:g})"}
    if margin is None or not margin >= 0:
        raise ValueError(f"a {pub.statistic!r} number needs its equivalence margin (column eq_margin)")
    if est.n < MIN_RUNS:
        return _none("inconclusive", f"only {est.n} run(s): no interval", diff=d, margin=margin)
    if pub.statistic in ("single", "extreme", "grid"):
        if not finite:
            return _none("inconclusive", "recorded without an interval", diff=d, margin=margin)
        lo, hi = est.lo - x - r, est.hi - x + r
        verdict = _outcome(lo, hi, margin)
        what = {"single": "where one run of ours falls", "extreme": "where the paper's extreme would fall",
                "grid": "our plateau (log10)"}[pub.statistic]
        reason = (f"ours - published {_fmt(d)}; 95% interval [{_fmt(lo)}, {_fmt(hi)}] ({what}"
                  f"{f', rounding ±{r:g}' if r else ''}) against the margin ±{margin:g}")
        return {"verdict": verdict, "diff": d, "lo": lo, "hi": hi, "se": math.nan, "z": math.nan,
                "margin": margin, "reason": reason}
    # a mean over n trials: both spreads and the printing
    if not (math.isfinite(est.se) and est.se >= 0) or not pub.n or pub.n < 2:
        return _none("inconclusive", "no standard error of ours or no trial count of the paper's",
                     diff=d, margin=margin)
    var_o = est.se ** 2
    if math.isfinite(pub.sd):
        var_p = (pub.sd ** 2 + pub.sd_rounding ** 2 / 3.0) / pub.n
        paper = f"the paper's sd {pub.sd:g} over {pub.n}"
    else:  # no sd printed: the paper's trials are taken to spread as ours do
        var_p = var_o * est.n / pub.n
        paper = f"no sd printed: our single-run sd over the paper's {pub.n}"
    se = math.sqrt(var_o + var_p)
    denom = var_o ** 2 / max(est.n - 1, 1) + var_p ** 2 / (pub.n - 1)
    df = se ** 4 / denom if denom > 0 else math.inf
    q = _t_quantile(df) if math.isfinite(df) else 1.959963984540054
    lo, hi = d - q * se - r, d + q * se + r
    z = round(math.copysign(max(abs(d) - r, 0.0), d) / se, 2) if se > 0 else math.nan
    verdict = _outcome(lo, hi, margin)
    reason = (f"ours - published {_fmt(d)}; 95% interval [{_fmt(lo)}, {_fmt(hi)}] (SE {se:.2g}: ours and "
              f"{paper}; rounding ±{r:g}) against the margin ±{margin:g}")
    return {"verdict": verdict, "diff": d, "lo": lo, "hi": hi, "se": se, "z": z, "margin": margin,
            "reason": reason}


def number_verdict(published: float | Published, estimate: Estimate | dict | None, *,
                   stand_in: bool = False, margin: float | None = None, log10: bool = False,
                   defined: bool = True) -> dict:
    """The verdict of one published number against our estimate.

    With a :class:`Published` (the paper's value with its spread, trial count, printed decimals
    and registered margin), the rule of the report (:func:`compare_number`). With a bare value,
    the earlier rule, kept for the notebooks' tables of other readings, which know the value
    only: **reproduced** when it lies inside our 95% interval (with a ``margin``: our interval
    inside value +- margin), **not reproduced** outside, with ``z = (published - ours) / se``.

    ``log10``: compare on a log10 scale; ``defined=False``: the paper does not define the
    quantity; either of these, or ``stand_in``, decides before a missing estimate does (a
    stand-in or undefined number is *not comparable* whether or not it was run).

    >>> e = Estimate(0.84, 0.82, 0.86, 0.01, 20, "bootstrap")
    >>> number_verdict(0.85, e)["verdict"], number_verdict(0.90, e)["verdict"]
    ('reproduced', 'not reproduced')
    >>> number_verdict(0.90, e)["z"]
    6.0
    >>> number_verdict(0.9, None, stand_in=True)["verdict"]
    'not comparable'
    """
    if isinstance(published, Published):
        return compare_number(published, estimate, stand_in=stand_in)
    if not defined:
        return {"verdict": "not comparable", "z": math.nan,
                "reason": "the paper does not define the quantity (see the register)"}
    if stand_in:
        return {"verdict": "not comparable", "z": math.nan, "reason": "stand-in dataset"}
    if estimate is None:
        return {"verdict": "not run", "z": math.nan, "reason": "no notebook has produced it"}
    est = Estimate.from_dict(estimate) if isinstance(estimate, dict) else estimate
    pub = math.log10(published) if log10 else float(published)
    z = (pub - est.value) / est.se if est.se and math.isfinite(est.se) and est.se > 0 else math.nan
    z = round(z, 2) if math.isfinite(z) and abs(z) < 1e6 else math.nan
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


def _applies(c, diff: float) -> bool:
    when = str(c.get("when") or "")
    if when not in ("", "below", "above"):
        raise ValueError(f"'when' of pattern {c['pattern']!r} must be '', 'below' or 'above', got {when!r}")
    return (not when or (math.isfinite(diff) and (diff < 0 if when == "below" else diff > 0)))


def match_cause(key: str, causes, *, diff: float = math.nan, check=None) -> tuple[dict | None, list[str]]:
    """The first row of ``causes`` (mappings with ``pattern``, ``cause``, ``register``,
    ``evidence`` and optionally ``when`` and ``alternative``; data/causes.csv) that explains
    ``key``, and the notes of the rows that were tried and failed.

    A row explains ``key`` when its ``pattern`` (an id, or a shell-style pattern such as
    ``003/table1/adult/*``) matches, its ``when`` holds (``below``: ours below the published
    value, ``diff < 0``; ``above``: ``diff > 0``; blank: either), and, for a row naming an
    ``alternative`` result, ``check(row)`` returns ``(True, note)``: the other reading or
    protocol, judged by the same rule, is not itself *not reproduced*.
    """
    from fnmatch import fnmatchcase
    tried = []
    for c in causes:
        if not fnmatchcase(key, str(c["pattern"])) or not _applies(c, diff):
            continue
        if str(c.get("alternative") or ""):
            if check is None:
                raise ValueError(f"pattern {c['pattern']!r} names an alternative result but no check was given")
            ok, note = check(c)
            if not ok:
                tried.append(f"{c['cause']} ({c.get('register') or '-'}) checked: {note}")
                continue
            return {**c, "evidence": "; ".join(x for x in (str(c.get("evidence") or ""), note) if x)}, tried
        return c, tried
    return None, tried


def cause_of(key: str, verdict: str, causes, *, diff: float = math.nan, check=None) -> dict:
    """``{"cause", "register", "evidence"}`` of a miss (a number *not reproduced* or a claim
    *contradicted*): the row of ``causes`` that explains it (:func:`match_cause`) or
    ``unexplained`` (its evidence then lists the causes that were checked and failed); empty
    strings for every other verdict. A cause other than ``unexplained`` needs a register entry
    and evidence."""
    if verdict not in ("not reproduced", "contradicted"):
        return {"cause": "", "register": "", "evidence": ""}
    c, tried = match_cause(key, causes, diff=diff, check=check)
    if c is None:
        return {"cause": "unexplained", "register": "", "evidence": "; ".join(tried)}
    if c["cause"] not in CAUSES:
        raise ValueError(f"cause {c['cause']!r} of pattern {c['pattern']!r} is not one of {CAUSES}")
    if c["cause"] != "unexplained" and not (str(c.get("register") or "") and str(c.get("evidence") or "")):
        raise ValueError(f"cause {c['cause']!r} of pattern {c['pattern']!r} needs a register entry and evidence")
    return {"cause": str(c["cause"]), "register": str(c.get("register") or ""),
            "evidence": "; ".join(x for x in (str(c.get("evidence") or ""), *tried) if x)}


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


#: the kinds of claim data/claims.csv names (column ``kind``) and what decides each; the
#: margin (column ``margin``) is in the claim's units, stated before the run
CLAIM_KINDS = {
    "superiority": "A beats B by at least the margin (a one-sided test and the smallest difference that matters)",
    "non-inferiority": "A is not worse than B by more than the margin",
    "non-superiority": "A is not better than B by more than the margin",
    "equivalence": "A and B differ by less than the margin either way (two one-sided tests)",
    "exact": "an exact computation, no sampling uncertainty",
    "rank": "the published ordering agrees with ours (Kendall's tau, permutation p-value)",
    "monte carlo": "a simulation under the paper's assumptions, decided by a stated tolerance",
    "timing": "wall-clock measurements of this run (timings.json)",
    "not comparable": "no experiment here can test it (the reason is stated)",
}
#: the kinds decided from paired differences by :func:`difference_test`
DIFFERENCE_KINDS = ("superiority", "non-inferiority", "non-superiority", "equivalence")
ALPHA = 0.05


def _p_greater(x: np.ndarray, value: float) -> float:
    """One-sided p-value of H0: mean <= ``value`` against mean > ``value`` (Student's t,
    :func:`scipy.stats.ttest_1samp`; ``x`` has some spread)."""
    from scipy import stats
    return float(stats.ttest_1samp(x - value, 0.0, alternative="greater").pvalue)


def _p_less(x: np.ndarray, value: float) -> float:
    return _p_greater(-x, -value)


def difference_test(diffs, kind: str, margin: float, *, alpha: float = ALPHA,
                    method: str = "paired differences") -> dict:
    r"""One part of a claim judged from paired differences ``A_i - B_i`` (same seeds, folds or
    trials) against its ``margin`` m >= 0, stated in advance (``data/claims.csv``):

    ==================  ======================================  ========================================
    kind                supported when                          contradicted when
    ==================  ======================================  ========================================
    superiority         mean > 0 (one-sided t-test at alpha)     mean < m (one-sided t-test at alpha):
                        and the estimate is at least m          no difference that matters, or worse
    non-inferiority     mean > -m                               mean < -m
    non-superiority     mean < m                                mean > m
    equivalence         -m < mean < m (both one-sided tests,    mean > m or mean < -m (the smaller
                        TOST: the larger p-value)               p-value, doubled)
    ==================  ======================================  ========================================

    Returns the verdict (inconclusive when neither test rejects), the estimate with its 95%
    t-interval, ``p_support`` and ``p_contradict`` (the p-values Holm's correction combines
    across the parts of a claim, :func:`combine_parts`), the margin and a one-line reason.

    >>> difference_test([0.02, 0.03, 0.01, 0.04, 0.02], "superiority", 0.0)["verdict"]
    'supported'
    >>> difference_test([0.006, 0.008, 0.007, 0.009, 0.008], "superiority", 0.01)["verdict"]
    'contradicted'
    >>> difference_test([0.045, 0.05, 0.04, 0.048], "equivalence", 0.02)["verdict"]
    'contradicted'
    >>> difference_test([0.045, 0.05, 0.04, 0.048], "non-inferiority", 0.02)["verdict"]
    'supported'
    """
    if kind not in DIFFERENCE_KINDS:
        raise ValueError(f"kind must be one of {DIFFERENCE_KINDS}, got {kind!r}")
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin must be a finite number >= 0 stated in advance, got {margin!r}")
    if kind == "equivalence" and margin == 0:
        raise ValueError("margin must be > 0 for an equivalence claim: nothing is equivalent within 0")
    x = _samples(diffs, "diffs")
    est = mean_interval(x, method=method)
    base = {**est.as_dict(), "kind": kind, "margin": float(margin), "values": [float(v) for v in x]}
    if est.n < 2:
        return {"verdict": "inconclusive", **base, "p_support": 1.0, "p_contradict": 1.0,
                "reason": f"fewer than 2 pairs (n = {est.n})"}
    m = float(margin)
    if np.ptp(x) == 0:   # no spread (a deterministic comparison): the one value decides, no test
        v = float(x[0])
        holds = {"superiority": v > 0 and v >= m, "non-inferiority": v >= -m,
                 "non-superiority": v <= m, "equivalence": abs(v) <= m}[kind]
        p_sup, p_con = (0.0, 1.0) if holds else (1.0, 0.0)
        verdict = "supported" if holds else "contradicted"
        reason = (f"{kind} with margin {m:g}: every one of the {est.n} pairs differs by {v:+.4g} "
                  f"(no spread: the value decides)")
        return {"verdict": verdict, **base, "p_support": p_sup, "p_contradict": p_con, "reason": reason}
    if kind == "superiority":
        p_sup = _p_greater(x, 0.0) if est.value >= m else 1.0
        p_con = _p_less(x, m)
    elif kind == "non-inferiority":
        p_sup, p_con = _p_greater(x, -m), _p_less(x, -m)
    elif kind == "non-superiority":
        p_sup, p_con = _p_less(x, m), _p_greater(x, m)
    else:
        p_sup = max(_p_greater(x, -m), _p_less(x, m))
        p_con = min(1.0, 2 * min(_p_greater(x, m), _p_less(x, -m)))
    verdict = "supported" if p_sup < alpha else "contradicted" if p_con < alpha else "inconclusive"
    reason = (f"{kind} with margin {m:g}: mean difference {est.value:+.4g}, 95% CI [{est.lo:+.4g}, "
              f"{est.hi:+.4g}] over {est.n} pairs; p(support) {p_sup:.3g}, p(contradict) {p_con:.3g}")
    return {"verdict": verdict, **base, "p_support": p_sup, "p_contradict": p_con, "reason": reason}


def combine_parts(parts: dict, *, alpha: float = ALPHA) -> dict:
    """A claim of several parts (part name -> result of :func:`difference_test`, or any claim
    result with a ``verdict``): **supported** when every part is supported at ``alpha`` (an
    intersection-union test: the claim holds only if all parts do, so no correction is needed
    and none is applied); **contradicted** when at least one part is contradicted after Holm's
    correction of the parts' ``p_contradict`` (:func:`statsmodels.stats.multitest.multipletests`,
    a union of parts: without it, 6 independent parts would contradict a true claim about 26% of
    the time at 5% each); **not comparable** / **not run** when every part is; else
    **inconclusive**. Every part is kept, with its Holm-adjusted p-value.
    """
    if not isinstance(parts, dict) or not parts:
        raise ValueError(f"parts must be a non-empty dict part name -> result, got {parts!r}")
    names = list(parts)
    verdicts = [parts[n]["verdict"] for n in names]
    for special in ("not run", "not comparable"):
        if all(v == special for v in verdicts):
            return {"verdict": special, "parts": parts, "reason": f"every part {special}"}
    tested = [n for n in names if "p_contradict" in parts[n]]
    adjusted = {}
    if tested:
        from statsmodels.stats.multitest import multipletests
        _, p_adj, _, _ = multipletests([parts[n]["p_contradict"] for n in tested], alpha=alpha, method="holm")
        adjusted = dict(zip(tested, (float(p) for p in p_adj)))
    contradicted = [n for n in names if (adjusted[n] < alpha if n in adjusted else parts[n]["verdict"] == "contradicted")]
    out = {n: {**parts[n], **({"p_contradict_holm": adjusted[n]} if n in adjusted else {})} for n in names}
    if all(v == "supported" for v in verdicts):
        verdict, why = "supported", f"all {len(names)} parts supported"
    elif contradicted:
        verdict, why = "contradicted", f"contradicted by {', '.join(contradicted)} (Holm over {len(tested)} parts)"
    else:
        verdict = "inconclusive"
        why = f"{sum(v == 'supported' for v in verdicts)} of {len(names)} parts supported, none contradicted after Holm"
    return {"verdict": verdict, "parts": out, "reason": why + "; " + "; ".join(f"{n}: {parts[n].get('reason', parts[n]['verdict'])}" for n in names)}


def judge_parts(values: dict, kind: str, margin: float, *, alpha: float = ALPHA) -> dict:
    """A claim judged from its recorded parts: ``values`` maps each part's name to its paired
    differences (``A_i - B_i``); every part gets :func:`difference_test` of ``kind`` and
    ``margin`` (the claims file's columns), and :func:`combine_parts` combines them. What
    ``python -m lossfns.report`` and ``recheck`` apply to a claim recorded with ``parts``.

    >>> judge_parts({"adult": [0.03, 0.04, 0.05], "mammography": [0.02, 0.03, 0.02]}, "superiority", 0.01)["verdict"]
    'supported'
    """
    if not isinstance(values, dict) or not values:
        raise ValueError(f"values must be a non-empty dict part name -> paired differences, got {values!r}")
    return combine_parts({name: difference_test(v, kind, margin, alpha=alpha) for name, v in values.items()},
                         alpha=alpha)


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


def exact_claim(holds: bool, value: float, reason: str) -> dict:
    """A claim settled by an exact computation (no sampling uncertainty): **supported** when it
    ``holds``, else **contradicted**; ``value`` is the deciding number (its interval is the point).

    >>> exact_claim(False, 0.359, "the jump at |y-t| = 0.5")["verdict"]
    'contradicted'
    """
    value = float(value)
    return {"verdict": "supported" if holds else "contradicted", "value": value, "lo": value,
            "hi": value, "se": 0.0, "n": 1, "method": "exact computation",
            "reason": f"exact: {reason}"}


def claim_rows(results: dict, texts: dict, tag: str = "") -> list:
    """Rows ``(claim, verdict, evidence)`` for :meth:`NotebookRun.verdict_table` from claim results
    (id -> result dict as recorded): the verdict and reason are the recorded ones, never recomputed.
    ``texts`` maps an id to the claim's wording (e.g. from ``data/claims.csv``)."""
    return [(texts[k] + tag, r["verdict"], r.get("reason", "")) for k, r in results.items()]


def _main(argv=None) -> int:
    """``python -m lossfns.verdicts recheck``: the command lives in the pipeline layer
    (:mod:`lossfns.pipeline.recheck`), above this module, so it is found by name at run time
    (as :mod:`lossfns.report` forwards to :mod:`lossfns.pipeline.report`)."""
    import importlib
    return importlib.import_module("lossfns.pipeline.recheck").main(argv)


if __name__ == "__main__":
    raise SystemExit(_main())
