"""Document 002 (Chadha & Jain, a primer of loss functions): the atlas's computations.

The primer has no tables; its replication is every loss seen as a curve, its properties
*computed* (never typed), and the identities it states verified. Each notebook
``002-*`` calls these functions; the plots live in :mod:`lossfns.experiments.doc002.plots`.

* :func:`binary_curves` / :func:`margin_curves`: loss and derivative (torch autograd,
  float64) against the predicted probability of the true class, and against the margin.
* :func:`properties_table`: range, bounded, convex, Lipschitz, strictly proper
  ("calibrated") and needs-logits for every binary loss, all measured on grids.
* :func:`focal_poly_coefficients`: focal loss as a horizontal shift of PolyLoss's
  coefficients (Leng et al. 2022, the primer's Sec. PolyLoss).
* :func:`ce_kl_entropy`, :func:`kl_asymmetry`, :func:`ce_kl_gradients`,
  :func:`minibatch_loss_spread`: the information identities and the "cross-entropy is
  more robust than KL in minibatches" claim.
* :func:`regression_curves`, :func:`huber_c1`, :func:`outlier_line_fits`: Sec. regression.
* :func:`train_embeddings`: 2-D embeddings of scikit-learn's digits under each embedding
  loss, with recall@1 and a linear-probe accuracy on held-out digits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lossfns
from lossfns.losses._registry import LOSSES

__all__ = ["PRESETS", "ATLAS_LOSSES", "binary_curves", "margin_curves", "properties_table",
           "focal_poly_coefficients", "focal_poly_check", "focal_modulation",
           "ce_kl_entropy", "kl_asymmetry", "ce_kl_gradients", "minibatch_loss_spread",
           "regression_curves", "huber_c1", "outlier_line_data", "outlier_line_fits", "EMBEDDING_LOSSES",
           "train_embeddings", "mnr_infonce_gap", "metric_summary", "paired_differences",
           "softmax_sigmoid_gap", "poly1_ce_gap", "aa_floor", "same_class_partner", "recall_at_1",
           "MNR_SWEEP_ARMS", "mnr_batch_sweep", "batch_steps", "sweep_aa_floor"]

PRESETS = {
    "002-1_information": {
        "quick": {"n_classes": 5, "n_batches": 50, "batch_size": 16, "n_samples": 2000},
        "full": {"n_classes": 10, "n_batches": 500, "batch_size": 32, "n_samples": 20000},
    },
    "002-2_classification_atlas": {
        "quick": {"n_points": 401},
        "full": {"n_points": 4001},
    },
    "002-3_regression": {
        "quick": {"n_points": 401, "seeds": 5, "n": 60, "outlier_share": 0.1, "steps": 1000},
        "full": {"n_points": 4001, "seeds": 50, "n": 60, "outlier_share": 0.1, "steps": 1500},
    },
    "002-4_embeddings": {
        "quick": {"seeds": 2, "steps": 100, "dim": 2, "batch_sizes": [16, 64, 256], "sweep_epochs": 3},
        "full": {"seeds": 8, "steps": 400, "dim": 2, "batch_sizes": [16, 64, 256], "sweep_epochs": 30},
    },
}

# (label, registry name, parameters). Probability-input losses are evaluated at the predicted
# probability p of the positive class with t = 1 (t = 0 is the mirror image for the
# symmetric ones); logit-input losses at the logit z.
ATLAS_LOSSES = [
    ("BCE", "binary_cross_entropy", {}),
    ("hinge (Keras, on p)", "hinge", {}),
    ("focal γ=0", "focal", {"gamma": 0.0, "alpha": None}),
    ("focal γ=1", "focal", {"gamma": 1.0, "alpha": None}),
    ("focal γ=2", "focal", {"gamma": 2.0, "alpha": None}),
    ("focal γ=5", "focal", {"gamma": 5.0, "alpha": None}),
    ("Poly-1 ε=-1", "poly1", {"epsilon": -1.0}),
    ("Poly-1 ε=1", "poly1", {"epsilon": 1.0}),
    ("Poly-1 ε=2", "poly1", {"epsilon": 2.0}),
    ("Dice (one sample)", "dice_loss", {}),
    ("Xtreme Margin λ=1", "xtreme_margin", {}),
    ("l24", "l24", {}),
    ("l6", "l6", {}),
    ("broken 7/16", "broken_loss", {"constant": "7/16"}),
    ("broken 3/16", "broken_loss", {"constant": "3/16"}),
    ("soft F1 (one sample in a batch)", "soft_f1_loss", {}),
    ("margin hinge (on z)", "margin_hinge", {}),
    ("sigmoid-free (on z)", "sigmoid_free", {}),
]

_LOGIT_INPUT = {"margin_hinge", "sigmoid_free"}
# a fixed background batch for the per-sample contribution of a batch-pooled loss
_BG_P = np.r_[np.full(50, 0.7), np.full(50, 0.3)]
_BG_T = np.r_[np.ones(50), np.zeros(50)]


def _torch():
    import torch
    return torch


def _per_sample(name: str, params: dict, x, t: float):
    """The loss of one sample (a torch float64 tensor ``x`` of inputs, elementwise) with label
    ``t``; multiclass Poly-1 gets two-class probabilities, the soft F1 one added sample."""
    torch = _torch()
    fn = LOSSES[name].fn
    tt = torch.full_like(x, float(t))
    if name == "poly1":
        probs = torch.stack([1 - x, x], dim=-1)
        onehot = torch.stack([1 - tt, tt], dim=-1)
        return fn(probs, onehot, reduction="none", **params)
    if name == "dice_loss":
        return fn(x[:, None], tt[:, None], axis=1, reduction="none", **params)
    if name == "soft_f1_loss":
        bg_p = torch.as_tensor(_BG_P, dtype=x.dtype).expand(len(x), -1)
        bg_t = torch.as_tensor(_BG_T, dtype=x.dtype).expand(len(x), -1)
        vals = [fn(torch.cat([bg_p[i], x[i:i + 1]]), torch.cat([bg_t[i], tt[i:i + 1]]), **params)
                for i in range(len(x))]
        return torch.stack(vals)
    return fn(x, tt, reduction="none", **params)


def binary_curves(n_points: int = 1001, t: float = 1.0) -> pd.DataFrame:
    """Long table (loss, x, axis, value, derivative): each probability-input loss of
    :data:`ATLAS_LOSSES` on p in (0, 1) and each logit-input one on z in [-6, 6], with label
    ``t``; the derivative is d loss / d input by autograd in float64."""
    torch = _torch()
    rows = []
    for label, name, params in ATLAS_LOSSES:
        logit = name in _LOGIT_INPUT
        grid = np.linspace(-6, 6, n_points) if logit else np.linspace(1e-4, 1 - 1e-4, n_points)
        x = torch.tensor(grid, dtype=torch.float64, requires_grad=True)
        val = _per_sample(name, params, x, t)
        (grad,) = torch.autograd.grad(val.sum(), x)
        rows.append(pd.DataFrame({"loss": label, "name": name, "axis": "z" if logit else "p",
                                  "x": grid, "value": val.detach().numpy(),
                                  "derivative": grad.numpy()}))
    return pd.concat(rows, ignore_index=True)


def margin_curves(n_points: int = 1001, z_max: float = 6.0) -> pd.DataFrame:
    """Every atlas loss against the margin m = (2t-1)·z (t = 1, so m = z): probability-input
    losses see p = sigmoid(z). Columns loss, margin, value, derivative (d loss / d m)."""
    torch = _torch()
    rows = []
    m = np.linspace(-z_max, z_max, n_points)
    for label, name, params in ATLAS_LOSSES:
        z = torch.tensor(m, dtype=torch.float64, requires_grad=True)
        x = z if name in _LOGIT_INPUT else torch.sigmoid(z)
        val = _per_sample(name, params, x, 1.0)
        (grad,) = torch.autograd.grad(val.sum(), z)
        rows.append(pd.DataFrame({"loss": label, "margin": m, "value": val.detach().numpy(),
                                  "derivative": grad.numpy()}))
    return pd.concat(rows, ignore_index=True)


def _values(name: str, params: dict, grid: np.ndarray, t: float) -> np.ndarray:
    torch = _torch()
    with torch.no_grad():
        return _per_sample(name, params, torch.tensor(grid, dtype=torch.float64), t).numpy()


def properties_table(n_points: int = 4001) -> pd.DataFrame:
    """The properties of every atlas loss, measured on grids (nothing typed by hand).

    * ``min``/``max``: range over the grid (p in [1e-6, 1-1e-6] or z in [-20, 20]), t = 1;
    * ``bounded``: the loss at the extreme wrong input changes by < 1e-3 when the grid is
      pushed further (p 1e-6 -> 1e-9, z -20 -> -40);
    * ``convex``: every second difference on the input grid >= -1e-9 (per unit of the largest
      value), for t = 0 and t = 1;
    * ``lipschitz``: the largest slope between grid points stays within 1% when the grid is
      pushed further out;
    * ``proper``: for η in {0.1, ..., 0.9} the minimiser over p (or sigmoid(z)) of
      η·l(p, 1) + (1-η)·l(p, 0) lies within two grid steps of η ("calibrated": a strictly
      proper scoring rule);
    * ``needs_logits``: the loss takes logits (registry tag or input kind).
    """
    rows = []
    for label, name, params in ATLAS_LOSSES:
        logit = name in _LOGIT_INPUT
        if logit:
            near, far = np.linspace(-20, 20, n_points), np.linspace(-40, 40, 2 * n_points - 1)
            to_p = lambda g: 1 / (1 + np.exp(-g))  # noqa: E731
        else:
            near, far = np.linspace(1e-6, 1 - 1e-6, n_points), np.r_[1e-9, np.linspace(1e-6, 1 - 1e-6, n_points), 1 - 1e-9]
            to_p = lambda g: g  # noqa: E731
        v1, v0 = _values(name, params, near, 1.0), _values(name, params, near, 0.0)
        f1 = _values(name, params, far, 1.0)
        scale = max(1.0, float(np.max(np.abs(v1))))
        convex = all(np.all(np.diff(v, 2) >= -1e-9 * scale) for v in (v1, v0))
        slope_near = np.max(np.abs(np.diff(v1) / np.diff(near)))
        slope_far = np.max(np.abs(np.diff(f1) / np.diff(far)))
        fine = np.linspace(-12, 12, 24001) if logit else np.linspace(1e-6, 1 - 1e-6, 20001)
        l1f, l0f = _values(name, params, fine, 1.0), _values(name, params, fine, 0.0)
        pf = to_p(fine)
        step = float(np.max(np.diff(pf)))
        proper = True
        worst = 0.0
        for eta in np.linspace(0.1, 0.9, 9):
            p_star = pf[np.argmin(eta * l1f + (1 - eta) * l0f)]
            worst = max(worst, abs(p_star - eta))
            proper &= abs(p_star - eta) <= 2 * step + 1e-12
        tags = LOSSES[name].tags
        rows.append({"loss": label, "name": name, "input": "logit z" if logit else "probability p",
                     "min": float(np.min(v1)), "max": float(np.max(v1)),
                     "bounded": bool(abs(f1[0] - v1[0]) < 1e-3),
                     "convex": bool(convex), "lipschitz": bool(slope_far <= 1.01 * slope_near),
                     "proper": bool(proper), "worst |argmin - η|": worst,
                     "needs_logits": bool(logit or "needs_logits" in tags)})
    return pd.DataFrame(rows)


def softmax_sigmoid_gap(z) -> float:
    """max over ``z`` of |softmax([z, 0])[0] - sigmoid(z)| (the primer: a two-class softmax with
    one logit fixed at 0 is the sigmoid), both computed by scipy in float64."""
    from scipy.special import expit, softmax
    z = np.asarray(z, dtype=float)
    if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError(f"z must be a non-empty 1-D array of finite logits, got shape {z.shape}")
    two = softmax(np.stack([z, np.zeros_like(z)], axis=1), axis=1)[:, 0]
    return float(np.max(np.abs(two - expit(z))))


def poly1_ce_gap(n: int = 1000, k: int = 5, seed: int = 0) -> float:
    """max |Poly-1(ε = 0) - categorical CE| per sample over ``n`` random (distribution, one-hot
    target) pairs of ``k`` classes: Poly-1 is CE + ε(1 - P_t), so ε = 0 must give CE itself."""
    if n < 1 or k < 2:
        raise ValueError(f"n >= 1 and k >= 2 are required, got n={n!r}, k={k!r}")
    rng = np.random.default_rng(seed)
    q = _random_dists(rng, n, k)
    t = np.eye(k)[rng.integers(0, k, n)]
    poly = np.asarray(lossfns.poly1(q, t, epsilon=0.0, reduction="none"), float)
    ce = np.asarray(lossfns.categorical_cross_entropy(q, t, reduction="none"), float)
    return float(np.max(np.abs(poly - ce)))


def aa_floor(metrics: pd.DataFrame, col: str = "recall@1", a: str = "info_nce",
             b: str = "multiple_negatives_ranking", by: str = "loss") -> dict:
    """The A/A noise floor of the embedding comparisons: InfoNCE (τ 0.1) and MNR (scale 10) are
    one function, so their per-seed difference in ``col`` is noise (float32 order effects in
    training). Returns the per-seed differences, their mean, SD and largest |difference|."""
    d = paired_differences(metrics, col, a, b, by=by)
    return {"values": [float(v) for v in d], "mean": float(np.mean(d)),
            "sd": float(np.std(d, ddof=1)) if len(d) > 1 else float("nan"),
            "max_abs": float(np.max(np.abs(d)))}


def focal_modulation(p, gamma: float) -> np.ndarray:
    """Focal / cross-entropy ratio at probability ``p`` of the true class: (1-p)^γ, the
    "modulating term" the primer names (it decays to 0 as p -> 1)."""
    p = np.asarray(p, dtype=float)
    fl = lossfns.focal(p, np.ones_like(p), gamma=gamma, alpha=None, reduction="none")
    ce = lossfns.binary_cross_entropy(p, np.ones_like(p), reduction="none")
    return fl / ce


def focal_poly_coefficients(gamma: float, n_terms: int = 8) -> pd.DataFrame:
    """The polynomial coefficients α_j of Σ_j α_j (1-p)^j for cross-entropy (α_j = 1/j, j >= 1)
    and for focal loss with γ (α_{j+γ} = 1/j: the same coefficients moved right by γ)."""
    j = np.arange(1, n_terms + 1)
    return pd.DataFrame({"power (CE)": j, "coef (CE)": 1 / j,
                         "power (focal)": j + gamma, "coef (focal)": 1 / j})


def focal_poly_check(gamma: float, p, n_terms: int = 2000) -> float:
    """Largest |focal(p) - Σ_{j<=n} (1-p)^{j+γ}/j| over ``p``: the shifted series against
    the package's focal loss (the truncation error is below (1-p)^{n+γ}/(n·p))."""
    p = np.asarray(p, dtype=float)
    j = np.arange(1, n_terms + 1)[:, None]
    series = np.sum((1 - p)[None, :] ** (j + gamma) / j, axis=0)
    fl = lossfns.focal(p, np.ones_like(p), gamma=gamma, alpha=None, reduction="none")
    return float(np.max(np.abs(series - fl)))


