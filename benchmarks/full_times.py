"""The full profile's cost, from the committed runs: per-notebook wall time, the critical path,
and the make-span on k workers.

    python benchmarks/full_times.py [--workers 1 2 4 16 64]

Reads the ``wall_time_s`` of every committed full-profile run
(``results/full/<notebook>/results.json.provenance.json``: the seconds the notebook's kernel
ran, papermill included) and, for the notebooks that train several independent calls, the
seconds of each call recorded in their ``timings.json`` (``wall_s_all_trials`` per data set
and loss). From those measured times, nothing assumed:

* **sequential**: the sum over notebooks (one worker); a notebook whose recorded calls add up
  to more than its wall time ran them in parallel (its pieces on a Dask cluster, e.g. 003-s7c
  on two workers): its one-worker time is the sum of its calls (:func:`one_worker_times`);
* **k workers, one task per notebook** (``make reproduce SCHEDULER=...``): the make-span of
  the longest-first greedy schedule (LPT; within 4/3 of the optimum), never below the longest
  notebook, the critical path;
* **k workers, calls split**: the same with each splittable notebook's calls as separate tasks
  (what splitting the critical path could reach), plus the notebook's remainder as one task.

The wall times were measured on the 2-core development machine with up to four notebooks
sharing its cores, so they overstate a dedicated worker's time; the ratios between the rows
are what carries over. Writes ``benchmarks/results/full_times.json`` and prints a Markdown
table (the README's).
"""
from __future__ import annotations

import argparse
import heapq
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def notebook_times(root: Path = ROOT) -> dict[str, float]:
    """Notebook -> wall seconds of its committed full-profile run."""
    out = {}
    for prov in sorted((root / "results" / "full").glob("*/results.json.provenance.json")):
        wall = json.loads(prov.read_text()).get("wall_time_s")
        if wall is not None:
            out[prov.parent.name] = float(wall)
    return out


def call_times(root: Path = ROOT) -> dict[str, list[float]]:
    """Notebook -> seconds of each independent training call its full run recorded: the
    ``wall_s_all_trials`` that ``timings.json`` keeps for each result row (one value per call,
    repeated on its rows), paired by position with the row's reading, training setting (003-s7b/c
    train the unweighted F1* (l) beside the weighted or oversampled one: two calls), data set and
    loss in ``results.json``; where a row also has its own call's time ``wall_s`` (003-5-1c), that
    time, once per call. Only notebooks that recorded them."""
    out = {}
    for path in sorted((root / "results" / "full").glob("*/timings.json")):
        timings = json.loads(path.read_text()).get("timings", {})
        results = json.loads((path.parent / "results.json").read_text()).get("results", {})
        calls = {}
        for key, recs in timings.items():
            rows = results.get(key)
            if not (isinstance(recs, list) and isinstance(rows, list) and len(rows) == len(recs)):
                continue
            for rec, row in zip(recs, rows):
                if isinstance(rec, dict) and "wall_s" in rec:
                    # the row carries its own call's time (003-5-1c: F1*'s batched trials are one
                    # call, each AP-Perf trial another, scored under two readings): one call per
                    # distinct time, since rows of one call repeat it and two calls never share it
                    call = (key, *(str(row.get(k)) for k in ("setting", "dataset", "loss")), float(rec["wall_s"]))
                    calls[call] = float(rec["wall_s"])
                elif isinstance(rec, dict) and "wall_s_all_trials" in rec:
                    call = (key, *(str(row.get(k)) for k in ("reading", "setting", "dataset", "loss")))
                    calls[call] = float(rec["wall_s_all_trials"])
        if calls:
            out[path.parent.name] = list(calls.values())
    return out


def makespan(tasks: list[float], workers: int) -> float:
    """Longest-processing-time-first greedy schedule of ``tasks`` seconds on ``workers``."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    loads = [0.0] * workers
    heapq.heapify(loads)
    for t in sorted(tasks, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + t)
    return max(loads)


def one_worker_times(times: dict[str, float], calls: dict[str, list[float]]) -> dict[str, float]:
    """Notebook -> seconds on one worker: its wall time, or the sum of its recorded calls where
    that is larger (the calls ran in parallel, as pieces on a cluster: the wall time was one
    piece's; the notebook's few seconds outside its calls are then not counted)."""
    return {nb: max(wall, sum(calls.get(nb, ()))) for nb, wall in times.items()}


def split_tasks(times: dict[str, float], calls: dict[str, list[float]]) -> list[float]:
    """Every notebook as one task, except those with recorded calls: each call a task, and
    the rest of the notebook (its wall time less the calls) one more where the calls ran one
    after the other (they add up to at most the wall time); calls that ran in parallel (they add
    up to more) are tasks alone."""
    tasks = []
    for nb, wall in times.items():
        parts = calls.get(nb)
        if parts:
            tasks += [*parts, wall - sum(parts)] if sum(parts) <= wall else list(parts)
        else:
            tasks.append(wall)
    return tasks


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 16, 64])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "full_times.json"))
    args = ap.parse_args(argv)
    walls = notebook_times()
    if not walls:
        sys.exit("no committed full-profile run under results/full/")
    calls = call_times()
    times = one_worker_times(walls, calls)
    parallel = sorted(nb for nb in times if times[nb] > walls[nb])
    whole, split = list(times.values()), split_tasks(walls, calls)
    longest = max(times, key=times.get)
    result = {"notebooks": times, "ran_split": {nb: walls[nb] for nb in parallel}, "calls": {k: sorted(v, reverse=True) for k, v in calls.items()},
              "sequential_s": sum(whole), "critical_path": {"notebook": longest, "s": times[longest]},
              "longest_call_s": max((max(v) for v in calls.values()), default=None),
              "makespan_s": {str(k): {"per_notebook": makespan(whole, k), "calls_split": makespan(split, k)}
                             for k in args.workers}}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(f"{len(times)} notebooks, {sum(whole):,.0f} s in sequence; critical path {longest} "
          f"({times[longest]:,.0f} s); longest single call {result['longest_call_s'] or 0:,.0f} s")
    for nb in parallel:
        print(f"{nb} ran its calls in parallel ({walls[nb]:,.0f} s of wall time): counted at their sum, {times[nb]:,.0f} s")
    print()
    print("| workers | one task per notebook | calls split |\n|---:|---:|---:|")
    for k in args.workers:
        m = result["makespan_s"][str(k)]
        print(f"| {k} | {m['per_notebook'] / 60:,.0f} min | {m['calls_split'] / 60:,.0f} min |")
    return result


if __name__ == "__main__":
    main()
