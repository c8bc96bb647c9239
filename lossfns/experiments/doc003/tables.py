r"""Document 003's supplementary tabular protocols: batch size (Table 5), F-beta (Tables 3, 6),
other baselines, class weights and oversampling (Tables 7-11).

Every run is :func:`lossfns.experiments.doc003.tabular.run_losses` (003's MLP, Adam lr 1e-3,
stratified 64/20/16 splits, early stopping, metrics averaged over thresholds 0.1-0.9); this
module names the losses of each table, turns result rows into published-number estimates (ids
of ``data/published_numbers.csv``) and tests the tables' statements (``data/claims.csv``).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

import lossfns

from .tabular import DATASET_SLUGS, per_dataset, run_losses

__all__ = ["PRESETS", "LOSS_SLUGS", "METRICS", "BATCH_LOSSES", "FBETA_LOSSES", "CURVE_BETAS",
           "table_estimates", "run_table5", "table5_claims", "fbeta_claims",
           "fbeta_curve", "weights_table", "oversampling_table", "baseline_losses", "weighted_losses",
           "oversampled_losses", "run_baselines", "baselines_claims", "weights_estimates",
           "oversampling_estimates", "adult_table10_readings", "trained_table"]

PRESETS = {
    "003-s6_batch_size": {
        "quick": {"trials": 3, "max_epochs": 4, "patience": 2, "batch_sizes": [128, 1024],
                  "datasets": ["synthetic-5"]},
        # the paper's protocol: a 100-epoch window; caps that should not bind (a batch of 4,096 is
        # one step per epoch on these sets: Accuracy* on Synthetic 5% stopped after 1,763-1,946
        # epochs in a 2-trial pilot, so the larger batches get more epochs)
        "full": {"trials": 10, "max_epochs": {128: 2000, 1024: 2000, 2048: 3000, 4096: 5000}, "patience": 100,
                 "batch_sizes": [128, 1024, 2048, 4096],
                 "datasets": ["synthetic-5", "synthetic-33"]},
    },
    "003-5-3_fbeta": {
        "quick": {"trials": 3, "max_epochs": 6, "patience": 3, "datasets": ["mammography"],
                  "stand_in_rows": None},
        # the paper's protocol on the real sets (100-epoch window, a cap that should not bind);
        # the stand-ins keep the reduced protocol (A80)
        "full": {"trials": 10, "max_epochs": {"mammography": 2000, "adult": 2000, "cocktailparty": 150,
                                              "creditcard": 8},
                 "patience": {"mammography": 100, "adult": 100, "cocktailparty": 30, "creditcard": 3},
                 "datasets": ["mammography", "adult", "cocktailparty", "creditcard"], "stand_in_rows": None},
    },
    "003-s7_baselines_weighting": {
        "quick": {"trials": 3, "max_epochs": 4, "patience": 2, "datasets": ["mammography"],
                  "stand_in_rows": None},
        # Mammography at the paper's protocol (100-epoch window, cap 2,000); Adult reduced (A105:
        # at the paper's window its 14 losses take about 110 minutes of one core); the
        # stand-ins at 003-5-1's and 003-5-3's reduced protocol (A80)
        "full": {"trials": 10, "max_epochs": {"mammography": 2000, "adult": 150, "cocktailparty": 150,
                                              "creditcard": 8},
                 "patience": {"mammography": 100, "adult": 10, "cocktailparty": 30, "creditcard": 3},
                 "datasets": ["adult", "mammography", "cocktailparty", "creditcard"], "stand_in_rows": None},
    },
}

#: our loss label -> the loss slug of the published-number ids
LOSS_SLUGS = {"F1*": "f1_soft", "F2*": "f2_soft", "F3*": "f3_soft", "Accuracy*": "acc_soft",
              "F1* (l)": "f1_soft_l", "F1* (s)": "f1_soft_s", "Accuracy* (l)": "acc_soft_l",
              "Accuracy* (s)": "acc_soft_s", "BCE": "bce", "weighted BCE": "wbce", "Dice": "dice",
              "Dice (sigmoid)": "dice_sigmoid"}
#: metric slug -> column of the result rows
METRICS = {"f1": "F1", "f2": "F2", "f3": "F3", "accuracy": "Accuracy", "precision": "Precision",
           "recall": "Recall", "auroc": "AUROC (released code: mean balanced accuracy)"}


def _bce(p, t):
    return lossfns.binary_cross_entropy(p, t, reduction="none")


#: Table 5 (and 9, 11 unweighted): both Heaviside approximations (τ 0.5, δ 0.1, k 10) and BCE
BATCH_LOSSES = {
    "F1* (l)": (functools.partial(lossfns.soft_f1_loss, approx="linear"), "pooled"),
    "F1* (s)": (functools.partial(lossfns.soft_f1_loss, approx="sigmoid"), "pooled"),
    "Accuracy* (l)": (functools.partial(lossfns.soft_accuracy_loss, approx="linear"), "pooled"),
    "Accuracy* (s)": (functools.partial(lossfns.soft_accuracy_loss, approx="sigmoid"), "pooled"),
    "BCE": (_bce, "mean"),
}

#: Tables 3 and 6: the soft-set F-beta losses, linear approximation
FBETA_LOSSES = {f"F{b}*": (functools.partial(lossfns.soft_fbeta_loss, beta=float(b)), "pooled") for b in (1, 2, 3)}

#: β of the F-beta trade-off figure (every trained model evaluated at each)
CURVE_BETAS = tuple(float(b) for b in np.round(np.geomspace(0.25, 4.0, 17), 3))


def table_estimates(results: pd.DataFrame, table: str, metrics, *, by: str | None = None,
                    by_format: str = "{}") -> dict:
    """Published-number id -> our estimate (mean and t-interval over trials):
    ``003/<table>/<dataset slug>[/<by>]/<loss slug>/<metric>`` for every dataset, loss (of
    :data:`LOSS_SLUGS`) and metric slug in ``metrics``; ``by``: a further grouping column (e.g.
    the batch size), written with ``by_format``."""
    from lossfns.verdicts import mean_interval
    keys = ["dataset"] + ([by] if by else []) + ["loss"]
    out = {}
    for k, g in results.groupby(keys, sort=False):
        ds, loss = k[0], k[-1]
        if loss not in LOSS_SLUGS:
            continue
        mid = f"/{by_format.format(k[1])}" if by else ""
        for m in metrics:
            out[f"003/{table}/{DATASET_SLUGS.get(ds, ds)}{mid}/{LOSS_SLUGS[loss]}/{m}"] = mean_interval(
                g[METRICS[m]].to_numpy(), method="mean over trials")
    return out


def _paired(results, col, a, b, **where):
    r = results
    for k, v in where.items():
        r = r[r[k] == v]
    w = r.pivot_table(index="trial", columns="loss", values=col)
    return (w[a] - w[b]).to_numpy()


# ------------------------------------------------------------------ Table 5: batch size

def run_table5(datasets, batch_sizes, *, trials: int, max_epochs: int, patience: int,
               quiet: bool = True, seed: int = 0) -> pd.DataFrame:
    """Table 5: every loss of :data:`BATCH_LOSSES` at every batch size on every synthetic set;
    ``max_epochs`` and ``patience``: an int or a dict batch size -> int; trial i: split and
    initialisation seed ``seed + i`` (:func:`~lossfns.experiments.doc003.tabular.run_losses`),
    the same at every batch size."""
    parts = [run_losses(ds, BATCH_LOSSES, trials=trials, max_epochs=per_dataset(max_epochs, b),
                        patience=per_dataset(patience, b),
                        batch_size=int(b), quiet=quiet, extra={"batch_size": int(b)}, seed=seed)
             for ds in datasets for b in batch_sizes]
    return pd.concat(parts, ignore_index=True)


def table5_claims(results: pd.DataFrame) -> dict:
    """Supp. 4.3/6.1 statements on Table 5 as claim parts (claim id -> part name -> per-trial
    values, for ``run.claim(key, parts=...)``; kinds and margins in data/claims.csv):

    * ``003/supp4.3/batch_minimal``: one part per dataset, loss and metric (F1, accuracy),
      ``"<dataset> <loss> <metric>"``: the metric at the largest minus the smallest batch size;
    * on Synthetic 5%, ``003/supp4.3/linear_beats_sigmoid_5``: one part per batch size
      (``"batch <b>"``), F1 of F1* (l) minus F1* (s); ``003/supp4.3/acc_f1_zero_5``: one part per
      accuracy loss and batch size (``"<loss> batch <b>"``), the F1 values themselves (their
      difference from 0);
    * on Synthetic 33%, ``003/supp4.3/approx_similar_33``: one part per batch size and metric
      (``"batch <b> <metric>"``), F1* (l) minus F1* (s).
    """
    out = {}
    bmin, bmax = results["batch_size"].min(), results["batch_size"].max()
    parts = {}
    for (ds, loss), g in results.groupby(["dataset", "loss"], sort=False):
        for col in ("F1", "Accuracy"):
            w = g.pivot_table(index="trial", columns="batch_size", values=col)
            parts[f"{ds} {loss} {col}"] = (w[bmax] - w[bmin]).to_numpy()
    out["003/supp4.3/batch_minimal"] = parts
    s5 = results[results["dataset"] == "synthetic-5"]
    if len(s5):
        batches = sorted(s5["batch_size"].unique())
        out["003/supp4.3/linear_beats_sigmoid_5"] = {
            f"batch {b}": _paired(s5, "F1", "F1* (l)", "F1* (s)", batch_size=b) for b in batches}
        out["003/supp4.3/acc_f1_zero_5"] = {
            f"{loss} batch {b}": s5[(s5["loss"] == loss) & (s5["batch_size"] == b)]["F1"].to_numpy()
            for loss in ("Accuracy* (l)", "Accuracy* (s)") for b in batches}
    s33 = results[results["dataset"] == "synthetic-33"]
    if len(s33):
        out["003/supp4.3/approx_similar_33"] = {
            f"batch {b} {col}": _paired(s33, col, "F1* (l)", "F1* (s)", batch_size=b)
            for b in sorted(s33["batch_size"].unique()) for col in ("F1", "Accuracy")}
    return out


# ------------------------------------------------------------------ Tables 3, 6: F-beta

def fbeta_claims(results: pd.DataFrame) -> dict:
    """Sec. 5.3's statements on every data set in ``results`` as claim parts, one part per
    dataset and loss (``"<dataset> F2*"``, ``"<dataset> F3*"``), paired by trial:
    ``003/s5.3/recall_rises``: recall of F2*/F3* minus F1*; ``003/s5.3/small_f1_loss``: F1 of
    F2*/F3* minus F1* (non-inferiority)."""
    rec, f1 = {}, {}
    for ds, g in results.groupby("dataset", sort=False):
        for loss in ("F2*", "F3*"):
            rec[f"{ds} {loss}"] = _paired(g, "Recall", loss, "F1*")
            f1[f"{ds} {loss}"] = _paired(g, "F1", loss, "F1*")
    return {"003/s5.3/recall_rises": rec, "003/s5.3/small_f1_loss": f1}


def fbeta_curve(results: pd.DataFrame) -> pd.DataFrame:
    """Long table of the trade-off figure: per dataset, training loss and evaluation β, the
    mean and the 2.5/97.5% quantiles over trials of F_β (precision and recall do not depend on
    β: one row each, β NaN)."""
    cols = [c for c in results.columns if c.startswith("Fβ=")]
    rows = []
    for (ds, loss), g in results.groupby(["dataset", "loss"], sort=False):
        for c in cols:
            v = g[c].to_numpy()
            rows.append({"dataset": ds, "loss": loss, "quantity": "F_beta", "beta": float(c[3:]),
                         "mean": v.mean(), "lo": np.quantile(v, 0.025), "hi": np.quantile(v, 0.975)})
        for q in ("Precision", "Recall"):
            v = g[q].to_numpy()
            rows.append({"dataset": ds, "loss": loss, "quantity": q.lower(), "beta": np.nan,
                         "mean": v.mean(), "lo": np.quantile(v, 0.025), "hi": np.quantile(v, 0.975)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ Tables 7-11

def weights_table(ds, trials: int, *, seed: int = 0) -> pd.DataFrame:
    """Table 8 under two readings (register A84): W_n, W_p from the whole data set's counts,
    and from each trial's training split (64%, stratified, trial i with seed ``seed + i``; mean
    over trials)."""
    from lossfns.training.samplers import class_weights

    from .tabular import trial_tasks
    wn, wp = class_weights(ds.y)
    rows = [{"reading": "whole data set", "trial": -1, "W_n": wn, "W_p": wp}]
    tasks, _, _ = trial_tasks(ds, trials, seed=seed)
    for t, task in enumerate(tasks):
        a, b = class_weights(task.y_train)
        rows.append({"reading": "training split", "trial": t, "W_n": a, "W_p": b})
    return pd.DataFrame(rows)


def oversampling_table(ds, trials: int, *, seed: int = 0) -> pd.DataFrame:
    """Table 10: counts of the whole data set and of each trial's oversampled training split
    (trial i: split and oversampling seed ``seed + i``)."""
    from .tabular import trial_tasks
    _, _, counts = trial_tasks(ds, trials, oversample=True, seed=seed)
    df = pd.DataFrame(counts)
    df.insert(0, "total", len(ds.y))
    df.insert(1, "positives", int(ds.y.sum()))
    return df


def baseline_losses() -> dict:
    """Table 7's Dice (soft Dice on the MLP's sigmoid output, register A85) beside F1* (linear)
    and BCE, unweighted (the reference lines of Tables 9 and 11)."""
    return {"F1* (l)": BATCH_LOSSES["F1* (l)"], "Accuracy* (l)": BATCH_LOSSES["Accuracy* (l)"],
            "BCE": BATCH_LOSSES["BCE"], "Dice": (lossfns.dice_loss, "pooled")}


def weighted_losses() -> dict:
    """Table 9: the losses of :data:`BATCH_LOSSES` with the class weights (W_n, W_p) of each
    trial's training split (supp. 7.2): soft counts weighted (register A83), BCE weighted."""
    from lossfns.training.samplers import class_weights

    def soft(fn, approx):
        def make(tasks):
            ws = [class_weights(t.y_train) for t in tasks]
            return _PerModel([functools.partial(fn, approx=approx, class_weight=w) for w in ws]), "batch"
        return make

    def wbce(tasks):
        ws = [class_weights(t.y_train) for t in tasks]
        return _PerModel([functools.partial(lossfns.weighted_bce, weights=w, reduction="none") for w in ws],
                         elementwise=True), "mean"

    return {"F1* (l)": soft(lossfns.soft_f1_loss, "linear"), "F1* (s)": soft(lossfns.soft_f1_loss, "sigmoid"),
            "Accuracy* (l)": soft(lossfns.soft_accuracy_loss, "linear"),
            "Accuracy* (s)": soft(lossfns.soft_accuracy_loss, "sigmoid"), "weighted BCE": wbce}


