"""Figures of the document-002 notebooks (the atlas); every function returns a matplotlib figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CE_FAMILY", "curve_panels", "focal_poly_shift", "sigmoid_softmax", "kl_pair",
           "regression_panels", "line_fits", "embedding_scatter", "metric_bars", "batch_sweep"]

#: The cross-entropy family (unbounded as p -> 0); every other atlas loss goes in the second row.
CE_FAMILY = ("BCE", "focal", "Poly-1")


def _plt():
    import matplotlib.pyplot as plt
    return plt


def curve_panels(curves: pd.DataFrame, x: str, title: str, *, xlabel: str | None = None, ylim_deriv=None):
    """Loss (left) and derivative (right) against column ``x`` (axis label ``xlabel``) for every
    loss in ``curves``, the cross-entropy family in the top row (its derivative clipped to
    ``ylim_deriv``: it diverges) and the rest below."""
    xlabel = xlabel or x
    plt = _plt()
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    fam = curves["loss"].str.startswith(CE_FAMILY)
    for row, mask in enumerate((fam, ~fam)):
        for label, g in curves[mask].groupby("loss", sort=False):
            axes[row, 0].plot(g[x], g["value"], label=label)
            axes[row, 1].plot(g[x], g["derivative"], label=label)
        axes[row, 0].set_ylabel("loss")
        axes[row, 1].set_ylabel(f"d loss / d {xlabel}")
        axes[row, 0].legend(fontsize=7, ncol=2)
    for ax in axes.ravel():
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylim(0, 6)
    if ylim_deriv is not None:
        axes[0, 1].set_ylim(*ylim_deriv)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def focal_poly_shift(coefs: pd.DataFrame, gamma: float):
    """PolyLoss coefficients of cross-entropy and of focal loss (γ): the same values moved right."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.stem(coefs["power (CE)"], coefs["coef (CE)"], linefmt="C0-", markerfmt="C0o", basefmt=" ", label="cross-entropy")
    ax.stem(coefs["power (focal)"], coefs["coef (focal)"], linefmt="C3--", markerfmt="C3s", basefmt=" ",
            label=f"focal, γ = {gamma:g}")
    ax.set_xlabel("power j of (1 - p)")
    ax.set_ylabel("coefficient α_j")
    ax.set_title("Focal loss = cross-entropy's polynomial coefficients shifted right by γ")
    ax.legend()
    fig.tight_layout()
    return fig


def sigmoid_softmax(z: np.ndarray, logits3: np.ndarray, temperatures=(0.5, 1.0, 2.0)):
    """Left: the sigmoid. Right: softmax of three logits at a few temperatures."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(z, 1 / (1 + np.exp(-z)))
    axes[0].set_xlabel("z")
    axes[0].set_ylabel("sigmoid(z)")
    axes[0].grid(alpha=0.3)
    width = 0.8 / len(temperatures)
    for i, T in enumerate(temperatures):
        e = np.exp(logits3 / T - np.max(logits3 / T))
        axes[1].bar(np.arange(len(logits3)) + i * width, e / e.sum(), width, label=f"T = {T:g}")
    axes[1].set_xticks(np.arange(len(logits3)) + width)
    axes[1].set_xticklabels([f"z = {v:g}" for v in logits3])
    axes[1].set_ylabel("softmax(z / T)")
    axes[1].legend()
    fig.tight_layout()
    return fig


def kl_pair(p: np.ndarray, q: np.ndarray, kl_pq: float, kl_qp: float):
    """Two distributions and their two KL divergences (asymmetry)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    k = np.arange(len(p))
    ax.bar(k - 0.2, p, 0.4, label="p")
    ax.bar(k + 0.2, q, 0.4, label="q")
    ax.set_title(f"KL(p||q) = {kl_pq:.3f}, KL(q||p) = {kl_qp:.3f}")
    ax.set_xlabel("class")
    ax.legend()
    fig.tight_layout()
    return fig


