"""Split one notebook's independent pieces over a Dask cluster, gathered as a local run would.

    parts = map_pieces(T.run_table1, [dict(dataset=ds, trials=3, ...) for ds in datasets],
                       scheduler=scheduler)   # None: here, in order; "tcp://HOST:8786": tasks
    results = pd.concat(parts, ignore_index=True)

A notebook on the critical path (003-5-1, 003-5-1b) hands :func:`map_pieces` its independent
calls (one data set, one loss, one reading each) and concatenates what comes back. Without a
scheduler the calls run here one after the other; with one, each call is a task on the cluster
and the results come back in the order of the calls, so the notebook's tables are those of a
local run (wall-time columns aside). Used through a notebook parameter::

    python -m lossfns.run execute notebooks/003-5-1_tabular.ipynb --profile full \\
        -p scheduler tcp://HOST:8786

**Same code or nothing**, as ``make reproduce SCHEDULER=...`` (:mod:`.cluster`): before any
call is submitted every worker's :func:`~lossfns.pipeline.cluster.code_identity` must match this
checkout's and its ``MKL_CBWR`` and ``ATEN_CPU_CAPABILITY`` (:data:`NUMERIC_ENV`, which choose
torch's and MKL's CPU kernels) this process's
(:class:`~lossfns.pipeline.cluster.WorkerMismatch` otherwise), and each task checks its worker
again before it runs (a worker that joined later). See ``docs/cluster.md``,
"Splitting one notebook".
"""

from __future__ import annotations

import numbers
import os
import platform
import sys
import uuid
from collections.abc import Mapping

from .._progress import progress
from .cluster import WorkerMismatch, check_workers, code_identity, identity_problems
from .sweep import CONNECT_TIMEOUT, connect

__all__ = ["map_pieces"]

#: characters of one argument's ``repr`` shown when a call is named in an error
_SHOWN = 60
#: Environment variables that choose torch's and MKL's CPU kernels, read once when they load
#: (the notebook kernel sets them: :data:`lossfns.pipeline.run.KERNEL_ENV`): a worker started
#: with other values computes other bits, so it is refused (they cannot be set per task).
NUMERIC_ENV = ("MKL_CBWR", "ATEN_CPU_CAPABILITY")


def _fn_name(fn) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _describe(fn, calls, i: int) -> str:
    """``piece 2 of 4: run_table1(dataset='adult', trials=10, ...)`` (long values cut short)."""
    def short(v):
        text = repr(v)
        return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."
    args = ", ".join(f"{k}={short(v)}" for k, v in calls[i].items())
    return f"piece {i + 1} of {len(calls)} (calls[{i}]): {_fn_name(fn)}({args})"


def _check(fn, calls, scheduler, desc, quiet, connect_timeout) -> list[dict]:
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__} {fn!r}")
    if isinstance(calls, (str, bytes, Mapping)) or not isinstance(calls, (list, tuple)):
        raise TypeError(f"calls must be a list of keyword-argument dicts (one per piece), "
                        f"got {type(calls).__name__}")
    for i, kw in enumerate(calls):
        if not isinstance(kw, Mapping):
            raise TypeError(f"calls[{i}] must be a dict of keyword arguments for {_fn_name(fn)}, "
                            f"got {type(kw).__name__} {kw!r}"[:200])
        bad = [k for k in kw if not isinstance(k, str) or not k.isidentifier()]
        if bad:
            raise ValueError(f"calls[{i}] has keys that are not argument names: {bad!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"scheduler must be None (run here) or the address of a Dask scheduler "
                         f"such as 'tcp://HOST:8786', got {scheduler!r}")
    if not isinstance(desc, str):
        raise TypeError(f"desc must be a string (the progress bar's label), got {type(desc).__name__}")
    if not isinstance(quiet, bool):
        raise TypeError(f"quiet must be True or False, got {quiet!r}")
    if isinstance(connect_timeout, bool) or not isinstance(connect_timeout, numbers.Real) \
            or not connect_timeout > 0:
        raise ValueError(f"connect_timeout must be a positive number of seconds, got {connect_timeout!r}")
    return [dict(kw) for kw in calls]


def _torch_threads() -> int | None:
    """The caller's torch intra-op thread count, when torch is imported (else None)."""
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def _numeric_env() -> dict:
    return {k: os.environ.get(k) for k in NUMERIC_ENV}


def _env_problems(got: dict, want: dict) -> list[str]:
    return [f"{k}={got.get(k)} (here {want.get(k)})" for k in NUMERIC_ENV if got.get(k) != want.get(k)]


def _env_mismatch(bad: list[str], n: int, want: dict) -> WorkerMismatch:
    here = " ".join(f"{k}={want[k]}" for k in NUMERIC_ENV if want[k] is not None)
    return WorkerMismatch(
        f"{len(bad)} of {n} worker(s) were started with other {' / '.join(NUMERIC_ENV)} than this "
        f"process (their torch and MKL CPU kernels would compute other bits); nothing was "
        f"submitted:\n" + "\n".join(bad) + f"\nStart the workers with the same values"
        f"{f' (env {here} dask worker ...)' if here else ' (unset)'}: docs/cluster.md, "
        f"'Splitting one notebook'.")