class _PerModel:
    """One loss per model of a batched call (model m's rows get ``fns[m]``, e.g. its own class
    weights). Element-wise losses (``elementwise``, reduction "mean"): called with the (M, B)
    arrays, row m by ``fns[m]``. Batch-pooled losses (reduction "batch"): each model's real rows
    through :func:`lossfns.training.batched.pooled` of its own loss."""

    def __init__(self, fns, elementwise: bool = False):
        self.fns, self.elementwise = list(fns), elementwise

    def __call__(self, y_pred, y_true, mask=None):
        import torch

        from lossfns.training.batched import pooled
        if self.elementwise:
            return torch.stack([self.fns[m](y_pred[m], y_true[m]) for m in range(y_pred.shape[0])])
        return torch.cat([pooled(self.fns[m])(y_pred[m:m + 1], y_true[m:m + 1], mask[m:m + 1])
                          for m in range(y_pred.shape[0])])


def oversampled_losses() -> dict:
    """Table 11: the losses of :data:`BATCH_LOSSES`, unweighted, on oversampled training splits."""
    return dict(BATCH_LOSSES)


def run_baselines(dataset: str, *, trials: int, max_epochs: int, patience: int,
                  stand_in_rows: int | None = None, quiet: bool = True, seed: int = 0) -> pd.DataFrame:
    """Tables 7, 9 and 11 on ``dataset``: rows of :func:`run_losses` with a ``setting`` column
    ("unweighted", "weighted", "oversampled"); trial i: split and initialisation seed ``seed + i``
    in every setting."""
    kw = dict(trials=trials, max_epochs=per_dataset(max_epochs, dataset), patience=per_dataset(patience, dataset),
              stand_in_rows=stand_in_rows, quiet=quiet, seed=seed)
    return pd.concat([run_losses(dataset, baseline_losses(), extra={"setting": "unweighted"}, **kw),
                      run_losses(dataset, weighted_losses(), extra={"setting": "weighted"}, **kw),
                      run_losses(dataset, oversampled_losses(), oversample=True, extra={"setting": "oversampled"}, **kw)],
                     ignore_index=True)


