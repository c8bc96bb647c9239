"""Document 003, supplementary Sec. 7 (Tables 7-11): one notebook per training setting.

* **003-s7a** ("unweighted"): Table 7's soft Dice beside F1* (l), Accuracy* (l) and BCE, with the
  class weights of Table 8 and the oversampling counts of Table 10 (:mod:`.tables`);
* **003-s7b** ("weighted"): Table 9, the soft-set losses and BCE with each training split's class
  weights (:func:`.tables.weighted_losses`);
* **003-s7c** ("oversampled"): Table 11, the same losses unweighted on training splits randomly
  oversampled to 50/50 (:func:`.tables.oversampled_losses`).

Trial i uses split and initialisation seed ``seed + i`` in every setting, so a setting's models
can be paired with another's trial by trial. The supp. 7.2 statements compare the unweighted
F1* (l) with the weighted and oversampled losses: :func:`run_setting` trains it beside a weighted
or oversampled setting (the same models as 003-s7a's), so each notebook tests its own statements.

One notebook for all three settings did not fit a run of under two hours at the paper's protocol
(register A105). This module supersedes :func:`.tables.run_baselines` and
:func:`.tables.baselines_claims` (the single notebook's), which stay in :mod:`.tables` until
003-5-2, 003-5-3 and 003-s6 run again: editing :mod:`.tables` makes their committed runs stale.
"""
from __future__ import annotations

import pandas as pd

from lossfns._validation import check_choice, check_int

from .tables import _paired, baseline_losses, oversampled_losses, weighted_losses
from .tabular import per_dataset, run_losses

__all__ = ["SETTINGS", "PRESETS", "setting_calls", "run_setting", "claims"]

#: the training settings of supp. Tables 7 (and 8, 10), 9 and 11
SETTINGS = ("unweighted", "weighted", "oversampled")

_PRESET = {
    "quick": {"trials": 3, "max_epochs": 4, "patience": 2, "datasets": ["mammography"], "stand_in_rows": None},
    # the real sets at the paper's protocol (a 100-epoch window, a cap of 2,000 that should not
    # bind; A105); the stand-ins at the reduced protocol of 003-5-1 and 003-5-3 (A80)
    "full": {"trials": 10, "max_epochs": {"mammography": 2000, "adult": 2000, "cocktailparty": 150, "creditcard": 8},
             "patience": {"mammography": 100, "adult": 100, "cocktailparty": 30, "creditcard": 3},
             "datasets": ["adult", "mammography", "cocktailparty", "creditcard"], "stand_in_rows": None},
}
#: notebook -> profile -> parameters (:func:`lossfns.pipeline.profiles.preset`)
PRESETS = {"003-s7a_baselines": _PRESET, "003-s7b_class_weights": _PRESET, "003-s7c_oversampling": _PRESET}


def setting_calls(setting: str) -> list[tuple[str, str]]:
    """The batched training calls of ``setting`` (one of :data:`SETTINGS`) in the order
    :func:`run_setting` makes them, as (row setting, loss label): "unweighted" is
    :func:`.tables.baseline_losses`; "weighted" and "oversampled" are the unweighted F1* (l)
    they are compared with, then :func:`.tables.weighted_losses` or
    :func:`.tables.oversampled_losses`. Each call is independent of the others (its own seeds,
    the same splits), so a subset of them is a piece a cluster can run as a task."""
    check_choice("setting", setting, SETTINGS)
    if setting == "unweighted":
        return [("unweighted", label) for label in baseline_losses()]
    losses = weighted_losses() if setting == "weighted" else oversampled_losses()
    return [("unweighted", "F1* (l)")] + [(setting, label) for label in losses]


