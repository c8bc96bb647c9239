"""Figures of the document-003 notebooks; every function returns a matplotlib figure."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["heaviside_panels", "param_bars", "convergence_panels", "table1_bars", "btg_partition",
           "reading_dots"]


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


def btg_partition(grid: pd.DataFrame, taus=(0.3, 0.5, 0.7)):
    """The two soft confusion matrices of one positive example (rows of
    :func:`~lossfns.experiments.doc003.btg.partition_grid`): per τ of ``taus``, TP_s and FN_s
    against p, ours (eq. 6, solid) and torch-btg's (dashed), with each one's TP_s + FN_s; last
    panel, torch-btg's TP_s + FN_s over the whole (p, τ) grid (ours is 1 everywhere)."""
    plt = _plt()
    pos = grid[grid["y"] == 1]
    fig, axes = plt.subplots(1, len(taus) + 1, figsize=(4.2 * (len(taus) + 1), 3.8), squeeze=False)
    for ax, tau in zip(axes[0], taus):
        g = pos[np.isclose(pos["tau"], tau)].sort_values("p")
        if g.empty:
            raise ValueError(f"tau {tau} is not on the grid's thresholds {sorted(set(pos['tau']))}")
        for col, name, color in (("hit", "TP_s", "C0"), ("miss", "FN_s", "C1"), ("sum", "TP_s + FN_s", "k")):
            ax.plot(g["p"], g[f"ours_{col}"], color=color, lw=1.5, label=f"ours {name}")
            ax.plot(g["p"], g[f"btg_{col}"], color=color, ls="--", lw=1.5, label=f"torch-btg {name}")
        ax.axvline(tau, color="grey", lw=0.6)
        ax.set_title(f"one positive, τ = {tau:g}", fontsize=9)
        ax.set_xlabel("p")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("soft count")
    axes[0, 0].legend(fontsize=7)
    ax = axes[0, -1]
    w = pos.pivot(index="tau", columns="p", values="btg_sum")
    dev = float(np.nanmax(np.abs(w.to_numpy() - 1.0))) or 1.0
    im = ax.imshow(w.to_numpy(), origin="lower", aspect="auto", cmap="RdBu_r", vmin=1 - dev, vmax=1 + dev,
                   extent=(w.columns.min(), w.columns.max(), w.index.min(), w.index.max()))
    fig.colorbar(im, ax=ax, label="torch-btg TP_s + FN_s (ours: 1)")
    ax.set_xlabel("p")
    ax.set_ylabel("τ")
    ax.set_title("torch-btg: one positive's total count", fontsize=9)
    fig.tight_layout()
    return fig


def reading_dots(table: pd.DataFrame, readings=None, title: str = ""):
    """Published numbers against each reading (rows of
    :func:`~lossfns.experiments.doc003.btg.reading_table`): one line per published id, the
    published mean with ± its sd (black) and each reading's mean (coloured; filled where its
    verdict is *reproduced*). ``readings``: default, every reading of the table."""
    plt = _plt()
    if readings is None:
        readings = [c[: -len(": verdict")] for c in table.columns if c.endswith(": verdict")]
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(table) + 1.2))
    ypos = np.arange(len(table))[::-1]
    sd = pd.to_numeric(table["published sd"], errors="coerce").fillna(0.0).to_numpy()
    ax.errorbar(table["published"], ypos, xerr=sd, fmt="ks", ms=4, capsize=2, label="published ± sd")
    for j, name in enumerate(readings):
        ok = (table[f"{name}: verdict"] == "reproduced").to_numpy()
        x = table[name].to_numpy(dtype=float)
        ax.scatter(x[ok], ypos[ok], color=f"C{j}", marker="o", s=28, label=f"{name} (reproduced)")
        ax.scatter(x[~ok], ypos[~ok], facecolors="none", edgecolors=f"C{j}", marker="o", s=28, label=name)
    ax.set_yticks(ypos)
    ax.set_yticklabels([i.split("/", 2)[-1] for i in table["id"]], fontsize=7)
    ax.set_xlim(-0.02, 1.02)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="best")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