# ------------------------------------------------------------------ information (002-1)

def _random_dists(rng, n, k, concentration=1.0):
    return rng.dirichlet(np.full(k, concentration), size=n)


def ce_kl_entropy(n: int = 1000, k: int = 5, seed: int = 0) -> dict:
    """Largest |H(p, q) - (KL(p||q) + H(p))| over ``n`` random pairs of distributions on ``k``
    classes (natural log), with the package's categorical cross-entropy and KL."""
    rng = np.random.default_rng(seed)
    p, q = _random_dists(rng, n, k), _random_dists(rng, n, k)
    ce = lossfns.categorical_cross_entropy(q, p, reduction="none", eps=1e-300)
    kl = lossfns.kl_divergence(q, p, reduction="none", eps=1e-300)
    h = -np.sum(p * np.log(p), axis=1)
    return {"max_abs_error": float(np.max(np.abs(ce - (kl + h)))), "n": n, "k": k}


def kl_asymmetry(n: int = 1000, k: int = 5, seed: int = 0) -> dict:
    """KL(p||q) against KL(q||p) on random pairs: the share of pairs where they differ by more
    than 1e-9 and the median relative difference."""
    rng = np.random.default_rng(seed)
    p, q = _random_dists(rng, n, k), _random_dists(rng, n, k)
    pq = lossfns.kl_divergence(q, p, reduction="none", eps=1e-300)
    qp = lossfns.kl_divergence(p, q, reduction="none", eps=1e-300)
    diff = np.abs(pq - qp)
    return {"share_different": float(np.mean(diff > 1e-9)),
            "median_rel_diff": float(np.median(diff / np.maximum(pq, qp))), "n": n, "k": k}