def run_setting(dataset: str, setting: str, *, trials: int, max_epochs, patience,
                stand_in_rows: int | None = None, quiet: bool = True, seed: int = 0,
                calls=None) -> pd.DataFrame:
    """Rows of :func:`.tabular.run_losses` for one ``setting`` of :data:`SETTINGS` on
    ``dataset``, with a ``setting`` column: "unweighted" trains :func:`.tables.baseline_losses`;
    "weighted" trains :func:`.tables.weighted_losses` and "oversampled"
    :func:`.tables.oversampled_losses` (on oversampled training splits), each beside the
    unweighted F1* (l) (rows with setting "unweighted") that supp. 7.2 compares them with.
    ``max_epochs``, ``patience``: an int or a dict dataset -> int. ``calls``: None (all of
    :func:`setting_calls`) or some of them, (row setting, loss label) pairs; the rows of a
    subset are those of the whole run for its calls (apart from the wall time)."""
    every = setting_calls(setting)
    if calls is not None:
        calls = [check_choice("calls", tuple(c), every) for c in calls]
        check_int("len(calls)", len(calls), 1, what=f"at least 1 (calls of setting {setting!r})")
    calls = every if calls is None else calls
    kw = dict(trials=trials, max_epochs=per_dataset(max_epochs, dataset), patience=per_dataset(patience, dataset),
              stand_in_rows=stand_in_rows, quiet=quiet, seed=seed)
    losses = {"unweighted": baseline_losses(), "weighted": weighted_losses(), "oversampled": oversampled_losses()}
    return pd.concat([run_losses(dataset, {label: losses[row_setting][label]}, oversample=row_setting == "oversampled",
                                 extra={"setting": row_setting}, **kw) for row_setting, label in calls],
                     ignore_index=True)


def claims(results: pd.DataFrame) -> dict:
    """The supp. 7.1/7.2 statements that ``results`` (rows of :func:`run_setting`) can test, as
    claim parts paired by trial, one part per data set (and metric, for the Dice claim):

    * ``003/supp7.1/beats_dice`` (with Dice rows): F1* (l) minus Dice, unweighted, on F1,
      accuracy and the released code's AUROC;
    * ``003/supp7.2/unweighted_vs_weighted_bce`` (with a weighted setting): F1 of the unweighted
      F1* (l) minus class-weighted BCE (non-inferiority);
    * ``003/supp7.2/unweighted_vs_oversampled_bce`` (with an oversampled setting): F1 of F1* (l)
      without oversampling minus BCE on the oversampled training split (non-inferiority);
    * ``003/supp7.2/better_without_oversampling`` (with an oversampled setting): F1 of F1* (l)
      without minus with oversampling.

    A statement whose rows ``results`` lacks is left out."""
    dice, w, o, os_ = {}, {}, {}, {}
    for ds, g in results.groupby("dataset", sort=False):
        u = g[g["setting"] == "unweighted"]
        if (u["loss"] == "Dice").any():
            for col in ("F1", "Accuracy", "AUROC (released code: mean balanced accuracy)"):
                dice[f"{ds} {col}"] = _paired(u, col, "F1* (l)", "Dice")
        f1 = {s: g[g["setting"] == s].pivot_table(index="trial", columns="loss", values="F1") for s in SETTINGS}
        if "F1* (l)" not in f1["unweighted"]:
            continue
        ours = f1["unweighted"]["F1* (l)"]
        if "weighted BCE" in f1["weighted"]:
            w[ds] = (ours - f1["weighted"]["weighted BCE"]).dropna().to_numpy()
        if "BCE" in f1["oversampled"]:
            o[ds] = (ours - f1["oversampled"]["BCE"]).dropna().to_numpy()
            os_[ds] = (ours - f1["oversampled"]["F1* (l)"]).dropna().to_numpy()
    out = {"003/supp7.1/beats_dice": dice, "003/supp7.2/unweighted_vs_weighted_bce": w,
           "003/supp7.2/unweighted_vs_oversampled_bce": o, "003/supp7.2/better_without_oversampling": os_}
    return {k: v for k, v in out.items() if v}
