"""python -m lossfns.verdicts recheck: every verdict recomputed from results/ and data/ alone (no
notebook) agrees with the committed reports/verdicts.csv, and a difference exits non-zero."""

import subprocess
import sys

import pytest

from lossfns.pipeline import recheck, report
from lossfns.pipeline.paths import repo_root, report_md

ROOT = repo_root()
COMMITTED = report.verdicts_csv(report_md(ROOT))


@pytest.fixture(scope="module")
def recomputed():
    return recheck.recompute(ROOT)


def test_recheck_agrees_with_the_committed_verdicts(recomputed):
    assert COMMITTED.exists(), "reports/verdicts.csv is written by python -m lossfns.report"
    diff = recheck.differences(recomputed, COMMITTED.read_text())
    assert diff == [], "regenerate the report (python -m lossfns.report):\n" + "\n".join(diff)


def test_one_row_per_number_and_claim(recomputed):
    lines = recomputed.splitlines()
    assert lines[0].split(",") == report.VERDICT_COLUMNS
    assert len(lines) - 1 == len(report.published()) + len(report.claims())


def test_a_changed_verdict_is_reported_and_exits_non_zero(recomputed, tmp_path, capsys):
    lines = recomputed.splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if ",not reproduced," in line)
    changed = tmp_path / "verdicts.csv"
    changed.write_text("".join(lines[:i] + [lines[i].replace(",not reproduced,", ",reproduced,", 1)] + lines[i + 1:]))
    diff = recheck.differences(recomputed, changed.read_text())
    assert len(diff) == 1 and "verdict committed 'reproduced', recomputed 'not reproduced'" in diff[0]
    assert recheck.main(["recheck", "--against", str(changed)]) == 1
    assert "differs from the verdicts recomputed" in capsys.readouterr().err
    same = tmp_path / "same.csv"
    same.write_text(recomputed)
    assert recheck.main(["recheck", "--against", str(same)]) == 0
    assert recheck.differences(recomputed, "".join(lines[:1] + lines[2:]))[0].endswith("only in the recomputed verdicts")


def test_python_dash_m_lossfns_verdicts_recheck(tmp_path, recomputed):
    same = tmp_path / "v.csv"
    same.write_text(recomputed)
    out = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-m", "lossfns.verdicts", "recheck",
                          "--against", str(same)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "agree with a recomputation from results/ and data/" in out.stdout