def baselines_claims(results: pd.DataFrame) -> dict:
    """Supp. 7.1/7.2 statements on every data set in ``results`` as claim parts, paired by trial:

    * ``003/supp7.1/beats_dice``: one part per dataset and metric (``"<dataset> <metric>"``:
      F1, accuracy, the released code's AUROC), F1* (l) minus Dice, unweighted;
    * ``003/supp7.2/unweighted_vs_weighted_bce``: one part per dataset, F1 of F1* (l) unweighted
      minus class-weighted BCE (non-inferiority);
    * ``003/supp7.2/unweighted_vs_oversampled_bce``: one part per dataset, F1 of F1* (l) without
      oversampling minus BCE on the oversampled training split (non-inferiority);
    * ``003/supp7.2/better_without_oversampling``: one part per dataset, F1 of F1* (l) without
      minus with oversampling.
    """
    dice, w, o, os_ = {}, {}, {}, {}
    for ds, g in results.groupby("dataset", sort=False):
        u = g[g["setting"] == "unweighted"]
        for col in ("F1", "Accuracy", "AUROC (released code: mean balanced accuracy)"):
            dice[f"{ds} {col}"] = _paired(u, col, "F1* (l)", "Dice")
        f1 = {setting: g[g["setting"] == setting].pivot_table(index="trial", columns="loss", values="F1")
              for setting in ("unweighted", "weighted", "oversampled")}
        ours = f1["unweighted"]["F1* (l)"]
        w[ds] = (ours - f1["weighted"]["weighted BCE"]).dropna().to_numpy()
        o[ds] = (ours - f1["oversampled"]["BCE"]).dropna().to_numpy()
        os_[ds] = (ours - f1["oversampled"]["F1* (l)"]).dropna().to_numpy()
    return {"003/supp7.1/beats_dice": dice,
            "003/supp7.2/unweighted_vs_weighted_bce": w,
            "003/supp7.2/unweighted_vs_oversampled_bce": o,
            "003/supp7.2/better_without_oversampling": os_}


