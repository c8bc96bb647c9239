"""The replication report's verdicts (lossfns.report) and the published-numbers file."""

import pandas as pd
import pytest

from lossfns.pipeline import artifacts, report


def test_published_numbers_file_is_well_formed():
    pub = report.published()
    assert pub.index.is_unique
    assert set(pub["compare"]) <= {"value", "log10", "ordering"}
    assert pub.loc[pub["compare"] != "ordering", "tolerance"].notna().all()
    # spot checks against SPEC sec. 4 (000)
    assert pub.loc["000/table1/bce/mean_min", "value"] == 0.8269
    assert pub.loc["000/auc/hinge", "value"] == 0.7985


def pub_frame():
    return pd.DataFrame([
        {"id": "a", "document": "9", "table": "T", "row": "r", "column": "c", "value": 0.80, "compare": "value", "tolerance": 0.03},
        {"id": "b", "document": "9", "table": "T", "row": "r", "column": "c", "value": 0.80, "compare": "value", "tolerance": 0.03},
        {"id": "c", "document": "9", "table": "T", "row": "r", "column": "c", "value": 0.80, "compare": "value", "tolerance": 0.03},
        {"id": "d", "document": "9", "table": "T", "row": "r", "column": "c", "value": 0.80, "compare": "value", "tolerance": 0.03},
        {"id": "o1", "document": "9", "table": "B", "row": "x", "column": "bias", "value": 0.1, "compare": "ordering", "tolerance": None},
        {"id": "o2", "document": "9", "table": "B", "row": "y", "column": "bias", "value": 0.5, "compare": "ordering", "tolerance": None},
        {"id": "o3", "document": "9", "table": "B", "row": "z", "column": "bias", "value": 1.0, "compare": "ordering", "tolerance": None},
        {"id": "l", "document": "9", "table": "F", "row": "r", "column": "lam", "value": 100, "compare": "log10", "tolerance": 0.5},
    ]).set_index("id")


def entry(v, stand_in=False):
    return {"value": v, "dataset": "sonar", "stand_in": stand_in, "profile": "full", "note": ""}


def test_verdicts():
    ours = {"a": entry(0.82), "b": entry(0.70), "c": entry(0.80, stand_in=True),
            "o1": entry(0.01), "o2": entry(0.03), "o3": entry(0.02), "l": entry(250.0)}
    v = report.verdicts(pub_frame(), ours).set_index("id")["verdict"]
    assert v["a"] == "reproduced"
    assert v["b"] == "not reproduced"
    assert v["c"] == "not comparable"
    assert v["d"] == "not run"
    assert v["o1"] == v["o2"] == v["o3"] == "same direction"  # tau = 1/3 > 0
    assert v["l"] == "reproduced"  # |log10(250/100)| = 0.4 <= 0.5


def test_ordering_reproduced_when_ranks_agree():
    ours = {"o1": entry(1.0), "o2": entry(2.0), "o3": entry(3.0)}
    v = report.verdicts(pub_frame(), ours).set_index("id")["verdict"]
    assert (v[["o1", "o2", "o3"]] == "reproduced").all()


def test_run_reproduce_rejects_unknown_ids(tmp_path):
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    with pytest.raises(KeyError, match="not an id"):
        r.reproduce("000/table9/nothing", 0.5, dataset="sonar")
    r.reproduce("000/auc/bce", 0.87, dataset="ionosphere")
    assert r.results["reproduced"]["000/auc/bce"]["value"] == 0.87
