"""Document 003's tabular protocol (doc003.tabular): metrics by hand, claims, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lossfns import verdicts as V
from lossfns.experiments.doc003 import tabular as T
from lossfns.pipeline.published import claims


def judge(key, found):
    """The verdict ``run.claim(key, parts=found[key])`` records: the claims file's kind and margin."""
    spec = claims().loc[key]
    return V.judge_parts(found[key], spec["kind"], float(spec["margin"]))


def test_table1_claims_with_apperf_and_sigmoid_parts():
    rows = [{"dataset": ds, "loss": loss, "trial": t, "F1": f1 + 0.01 * t, "Accuracy": 0.8, "AUROC (true)": 0.7}
            for ds in ("adult", "mammography") for t in range(3)
            for loss, f1 in (("F1*", 0.6), ("BCE", 0.5), ("Accuracy*", 0.4), ("AUROC*", 0.3), ("AUROC (WMW)", 0.2))]
    rows += [{"dataset": "mammography", "loss": "F1† (AP-Perf)", "trial": t, "F1": 0.4, "Accuracy": 0.8,
              "AUROC (true)": 0.7} for t in range(2)]   # AP-Perf: fewer trials, one dataset
    df = pd.DataFrame(rows)
    c = T.table1_claims(df)
    assert list(c["003/s5.1/f1_beats_bce"]) == ["adult", "mammography"]
    assert list(c["003/s5.1/f1_beats_apperf"]) == ["mammography"]
    assert c["003/s5.1/f1_beats_apperf"]["mammography"] == pytest.approx([0.2, 0.21])   # the trials both ran
    sig = df.assign(F1=df["F1"] + 0.01)
    parts = T.sigmoid_claim(df, sig)
    assert len(parts) == 2 * len(T.TABLE4_LOSSES) * 3
    assert parts["adult F1* F1"] == pytest.approx([0.01] * 3) and parts["mammography AUROC* AUROC (true)"] == pytest.approx([0.0] * 3)
    assert V.judge_parts(parts, "equivalence", 0.05)["verdict"] == "supported"   # no spread: the value decides


def test_threshold_metrics_hand_values():
    p = np.array([0.95, 0.55, 0.35, 0.05])
    y = np.array([1, 0, 1, 0])
    m = T.threshold_metrics(p, y)
    # thresholds 0.1..0.9: p=0.95 always positive; 0.55 positive for tau <= 0.5 (5 of 9);
    # 0.35 positive for tau <= 0.3 (3 of 9); 0.05 never
    f1 = np.mean([2 * (1 + (t <= 0.3)) / (2 * (1 + (t <= 0.3)) + (t <= 0.5) + (t > 0.3)) for t in T.THRESHOLDS])
    assert m["F1"] == pytest.approx(f1)
    assert m["AUROC (true)"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="same shape"):
        T.threshold_metrics(p, y[:2])


def test_claims_and_estimates_on_a_scripted_table():
    rows = []
    for t in range(4):
        for loss, f1, acc, auc in (("F1*", 0.6 + 0.01 * t, 0.80, 0.7), ("BCE", 0.3, 0.80 + 0.001 * t, 0.9),
                                   ("Accuracy*", 0.2, 0.805, 0.8), ("AUROC*", 0.1, 0.5, 0.6 + 0.01 * t),
                                   ("AUROC (WMW)", 0.0, 0.7, 0.5 + 0.01 * t)):
            rows.append({"dataset": "adult", "loss": loss, "trial": t, "F1": f1, "Accuracy": acc,
                         "AUROC (released code: mean balanced accuracy)": auc, "AUROC (true)": auc})
    df = pd.DataFrame(rows)
    c = T.table1_claims(df)
    assert set(c) == {"003/s5.1/f1_beats_bce", "003/s5.1/acc_comparable_bce", "003/s5.1/auroc_not_better"}
    assert list(c["003/s5.1/f1_beats_bce"]) == ["adult"]
    assert c["003/s5.1/f1_beats_bce"]["adult"] == pytest.approx([0.3, 0.31, 0.32, 0.33])   # F1* - BCE per trial
    assert c["003/s5.1/acc_comparable_bce"]["adult"] == pytest.approx([0.005, 0.004, 0.003, 0.002])
    assert list(c["003/s5.1/auroc_not_better"]) == ["adult AUROC*", "adult AUROC (WMW)"]
    assert c["003/s5.1/auroc_not_better"]["adult AUROC (WMW)"] == pytest.approx([-0.4, -0.39, -0.38, -0.37])   # loss - BCE
    assert judge("003/s5.1/f1_beats_bce", c)["verdict"] == "supported"
    assert judge("003/s5.1/auroc_not_better", c)["verdict"] == "supported"
    est = T.table1_estimates(df)
    assert est["003/table1/adult/f1_soft/f1"].value == pytest.approx(0.615)
    assert T.per_dataset({"adult": 3}, "adult") == 3 and T.per_dataset(5, "x") == 5
    with pytest.raises(KeyError, match="no setting"):
        T.per_dataset({"adult": 3}, "mammography")


def test_run_table1_small_and_validation():
    with pytest.raises(ValueError, match="dataset must be one of"):
        T.run_table1("kaggle", trials=1, max_epochs=1, patience=1)
    r = T.run_table1("mammography", trials=2, max_epochs=1, patience=1,
                     losses={"BCE": T.TABLE1_LOSSES["BCE"], "F1*": T.TABLE1_LOSSES["F1*"]})
    assert len(r) == 4 and r["F1"].between(0, 1).all()
    assert set(T.timing_table(r)["loss"]) == {"BCE", "F1*"}
