"""Runs that cannot corrupt (issue 19): all-or-nothing artefact sets, one run id, a lock,
``verify``, canonical executed notebooks, profile and override rules, timings apart.

Observations replayed here: 1 (mixed sets from concurrent runs; sidecars rewritten by an
interrupted run), 2 (``-p profile`` contradicting ``--profile``; ``-p`` overrides rewriting the
committed notebook), 4 (timings inside results.json), 5 (stream chunks that differ between
identical runs). The fault-injection test kills runs with SIGTERM and SIGKILL at seeded
random points.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from lossfns.pipeline import artifacts, integrity, run
from tests import _notebooks

ROOT = Path(__file__).resolve().parents[1]
NAME = "tiny"
# A notebook whose artefacts depend on its seed and which takes a moment, so that kills land
# before, during and after its writes.
BODY = '''
import time
import numpy as np
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rng = np.random.default_rng(seed)
for i in range(4):
    fig, ax = plt.subplots()
    ax.plot(rng.normal(size=20))
    run.save_figure(fig, f"fig{i}")
    plt.close(fig)
    run.save_table(pd.DataFrame({"x": rng.normal(size=5)}), f"table{i}")
    time.sleep(0.15)
for i in range(30):
    print("line", i)  # many small stream messages: chunking differs from run to run
run.record("draw", float(rng.normal()))
run.record("rows", [{"loss": "a", "value": 1.0, "wall_s_all_trials": time.perf_counter()}])
run.record_timing("runtime", {"ratio": time.perf_counter()})
'''


def _nb(tmp_path: Path) -> Path:
    return _notebooks.make_notebook(tmp_path / f"{NAME}.ipynb", BODY, name=NAME)


def _cli(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lossfns.run", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _snapshot(out: Path) -> dict:
    """Every file of the set (figures, results, executed notebook) -> its SHA-256."""
    files = {}
    for sub in ("figures", "results", "reports"):
        base = out / sub
        if base.is_dir():
            for f in sorted(base.rglob("*")):
                if f.is_file():
                    files[f.relative_to(out).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return files


def _run(nb: Path, out: Path, seed: int = 0, profile: str = "full") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lossfns.run", "execute", str(nb), "--profile", profile,
                           "-p", "out_dir", str(out), "-p", "seed", str(seed), "--no-progress"],
                          cwd=ROOT, capture_output=True, text=True)


def _verify(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lossfns.run", "verify", "--out-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def committed(tmp_path_factory):
    """A notebook and a first complete set (seed 0) in the full profile."""
    tmp = tmp_path_factory.mktemp("integrity")
    nb, out = _nb(tmp), tmp / "out"
    done = _run(nb, out)
    assert done.returncode == 0, done.stderr
    return nb, out


def test_set_carries_one_run_id_and_checksums(committed):
    nb, out = committed
    manifest = json.loads((out / "results/full/tiny/manifest.json").read_text())
    assert manifest["run_id"]
    for rel, digest in manifest["checksums"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    sidecars = list(out.rglob("*.provenance.json"))
    assert len(sidecars) >= 13  # 4 figures, 8 tables, results, timings
    assert {json.loads(s.read_text())["run_id"] for s in sidecars} == {manifest["run_id"]}
    nb_entry = manifest["executed_notebook"]
    assert nb_entry["path"] == "reports/notebooks/full/tiny.ipynb" and nb_entry["checked"]
    assert not list((out / "build" / "staging").glob("*"))
    v = _verify(out)
    assert v.returncode == 0 and "full/tiny: ok" in v.stdout, v.stdout + v.stderr


def test_timings_live_apart_from_results(committed):
    nb, out = committed
    res = json.loads((out / "results/full/tiny/results.json").read_text())["results"]
    tim = json.loads((out / "results/full/tiny/timings.json").read_text())["timings"]
    assert res["rows"] == [{"loss": "a", "value": 1.0}]
    assert set(tim) == {"rows", "runtime"} and "wall_s_all_trials" in tim["rows"][0]


def test_verify_flags_mixed_and_altered_sets(committed, tmp_path):
    """Observation 1 as a corruption of a finished set: a sidecar from another run, a byte
    flipped in a table, a foreign file: each is named by verify, which exits 1."""
    nb, out = committed
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    sc = copy / "results/full/tiny/table1.csv.provenance.json"
    data = json.loads(sc.read_text())
    data["run_id"] = "20000101T000000Z-deadbeef"
    sc.write_text(json.dumps(data))
    table = copy / "results/full/tiny/table2.csv"
    table.write_bytes(table.read_bytes().replace(b"x", b"y", 1))
    (copy / "figures/full/tiny/stray.png").write_bytes(b"not ours")
    v = _verify(copy)
    assert v.returncode == 1
    assert "table1.csv.provenance.json is from run 20000101T000000Z-deadbeef" in v.stdout
    assert "checksum differs from the manifest: results/full/tiny/table2.csv" in v.stdout
    assert "file not in the manifest: figures/full/tiny/stray.png" in v.stdout


def test_second_run_into_same_output_is_refused(tmp_path):
    """Observation 1: two runs into one output. The second is refused naming the holder;
    the first completes and the set is wholly its own."""
    started, go = tmp_path / "started", tmp_path / "go"
    wait = (f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\n"
            f"t = time.time()\nwhile not pathlib.Path({str(go)!r}).exists() and time.time() - t < 300:\n"
            f"    time.sleep(0.1)\n")
    nb = _notebooks.make_notebook(tmp_path / f"{NAME}.ipynb", wait + BODY, name=NAME)
    out = tmp_path / "out"
    first = _cli("execute", str(nb), "--profile", "full", "-p", "out_dir", str(out), "-p", "seed", "1",
                 "--no-progress")
    try:
        deadline = time.time() + 120
        while not started.exists():
            assert first.poll() is None and time.time() < deadline, first.communicate()
            time.sleep(0.1)
        second = _run(nb, out, seed=2)
    finally:
        go.touch()
    assert second.returncode == 75, second.stderr
    assert "already being run" in second.stderr and f"pid {first.pid}" in second.stderr
    assert first.wait(120) == 0, first.stderr.read()
    assert _verify(out).returncode == 0
    res = json.loads((out / "results/full/tiny/results.json").read_text())
    assert res["seed"] == 1


def test_dead_holder_leaves_no_lock(committed, tmp_path):
    nb, out0 = committed
    import shutil
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    p = _cli("execute", str(nb), "--profile", "full", "-p", "out_dir", str(out), "--no-progress")
    lock = integrity.lock_path(out, "full", NAME)
    deadline = time.time() + 60
    while time.time() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    p.kill()
    p.wait()
    time.sleep(1.5)  # the orphaned kernel notices its parent is gone
    with integrity.run_lock(out, "full", NAME):  # no RunLocked: the kernel released it
        pass


def test_fault_injection_sets_are_old_or_wholly_new(committed, tmp_path):
    """Kill runs with SIGTERM and SIGKILL at seeded random points, 20 times: after each, once
    verify has finished or discarded the interrupted run, the set is byte-identical to the one
    before or wholly a new one (verify passes, one run id, the new seed's results)."""
    nb, out0 = committed
    import shutil
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    rng = random.Random(19)
    before = _snapshot(out)
    t0 = time.perf_counter()
    assert _run(nb, tmp_path / "timing", seed=5).returncode == 0
    span = time.perf_counter() - t0
    outcomes = {"old": 0, "new": 0}
    for i in range(20):
        sig = signal.SIGTERM if i % 2 else signal.SIGKILL
        p = _cli("execute", str(nb), "--profile", "full", "-p", "out_dir", str(out),
                 "-p", "seed", str(100 + i), "--no-progress")
        time.sleep(rng.uniform(0.2, span * 1.1))
        p.send_signal(sig)
        p.wait(120)
        if sig == signal.SIGKILL:
            time.sleep(1.5)  # let the orphaned kernel exit and release nothing of ours
        rows = integrity.verify(out)  # what `python -m lossfns.run verify` does, in-process
        assert [r["status"] for r in rows] == ["ok"], f"kill {i} ({sig.name}): {rows}"
        after = _snapshot(out)
        if after == before:
            outcomes["old"] += 1
            continue
        manifest = json.loads((out / "results/full/tiny/manifest.json").read_text())
        res = json.loads((out / "results/full/tiny/results.json").read_text())
        assert res["seed"] == 100 + i, f"kill {i}: a set from neither the old nor this run"
        assert set(after) == set(before), f"kill {i}: {set(after) ^ set(before)}"
        assert manifest["run_id"] != json.loads(
            (out0 / "results/full/tiny/manifest.json").read_text())["run_id"]
        outcomes["new"] += 1
        before = after
    assert not list((out / "build" / "staging").glob("*"))
    assert sum(outcomes.values()) == 20


def test_failed_run_leaves_previous_set(committed, tmp_path):
    nb, out0 = committed
    import shutil
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    before = _snapshot(out)
    bad = _notebooks.make_notebook(tmp_path / f"{NAME}.ipynb",
                                   BODY + "\nraise RuntimeError('boom')\n", name=NAME)
    done = _run(bad, out)
    assert done.returncode == 1 and "boom" in done.stderr and "left as they were" in done.stderr
    assert _snapshot(out) == before


# --- observation 2: profile and overrides -------------------------------------------------

def test_profile_parameter_contradicting_profile_is_refused(tmp_path):
    nb = _nb(tmp_path)
    with pytest.raises(run.NotebookError, match="contradicts --profile quick"):
        run.execute(nb, "quick", {"profile": "full"})
    assert not (tmp_path / "build").exists()


def test_quick_run_with_overrides_leaves_the_notebook_alone(tmp_path):
    nb = _nb(tmp_path)
    source = nb.read_bytes()
    out = tmp_path / "o"
    done = run.execute(nb, "quick", {"seed": 1, "out_dir": str(out)}, progress=False)
    assert nb.read_bytes() == source
    assert done == out / "build" / "notebooks" / "quick" / nb.name
    assert run.output_path(nb, "quick", overridden=True) != nb
    assert run.output_path(nb, "quick") == nb


def test_seedless_notebook_refuses_another_seed(tmp_path):
    nb = _nb(tmp_path)
    data = nbformat.read(nb, as_version=4)
    data.metadata["lossfns"] = {"seedless": "closed-form curves only"}
    nbformat.write(data, nb)
    with pytest.raises(run.NotebookError, match=r"draws no random numbers \(closed-form curves only\)"):
        run.execute(nb, "quick", {"seed": 3})


# --- observation 5: canonical executed notebooks ------------------------------------------

def test_canonical_notebook_merges_streams_and_drops_volatile_metadata():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\nb"),
                    nbformat.v4.new_output("stream", name="stdout", text="c\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="w\n")]
    cell.metadata["papermill"] = {"duration": 1.5}
    cell.metadata["execution"] = {"iopub.status.busy": "2026"}
    nb.cells = [cell]
    nb.metadata["papermill"] = {"start_time": "x", "duration": 2.0, "parameters": {"seed": 0}}
    other = json.loads(json.dumps(nb))
    other["cells"][0]["outputs"] = [{"name": "stdout", "output_type": "stream", "text": "a\nbc\n"},
                                    {"name": "stderr", "output_type": "stream", "text": ["w\n"]}]
    one = integrity.canonical_notebook(json.loads(json.dumps(nb)))
    two = integrity.canonical_notebook(other)
    assert one["cells"][0]["outputs"] == two["cells"][0]["outputs"]
    assert one["cells"][0]["outputs"][0]["text"] == ["a\n", "bc\n"]
    assert one["metadata"]["papermill"] == {"parameters": {"seed": 0}}
    assert "papermill" not in one["cells"][0]["metadata"]


def test_rerun_with_same_results_writes_same_notebook_bytes(tmp_path):
    """Observation 5: two executions whose results are the same give the same file."""
    nb = _notebooks.make_notebook(tmp_path / f"{NAME}.ipynb",
                                  "for i in range(50):\n    print('line', i)\nrun.record('x', 1)\n",
                                  name=NAME)
    out = str(tmp_path / "out")  # the same parameters twice (out_dir is one of them)
    a = run.execute(nb, "quick", {"out_dir": out}, output=tmp_path / "a.ipynb", progress=False)
    b = run.execute(nb, "quick", {"out_dir": out}, output=tmp_path / "b.ipynb", progress=False)
    assert a.read_bytes() == b.read_bytes()


def test_split_timings_keeps_places():
    sci, tim = artifacts.split_timings({"a": 1, "t": [{"x": 1, "wall_s": 2.0}, {"x": 2}],
                                        "d": {"F1 s_per_trial": 3.0, "ratio": 4}})
    assert sci == {"a": 1, "t": [{"x": 1}, {"x": 2}], "d": {"ratio": 4}}
    assert tim == {"t": [{"wall_s": 2.0}, None], "d": {"F1 s_per_trial": 3.0}}


# --- observations replayed on the real notebooks ------------------------------------------

def test_cli_profile_contradiction_is_refused_before_any_kernel():
    """Observation 2 as written: ``--profile quick -p profile '"full"'``."""
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "results" / "full" / "000-3_xtreme_margin_loss").glob("*")}
    done = subprocess.run([sys.executable, "-m", "lossfns.run", "execute",
                           "notebooks/000-3_xtreme_margin_loss.ipynb", "--profile", "quick",
                           "-p", "profile", '"full"'], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "profile='full' contradicts --profile quick" in done.stderr
    after = {p: p.stat().st_mtime_ns for p in (ROOT / "results" / "full" / "000-3_xtreme_margin_loss").glob("*")}
    assert after == before


def _without_injected(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    nb["cells"] = [c for c in nb["cells"] if "injected-parameters" not in c["metadata"].get("tags", [])]
    nb["metadata"].get("papermill", {}).pop("parameters", None)
    return nb


def test_quick_rerun_reproduces_the_committed_notebook(tmp_path):
    """Observation 5 as written: re-executing 000-17 (whose results do not change) gives the
    committed notebook's cells and outputs exactly (the run goes to a temporary out_dir, so
    only the injected out_dir differs)."""
    name = "000-17_precision_recall_auc"
    out = run.execute(ROOT / "notebooks" / f"{name}.ipynb", "quick", {"out_dir": str(tmp_path)},
                      output=tmp_path / f"{name}.ipynb", progress=False)
    committed_nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    assert _without_injected(json.loads(out.read_text())) == _without_injected(committed_nb)


def test_notebook_without_finish_replaces_nothing(committed, tmp_path):
    """A notebook that never calls run.finish() leaves no manifest: nothing is swapped in (it
    would otherwise remove the previous set), and the error says why."""
    nb0, out0 = committed
    import shutil
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    before = _snapshot(out)
    nb = _notebooks.make_notebook(tmp_path / f"{NAME}.ipynb", "x = 1", name=NAME)
    data = nbformat.read(nb, as_version=4)
    data.cells = data.cells[:-1]  # drop run.finish()
    nbformat.write(data, nb)
    with pytest.raises(run.NotebookContractError, match="wrote no manifest"):
        run.execute(nb, "full", {"out_dir": str(out)}, progress=False)
    assert _snapshot(out) == before
