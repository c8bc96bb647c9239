"""Sweeps on a Dask cluster (``--scheduler``): same results as local processes, failures
reported and retriable, clear errors; the summary plot."""

import json
import logging
import socket
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from lossfns.pipeline import run, sweep

distributed = pytest.importorskip("distributed")

BODY = """\
import os
if a == 3 and os.path.exists({flag!r}):
    raise RuntimeError("boom at a=3")
run.record("y", a * b + seed)
run.record("stats", {{"square": a * a, "label": "sweeptiny", "half": b / 2}})
"""


def tiny_notebook(path: Path, flag: Path) -> Path:
    """A notebook that takes a second: record a few numbers; fails at a=3 while ``flag`` exists."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from lossfns.pipeline.artifacts import start_run"),
                nbformat.v4.new_code_cell('profile = "quick"\nseed = 0\ndevice = "cpu"\n'
                                          'out_dir = None\na = 1\nb = 0.5',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell('run = start_run(globals(), "sweeptiny")'),
                nbformat.v4.new_code_cell(BODY.format(flag=str(flag))),
                nbformat.v4.new_code_cell("run.finish()")]
    nb.metadata["kernelspec"] = {"name": run.KERNEL, "display_name": "lossfns", "language": "python"}
    nbformat.write(nb, path)
    return path


GRID = {"a": [1, 3], "b": [1.5]}
POINTS = ["a=1_b=1.5", "a=3_b=1.5"]


@pytest.fixture(scope="module")
def nb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    return tiny_notebook(folder / "sweeptiny.ipynb", folder / "fail-flag")


@pytest.fixture(scope="module")
def local(nb, tmp_path_factory):
    """The reference: the grid run in local processes."""
    root = tmp_path_factory.mktemp("local")
    return sweep.sweep(nb, GRID, name="g", jobs=2, root=root, quiet=True), root / "sweeps" / "g"


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes on loopback, no dashboard."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c


def _results(base: Path) -> dict:
    return {p.relative_to(base).as_posix(): p.read_bytes()
            for p in sorted(base.glob("*/results/quick/sweeptiny/results.json"))}


def _same_outputs(a: Path, b: Path) -> None:
    for name in ("summary.csv", "summary.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert json.loads((a / "sweep.json").read_text())["rows"] == \
        json.loads((b / "sweep.json").read_text())["rows"]
    assert _results(a) and _results(a) == _results(b)


@pytest.mark.slow
def test_dask_gives_the_same_outputs_as_local_processes(local, cluster, nb, tmp_path):
    reference, ref_dir = local
    summary = sweep.sweep(nb, GRID, name="g", scheduler=cluster.scheduler_address,
                          root=tmp_path, quiet=True)
    pd.testing.assert_frame_equal(reference, summary)
    _same_outputs(ref_dir, tmp_path / "sweeps" / "g")
    assert list(summary["point"]) == POINTS and list(summary["status"]) == ["ok", "ok"]
    assert list(summary["y"]) == [1.5, 4.5] and list(summary["stats.square"]) == [1, 9]
    assert all((tmp_path / "sweeps" / "g" / p / "sweeptiny.ipynb").is_file() for p in POINTS)


@pytest.mark.slow
def test_failed_point_is_reported_then_retried(local, cluster, nb, tmp_path, capsys):
    flag = nb.parent / "fail-flag"
    argv = [str(nb), "--grid", "a", "1", "3", "--grid", "b", "1.5", "--name", "g",
            "--root", str(tmp_path), "--scheduler", cluster.scheduler_address]
    flag.touch()
    try:
        assert sweep.main(argv) == 1
    finally:
        flag.unlink()
    err = capsys.readouterr().err
    assert "1 of 2 point(s) failed" in err and "a=3_b=1.5: sweeptiny.ipynb (quick) failed in cell" in err
    assert "boom at a=3" in err and "--retry-failed" in err
    base = tmp_path / "sweeps" / "g"
    assert f"partial notebooks:\n  {base / 'a=3_b=1.5' / 'sweeptiny.failed.ipynb'}\n" in err
    summary = pd.read_csv(base / "summary.csv")
    assert list(summary["status"]) == ["ok", "failed"] and "boom at a=3" in summary["error"][1]
    assert (base / "summary.png").is_file()
    partial = base / "a=3_b=1.5" / "sweeptiny.failed.ipynb"
    assert partial.is_file() and "boom at a=3" in partial.read_text()
    ok_result = base / "a=1_b=1.5" / "results" / "quick" / "sweeptiny" / "results.json"
    before = ok_result.stat().st_mtime_ns

    assert sweep.main(argv + ["--retry-failed"]) == 0
    assert ok_result.stat().st_mtime_ns == before, "a point that succeeded must not re-run"
    assert not partial.exists()
    _same_outputs(local[1], base)  # as if nothing had failed
    # nothing left to run: the summary is rebuilt from sweep.json
    again = sweep.sweep(nb, GRID, name="g", root=tmp_path, retry_failed=True, quiet=True)
    pd.testing.assert_frame_equal(local[0], again)
    assert ok_result.stat().st_mtime_ns == before


def test_summary_plot_has_one_panel_per_varying_numeric_result(tmp_path):
    rows = [{"a": a, "lr": lr, "point": f"{a}-{lr}", "status": "ok", "acc": a * len(lr), "n": 3,
             "name": "x", "error": None} for a in (1, 2, 3) for lr in ("small", "big")]
    rows[-1] = {"a": 3, "lr": "big", "point": "3-big", "status": "failed", "error": "boom"}
    df = pd.DataFrame(rows)
    png = tmp_path / "s.png"
    plan = sweep.plot_summary(df, ["a", "lr"], png, title="t")
    assert plan.outputs == ["acc"] and (plan.x, plan.lines) == ("a", ["lr"])
    assert plan.left_out == {"n": "bookkeeping", "name": "not numeric"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sweep.plot_summary(df[df.status == "failed"], ["a", "lr"], png).outputs == []


def test_retry_refuses_a_changed_notebook(tmp_path):
    nb = tiny_notebook(tmp_path / "sweeptiny.ipynb", tmp_path / "flag")
    state = tmp_path / "sweeps" / "c" / "sweep.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"notebook_sha256": "0" * 64, "profile": "quick", "rows": []}))
    with pytest.raises(ValueError, match="--retry-failed: sweeptiny.ipynb or the profile changed"):
        sweep.sweep(nb, {"a": [2]}, name="c", root=tmp_path, retry_failed=True, quiet=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_names_the_option(nb, tmp_path, capsys):
    addr = f"tcp://127.0.0.1:{_closed_port()}"
    argv = [str(nb), "--grid", "a", "1", "--root", str(tmp_path), "--scheduler", addr,
            "--connect-timeout", "1"]
    assert sweep.main(argv) == 1
    err = capsys.readouterr().err
    assert f"--scheduler {addr}: no Dask scheduler answered within 1 s" in err
    assert not (tmp_path / "sweeps" / "sweeptiny" / "summary.csv").exists()


def test_missing_distributed_names_the_option(nb, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(RuntimeError, match=r"--scheduler tcp://x:8786: .* needs the 'distributed'"):
        sweep.sweep(nb, {"a": [1]}, root=tmp_path, scheduler="tcp://x:8786", quiet=True)


def test_clashing_point_names_are_refused(nb, tmp_path):
    with pytest.raises(ValueError, match="share an output folder"):
        sweep.sweep(nb, {"device": ["x y", "x-y"]}, root=tmp_path, quiet=True)
