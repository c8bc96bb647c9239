"""benchmarks/full_times.py: the make-span projection from measured notebook times (no run)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("full_times", ROOT / "benchmarks" / "full_times.py")
ft = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ft)


def test_makespan_is_the_longest_first_greedy_schedule():
    assert ft.makespan([5, 4, 3, 3, 3], 1) == 18
    # LPT: 5 | 4 -> then 3 to the 4 (7), 3 to the 5 (8), 3 to the 7 (10)
    assert ft.makespan([5, 4, 3, 3, 3], 2) == 10
    assert ft.makespan([5, 4, 3, 3, 3], 64) == 5   # never below the longest task
    with pytest.raises(ValueError, match="workers must be >= 1"):
        ft.makespan([1.0], 0)


def test_split_tasks_replaces_a_notebook_by_its_calls_and_remainder():
    tasks = ft.split_tasks({"a": 10.0, "b": 3.0, "c": 6.0}, {"a": [4.0, 5.0], "c": [5.0, 4.0]})
    # a -> 4, 5 and the remainder 1; b whole; c's calls (9) exceed its wall time (6): they ran
    # in parallel, so they are the tasks, with no remainder
    assert sorted(tasks) == [1.0, 3.0, 4.0, 4.0, 5.0, 5.0]


def test_a_notebook_whose_calls_ran_in_parallel_counts_their_sum_on_one_worker():
    walls = {"a": 10.0, "b": 3.0, "c": 6.0}
    # a's calls ran one after the other (9 <= 10): its wall time; c's on two workers (9 > 6)
    assert ft.one_worker_times(walls, {"a": [4.0, 5.0], "c": [5.0, 4.0]}) == {"a": 10.0, "b": 3.0, "c": 9.0}


def test_call_times_pair_timings_with_result_rows(tmp_path):
    run = tmp_path / "results" / "full" / "nb"
    run.mkdir(parents=True)
    rows = [{"dataset": "d", "loss": "x", "trial": t} for t in range(3)] + [{"dataset": "d", "loss": "y", "trial": 0}]
    (run / "results.json").write_text(json.dumps({"results": {"results": rows}}))
    (run / "timings.json").write_text(json.dumps({"timings": {"results": [{"wall_s_all_trials": 7.0}] * 3
                                                              + [{"wall_s_all_trials": 2.0}]}}))
    (run / "results.json.provenance.json").write_text(json.dumps({"wall_time_s": 12.0}))
    assert ft.call_times(tmp_path) == {"nb": [7.0, 2.0]}
    assert ft.notebook_times(tmp_path) == {"nb": 12.0}


def test_call_times_count_one_loss_trained_in_two_settings_twice(tmp_path):
    """003-s7c trains F1* (l) unweighted and oversampled on each data set: two calls, whose
    times both count (before, the second replaced the first)."""
    run = tmp_path / "results" / "full" / "nb"
    run.mkdir(parents=True)
    rows = [{"setting": s, "dataset": "d", "loss": "F1* (l)", "trial": t} for s in ("unweighted", "oversampled") for t in range(2)]
    (run / "results.json").write_text(json.dumps({"results": {"results": rows}}))
    (run / "timings.json").write_text(json.dumps({"timings": {"results": [{"wall_s_all_trials": 5.0}] * 2
                                                              + [{"wall_s_all_trials": 9.0}] * 2}}))
    assert ft.call_times(tmp_path) == {"nb": [5.0, 9.0]}


def test_call_times_take_a_rows_own_call_time_once_per_call(tmp_path):
    """003-5-1c: F1*'s trials are one call, each AP-Perf trial another, scored under two readings
    (two rows a trial); ``wall_s_all_trials`` is their sum, which must not count as a call."""
    run = tmp_path / "results" / "full" / "nb"
    run.mkdir(parents=True)
    rows = ([{"dataset": "d", "loss": "F1*", "reading": "avg", "trial": t} for t in range(2)]
            + [{"dataset": "d", "loss": "AP", "reading": r, "trial": t} for t in range(2) for r in ("rule", "avg")])
    recs = ([{"wall_s": 3.0, "wall_s_all_trials": 3.0}] * 2
            + [{"wall_s": 10.0, "wall_s_all_trials": 21.0}] * 2 + [{"wall_s": 11.0, "wall_s_all_trials": 21.0}] * 2)
    (run / "results.json").write_text(json.dumps({"results": {"results": rows}}))
    (run / "timings.json").write_text(json.dumps({"timings": {"results": recs}}))
    assert ft.call_times(tmp_path) == {"nb": [3.0, 10.0, 11.0]}
