"""``lossfns.pipeline.pieces.map_pieces``: one notebook's independent pieces, here in order or as
tasks on a Dask cluster (a LocalCluster of two worker processes on loopback), gathered into the
same results; a worker with other code is refused; a failing piece is named."""

import pandas as pd
import pytest

from lossfns.experiments.doc003 import tabular as T
from lossfns.pipeline import cluster, pieces, run
from lossfns.pipeline.pieces import map_pieces

pytest.importorskip("distributed")
from tests.test_cluster import cluster_addr  # noqa: E402,F401 -- two worker processes on loopback

#: a tiny stand-in of 003-5-1's protocol: 2 trials, 3 epochs, a shrunk generated data set
TINY = dict(dataset="cocktailparty", trials=2, max_epochs=3, patience=2, stand_in_rows=400, seed=0)
WALL = ["wall_s_all_trials"]


def power(x, p=2):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x ** p


def _table1_calls():
    return [dict(TINY, losses={k: v}) for k, v in T.TABLE1_LOSSES.items() if k in ("F1*", "BCE")]


def test_local_map_keeps_order_and_values():
    calls = [dict(x=3), dict(x=1, p=3), dict(x=2)]
    assert map_pieces(power, calls, quiet=True) == [9, 1, 4]
    assert map_pieces(power, (), quiet=True) == []


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(fn=3, calls=[{}]), TypeError, "fn must be callable, got int"),
    (dict(fn=power, calls={"x": 1}), TypeError, "calls must be a list of keyword-argument dicts"),
    (dict(fn=power, calls="x"), TypeError, "calls must be a list"),
    (dict(fn=power, calls=[{"x": 1}, 2]), TypeError, "calls[1] must be a dict of keyword arguments for power"),
    (dict(fn=power, calls=[{1: 2}]), ValueError, "calls[0] has keys that are not argument names: [1]"),
    (dict(fn=power, calls=[], scheduler=""), ValueError, "scheduler must be None (run here) or the address"),
    (dict(fn=power, calls=[], scheduler=8786), ValueError, "scheduler must be None"),
    (dict(fn=power, calls=[], desc=None), TypeError, "desc must be a string"),
    (dict(fn=power, calls=[], quiet="yes"), TypeError, "quiet must be True or False"),
    (dict(fn=power, calls=[], connect_timeout=0), ValueError, "connect_timeout must be a positive number"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    fn, calls = kwargs.pop("fn"), kwargs.pop("calls")
    with pytest.raises(error) as info:
        map_pieces(fn, calls, **kwargs)
    assert message in str(info.value)


def test_failing_piece_keeps_its_error_and_names_the_call():
    with pytest.raises(ValueError, match="negative: -1") as info:
        map_pieces(power, [dict(x=1), dict(x=-1, p=3), dict(x=2)], quiet=True)
    assert info.value.__notes__ == ["in piece 2 of 3 (calls[1]): power(x=-1, p=3)"]


def test_unreachable_scheduler_names_it():
    with pytest.raises(RuntimeError, match="--scheduler tcp://127.0.0.1:9: no Dask scheduler answered"):
        map_pieces(power, [dict(x=1)], scheduler="tcp://127.0.0.1:9", connect_timeout=1, quiet=True)


@pytest.mark.slow
def test_cluster_gives_the_rows_of_a_local_run(cluster_addr):
    calls = _table1_calls()
    local = pd.concat(map_pieces(T.run_table1, calls, quiet=True), ignore_index=True)
    whole = T.run_table1(**dict(TINY, losses={k: T.TABLE1_LOSSES[k] for k in ("F1*", "BCE")}))
    pd.testing.assert_frame_equal(local.drop(columns=WALL), whole.drop(columns=WALL), check_exact=True)
    remote = pd.concat(map_pieces(T.run_table1, calls, scheduler=cluster_addr, quiet=True),
                       ignore_index=True)
    assert list(remote["loss"].unique()) == ["F1*", "BCE"]
    pd.testing.assert_frame_equal(remote.drop(columns=WALL), local.drop(columns=WALL), check_exact=True)


@pytest.mark.slow
def test_cluster_gives_the_oversampled_rows_of_a_local_run(cluster_addr):
    """003-s7c's pieces (``doc003.supp7.run_setting`` with one data set and one training call
    each, for two seeds): the random oversampling of the training splits and the losses built
    per task come back from a worker with the numbers of a local run of the whole setting."""
    from lossfns.experiments.doc003 import supp7
    calls = [dict(TINY, setting="oversampled", seed=seed, calls=[c])
             for seed in (0, 1) for c in supp7.setting_calls("oversampled")]
    whole = pd.concat([supp7.run_setting(**dict(TINY, setting="oversampled", seed=seed)) for seed in (0, 1)],
                      ignore_index=True)
    assert set(whole["setting"]) == {"unweighted", "oversampled"} and len(whole) == 2 * 2 * 6
    remote = pd.concat(map_pieces(supp7.run_setting, calls, scheduler=cluster_addr, quiet=True),
                       ignore_index=True)
    pd.testing.assert_frame_equal(remote.drop(columns=WALL), whole.drop(columns=WALL), check_exact=True)


@pytest.mark.slow
def test_cluster_keeps_order_and_names_a_failing_piece(cluster_addr):
    calls = [dict(x=x) for x in (5, 4, 3, 2, 1)]
    assert map_pieces(power, calls, scheduler=cluster_addr, quiet=True) == [25, 16, 9, 4, 1]
    with pytest.raises(ValueError, match="negative: -2") as info:
        map_pieces(power, [dict(x=1), dict(x=-2)], scheduler=cluster_addr, quiet=True)
    assert "in piece 2 of 2 (calls[1]): power(x=-2)" in info.value.__notes__


@pytest.mark.slow
def test_worker_with_other_code_is_refused(cluster_addr, monkeypatch):
    real = cluster.code_identity()
    # this process (the client) pretends to be at another commit with another lock; the worker
    # processes report the real ones
    monkeypatch.setattr(pieces, "code_identity",
                        lambda root=None: {**real, "commit": "0" * 40, "lock_sha256": "f" * 64,
                                           "checkout": ["elsewhere", "/x", 0, 0]})
    ran = []
    with pytest.raises(cluster.WorkerMismatch) as info:
        map_pieces(ran.append, [dict(x=1)], scheduler=cluster_addr, quiet=True)
    msg = str(info.value)
    assert "2 of 2 worker(s) run other code than this checkout (commit 000000000000" in msg
    assert f"commit {real['commit'][:12]} (here 000000000000)" in msg and "nothing was submitted" in msg
    assert ran == []


@pytest.mark.slow
def test_worker_with_other_numeric_environment_is_refused(cluster_addr, monkeypatch):
    assert set(pieces.NUMERIC_ENV) <= set(run.KERNEL_ENV)  # what a notebook's kernel sets
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "none-such")  # the workers were started without it
    with pytest.raises(cluster.WorkerMismatch) as info:
        map_pieces(power, [dict(x=1)], scheduler=cluster_addr, quiet=True)
    msg = str(info.value)
    assert "2 of 2 worker(s) were started with other MKL_CBWR / ATEN_CPU_CAPABILITY" in msg
    assert "ATEN_CPU_CAPABILITY=" in msg and "(here none-such)" in msg and "nothing was submitted" in msg
    assert pieces._env_problems(pieces._numeric_env(), pieces._numeric_env()) == []


def test_torch_threads_are_those_of_the_caller():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    want = 2 if before != 2 else 1
    seen = pieces._run_piece(lambda: torch.get_num_threads(), {}, want, None)
    assert seen == want and torch.get_num_threads() == before
