r"""Document 003, Sec. 5.1 (Tables 1 and 4): the tabular protocol.

003's MLP (:data:`~lossfns.experiments.paper003.PAPER003_SPEC`: 32-16-1, ReLU, dropout 0.5,
sigmoid), Adam lr 1e-3, batch 1,024, standardised features, stratified train/test/validation
splits of 64/20/16% (supp. 4.1), early stopping when the validation loss has not decreased for
``patience`` epochs (register A43), the best epoch's weights restored; each loss's ``trials``
models train in one batched call (:func:`lossfns.training.train_batched`, batch-pooled losses).

Metrics on the test split (:func:`threshold_metrics`): F1 and accuracy averaged over the
thresholds 0.1, ..., 0.9 (as the paper says), the authors' released "AUROC" (balanced accuracy
averaged over the same thresholds, register A11) and the true AUROC (rank statistic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lossfns

from .paper003 import PAPER003_SPEC

__all__ = ["PRESETS", "TABLE1_LOSSES", "THRESHOLDS", "METRIC_COLUMNS", "threshold_metrics", "run_table1",
           "table1_estimates", "table1_claims", "timing_table", "per_dataset"]

PRESETS = {
    "003-5-1_tabular": {
        "quick": {"trials": 3, "max_epochs": 6, "patience": 3, "datasets": ["mammography"]},
        "full": {"trials": 10, "max_epochs": {"adult": 30, "mammography": 150},
                 "patience": {"adult": 10, "mammography": 30}, "datasets": ["adult", "mammography"]},
    },
}

THRESHOLDS = np.round(np.arange(0.1, 0.91, 0.1), 2)

#: Table 1's rows run here: label -> (loss of one model's batch, reduction); F1-dagger (AP-Perf)
#: is not installed this session.
TABLE1_LOSSES = {
    "F1*": (lambda p, t: lossfns.soft_f1_loss(p, t), "pooled"),
    "Accuracy*": (lambda p, t: lossfns.soft_accuracy_loss(p, t), "pooled"),
    "AUROC*": (lambda p, t: lossfns.soft_auroc_loss(p, t), "pooled"),
    "AUROC (WMW)": (lambda p, t: lossfns.wmw_auroc_loss(p, t), "pooled"),
    "BCE": (lambda p, t: lossfns.binary_cross_entropy(p, t, reduction="none"), "mean"),
}


def threshold_metrics(p, y) -> dict:
    """F1, accuracy and balanced accuracy of ``p >= τ`` averaged over τ = 0.1, ..., 0.9, and the
    true AUROC (Mann-Whitney, ties counted half)."""
    from sklearn.metrics import roc_auc_score
    p, y = np.asarray(p, float), np.asarray(y).astype(int)
    if p.shape != y.shape:
        raise ValueError(f"p and y must have the same shape, got {p.shape} and {y.shape}")
    f1s, accs, baccs = [], [], []
    for tau in THRESHOLDS:
        pred = p >= tau
        tp = np.sum(pred & (y == 1)); fp = np.sum(pred & (y == 0)); fn = np.sum(~pred & (y == 1))
        tn = np.sum(~pred & (y == 0))
        f1s.append(2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0)
        accs.append((tp + tn) / len(y))
        baccs.append(0.5 * (tp / max(tp + fn, 1) + tn / max(tn + fp, 1)))
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
    return {"F1": float(np.mean(f1s)), "Accuracy": float(np.mean(accs)),
            "AUROC (released code: mean balanced accuracy)": float(np.mean(baccs)), "AUROC (true)": auc}


def per_dataset(value, dataset: str):
    """``value`` itself, or ``value[dataset]`` when it is a dict of per-dataset settings."""
    if isinstance(value, dict):
        if dataset not in value:
            raise KeyError(f"no setting for dataset {dataset!r} in {value!r}")
        return value[dataset]
    return value


def _load(name: str):
    from lossfns.datasets import load_adult, load_mammography
    loaders = {"adult": load_adult, "mammography": load_mammography}
    if name not in loaders:
        raise ValueError(f"dataset must be one of {sorted(loaders)}, got {name!r}")
    return loaders[name]()


def run_table1(dataset: str, *, trials: int, max_epochs: int, patience: int, losses=None,
               quiet: bool = True) -> pd.DataFrame:
    """Train every loss of ``losses`` (default :data:`TABLE1_LOSSES`) for ``trials`` trials (trial
    i: split seed i, initialisation seed i) on ``dataset``; one row per loss and trial with the
    test metrics, the stopping epoch and the wall time of the loss's batched call."""
    import time

    from lossfns.training import Task, train_batched
    from lossfns.training.splits import TABULAR_FRACTIONS, standardize, train_val_test_split
    ds = _load(dataset)
    losses = TABLE1_LOSSES if losses is None else losses
    tasks, tests = [], []
    for t in range(trials):
        sp = train_val_test_split(ds.y, TABULAR_FRACTIONS, seed=t)
        Xtr, Xte, Xva, _ = standardize(ds.X[sp.train], ds.X[sp.test], ds.X[sp.val])
        tasks.append(Task(Xtr, ds.y[sp.train], X_eval=Xte, y_eval=ds.y[sp.test], X_val=Xva, y_val=ds.y[sp.val]))
        tests.append(ds.y[sp.test])
    rows = []
    for label, (fn, reduction) in losses.items():
        start = time.perf_counter()
        res = train_batched(PAPER003_SPEC, tasks, fn, loss_reduction=reduction, epochs=max_epochs, batch_size=1024,
                            optimizer="adam", optimizer_kwargs={"lr": 1e-3}, seed=0, model_ids=list(range(trials)),
                            patience=patience, restore_best=True, track_eval=False, quiet=quiet)
        wall = time.perf_counter() - start
        for t in range(trials):
            rows.append({"dataset": dataset, "loss": label, "trial": t, **threshold_metrics(res.eval_proba[t], tests[t]),
                         "stopped_epoch": int(res.stopped_epoch[t]), "wall_s_all_trials": wall})
    return pd.DataFrame(rows)


