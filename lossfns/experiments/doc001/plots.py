"""Figures of the document-001 notebooks; every function returns a matplotlib figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .curves import COLUMN_LABELS, curves_by_loss
from .theory import toy_G

__all__ = ["toy_G_curves", "argmax_vs_share", "derivatives", "curves_by_loss", "trap_panels", "noise_panels",
           "sec5_scores", "paired_differences"]


def _plt():
    import matplotlib.pyplot as plt
    return plt


def toy_G_curves(shares, phis, n: int = 801):
    """G(θ) on [0, 1] for each class-1 share a1 (one panel each) and each φ, normalised to its
    maximum; the dashed line marks a1."""
    plt = _plt()
    theta = np.linspace(0, 1, n)
    fig, axes = plt.subplots(1, len(shares), figsize=(5 * len(shares), 4), squeeze=False)
    for ax, a1 in zip(axes[0], shares):
        for label, phi, eps in phis:
            kw = {"phi": phi} if eps is None else {"phi": phi, "eps": eps}
            G = np.asarray(toy_G(theta[:, None], 0.0, 1.0, a1, **kw, n_grid=400))
            ax.plot(theta, (G - G.min()) / (G.max() - G.min()), label=label)
        ax.axvline(a1, color="k", ls="--", lw=1)
        ax.set_title(f"a1 = {a1:g}")
        ax.set_xlabel("θ")
    axes[0, 0].set_ylabel("G(θ), rescaled to [0, 1]")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def argmax_vs_share(table: pd.DataFrame):
    """argmax of G against the class-1 share a1, per φ; the diagonal is the correct answer."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 5))
    for label, g in table.groupby("phi", sort=False):
        ax.plot(g["a1"], g["argmax"], marker=".", label=label)
    lim = [0, float(table["a1"].max())]
    ax.plot(lim, lim, "k--", lw=1, label="argmax = a1")
    ax.set_xlabel("share of class 1, a1")
    ax.set_ylabel("argmax of G")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def derivatives(der: pd.DataFrame):
    """|dl/dy| against y (y_true = 1), log scale."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for label, g in der.groupby("loss", sort=False):
        ax.plot(g["y"], g["|dl/dy|"], label=label)
    ax.set_yscale("log")
    ax.axvline(0.5, color="k", lw=0.8, ls=":")
    ax.set_xlabel("y (y_true = 1)")
    ax.set_ylabel("|dl/dy|")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def trap_panels(sim: pd.DataFrame):
    """1-D simulation: share of predictions in (0.4, 0.6) and flip share per epoch, one column
    per separation (means over seeds)."""
    plt = _plt()
    seps = sorted(sim["separation"].unique())
    fig, axes = plt.subplots(2, len(seps), figsize=(4 * len(seps), 6.5), squeeze=False)
    for j, sep in enumerate(seps):
        g = sim[sim["separation"] == sep]
        for label, h in g.groupby("loss", sort=False):
            for i, col in enumerate(("uncertain_share", "flip_share")):
                m = h.groupby("epoch")[col].mean()
                name = label + (" (identical to 7/16 by construction)" if "3/16" in label else "")
                axes[i, j].plot(m.index, m.values, label=name, ls="--" if "3/16" in label else "-")
        axes[0, j].set_title(f"separation {sep:g}")
        axes[1, j].set_xlabel("epoch")
    axes[0, 0].set_ylabel("share of predictions in (0.4, 0.6)")
    axes[1, 0].set_ylabel("share that flipped class")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig


SETTING_LABELS = {"eps": "sharpness ε of φ", "lr": "learning rate", "batch": "batch size", "momentum": "momentum"}


def noise_panels(summary: pd.DataFrame, base: dict | None = None):
    """One column per swept setting: distance from a1 (top) and loss above the minimum (bottom),
    mean over seeds with its 95% t-interval as the band; log x-axis for eps, lr and batch; the
    base setting (``base``, default :data:`NOISE_BASE`) marked by a dotted line."""
    from .protocols import NOISE_BASE
    base = NOISE_BASE if base is None else base
    plt = _plt()
    settings = list(dict.fromkeys(summary["setting"]))
    fig, axes = plt.subplots(2, len(settings), figsize=(4 * len(settings), 6.5), squeeze=False)
    for j, s in enumerate(settings):
        for i, q in enumerate(("dist_a1", "excess")):
            g = summary[(summary["setting"] == s) & (summary["quantity"] == q)]
            ax = axes[i, j]
            ax.plot(g["value"], g["mean"], marker="o")
            ax.fill_between(g["value"], g["lo"], g["hi"], alpha=0.25)
            if s in ("eps", "lr", "batch"):
                ax.set_xscale("log")
            if s in base:
                ax.axvline(base[s], color="k", ls=":", lw=1, label="base setting")
            ax.set_xlabel(SETTING_LABELS.get(s, s))
            ax.grid(alpha=0.3)
        axes[0, j].set_title(f"varying the {SETTING_LABELS.get(s, s)}")
    axes[0, 0].set_ylabel("distance of θ from a1 (2nd half)")
    axes[1, 0].set_ylabel("loss above its minimum (2nd half)")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("points: mean over seeds; bands: 95% t-interval; dotted: the base setting", fontsize=9)
    fig.tight_layout()
    return fig


def _mean_band(ax, at, values, *, horizontal: bool = False) -> tuple[float, float]:
    """Grey dots for the seeds and, in black, their mean with its 95% t-interval over seeds
    (:func:`lossfns.verdicts.mean_interval`; no bar for one value), at position ``at``.
    Returns the smallest and largest value drawn (dots and interval)."""
    from lossfns.verdicts import mean_interval
    v = np.asarray(values, float)
    e = mean_interval(v)
    err = None if not np.isfinite(e.lo) else [[e.value - e.lo], [e.hi - e.value]]
    jitter = np.full(v.size, at) + np.linspace(-0.12, 0.12, v.size)
    if horizontal:
        ax.scatter(v, jitter, s=12, color="0.6", zorder=2)
        ax.errorbar([e.value], [at], xerr=err, fmt="o", color="k", capsize=4, zorder=3)
    else:
        ax.scatter(jitter, v, s=12, color="0.6", zorder=2)
        ax.errorbar([at], [e.value], yerr=err, fmt="o", color="k", capsize=4, zorder=3)
    drawn = np.concatenate([v, [e.lo, e.hi] if err is not None else []])
    return float(np.nanmin(drawn)), float(np.nanmax(drawn))


def sec5_scores(table: pd.DataFrame, max_epochs: int):
    """Sec. 5 runs (:func:`protocols.sec5_runs`), one column per loss (arm in the label), three
    panels: held-out balanced accuracy, held-out AUROC and the epoch each model stopped. Grey dots:
    seeds; black: the mean with its 95% t-interval over seeds. The score axes run from 0.5
    (chance: the majority rule's balanced accuracy, a random ranking's AUROC; lower when a value
    falls below it) to 1; the epoch axis from 0 to the cap."""
    plt = _plt()
    keys = list(dict.fromkeys(zip(table["arm"], table["loss"])))
    fig, axes = plt.subplots(3, 1, figsize=(max(7.0, 1.0 * len(keys)), 11), sharex=True)
    what = (("balanced_accuracy", "held-out balanced accuracy\n(threshold 0.5)"),
            ("auroc", "held-out AUROC\n(no threshold)"), ("stopped_epoch", "epoch at which\ntraining stopped"))
    for ax, (col, ylabel) in zip(axes, what):
        low = min(_mean_band(ax, i, table.loc[(table["arm"] == arm) & (table["loss"] == loss), col])[0]
                  for i, (arm, loss) in enumerate(keys))
        if col == "stopped_epoch":
            ax.axhline(max_epochs, color="tab:red", ls="--", lw=1, label=f"cap ({max_epochs} epochs)")
            ax.set_ylim(0, max_epochs * 1.08)
            ax.legend(fontsize=7, loc="lower right")
        else:
            ax.axhline(0.5, color="k", ls=":", lw=0.8, label="chance (0.5)")
            ax.set_ylim(min(0.5, low - 0.02), 1.0)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, axis="y")
    axes[-1].set_xticks(range(len(keys)))
    axes[-1].set_xticklabels([f"{loss}\n({arm} epochs)" for arm, loss in keys], rotation=35, ha="right", fontsize=8)
    n = int(table["seed"].nunique())
    axes[0].set_title(f"Mammography, {n} seeds: grey dots = seeds; black = mean with its 95% t-interval over seeds",
                      fontsize=9)
    fig.tight_layout()
    return fig


def paired_differences(parts: dict, margins: dict):
    """Each claim part's paired differences over seeds (``parts``: claim -> part -> differences):
    grey dots = seeds, black = the mean with its 95% t-interval; the solid line is no difference,
    the dashed line the claim's margin (``margins``: claim -> margin), which the mean must pass
    for support. The axis is symmetric about 0 and holds every dot and interval, so neither sign
    is magnified and nothing is cut."""
    plt = _plt()
    rows = [(claim, part, np.asarray(v, float)) for claim, ps in parts.items() for part, v in ps.items()]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.6))
    lim = 0.02
    for i, (claim, part, v) in enumerate(rows):
        y = len(rows) - 1 - i
        lo, hi = _mean_band(ax, y, v, horizontal=True)
        lim = max(lim, 1.1 * abs(lo), 1.1 * abs(hi))
        ax.plot([margins[claim]] * 2, [y - 0.4, y + 0.4], color="tab:red", ls="--", lw=1,
                label="the claim's margin" if i == 0 else None)
    ax.set_xlim(-lim, lim)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{part}  [{claim}]" for claim, part, _ in rows][::-1], fontsize=7)
    ax.set_xlabel("paired difference over seeds (the claim's side positive)")
    ax.set_title("grey dots = seeds; black = mean with its 95% t-interval over seeds", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig
