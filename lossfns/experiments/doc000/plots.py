"""Document 000 (Xtreme Margin): the figures of the ``notebooks/000-*`` notebooks.

Each function draws one figure from what the notebook already computed and returns the
matplotlib ``Figure``; the notebook saves it through its run (``run.save_figure(fig, name)``)
and closes it. Nothing here computes a number the notebooks record. Matplotlib (and torch,
for the tangents of eq. 14) is imported inside the functions, so importing this module loads
neither; the caller picks the backend (the notebooks use ``Agg``).
"""

from __future__ import annotations

import numpy as np

from .protocols import loss_label, parse_xm, xm_curve

__all__ = ["xm_cases", "xm_full_range", "cv_accuracy_boxplot", "lambda_tuning", "lambda_heatmap",
           "optimizer_bands", "eq14_tangents", "bias_by_loss", "evaluation_curves",
           "overlay_test_accuracy", "decision_regions", "accuracy_vs_ratio", "precision_recall_auc"]

_CASES = ("Case 1: correct (Fig. 3)", "Case 2a: t = 0, wrong (Fig. 4)", "Case 2b: t = 1, wrong (Fig. 5)")


def _plt():
    import matplotlib.pyplot as plt
    return plt


# --------------------------------------------------------------------------- 000-3 (Sec. 9)

def xm_cases(y, lambdas, readings):
    """Fig. 3-5: case 1 (correct side, both labels, every lambda; s = 0 so the readings
    coincide), case 2a (t = 0, wrong side) and case 2b (t = 1, wrong side) for lambda = 1,
    one line per reading of ``s`` (the first two readings: solid, dashed)."""
    plt = _plt()
    y = np.asarray(y, dtype=np.float64)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    for lam in lambdas:
        line, = axes[0].plot(y[y > 0.5], xm_curve(y, 1, lam, "product")[y > 0.5], label=f"λ = {lam:g}")
        axes[0].plot(y[y < 0.5], xm_curve(y, 0, lam, "product")[y < 0.5], color=line.get_color())
    for ax, t_wrong in zip(axes[1:], (0, 1)):
        wrong = (y >= 0.5) if t_wrong == 0 else (y <= 0.5)
        for reading, style in zip(readings, ["-", "--"]):
            ax.plot(y[wrong], xm_curve(y, t_wrong, 1.0, reading)[wrong], style, label=f"{reading} reading")
    for ax, title in zip(axes, _CASES):
        ax.set_title(title)
        ax.set_xlabel("predicted probability y")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("L")
    axes[0].legend(fontsize=8)
    axes[2].legend(fontsize=8)
    return fig


def xm_full_range(y, lambdas, readings):
    """XM(lam, lam) over the whole grid ``y``, one panel per label, one line per (reading,
    lambda); a dotted line marks y = 0.5."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, t in zip(axes, (0, 1)):
        for reading, style in zip(readings, ["-", "--"]):
            for lam in lambdas:
                ax.plot(y, xm_curve(y, t, lam, reading), style, lw=1.2, label=f"λ={lam:g} ({reading})")
        ax.axvline(0.5, color="k", lw=0.6, ls=":")
        ax.set_title(f"t = {t}")
        ax.set_xlabel("predicted probability y")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("L")
    axes[1].legend(fontsize=7, ncol=2)
    return fig


# --------------------------------------------------------------------------- 000-8, 000-8b (Sec. 7-8)

def cv_accuracy_boxplot(scores: dict, n_repeats: int):
    """Tables 1-2 as boxes: ``scores`` maps ``(loss, batch_size)`` to
    :func:`~lossfns.experiments.doc000.protocols.cv_scores` output; one box per entry of the
    per-repeat mean accuracies (the fold accuracies with a single repeat)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    labels = [f"{loss_label(loss)}\nbatch {bs}" for (loss, bs) in scores]
    per_rep = [s.groupby("repeat")["accuracy"].mean().values if n_repeats > 1 else s["accuracy"].values
               for s in scores.values()]
    ax.boxplot(per_rep, tick_labels=labels)
    ax.set_ylabel("mean CV accuracy per repeat" if n_repeats > 1 else "fold accuracy")
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(alpha=0.3)
    return fig