def ce_kl_gradients(n: int = 64, k: int = 5, seed: int = 0) -> dict:
    """Gradients of the minibatch mean CE and KL with respect to the model's logits, the targets
    ``p`` fixed: they coincide (KL = CE - H(p), and H(p) does not depend on the model). With
    respect to the *targets* (when they are produced by a model too, e.g. distillation with
    a trained teacher) they differ by the gradient of -H(p)."""
    torch = _torch()
    rng = np.random.default_rng(seed)
    p = torch.tensor(_random_dists(rng, n, k), dtype=torch.float64, requires_grad=True)
    z = torch.tensor(rng.normal(size=(n, k)), dtype=torch.float64, requires_grad=True)
    q = torch.softmax(z, dim=1)
    ce = lossfns.categorical_cross_entropy(q, p, eps=1e-300)
    kl = lossfns.kl_divergence(q, p, eps=1e-300)
    gz_ce, gp_ce = torch.autograd.grad(ce, (z, p), retain_graph=True)
    gz_kl, gp_kl = torch.autograd.grad(kl, (z, p))
    return {"max_diff_wrt_logits": float((gz_ce - gz_kl).abs().max()),
            "max_grad_wrt_logits": float(gz_ce.abs().max()),
            "max_diff_wrt_targets": float((gp_ce - gp_kl).abs().max()), "n": n, "k": k}


