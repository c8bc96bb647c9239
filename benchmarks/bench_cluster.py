"""Benchmark: the quick profile of every notebook, sequential against a two-worker LocalCluster.

    python benchmarks/bench_cluster.py [--workers 2] [NOTEBOOK ...]

Runs the notebooks (default: every ``notebooks/*.ipynb``) in the quick profile twice, into
the same temporary output root (``-p out_dir``; ``notebooks/`` is never touched; the first
run's root is moved aside before the second): once one after the other here (:func:`lossfns.pipeline.run.execute`), once on a
``distributed.LocalCluster`` of ``--workers`` single-threaded worker processes
(:func:`lossfns.pipeline.cluster.reproduce`, what ``make reproduce SCHEDULER=...`` runs). Reports
both wall times, their ratio (one run each: on a shared machine, repeat it), the per-notebook
times, and whether the two runs wrote the same artefacts (:func:`lossfns.pipeline.cluster.compare_sets`;
the differences that are wall-clock timings, which no two runs share, are listed apart).
Writes benchmarks/results/cluster.json. The issue's goal: a ratio of at least 1.6 with two
workers on the 2-core machine (measure it when nothing else runs there).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lossfns.pipeline import cluster, run  # noqa: E402


#: A column or key holding a wall-clock time (or a ratio of two): no two runs share its value.
TIMED = re.compile(r"wall|time|second|s_per|ratio_per|_s$", re.I)
#: In a table named as a timing (``step_timing.csv``, ``verdicts_timing.csv``; :data:`TIMING_FILE`),
#: the columns of repeated wall-clock measurements (median, min, max, a ratio of medians) and a
#: timing claim's evidence, which quotes them; its ``verdict`` column is none of these: two runs
#: must share it.
TIMING_FILE = re.compile(r"timing", re.I)
TIMING_COLUMNS = re.compile(r"^(median|min|max|evidence)$|\(median\)$", re.I)


def _flat(obj, key=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flat(v, f"{key}/{k}" if key else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _flat(v, f"{key}/{i}")
    else:
        yield key, obj


def _changed_fields(x: Path, y: Path) -> list[str] | None:
    """The columns (CSV) or keys (JSON) whose values differ between ``x`` and ``y``; None where
    the files cannot be compared field by field (other formats, other shapes)."""
    import pandas as pd

    if x.suffix == ".csv":
        dx, dy = pd.read_csv(x), pd.read_csv(y)
        if list(dx.columns) != list(dy.columns) or dx.shape != dy.shape:
            return None
        return [c for c in dx.columns if not dx[c].equals(dy[c])]
    if x.suffix == ".json":
        fx, fy = dict(_flat(json.loads(x.read_text()))), dict(_flat(json.loads(y.read_text())))
        if fx.keys() != fy.keys():
            return None
        return [k for k in fx if fx[k] != fy[k]]
    return None


def split_wall_clock(seq: Path, work: Path, diffs: list[str]) -> tuple[list[str], list[str]]:
    """Split :func:`lossfns.pipeline.cluster.compare_sets`'s differences between the roots
    ``seq`` and ``work`` into the expected ones and the rest. Expected: a CSV or JSON file whose
    differing columns or keys all hold wall-clock times (:data:`TIMED`; in a file named as a
    timing, also :data:`TIMING_COLUMNS`), the Markdown rendering
    of such a CSV, a manifest whose differing keys are checksums of PNG figures (their metadata
    holds the run's provenance), of ``timings.json`` or of such files, and the executed notebook of a notebook with
    such files (it prints them)."""
    def path(d):
        return d.split(": ", 1)[0]

    timed_files, timed_notebooks = set(), set()
    for d in diffs:
        rel = path(d)
        if d.endswith("bytes differ") and Path(rel).suffix in (".csv", ".json"):
            fields = _changed_fields(seq / rel, work / rel)
            timing_file = bool(TIMING_FILE.search(Path(rel).stem))
            if fields and all(TIMED.search(f) or (timing_file and TIMING_COLUMNS.search(f)) for f in fields):
                timed_files.add(rel)
    timed_files |= {str(Path(f).with_suffix(".md")) for f in timed_files if f.endswith(".csv")}
    timed_notebooks = {Path(f).parts[2] for f in timed_files}  # results/<profile>/<notebook>/...

    def expected(d):
        rel = path(d)
        if rel in timed_files:
            return True
        if d.endswith("executed notebooks differ"):
            return Path(rel).stem in timed_notebooks
        if rel.endswith("manifest.json") and not d.endswith("bytes differ"):
            mx, my = (json.loads((r / rel).read_text()).get("checksums", {}) for r in (seq, work))
            keys = {k for k in mx.keys() | my.keys() if mx.get(k) != my.get(k)
                    and not k.endswith(".provenance.json")}  # sidecars: compared by compare_sets
            rest = _strip_checksums(seq / rel, work / rel)
            return not rest and all(k.endswith((".png", "timings.json")) or k in timed_files
                                    for k in keys)
        return False

    wall = [d for d in diffs if expected(d)]
    return wall, [d for d in diffs if d not in wall]


def _strip_checksums(x: Path, y: Path) -> list:
    """Manifest differences other than checksums and the volatile provenance fields."""
    jx, jy = (cluster._strip(json.loads(p.read_text()), (".provenance.json",)) for p in (x, y))
    for j in (jx, jy):
        j.pop("checksums", None)
    return cluster.compare(jx, jy)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", default="quick", choices=("quick", "full"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "cluster.json"))
    args = ap.parse_args(argv)
    from distributed import LocalCluster

    notebooks = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[!.]*.ipynb"))
    names = [p.stem for p in notebooks]
    out = {"command": "python benchmarks/bench_cluster.py " + " ".join(argv or sys.argv[1:]),
           "profile": args.profile, "workers": args.workers, "notebooks": names,
           "load_average_before": os.getloadavg()[0],
           "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()}}
    with tempfile.TemporaryDirectory() as tmp:
        # Both runs write to the same output root (the sequential one is moved aside before the
        # cluster's), so their provenance names the same ``out_dir`` parameter.
        work, seq = Path(tmp) / "out", Path(tmp) / "sequential"
        work.mkdir()
        per_seq = {}
        t0 = time.perf_counter()
        for nb in notebooks:
            t = time.perf_counter()
            run.execute(nb, args.profile, {"out_dir": str(work)}, progress=False)
            per_seq[nb.stem] = time.perf_counter() - t
            print(f"sequential {nb.stem}: {per_seq[nb.stem]:.1f} s", flush=True)
        out["sequential_s"] = time.perf_counter() - t0
        work.rename(seq)
        work.mkdir()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.ERROR) as lc:
            t0 = time.perf_counter()
            outcomes = cluster.reproduce(notebooks, args.profile, {"out_dir": str(work)},
                                         scheduler=lc.scheduler_address)
            out["cluster_s"] = time.perf_counter() - t0  # worker check and transfers included
        out["per_notebook"] = {o.notebook: {"sequential_s": per_seq[o.notebook],
                                            "cluster_s": o.seconds, "status": o.status}
                               for o in outcomes}
        out["speedup"] = out["sequential_s"] / out["cluster_s"]
        diffs = cluster.compare_sets(seq, work, args.profile, names)
        wall, other = split_wall_clock(seq, work, diffs)
        out["wall_clock_differences"] = wall  # and PNG metadata
        out["artefact_differences"] = other
        out["same_artefacts"] = not other
    out["load_average_after"] = os.getloadavg()[0]
    for d in out["artefact_differences"]:
        print("differs:", d)
    print(f"{len(out['wall_clock_differences'])} differences are wall-clock times or PNG metadata")
    print(f"sequential {out['sequential_s']:.0f} s, {args.workers}-worker LocalCluster "
          f"{out['cluster_s']:.0f} s: {out['speedup']:.2f}x; same artefacts: {out['same_artefacts']}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