def lambda_tuning(diag, n_repeats: int, paper_optimum: float = 100.0):
    """Fig. 1-2: mean and std of the CV accuracy against lambda (= lam1 = lam2) from
    :func:`~lossfns.experiments.doc000.protocols.lambda_grid_scores`; a +-2 SE band around the mean
    with more than one repeat; the paper's optimum as a dashed line."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, col, name in zip(axes, ["cv_mean", "cv_std"], ["mean", "std"]):
        ax.plot(diag["lam1"], diag[col], "o-")
        if col == "cv_mean" and n_repeats > 1:
            ax.fill_between(diag["lam1"], diag[col] - 2 * diag["cv_mean_se"],
                            diag[col] + 2 * diag["cv_mean_se"], alpha=0.2)
        ax.axvline(paper_optimum, color="r", ls="--", lw=1, label=f"paper's optimum (≈{paper_optimum:g})")
        ax.set_xscale("log")
        ax.set_xlabel("λ (= λ1 = λ2)")
        ax.set_ylabel(f"{name} CV accuracy")
        ax.grid(alpha=0.3)
    axes[0].legend()
    return fig


def lambda_heatmap(grid):
    """Mean CV accuracy over (lam1, lam2): ``grid`` is the pivot (index lam1, columns lam2)
    of :func:`~lossfns.experiments.doc000.protocols.lambda_grid_scores`; each cell is annotated."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(grid.values, origin="lower", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index])
    ax.set_xlabel("λ2 (class 1 = rock)")
    ax.set_ylabel("λ1 (class 0 = mine)")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{grid.values[i, j]:.3f}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(im, label="mean CV accuracy")
    return fig


# --------------------------------------------------------------------------- 000-12 (Sec. 11-12)

def optimizer_bands(bands, readings, majority: float):
    """Training loss, train and test accuracy per epoch (seed mean, 10-90% band) for each
    optimiser: one row of panels per reading ``(batch_size, n_seeds, optimisers)`` with
    optimisers ``(label, name, kwargs)``; SGD solid, the others dashed. ``bands`` is
    :func:`~lossfns.experiments.doc000.training.band_summary` by (batch_size, label, epoch)."""
    plt = _plt()
    fig, axes = plt.subplots(len(readings), 3, figsize=(14, 3.4 * len(readings)), squeeze=False)
    for row, (bs, _, opts) in zip(axes, readings):
        for label, name, _ in opts:
            b = bands[(bands["batch_size"] == bs) & (bands["label"] == label)]
            style = "-" if name == "sgd" else "--"
            for ax, col in zip(row, ("train_loss", "train_acc", "test_acc")):
                line, = ax.plot(b["epoch"], b[f"{col}_mean"], style, label=label)
                ax.fill_between(b["epoch"], b[f"{col}_lo"], b[f"{col}_hi"], color=line.get_color(), alpha=0.12)
        for ax, title in zip(row, ("training loss (XM)", "train accuracy (dropout on)", "test accuracy")):
            ax.set_title(f"{title}, batch size {bs}", fontsize=9)
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
        row[1].axhline(majority, color="k", ls=":", lw=0.8)
        row[2].axhline(majority, color="k", ls=":", lw=0.8)
        row[0].legend(fontsize=7)
    return fig


def eq14_tangents(loss: str, y0s=(0.3, 0.8), colours=("C3", "C2")):
    """L(y, t=1) of the XM loss ``loss`` ("xm(l1,l2)") and the line through (y0, L(y0)) with
    the slope autograd returns, for each y0 in ``y0s``: eq. (14) holds at y0 when L stays
    above that line everywhere."""
    import torch

    from ...losses import xtreme_margin

    plt = _plt()
    lam = parse_xm(loss)
    if lam is None:
        raise ValueError(f"loss must be 'xm(l1,l2)', got {loss!r}")
    yy = np.linspace(0.001, 0.999, 999)
    L = xtreme_margin(yy, np.ones_like(yy), lam1=lam[0], lam2=lam[1], reduction="none")
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(yy, L, "k", label=f"L(y, t=1), {loss_label(loss)}")
    for y0, colour in zip(y0s, colours):
        yt = torch.tensor([y0], dtype=torch.float64, requires_grad=True)
        L0 = xtreme_margin(yt, torch.ones(1, dtype=torch.float64), lam1=lam[0], lam2=lam[1])
        (g,) = torch.autograd.grad(L0, yt)
        L0, g = float(L0.detach()), float(g)
        ax.plot(yy, L0 + g * (yy - y0), color=colour, ls="--",
                label=f"autograd tangent at y0 = {y0} (slope {g:.3f})")
    ax.set_ylim(0, 3)
    ax.set_xlabel("y")
    ax.set_ylabel("L")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig


# --------------------------------------------------------------------------- 000-13 (Sec. 13)

def bias_by_loss(bias):
    """Squared-error bias² and Domingos 0-1 bias per loss (bars) from the
    :func:`~lossfns.experiments.doc000.protocols.bootstrap_bias` table with ``label`` and
    ``paper bias`` columns; the paper's values rescaled to the 0-1 bars (ordering only)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(bias))
    ax.bar(x - 0.2, bias["bias2"], 0.4, label="bias² (squared error)")
    ax.bar(x + 0.2, bias["bias01"], 0.4, label="0-1 bias (Domingos)")
    ax.plot(x, bias["paper bias"] / bias["paper bias"].max() * bias["bias01"].max(), "k*", ms=10,
            label="paper (rescaled, ordering only)")
    ax.set_xticks(x, bias["label"], rotation=20, fontsize=7)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


# --------------------------------------------------------------------------- 000-14 (Sec. 14)

def evaluation_curves(bands, losses, batch_size: int, majority: float, n_seeds: int):
    """Fig. 6-9: train and test accuracy per epoch (seed mean, 10-90% band), one panel per
    loss in ``losses``, for one batch size; ``bands`` is
    :func:`~lossfns.experiments.doc000.training.band_summary` by (batch_size, loss, epoch)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(losses), figsize=(3.3 * len(losses), 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, loss in zip(axes, losses):
        b = bands[(bands["batch_size"] == batch_size) & (bands["loss"] == loss)]
        for col, colour, name in (("train_acc", "C0", "train"), ("test_acc", "C1", "test")):
            ax.plot(b["epoch"], b[f"{col}_mean"], color=colour, label=name)
            ax.fill_between(b["epoch"], b[f"{col}_lo"], b[f"{col}_hi"], color=colour, alpha=0.2)
        ax.axhline(majority, color="k", ls=":", lw=0.8)
        ax.set_title(loss_label(loss), fontsize=9)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Ionosphere, batch size {batch_size}, {n_seeds} seeds (mean, 10-90% band)", fontsize=10)
    return fig


def overlay_test_accuracy(bands, losses, readings):
    """Test accuracy per epoch of every loss on one panel per batch size in ``readings``."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(readings), figsize=(5.5 * len(readings), 3.4), squeeze=False)
    for ax, bs in zip(axes[0], readings):
        for loss in losses:
            b = bands[(bands["batch_size"] == bs) & (bands["loss"] == loss)]
            line, = ax.plot(b["epoch"], b["test_acc_mean"], label=loss_label(loss))
            ax.fill_between(b["epoch"], b["test_acc_lo"], b["test_acc_hi"], color=line.get_color(), alpha=0.12)
        ax.set_title(f"test accuracy, batch size {bs}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("accuracy")
    axes[0][0].legend(fontsize=8)
    return fig


# --------------------------------------------------------------------------- 000-15 (Sec. 15, 18)

def decision_regions(boundary: dict, X, y, features, losses, summary, batch_size: int):
    """Fig. 10-12: one panel per loss in ``losses``. Filled: the region the first model
    (init 0) assigns to class 1 (orange) or class 0 (blue); black lines: the 0.5 contour of
    every model whose output crosses 0.5; points: training rows (o) and test rows (x) of the
    first model's split, coloured by class. ``boundary`` is
    :func:`~lossfns.experiments.doc000.training.boundary_models` output on
    ``X[:, features]``; ``summary`` holds the mean ``cond_acc_0``/``cond_acc_1`` per
    (batch_size, loss), shown in the titles."""
    from matplotlib.colors import ListedColormap

    plt = _plt()
    X, y = np.asarray(X), np.asarray(y)
    cmap = ListedColormap(["#9ecae1", "#fdae6b"])
    tr_idx, te_idx = boundary["splits"][0]
    fig, axes = plt.subplots(1, len(losses), figsize=(4.4 * len(losses), 4.0), squeeze=False, sharey=True,
                             constrained_layout=True)
    for ax, loss in zip(axes[0], losses):
        P = boundary["proba"][loss]
        ax.contourf(boundary["xx"], boundary["yy"], (P[0] >= 0.5).astype(float), levels=[-0.5, 0.5, 1.5],
                    cmap=cmap, alpha=0.8)
        for p in P:
            if p.min() < 0.5 < p.max():
                ax.contour(boundary["xx"], boundary["yy"], p, levels=[0.5], colors="k", linewidths=0.5)
        for idx, marker in ((tr_idx, "o"), (te_idx, "x")):
            for cls, colour in ((0, "C0"), (1, "C1")):
                sel = idx[y[idx] == cls]
                ax.scatter(X[sel, features[0]], X[sel, features[1]], s=8, marker=marker, c=colour,
                           linewidths=0.8, edgecolors="none" if marker == "o" else None)
        m = summary[(summary["batch_size"] == batch_size) & (summary["loss"] == loss)].iloc[0]
        ax.set_title(f"{loss_label(loss)}\ncond. acc 0: {m['cond_acc_0']:.2f}, 1: {m['cond_acc_1']:.2f}",
                     fontsize=8)
        ax.set_xlabel(f"feature {features[0]}")
    axes[0][0].set_ylabel(f"feature {features[1]}")
    fig.suptitle(f"Ionosphere, two features, batch size {batch_size}", fontsize=9)
    return fig


def accuracy_vs_ratio(ratio, readings, n_splits: int):
    """Conditional accuracy of each class and overall accuracy against log10(lam2 / lam1), one
    panel per batch size in ``readings``: points per repeat, a line through the per-ratio
    means, BCE's mean as a dashed level. ``ratio`` is
    :func:`~lossfns.experiments.doc000.training.conditional_accuracy_vs_ratio` output with
    a ``batch_size`` column."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(readings), figsize=(5.5 * len(readings), 3.6), squeeze=False)
    for ax, bs in zip(axes[0], readings):
        d = ratio[ratio["batch_size"] == bs]
        xm_rows, bce_rows = d.dropna(subset=["log_ratio"]), d[d["loss"] == "bce"]
        for col, colour, name in (("cond_acc_0", "C0", "class 0 ('b')"), ("cond_acc_1", "C1", "class 1 ('g')"),
                                  ("accuracy", "k", "overall")):
            ax.scatter(xm_rows["log_ratio"], xm_rows[col], s=10, color=colour, alpha=0.5)
            mm = xm_rows.groupby("log_ratio")[col].mean()
            ax.plot(mm.index, mm.values, color=colour, label=name)
            ax.axhline(bce_rows[col].mean(), color=colour, ls="--", lw=0.8)
        ax.set_xlabel("log10(λ2 / λ1)")
        ax.set_ylabel("accuracy")
        ax.grid(alpha=0.3)
        ax.set_title(f"all features, {n_splits}-fold CV, batch size {bs}", fontsize=9)
    axes[0][0].legend(fontsize=8)
    return fig


# --------------------------------------------------------------------------- 000-17 (Sec. 17)

def precision_recall_auc(runs, losses):
    """Left: mean precision against mean recall per loss with +-1 sd error bars; right: AUROC
    boxes per loss. ``runs`` is :func:`~lossfns.experiments.doc000.protocols.holdout_metrics` output
    of every loss in ``losses``."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for loss in losses:
        r = runs[runs["loss"] == loss]
        axes[0].errorbar(r["recall"].mean(), r["precision"].mean(), xerr=r["recall"].std(),
                         yerr=r["precision"].std(), fmt="o", capsize=3, label=loss_label(loss))
    axes[0].set_xlabel("recall")
    axes[0].set_ylabel("precision")
    axes[0].grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[1].boxplot([runs[runs["loss"] == loss]["auroc"] for loss in losses], tick_labels=list(losses))
    axes[1].set_ylabel("AUROC")
    axes[1].grid(alpha=0.3)
    return fig