def minibatch_loss_spread(n_samples: int = 2000, k: int = 5, batch_size: int = 16,
                          n_batches: int = 200, seed: int = 0) -> pd.DataFrame:
    """One fixed model's predictions on a dataset with soft targets, cut into random minibatches:
    the spread (std over minibatches) of the minibatch CE, KL and H(p'). The value of CE carries
    the minibatch entropy H(p') that KL removes; which one is steadier *as a number* depends on
    the data, and neither changes the gradient (:func:`ce_kl_gradients`)."""
    rng = np.random.default_rng(seed)
    p = _random_dists(rng, n_samples, k, concentration=0.5)
    logits = np.log(p + 1e-3) + rng.normal(scale=0.5, size=p.shape)
    q = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    rows = []
    for _ in range(n_batches):
        idx = rng.choice(n_samples, batch_size, replace=False)
        ce = float(lossfns.categorical_cross_entropy(q[idx], p[idx], eps=1e-300))
        kl = float(lossfns.kl_divergence(q[idx], p[idx], eps=1e-300))
        rows.append({"CE": ce, "KL": kl, "H(p')": ce - kl})
    df = pd.DataFrame(rows)
    return pd.DataFrame({"mean": df.mean(), "std over minibatches": df.std(ddof=1)})


# ------------------------------------------------------------------ regression (002-3)

