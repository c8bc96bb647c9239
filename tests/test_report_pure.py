"""The committed replication report is a pure function of the committed files: rendering it
again from this checkout (into a temporary file, never over reports/) gives
reports/REPLICATION.md and reports/verdicts.csv byte for byte. Meaningful in CI's clean clone; in a working tree whose
results, data, ambiguity register or report have uncommitted changes the committed report
cannot be expected to match, and the test says so and skips."""

import difflib
import subprocess

import pytest

from lossfns.pipeline import report
from lossfns.pipeline.paths import report_md, repo_root

ROOT = repo_root()
#: The report's inputs (besides the sources whose staleness it reports) and the report itself.
INPUTS = ("results", "data", "docs/ambiguities.md", "reports")


def _git(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def _skip_reason() -> str | None:
    if _git("rev-parse", "--git-dir").returncode != 0:
        return "not a git checkout: the report's staleness column needs the artefacts' commits"
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        return ("shallow clone: the artefacts' commits are not in its history, so every artefact "
                "would read stale; clone with full history")
    dirty = _git("status", "--porcelain", "--", *INPUTS).stdout.splitlines()
    if dirty:
        return (f"uncommitted changes under {', '.join(INPUTS)} ({len(dirty)} path(s), e.g. "
                f"{dirty[0][3:]}): the committed report describes the committed files")
    return None


def _hint(committed: str, rendered: str) -> str:
    diff = list(difflib.unified_diff(committed.splitlines(), rendered.splitlines(),
                                     "reports/REPLICATION.md (committed)", "rendered now", lineterm="", n=1))
    sources = [line[3:] for line in _git("status", "--porcelain", "--untracked-files=no", "--",
                                         "lossfns", "notebooks").stdout.splitlines()]
    why = (f"\nUncommitted changes to {len(sources)} source file(s) (e.g. {sources[0]}) make the "
           "artefacts that import them stale; commit them and regenerate the report "
           "(make report)." if sources else "\nRegenerate the report (make report) and commit it.")
    return ("reports/REPLICATION.md is not what `python -m lossfns.report` renders from the "
            f"committed files ({len(diff)} diff lines, first 60):\n" + "\n".join(diff[:60]) + why)


@pytest.mark.slow
def test_committed_report_is_rendered_byte_for_byte(tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    committed = report_md(ROOT)
    committed_csv = report.verdicts_csv(committed)
    assert committed.exists(), "reports/REPLICATION.md is committed"
    assert committed_csv.exists(), "reports/verdicts.csv is committed"
    before, before_csv = committed.read_bytes(), committed_csv.read_bytes()
    out = tmp_path / "REPLICATION.md"
    assert report.main(["--out", str(out)]) == 0
    assert committed.read_bytes() == before, "--out must not touch reports/REPLICATION.md"
    assert committed_csv.read_bytes() == before_csv, "--out must not touch reports/verdicts.csv"
    rendered = out.read_bytes()
    assert rendered == before, _hint(before.decode(), rendered.decode())
    assert report.verdicts_csv(out).read_bytes() == before_csv, (
        "reports/verdicts.csv is not what `python -m lossfns.report` writes from the committed files: "
        "regenerate it (make report) and commit it")


@pytest.mark.slow
def test_render_twice_is_identical_and_has_nothing_volatile(tmp_path):
    """Independent of the committed copy: two renderings agree and carry no date, host, HEAD
    commit or absolute path (these would make the committed report differ in a clone)."""
    import datetime
    import platform

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = report.write(tmp_path / "a" / "R.md")
    second = report.write(tmp_path / "b" / "R.md")
    text = first.read_text()
    assert text == second.read_text()
    assert report.verdicts_csv(first).read_bytes() == report.verdicts_csv(second).read_bytes()
    head = _git("rev-parse", "HEAD").stdout.strip()
    assert not head or head not in text
    assert str(ROOT) not in text and str(tmp_path) not in text
    own = text.split("## Ambiguity register")[0]  # the register is a committed file, quoted
    assert datetime.date.today().isoformat() not in own
    if len(platform.node()) >= 6:
        assert platform.node() not in own
    assert "Generated on" not in text and "Re-run identity check" not in text
    assert text.startswith("# Replication report\n\nRendered by `python -m lossfns.report`")
