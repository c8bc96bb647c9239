"""Claims v2 (issue 20): directional claims with a one-sided test and a practical margin,
non-inferiority, non-superiority and equivalence with margins stated in advance, parts combined
with Holm's correction, and the report judging a recorded claim again from data/claims.csv."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lossfns import verdicts as V
from lossfns.pipeline import artifacts, report
from lossfns.pipeline.published import claims


# --- difference_test -------------------------------------------------------------------------

def test_superiority_needs_significance_and_the_margin():
    small = [0.006, 0.008, 0.007, 0.009, 0.008]          # significant, but below a 0.01 margin
    assert V.difference_test(small, "superiority", 0.0)["verdict"] == "supported"
    r = V.difference_test(small, "superiority", 0.01)
    assert r["verdict"] == "contradicted" and r["p_contradict"] < 0.05   # ruled out: no difference that matters
    assert V.difference_test([0.03, 0.05, 0.02, 0.04], "superiority", 0.01)["verdict"] == "supported"
    assert V.difference_test([-0.03, -0.05, -0.02, -0.04], "superiority", 0.0)["verdict"] == "contradicted"
    noisy = [0.05, -0.04, 0.03, -0.02]
    assert V.difference_test(noisy, "superiority", 0.0)["verdict"] == "inconclusive"


def test_one_sided_tests_are_scipys_student_t():
    from scipy import stats
    x = np.array([0.012, 0.02, 0.005, 0.03, 0.018])
    r = V.difference_test(x, "superiority", 0.01)
    assert r["p_support"] == pytest.approx(stats.ttest_1samp(x, 0.0, alternative="greater").pvalue)
    assert r["p_contradict"] == pytest.approx(stats.ttest_1samp(x, 0.01, alternative="less").pvalue)
    assert r["values"] == pytest.approx(list(x)) and r["kind"] == "superiority" and r["margin"] == 0.01


def test_comparable_is_non_inferiority_so_better_is_not_a_contradiction():
    better = [0.045, 0.05, 0.04, 0.048]                  # acc_comparable_bce on Adult: Accuracy* better by 0.045
    assert V.difference_test(better, "equivalence", 0.02)["verdict"] == "contradicted"
    assert V.difference_test(better, "non-inferiority", 0.02)["verdict"] == "supported"
    worse = [-0.045, -0.05, -0.04, -0.048]
    assert V.difference_test(worse, "non-inferiority", 0.02)["verdict"] == "contradicted"
    assert V.difference_test([0.001, -0.002, 0.0, 0.002, -0.001], "equivalence", 0.01)["verdict"] == "supported"


def test_non_superiority_is_the_fixed_auroc_not_better_rule():
    # Mammography: AUROC* - BCE CI about [-0.0024, 0.0123]: not above the +0.01 margin? inconclusive;
    # clearly below the margin: supported; clearly above it: contradicted
    assert V.difference_test([0.001, -0.002, 0.003, 0.0, 0.002], "non-superiority", 0.01)["verdict"] == "supported"
    assert V.difference_test([0.03, 0.04, 0.035, 0.05], "non-superiority", 0.01)["verdict"] == "contradicted"
    assert V.difference_test([0.02, -0.01, 0.015, -0.005], "non-superiority", 0.01)["verdict"] == "inconclusive"


def test_zero_variance_parts_are_decided_without_an_infinite_statistic():
    r = V.difference_test([0.02] * 5, "superiority", 0.01)
    assert r["verdict"] == "supported" and r["p_support"] == 0.0 and math.isfinite(r["p_contradict"])
    assert V.difference_test([0.0] * 5, "superiority", 0.0)["verdict"] == "contradicted"
    assert V.difference_test([0.0] * 4, "equivalence", 0.02)["verdict"] == "supported"
    assert V.difference_test([0.0] * 4, "non-inferiority", 0.0)["verdict"] == "supported"   # a tie is not worse
    assert V.difference_test([0.03] * 4, "non-superiority", 0.01)["verdict"] == "contradicted"
    assert "no spread" in V.difference_test([0.0] * 4, "superiority", 0.0)["reason"]


def test_bad_kinds_and_margins_are_refused_by_name():
    with pytest.raises(ValueError, match="kind must be one of"):
        V.difference_test([0.1, 0.2], "better", 0.0)
    with pytest.raises(ValueError, match="margin must be a finite number >= 0"):
        V.difference_test([0.1, 0.2], "superiority", -0.01)
    with pytest.raises(ValueError, match="margin must be a finite number >= 0"):
        V.difference_test([0.1, 0.2], "superiority", float("nan"))
    with pytest.raises(ValueError, match="margin must be > 0 for an equivalence"):
        V.difference_test([0.1, 0.2], "equivalence", 0)
    assert V.difference_test([0.1], "superiority", 0.0)["verdict"] == "inconclusive"


# --- combine_parts: Holm on the contradiction side, all parts on the support side -------------

def test_holm_keeps_a_borderline_part_from_contradicting_a_six_part_claim():
    ok = [0.03, 0.05, 0.02, 0.04, 0.03]
    parts = {f"p{i}": V.difference_test(ok, "superiority", 0.0) for i in range(5)}
    # one part whose one-sided p(contradict) lies between 0.05 / 6 and 0.05
    edge = [-0.01, -0.03, 0.005, -0.02, -0.004, -0.012]
    parts["edge"] = V.difference_test(edge, "superiority", 0.0)
    assert 0.05 / 6 < parts["edge"]["p_contradict"] < 0.05
    assert parts["edge"]["verdict"] == "contradicted"            # alone it would contradict
    combined = V.combine_parts(parts)
    assert combined["verdict"] == "inconclusive"                 # Holm over 6 parts: it does not
    assert combined["parts"]["edge"]["p_contradict_holm"] == pytest.approx(
        min(1.0, 6 * parts["edge"]["p_contradict"]))
    parts["clear"] = V.difference_test([-0.05, -0.06, -0.04, -0.05], "superiority", 0.0)
    assert V.combine_parts(parts)["verdict"] == "contradicted"


def test_holm_matches_statsmodels_and_all_parts_must_hold_for_support():
    from statsmodels.stats.multitest import multipletests
    parts = {"a": V.difference_test([0.02, 0.03, 0.01], "superiority", 0.0),
             "b": V.difference_test([0.01, -0.02, 0.0], "superiority", 0.0)}
    c = V.combine_parts(parts)
    expected = multipletests([parts["a"]["p_contradict"], parts["b"]["p_contradict"]], method="holm")[1]
    assert [c["parts"][n]["p_contradict_holm"] for n in "ab"] == pytest.approx(list(expected))
    assert c["verdict"] == "inconclusive" and "1 of 2 parts supported" in c["reason"]
    both = {"a": parts["a"], "b": V.difference_test([0.02, 0.04, 0.03], "superiority", 0.0)}
    assert V.combine_parts(both)["verdict"] == "supported"


def test_parts_without_a_test_and_all_not_comparable():
    nc = {"verdict": "not comparable", "reason": "stand-in"}
    assert V.combine_parts({"x": nc, "y": nc})["verdict"] == "not comparable"
    assert V.combine_parts({"x": {"verdict": "contradicted"}, "y": nc})["verdict"] == "contradicted"
    with pytest.raises(ValueError, match="parts must be a non-empty dict"):
        V.combine_parts({})


# --- claims.csv and the report ----------------------------------------------------------------

def test_every_claim_states_its_kind_margin_and_what_would_contradict_it():
    c = claims()
    assert set(c["kind"]) <= set(V.CLAIM_KINDS)
    assert c["contradicted_by"].fillna("").str.len().gt(10).all()
    diff = c[c["kind"].isin(V.DIFFERENCE_KINDS)]
    margins = pd.to_numeric(diff["margin"], errors="coerce")
    assert margins.notna().all() and (margins >= 0).all()
    assert (margins[diff["kind"] == "equivalence"] > 0).all()
    # the issue's cases: "comparable" is non-inferiority, the non-superiority bug stays fixed
    assert c.loc["003/s5.1/acc_comparable_bce", "kind"] == "non-inferiority"
    assert c.loc["003/s5.1/auroc_not_better", "kind"] == "non-superiority"
    assert float(c.loc["003/supp2/delta_range", "margin"]) > 0   # significance without size is not enough


def test_report_judges_recorded_parts_again_from_the_claims_file():
    spec = claims().loc["003/s5.1/f1_beats_bce"]
    recorded = {"verdict": "supported", "reason": "old rule",
                "parts": {"adult": {"values": [0.006, 0.008, 0.007, 0.009, 0.008]},
                          "mammography": {"values": [0.03, 0.05, 0.04, 0.06, 0.04]}}}
    r = report.rejudge_claim(recorded, spec)
    assert float(spec["margin"]) == 0.01
    assert r["verdict"] == "contradicted" and "adult" in r["reason"]      # Adult's gain is below the margin
    looser = spec.copy()
    looser["margin"] = 0.0
    assert report.rejudge_claim(recorded, looser)["verdict"] == "supported"
    stand_in = report.rejudge_claim({**recorded, "stand_in": True}, spec)
    assert (stand_in["verdict"], stand_in["direction"]) == ("not comparable", "contradicted")
    plain = {"verdict": "supported", "reason": "exact"}
    assert report.rejudge_claim(plain, spec) is plain and report.rejudge_claim(None, spec) is None
    table = report.claim_verdicts(claims().loc[["003/s5.1/f1_beats_bce"]], {"003/s5.1/f1_beats_bce": recorded}, [])
    row = table.iloc[0]
    assert (row["verdict"], row["kind"], row["margin"]) == ("contradicted", "superiority", 0.01)
    assert row["contradicted_by"]


def test_run_claim_with_parts_uses_the_files_kind_and_margin(tmp_path):
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    e = r.claim("003/s5.1/acc_comparable_bce", parts={"adult": [0.045, 0.05, 0.04, 0.048],
                                                        "mammography": [0.001, -0.002, 0.0, 0.002]},
                dataset="adult, mammography")
    assert e["verdict"] == "supported" and e["parts"]["adult"]["kind"] == "non-inferiority"
    assert e["parts"]["adult"]["values"] == [0.045, 0.05, 0.04, 0.048]
    with pytest.raises(ValueError, match="either result or parts"):
        r.claim("003/s5.1/acc_comparable_bce", {"verdict": "supported"}, parts={"a": [0.1, 0.2]}, dataset="x")
    with pytest.raises(ValueError, match="either result or parts"):
        r.claim("003/s5.1/acc_comparable_bce", dataset="x")
    with pytest.raises(ValueError, match="parts need a claims.csv kind"):
        r.claim("000/s4c/range", parts={"a": [0.1, 0.2]}, dataset="x")


def test_run_judge_gives_the_claims_verdict_without_recording_it(tmp_path):
    """NotebookRun.judge: the readings a notebook shows beside the main one (e.g. another batch
    size) are judged by the same rule as the recorded claim, and not recorded."""
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    parts = {"adult": [0.045, 0.05, 0.04, 0.048], "mammography": [0.001, -0.002, 0.0, 0.002]}
    j = r.judge("003/s5.1/acc_comparable_bce", parts=parts)
    assert j["verdict"] == "supported" and j["parts"]["mammography"]["margin"] == 0.02
    assert "claims" not in r.results
    assert r.claim("003/s5.1/acc_comparable_bce", parts=parts, dataset="x")["verdict"] == j["verdict"]
    nc = {"verdict": "not comparable", "reason": "a model did not train"}
    assert r.judge("003/s5.1/f1_beats_apperf", nc) is nc            # a result passes through
    assert r.claim("003/s5.1/f1_beats_apperf", **{"result": nc}, dataset="x")["verdict"] == "not comparable"
    with pytest.raises(KeyError):
        r.judge("003/nope", parts=parts)


def test_tables_are_written_with_flat_headers(tmp_path):
    """Issue 23: results tables carry one header row (``F1 mean``, not ``('F1', 'mean')``)."""
    r = artifacts.start_run({"profile": "quick", "seed": 0, "device": "cpu", "out_dir": str(tmp_path)}, "nb")
    t = pd.DataFrame({"loss": ["bce", "f1"], "F1": [0.9, 0.8]}).groupby("loss").agg(["mean", "std"]).reset_index()
    assert isinstance(t.columns, pd.MultiIndex)
    md_path = r.save_table(t, "table5_ours")
    r.finish()
    md = md_path.read_text()
    assert "| loss   |   F1 mean |   F1 std |" in md and "('" not in md
    csv = md_path.with_suffix(".csv").read_text().splitlines()
    assert csv[0] == "loss,F1 mean,F1 std" and len(csv) == 3
