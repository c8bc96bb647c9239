"""Document 000 (Xtreme Margin): training protocols of Sec. 11-12, 14, 15 and 18.

Notebooks ``000-12_subgradient``, ``000-14_training_convergence`` and
``000-15_decision_boundaries`` are thin wrappers over these functions.

Shared conventions (as :mod:`lossfns.experiments.doc000.protocols`):

* losses are named ``"bce"``, ``"hinge"`` and ``"xm(l1,l2)"``
  (:func:`~lossfns.experiments.doc000.protocols.make_loss`);
* a stratified hold-out split per seed (``holdout(y, test_fraction, seed + s)``),
  features standardised with the statistics of the training rows only;
* common random numbers: model ``s`` draws its initialisation, shuffles and
  dropout masks from ``(seed, s)`` whatever the loss or optimiser, so losses
  are compared on the same splits, inits and masks (paired comparisons);
* the batch size is a parameter: 32 (Keras' default, SPEC) or 1 (the only
  size the paper's TensorFlow XM code runs with).

"Train accuracy" in the curves is what Keras' ``fit`` history reports: the
running mean over the epoch's batches with dropout on, so it can sit below the
test accuracy (dropout off) for a network with dropout.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from ... import evaluation
from ...losses import xtreme_margin
from ..._ops import NUMPY
from ..._validation import check_positive_int, check_xy
from ...metrics import hard_labels
from ...training import cv_tasks, stratified_kfold, train_batched
from ...training.mlp import forward
from .protocols import BOUNDARY_SPEC, PAPER000_SPEC, holdout, holdout_tasks, make_loss, parse_xm  # noqa: F401 (holdout_tasks, parse_xm re-exported)
# The split fractions and ratio pairs live with the notebooks' presets (protocols.PRESETS).
from .protocols import BOUNDARY_TEST_FRACTION, CURVES_TEST_FRACTION, RATIO_PAIRS

__all__ = ["CURVES_TEST_FRACTION", "BOUNDARY_TEST_FRACTION", "RATIO_PAIRS", "parse_xm",
           "holdout_tasks", "curves", "band_summary", "convergence_stats", "convergence_verdicts",
           "feature_scores", "select_features", "boundary_models", "conditional_accuracy_vs_ratio",
           "ratio_trend", "subgradient_runs", "subgradient_inequality", "optimizer_convergence", "paired_change",
           "agreement_summary"]


def _check_losses(losses):
    if isinstance(losses, str):
        losses = [losses]
    losses = list(losses)
    if not losses:
        raise ValueError("losses must name at least one loss")
    for name in losses:
        make_loss(name)  # raises ValueError on an unknown name
    return losses


def curves(X, y, losses, *, n_seeds: int = 20, epochs: int = 50,
           test_fraction: float = CURVES_TEST_FRACTION, batch_size: int = 32,
           optimizer: str = "rmsprop", optimizer_kwargs: dict | None = None,
           standardize: bool = True, seed: int = 0, device: str = "auto", spec=PAPER000_SPEC,
           label: str | None = None, quiet: bool = True) -> pd.DataFrame:
    """Sec. 14 evaluation curves: per-epoch train/test accuracy and loss.

    For every loss, ``n_seeds`` models (model ``s``: split ``seed + s``, init
    and shuffles from ``(seed, s)``) train together. Long format, one row per
    (loss, seed, epoch): ``train_loss``, ``train_acc`` (Keras-style running
    mean, dropout on), ``test_loss``, ``test_acc`` (end of epoch, dropout
    off); plus ``batch_size``, ``optimizer`` and ``label`` (default: the
    optimizer name) columns.
    """
    losses = _check_losses(losses)
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    tasks, _, _ = holdout_tasks(X, y, n_seeds=n_seeds, test_fraction=test_fraction, seed=seed,
                                standardize=standardize)
    frames = []
    for loss in losses:
        res = train_batched(spec, tasks, make_loss(loss), epochs=epochs, batch_size=batch_size,
                            optimizer=optimizer, optimizer_kwargs=optimizer_kwargs, seed=seed,
                            device=device, quiet=quiet, track_eval=True)
        h = res.history
        S, E = h["train_acc"].shape
        frames.append(pd.DataFrame({
            "loss": loss, "label": label or optimizer, "optimizer": optimizer,
            "batch_size": int(batch_size),
            "seed": np.repeat(np.arange(S), E), "epoch": np.tile(np.arange(1, E + 1), S),
            "train_loss": h["train_loss"].ravel(), "train_acc": h["train_acc"].ravel(),
            "test_loss": h["eval_loss"].ravel(), "test_acc": h["eval_acc"].ravel()}))
    return pd.concat(frames, ignore_index=True)


def band_summary(df: pd.DataFrame, values=("train_acc", "test_acc"), by=("loss", "epoch"),
                 lo: float = 0.1, hi: float = 0.9) -> pd.DataFrame:
    """Mean, sd (ddof=1; 0 for one seed) and the ``lo``/``hi`` quantiles over
    seeds of each column in ``values``, grouped by ``by``. Columns are named
    ``<value>_mean``, ``<value>_sd``, ``<value>_lo``, ``<value>_hi``."""
    if not 0.0 <= lo < hi <= 1.0:
        raise ValueError(f"need 0 <= lo < hi <= 1, got lo={lo!r}, hi={hi!r}")
    by = list(by)
    g = df.groupby(by, sort=False)
    out = g.size().rename("n").reset_index()
    for v in values:
        out[f"{v}_mean"] = g[v].mean().to_numpy()
        out[f"{v}_sd"] = g[v].std(ddof=1).fillna(0.0).to_numpy()
        out[f"{v}_lo"] = g[v].quantile(lo).to_numpy()
        out[f"{v}_hi"] = g[v].quantile(hi).to_numpy()
    return out


def _epoch_groups(df: pd.DataFrame, by):
    """``(keys, rows, last epoch)`` for each group of a per-epoch frame grouped by ``by``."""
    by = list(by)
    for key, d in df.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, key)), d, int(d["epoch"].max())


def convergence_stats(df: pd.DataFrame, *, overfit_after: int = 10, last: int = 10,
                      by=("loss",)) -> pd.DataFrame:
    """Per loss (``by``): the numbers behind the Sec. 14 claims.

    * ``train_acc_final``/``test_acc_final``: mean over seeds of the mean over
      the last ``last`` epochs; ``test_acc_final_se``: its standard error over
      seeds;
    * ``gap_final``: train minus test accuracy over the same window;
    * ``gap_after``: mean train - test accuracy over epochs > ``overfit_after``;
    * ``frac_test_below_train``: share of epochs > ``overfit_after`` where the
      seed-mean test accuracy is below the seed-mean train accuracy;
    * ``peak_test_acc``/``peak_epoch``: best seed-mean test accuracy and its
      epoch; ``drop_from_peak``: peak minus ``test_acc_final``.
    """
    check_positive_int("last", last)
    rows = []
    for keys, d, E in _epoch_groups(df, by):
        if overfit_after >= E:
            raise ValueError(f"overfit_after ({overfit_after}) must be below the epochs ({E})")
        tail = d[d["epoch"] > E - min(last, E)].groupby("seed")[["train_acc", "test_acc"]].mean()
        per_epoch = d.groupby("epoch")[["train_acc", "test_acc"]].mean()
        after = per_epoch[per_epoch.index > overfit_after]
        S = len(tail)
        rows.append({**keys, "n_seeds": S, "epochs": E,
                     "train_acc_final": float(tail["train_acc"].mean()),
                     "test_acc_final": float(tail["test_acc"].mean()),
                     "test_acc_final_se": float(tail["test_acc"].std(ddof=1) / math.sqrt(S))
                     if S > 1 else float("nan"),
                     "gap_final": float((tail["train_acc"] - tail["test_acc"]).mean()),
                     "gap_after": float((after["train_acc"] - after["test_acc"]).mean()),
                     "frac_test_below_train": float((after["test_acc"] < after["train_acc"]).mean()),
                     "peak_test_acc": float(per_epoch["test_acc"].max()),
                     "peak_epoch": int(per_epoch["test_acc"].idxmax()),
                     "drop_from_peak": float(per_epoch["test_acc"].max() - tail["test_acc"].mean())})
    return pd.DataFrame(rows)


def _paired_diff(df, a, b, col="test_acc", last=10):
    """Mean and SE over seeds of (a - b) in ``col`` averaged over the last epochs."""
    E = int(df["epoch"].max())
    tail = df[df["epoch"] > E - min(last, E)]
    per = tail.groupby(["loss", "seed"])[col].mean().unstack(0)
    d = per[a] - per[b]
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else float("nan")
    return float(d.mean()), se


def convergence_verdicts(df: pd.DataFrame, *, bce: str = "bce", best_xm: str = "xm(2,100)",
                         overfit_after: int = 10, last: int = 10, overfit_margin: float = 0.02,
                         reading: str = "") -> pd.DataFrame:
    """Verdicts on the three Sec. 14 claims from :func:`curves` output.

    Rules (stated so they can be checked):

    1. "BCE achieved the highest accuracy": supported when BCE has the highest
       final test accuracy (last ``last`` epochs, mean over seeds) of all losses.
    2. "BCE slightly overfit: test accuracy consistently below train after
       ~10 epochs": supported when the seed-mean test accuracy is below the
       train accuracy on at least 90% of epochs > ``overfit_after`` **and** the
       final gap exceeds ``overfit_margin``.
    3. "XM(2,100) generalised best (neither under- nor overfit)": supported when
       ``best_xm`` has the highest final test accuracy of all losses and its
       final |train - test| gap is at most ``overfit_margin``.
    """
    st = convergence_stats(df, overfit_after=overfit_after, last=last).set_index("loss")
    if bce not in st.index or best_xm not in st.index:
        raise ValueError(f"curves must contain {bce!r} and {best_xm!r}")
    best = st["test_acc_final"].idxmax()
    tag = f" [{reading}]" if reading else ""
    fmt = ", ".join(f"{k} {v:.3f}" for k, v in st["test_acc_final"].items())
    d_b, se_b = _paired_diff(df, bce, best_xm, last=last)
    b = st.loc[bce]
    x = st.loc[best_xm]
    rows = [
        ("BCE achieves the highest accuracy (Sec. 14)" + tag,
         "supported" if best == bce else "not supported",
         f"final test acc: {fmt}; BCE - {best_xm} = {d_b:+.3f} (SE {se_b:.3f})"),
        (f"BCE overfits: test below train after ~{overfit_after} epochs (Sec. 14)" + tag,
         "supported" if b["frac_test_below_train"] >= 0.9 and b["gap_final"] > overfit_margin
         else "not supported",
         f"BCE test < train on {b['frac_test_below_train']:.0%} of epochs > {overfit_after}; "
         f"final gap {b['gap_final']:+.3f} (train {b['train_acc_final']:.3f}, test "
         f"{b['test_acc_final']:.3f}); drop from peak {b['drop_from_peak']:.3f}"),
        (f"{best_xm} generalises best, neither under- nor overfits (Sec. 14)" + tag,
         "supported" if best == best_xm and abs(x["gap_final"]) <= overfit_margin else "not supported",
         f"best final test acc: {best}; {best_xm} test {x['test_acc_final']:.3f}, "
         f"gap {x['gap_final']:+.3f}"),
    ]
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])


# --------------------------------------------------------------------------- Sec. 15

def feature_scores(X, y, *, seed: int = 0) -> pd.DataFrame:
    """Univariate separability of every feature, on the rows given (pass the
    training rows only): AUROC of the raw feature as a score, ``|AUROC - 0.5|``
    (direction-free), and mutual information (sklearn, ``random_state=seed``; shown
    only, the ranking does not use it).
    Sorted by ``abs_auroc`` descending (ties: lower index first)."""
    from sklearn.feature_selection import mutual_info_classif

    X, y = check_xy(X, y)
    if y.min() == y.max():
        raise ValueError("feature_scores needs both classes in y")
    au = np.array([evaluation.auroc(y, X[:, j]) if X[:, j].std() > 0 else 0.5
                   for j in range(X.shape[1])])
    mi = mutual_info_classif(X, y, random_state=seed)
    df = pd.DataFrame({"feature": np.arange(X.shape[1]), "auroc": au, "abs_auroc": np.abs(au - 0.5),
                       "mutual_info": mi})
    return df.sort_values(["abs_auroc", "feature"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)


def select_features(X, y, k: int = 2) -> list[int]:
    """Indices of the ``k`` features with the largest ``|AUROC - 0.5|``
    (:func:`feature_scores`; pass training rows only)."""
    check_positive_int("k", k)
    X, y = check_xy(X, y)
    if k > X.shape[1]:
        raise ValueError(f"k ({k}) exceeds the number of features ({X.shape[1]})")
    return [int(j) for j in feature_scores(X, y)["feature"][:k]]


def boundary_models(X, y, losses, *, n_seeds: int = 10, epochs: int = 50,
                    test_fraction: float = BOUNDARY_TEST_FRACTION, batch_size: int = 32,
                    optimizer: str = "rmsprop", standardize: bool = True, seed: int = 0,
                    device: str = "auto", spec=BOUNDARY_SPEC, grid_size: int = 101,
                    limits=None, vary_split: bool = False, quiet: bool = True) -> dict:
    """Fig. 10-12: small networks on two features and their decision regions.

    ``X`` holds the two chosen features (n, 2). With ``vary_split=False``
    (default) every model uses the one stratified split drawn with ``seed``
    (so features chosen on its training rows stay clean of test rows) and the
    ``n_seeds`` models differ in initialisation and shuffling only; with
    ``vary_split=True`` model ``s`` uses split ``seed + s``. Each model's
    scaler is fitted on its training rows. The grid spans
    ``limits`` ((x0_min, x0_max), (x1_min, x1_max)) in **raw** feature units
    (default: the data range padded by 5%); each model sees the grid through
    its own scaler, so all seeds share one picture.

    Returns a dict: ``"xx"``, ``"yy"`` (grid_size, grid_size) raw coordinates;
    ``"proba"``: {loss: (n_seeds, grid_size, grid_size)}; ``"splits"``;
    ``"metrics"``: DataFrame (loss, seed, train/test accuracy and per-class
    conditional accuracy on the test part).
    """
    losses = _check_losses(losses)
    X, y = check_xy(X, y)
    if X.shape[1] != 2:
        raise ValueError(f"boundary_models needs exactly two features, got {X.shape[1]}")
    check_positive_int("grid_size", grid_size)
    tasks, splits, scalers = holdout_tasks(X, y, n_seeds=n_seeds if vary_split else 1,
                                           test_fraction=test_fraction, seed=seed,
                                           standardize=standardize)
    if not vary_split:
        tasks, splits, scalers = tasks * n_seeds, splits * n_seeds, scalers * n_seeds
    if limits is None:
        lo, hi = X.min(0), X.max(0)
        pad = 0.05 * (hi - lo + 1e-12)
        limits = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    gx = np.linspace(*limits[0], grid_size)
    gy = np.linspace(*limits[1], grid_size)
    xx, yy = np.meshgrid(gx, gy)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    grids = np.stack([sc.transform(grid) if sc is not None else grid for sc in scalers])
    out = {"xx": xx, "yy": yy, "proba": {}, "splits": splits, "limits": limits}
    rows = []
    for loss in losses:
        res = train_batched(spec, tasks, make_loss(loss), epochs=epochs, batch_size=batch_size,
                            optimizer=optimizer, seed=seed, device=device, quiet=quiet,
                            track_eval=False)
        p0 = res.params[0]
        with torch.no_grad():
            pg = forward(spec, res.params, torch.as_tensor(grids, dtype=p0.dtype)).numpy()
            ptr = [forward(spec, [p[s:s + 1] for p in res.params],
                           torch.as_tensor(t.X_train[None], dtype=p0.dtype)).numpy()[0]
                   for s, t in enumerate(tasks)]
        out["proba"][loss] = pg.reshape(n_seeds, grid_size, grid_size).astype(np.float64)
        for s, (t, pte) in enumerate(zip(tasks, res.eval_proba)):
            ca = evaluation.conditional_accuracy(t.y_eval, pte)
            rows.append({"loss": loss, "seed": s,
                         "train_acc": evaluation.accuracy(t.y_train, ptr[s]),
                         "test_acc": evaluation.accuracy(t.y_eval, pte),
                         "cond_acc_0": ca[0], "cond_acc_1": ca[1],
                         "pred_pos_rate": float(hard_labels(pte, NUMPY).mean())})
    out["metrics"] = pd.DataFrame(rows)
    return out


def conditional_accuracy_vs_ratio(X, y, pairs=RATIO_PAIRS, *, extra_losses=("bce",),
                                  n_splits: int = 10, n_repeats: int = 5, epochs: int = 50,
                                  batch_size: int = 32, standardize: bool = True, seed: int = 0,
                                  device: str = "auto", spec=PAPER000_SPEC,
                                  quiet: bool = True, per_fold: bool = False):
    """Sec. 15/18: per-class (conditional) accuracy of XM(lam1, lam2) against
    ``log10(lam2 / lam1)`` with repeated stratified K-fold CV on all features.

    Every repeat pools its out-of-fold predictions (each row predicted once)
    and scores them: one row per (loss, repeat) with ``accuracy``,
    ``cond_acc_0`` (class 0), ``cond_acc_1`` (class 1), ``pred_pos_rate``,
    ``lam1``, ``lam2`` and ``log_ratio`` (NaN for ``extra_losses`` such as BCE).
    The folds and model seeds are the same for every loss (paired design).
    With ``per_fold`` returns ``(pooled, folds)``, ``folds`` holding one row per (loss, repeat,
    fold) with the ``accuracy`` on that fold's test rows (for paired tests over folds).
    """
    X, y = check_xy(X, y)
    pairs = [(float(a), float(b)) for a, b in pairs]
    if any(a <= 0 or b <= 0 for a, b in pairs):
        raise ValueError("lambdas must be positive")
    losses = [f"xm({a:g},{b:g})" for a, b in pairs]
    if extra_losses:
        losses += _check_losses(list(extra_losses))
    check_positive_int("n_splits", n_splits)
    check_positive_int("n_repeats", n_repeats)
    splits = stratified_kfold(y, n_splits, n_repeats=n_repeats, seed=seed)
    tasks = cv_tasks(X, y, splits, standardize=standardize)
    rows, frows = [], []
    for loss in losses:
        res = train_batched(spec, tasks, make_loss(loss), epochs=epochs, batch_size=batch_size,
                            seed=seed, device=device, quiet=quiet, track_eval=False)
        oof = np.full((n_repeats, len(y)), np.nan)
        for sp, p in zip(splits, res.eval_proba):
            oof[sp.repeat, sp.test] = p
            frows.append({"loss": loss, "repeat": sp.repeat, "fold": sp.fold,
                          "accuracy": evaluation.accuracy(y[sp.test], p)})
        lam = parse_xm(loss)
        for r in range(n_repeats):
            ca = evaluation.conditional_accuracy(y, oof[r])
            rows.append({"loss": loss, "repeat": r,
                         "lam1": lam[0] if lam else np.nan, "lam2": lam[1] if lam else np.nan,
                         "log_ratio": math.log10(lam[1] / lam[0]) if lam else np.nan,
                         "accuracy": evaluation.accuracy(y, oof[r]),
                         "cond_acc_0": ca[0], "cond_acc_1": ca[1],
                         "pred_pos_rate": float(hard_labels(oof[r], NUMPY).mean())})
    return (pd.DataFrame(rows), pd.DataFrame(frows)) if per_fold else pd.DataFrame(rows)


def ratio_trend(df: pd.DataFrame, columns=("cond_acc_0", "cond_acc_1", "accuracy")) -> pd.DataFrame:
    """How the per-class accuracy moves with ``log_ratio`` (XM rows only).

    Per column: OLS slope (per decade of lam2/lam1) over the (config, repeat)
    rows with its standard error, Spearman rank correlation and p-value over
    the same rows, Spearman over the per-config means, and the range of the
    per-config means. Repeats share folds across configs, so the p-values are
    indicative, not exact.
    """
    from scipy import stats

    d = df.dropna(subset=["log_ratio"])
    if d["log_ratio"].nunique() < 2:
        raise ValueError("ratio_trend needs at least two distinct lambda ratios")
    means = d.groupby("log_ratio")[list(columns)].mean()
    rows = []
    for c in columns:
        lr = stats.linregress(d["log_ratio"], d[c])
        if d[c].nunique() > 1:
            rho = stats.spearmanr(d["log_ratio"], d[c])
            rho, p = float(rho.statistic), float(rho.pvalue)
        else:  # constant column (e.g. every model predicts one class): no correlation
            rho, p = 0.0, 1.0
        rho_m = stats.spearmanr(means.index, means[c]).statistic if means[c].nunique() > 1 else 0.0
        rows.append({"metric": c, "slope_per_decade": float(lr.slope),
                     "slope_se": float(lr.stderr),
                     "spearman_rho": rho if np.isfinite(rho) else 0.0,
                     "spearman_p": p if np.isfinite(p) else 1.0,
                     "spearman_rho_means": float(rho_m) if np.isfinite(rho_m) else 0.0,
                     "min_of_means": float(means[c].min()), "max_of_means": float(means[c].max())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- Sec. 11-12

def _kink_counting(loss_fn, counter: dict):
    """Batch-reduction wrapper of a per-sample loss (``loss_reduction="batch"``)
    that counts the real training samples (mask on, gradient being taken: not
    padding, not evaluation passes) whose output lies exactly on the XM kink
    |y - t| = 0.5. The reduction is the trainer's own masked mean, so training
    is unchanged."""
    def fn(p, t, mask):
        per = loss_fn(p, t)
        if p.requires_grad:
            with torch.no_grad():
                counter["evaluations"] += int(mask.sum())
                counter["at_kink"] += int((((p - t).abs() == 0.5) & mask).sum())
        s = torch.where(mask, per, torch.zeros_like(per)).sum(1)
        return s / mask.sum(1).clamp(min=1).to(per.dtype)
    return fn


def subgradient_runs(X, y, loss: str, optimizers, *, n_seeds: int = 5, epochs: int = 100,
                     test_fraction: float = CURVES_TEST_FRACTION, batch_size: int = 32,
                     standardize: bool = True, seed: int = 0, device: str = "auto",
                     spec=PAPER000_SPEC, quiet: bool = True):
    """Sec. 12: train ``loss`` with each optimiser in ``optimizers``, a list of
    ``(label, name, kwargs)`` e.g. ``("subgradient lr=1", "sgd", {"lr": 1.0})``.

    ``"sgd"`` is eq. (13), w <- w - a g, with a constant step ``lr`` and g the
    derivative autograd returns: the gradient of the active piece of the loss,
    i.e. a one-sided derivative at the kinks. Every optimiser sees the same
    splits, inits, shuffles and dropout masks.

    Returns ``(curves_df, kinks_df)``: the :func:`curves` long table (``label``
    column = the optimiser label) and, per label, how many per-sample loss
    evaluations of training steps (``evaluations``: real samples, summed over
    models, steps and epochs) had an output exactly on a kink (``at_kink``:
    |y - t| = 0.5).
    """
    _check_losses([loss])
    optimizers = list(optimizers)
    if not optimizers:
        raise ValueError("optimizers must list at least one (label, name, kwargs)")
    for o in optimizers:
        if len(o) != 3:
            raise ValueError(f"each optimizer must be (label, name, kwargs), got {o!r}")
    check_positive_int("epochs", epochs)
    tasks, _, _ = holdout_tasks(X, y, n_seeds=n_seeds, test_fraction=test_fraction, seed=seed,
                                standardize=standardize)
    frames, kinks = [], []
    for label, name, kw in optimizers:
        counter = {"evaluations": 0, "at_kink": 0}
        res = train_batched(spec, tasks, _kink_counting(make_loss(loss), counter), epochs=epochs,
                            batch_size=batch_size, optimizer=name, optimizer_kwargs=dict(kw or {}),
                            seed=seed, device=device, quiet=quiet, track_eval=True,
                            loss_reduction="batch")
        h = res.history
        S, E = h["train_acc"].shape
        frames.append(pd.DataFrame({
            "loss": loss, "label": label, "optimizer": name, "batch_size": int(batch_size),
            "seed": np.repeat(np.arange(S), E), "epoch": np.tile(np.arange(1, E + 1), S),
            "train_loss": h["train_loss"].ravel(), "train_acc": h["train_acc"].ravel(),
            "test_loss": h["eval_loss"].ravel(), "test_acc": h["eval_acc"].ravel()}))
        kinks.append({"label": label, **counter})
    return pd.concat(frames, ignore_index=True), pd.DataFrame(kinks)


def subgradient_inequality(lam1: float = 1.0, lam2: float = 1.0, *, n_points: int = 401,
                           s_reading: str = "product") -> pd.DataFrame:
    """Eq. (14) checked in the output y: is autograd's derivative g(y0) a
    subgradient of L(., t), i.e. L(y) >= L(y0) + g (y - y0) for every y on the
    grid (tolerance 1e-12)? One row per label t with the share of grid points
    y0 in (0, 1) where it holds, and where it holds on the correct side only.
    """
    check_positive_int("n_points", n_points)
    if n_points < 3:
        raise ValueError("n_points must be at least 3")
    yg = torch.linspace(0.0, 1.0, n_points, dtype=torch.float64)[1:-1]
    rows = []
    for t in (0, 1):
        yv = yg.clone().requires_grad_(True)
        L = xtreme_margin(yv, torch.full_like(yv, float(t)), lam1=lam1, lam2=lam2,
                          s_reading=s_reading, reduction="none")
        (g,) = torch.autograd.grad(L.sum(), yv)
        L, g, yn = L.detach().numpy(), g.numpy(), yg.numpy()
        # holds[i]: for all j, L[j] >= L[i] + g[i] (y[j] - y[i])
        holds = (L[None, :] >= L[:, None] + g[:, None] * (yn[None, :] - yn[:, None]) - 1e-12).all(1)
        correct = np.abs(yn - t) < 0.5
        rows.append({"t": t, "lam1": float(lam1), "lam2": float(lam2), "n_points": int(len(yn)),
                     "share_subgradient": float(holds.mean()),
                     "share_subgradient_correct_side": float(holds[correct].mean()),
                     "share_subgradient_wrong_side": float(holds[~correct].mean())})
    return pd.DataFrame(rows)


def optimizer_convergence(df: pd.DataFrame, *, majority_rate: float, last: int = 10,
                          min_gain: float = 0.05, plateau_tol: float = 0.02,
                          by=("batch_size", "label")) -> pd.DataFrame:
    """Per optimiser (``by``) of :func:`subgradient_runs` output: did training converge?

    * ``loss_first``/``loss_final``: mean train loss of epoch 1 / of the last
      ``last`` epochs (means over seeds);
    * ``plateau_range``: max - min of the seed-mean train loss over the last
      ``last`` epochs (small = settled);
    * ``train_acc_final``/``test_acc_final``: as in :func:`convergence_stats`;
    * ``seeds_learned``: share of seeds whose final train loss is below their
      epoch-1 loss and whose final test accuracy beats ``majority_rate`` (always
      predicting the larger class) by at least ``min_gain``;
    * ``converged``: every seed learned and ``plateau_range <= plateau_tol``.
    """
    check_positive_int("last", last)
    rows = []
    for keys, d, E in _epoch_groups(df, by):
        w = min(last, E)
        tail = d[d["epoch"] > E - w].groupby("seed")[["train_loss", "train_acc", "test_acc"]].mean()
        first = d[d["epoch"] == 1].set_index("seed")["train_loss"]
        per_epoch = d.groupby("epoch")["train_loss"].mean()
        learned = (tail["train_loss"] < first) & (tail["test_acc"] >= majority_rate + min_gain)
        plateau = float(per_epoch.iloc[-w:].max() - per_epoch.iloc[-w:].min())
        rows.append({**keys, "n_seeds": len(tail), "epochs": E,
                     "loss_first": float(first.mean()), "loss_final": float(tail["train_loss"].mean()),
                     "plateau_range": plateau, "train_acc_final": float(tail["train_acc"].mean()),
                     "test_acc_final": float(tail["test_acc"].mean()),
                     "seeds_learned": float(learned.mean()),
                     "converged": bool(learned.all() and plateau <= plateau_tol)})
    return pd.DataFrame(rows)


def paired_change(df: pd.DataFrame, a: str, b: str, col: str, *, unit: str = "seed"):
    """Mean and standard error over ``unit`` (seeds or repeats, paired by the
    common random numbers) of ``col`` for loss ``b`` minus loss ``a``.
    Returns ``(mean, se)``; se is NaN with a single unit."""
    per = df[df["loss"].isin([a, b])].pivot_table(index=unit, columns="loss", values=col)
    if a not in per or b not in per:
        raise ValueError(f"df must contain losses {a!r} and {b!r}")
    d = (per[b] - per[a]).dropna()
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else float("nan")
    return float(d.mean()), se


def agreement_summary(agree: pd.DataFrame) -> dict:
    """The trainer check of :func:`~lossfns.experiments.doc000.protocols.keras_agreement` output (one
    row per fold, ``keras`` and ``torch`` accuracies): the mean accuracy of each trainer and
    the paired difference torch - Keras over the folds (:func:`paired_change`) with its 95%
    normal interval, mean +- 1.96 SE (NaN with one fold).

    Returns ``{"folds", "keras_mean", "torch_mean", "mean_diff", "ci95": [lo, hi]}``.
    """
    missing = [c for c in ("keras", "torch") if c not in agree]
    if missing:
        raise ValueError(f"agree lacks column(s) {missing}")
    long = agree.assign(fold_id=np.arange(len(agree))).melt(
        id_vars="fold_id", value_vars=["keras", "torch"], var_name="loss", value_name="accuracy")
    mean, se = paired_change(long, "keras", "torch", "accuracy", unit="fold_id")
    return {"folds": len(agree), "keras_mean": float(agree["keras"].mean()),
            "torch_mean": float(agree["torch"].mean()), "mean_diff": mean,
            "ci95": [mean - 1.96 * se, mean + 1.96 * se]}