#: published Table 1 metric -> our column it is compared with (register A81 for AUROC)
METRIC_COLUMNS = {"f1": "F1", "accuracy": "Accuracy", "auroc": "AUROC (released code: mean balanced accuracy)"}
_SLUG = {"F1*": "f1_soft", "Accuracy*": "acc_soft", "AUROC*": "auroc_soft", "AUROC (WMW)": "auroc_wmw", "BCE": "bce"}


def table1_estimates(results: pd.DataFrame) -> dict:
    """Published-number id -> our estimate (mean and t-interval over trials) for every dataset,
    loss and metric in ``results`` (rows of :func:`run_table1`)."""
    from lossfns.verdicts import mean_interval
    out = {}
    for (ds, loss), g in results.groupby(["dataset", "loss"], sort=False):
        for metric, col in METRIC_COLUMNS.items():
            out[f"003/table1/{ds}/{_SLUG[loss]}/{metric}"] = mean_interval(g[col].to_numpy(), method="mean over trials")
    return out


def _paired(results, ds, a, b, col):
    w = results[results["dataset"] == ds].pivot(index="trial", columns="loss", values=col)
    return (w[a] - w[b]).to_numpy()


def table1_claims(results: pd.DataFrame, *, acc_margin: float = 0.02) -> dict:
    """The verdicts of Sec. 5.1's three statements on the datasets in ``results`` (see
    data/claims.csv): F1* beats BCE on F1 everywhere; Accuracy* within ±``acc_margin`` of BCE
    on accuracy everywhere; neither AUROC* nor WMW above BCE on the true AUROC anywhere."""
    from lossfns.verdicts import equivalence_claim, paired_claim
    datasets = list(dict.fromkeys(results["dataset"]))

    def combine(parts, what):
        vs = [r["verdict"] for _, r in parts]
        v = ("supported" if all(x == "supported" for x in vs) else
             "contradicted" if "contradicted" in vs else "inconclusive")
        return {"verdict": v, "reason": f"{what}: " + "; ".join(f"{k}: {r['verdict']} ({r['reason']})" for k, r in parts)}

    f1 = [(ds, paired_claim(_paired(results, ds, "F1*", "BCE", "F1"))) for ds in datasets]
    acc = [(ds, equivalence_claim(_paired(results, ds, "Accuracy*", "BCE", "Accuracy"), acc_margin)) for ds in datasets]
    auc = []
    for ds in datasets:
        for loss in ("AUROC*", "AUROC (WMW)"):
            r = paired_claim(_paired(results, ds, loss, "BCE", "AUROC (true)"), greater=False)
            auc.append((f"{ds} {loss}", r))   # "supported" here: significantly below BCE
    return {"003/s5.1/f1_beats_bce": combine(f1, "F1* - BCE on F1"),
            "003/s5.1/acc_comparable_bce": combine(acc, f"Accuracy* - BCE on accuracy, margin +-{acc_margin}"),
            "003/s5.1/auroc_not_better": combine(auc, "AUROC losses - BCE on the true AUROC (supported: significantly below)")}


def timing_table(results: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and loss: wall time of the batched call (all trials), epochs run (the longest
    trial) and seconds per epoch; the seconds per 100 epochs give the cost of each 100-epoch
    window of the paper's early stopping."""
    g = results.groupby(["dataset", "loss"], sort=False).agg(wall_s=("wall_s_all_trials", "first"),
                                                              epochs=("stopped_epoch", "max"))
    g["epochs"] = g["epochs"] + 1
    g["s_per_epoch"] = g["wall_s"] / g["epochs"]
    g["s_per_100_epochs"] = 100 * g["s_per_epoch"]
    return g.reset_index()
