"""The replication report (lossfns.pipeline.report): published numbers and claims files, verdicts
from our 95% intervals (lossfns.verdicts), provenance and identity sections."""

import json

import pandas as pd
import pytest

from lossfns.pipeline import artifacts, identity, report
from lossfns.verdicts import Estimate, bootstrap


def test_published_numbers_file_is_well_formed():
    pub = report.published()
    assert pub.index.is_unique
    assert set(pub["compare"]) <= {"value", "log10", "undefined"}
    assert "tolerance" not in pub.columns  # no hand-set tolerance (issue 9)
    assert pub["reported_as"].notna().all()
    # spot checks against SPEC sec. 4 (000)
    assert pub.loc["000/table1/bce/mean_min", "value"] == 0.8269
    assert pub.loc["000/auc/hinge", "value"] == 0.7985


def test_claims_file_is_well_formed():
    c = report.claims()
    assert c.index.is_unique and len(c) >= 20
    assert c["test"].notna().all() and c["claim"].notna().all()
    assert "000/s17/every_xm_beats_bce_auc" in c.index


def pub_frame():
    rows = [("a", "value", None), ("b", "value", None), ("c", "value", None), ("d", "value", None),
            ("u", "undefined", None), ("m", "value", 0.05), ("l", "log10", None)]
    return pd.DataFrame([{"id": i, "document": "9", "table": "T", "row": "r", "column": "c",
                          "value": 100.0 if cmp == "log10" else 0.80, "compare": cmp, "margin": m,
                          "reported_as": "single run"} for i, cmp, m in rows]).set_index("id")


def entry(est, stand_in=False):
    return {"value": est.value, "dataset": "sonar", "stand_in": stand_in, "profile": "full", "note": "",
            "estimate": est.as_dict()}


def test_verdicts_from_intervals():
    tight = Estimate(0.81, 0.79, 0.83, 0.01, 20, "bootstrap")
    far = Estimate(0.70, 0.68, 0.72, 0.01, 20, "bootstrap")
    wide = Estimate(0.80, 0.60, 1.00, 0.10, 20, "bootstrap")
    ours = {"a": entry(tight), "b": entry(far), "c": entry(tight, stand_in=True), "u": entry(tight),
            "m": entry(wide), "l": entry(Estimate(2.0, 0.33, 2.67, 0.5, 20, "plateau"))}
    df = report.verdicts(pub_frame(), ours).set_index("id")
    v = df["verdict"]
    assert v["a"] == "reproduced"
    assert v["b"] == "not reproduced" and df.loc["b", "z"] == 10.0
    assert v["c"] == "not comparable"
    assert v["d"] == "not run"
    assert v["u"] == "not comparable"  # the paper does not define the quantity
    assert v["m"] == "inconclusive"    # inside, but wider than the margin stated in advance
    assert v["l"] == "reproduced"      # log10(100) = 2 inside [0.33, 2.67]
    assert df.loc["l", "interval"] == "[2.138, 467.7]"


def test_number_recorded_without_interval_is_inconclusive():
    ours = {"a": {"value": 0.8, "dataset": "sonar", "stand_in": False, "profile": "full", "note": ""}}
    v = report.verdicts(pub_frame(), ours).set_index("id")
    assert v.loc["a", "verdict"] == "inconclusive"
    assert "without an interval" in v.loc["a", "reason"]


def test_run_reproduce_and_claim_record_entries(tmp_path):
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    with pytest.raises(KeyError, match="not an id"):
        r.reproduce("000/table9/nothing", 0.5, dataset="sonar")
    est = bootstrap([0.86, 0.88, 0.87, 0.89, 0.85], n_boot=500)
    r.reproduce("000/auc/bce", est.value, dataset="ionosphere", estimate=est)
    got = r.results["reproduced"]["000/auc/bce"]
    assert got["value"] == pytest.approx(0.87) and got["estimate"]["n"] == 5
    with pytest.raises(KeyError, match="not an id of data/claims.csv"):
        r.claim("000/nothing", {"verdict": "supported"}, dataset="sonar")
    with pytest.raises(ValueError, match="must be one of"):
        r.claim("000/s14/bce_overfits", {"verdict": "reproduced"}, dataset="sonar")
    e = r.claim("000/s14/bce_overfits", {"verdict": "supported", "reason": "x"}, dataset="stand-in",
                stand_in=True)
    assert e["verdict"] == "not comparable" and e["direction"] == "supported"


def test_claim_verdicts_and_render(tmp_path):
    table = report.claims().head(2)
    ours = {table.index[0]: {"verdict": "contradicted", "reason": "CI [-0.03, -0.01]", "profile": "full"}}
    cdf = report.claim_verdicts(table, ours)
    assert list(cdf["verdict"]) == ["contradicted", "not run"]
    df = report.verdicts(pub_frame(), {})
    text = report.render(df, root=tmp_path, claims_df=cdf,
                         identity={"summary": "8 of 8 identical.", "notebooks": []})
    assert "Re-run identity check" in text and "8 of 8 identical." in text
    assert "contradicted" in text and "| tolerance" not in text
    assert "## 000 — claims" in text  # a document with claims but no published numbers


def test_identity_compare_lists_differing_keys():
    old = {"results": {"a": 1.0, "b": [1, 2], "c": "x"}}
    new = {"results": {"a": 1.5, "b": [1, 2], "c": "y", "d": 3}}
    rows = {r["key"]: r for r in identity.compare(new, old)}
    assert set(rows) == {"results/a", "results/c", "results/d"}
    assert rows["results/a"]["abs_diff"] == 0.5 and rows["results/c"]["abs_diff"] is None
    assert rows["results/d"]["committed"] == "(absent)"


def test_identity_check_against_git(tmp_path):
    out = identity.check("full")
    assert out["notebooks"], "the committed full-profile results are present"
    assert {r["status"] for r in out["notebooks"]} <= {"identical", "differs", "new"}
    assert json.loads(json.dumps(out))["profile"] == "full"


def test_not_run_numbers_keep_the_transcription_note():
    # e.g. 003 Table 7's SVMperf rows: the report says why they are not run
    pub = pub_frame()
    pub["note"] = ["SVMperf (external C program) not installable here: not run"] + [""] * (len(pub) - 1)
    df = report.verdicts(pub, {}).set_index("id")
    assert df.loc["a", "verdict"] == "not run"
    assert "SVMperf (external C program) not installable here" in df.loc["a", "reason"]
    assert df.loc["b", "reason"] == "no notebook has produced it"
    ours = {"a": entry(Estimate(0.81, 0.79, 0.83, 0.01, 20, "bootstrap"))}
    assert "SVMperf" not in report.verdicts(pub, ours).set_index("id").loc["a", "reason"]