def regression_curves(n_points: int = 1001, deltas=(0.5, 1.0, 2.0), r_max: float = 4.0) -> pd.DataFrame:
    """MAE, MSE and Huber (each δ) of one residual r = y_pred - y_true, with d/dr (autograd)."""
    torch = _torch()
    r = np.linspace(-r_max, r_max, n_points)
    specs = [("MAE", "mae", {}), ("MSE", "mse", {})] + [(f"Huber δ={d:g}", "huber", {"delta": d}) for d in deltas]
    rows = []
    for label, name, params in specs:
        x = torch.tensor(r, dtype=torch.float64, requires_grad=True)
        val = LOSSES[name].fn(x, torch.zeros_like(x), reduction="none", **params)
        (g,) = torch.autograd.grad(val.sum(), x)
        rows.append(pd.DataFrame({"loss": label, "residual": r, "value": val.detach().numpy(),
                                  "derivative": g.numpy()}))
    return pd.concat(rows, ignore_index=True)


def huber_c1(delta: float = 1.0, h: float = 1e-6) -> dict:
    """One-sided derivatives of Huber at r = δ (equal: C¹) and one-sided second derivatives
    (1 inside, 0 outside: not C²), by finite differences in float64."""
    f = lambda r: float(lossfns.huber(np.array([r]), np.array([0.0]), delta=delta))  # noqa: E731
    d_left = (f(delta) - f(delta - h)) / h
    d_right = (f(delta + h) - f(delta)) / h
    dd_left = (f(delta) - 2 * f(delta - h) + f(delta - 2 * h)) / h ** 2
    dd_right = (f(delta + 2 * h) - 2 * f(delta + h) + f(delta)) / h ** 2
    return {"delta": delta, "d_left": d_left, "d_right": d_right, "jump_first": abs(d_right - d_left),
            "d2_left": dd_left, "d2_right": dd_right}


def _fit_line(x, y, name, params, steps=3000, lr=0.05):
    torch = _torch()
    X = torch.tensor(x, dtype=torch.float64)
    Y = torch.tensor(y, dtype=torch.float64)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = LOSSES[name].fn(w[0] * X + w[1], Y, **params)
        loss.backward()
        opt.step()
    return w.detach().numpy()


