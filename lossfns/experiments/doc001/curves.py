"""Per-epoch curves by loss (mean over seeds with a 95% t-interval band): the figure shared
by notebooks 001-5, 001-6 and 001-7, in its own module so that 001-6's sources do not include
the other sections' figures (:mod:`.plots` re-exports it)."""

from __future__ import annotations

import pandas as pd

__all__ = ["COLUMN_LABELS", "curves_by_loss"]


#: axis labels in words for the probe columns
COLUMN_LABELS = {"accuracy": "validation accuracy", "balanced_accuracy": "held-out balanced accuracy",
                 "sensitivity": "sensitivity", "specificity": "specificity", "train_accuracy": "training accuracy",
                 "uncertain_share": "share of predictions in (0.4, 0.6)", "flip_share": "share that flipped class",
                 "param_norm": "parameter norm (L2, all weights)", "mean_abs_logit": "mean |logit|"}


def curves_by_loss(curves: pd.DataFrame, col: str, title: str, *, log_epoch: bool = False,
                   ylabel: str | None = None):
    """Mean over seeds of ``col`` per epoch for each loss, with its 95% t-interval over seeds as
    the band (:func:`lossfns.verdicts.mean_interval`; stated in the legend). ``log_epoch``: the
    epoch axis logarithmic (growth like a power of the epoch is a straight line). The y-axis
    is not truncated below 0 for a non-negative quantity."""
    from lossfns.verdicts import mean_interval
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    n_seeds = int(curves["seed"].nunique())
    for label, g in curves.groupby("loss", sort=False):
        s = g.groupby("epoch")[col]
        ests = [mean_interval(v.to_numpy()) if v.count() > 1 else None for _, v in s]
        m = s.mean()
        ax.plot(m.index, m.values, label=label)
        if all(e is not None for e in ests):
            ax.fill_between(m.index, [e.lo for e in ests], [e.hi for e in ests], alpha=0.2)
    if log_epoch:
        ax.set_xscale("log")
    if (curves[col].dropna() >= 0).all():
        ax.set_ylim(bottom=0)
    ax.set_xlabel("epoch" + (" (log scale)" if log_epoch else ""))
    ax.set_ylabel(ylabel or COLUMN_LABELS.get(col, col))
    ax.set_title(f"{title}\nlines: mean over {n_seeds} seeds; bands: 95% t-interval of the mean", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