def regression_panels(curves: pd.DataFrame):
    """Regression losses and their derivatives against the residual."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for label, g in curves.groupby("loss", sort=False):
        axes[0].plot(g["residual"], g["value"], label=label)
        axes[1].plot(g["residual"], g["derivative"], label=label)
    axes[0].set_ylim(0, 8)
    axes[0].set_ylabel("loss")
    axes[1].set_ylabel("d loss / d residual")
    for ax in axes:
        ax.set_xlabel("residual r = y_pred - y_true")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def line_fits(x: np.ndarray, y: np.ndarray, fits: pd.DataFrame, slope: float, intercept: float):
    """One seed's data (with outliers) and the line each loss fits."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter(x, y, s=10, color="grey", label="data (with outliers)")
    xs = np.linspace(x.min(), x.max(), 2)
    ax.plot(xs, slope * xs + intercept, "k--", label="true line")
    for _, r in fits.iterrows():
        ax.plot(xs, r["slope"] * xs + r["intercept"], label=f"{r['loss']} (slope {r['slope']:.2f})")
    ax.legend(fontsize=8)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    fig.tight_layout()
    return fig


def embedding_scatter(embs: dict, title: str):
    """Held-out 2-D embeddings of the digits, one panel per loss, coloured by digit."""
    plt = _plt()
    n = len(embs)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.8 * rows), squeeze=False)
    for ax, (name, (e, y)) in zip(axes.ravel(), embs.items()):
        sc = ax.scatter(e[:, 0], e[:, 1], c=y, cmap="tab10", s=6)
        ax.set_title(name, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.colorbar(sc, ax=axes.ravel().tolist(), shrink=0.6, label="digit")
    fig.suptitle(title)
    return fig


#: readable names of the embedding losses and metrics (tick labels in words, horizontal bars so they do not overlap)
LOSS_NAMES = {"contrastive": "contrastive", "triplet": "triplet", "info_nce": "InfoNCE (τ 0.1)",
              "multiple_negatives_ranking": "MNR (scale 10)", "arcface": "ArcFace", "ge2e": "GE2E"}
METRIC_NAMES = {"recall@1": "held-out recall@1", "probe accuracy": "linear-probe accuracy"}


def metric_bars(summary: pd.DataFrame, metrics=("recall@1", "probe accuracy")):
    """Mean and 95% interval per loss of each metric (``summary`` has columns loss, metric,
    mean, lo, hi)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        g = summary[summary["metric"] == m]
        names = [LOSS_NAMES.get(n, n) for n in g["loss"]]
        ax.barh(names, g["mean"], xerr=[g["mean"] - g["lo"], g["hi"] - g["mean"]], capsize=3)
        ax.invert_yaxis()
        ax.set_title(METRIC_NAMES.get(m, m) + "\nbars: mean over seeds; whiskers: 95% t-interval", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_xlabel(METRIC_NAMES.get(m, m))
    fig.tight_layout()
    return fig


def batch_sweep(summary: pd.DataFrame, sweep: pd.DataFrame, metric: str = "recall@1"):
    """``metric`` against batch size (log axis) for each arm of the MNR sweep: the mean over
    seeds as a line, its 95% t-interval as a band (``summary``: loss, batch_size, metric, mean,
    lo, hi), each seed's value as a dot (``sweep``), the optimiser steps taken under each size."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = {"multiple_negatives_ranking": "-", "info_nce": "--"}
    for loss, g in summary[summary["metric"] == metric].groupby("loss", sort=False):
        g = g.sort_values("batch_size")
        name = LOSS_NAMES.get(loss, loss) + (" (its A/A twin)" if loss == "info_nce" else "")
        line, = ax.plot(g["batch_size"], g["mean"], styles.get(loss, "-"), marker="o", label=name)
        ax.fill_between(g["batch_size"], g["lo"], g["hi"], color=line.get_color(), alpha=0.15)
        d = sweep[sweep["loss"] == loss]
        ax.scatter(d["batch_size"], d[metric], s=10, color=line.get_color(), alpha=0.5)
    sizes = sorted(sweep["batch_size"].unique())
    steps = sweep.groupby("batch_size")["steps"].first()
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [f"{b}\n({steps[b]} steps)" for b in sizes])
    ax.set_xlabel("batch size: (anchor, positive) pairs per minibatch, log scale; the same epochs for every size")
    ax.set_ylabel(METRIC_NAMES.get(metric, metric))
    ax.set_title("Multiple Negatives Ranking against batch size on the digits\n"
                 "lines: mean over seeds; bands: 95% t-interval; dots: one seed each", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
