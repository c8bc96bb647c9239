"""``python -m lossfns.run reproduce --scheduler``: notebooks on a Dask cluster (a LocalCluster
of two worker processes here) give the artefacts of a local run; a worker with other code is
refused before anything runs; a failed notebook does not stop the others."""

import logging
import os
import shutil
from pathlib import Path

import pytest

from lossfns.pipeline import cluster, integrity, run
from lossfns.pipeline.paths import stamp
from tests._notebooks import make_notebook

distributed = pytest.importorskip("distributed")

BODY = """\
import os, pandas as pd
open(os.path.join({marks!r}, "{name}.ran"), "w").close()
if os.path.exists(os.path.join({marks!r}, "{name}.fail")):
    raise RuntimeError("boom in {name}")
df = pd.DataFrame({{"k": [1, 2, 3], "v": [seed + {k} / 3, 0.5, 2.0 ** {k}]}})
run.save_table(df, "table")
run.record("sum", float(df.v.sum()))
run.record_timing("wall_s", 0.01 * {k})
print("done {name}")
"""
NAMES = ["c1", "c2", "c3"]


@pytest.fixture(scope="module")
def cluster_addr():
    """Two single-threaded worker processes on loopback, no dashboard."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as c:
        yield c.scheduler_address


@pytest.fixture
def tiny(tmp_path):
    """Three tiny notebooks under ``<tmp>/notebooks`` writing into ``<tmp>/out``."""
    marks = tmp_path / "marks"
    marks.mkdir()
    (tmp_path / "notebooks").mkdir()
    nbs = [make_notebook(tmp_path / "notebooks" / f"{n}.ipynb",
                         BODY.format(marks=str(marks), name=n, k=k), name=n)
           for k, n in enumerate(NAMES)]
    return nbs, tmp_path / "out", marks


def _outputs(root: Path) -> list[Path]:
    return [root / d for d in ("results", "figures", "reports", "build", ".make")]


@pytest.mark.slow
def test_cluster_gives_the_artefacts_of_a_local_run(tiny, cluster_addr, tmp_path):
    nbs, out, _ = tiny
    params = {"out_dir": str(out)}
    for nb in nbs:  # the reference: python -m lossfns.run execute, one after the other
        run.execute(nb, "full", params, progress=False)
    local = tmp_path / "local"
    for d in ("results", "figures", "reports"):
        if (out / d).exists():
            shutil.copytree(out / d, local / d)
    for d in _outputs(out):
        shutil.rmtree(d, ignore_errors=True)

    outcomes = cluster.reproduce(nbs, "full", params, scheduler=cluster_addr, quiet=True)
    assert [(o.notebook, o.status) for o in outcomes] == [(n, "ok") for n in NAMES]
    assert len({o.host for o in outcomes}) == 1  # loopback: one host, two worker processes
    assert cluster.compare_sets(local, out, "full", NAMES) == []
    for n in NAMES:  # byte for byte where no run id or time is held
        for rel in (f"results/full/{n}/results.json", f"results/full/{n}/table.csv",
                    f"reports/notebooks/full/{n}.ipynb"):
            assert (out / rel).read_bytes() == (local / rel).read_bytes(), rel
        assert (out / "results" / "full" / n / "timings.json").is_file()
        assert stamp("full", n, out).is_file()
    rows = integrity.verify(out, ("full",))  # one run id per set, checksums, nothing foreign
    assert [(r["notebook"], r["status"]) for r in rows] == [(n, "ok") for n in NAMES]
    assert not list((out / "build" / "staging").glob("*"))


@pytest.mark.slow
def test_worker_with_other_code_is_refused_before_anything_runs(tiny, cluster_addr, monkeypatch,
                                                                capsys):
    nbs, out, marks = tiny
    real = cluster.code_identity()
    # this process (the client) pretends to be at another commit with another lock; the worker
    # processes report the real ones
    monkeypatch.setattr(cluster, "code_identity",
                        lambda root=None: {**real, "commit": "0" * 40, "lock_sha256": "f" * 64,
                                           "checkout": ["elsewhere", "/x", 0, 0]})
    argv = [*map(str, nbs), "--profile", "full", "-p", "out_dir", str(out),
            "--scheduler", cluster_addr]
    assert cluster.main(argv) == 1
    err = capsys.readouterr().err
    assert "2 of 2 worker(s) run other code than this checkout (commit 000000000000" in err
    assert f"commit {real['commit'][:12]} (here 000000000000)" in err
    assert "requirements/lock.txt sha256" in err and "nothing was submitted" in err
    assert not list(marks.glob("*.ran")), "no notebook may start"
    assert not (out / "results").exists() and not (out / "reports").exists()


def test_identity_problems_name_each_difference():
    want = {"commit": "a" * 40, "lock_sha256": "b" * 64, "changes_sha256": "c", "dirty": False}
    assert cluster.identity_problems(dict(want), want) == []
    got = {**want, "commit": "d" * 40, "changes_sha256": "e", "dirty": True}
    problems = cluster.identity_problems(got, want)
    assert problems[0] == "commit dddddddddddd (here aaaaaaaaaaaa)"
    assert problems[1].startswith("uncommitted changes differ") and len(problems) == 2
    here = ["host", "/repo", 1, 2]  # the same checkout: the same files, whatever they hold
    assert cluster.identity_problems({**got, "checkout": here}, {**want, "checkout": here}) == []


@pytest.mark.slow
def test_failed_notebook_does_not_stop_the_others(tiny, cluster_addr, capsys):
    nbs, out, marks = tiny
    (marks / "c2.fail").touch()
    argv = [*map(str, nbs), "--profile", "full", "-p", "out_dir", str(out),
            "--scheduler", cluster_addr]
    assert cluster.main(argv) == 1
    err = capsys.readouterr().err
    assert "1 of 3 notebook(s) did not finish" in err
    assert "--- c2 (failed on" in err and "c2.ipynb (full) failed in cell 4" in err
    assert "RuntimeError: boom in c2" in err and "Traceback" in err  # the kernel's traceback
    assert (out / "build" / "failed" / "c2.full.ipynb").is_file()
    for n in ("c1", "c3"):
        assert (out / "results" / "full" / n / "manifest.json").is_file()
        assert stamp("full", n, out).is_file()
    assert not (out / "results" / "full" / "c2").exists()
    assert not stamp("full", "c2", out).exists()  # the next call runs it again
    assert [(r["notebook"], r["status"]) for r in integrity.verify(out, ("full",))] == \
        [("c1", "ok"), ("c3", "ok")]


def test_stale_notebooks_follow_the_make_stamps(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for n in ("a", "b", "c"):
        (tmp_path / "notebooks" / f"{n}.ipynb").write_text("{}")
    (tmp_path / "mod.py").write_text("")
    deps = "".join(f".make/stamps/{p}/{n}.done: mod.py\n" for n in "abc" for p in ("quick", "full"))
    for n in ("a", "b"):
        mark = stamp("full", n, tmp_path)
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    os.utime(tmp_path / "mod.py", (0, 0))
    os.utime(tmp_path / "notebooks" / "a.ipynb", (0, 0))
    os.utime(tmp_path / "notebooks" / "b.ipynb", None)
    old = stamp("full", "b", tmp_path)
    os.utime(old, (1, 1))  # b's notebook is newer than its stamp; c never ran
    assert [p.name for p in cluster.stale_notebooks("full", tmp_path, deps)] == ["b.ipynb", "c.ipynb"]


def test_a_bad_parameter_is_refused_before_connecting(tiny, capsys):
    nbs, out, _ = tiny
    assert cluster.main([str(nbs[0]), "-p", "nope", "1", "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert "unknown parameter(s) ['nope']" in capsys.readouterr().err
