r"""Document 001 (Phuong & Zung): the experiments of the notebooks ``001-*``.

* Sec. 4, Proposition 4.1 (:func:`argmax_G`, :func:`prop41_cases`, :func:`argmax_vs_share`,
  :func:`derivative_check`, :func:`condition_iii_grid`): the toy model on
  :math:`\Omega = [a, b] = [0, 1]` with :math:`y_{true} = 1` on :math:`[0, a_1[`, so
  :math:`a_1` is the share of class 1 (register A10 for the label sign).
* Sec. 5 (:func:`focal_derivatives`, :func:`sec5_runs`): the focality of
  :math:`\ell_{24}`, :math:`\ell_6` against BCE and focal loss, then each loss trained on a real
  imbalanced task (Mammography, 2.3% positives) over seeds, to convergence (early stopping with a
  cap, :func:`train_converged`) on balanced epochs as the paper trained (:func:`sec5_splits`),
  with weighted BCE and AUROC as controls and the introduction's asymmetric losses
  (:data:`SEC5_ARMS`, :func:`sec5_parts`, :func:`converged_checks`; registers A99-A111).
  :func:`train_imbalanced` is the earlier fixed-epoch protocol on the natural epochs.
* Sec. 7 (:func:`trap_simulation`, :func:`train_probed`): the broken loss's "stochastic trap"
  at y = 0.5: a 1-D logistic model on overlapping classes, then an MLP on a real task, with
  the per-epoch probes of :mod:`lossfns.training.probes` (share of predictions in (0.4, 0.6),
  flip share, accuracy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lossfns

from .losses import LOSSES_001, make_loss
from .theory import toy_G, toy_G_derivative_closed_form

__all__ = ["PRESETS", "PHIS", "argmax_G", "prop41_cases", "argmax_vs_share", "derivative_check",
           "condition_iii_grid", "argmax_G_weighted", "remedy_table", "argmax_G_2d", "n2_table", "REMEDY_SHARES", "N2_CASES", "LOSSES_001", "focal_derivatives", "make_loss", "train_probed",
           "train_imbalanced", "sec5_splits", "train_converged", "sec5_runs", "converged_checks",
           "SEC5_FRACTIONS", "SEC5_ARMS", "SEC5_CLAIM_PARTS", "sec5_parts", "weighted_bce_loss",
           "trap_simulation", "last_epochs", "all_supported", "NOISE_BASE", "sgd_toy", "noise_sweep",
           "sweep_summary", "optimal_sharpness_test", "NOISE_GRID", "hover_control", "batch_dependence"]

PRESETS = {
    "001-4_toy_model": {
        "quick": {"n_theta": 2001, "n_shares": 41, "n_theta_2d": 101},
        "full": {"n_theta": 20001, "n_shares": 199, "n_theta_2d": 201},
    },
    "001-3_noise": {
        "quick": {"steps": 600, "seeds": 8},
        "full": {"steps": 6000, "seeds": 40},
    },
    "001-5_focality": {
        # issue 22: balanced epochs, early stopping with a cap (register A99-A111)
        "quick": {"seeds": 3, "max_epochs": 6, "patience": 2},
        "full": {"seeds": 10, "max_epochs": 300, "patience": 20},
    },
    "001-7_broken_loss": {
        "quick": {"seeds": 3, "epochs": 15, "sim_seeds": 3, "sim_epochs": 30, "separations": [0.5, 2.0]},
        "full": {"seeds": 10, "epochs": 60, "sim_seeds": 10, "sim_epochs": 150,
                 "separations": [0.25, 0.5, 1.0, 2.0, 4.0]},
    },
}

#: (label, phi, eps) of the toy model's sharpness functions
PHIS = [("arctan", "arctan", None), ("sqrt ε=0.1", "sqrt", 0.1), ("sqrt ε=0.01", "sqrt", 0.01),
        ("sqrt ε=0.001", "sqrt", 0.001)]


def _phi_kwargs(phi, eps):
    return {"phi": phi} if eps is None else {"phi": phi, "eps": eps}


def argmax_G(a1: float, phi: str = "arctan", eps: float | None = None, *, n_theta: int = 20001,
             a: float = 0.0, b: float = 1.0) -> float:
    """The maximiser of G(θ) over a grid of ``n_theta`` points of [a, b] (class 1 on [a, a1[)."""
    if not a < a1 < b:
        raise ValueError(f"a1 must lie in (a, b) = ({a}, {b}), got {a1!r}")
    theta = np.linspace(a, b, n_theta)
    G = toy_G(theta[:, None], a, b, a1, **_phi_kwargs(phi, eps), n_grid=400)
    return float(theta[int(np.argmax(G))])


def prop41_cases(n_theta: int = 20001) -> pd.DataFrame:
    """The three cases of Prop. 4.1 for every φ: balanced (a1 = 0.5), biased (a1 = 0.4) and
    rare (a1 = 0.05): the argmax of G, where it lies relative to a1, and condition (iii)."""
    rows = []
    for label, phi, eps in PHIS:
        f = _phi(phi, eps)
        for case, a1 in (("i) balanced", 0.5), ("ii) biased", 0.4), ("iii) rare", 0.05)):
            t = argmax_G(a1, phi, eps, n_theta=n_theta)
            rows.append({"phi": label, "case": case, "a1": a1, "argmax": t, "argmax - a1": t - a1,
                         "condition (iii)": bool(f(1.0) >= 2 * f(a1))})
    return pd.DataFrame(rows)


def _phi(phi, eps):
    from .theory import phi_arctan, phi_sqrt
    return (lambda x: float(phi_arctan(np.asarray(x, float)))) if phi == "arctan" else \
        (lambda x: float(phi_sqrt(np.asarray(x, float), eps)))


def argmax_vs_share(shares, n_theta: int = 20001) -> pd.DataFrame:
    """argmax of G against the share a1 of class 1 for every φ, with the model's accuracy
    1 - |argmax - a1| (the measure of the misclassified segment) and condition (iii)."""
    rows = []
    for label, phi, eps in PHIS:
        f = _phi(phi, eps)
        for a1 in shares:
            t = argmax_G(float(a1), phi, eps, n_theta=n_theta)
            rows.append({"phi": label, "a1": float(a1), "argmax": t, "accuracy": 1 - abs(t - a1),
                         "condition (iii)": bool(f(1.0) >= 2 * f(a1))})
    return pd.DataFrame(rows)


def derivative_check(a1: float = 0.3, n: int = 101) -> pd.DataFrame:
    """dG/dθ by autograd (torch, float64, through the quadrature) against the closed form of
    Prop. 4.1 on a grid of θ, for every φ: the largest absolute difference."""
    import torch
    rows = []
    theta = np.linspace(0.01, 0.99, n)
    for label, phi, eps in PHIS:
        kw = _phi_kwargs(phi, eps)
        t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        G = toy_G(t[:, None], 0.0, 1.0, a1, **kw, n_grid=4000)
        (g,) = torch.autograd.grad(G.sum(), t)
        closed = np.asarray(toy_G_derivative_closed_form(theta, 0.0, 1.0, a1, **kw))
        rows.append({"phi": label, "max |autograd - closed form|": float(np.max(np.abs(g.numpy() - closed))),
                     "max |dG/dθ|": float(np.max(np.abs(closed)))})
    return pd.DataFrame(rows)


def argmax_G_weighted(a1: float, weight: float, phi: str = "arctan", eps: float | None = None, *,
                      n_theta: int = 20001) -> float:
    """The maximiser over a grid of θ in [0, 1] of the reweighted gain
    G_w(θ) = w G₊(θ) - G₋(θ), where G₊ = ∫_0^{a1} g and G₋ = ∫_{a1}^1 g (g = -φ(ω - θ)): class 1
    (on [0, a1[) weighted by ``weight`` (data rebalancing or an asymmetric loss, Sec. 4's
    remedies). ``weight = 1`` is :func:`argmax_G`. Its derivative at θ = a1 is
    w φ(a1) - φ(1 - a1), so ``weight = φ(1 - a1) / φ(a1)`` puts a stationary point at a1."""
    if not 0.0 < a1 < 1.0:
        raise ValueError(f"a1 must lie in (0, 1), got {a1!r}")
    if not (np.isfinite(weight) and weight > 0):
        raise ValueError(f"weight must be a finite number > 0, got {weight!r}")
    theta = np.linspace(0.0, 1.0, n_theta)[:, None]
    kw = _phi_kwargs(phi, eps)
    g_pos = toy_G(theta, 0.0, a1, a1 / 2, **kw, n_grid=400, signed=False)
    g_neg = toy_G(theta, a1, 1.0, (1 + a1) / 2, **kw, n_grid=400, signed=False)
    G = weight * np.asarray(g_pos) - np.asarray(g_neg)
    return float(theta[int(np.argmax(G)), 0])


def remedy_table(shares, n_theta: int = 20001) -> pd.DataFrame:
    """Sec. 4's remedy for the biased case: per φ and share a1 < 0.5, the argmax of G without
    weights, with class 1 weighted by the inverse volume ratio (1 - a1) / a1 (rebalancing to equal
    volume) and by φ(1 - a1) / φ(a1) (the weight that makes a1 stationary)."""
    rows = []
    for label, phi, eps in PHIS:
        f = _phi(phi, eps)
        for a1 in shares:
            a1 = float(a1)
            if not 0 < a1 < 0.5:
                raise ValueError(f"shares must lie in (0, 0.5) (the biased side), got {a1!r}")
            rows.append({"phi": label, "a1": a1, "argmax": argmax_G(a1, phi, eps, n_theta=n_theta),
                         "argmax, volume weight": argmax_G_weighted(a1, (1 - a1) / a1, phi, eps, n_theta=n_theta),
                         "argmax, φ weight": argmax_G_weighted(a1, f(1 - a1) / f(a1), phi, eps, n_theta=n_theta)})
    return pd.DataFrame(rows)


#: shares of the biased side where the remedy is shown (register A98)
REMEDY_SHARES = (0.1, 0.2, 0.3, 0.4, 0.45)
#: the n = 2 layouts (a1, a2) of class 1 on [0, a1[ and [a2, 1]: balanced, and class 0 a minority
N2_CASES = {"balanced": (0.25, 0.75), "class 0 minority": (0.4, 0.6)}


def n2_table(n_theta: int = 201) -> pd.DataFrame:
    """:func:`argmax_G_2d` for every φ and each layout of :data:`N2_CASES`: the argmax, its
    largest coordinate distance from (a1, a2), and the width of the predicted class-0 interval
    against the true one (a bias against the minority shrinks the minority's interval)."""
    rows = []
    for case, (a1, a2) in N2_CASES.items():
        for label, phi, eps in PHIS:
            t1, t2 = argmax_G_2d(a1, a2, phi, eps, n_theta=n_theta)
            rows.append({"case": case, "phi": label, "a1": a1, "a2": a2, "argmax θ1": t1, "argmax θ2": t2,
                         "distance": max(abs(t1 - a1), abs(t2 - a2)), "class-0 width": t2 - t1,
                         "true class-0 width": a2 - a1})
    return pd.DataFrame(rows)


def argmax_G_2d(a1: float, a2: float, phi: str = "arctan", eps: float | None = None, *,
                n_theta: int = 201) -> tuple[float, float]:
    """n = 2 (Sec. 4: "a similar proposition holds for n >= 2"): class 1 on [0, a1[ and
    [a2, 1], class 0 on [a1, a2[; the maximiser of G over the grid of pairs θ1 < θ2 of
    ``n_theta`` points each."""
    if not 0.0 < a1 < a2 < 1.0:
        raise ValueError(f"0 < a1 < a2 < 1 is required, got a1={a1!r}, a2={a2!r}")
    t = np.linspace(0.0, 1.0, n_theta)
    T1, T2 = np.meshgrid(t, t, indexing="ij")
    keep = T1 < T2
    theta = np.stack([T1[keep], T2[keep]], axis=1)
    G = np.asarray(toy_G(theta, 0.0, 1.0, [a1, a2], **_phi_kwargs(phi, eps), n_grid=400))
    best = theta[int(np.argmax(G))]
    return float(best[0]), float(best[1])


def condition_iii_grid(table: pd.DataFrame, tol: float) -> pd.DataFrame:
    """From :func:`argmax_vs_share`'s table: per φ, how many shares satisfy condition (iii), and
    how many of those have the argmax at a (within ``tol``) — the proposition says all — plus
    the shares with the argmax at a although the condition fails (it is sufficient only)."""
    rows = []
    for label, g in table.groupby("phi", sort=False):
        cond = g["condition (iii)"]
        at_a = g["argmax"] <= tol
        rows.append({"phi": label, "shares": len(g), "condition holds": int(cond.sum()),
                     "condition holds and argmax = a": int((cond & at_a).sum()),
                     "argmax = a without the condition": int((~cond & at_a).sum()),
                     "largest a1 with argmax = a": float(g.loc[at_a, "a1"].max()) if at_a.any() else float("nan")})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ losses and training

#: (label, registry name, parameters) of the document's losses and the comparators
def weighted_bce_loss(w_n: float, w_p: float):
    """The per-sample weighted BCE ``(y_pred, y_true) -> (M, B)`` with class weights
    ``(w_n, w_p)``: Sec. 5's control (register A110), the training split's weights, so it is
    built per run here rather than listed with the fixed losses of :data:`LOSSES_001`."""
    return lambda y_pred, y_true: lossfns.weighted_bce(y_pred, y_true, reduction="none", weights=(w_n, w_p))


def focal_derivatives(n: int = 1001) -> pd.DataFrame:
    """|dl/dy| for y_true = 1 against y in (0, 1) for BCE, focal, l24, l6 (autograd, float64)."""
    import torch
    y = np.linspace(1e-3, 1 - 1e-3, n)
    rows = []
    for label in ("BCE", "focal γ=2", "l24", "l6"):
        name, params = LOSSES_001[label]
        t = torch.tensor(y, dtype=torch.float64, requires_grad=True)
        v = getattr(lossfns, name)(t, torch.ones_like(t), reduction="none", **params)
        (g,) = torch.autograd.grad(v.sum(), t)
        rows.append(pd.DataFrame({"loss": label, "y": y, "|dl/dy|": np.abs(g.numpy())}))
    return pd.concat(rows, ignore_index=True)


def _split(ds, seed: int, test_size: float = 0.3):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    Xtr, Xte, ytr, yte = train_test_split(ds.X, ds.y, test_size=test_size, stratify=ds.y, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte), ytr, yte


def train_probed(ds, losses: dict, *, seeds: int, epochs: int, hidden=(16, 8), batch_size: int = 128,
                 optimizer: str = "adam", lr: float = 1e-3, quiet: bool = True, seed: int = 0) -> pd.DataFrame:
    """Train an MLP (``hidden`` ReLU layers, sigmoid output) on ``ds`` (stratified 70/30 split per
    seed, standardised) with each loss of ``losses`` (label -> per-sample loss function), all
    seeds of one loss in one batched call, recording the per-epoch probes on the held-out 30%.
    The seeds are ``seed .. seed + seeds - 1``: seed s draws the split (``random_state=s``) and
    the initialisation and shuffles (model id s), the same for every loss.
    Long table: loss, seed, epoch and the probes (accuracy, balanced accuracy, sensitivity,
    specificity, uncertain_share, flip_share, param_norm, mean_abs_logit)."""
    from lossfns.training import MLPSpec, Task, train_batched
    spec = MLPSpec(tuple((h, "relu", 0.0) for h in hidden))
    ids = [seed + s for s in range(seeds)]
    splits = [_split(ds, s) for s in ids]
    tasks = [Task(Xtr, ytr, X_val=Xte, y_val=yte) for Xtr, Xte, ytr, yte in splits]
    rows = []
    for label, fn in losses.items():
        res = train_batched(spec, tasks, fn, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                            optimizer_kwargs={"lr": lr}, seed=0, model_ids=ids,
                            probes=True, quiet=quiet, track_eval=False)
        p = res.probes
        for s in range(seeds):
            for e in range(epochs):
                row = {"loss": label, "seed": ids[s], "epoch": e + 1, "param_norm": p["param_norm"][s, e]}
                for k in ("accuracy", "balanced_accuracy", "sensitivity", "specificity", "uncertain_share",
                          "flip_share", "mean_abs_logit"):
                    row[k] = p[f"val/{k}"][s, e]
                rows.append(row)
    return pd.DataFrame(rows)


def train_imbalanced(ds, cs, *, seeds: int, epochs: int, **kwargs) -> pd.DataFrame:
    """:func:`train_probed` with BCE, focal (γ = 2) and l24, l6 for each asymmetry ``c`` in
    ``cs`` (labels ``"l6 c=4"``...); ``kwargs`` (``seed``...) go to :func:`train_probed`."""
    losses = {"BCE": make_loss("BCE"), "focal γ=2": make_loss("focal γ=2")}
    for c in cs:
        losses[f"l24 c={c:g}"] = make_loss("l24", c=float(c))
        losses[f"l6 c={c:g}"] = make_loss("l6", c=float(c))
    return train_probed(ds, losses, seeds=seeds, epochs=epochs, **kwargs)


# ------------------------------------------------------------------ Sec. 5 to convergence (issue 22)

#: (train, test, validation) fractions of the Sec. 5 runs: the package's tabular split
#: (:data:`lossfns.training.splits.TABULAR_FRACTIONS`), stratified (register A99)
SEC5_FRACTIONS = (0.64, 0.20, 0.16)

#: Sec. 5 runs per arm: label -> (loss of :data:`LOSSES_001`, asymmetry c); ``c="imbalance"`` is
#: the training split's n_neg / n_pos, the weight of weighted BCE written as an asymmetry
#: (registers A99-A111)
SEC5_ARMS = {
    "balanced": {"BCE": ("BCE", None), "l24 c=1": ("l24", 1.0), "l6 c=1": ("l6", 1.0)},
    "natural": {"weighted BCE": ("weighted BCE", None), "l24 c=1": ("l24", 1.0), "l6 c=1": ("l6", 1.0),
                "l24 c=n-/n+": ("l24", "imbalance"), "l6 c=n-/n+": ("l6", "imbalance")},
}


def sec5_splits(ds, seed: int, *, fractions=SEC5_FRACTIONS) -> dict:
    """One seed's data for the Sec. 5 runs: a stratified (train, test, validation) split of ``ds``
    (``random_state=seed``), standardised on the training rows. ``X_train``/``y_train`` and
    ``X_val``/``y_val``: the rows as they are (the "natural" arm); ``X_bal``/``y_bal`` and
    ``X_val_bal``/``y_val_bal``: the same rows with the positives oversampled at random
    (:func:`lossfns.training.random_oversample`, seeds ``seed`` and ``seed + 1``) to the
    negatives' count, so every epoch and the validation loss is half positives (the "balanced"
    arm, register A99); ``X_test``/``y_test``: the held-out rows, never balanced (balanced accuracy
    and AUROC do not depend on the class shares). ``weights``: ``(W_n, W_p)`` of the training rows
    (:func:`lossfns.training.class_weights`); ``seed`` is kept."""
    from lossfns._validation import check_int
    from lossfns.training import class_weights, random_oversample
    from lossfns.training.splits import standardize, train_val_test_split
    seed = check_int("seed", seed, 0)
    y = np.asarray(ds.y)
    sp = train_val_test_split(y, fractions, seed=seed)
    Xtr, Xva, Xte, _ = standardize(ds.X[sp.train], ds.X[sp.val], ds.X[sp.test])
    ytr, yva, yte = y[sp.train], y[sp.val], y[sp.test]
    Xb, yb = random_oversample(Xtr, ytr, seed=seed)
    Xvb, yvb = random_oversample(Xva, yva, seed=seed + 1)
    return {"seed": seed, "X_train": Xtr, "y_train": ytr, "X_val": Xva, "y_val": yva, "X_bal": Xb, "y_bal": yb,
            "X_val_bal": Xvb, "y_val_bal": yvb, "X_test": Xte, "y_test": yte, "weights": class_weights(ytr)}


def train_converged(data, losses: dict, *, arm: str, max_epochs: int, patience: int, hidden=(16, 8),
                    batch_size: int = 128, lr: float = 1e-3, quiet: bool = True) -> pd.DataFrame:
    """Train the MLP of :func:`train_probed` (``hidden`` ReLU layers, sigmoid output, Adam ``lr``)
    on each seed's draw of ``data`` (a list of :func:`sec5_splits`) with each loss of ``losses``
    (label -> per-sample loss function), all seeds of one loss in one batched call, **to
    convergence**: early stopping on the validation loss (the model's own loss; no new minimum
    for ``patience`` epochs), at most ``max_epochs`` epochs, the best epoch's parameters restored.
    ``arm="balanced"`` trains and validates on the oversampled rows (half positives),
    ``"natural"`` on the rows as they are. Model id = the draw's seed (initialisation and
    shuffles), the same for every loss. One row per loss and seed, scored on the held-out test
    rows at the threshold 0.5: balanced accuracy, sensitivity, specificity and AUROC; the epochs
    (1-based) of the best validation loss and of the stop; ``hit_cap``: the cap stopped the model,
    not early stopping; ``above_chance``: balanced accuracy above 0.5 (the majority rule's)."""
    from sklearn.metrics import roc_auc_score

    from lossfns._validation import check_choice, check_positive, check_positive_int
    from lossfns.training import MLPSpec, Task, train_batched
    arm = check_choice("arm", arm, ("balanced", "natural"))
    max_epochs = check_positive_int("max_epochs", max_epochs)
    patience = check_positive_int("patience", patience)
    check_positive("lr", lr)
    data = list(data)
    if not data or not all(isinstance(d, dict) and "X_test" in d for d in data):
        raise ValueError("data must be a non-empty list of sec5_splits() draws")
    if not isinstance(losses, dict) or not losses or not all(callable(f) for f in losses.values()):
        raise ValueError("losses must be a non-empty dict of label -> per-sample loss function")
    tr = ("X_bal", "y_bal", "X_val_bal", "y_val_bal") if arm == "balanced" else ("X_train", "y_train", "X_val", "y_val")
    tasks = [Task(d[tr[0]], d[tr[1]], X_eval=d["X_test"], y_eval=d["y_test"], X_val=d[tr[2]], y_val=d[tr[3]])
             for d in data]
    ids = [int(d["seed"]) for d in data]
    spec = MLPSpec(tuple((h, "relu", 0.0) for h in hidden))
    rows = []
    for label, fn in losses.items():
        res = train_batched(spec, tasks, fn, epochs=max_epochs, batch_size=batch_size, optimizer="adam",
                            optimizer_kwargs={"lr": lr}, seed=0, model_ids=ids, patience=patience,
                            track_eval=False, quiet=quiet)
        for m, d in enumerate(data):
            y, p = np.asarray(d["y_test"]), res.eval_proba[m]
            hit = p >= 0.5
            sens, spec_ = float(hit[y == 1].mean()), float((~hit[y == 0]).mean())
            best, stop = int(res.best_epoch[m]), int(res.stopped_epoch[m])
            rows.append({"arm": arm, "loss": label, "seed": ids[m], "balanced_accuracy": (sens + spec_) / 2,
                         "sensitivity": sens, "specificity": spec_,
                         "auroc": float(roc_auc_score(y, p)) if np.isfinite(p).all() else float("nan"),
                         "best_epoch": best + 1, "stopped_epoch": stop + 1,
                         "hit_cap": bool(stop - best < patience)})
    out = pd.DataFrame(rows)
    out["above_chance"] = out["balanced_accuracy"] > 0.5
    return out


def sec5_runs(ds, *, seeds: int, max_epochs: int, patience: int, seed: int = 0, arms=SEC5_ARMS,
              **kwargs) -> pd.DataFrame:
    """Issue 22's Sec. 5 protocol on ``ds``: for seeds ``seed .. seed + seeds - 1`` one
    :func:`sec5_splits` draw each, then every loss of ``arms`` (arm -> label -> (loss, c); default
    :data:`SEC5_ARMS`: BCE, l24 and l6 at c = 1 on balanced epochs; weighted BCE, l24 and l6 at
    c = 1 and at c = n_neg / n_pos on the natural epochs) trained by :func:`train_converged`.
    Weighted BCE uses the training rows' class weights :math:`(W_n, W_p)`; ``c="imbalance"`` is
    :math:`W_p / W_n` = n_neg / n_pos. Stratified splits give every seed the same class counts;
    seeds with different counts are an error (one loss function serves all seeds of a call).
    ``kwargs`` go to :func:`train_converged`. The long table of :func:`train_converged` for every
    arm, with the asymmetry ``c`` used (NaN for BCE)."""
    from lossfns._validation import check_int, check_positive_int
    seeds = check_positive_int("seeds", seeds)
    seed = check_int("seed", seed, 0)
    if not isinstance(arms, dict) or not arms or not set(arms) <= {"balanced", "natural"}:
        raise ValueError(f"arms must be a dict with keys among ['balanced', 'natural'], got {arms!r}")
    data = [sec5_splits(ds, seed + s) for s in range(seeds)]
    weights = {d["weights"] for d in data}
    if len(weights) != 1:
        raise ValueError(f"the seeds' training splits have different class weights {sorted(weights)}; "
                         "sec5_runs needs one weight for all seeds")
    (w_n, w_p), = weights
    tables = []
    for arm, spec in arms.items():
        losses, cs = {}, {}
        for label, (name, c) in spec.items():
            if c is None:
                losses[label] = weighted_bce_loss(w_n, w_p) if name == "weighted BCE" else make_loss(name)
                cs[label] = float("nan")
            else:
                cs[label] = w_p / w_n if c == "imbalance" else float(c)
                losses[label] = make_loss(name, c=cs[label])
        t = train_converged(data, losses, arm=arm, max_epochs=max_epochs, patience=patience, **kwargs)
        tables.append(t.assign(c=t["loss"].map(cs)))
    return pd.concat(tables, ignore_index=True)


def converged_checks(table: pd.DataFrame, max_epochs: int) -> pd.DataFrame:
    """Did every model of :func:`sec5_runs` train? Per arm and loss: models, how many beat the
    majority rule (balanced accuracy above 0.5) and how many the cap stopped instead of early
    stopping, the median and largest stopping epoch against the cap ``max_epochs``."""
    need = {"arm", "loss", "above_chance", "hit_cap", "stopped_epoch"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"table must be a DataFrame from sec5_runs with columns {sorted(need)}")
    g = table.groupby(["arm", "loss"], sort=False)
    return pd.DataFrame({"models": g.size(), "above chance": g["above_chance"].sum(),
                         "stopped by the cap": g["hit_cap"].sum(),
                         "median stop epoch": g["stopped_epoch"].median(),
                         "last stop epoch": g["stopped_epoch"].max(),
                         "cap": max_epochs}).reset_index()


#: the parts of the Sec. 5 claims: claim id -> part -> ((arm, loss) of A, (arm, loss) of B, score);
#: each part's paired differences are A - B per seed (registers A99-A111)
SEC5_CLAIM_PARTS = {
    "001/s5/poly_beats_bce_imbalance": {
        f"{k} c=1 - BCE (balanced accuracy)": (("balanced", f"{k} c=1"), ("balanced", "BCE"), "balanced_accuracy")
        for k in ("l24", "l6")},
    "001/s5/poly_beats_bce_controls": {
        **{f"{k} c=1 - weighted BCE (balanced accuracy)": (("balanced", f"{k} c=1"), ("natural", "weighted BCE"),
                                                           "balanced_accuracy") for k in ("l24", "l6")},
        **{f"{k} c=1 - BCE (AUROC)": (("balanced", f"{k} c=1"), ("balanced", "BCE"), "auroc") for k in ("l24", "l6")}},
    "001/intro/asymmetric_better": {
        f"{k} c=n-/n+ - {k} c=1 (balanced accuracy)": (("natural", f"{k} c=n-/n+"), ("natural", f"{k} c=1"),
                                                        "balanced_accuracy") for k in ("l24", "l6")},
}


def sec5_parts(table: pd.DataFrame, spec: dict = SEC5_CLAIM_PARTS) -> dict:
    """The paired differences of every claim part of ``spec`` (default :data:`SEC5_CLAIM_PARTS`)
    from a :func:`sec5_runs` table: claim -> part -> NumPy array of A - B, one value per seed,
    paired by seed (the same split and initialisation). A run of ``spec`` missing from the table,
    or two runs with different seeds, is an error."""
    if not isinstance(table, pd.DataFrame) or not {"arm", "loss", "seed"} <= set(table.columns):
        raise ValueError("table must be a DataFrame from sec5_runs (columns arm, loss, seed, scores)")
    if not isinstance(spec, dict):
        raise ValueError(f"spec must be a dict claim -> part -> (A, B, score), got {type(spec).__name__}")

    def column(run, score):
        arm, loss = run
        v = table[(table["arm"] == arm) & (table["loss"] == loss)].set_index("seed")[score].sort_index()
        if v.empty:
            raise ValueError(f"table has no run of loss {loss!r} on the {arm!r} arm")
        return v

    out = {}
    for claim, parts in spec.items():
        out[claim] = {}
        for part, (a, b, score) in parts.items():
            va, vb = column(a, score), column(b, score)
            if list(va.index) != list(vb.index):
                raise ValueError(f"part {part!r}: the runs {a} and {b} have different seeds")
            out[claim][part] = (va - vb).to_numpy()
    return out


def last_epochs(curves: pd.DataFrame, cols, last: int = 5) -> pd.DataFrame:
    """Per loss and seed the mean of ``cols`` over the last ``last`` epochs."""
    E = int(curves["epoch"].max())
    g = curves[curves["epoch"] > E - last].groupby(["loss", "seed"], sort=False)[list(cols)].mean()
    return g.reset_index()


def trap_simulation(separations, *, seeds: int, epochs: int, n: int = 2000, batch_size: int = 32,
                    lr: float = 0.05, labels=("BCE", "broken 7/16", "broken 3/16", "l6"),
                    seed: int = 0) -> pd.DataFrame:
    """The 1-D picture of Sec. 7: a logistic model y = sigmoid(w x + b) trained with SGD
    (batch ``batch_size``) on two unit-variance Gaussian classes whose means are ± ``sep``/2
    (balanced; the smaller ``sep``, the lower the share of correct predictions near the
    threshold). Per loss, separation, seed and epoch: accuracy, the share of predictions in
    (0.4, 0.6) and the flip share (all on the training points). Per Sec. 7 the broken loss
    should trap y near 0.5 when the local share of correct predictions is below 2/3. The seeds
    are ``seed .. seed + seeds - 1``: seed s draws the points (generator ``1000 + s``) and the
    initialisation and shuffles (model id s), the same for every loss."""
    from lossfns.training import MLPSpec, Task, train_batched
    spec = MLPSpec(())
    ids = [seed + s for s in range(seeds)]
    rows = []
    for sep in separations:
        tasks = []
        for s in ids:
            rng = np.random.default_rng(1000 + s)
            y = (np.arange(n) % 2).astype(float)
            x = rng.normal(size=n) + (y - 0.5) * sep
            tasks.append(Task(x[:, None], y, X_val=x[:, None], y_val=y))
        for label in labels:
            res = train_batched(spec, tasks, make_loss(label), epochs=epochs, batch_size=batch_size,
                                optimizer="sgd", optimizer_kwargs={"lr": lr}, seed=0,
                                model_ids=ids, probes=True, quiet=True, track_eval=False)
            p = res.probes
            for s in range(seeds):
                for e in range(epochs):
                    rows.append({"loss": label, "separation": sep, "seed": ids[s], "epoch": e + 1,
                                 "accuracy": p["val/accuracy"][s, e], "uncertain_share": p["val/uncertain_share"][s, e],
                                 "flip_share": p["val/flip_share"][s, e], "param_norm": p["param_norm"][s, e]})
    return pd.DataFrame(rows)


def all_supported(results: list[dict], what: str) -> dict:
    """One verdict for a claim made against several comparators at once ("better than every
    sigmoid loss"): supported when every comparison is, contradicted when any is, otherwise
    inconclusive; the reasons are joined."""
    verdicts = [r["verdict"] for r in results]
    v = ("supported" if all(x == "supported" for x in verdicts)
         else "contradicted" if "contradicted" in verdicts else "inconclusive")
    return {"verdict": v, "reason": f"{what}: " + "; ".join(r.get("reason", "") for r in results)}


# ------------------------------------------------------------------ Sec. 3: noise-induced uncertainty

NOISE_BASE = {"a1": 0.3, "phi": "sqrt", "eps": 0.01, "lr": 0.01, "batch": 8, "momentum": 0.9}
#: the settings swept one at a time around :data:`NOISE_BASE`
NOISE_GRID = {"eps": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0], "lr": [0.001, 0.003, 0.01, 0.03],
              "batch": [1, 8, 64], "momentum": [0.0, 0.5, 0.9]}


def _dphi(x, phi: str, eps: float | None):
    """φ'(x): sqrt: ε / (x² + ε)^{3/2}; arctan: (2/π) / (1 + x²)."""
    if phi == "sqrt":
        return eps / (x * x + eps) ** 1.5
    return (2 / np.pi) / (1 + x * x)


def sgd_toy(*, a1: float, phi: str, eps: float | None, lr: float, batch, momentum: float,
            steps: int, seeds: int, seed: int = 0, n_grid: int = 4001) -> dict:
    """Stochastic gradient flow with momentum (heavy ball: v <- m v - lr g, θ <- θ + v) on the
    toy model's loss -G(θ), each step's gradient from ``batch`` points ω ~ U[0, 1] (label 1 on
    [0, a1[): g = mean of (2y - 1) φ'(ω - θ) ... with the sign of d(-G)/dθ. ``seeds`` runs at
    once (common random numbers: run s uses the stream of ``seed + s`` whatever the settings).
    Returns, per run, over the second half of the steps: the mean |θ - a1| (distance from the
    correct boundary), the mean |θ - θ*| (from the maximiser of G) and the mean loss above its
    minimum, G(θ*) - G(θ).

    ``batch="full"``: the noise-free control, the same heavy ball with the exact gradient
    -dG/dθ (the closed form of Prop. 4.1's proof), so every run is the same deterministic path."""
    full = isinstance(batch, str)
    if full and batch != "full":
        raise ValueError(f"batch must be an integer >= 1 or 'full', got {batch!r}")
    if steps < 2 or (not full and batch < 1) or seeds < 1:
        raise ValueError(f"steps >= 2, batch >= 1 and seeds >= 1 are required, got {steps}, {batch}, {seeds}")
    grid = np.linspace(0.0, 1.0, n_grid)
    kw = {"phi": phi} if eps is None else {"phi": phi, "eps": eps}
    G = np.asarray(toy_G(grid[:, None], 0.0, 1.0, a1, **kw, n_grid=400))
    theta_star, G_max = grid[int(np.argmax(G))], float(G.max())
    rngs = [np.random.default_rng(seed + s) for s in range(seeds)]
    theta = np.full(seeds, 0.5)
    v = np.zeros(seeds)
    half = steps // 2
    dist_a1 = np.zeros(seeds)
    dist_star = np.zeros(seeds)
    excess = np.zeros(seeds)
    for t in range(steps):
        if full:
            grad = -np.asarray(toy_G_derivative_closed_form(theta, 0.0, 1.0, a1, **kw), float)
        else:
            w = np.stack([r.random(batch) for r in rngs])                 # (seeds, batch)
            sign = np.where(w < a1, 1.0, -1.0)
            # G = ∫ (2y-1)(-φ(ω-θ)) dω, so dG/dθ = mean (2y-1) φ'(ω-θ); the loss is -G
            grad = -np.mean(sign * _dphi(w - theta[:, None], phi, eps), axis=1)
        v = momentum * v - lr * grad
        theta = np.clip(theta + v, 0.0, 1.0)
        if t >= half:
            dist_a1 += np.abs(theta - a1)
            dist_star += np.abs(theta - theta_star)
            excess += G_max - np.interp(theta, grid, G)
    n = steps - half
    return {"dist_a1": dist_a1 / n, "dist_star": dist_star / n, "excess": excess / n,
            "theta_star": float(theta_star)}


def noise_sweep(grid: dict, *, steps: int, seeds: int, base: dict | None = None, seed: int = 0) -> pd.DataFrame:
    """:func:`sgd_toy` varying one setting of ``base`` at a time over ``grid`` (setting ->
    values), at the seeds ``seed .. seed + seeds - 1`` (every setting the same streams). Long
    table: setting, value, seed, dist_a1, dist_star, excess, theta_star."""
    base = dict(NOISE_BASE if base is None else base)
    unknown = sorted(set(grid) - set(base))
    if unknown:
        raise ValueError(f"grid settings must be among {sorted(base)}, got {unknown}")
    rows = []
    for setting, values in grid.items():
        for val in values:
            cfg = {**base, setting: val}
            r = sgd_toy(**cfg, steps=steps, seeds=seeds, seed=seed)
            for s in range(seeds):
                rows.append({"setting": setting, "value": val, "seed": seed + s, "dist_a1": r["dist_a1"][s],
                             "dist_star": r["dist_star"][s], "excess": r["excess"][s],
                             "theta_star": r["theta_star"]})
    return pd.DataFrame(rows)


def sweep_summary(df: pd.DataFrame, cols=("dist_a1", "excess")) -> pd.DataFrame:
    """Mean and 95% t-interval over seeds (:func:`lossfns.verdicts.mean_interval`) of ``cols``
    per setting and value of a :func:`noise_sweep` table."""
    from lossfns.verdicts import mean_interval
    rows = []
    for (setting, value), g in df.groupby(["setting", "value"], sort=False):
        for c in cols:
            e = mean_interval(g[c].to_numpy())
            rows.append({"setting": setting, "value": value, "quantity": c, "mean": e.value, "lo": e.lo,
                         "hi": e.hi, "n": e.n})
    return pd.DataFrame(rows)


def hover_control(*, steps: int, seeds: int, base: dict | None = None, seed: int = 0) -> pd.DataFrame:
    """Sec. 3's hovering against its noise-free control: per seed, the excess over the minimum
    (second half of the steps) of stochastic heavy ball at ``base`` (default :data:`NOISE_BASE`)
    and of the full-batch heavy ball at the same setting (``batch="full"``: no sampling noise).
    Table: seed, sgd, full_batch, excess (sgd minus full batch, the paired difference the claim
    judges: hovering is the noise's doing only if SGD stays above where the exact flow goes)."""
    base = dict(NOISE_BASE if base is None else base)
    r_sgd = sgd_toy(**base, steps=steps, seeds=seeds, seed=seed)
    r_full = sgd_toy(**{**base, "batch": "full"}, steps=steps, seeds=seeds, seed=seed)
    return pd.DataFrame({"seed": seed + np.arange(seeds), "sgd": r_sgd["excess"],
                         "full_batch": r_full["excess"], "excess": r_sgd["excess"] - r_full["excess"]})


def batch_dependence(df: pd.DataFrame, col: str = "excess") -> dict:
    """Paired differences (per seed) of ``col`` between consecutive batch sizes of a
    :func:`noise_sweep` table, smaller batch minus larger ("1 vs 8": excess at batch 1 minus at
    batch 8): the parts of the claim that the hovering level falls as the batch grows."""
    b = df[df["setting"] == "batch"]
    if b.empty:
        raise ValueError("df has no 'batch' setting: run noise_sweep with a batch grid")
    wide = b.pivot(index="seed", columns="value", values=col)
    sizes = sorted(wide.columns)
    if len(sizes) < 2:
        raise ValueError(f"the batch sweep needs at least 2 sizes, got {sizes}")
    return {f"{int(lo)} vs {int(hi)}": (wide[lo] - wide[hi]).to_numpy() for lo, hi in zip(sizes, sizes[1:])}


def optimal_sharpness_test(df: pd.DataFrame, col: str = "dist_a1") -> dict:
    """The "optimal sharpness" claim, honestly split: the best ε (lowest mean ``col``) is chosen
    on the even seeds; on the odd seeds (paired) its ``col`` is compared with the sharpest and
    the smoothest ε. Supported when the chosen ε is interior and beats both ends."""
    from lossfns.verdicts import paired_claim
    e = df[df["setting"] == "eps"]
    wide = e.pivot(index="seed", columns="value", values=col)
    if wide.shape[1] < 3:
        raise ValueError("the eps sweep needs at least 3 values")
    select, test = wide[wide.index % 2 == 0], wide[wide.index % 2 == 1]
    best = float(select.mean().idxmin())
    lo_eps, hi_eps = float(wide.columns.min()), float(wide.columns.max())
    if best in (lo_eps, hi_eps):
        return {"verdict": "contradicted", "best_eps": best,
                "reason": f"the best eps on the selection seeds is an end of the grid ({best:g})"}
    res = [paired_claim((test[end] - test[best]).to_numpy()) for end in (lo_eps, hi_eps)]
    out = all_supported(res, f"eps* = {best:g} (chosen on even seeds) vs eps = {lo_eps:g} and {hi_eps:g} on odd seeds")
    return {**out, "best_eps": best}
