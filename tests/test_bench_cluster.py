"""benchmarks/bench_cluster.py: which differences between two runs' artefacts are expected
(wall-clock times, PNG metadata) and which are not (no notebook is run)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_cluster", ROOT / "benchmarks" / "bench_cluster.py")
bc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bc)

NB = "results/quick/nb"


def _write(root: Path, rel: str, text: str):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def _roots(tmp_path, a: dict, b: dict):
    seq, work = tmp_path / "seq", tmp_path / "work"
    for root, files in ((seq, a), (work, b)):
        for rel, text in files.items():
            _write(root, rel, text)
    return seq, work


def _manifest(**checksums):
    return json.dumps({"notebook": "nb", "run_id": "r", "checksums": checksums})


def _run(stamp: str, files: dict, checksummed) -> dict:
    """One run's files (relative path -> text, ``{v}`` standing for ``stamp``) and a manifest
    whose checksum of each path of ``checksummed`` is ``stamp``."""
    out = {rel: text.format(v=stamp) for rel, text in files.items()}
    out[f"{NB}/manifest.json"] = _manifest(**{rel: stamp for rel in checksummed})
    return out


def _split(tmp_path, files, checksummed, diffs):
    seq, work = _roots(tmp_path, _run("1", files, checksummed), _run("2", files, checksummed))
    return bc.split_wall_clock(seq, work, diffs)


def test_a_table_whose_only_changed_column_is_a_time_is_expected(tmp_path):
    files = {f"{NB}/timing.csv": "loss,wall_s,epochs\nBCE,1.{v},10\n", f"{NB}/timing.md": "| 1.{v} |"}
    checksummed = ["figures/quick/nb/f.png", f"{NB}/timing.csv", f"{NB}/timing.md",
                   f"{NB}/timing.csv.provenance.json"]
    diffs = [f"{NB}/timing.csv: bytes differ", f"{NB}/timing.md: bytes differ",
             f"{NB}/manifest.json: checksums/figures/quick/nb/f.png",
             "build/notebooks/quick/nb.ipynb: executed notebooks differ"]
    assert _split(tmp_path, files, checksummed, diffs) == (diffs, [])


def test_a_changed_metric_is_a_real_difference(tmp_path):
    files = {f"{NB}/table.csv": "loss,F1,wall_s\nBCE,0.{v},{v}.0\n",
             f"{NB}/results.json": '{{"F1": 0.{v}, "s_per_epoch": {v}.0}}'}
    diffs = [f"{NB}/table.csv: bytes differ", f"{NB}/results.json: bytes differ",
             f"{NB}/manifest.json: checksums/{NB}/table.csv",
             "build/notebooks/quick/nb.ipynb: executed notebooks differ"]
    assert _split(tmp_path, files, [f"{NB}/table.csv"], diffs) == ([], diffs)


def test_a_json_whose_only_changed_keys_are_times_is_expected(tmp_path):
    a = {f"{NB}/results.json": json.dumps({"F1": 0.5, "rows": [{"s_per_trial": 1.0}]})}
    b = {f"{NB}/results.json": json.dumps({"F1": 0.5, "rows": [{"s_per_trial": 3.0}]})}
    seq, work = _roots(tmp_path, a, b)
    wall, other = bc.split_wall_clock(seq, work, [f"{NB}/results.json: bytes differ"])
    assert (wall, other) == ([f"{NB}/results.json: bytes differ"], [])


def test_a_timing_table_differs_in_its_measurements_but_not_in_its_verdict(tmp_path):
    """003-5-1c's step timing (medians, ranges, their ratio) and the verdict table of its
    timing claim (evidence quoting those medians) change with every run; its verdict must not."""
    files = {f"{NB}/step_timing.csv": "loss,batch size,median,min,max,AP-Perf / F1* (median)\nF1*,20,0.{v},0.1,0.{v}9,4{v}.5\n",
             f"{NB}/step_timing.md": "| 0.{v} |",
             f"{NB}/verdicts_timing.csv": 'claim,verdict,evidence\nc,supported,"ratio 4{v}.5"\n',
             f"{NB}/verdicts_timing.md": "| 4{v}.5 |"}
    diffs = [f"{NB}/step_timing.csv: bytes differ", f"{NB}/step_timing.md: bytes differ",
             f"{NB}/verdicts_timing.csv: bytes differ", f"{NB}/verdicts_timing.md: bytes differ",
             f"{NB}/manifest.json: checksums/{NB}/step_timing.csv, checksums/{NB}/verdicts_timing.csv"]
    checksummed = [f"{NB}/step_timing.csv", f"{NB}/verdicts_timing.csv"]
    assert _split(tmp_path, files, checksummed, diffs) == (diffs, [])
    # a timing claim whose verdict flips between the runs is a real difference
    a = {f"{NB}/verdicts_timing.csv": 'claim,verdict,evidence\nc,supported,"ratio 41.5"\n'}
    b = {f"{NB}/verdicts_timing.csv": 'claim,verdict,evidence\nc,contradicted,"ratio 1.5"\n'}
    seq, work = _roots(tmp_path / "flip", a, b)
    diff = [f"{NB}/verdicts_timing.csv: bytes differ"]
    assert bc.split_wall_clock(seq, work, diff) == ([], diff)
    # a metric in a timing-named table is not exempt from TIMED's rule by its column name alone
    a = {f"{NB}/timing.csv": "loss,F1\nBCE,0.5\n"}
    b = {f"{NB}/timing.csv": "loss,F1\nBCE,0.6\n"}
    seq, work = _roots(tmp_path / "metric", a, b)
    diff = [f"{NB}/timing.csv: bytes differ"]
    assert bc.split_wall_clock(seq, work, diff) == ([], diff)
