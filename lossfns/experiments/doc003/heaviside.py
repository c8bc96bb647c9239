r"""Document 003 (Tsoi et al.), Sec. 3-4 and supp. Sec. 1-3: the Heaviside approximations.

* :func:`heaviside_curves`: :math:`\mathcal{H}^l` (τ, δ) and :math:`\mathcal{H}^s` (τ, k) on a
  grid of p (Fig. 1 left; supp. Figs. 2-4).
* :func:`lipschitz_check`: Theorem 4.1, the largest slope of :math:`\mathcal{H}^l` measured on a
  grid against :math:`M = \max\{m_1, m_2, m_3\}` over τ and δ.
* :func:`lookup_check`: the lookup table (supp. Sec. 3) against the closed form, error and the
  speed ratio measured in one run.
* :func:`train_soft_f1`: a soft-F1 MLP on a real imbalanced data set for each k (sigmoid
  approximation) or δ (linear approximation), held-out F1 at τ = 0.5 per seed: the k = 10 and
  δ ∈ [0.1, 0.2] claims.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import lossfns
from lossfns.losses.softset.heaviside import heaviside_linear, heaviside_lookup, heaviside_sigmoid

from .theory import PAPER003_SPEC, lipschitz_constant

__all__ = ["PRESETS", "heaviside_curves", "lipschitz_check", "lookup_check", "train_soft_f1", "hard_f1",
           "best_vs_others"]

PRESETS = {
    "003-3_heaviside": {
        "quick": {"seeds": 3, "epochs": 10, "n_grid": 1001, "lookup_n": 100_000, "ks": [1, 10, 20, 50],
                  "deltas": [0.02, 0.1, 0.2, 0.4]},
        "full": {"seeds": 10, "epochs": 100, "n_grid": 20001, "lookup_n": 1_000_000, "ks": [1, 10, 20, 50],
                 "deltas": [0.02, 0.05, 0.1, 0.2, 0.3, 0.4]},
    },
}


def heaviside_curves(taus=(0.2, 0.5, 0.8), deltas=(0.0, 0.1, 0.5), ks=(1, 10, 20, 50), n: int = 1001) -> pd.DataFrame:
    """Long table (approx, tau, param, p, H): the linear approximation for each (τ, δ) and the
    sigmoid approximation for each (τ, k)."""
    p = np.linspace(0.0, 1.0, n)
    rows = []
    for tau in taus:
        for d in deltas:
            rows.append(pd.DataFrame({"approx": "linear", "tau": tau, "param": f"δ={d:g}", "p": p,
                                      "H": heaviside_linear(p, tau, delta=d)}))
        for k in ks:
            rows.append(pd.DataFrame({"approx": "sigmoid", "tau": tau, "param": f"k={k:g}", "p": p,
                                      "H": heaviside_sigmoid(p, tau, k=k)}))
    return pd.concat(rows, ignore_index=True)


def lipschitz_check(taus, deltas, n: int = 20001) -> pd.DataFrame:
    """Per (τ, δ): the largest slope of :math:`\\mathcal{H}^l` between grid points of [0, 1] and
    Theorem 4.1's M; the theorem holds when the measured slope does not exceed M."""
    p = np.linspace(0.0, 1.0, n)
    rows = []
    for tau in taus:
        for d in deltas:
            h = heaviside_linear(p, tau, delta=d)
            slope = float(np.max(np.abs(np.diff(h)) / np.diff(p)))
            M = float(lipschitz_constant(np.array([tau]), d)[0])
            rows.append({"tau": tau, "delta": d, "measured max slope": slope, "M (Thm 4.1)": M,
                         "slope / M": slope / M})
    return pd.DataFrame(rows)


