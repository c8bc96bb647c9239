"""The replication report (lossfns.pipeline.report): published numbers and claims files, verdicts
v2 (the difference ours - published against a registered margin, lossfns.verdicts), causes,
reports/verdicts.csv, timing claims, the provenance section; the re-run identity check
(results.json only)."""

import json
import math
import subprocess

import numpy as np
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
    rows = [("a", "value", 0.04), ("b", "value", 0.04), ("c", "value", 0.04), ("d", "value", 0.04),
            ("u", "undefined", None), ("m", "value", 0.05), ("l", "log10", 0.5)]
    return pd.DataFrame([{"id": i, "document": "9", "table": "T", "row": "r", "column": "c",
                          "value": 100.0 if cmp == "log10" else 0.80, "compare": cmp,
                          "statistic": {"log10": "grid", "undefined": None}.get(cmp, "single"),
                          "pub_sd": None, "pub_sd_decimals": None, "pub_n": None if cmp == "log10" else 1,
                          "decimals": None if cmp != "value" else 2, "eq_margin": m, "same_run_as": None,
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
    df = report.verdicts(pub_frame(), ours, []).set_index("id")
    v = df["verdict"]
    assert v["a"] == "reproduced"      # [0.79 - 0.80 - 0.005, 0.83 - 0.80 + 0.005] inside +-0.04
    assert v["b"] == "not reproduced" and df.loc["b", "cause"] == "unexplained"
    assert df.loc["b", "difference_lo"] == pytest.approx(0.68 - 0.80 - 0.005)
    assert v["c"] == "not comparable"
    assert v["d"] == "not run"
    assert v["u"] == "not comparable"  # the paper does not define the quantity
    assert v["m"] == "inconclusive"    # wider than the margin
    assert v["l"] == "inconclusive"    # log10(100) = 2; the plateau [0.33, 2.67] is wider than +-0.5
    assert df.loc["l", "interval"] == "[2.138, 467.7]"
    assert df.loc["l", "ours_lo"] == pytest.approx(10 ** 0.33)  # verdicts.csv: the number's own scale
    assert df["counted"].all() and (df.loc[df.verdict != "not reproduced", "cause"] == "").all()


def test_number_recorded_without_interval_is_inconclusive():
    ours = {"a": {"value": 0.8, "dataset": "sonar", "stand_in": False, "profile": "full", "note": ""}}
    v = report.verdicts(pub_frame(), ours, []).set_index("id")
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
    df = report.verdicts(pub_frame(), {}, [])
    text = report.render(df, root=tmp_path, claims_df=cdf, artefact_commit="0123456789abcdef")
    # the identity check describes one working tree: `make reproduce` prints it, the report
    # (a pure function of committed files) does not carry it, nor a date or HEAD
    assert "Re-run identity check" not in text and "Generated on" not in text
    assert "The newest artefact commit is `0123456789`." in text
    assert "contradicted" in text and "| tolerance" not in text
    assert "## 000 — claims" in text  # a document with claims but no published numbers


def test_a_claims_cause_carries_its_evidence():
    table = report.claims().head(2)
    key = table.index[0]
    ours = {key: {"verdict": "contradicted", "reason": "CI [-0.03, -0.01]", "profile": "full"}}
    cause = [{"pattern": key, "cause": "paper", "register": "A1", "when": "", "alternative": "",
              "evidence": "the paper's own table says otherwise"}]
    cdf = report.claim_verdicts(table, ours, cause).set_index("id")
    assert cdf.loc[key, "cause"] == "paper" and cdf.loc[key, "register"] == "A1"
    assert cdf.loc[key, "evidence"] == "CI [-0.03, -0.01]; cause: the paper's own table says otherwise"
    # a claim not contradicted has no cause, and its evidence is the test's alone
    assert cdf.loc[table.index[1], "cause"] == "" and "cause:" not in cdf.loc[table.index[1], "evidence"]


def test_every_contradicted_claim_has_a_cause_with_evidence():
    from lossfns.verdicts import CAUSES
    cdf = report.claim_verdicts(report.claims(), report.collect_claims(report.repo_root(), include_ignored=False))
    claims_ = cdf[cdf["verdict"] == "contradicted"]
    assert len(claims_) and claims_["cause"].isin(CAUSES).all()
    explained = claims_[claims_["cause"] != "unexplained"]
    assert len(explained) and explained["evidence"].str.contains("; cause: ").all()
    register = report.ambiguities_md().read_text()
    for entry in {e.strip() for regs in explained["register"] for e in regs.split(";")}:
        assert f"| {entry} |" in register, f"{entry} is not an entry of docs/ambiguities.md"


def _write_run(root, notebook, results, timings=None, profile="full"):
    d = root / "results" / profile / notebook
    d.mkdir(parents=True)
    head = {"notebook": notebook, "profile": profile, "seed": 0}
    (d / "results.json").write_text(artifacts.dumps({**head, "results": results}))
    if timings is not None:
        (d / "timings.json").write_text(artifacts.dumps({**head, "timings": timings}))
    return d


def test_timing_claims_come_from_timings_json_and_are_marked(tmp_path):
    table = report.claims()
    speed, other = "003/s5.1/runtime_apperf_slower", "003/s5.1/f1_beats_apperf"
    _write_run(tmp_path, "003-5-1_tabular",
               {"claims": {other: {"verdict": "supported", "reason": "paired CI [+0.4, +0.6]"}}},
               {"claims": {speed: {"verdict": "supported", "reason": "exact: ratio 2301", "timing": True}},
                "runtime": {"ratio_per_model_epoch": 2301.0}})
    ours = report.collect_claims(tmp_path)
    assert ours[speed]["timing"] is True and ours[speed]["notebook"] == "003-5-1_tabular"
    assert "timing" not in ours[other]
    cdf = report.claim_verdicts(table.loc[[speed, other]], ours).set_index("id")
    assert list(cdf["timing"]) == [True, False]
    assert cdf.loc[speed, "verdict"] == "supported"
    assert cdf.loc[speed, "evidence"] == f"*{report.TIMING_NOTE}*; exact: ratio 2301"
    assert "measured on the machine that ran the notebook" in cdf.loc[speed, "evidence"]
    assert cdf.loc[other, "evidence"] == "paired CI [+0.4, +0.6]"
    # published numbers never come from timings.json
    assert report.collect(tmp_path) == {}


def test_report_skips_git_ignored_results(tmp_path):
    """The committed report reads only what a clone has: results/quick is git-ignored."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("results/quick/\n")
    key = "000/auc/bce"
    entry = {"value": 0.87, "dataset": "ionosphere", "stand_in": False, "note": ""}
    _write_run(tmp_path, "nb-full", {"reproduced": {key: entry}})
    _write_run(tmp_path, "nb-quick", {"reproduced": {"000/auc/hinge": entry}}, profile="quick")
    assert set(report.collect(tmp_path, include_ignored=False)) == {key}
    assert set(report.collect(tmp_path)) == {key, "000/auc/hinge"}  # the site's local view
    assert report.collect(tmp_path, include_ignored=True)["000/auc/hinge"]["profile"] == "quick"


def test_newest_commit_is_by_commit_date_not_head():
    root = report.repo_root()
    log = subprocess.run(["git", "log", "-20", "--format=%ct %H", "HEAD~1"], cwd=root,
                         capture_output=True, text=True)
    dated = sorted({int(t): h for t, h in (line.split() for line in log.stdout.splitlines())}.items())
    if len(dated) < 2:
        pytest.skip("needs two commits of history with distinct dates (a shallow clone has one)")
    (_, older), (_, newer) = dated[0], dated[-1]
    assert report.newest_commit([newer, older], root) == newer
    assert report.newest_commit([older, newer], root) == newer
    assert report.newest_commit(["f" * 40], root) is None  # unknown to git
    assert report.newest_commit([], root) is None


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
    df = report.verdicts(pub, {}, []).set_index("id")
    assert df.loc["a", "verdict"] == "not run"
    assert "SVMperf (external C program) not installable here" in df.loc["a", "reason"]
    assert df.loc["b", "reason"] == "no notebook has produced it"
    ours = {"a": entry(Estimate(0.81, 0.79, 0.83, 0.01, 20, "bootstrap"))}
    assert "SVMperf" not in report.verdicts(pub, ours, []).set_index("id").loc["a", "reason"]


def test_timing_claim_and_verdicts_stay_out_of_results_json(tmp_path):
    """003-5-1's runtime claim end to end: run.claim(..., timing=True) and its verdict table
    (doc003.tabular.timing_verdict_table) land in timings.json; results.json holds neither a
    timing claim nor a timing number; the report reads the claim back, marked as timing."""
    from lossfns import verdicts as V
    from lossfns.experiments.doc003 import tabular as T

    r = artifacts.start_run({"profile": "full", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)},
                            "003-5-1_tabular")
    speed, other = "003/s5.1/runtime_apperf_slower", "003/s5.1/f1_beats_apperf"
    r.record("results", pd.DataFrame({"loss": ["F1*"], "F1": [0.5], "wall_s_all_trials": [12.5]}))
    r.record_timing("runtime", {"ratio_per_model_epoch": 2301.0, "F1* s_per_trial": 1.47})
    recorded = {other: r.claim(other, {"verdict": "supported", "reason": "paired"}, dataset="mammography")}
    timed = {speed: r.claim(speed, V.exact_claim(True, 2301.0, "ratio 2301"), dataset="mammography",
                            timing=True)}
    texts = {k: k for k in [*recorded, *timed]}
    r.verdict_table(V.claim_rows(recorded, texts))
    tv = T.timing_verdict_table(r, V.claim_rows(timed, texts))
    assert list(tv["verdict"]) == ["supported"]
    r.finish()
    d = tmp_path / "results" / "full" / "003-5-1_tabular"
    res, tim = json.loads((d / "results.json").read_text()), json.loads((d / "timings.json").read_text())
    text = (d / "results.json").read_text()
    assert "2301" not in text and "12.5" not in text and "wall_s" not in text
    assert set(res["results"]["claims"]) == {other}
    assert [v["claim"] for v in res["results"]["verdicts"]] == [other]
    assert "verdicts_timing" not in res["results"] and "runtime" not in res["results"]
    assert tim["timings"]["verdicts_timing"][0]["evidence"] == "exact: ratio 2301"
    assert (d / "verdicts_timing.csv").exists()
    ours = report.collect_claims(tmp_path)
    assert ours[speed]["timing"] is True and "timing" not in ours[other]


def test_identity_compares_results_json_only(tmp_path):
    """A re-run whose timings.json differs (it always does) is identical when results.json is."""
    d = _write_run(tmp_path, "nb", {"a": 1.0}, {"wall_s": 3.0})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], cwd=tmp_path, check=True)
    (d / "timings.json").write_text(artifacts.dumps({"timings": {"wall_s": 4.5}}))
    out = identity.check("full", root=tmp_path)
    assert [r["status"] for r in out["notebooks"]] == ["identical"]
    assert out["timings_not_compared"] == 1
    assert "Not compared: 1 timings.json" in out["summary"]
    (d / "results.json").write_text(artifacts.dumps({"results": {"a": 2.0}}))
    assert identity.check("full", root=tmp_path)["notebooks"][0]["status"] == "differs"


# ---------------------------------------------------------------- verdicts v2 on the committed artefacts

@pytest.fixture(scope="module")
def committed():
    """The verdicts of the committed artefacts (what the committed report shows)."""
    return report.verdicts(report.published(), report.collect(include_ignored=False), root=report.repo_root())


def test_document_001_stand_in_numbers_are_not_comparable(committed):
    """Regression (issue 20): the four melanoma numbers, recorded on stand-ins without an
    interval, showed 'inconclusive' because 'not run' was decided before stand-in/undefined."""
    d = committed.set_index("id")
    ids = [i for i in d.index if i.startswith("001/")]
    assert len(ids) == 4 and set(d.loc[ids, "verdict"]) == {"not comparable"}


def test_zero_variance_cell_on_the_committed_artefact(committed):
    """Regression (issue 20): Mammography Acc* accuracy (se 3.7e-17, z = -1.8e14 in v1)."""
    r = committed.set_index("id").loc["003/table1/mammography/acc_soft/accuracy"]
    assert r["verdict"] == "reproduced" and np.isfinite(r["z"]) and abs(r["z"]) < 10


def test_a_shared_run_is_counted_once(committed):
    """Regression (issue 20): Table 12's Dice and Dice (sigmoid) are one run (and Table 4
    reprints Table 1's baselines): the duplicates are shown but not counted."""
    d = committed.set_index("id")
    dup = d[~d["counted"]]
    assert {"003/table12/cifar10_frog/dice_sigmoid/f1", "003/table4/adult/bce/f1"} <= set(dup.index)
    assert len(dup) == 40 and all(d.loc[o, "counted"] for o in dup["same_run_as"])
    ours = report.collect(include_ignored=False)
    for key, other in dup["same_run_as"].items():  # the same run: the same estimate (or value, for
        if key in ours:                                # a number recorded without one, e.g. an untrained model)
            assert ours[key].get("estimate") == ours[other].get("estimate"), key
            assert ours[key].get("value") == ours[other].get("value"), key
    text = report.render(committed, root=report.repo_root())
    summary = text.split("## Provenance")[0]
    assert "40 published number(s) share our run with another number" in summary
    counted = committed[committed["counted"]]
    row003 = next(line for line in summary.splitlines() if line.startswith("| 003"))
    assert [int(x) for x in row003.strip("|").split("|")[1:]] == [
        int((counted[counted.document == "003"].verdict == v).sum()) for v in report.NUMBER_VERDICTS]


def test_apperf_notes_say_what_is_true():
    """Regression (issue 20): AP-Perf is installed; its rows say where and how it ran."""
    pub = report.published()
    assert not pub["note"].str.contains("not installed this session").any()
    adv = pub[pub.index.str.contains("/f1_adv/")]
    assert adv["note"].str.contains("A87").all()


def test_every_miss_has_a_cause_and_causes_point_at_evidence(committed):
    from lossfns.verdicts import CAUSES
    miss = committed[committed["verdict"] == "not reproduced"]
    assert len(miss) and miss["cause"].isin(CAUSES).all()
    explained = miss[miss["cause"] != "unexplained"]
    assert (explained["register"] != "").all() and (explained["evidence"] != "").all()
    register = report.ambiguities_md().read_text()
    for entry in {e.strip() for regs in explained["register"] for e in regs.split(";")}:
        assert f"| {entry} |" in register, f"{entry} is not an entry of docs/ambiguities.md"
    # a reading cause was checked against the other reading's result, by the same rule
    reading = explained[explained["cause"] == "reading"]
    assert reading["evidence"].str.contains("by the same rule").sum() >= 1
    assert (committed.loc[committed["verdict"] != "not reproduced", "cause"] == "").all()


def test_causes_file_is_well_formed():
    from lossfns.verdicts import CAUSES
    rows = report.causes()
    assert rows, "docs/causes.csv has rows"
    for c in rows:
        assert set(c) >= {"pattern", "cause", "register", "when", "alternative", "evidence"}
        assert c["cause"] in CAUSES and c["when"] in ("", "below", "above")
        assert c["evidence"], c["pattern"]


def test_an_alternative_that_is_missing_leaves_the_miss_unexplained(tmp_path):
    pub = pub_frame()
    ours = {"b": entry(Estimate(0.70, 0.68, 0.72, 0.01, 20, "bootstrap"))}
    cause = [{"pattern": "b", "cause": "reading", "register": "A7", "when": "", "evidence": "e",
              "alternative": "nb:table?id={id}"}]
    r = report.verdicts(pub, ours, cause, root=tmp_path).set_index("id").loc["b"]
    assert r["cause"] == "unexplained" and "alternative result missing" in r["evidence"]
    _write_run(tmp_path, "nb", {"table": [{"id": "b", "lo": 0.79, "hi": 0.81, "ours": 0.80}]})
    r = report.verdicts(pub, ours, cause, root=tmp_path).set_index("id").loc["b"]
    assert r["cause"] == "reading" and "reproduced by the same rule" in r["evidence"]


def test_verdicts_csv_beside_the_report(tmp_path):
    cdf = report.claim_verdicts(report.claims().head(3), {}, [])
    df = report.verdicts(pub_frame(), {"a": entry(Estimate(0.81, 0.79, 0.83, 0.01, 20, "x"))}, [])
    table = report.verdict_table(df, cdf)
    assert list(table.columns) == report.VERDICT_COLUMNS
    assert list(table["kind"]) == ["number"] * len(df) + ["claim"] * 3
    text = report.verdicts_csv_text(table)
    assert text == report.verdicts_csv_text(report.verdict_table(df, cdf))  # deterministic
    back = pd.read_csv(__import__("io").StringIO(text), dtype=str, keep_default_na=False)
    a = back.set_index("id").loc["a"]
    assert (a["verdict"], a["published"], a["ours"], a["margin"], a["counted"]) == \
        ("reproduced", "0.8", "0.81", "0.04", "true")
    assert report.verdicts_csv(tmp_path / "R.md") == tmp_path / "verdicts.csv"


def test_readings_section_puts_our_verdict_beside_each_reading(tmp_path):
    """The report says per table and data set which reading reproduces most published numbers:
    the ``<table>_readings`` records of a notebook (003-5-1b), our own verdicts beside them."""
    recs = [{"id": "003/table1/adult/f1_soft/f1", "published": 0.63, "published sd": 0.02,
             "ordinal": 0.63, "ordinal: verdict": "reproduced", "btg": 0.5, "btg: verdict": "not reproduced",
             "matches": "ordinal"},
            {"id": "003/table1/adult/f1_soft/accuracy", "published": 0.78, "published sd": 0.04,
             "ordinal": 0.78, "ordinal: verdict": "reproduced", "btg": None, "btg: verdict": "not run",
             "matches": "ordinal"},
            {"id": "003/table1/mammography/f1_soft/f1", "published": 0.63, "published sd": 0.04,
             "ordinal": None, "ordinal: verdict": "not run", "btg": 0.2, "btg: verdict": "inconclusive",
             "matches": "neither"}]
    _write_run(tmp_path, "003-5-1b_readings", {"table1_readings": recs, "results": []})
    readings = report.collect_readings(tmp_path)
    assert list(readings) == [("003", "table1")]
    df = pd.DataFrame([{"id": "003/table1/adult/f1_soft/f1", "verdict": "not reproduced"},
                       {"id": "003/table1/adult/f1_soft/accuracy", "verdict": "reproduced"},
                       {"id": "003/table1/mammography/f1_soft/f1", "verdict": "reproduced"}])
    s = report.readings_summary(readings[("003", "table1")], df).set_index(["dataset", "reading"])
    assert s.loc[("adult", report.OURS_READING)].tolist() == [2, 1, 1, 0]
    assert s.loc[("adult", "ordinal")].tolist() == [2, 2, 0, 0]
    assert s.loc[("adult", "btg")].tolist() == [1, 0, 1, 0]
    assert ("mammography", "ordinal") not in s.index          # not run there: not counted
    lines = "\n".join(report._readings_lines("003", readings, df))
    assert "**adult**: most reproduced by ordinal (2 of 2)" in lines
    assert "**mammography**: most reproduced by ours (the paper's equations) (1 of 1)" in lines
    nums = report.readings_numbers(readings[("003", "table1")], df.assign(ours=[0.70, 0.78, 0.61])).set_index("number")
    assert nums.loc["adult/f1_soft/f1"].to_dict() == {"published": "0.63 ± 0.02", report.OURS_READING: "0.700 N",
                                                      "ordinal": "0.630 R", "btg": "0.500 N", "matches": "ordinal"}
    assert nums.loc["mammography/f1_soft/f1", "ordinal"] == ""           # not run: blank
    assert nums.loc["mammography/f1_soft/f1", "btg"] == "0.200 I"
    assert "| adult/f1_soft/accuracy | 0.78 ± 0.04 |" in lines


def test_readings_of_one_table_from_two_notebooks_are_merged(tmp_path):
    """003-5-1b (Mammography, and Adult's ordinal Table 4) and 003-5-1e (Adult's released readings
    of Table 4) both write ``table4_readings``: the report shows one table, every reading's
    verdict per number, ``matches`` recomputed, both notebooks named."""
    b = [{"id": "003/table4/mammography/f1_soft/f1", "published": 0.6, "published sd": 0.1,
          "btg": 0.55, "btg: verdict": "reproduced", "ordinal": None, "ordinal: verdict": "not run",
          "matches": "btg"},
         {"id": "003/table4/adult/f1_soft/f1", "published": 0.61, "published sd": 0.04,
          "btg": None, "btg: verdict": "not run", "ordinal": 0.6, "ordinal: verdict": "reproduced",
          "matches": "ordinal"}]
    e = [{"id": "003/table4/adult/f1_soft/f1", "published": 0.61, "published sd": 0.04,
          "btg": 0.3, "btg: verdict": "not reproduced", "released": 0.62, "released: verdict": "reproduced",
          "matches": "released"},
         {"id": "003/table4/adult/acc_soft/f1", "published": 0.36, "published sd": 0.03,
          "btg": 0.35, "btg: verdict": "reproduced", "released": None, "released: verdict": "not run",
          "matches": "btg"}]
    _write_run(tmp_path, "003-5-1b_readings", {"table4_readings": b, "results": []})
    _write_run(tmp_path, "003-5-1e_readings_adult_sigmoid", {"table4_readings": e, "results": []})
    t = report.collect_readings(tmp_path)[("003", "table4")].set_index("id")
    assert list(t.index) == ["003/table4/mammography/f1_soft/f1", "003/table4/adult/f1_soft/f1",
                             "003/table4/adult/acc_soft/f1"]
    adult = t.loc["003/table4/adult/f1_soft/f1"]
    assert (adult["ordinal: verdict"], adult["btg: verdict"], adult["released: verdict"]) == \
        ("reproduced", "not reproduced", "reproduced")
    assert adult["matches"] == "ordinal, released" and adult["btg"] == 0.3
    assert t.loc["003/table4/mammography/f1_soft/f1", "released: verdict"] == "not run"
    assert t.loc["003/table4/adult/acc_soft/f1", "published"] == 0.36
    assert set(t["notebook"]) == {"003-5-1b_readings, 003-5-1e_readings_adult_sigmoid"}


def test_alternative_estimate_keeps_the_records_se_and_n(tmp_path):
    """A reading's record (003-5-1b's table1_reading_estimates) carries its own standard error
    and trial count; the alternative is judged with them, not with our entry's."""
    _write_run(tmp_path, "nb", {"table": [{"id": "b", "reading": "r", "lo": 0.78, "hi": 0.82, "ours": 0.80,
                                           "se": 0.009, "n": 10}]})
    est = report.alternative_estimate("nb:table?id={id}&reading=r", "b", {"estimate": {"n": 3}}, tmp_path)
    assert (est.value, est.se, est.n) == (0.80, 0.009, 10)
    _write_run(tmp_path, "nb2", {"table": [{"id": "b", "lo": 0.78, "hi": 0.82, "ours": 0.80}]})
    est = report.alternative_estimate("nb2:table?id={id}", "b", {"estimate": {"n": 3}}, tmp_path)
    assert est.n == 3 and math.isnan(est.se)


def test_summary_counts_investigated_unexplained_misses_apart():
    """An `unexplained` miss whose causes row records what was checked ("investigated: ...")
    is counted apart from one no row explains, for numbers and claims alike."""
    miss = pd.DataFrame({"document": ["003"] * 3, "verdict": ["not reproduced"] * 3, "counted": [True] * 3,
                         "cause": ["unexplained", "unexplained", "paper"],
                         "evidence": ["investigated: no reading lowers it", "reading (A90) checked: not run", "x"]})
    claims_ = pd.DataFrame({"document": ["000"], "verdict": ["contradicted"], "cause": ["unexplained"],
                            "evidence": ["mean difference -0.09; cause: investigated: both readings"]})
    text = "\n".join(report._summary(miss, claims_))
    numbers, claims_part = text.split("Why a claim is contradicted")

    def table(part, doc):
        lines = [line for line in part.split("Why a number")[-1].splitlines() if line.startswith("|")]
        cols = [c.strip() for c in lines[0].split("|")[1:-1]]
        row = next([c.strip() for c in line.split("|")[1:-1]] for line in lines if line.startswith(f"| {doc}"))
        return dict(zip(cols, row))

    n = table(numbers, "003")
    assert (n["paper"], n["unexplained, investigated"], n["unexplained, not investigated"]) == ("1", "1", "1")
    c = table(claims_part, "000")
    assert c == {"document": "000", "unexplained, investigated": "1"}


def test_an_id_recorded_by_two_notebooks_is_an_error(tmp_path):
    """One published id, one run: a split notebook's leftover results folder beside its
    successor's must not let either silently win."""
    key = "003/table9/adult/f1_soft_l/f1"
    entry = {"value": 0.7, "dataset": "adult", "stand_in": False, "note": ""}
    _write_run(tmp_path, "003-s7_baselines_weighting", {"reproduced": {key: entry}})
    _write_run(tmp_path, "003-s7b_class_weights", {"reproduced": {key: {**entry, "value": 0.6}}})
    with pytest.raises(ValueError, match=r"003/table9/adult/f1_soft_l/f1.*two notebooks.*003-s7_baselines_weighting"):
        report.collect(tmp_path)
    # the same notebook in both profiles is not a conflict: the full profile wins
    _write_run(tmp_path, "003-s7b_class_weights", {"reproduced": {key: entry}}, profile="quick")
    (tmp_path / "results" / "full" / "003-s7_baselines_weighting" / "results.json").unlink()
    assert report.collect(tmp_path)[key]["value"] == 0.6
