r"""Document 003, Sec. 5.1 (Table 1, row F1†): AP-Perf scored at its own decision rule, one task per trial.

AP-Perf (Fathony & Kolter 2020; :mod:`lossfns.training.apperf`) trains a potential
:math:`\psi(x)` (the network's logit) against an adversary, and its classifier is the sign of
the potential: :math:`\hat y = 1` when :math:`\psi(x) \ge 0`, i.e. :math:`\sigma(\psi(x)) \ge 0.5`.
Its potentials are not calibrated probabilities: on Mammography their scale stops growing
after some 20 epochs, the sigmoid of the median negative's potential stays near 0.3, so the
thresholds 0.1-0.2 of document 003's threshold-averaged metrics flag most negatives while the
model ranks well (true AUROC about 0.92). Two readings of Table 1's F1† row (register A87):

* :data:`RULE` (ours since December 2026): F1, accuracy and balanced accuracy ("AUROC" of the
  released code) of the prediction :math:`\sigma(\psi) \ge 0.5`, the rule AP-Perf trains for;
* :data:`AVERAGED`: as every other Table 1 row, averaged over τ = 0.1, ..., 0.9 of
  :math:`\sigma(\psi)` (this notebook's reading until December 2026).

Both are scored from the same model; the true AUROC is the same under both. F1\*'s rows
(:func:`tabular.run_losses`) keep the paper's threshold-averaged reading.

**One task per trial.** :func:`run_part` trains F1\* (all trials in one batched call) or one
AP-Perf trial, so that :func:`lossfns.pipeline.pieces.map_pieces` can spread AP-Perf's trials
(about 20 minutes each at 30 epochs) over a Dask cluster; :func:`gather` joins the parts as one
run would. AP-Perf's model ``m`` depends only on its own seed (``train_apperf`` resets its
solver at every batch), so a trial trained alone is the model it would be among the others
(tested).

This module supersedes :func:`doc003.apperf.run_rows` and that module's ``PRESETS`` entry for
notebook 003-5-1c; they stay until the next document-003 regeneration, since changing
``doc003.apperf`` makes seven committed full runs stale.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from . import apperf as A
from . import tabular as T
from .theory import PAPER003_SPEC

__all__ = ["PRESETS", "RULE", "AVERAGED", "AP", "rule_metrics", "parts", "run_part", "gather", "primary",
           "labelled", "trained_checks", "reading_estimates"]

#: AP-Perf's loss label in the rows (as :func:`tabular.run_apperf`)
AP = "F1† (AP-Perf)"
#: the readings of how a model's test predictions are scored
RULE = "decision rule (ψ ≥ 0)"
AVERAGED = "threshold-averaged (τ = 0.1, ..., 0.9)"

PRESETS = {
    "003-5-1c_apperf": {
        "quick": {"trials": 2, "max_epochs": 2, "patience": 1, "f1_max_epochs": 6, "f1_patience": 3,
                  "timing_batches": {"F1*": [20, 1024], "F1† (AP-Perf)": [20]}, "timing_steps": 3, "timing_repeats": 2},
        # AP-Perf: 30 epochs, window 10 (A87), 4 trials (two rounds of two tasks on two workers);
        # F1* the paper's protocol for the same trials
        "full": {"trials": 4, "max_epochs": 30, "patience": 10, "f1_max_epochs": 2000, "f1_patience": 100,
                 "timing_batches": {"F1*": [20, 100, 1024], "F1† (AP-Perf)": [20, 100]},
                 "timing_steps": 20, "timing_repeats": 5},
    },
}


def rule_metrics(p, y) -> dict:
    """The columns of :func:`tabular.threshold_metrics` for the prediction ``p >= 0.5`` alone
    (AP-Perf's decision rule, :math:`\\psi \\ge 0`), with the true AUROC of ``p`` itself.

    The hard prediction :math:`\\hat p = [p \\ge 0.5] \\in \\{0, 1\\}` passes every threshold
    τ = 0.1, ..., 0.9 exactly when ``p >= 0.5``, so the threshold-averaged metrics of
    :math:`\\hat p` are those at τ = 0.5: one definition of the counts
    (:func:`lossfns.evaluation.threshold_averaged`) serves both readings."""
    p = np.asarray(p, float)
    hard = (p >= 0.5).astype(float)
    out = T.threshold_metrics(hard, y)
    out["AUROC (true)"] = T.threshold_metrics(p, y)["AUROC (true)"]
    return out


def parts(dataset: str, *, trials: int, max_epochs: int, patience: int, f1_max_epochs: int,
          f1_patience: int, stand_in_rows: int | None = None, seed: int = 0) -> list[dict]:
    """The calls of :func:`run_part` for one run: F1\\* (all ``trials`` batched), then AP-Perf
    trial 0, 1, ..., each its own call (a task each with a scheduler)."""
    common = dict(dataset=dataset, trials=trials, max_epochs=max_epochs, patience=patience,
                  f1_max_epochs=f1_max_epochs, f1_patience=f1_patience, stand_in_rows=stand_in_rows, seed=seed)
    return [dict(common, part="F1*")] + [dict(common, part=t) for t in range(int(trials))]


def run_part(dataset: str, *, part, trials: int, max_epochs: int, patience: int, f1_max_epochs: int,
             f1_patience: int, stand_in_rows: int | None = None, seed: int = 0) -> pd.DataFrame:
    """One piece of notebook 003-5-1c's training (:func:`parts`).

    ``part="F1*"``: F1\\*'s ``trials`` models at its own protocol (``f1_max_epochs``,
    ``f1_patience``; :func:`tabular.run_losses`), reading :data:`AVERAGED`. ``part=t`` (an int):
    AP-Perf's trial ``t`` (split and initialisation seed ``seed + t``, as
    :func:`tabular.run_apperf`), at most ``max_epochs`` epochs, early stopping on its own
    validation loss over ``patience`` epochs, scored under both readings (two rows). Every row
    has ``reading``, ``capped`` (early stopping did not fire before the cap) and ``wall_s`` (this
    call's training time)."""
    from lossfns._validation import check_positive_int
    from lossfns.training.apperf import train_apperf

    trials = check_positive_int("trials", trials)
    if not (isinstance(part, str) and part == "F1*") and (
            isinstance(part, bool) or not isinstance(part, (int, np.integer)) or not 0 <= part < trials):
        raise ValueError(f"part must be 'F1*' or a trial index in [0, {trials}), got {part!r}")
    ds = T.load(dataset, stand_in_rows=stand_in_rows, seed=seed)
    if part == "F1*":
        rows = T.run_losses(ds, {"F1*": T.TABLE1_LOSSES["F1*"]}, trials=trials, max_epochs=f1_max_epochs,
                            patience=f1_patience, seed=seed)
        rows["dataset"] = dataset
        rows.insert(rows.columns.get_loc("loss") + 1, "reading", AVERAGED)
        return rows.rename(columns={"wall_s_all_trials": "wall_s"})
    t = int(part)
    tasks, tests, _ = T.trial_tasks(ds, t + 1, seed=seed)
    start = time.perf_counter()
    res = train_apperf(PAPER003_SPEC, [tasks[t]], epochs=max_epochs, patience=patience, seed=0,
                       model_ids=[seed + t], quiet=True)
    wall = time.perf_counter() - start
    proba, stopped = res.eval_proba[0], int(res.stopped_epoch[0])
    return pd.DataFrame([{"dataset": dataset, "stand_in": bool(ds.is_stand_in), "loss": AP, "reading": reading,
                          "trial": t, **score(proba, tests[t]), "stopped_epoch": stopped,
                          "capped": bool(stopped >= max_epochs - 1), "wall_s": wall}
                         for reading, score in ((RULE, rule_metrics), (AVERAGED, T.threshold_metrics))])


def gather(pieces) -> pd.DataFrame:
    """The pieces of :func:`run_part` as one run's rows: concatenated, and
    ``wall_s_all_trials`` per loss = the sum of its calls' ``wall_s`` (what
    :func:`tabular.runtime_ratio` divides by the trials)."""
    rows = pd.concat(list(pieces), ignore_index=True)
    # F1*'s trials share one call (one wall time); AP-Perf's trials are a call each (two rows per trial)
    walls = {loss: g.drop_duplicates("trial")["wall_s"].sum() if loss == AP else g["wall_s"].iloc[0]
             for loss, g in rows.groupby("loss", sort=False)}
    rows["wall_s_all_trials"] = rows["loss"].map(walls)
    return rows


def primary(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows (or checks) under this notebook's readings: F1\\*'s and AP-Perf's at :data:`RULE`."""
    return frame[(frame["loss"] != AP) | (frame["reading"] == RULE)].reset_index(drop=True)


def labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with AP-Perf's loss label naming its reading (``"F1† (AP-Perf), decision rule
    (ψ ≥ 0)"``), for a figure that shows both."""
    out = rows.copy()
    ap = out["loss"] == AP
    out.loc[ap, "loss"] = AP + ", " + out.loc[ap, "reading"]
    return out


def trained_checks(rows: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """:func:`doc003.apperf.trained_check` per reading of ``rows``, with a ``reading`` column:
    under :data:`RULE` the accuracy that must beat the majority rate is that of AP-Perf's own
    prediction."""
    out = [A.trained_check(g.drop(columns="reading"), seed=seed).assign(reading=reading)
           for reading, g in rows.groupby("reading", sort=False)]
    check = pd.concat(out, ignore_index=True)
    return check[["dataset", "loss", "reading", *[c for c in check.columns if c not in ("dataset", "loss", "reading")]]]


def reading_estimates(rows: pd.DataFrame, table: str = "table1") -> pd.DataFrame:
    """One record per reading of AP-Perf's rows and published id of ``table`` it estimates:
    ``id``, ``reading``, ``ours`` (mean over trials), its 95% t-interval ``lo``, ``hi``, ``se``
    and ``n`` (the form a docs/causes.csv ``alternative`` names)."""
    out = []
    for reading, g in rows[rows["loss"] == AP].groupby("reading", sort=False):
        for key, est in T.table1_estimates(g.drop(columns="reading"), table).items():
            out.append({"id": key, "reading": reading, "ours": est.value, "lo": est.lo, "hi": est.hi,
                        "se": est.se, "n": est.n})
    return pd.DataFrame(out)
