"""Document 003, Sec. 5.1: AP-Perf scored at its decision rule, one task per trial
(doc003.apperf_rule, notebook 003-5-1c). AP-Perf trains here only on a small labelled
stand-in for one epoch (its ADMM solve is slow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossfns.experiments.doc003 import apperf_rule as AR
from lossfns.experiments.doc003 import tabular as T

SMALL = dict(dataset="cocktailparty", trials=2, max_epochs=1, patience=1, f1_max_epochs=2, f1_patience=1,
             stand_in_rows=300)


def test_rule_metrics_are_the_counts_at_one_half_by_hand():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.5, 0.3, 0.49, 0.2, 0.7, 0.1, 0.05])
    m = AR.rule_metrics(p, y)
    # at p >= 0.5: TP 2 (0.9, 0.5), FN 1 (0.3), FP 1 (0.7), TN 4
    assert m["F1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert m["Accuracy"] == pytest.approx(6 / 8)
    assert m["Precision"] == pytest.approx(2 / 3) and m["Recall"] == pytest.approx(2 / 3)
    assert m[T.SUMMARY_COLUMNS[2]] == pytest.approx(0.5 * (2 / 3 + 4 / 5))   # balanced accuracy
    # the true AUROC ranks p itself, not the hard prediction: 12 of 15 pairs ordered, no ties
    assert m["AUROC (true)"] == pytest.approx(12 / 15)
    # and the threshold-averaged reading differs here (0.3 passes τ = 0.1, ..., 0.3)
    assert T.threshold_metrics(p, y)["F1"] != pytest.approx(m["F1"])


def test_parts_are_f1_star_then_one_call_per_trial():
    calls = AR.parts("mammography", trials=3, max_epochs=30, patience=10, f1_max_epochs=2000, f1_patience=100)
    assert [c["part"] for c in calls] == ["F1*", 0, 1, 2]
    assert all(c["dataset"] == "mammography" and c["trials"] == 3 and c["max_epochs"] == 30 for c in calls)


@pytest.mark.parametrize("part", [2, -1, True, 0.0, "BCE"])
def test_a_bad_part_names_the_argument(part):
    with pytest.raises(ValueError, match="part must be 'F1\\*' or a trial index in \\[0, 2\\)"):
        AR.run_part(**{**SMALL, "part": part})


def test_a_trial_trained_alone_is_the_model_it_is_among_the_others():
    alone = AR.run_part(**SMALL, part=1)
    assert list(alone["reading"]) == [AR.RULE, AR.AVERAGED] and (alone["trial"] == 1).all()
    assert alone["stand_in"].all()   # the labelled stand-in, never presented as the real data
    together = T.run_apperf("cocktailparty", trials=2, max_epochs=1, patience=1, stand_in_rows=300)
    a = alone[alone["reading"] == AR.AVERAGED].iloc[0]
    b = together[together["trial"] == 1].iloc[0]
    for col in ("F1", "Accuracy", T.SUMMARY_COLUMNS[2], "AUROC (true)", "stopped_epoch"):
        assert a[col] == b[col], col
    rule = alone[alone["reading"] == AR.RULE].iloc[0]
    assert rule["AUROC (true)"] == a["AUROC (true)"]   # one model, two readings


def piece(loss, trials, wall, readings=(AR.AVERAGED,)):
    return pd.DataFrame([{"dataset": "mammography", "loss": loss, "reading": r, "trial": t,
                          "F1": 0.5, "Accuracy": 0.98, "wall_s": wall} for t in trials for r in readings])


def test_gather_sums_one_wall_time_per_call():
    pieces = [piece("F1*", [0, 1], 4.0), piece(AR.AP, [0], 10.0, (AR.RULE, AR.AVERAGED)),
              piece(AR.AP, [1], 12.5, (AR.RULE, AR.AVERAGED))]
    rows = AR.gather(pieces)
    assert len(rows) == 6
    assert (rows.loc[rows["loss"] == "F1*", "wall_s_all_trials"] == 4.0).all()      # one batched call
    assert (rows.loc[rows["loss"] == AR.AP, "wall_s_all_trials"] == 22.5).all()     # two calls, not four rows
    prim = AR.primary(rows)
    assert len(prim) == 4 and set(prim.loc[prim["loss"] == AR.AP, "reading"]) == {AR.RULE}
    assert set(AR.labelled(rows)["loss"]) == {"F1*", f"{AR.AP}, {AR.RULE}", f"{AR.AP}, {AR.AVERAGED}"}


def test_trained_checks_judge_each_reading_against_the_majority_rate():
    _, tests, _ = T.trial_tasks(T.load("mammography"), 2)
    maj = [float(max(np.mean(y), 1 - np.mean(y))) for y in tests]
    rows = []
    for t in range(2):
        base = {"dataset": "mammography", "stand_in": False, "trial": t, "F1": 0.5, T.SUMMARY_COLUMNS[2]: 0.7,
                "AUROC (true)": 0.9, "stopped_epoch": 29, "capped": True}
        rows += [{**base, "loss": "F1*", "reading": AR.AVERAGED, "Accuracy": maj[t] + 0.005, "capped": False},
                 {**base, "loss": AR.AP, "reading": AR.RULE, "Accuracy": maj[t] + 0.002},
                 {**base, "loss": AR.AP, "reading": AR.AVERAGED, "Accuracy": 0.77}]
    checks = AR.trained_checks(pd.DataFrame(rows))
    assert list(checks.columns[:3]) == ["dataset", "loss", "reading"] and len(checks) == 6
    c = checks.set_index(["loss", "reading", "trial"]).sort_index()["trained"]
    assert c[("F1*", AR.AVERAGED)].all() and c[(AR.AP, AR.RULE)].all()
    assert not c[(AR.AP, AR.AVERAGED)].any()
    assert set(AR.primary(checks)["reading"]) == {AR.AVERAGED, AR.RULE} and len(AR.primary(checks)) == 4


def test_reading_estimates_give_one_record_per_reading_and_id():
    rows = pd.concat([piece(AR.AP, [0, 1, 2], 1.0, (AR.RULE, AR.AVERAGED))], ignore_index=True)
    rows[T.SUMMARY_COLUMNS[2]] = 0.6
    rows.loc[rows["reading"] == AR.RULE, "F1"] = [0.40, 0.45, 0.50]
    est = AR.reading_estimates(rows)
    assert set(est["reading"]) == {AR.RULE, AR.AVERAGED}
    r = est[(est["reading"] == AR.RULE) & (est["id"] == "003/table1/mammography/f1_adv/f1")].iloc[0]
    assert r["ours"] == pytest.approx(0.45) and r["n"] == 3 and r["lo"] < 0.45 < r["hi"]