def outlier_line_data(seed: int, n: int = 60, outlier_share: float = 0.1, *, slope: float = 2.0,
                      intercept: float = 1.0, noise: float = 0.5, outlier_shift: float = 15.0):
    """The points ``(x, y)`` of seed ``seed`` of :func:`outlier_line_fits`: x ~ U[-2, 2],
    y = ``slope`` x + ``intercept`` + N(0, ``noise``²), ``outlier_share`` of the points shifted
    up by ``outlier_shift``."""
    if not 0 <= outlier_share < 0.5:
        raise ValueError(f"outlier_share must be in [0, 0.5), got {outlier_share!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = slope * x + intercept + rng.normal(scale=noise, size=n)
    out = rng.choice(n, int(round(outlier_share * n)), replace=False)
    y[out] += outlier_shift
    return x, y


def outlier_line_fits(seeds: int = 10, n: int = 60, outlier_share: float = 0.1, *,
                      slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
                      outlier_shift: float = 15.0, delta: float = 1.0, steps: int = 3000,
                      seed: int = 0) -> pd.DataFrame:
    """A line y = 2x + 1 + N(0, 0.5²) with ``outlier_share`` of the points shifted up by 15
    (:func:`outlier_line_data`, seeds ``seed .. seed + seeds - 1``), fitted under MAE, MSE and
    Huber (δ) with Adam (full batch): per seed and loss the fitted slope and intercept and the
    slope's absolute error."""
    if not 0 <= outlier_share < 0.5:
        raise ValueError(f"outlier_share must be in [0, 0.5), got {outlier_share!r}")
    rows = []
    for s in range(seed, seed + seeds):
        x, y = outlier_line_data(s, n, outlier_share, slope=slope, intercept=intercept, noise=noise,
                                 outlier_shift=outlier_shift)
        for label, name, params in (("MAE", "mae", {}), ("MSE", "mse", {}), (f"Huber δ={delta:g}", "huber", {"delta": delta})):
            w = _fit_line(x, y, name, params, steps=steps)
            rows.append({"seed": s, "loss": label, "slope": w[0], "intercept": w[1],
                         "slope_error": abs(w[0] - slope), "intercept_error": abs(w[1] - intercept)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ embeddings (002-4)

EMBEDDING_LOSSES = ("contrastive", "triplet", "info_nce", "multiple_negatives_ranking", "arcface", "ge2e")


def mnr_infonce_gap(n: int = 32, d: int = 8, scale: float = 20.0, seed: int = 0) -> float:
    """|MNR(scale) - InfoNCE(τ = 1/scale)| with in-batch negatives (the primer's two losses are
    one: the test suite checks it too)."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    mnr = lossfns.multiple_negatives_ranking(a, b, scale=scale)
    nce = lossfns.info_nce(a, b, temperature=1 / scale)
    return float(abs(mnr - nce))


def _digits(seed: int):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)


def _embed_loss(name, torch, emb, labels, W, rng):
    """One minibatch objective of ``name`` on embeddings ``emb`` with class ``labels``."""
    n = len(labels)
    lab = labels.numpy()
    if name == "arcface":
        return lossfns.arcface(emb, W, labels, s=8.0, m=0.2)
    if name == "ge2e":
        # GE2E wants (speakers, utterances, dim): the minibatch is 10 classes x 4 samples
        return lossfns.ge2e(emb.reshape(10, 4, -1))
    # pairs: anchor/positive from the same class; negatives from another class
    anchors = np.arange(n)
    pos = np.array([rng.choice(np.flatnonzero(lab == lab[i])) for i in anchors])
    neg = np.array([rng.choice(np.flatnonzero(lab != lab[i])) for i in anchors])
    if name == "contrastive":
        other = np.where(rng.random(n) < 0.5, pos, neg)
        y = torch.tensor((lab[other] != lab).astype(float), dtype=emb.dtype)   # Hadsell: Y=0 similar
        return lossfns.contrastive(emb, emb[other], y, margin=1.0)
    if name == "triplet":
        return lossfns.triplet(emb, emb[pos], emb[neg], margin=1.0)
    if name == "info_nce":
        # one anchor per class so in-batch negatives are other classes
        first = np.array([np.flatnonzero(lab == c)[0] for c in np.unique(lab)])
        return lossfns.info_nce(emb[first], emb[pos[first]], temperature=0.1)
    first = np.array([np.flatnonzero(lab == c)[0] for c in np.unique(lab)])
    return lossfns.multiple_negatives_ranking(emb[first], emb[pos[first]], scale=10.0)


def recall_at_1(emb: np.ndarray, labels: np.ndarray) -> float:
    """Share of the rows of ``emb`` whose nearest other row by cosine has the same label."""
    emb, labels = np.asarray(emb), np.asarray(labels)   # the dtype kept: float32 embeddings rank in float32
    if emb.ndim != 2 or len(emb) < 2 or len(labels) != len(emb):
        raise ValueError(f"emb must be (n >= 2, d) with one label per row, got {emb.shape} and {labels.shape}")
    u = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    sim = u @ u.T
    np.fill_diagonal(sim, -np.inf)
    return float(np.mean(labels[np.argmax(sim, axis=1)] == labels))


def train_embeddings(losses=EMBEDDING_LOSSES, seeds: int = 3, steps: int = 300, dim: int = 2,
                     batch_size: int = 128, lr: float = 1e-2, hidden: int = 64, seed: int = 0):
    """Train a 64-``hidden``-``dim`` MLP embedder on scikit-learn's digits (70% training) with
    each embedding loss and seed (Adam, minibatches of ``batch_size``); the seeds are ``seed ..
    seed + seeds - 1``, seed s drawing the split, initialisation, minibatches and pairs. Returns
    (metrics, embeddings): per loss and seed the held-out recall@1 (nearest held-out neighbour,
    cosine, has the same digit) and the accuracy of a logistic-regression probe fitted on the
    training embeddings; and the held-out embeddings of the first seed (``seed``) for the plots."""
    torch = _torch()
    from sklearn.linear_model import LogisticRegression
    unknown = [name for name in losses if name not in EMBEDDING_LOSSES]
    if unknown:
        raise ValueError(f"losses must be among {EMBEDDING_LOSSES}, got {unknown}")
    rows, embs = [], {}
    for s in range(seed, seed + seeds):
        Xtr, Xte, ytr, yte = _digits(s)
        for name in losses:
            torch.manual_seed(s)
            rng = np.random.default_rng(s)
            net = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, dim))
            W = torch.nn.Parameter(torch.randn(10, dim) * 0.1)
            opt = torch.optim.Adam([*net.parameters(), W], lr=lr)
            Xt, yt = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)
            for _ in range(steps):
                if name == "ge2e":   # class-balanced minibatch: 10 digits x 4 samples
                    idx = torch.as_tensor(np.concatenate(
                        [rng.choice(np.flatnonzero(ytr == c), 4, replace=False) for c in range(10)]))
                else:
                    idx = torch.as_tensor(rng.choice(len(Xt), batch_size, replace=False))
                opt.zero_grad()
                loss = _embed_loss(name, torch, net(Xt[idx]), yt[idx], W, rng)
                loss.backward()
                opt.step()
            with torch.no_grad():
                etr = net(Xt).numpy()
                ete = net(torch.tensor(Xte, dtype=torch.float32)).numpy()
            recall1 = recall_at_1(ete, yte)
            probe = LogisticRegression(max_iter=2000).fit(etr, ytr)
            rows.append({"loss": name, "seed": s, "recall@1": recall1,
                         "probe accuracy": float(probe.score(ete, yte))})
            if s == seed:
                embs[name] = (ete, yte)
    return pd.DataFrame(rows), embs


def metric_summary(metrics: pd.DataFrame, cols=("recall@1", "probe accuracy"), by="loss") -> pd.DataFrame:
    """Mean and 95% t-interval over seeds (lossfns.verdicts.mean_interval) of each metric per
    ``by`` group (a column or a list of columns): long table (the ``by`` columns, metric, mean,
    lo, hi, n)."""
    from lossfns.verdicts import mean_interval
    keys = [by] if isinstance(by, str) else list(by)
    rows = []
    for key, g in metrics.groupby(keys, sort=False):
        for c in cols:
            e = mean_interval(g[c].to_numpy())
            rows.append({**dict(zip(keys, key)), "metric": c, "mean": e.value, "lo": e.lo, "hi": e.hi, "n": e.n})
    return pd.DataFrame(rows)


def paired_differences(df: pd.DataFrame, col: str, a: str, b: str, by: str = "loss") -> np.ndarray:
    """Per seed ``col`` of group ``a`` minus that of group ``b`` (the units of a paired claim)."""
    wide = df.pivot(index="seed", columns=by, values=col)
    missing = [k for k in (a, b) if k not in wide.columns]
    if missing:
        raise ValueError(f"{by} values {missing} not in the table (have {list(wide.columns)})")
    return (wide[a] - wide[b]).to_numpy()


# ------------------------------------------------------------------ MNR and batch size (002-4)

#: The arms of :func:`mnr_batch_sweep`: MNR (scale 10) and, as its A/A twin, InfoNCE (τ 0.1),
#: one function coded twice (register A96), so their per-seed difference is the design's noise.
MNR_SWEEP_ARMS = ("multiple_negatives_ranking", "info_nce")


def same_class_partner(labels, rng) -> np.ndarray:
    """For every index i a uniformly drawn *other* index j with ``labels[j] == labels[i]`` (the
    positive of anchor i); every class needs at least two members."""
    y = np.asarray(labels)
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    if np.any(counts < 2):
        raise ValueError(f"every class needs >= 2 members, got counts {dict(zip(classes.tolist(), counts.tolist()))}")
    order = np.argsort(inverse, kind="stable")          # indices grouped by class
    start = np.r_[0, np.cumsum(counts)[:-1]]
    rank = np.empty(len(y), dtype=int)
    rank[order] = np.arange(len(y)) - start[inverse[order]]
    n_c = counts[inverse]
    off = rng.integers(1, n_c)                           # 1 .. n_c - 1: never the anchor itself
    return order[start[inverse] + (rank + off) % n_c]


def mnr_batch_sweep(batch_sizes=(16, 64, 256), seeds: int = 3, epochs: int = 30, dim: int = 2,
                    scale: float = 10.0, lr: float = 1e-2, hidden: int = 64, seed: int = 0,
                    arms=MNR_SWEEP_ARMS, threads: int | None = 1) -> pd.DataFrame:
    """Multiple Negatives Ranking on scikit-learn's digits at each batch size, for a fixed number
    of ``epochs`` (register A100): the 64-``hidden``-``dim`` MLP of :func:`train_embeddings`
    (the same split, Adam lr), each epoch every training digit once as an anchor in a shuffled
    minibatch of ``batch_size`` anchors (the last one smaller, as a DataLoader without
    drop_last), its positive a random other training digit of the same class (redrawn each
    epoch), the other positives of the batch its negatives (a same-digit one among them too, as
    MNR's random in-batch negatives would). Seed s draws the split and, for every batch size
    and arm, the same initialisation (paired). ``arms``: MNR (scale) and InfoNCE (τ = 1/scale),
    the same function, as the A/A twin. Returns one row per (loss, batch_size, seed): held-out
    recall@1 (:func:`recall_at_1`) and the number of optimiser steps taken. ``threads``: torch's
    intra-op threads while training (1: tiny matrices, and the cost is stated per core; None
    leaves the setting alone)."""
    torch = _torch()
    batch_sizes = [int(b) for b in batch_sizes]
    if not batch_sizes or min(batch_sizes) < 2 or len(set(batch_sizes)) != len(batch_sizes):
        raise ValueError(f"batch_sizes must be distinct integers >= 2, got {batch_sizes!r}")
    if epochs < 1 or seeds < 1:
        raise ValueError(f"epochs >= 1 and seeds >= 1 are required, got epochs={epochs!r}, seeds={seeds!r}")
    bad = [a for a in arms if a not in MNR_SWEEP_ARMS]
    if bad:
        raise ValueError(f"arms must be among {MNR_SWEEP_ARMS}, got {bad}")
    fns = {"multiple_negatives_ranking": lambda a, p: lossfns.multiple_negatives_ranking(a, p, scale=scale),
           "info_nce": lambda a, p: lossfns.info_nce(a, p, temperature=1 / scale)}
    threads_before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return pd.DataFrame(_sweep_rows(torch, batch_sizes, seeds, epochs, dim, fns, lr, hidden, seed, arms))
    finally:
        torch.set_num_threads(threads_before)


def _sweep_rows(torch, batch_sizes, seeds, epochs, dim, fns, lr, hidden, seed, arms):
    rows = []
    for s in range(seed, seed + seeds):
        Xtr, Xte, ytr, yte = _digits(s)
        Xt, Xe = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
        n = len(Xt)
        for b in batch_sizes:
            for name in arms:
                torch.manual_seed(s)
                rng = np.random.default_rng(s)
                net = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, dim))
                opt = torch.optim.Adam(net.parameters(), lr=lr)
                steps = 0
                for _ in range(epochs):
                    perm = rng.permutation(n)
                    partner = same_class_partner(ytr, rng)
                    for i in range(0, n, b):
                        a = perm[i:i + b]
                        if len(a) < 2:      # one pair has no in-batch negative
                            continue
                        opt.zero_grad()
                        emb = net(Xt[torch.as_tensor(np.r_[a, partner[a]])])
                        loss = fns[name](emb[:len(a)], emb[len(a):])
                        loss.backward()
                        opt.step()
                        steps += 1
                with torch.no_grad():
                    ete = net(Xe).numpy()
                rows.append({"loss": name, "batch_size": b, "seed": s, "epochs": epochs, "steps": steps,
                             "recall@1": recall_at_1(ete, yte)})
    return rows


def batch_steps(sweep: pd.DataFrame, col: str = "recall@1", loss: str = "multiple_negatives_ranking") -> dict:
    """The parts of "improves with batch size": for each step between consecutive batch sizes
    of ``sweep`` (:func:`mnr_batch_sweep`), the per-seed ``col`` at the larger minus that at the
    smaller, for ``loss`` ("64 minus 16": array over seeds)."""
    g = sweep[sweep["loss"] == loss]
    if g.empty:
        raise ValueError(f"loss {loss!r} not in the sweep (have {sorted(sweep['loss'].unique())})")
    sizes = sorted(g["batch_size"].unique())
    if len(sizes) < 2:
        raise ValueError(f"at least two batch sizes are needed, got {sizes}")
    return {f"{big} minus {small}": paired_differences(g, col, big, small, by="batch_size")
            for small, big in zip(sizes[:-1], sizes[1:])}


def sweep_aa_floor(sweep: pd.DataFrame, margin: float, col: str = "recall@1") -> dict:
    """The A/A noise floor of the sweep: at every batch size InfoNCE minus MNR per seed
    (:func:`aa_floor`), and all of them pooled; ``respects_margin`` is whether the pooled A/A
    mean difference's 95% t-interval lies inside ±``margin`` (noise alone does not reach the
    claim's margin on average), with the pooled largest |difference| beside it."""
    from lossfns.verdicts import mean_interval
    per = {int(b): aa_floor(g, col) for b, g in sweep.groupby("batch_size")}
    pooled = np.concatenate([f["values"] for f in per.values()])
    e = mean_interval(pooled)
    return {"per_batch_size": per, "pooled_mean": e.value, "pooled_lo": e.lo, "pooled_hi": e.hi,
            "pooled_sd": float(np.std(pooled, ddof=1)) if len(pooled) > 1 else float("nan"),
            "max_abs": float(np.max(np.abs(pooled))), "margin": float(margin),
            "respects_margin": bool(-margin < e.lo and e.hi < margin)}
