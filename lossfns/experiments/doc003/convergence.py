r"""Document 003, Sec. 4.2 and supp. Sec. 1.2: soft-set metrics converge to the true metric.

The paper's setting: a share r of positives; a hard prediction is positive with probability u
(positives) or v (negatives); the soft-set value of a prediction is Beta-distributed with the
same mean (u or v). Then F1, Accuracy and their soft-set versions converge almost surely to
the same limit (eq. 10, 12; :func:`~lossfns.experiments.doc003.theory.f1_limit`,
:func:`~lossfns.experiments.doc003.theory.accuracy_limit`).

:func:`convergence` simulates both under that assumption for growing n. :func:`heaviside_gap`
drops the assumption: scores p are Beta-distributed per class, the hard prediction is p ≥ τ and
the soft one the package's linear Heaviside :math:`\mathcal{H}^l(p, \tau)` — then
:math:`\mathbb{E}[\mathcal{H}^l(p)] \ne P(p \ge \tau)` in general and the soft metric converges
to a different value: the gap is measured on a large sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lossfns.losses.softset.heaviside import heaviside_linear

from .theory import accuracy_limit, f1_limit

__all__ = ["PRESETS", "convergence", "heaviside_gap", "convergence_claim"]

PRESETS = {
    "003-4_theory": {
        "quick": {"ns": [10, 100, 1000, 10000], "seeds": 50},
        "full": {"ns": [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000], "seeds": 500},
    },
}


def _metrics(tp, fp, n, r):
    f1 = np.divide(2 * tp, n * r + tp + fp, out=np.zeros_like(tp, dtype=float), where=(n * r + tp + fp) > 0)
    acc = (tp + (n * (1 - r) - fp)) / n
    return f1, acc


def convergence(ns, *, seeds: int, r: float = 0.3, u: float = 0.8, v: float = 0.1,
                concentration: float = 2.0, seed: int = 0) -> pd.DataFrame:
    """For each n and seed: hard F1 and Accuracy (U ~ Binomial(nr, u), V ~ Binomial(n(1-r), v)) and
    soft ones (sums of Beta(c·u, c·(1-u)) and Beta(c·v, c·(1-v)) values, c = ``concentration``),
    with their distance to the common limit."""
    if not (0 < r < 1 and 0 < u < 1 and 0 < v < 1):
        raise ValueError(f"r, u and v must lie in (0, 1), got {r}, {u}, {v}")
    rng = np.random.default_rng(seed)
    lim_f1, lim_acc = float(f1_limit(r, u, v)), float(accuracy_limit(r, u, v))
    rows = []
    for n in ns:
        npos, nneg = int(round(n * r)), n - int(round(n * r))
        rr = npos / n
        U = rng.binomial(npos, u, size=seeds).astype(float)
        V = rng.binomial(nneg, v, size=seeds).astype(float)
        # a sum of m Beta draws, drawn exactly (m values per seed), in chunks to bound memory
        Us = np.array([rng.beta(concentration * u, concentration * (1 - u), size=npos).sum() for _ in range(seeds)])
        Vs = np.array([rng.beta(concentration * v, concentration * (1 - v), size=nneg).sum() for _ in range(seeds)])
        f1, acc = _metrics(U, V, n, rr)
        f1s, accs = _metrics(Us, Vs, n, rr)
        for kind, a, b in (("hard", f1, acc), ("soft-set", f1s, accs)):
            for s in range(seeds):
                rows.append({"n": n, "seed": s, "kind": kind, "F1": a[s], "Accuracy": b[s],
                             "F1 - limit": a[s] - lim_f1, "Accuracy - limit": b[s] - lim_acc})
    return pd.DataFrame(rows)


def heaviside_gap(*, n: int = 1_000_000, r: float = 0.3, pos=(5.0, 2.0), neg=(2.0, 5.0),
                  taus=(0.3, 0.5, 0.7), deltas=(0.05, 0.1, 0.2), seed: int = 0) -> pd.DataFrame:
    """Scores p ~ Beta(*pos) for positives, Beta(*neg) for negatives; per τ and δ on ``n``
    samples: the hard F1 (p ≥ τ) and the soft-set F1 with :math:`\\mathcal{H}^l(p, \\tau; \\delta)`,
    and their gap (what remains at large n when the paper's assumption does not hold)."""
    rng = np.random.default_rng(seed)
    npos = int(round(n * r))
    p = np.concatenate([rng.beta(*pos, size=npos), rng.beta(*neg, size=n - npos)])
    y = np.concatenate([np.ones(npos), np.zeros(n - npos)])
    rows = []
    for tau in taus:
        hard = (p >= tau).astype(float)
        tp, fp = hard[y == 1].sum(), hard[y == 0].sum()
        f1_hard = 2 * tp / (npos + tp + fp)
        for d in deltas:
            h = heaviside_linear(p, tau, delta=d)
            tps, fps = h[y == 1].sum(), h[y == 0].sum()
            f1_soft = 2 * tps / (npos + tps + fps)
            rows.append({"tau": tau, "delta": d, "F1 (hard)": f1_hard, "F1 (soft set)": f1_soft,
                         "gap": f1_soft - f1_hard})
    return pd.DataFrame(rows)


def convergence_claim(conv: pd.DataFrame, col: str, *, tol: float = 0.005) -> dict:
    """Supported when, for both the hard and the soft-set metric, the mean |metric - limit| over
    seeds shrinks from the smallest to the largest n and is below ``tol`` at the largest n."""
    parts, ok = [], True
    for kind, g in conv.groupby("kind", sort=False):
        m = g.groupby("n")[f"{col} - limit"].apply(lambda x: float(np.mean(np.abs(x))))
        good = m.iloc[-1] < m.iloc[0] and m.iloc[-1] < tol
        ok &= bool(good)
        parts.append(f"{kind}: mean |{col} - limit| {m.iloc[0]:.4f} at n = {m.index[0]} -> {m.iloc[-1]:.5f} at n = {m.index[-1]}")
    return {"verdict": "supported" if ok else "inconclusive", "value": float(ok), "lo": float(ok), "hi": float(ok),
            "se": 0.0, "n": int(conv["seed"].nunique()), "method": "Monte Carlo over seeds",
            "reason": "; ".join(parts) + f" (criterion: shrinking and below {tol})"}
