"""Figures of the document-003 notebooks; every function returns a matplotlib figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["heaviside_panels", "param_bars", "convergence_panels", "table1_bars"]


def _plt():
    import matplotlib.pyplot as plt
    return plt


def heaviside_panels(curves: pd.DataFrame, approx: str, title: str):
    """One panel per threshold τ: the approximation ``approx`` for each parameter value, with the
    step function H(p - τ) dashed."""
    plt = _plt()
    c = curves[curves["approx"] == approx]
    taus = list(dict.fromkeys(c["tau"]))
    fig, axes = plt.subplots(1, len(taus), figsize=(4.5 * len(taus), 3.8), squeeze=False)
    for ax, tau in zip(axes[0], taus):
        g = c[c["tau"] == tau]
        for param, h in g.groupby("param", sort=False):
            ax.plot(h["p"], h["H"], label=param)
        p = np.linspace(0, 1, 501)
        ax.plot(p, (p >= tau).astype(float), "k--", lw=0.8, label="step")
        ax.set_title(f"τ = {tau:g}")
        ax.set_xlabel("p")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("H(p, τ)")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def param_bars(df: pd.DataFrame, xlabel: str, title: str):
    """Mean held-out F1 per parameter value with a 95% t-interval over seeds."""
    from lossfns.verdicts import mean_interval
    plt = _plt()
    vals = sorted(df["value"].unique())
    est = [mean_interval(df.loc[df["value"] == v, "f1"].to_numpy()) for v in vals]
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(vals))
    ax.bar(x, [e.value for e in est], yerr=[[e.value - e.lo for e in est], [e.hi - e.value for e in est]], capsize=4)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:g}" for v in vals])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("held-out F1 (τ = 0.5)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def convergence_panels(conv: pd.DataFrame):
    """Mean |metric - limit| over seeds against n (log-log), hard and soft-set, F1 and Accuracy."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, col in zip(axes, ("F1 - limit", "Accuracy - limit")):
        for kind, g in conv.groupby("kind", sort=False):
            m = g.groupby("n")[col].apply(lambda x: np.mean(np.abs(x)))
            ax.plot(m.index, m.values, marker="o", label=kind)
        ns = np.array(sorted(conv["n"].unique()), dtype=float)
        ax.plot(ns, 0.5 / np.sqrt(ns), "k:", lw=1, label="∝ 1/√n")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n")
        ax.set_ylabel(f"mean |{col}|")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def dataset_label(results: pd.DataFrame, ds: str) -> str:
    """``ds``, marked "(stand-in)" when its rows come from a generated stand-in."""
    st = "stand_in" in results and bool(results.loc[results["dataset"] == ds, "stand_in"].any())
    return f"{ds} (stand-in)" if st else ds


def table1_bars(results: pd.DataFrame, cols=("F1", "Accuracy", "AUROC (true)"), title: str = ""):
    """Per dataset (rows) and metric (columns): mean over trials per loss with ± one std."""
    plt = _plt()
    datasets = list(dict.fromkeys(results["dataset"]))
    fig, axes = plt.subplots(len(datasets), len(cols), figsize=(4.5 * len(cols), 3.5 * len(datasets)), squeeze=False)
    for i, ds in enumerate(datasets):
        g = results[results["dataset"] == ds].groupby("loss", sort=False)
        for j, c in enumerate(cols):
            m, s = g[c].mean(), g[c].std()
            axes[i, j].bar(m.index, m.values, yerr=s.values, capsize=3)
            axes[i, j].set_title(f"{title}{dataset_label(results, ds)}: {c}", fontsize=9)
            axes[i, j].set_ylim(0, 1)
            axes[i, j].tick_params(axis="x", rotation=30, labelsize=8)
    fig.tight_layout()
    return fig


def _ci(v):
    from lossfns.verdicts import mean_interval
    e = mean_interval(np.asarray(v, float))
    return e.value, e.value - e.lo, e.hi - e.value


def batch_size_lines(results: pd.DataFrame, cols=("Accuracy", "F1")):
    """Table 5 as lines: per dataset (rows) and metric (columns), each loss's mean over trials
    against the batch size (log axis) with its 95% interval."""
    plt = _plt()
    datasets = list(dict.fromkeys(results["dataset"]))
    fig, axes = plt.subplots(len(datasets), len(cols), figsize=(5 * len(cols), 3.6 * len(datasets)), squeeze=False)
    for i, ds in enumerate(datasets):
        d = results[results["dataset"] == ds]
        for j, c in enumerate(cols):
            ax = axes[i, j]
            for loss, g in d.groupby("loss", sort=False):
                st = [(b, *_ci(gg[c])) for b, gg in g.groupby("batch_size")]
                b, m, lo, hi = map(np.array, zip(*st))
                ax.errorbar(b, m, yerr=[lo, hi], marker="o", capsize=3, label=loss)
            ax.set_xscale("log", base=2)
            bs = sorted(d["batch_size"].unique())
            ax.set_xticks(bs, [str(x) for x in bs])
            ax.set_xlabel("batch size")
            ax.set_title(f"{ds}: {c} (mean, 95% CI over trials)", fontsize=9)
        axes[i, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def fbeta_tradeoff(curve: pd.DataFrame, results: pd.DataFrame):
    """The F-beta trade-off: top row, F_beta of each trained model evaluated at every beta (mean
    and 2.5-97.5% band over trials) per training loss; bottom row, precision, recall and the
    loss's own F_beta against the training beta (mean with 95% interval)."""
    plt = _plt()
    datasets = list(dict.fromkeys(curve["dataset"]))
    fig, axes = plt.subplots(2, len(datasets), figsize=(4.6 * len(datasets), 7.2), squeeze=False)
    for j, ds in enumerate(datasets):
        ax = axes[0, j]
        for loss, g in curve[(curve["dataset"] == ds) & (curve["quantity"] == "F_beta")].groupby("loss", sort=False):
            ax.plot(g["beta"], g["mean"], label=f"trained with {loss}")
            ax.fill_between(g["beta"], g["lo"], g["hi"], alpha=0.2)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("evaluation β")
        ax.set_ylabel("F_β (thresholds 0.1-0.9 averaged)")
        ax.set_title(dataset_label(results, ds), fontsize=9)
        ax.legend(fontsize=7)
        ax = axes[1, j]
        d = results[results["dataset"] == ds]
        losses = list(dict.fromkeys(d["loss"]))
        beta = np.array([float(l[1:-1]) for l in losses])
        for q in ("Precision", "Recall", "own F_β"):
            st = [_ci(d[d["loss"] == l][q if q != "own F_β" else f"F{int(b)}"]) for l, b in zip(losses, beta)]
            m, lo, hi = map(np.array, zip(*st))
            ax.errorbar(beta, m, yerr=[lo, hi], marker="o", capsize=3, label=q)
        ax.set_xticks(beta)
        ax.set_xlabel("β of the training loss F_β*")
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