def weights_estimates(weights: pd.DataFrame, dataset: str) -> dict:
    """Table 8 ids -> our estimate of W_n, W_p under the training-split reading (mean and
    t-interval over the trials' splits; register A84)."""
    from lossfns.verdicts import mean_interval
    tr = weights[weights["reading"] == "training split"]
    slug = DATASET_SLUGS.get(dataset, dataset)
    return {f"003/table8/{slug}/{k.lower()}": mean_interval(tr[k].to_numpy(), method="over the trials' training splits")
            for k in ("W_n", "W_p")}


def oversampling_estimates(counts: pd.DataFrame, dataset: str) -> dict:
    """Table 10 ids -> our counts (over the trials: the same for every stratified split up to
    rounding), and the positive shares in percent."""
    from lossfns.verdicts import mean_interval
    slug = DATASET_SLUGS.get(dataset, dataset)
    cols = {"total_before": counts["total"], "positives_before": counts["positives"],
            "positive_pct_before": 100.0 * counts["positives"] / counts["total"],
            "total_after": counts["oversampled_rows"], "positives_after": counts["oversampled_positives"],
            "positive_pct_after": 100.0 * counts["oversampled_positives"] / counts["oversampled_rows"]}
    return {f"003/table10/{slug}/{k}": mean_interval(np.asarray(v, float), method="over the trials' splits")
            for k, v in cols.items()}


def adult_table10_readings(trials: int, *, seed: int = 0) -> pd.DataFrame:
    """Table 10's Adult training split under two readings (register A84): (a) our protocol, a
    stratified 64% of all 48,842 rows of adult.data + adult.test; (b) adult.data alone (the
    paper's Table 10 total is the union, but 19,782 fits this one), 80% for training (the rest
    validation; adult.test the test set). Trial i splits with seed ``seed + i``. Rows: reading,
    trial, training negatives and positives, and the oversampled training split (2 x negatives)."""
    from lossfns.datasets import load_adult
    from lossfns.training.splits import TABULAR_FRACTIONS, train_val_test_split
    from sklearn.model_selection import train_test_split
    rows = []
    full, data = load_adult(), load_adult(part="train")
    for t in range(trials):
        sp = train_val_test_split(full.y, TABULAR_FRACTIONS, seed=seed + t)
        y = full.y[sp.train]
        rows.append({"reading": "(a) stratified 64% of all 48,842 rows", "trial": t, "train_negatives": int((y == 0).sum()),
                     "train_positives": int(y.sum())})
        tr, _ = train_test_split(np.arange(len(data.y)), test_size=0.2, random_state=seed + t, stratify=data.y)
        y = data.y[tr]
        rows.append({"reading": "(b) 80% of adult.data (32,561 rows)", "trial": t, "train_negatives": int((y == 0).sum()),
                     "train_positives": int(y.sum())})
    df = pd.DataFrame(rows)
    df["oversampled_total"] = 2 * df["train_negatives"]
    df["oversampled_positives"] = df["train_negatives"]
    return df