def _run_piece(fn, kwargs: dict, threads: int | None, want: dict | None, env: dict | None = None):
    """One piece: ``fn(**kwargs)`` with ``threads`` torch threads (restored after), after this
    worker checked that it runs ``want``'s code with the ``env`` of :data:`NUMERIC_ENV` (on a
    worker; ``want`` None: here)."""
    if want is not None:
        problems = identity_problems(code_identity(), want) + _env_problems(_numeric_env(), env or {})
        if problems:
            raise WorkerMismatch(f"worker {platform.node()} runs other code or environment than "
                                 f"the caller: " + "; ".join(problems) + " (docs/cluster.md)")
    if threads is None:
        return fn(**kwargs)
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn(**kwargs)
    finally:
        torch.set_num_threads(before)


def _inside_a_task() -> bool:
    if "distributed" not in sys.modules:
        return False
    from distributed import get_worker
    try:
        get_worker()
    except ValueError:
        return False
    return True


def _name(exc: BaseException, fn, calls, i: int) -> None:
    """Add a note naming the piece that raised ``exc`` (its type and traceback are kept)."""
    exc.add_note(f"in {_describe(fn, calls, i)}")


def map_pieces(fn, calls, *, scheduler: str | None = None, desc: str = "pieces", quiet: bool = False,
               connect_timeout: float = CONNECT_TIMEOUT) -> list:
    """``[fn(**kw) for kw in calls]``, here or as one Dask task per call; the results in the
    order of ``calls`` either way.

    ``calls``: a list of keyword-argument dicts, one per independent piece. ``scheduler=None``
    runs them here one after the other (a progress bar labelled ``desc`` unless ``quiet``).
    With the address of an existing Dask scheduler (``tcp://HOST:8786``, :func:`.sweep.connect`),
    every worker must first run this checkout's code (:func:`.cluster.check_workers`) and have
    been started with this process's :data:`NUMERIC_ENV` values (in a notebook, the kernel's:
    ``MKL_CBWR=AVX2 ATEN_CPU_CAPABILITY=avx2``), else
    :class:`~lossfns.pipeline.cluster.WorkerMismatch` names the workers that differ, before
    anything is submitted; then each call is submitted as its own task (``pure=False``: never
    a cached result) and run with this process's torch thread count (read here when torch is
    imported, set in the task and restored after), so that each piece computes what it would
    compute here, bit for bit. ``fn`` and the values travel by pickle (cloudpickle): module-level
    functions and plain data. A failing piece stops the map (the other tasks are cancelled) and
    its exception is raised again, of its own type, with a note naming the piece and its
    arguments.

    **Deadlock caveat.** Use a scheduler here only from a process that is not itself a task of
    that cluster: a notebook run as a task of ``make reproduce SCHEDULER=...`` (or ``python -m
    lossfns.run reproduce --scheduler``) holds a worker while it waits, and its pieces queue
    behind the notebooks on the same workers; with as many notebooks as worker processes nothing
    moves. Split one notebook run from your own machine instead: ``python -m lossfns.run execute
    notebooks/003-5-1_tabular.ipynb --profile full -p scheduler tcp://HOST:8786``. A call from
    inside a Dask worker thread is refused (ValueError); a notebook kernel started by a worker
    cannot be told apart, hence the rule.

    Raises TypeError or ValueError naming the argument for bad arguments, RuntimeError when no
    scheduler answers at ``scheduler`` within ``connect_timeout`` seconds.
    """
    calls = _check(fn, calls, scheduler, desc, quiet, connect_timeout)
    threads = _torch_threads()
    if scheduler is None:
        out = []
        for i, kw in enumerate(progress(calls, quiet=quiet, desc=desc, unit="piece")):
            try:
                out.append(_run_piece(fn, kw, threads, None))
            except Exception as exc:
                _name(exc, fn, calls, i)
                raise
        return out
    if not calls:
        return []
    if _inside_a_task():
        raise ValueError(f"scheduler={scheduler!r}: map_pieces was called inside a Dask task; its "
                         f"pieces would wait behind it on the same workers (deadlock). Pass "
                         f"scheduler=None there (docs/cluster.md, 'Splitting one notebook')")
    with connect(scheduler, connect_timeout) as client:
        from distributed import as_completed
        want, env = code_identity(), _numeric_env()
        check_workers(client, want, connect_timeout)
        found = client.run(_numeric_env)
        bad = [f"  {addr}: " + "; ".join(p) for addr, got in sorted(found.items())
               if (p := _env_problems(got, env))]
        if bad:
            raise _env_mismatch(bad, len(found), env)
        tag = uuid.uuid4().hex[:8]
        name = _fn_name(fn).replace(".", "-").replace("<", "").replace(">", "")
        futures = [client.submit(_run_piece, fn, kw, threads, want, env, pure=False,
                                 key=f"lossfns-piece-{name}-{i}-{tag}")
                   for i, kw in enumerate(calls)]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(calls)
        try:
            done = as_completed(futures, loop=client.loop)
            for fut in progress(done, quiet=quiet, total=len(calls), desc=desc, unit="piece"):
                i = index[fut.key]
                try:
                    out[i] = fut.result()
                except Exception as exc:
                    _name(exc, fn, calls, i)
                    raise
                fut.release()
        except BaseException:
            client.cancel(futures)
            raise
    return out