def lookup_check(n: int = 1_000_000, taus=(0.1, 0.3, 0.5, 0.7, 0.9), repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    """Lookup table (100 intervals, interpolated and truncated) against the closed form on ``n``
    uniform p, for each approximation: the largest absolute error and the time ratio closed
    form / table (median of ``repeats``, measured in this one run, NumPy float64)."""
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    t = np.asarray(taus, dtype=float)
    rows = []
    for approx, kw, closed in (("linear", {"delta": 0.1}, lambda: heaviside_linear(p, t, delta=0.1)),
                               ("sigmoid", {"k": 10.0}, lambda: heaviside_sigmoid(p, t, k=10.0))):
        exact = closed()
        for interp in (True, False):
            table = heaviside_lookup(p, t, approx=approx, interpolate=interp, **kw)
            tc, tl = [], []
            for _ in range(repeats):
                s = time.perf_counter(); closed(); tc.append(time.perf_counter() - s)
                s = time.perf_counter(); heaviside_lookup(p, t, approx=approx, interpolate=interp, **kw)
                tl.append(time.perf_counter() - s)
            rows.append({"approx": approx, "table": "interpolated" if interp else "truncated (paper)",
                         "max |error|": float(np.max(np.abs(table - exact))),
                         "time closed / table": float(np.median(tc) / np.median(tl))})
    return pd.DataFrame(rows)


def hard_f1(p: np.ndarray, y: np.ndarray, tau: float = 0.5) -> float:
    """F1 of the hard predictions ``p >= tau`` (0 when there is no positive prediction or label)."""
    pred = p >= tau
    tp = float(np.sum(pred & (y == 1)))
    denom = float(np.sum(pred) + np.sum(y == 1))
    return 2 * tp / denom if denom else 0.0


def train_soft_f1(ds, *, approx: str, values, seeds: int, epochs: int, batch_size: int = 1024,
                  lr: float = 1e-3, quiet: bool = True, seed: int = 0) -> pd.DataFrame:
    """Train 003's MLP (:data:`PAPER003_SPEC`, Adam ``lr``, batch ``batch_size``) with the soft-F1
    loss for each parameter value (``k`` for ``approx="sigmoid"``, ``delta`` for ``"linear"``), the
    seeds of one value in one batched call, on stratified 64/36 splits of ``ds`` (standardised).
    The seeds are ``seed .. seed + seeds - 1``: seed s draws the split (``random_state=s``) and
    the initialisation and shuffles (model id s), the same for every value.
    Table: value, seed, held-out F1 at τ = 0.5."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from lossfns.training import Task, train_batched
    if approx not in ("sigmoid", "linear"):
        raise ValueError(f"approx must be 'sigmoid' or 'linear', got {approx!r}")
    ids = [seed + s for s in range(seeds)]
    splits = []
    for s in ids:
        Xtr, Xte, ytr, yte = train_test_split(ds.X, ds.y, test_size=0.36, stratify=ds.y, random_state=s)
        sc = StandardScaler().fit(Xtr)
        splits.append((sc.transform(Xtr), sc.transform(Xte), ytr, yte))
    tasks = [Task(a, c, X_eval=b, y_eval=d) for a, b, c, d in splits]
    rows = []
    for v in values:
        kw = {"k": float(v)} if approx == "sigmoid" else {"delta": float(v)}
        res = train_batched(PAPER003_SPEC, tasks, lambda yp, yt: lossfns.soft_f1_loss(yp, yt, approx=approx, **kw),
                            loss_reduction="pooled", epochs=epochs, batch_size=batch_size, optimizer="adam",
                            optimizer_kwargs={"lr": lr}, seed=0, model_ids=ids, quiet=quiet,
                            track_eval=False)
        for s in range(seeds):
            rows.append({"value": float(v), "seed": ids[s], "f1": hard_f1(np.asarray(res.eval_proba[s]), splits[s][3])})
    return pd.DataFrame(rows)


def best_vs_others(df: pd.DataFrame, best, *, col: str = "f1") -> dict:
    """Claim "``best`` is the best parameter value" as claim parts: one part per other value
    (named ``"<best> - <value>"``), the per-seed ``col`` of ``best`` minus that value's, paired
    over seeds. ``best``: a value, or a list of values whose per-seed mean stands for the range
    (so that picking the better one per seed cannot bias the test).

    >>> d = pd.DataFrame({"value": [1, 1, 10, 10], "seed": [0, 1, 0, 1], "f1": [0.5, 0.6, 0.7, 0.9]})
    >>> {k: v.round(2).tolist() for k, v in best_vs_others(d, 10).items()}
    {'10 - 1': [0.2, 0.3]}
    """
    wide = df.pivot(index="seed", columns="value", values=col)
    bests = [float(b) for b in np.atleast_1d(best)]
    missing = [b for b in bests if b not in wide.columns]
    if missing:
        raise ValueError(f"best value(s) {missing} not among {list(wide.columns)}")
    top = wide[bests].mean(axis=1)
    name = f"{bests[0]:g}" if len(bests) == 1 else "mean of " + ", ".join(f"{b:g}" for b in bests)
    return {f"{name} - {float(v):g}": (top - wide[v]).to_numpy() for v in wide.columns if float(v) not in bests}