# ------------------------------------------------------------------ did every model train?

def trained_table(results: pd.DataFrame, group, *, max_epochs=None, patience=None, by: str | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """Per ``group`` of rows of :func:`run_losses` (e.g. dataset, batch size, loss): the cap
    table (:func:`~lossfns.experiments.doc003.tabular.cap_table`: models, how many ran into
    the epoch cap, their share, the stopping epochs, the lowest true AUROC) and how many
    models beat the majority rate of their trial's test split
    (:func:`~lossfns.experiments.doc003.apperf.trained_check`; ``"beat majority"``, its share,
    the lowest majority rate); ``max_epochs``, ``patience``: the protocol's settings (an int or
    a dict keyed by the ``by`` column, default the dataset), added as columns. The data sets are
    loaded again as :func:`run_losses` loads them with ``seed`` (stand-ins at their real size)."""
    from .apperf import trained_check
    from .tabular import cap_table
    keys = [k for k in group if k in results]
    label = results[keys].astype(str).agg(" | ".join, axis=1)
    check = trained_check(results.assign(loss=label), seed=seed)
    check = check.rename(columns={"loss": "_group"})[["dataset", "_group", "trial", "majority rate", "trained"]]
    rows = results.assign(_group=label).merge(check, on=["dataset", "_group", "trial"], how="left", validate="1:1")
    caps = cap_table(rows, group=keys)
    g = rows.groupby(keys, sort=False).agg(beat=("trained", "sum"), majority=("majority rate", "min")).reset_index()
    caps = caps.merge(g, on=keys, how="left")
    caps["beat majority"] = caps.pop("beat").astype(int)
    caps["beat majority share"] = caps["beat majority"] / caps["models"]
    caps["majority rate min"] = caps.pop("majority")
    col = by or "dataset"
    for name, value in (("max epochs", max_epochs), ("patience", patience)):
        if value is not None:
            caps[name] = caps[col].map(lambda v, value=value: per_dataset(value, v))
    return caps
