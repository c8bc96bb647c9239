"""Run the stale notebooks of a profile on an existing Dask cluster, all or nothing per notebook.

    python -m lossfns.run reproduce --profile full --scheduler tcp://HOST:8786   # every stale one
    python -m lossfns.run reproduce --profile full --scheduler ADDR NOTEBOOK ...   # these ones
    python -m lossfns.run reproduce --profile full               # the same, here, one at a time
    make reproduce SCHEDULER=tcp://HOST:8786                     # then the report, as without it

**Same code or nothing.** Before any notebook is submitted, every worker reports its checkout's
commit, the SHA-256 of ``requirements/lock.txt`` and a hash of its uncommitted changes to
tracked and untracked sources (:func:`code_identity`; the suite's outputs ``results/``,
``figures/``, ``reports/`` do not count); one that differs from this checkout is named and
the whole call is refused (:class:`WorkerMismatch`). A worker that joins later checks itself
before running its task (its notebook is then reported as ``refused``).

**Where a notebook runs.** A worker runs the notebook of its own checkout with the parameters a
local run would get (``profile``, the ``-p`` values, ``out_dir`` as given), so the executed
notebook and the provenance are those of a local run; its kernel writes into a staging tree in
a temporary folder of the worker (never into the worker's checkout). The staged set and the
executed notebook come back as bytes, and this process writes them into its own output root
through the same staging folder and journalled swap as ``python -m lossfns.run execute``
(:class:`lossfns.pipeline.integrity.Stage`), holding the notebook's lock from submission to swap
(a concurrent local run of the same notebook is refused, as locally). One worker process runs
one notebook at a time (start workers with ``--nthreads 1``): the kernel's environment carries
the staging folder.

**Failures.** A failed notebook does not stop the others: it is reported with its failing cell
and traceback, its partial notebook is kept under ``<root>/build/failed/``, its previous
artefacts stay as they were and its Make stamp is not touched, so the next call runs it again.
The command exits 1 when any notebook failed. See ``docs/cluster.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import integrity, run
from .identity import compare
from .paths import OUTPUT_DIRS, NotACheckoutError, failed_notebook, repo_root, results_dir, stamp
from .profiles import PROFILES
from .sweep import CONNECT_TIMEOUT, connect

__all__ = ["Task", "Outcome", "WorkerMismatch", "code_identity", "identity_problems",
           "check_workers", "stale_notebooks", "plan", "run_task", "install", "reproduce",
           "compare_sets", "VOLATILE", "LOCK_FILE", "main"]

LOCK_FILE = "requirements/lock.txt"
#: Provenance fields that differ between two runs of the same code (run id, times, machine):
#: :func:`compare_sets` ignores them, with the checksums of the sidecars that hold them and the
#: PNG figures (their metadata embeds the provenance).
VOLATILE = ("run_id", "wall_time_s", "host", "platform")
OK, FAILED, REFUSED = "ok", "failed", "refused"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: The kernel inherits this process's environment (the staging folder, the run id): one run at a
#: time per worker process.
_ENV_LOCK = threading.Lock()


class WorkerMismatch(RuntimeError):
    """A worker runs other code than this checkout (commit, lock or uncommitted changes)."""


# ------------------------------------------------------------------ the same code everywhere

def _git(root: Path, *args: str, text: bool = True):
    out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=text, timeout=60)
    return out.stdout if out.returncode == 0 else None


def code_identity(root: Path | None = None) -> dict:
    """What code this checkout runs: ``commit`` (``git rev-parse HEAD``), ``lock_sha256`` (of
    ``requirements/lock.txt``), ``dirty`` and ``changes_sha256`` (a hash of ``git diff HEAD``
    and of the untracked, not ignored files, outside the suite's outputs), plus ``host``."""
    root = Path(root or repo_root())
    lock = root / LOCK_FILE
    pathspec = ["--", ".", *(f":(exclude){d}" for d in OUTPUT_DIRS)]
    diff = _git(root, "diff", "HEAD", "--binary", *pathspec, text=False)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", *pathspec, text=False)
    h = hashlib.sha256(diff or b"")
    for name in sorted(filter(None, (untracked or b"").split(b"\0"))):
        h.update(b"\0" + name + b"\0")
        with contextlib.suppress(OSError):
            h.update((root / os.fsdecode(name)).read_bytes())
    commit = _git(root, "rev-parse", "HEAD")
    st = root.stat()
    return {"commit": commit.strip() if commit else None,
            "lock_sha256": integrity.sha256(lock) if lock.is_file() else None,
            "dirty": bool(diff or untracked),
            "changes_sha256": h.hexdigest(), "host": platform.node(), "root": str(root),
            "checkout": [platform.node(), str(root), st.st_dev, st.st_ino]}


def _worker_identity() -> dict:
    """:func:`code_identity` as a worker computes it (sent by reference: the worker runs its own)."""
    return code_identity()


def identity_problems(got: dict, want: dict) -> list[str]:
    """How the identity ``got`` (a worker's) differs from ``want`` (this checkout's). A worker
    that runs from this very checkout (same host, folder and inode: a LocalCluster) runs the
    same files by definition, even while they are being edited."""
    if got.get("checkout") and got.get("checkout") == want.get("checkout"):
        return []
    short = lambda c: (c or "none")[:12]  # noqa: E731
    problems = []
    if got.get("commit") != want.get("commit"):
        problems.append(f"commit {short(got.get('commit'))} (here {short(want.get('commit'))})")
    if got.get("lock_sha256") != want.get("lock_sha256"):
        problems.append(f"{LOCK_FILE} sha256 {short(got.get('lock_sha256'))} "
                        f"(here {short(want.get('lock_sha256'))})")
    if got.get("changes_sha256") != want.get("changes_sha256"):
        problems.append("uncommitted changes differ from this checkout's"
                        f" (worker tree {'dirty' if got.get('dirty') else 'clean'}, here "
                        f"{'dirty' if want.get('dirty') else 'clean'})")
    return problems


def check_workers(client, want: dict | None = None, timeout: float = CONNECT_TIMEOUT) -> dict:
    """Every worker's :func:`code_identity` (``{address: identity}``); :class:`WorkerMismatch`
    naming each worker that differs from ``want`` (default: this checkout), or when no worker
    joined within ``timeout`` seconds. Runs nothing but the check on the workers."""
    want = want or code_identity()
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 -- TimeoutError (its type moved between versions)
        raise WorkerMismatch(f"the scheduler has no worker after {timeout:g} s ({type(exc).__name__}); "
                             f"start workers (docs/cluster.md) and try again") from None
    found = client.run(_worker_identity, on_error="return")
    bad = []
    for addr, got in sorted(found.items()):
        if isinstance(got, BaseException):
            bad.append(f"  {addr}: could not report its code ({type(got).__name__}: {got})")
            continue
        problems = identity_problems(got, want)
        if problems:
            bad.append(f"  {addr} ({got.get('host')}, {got.get('root')}): " + "; ".join(problems))
    if bad:
        raise WorkerMismatch(
            f"{len(bad)} of {len(found)} worker(s) run other code than this checkout (commit "
            f"{(want.get('commit') or 'none')[:12]}, lock sha256 {(want.get('lock_sha256') or 'none')[:12]}"
            f"{', with uncommitted changes' if want.get('dirty') else ''}); nothing was submitted:\n"
            + "\n".join(bad) + "\nOn each: git fetch && git checkout <the same commit> (and the same "
            "uncommitted changes, or none here), make setup (installs the lock), then restart the "
            "worker. See docs/cluster.md.")
    return found


# ------------------------------------------------------------------ what to run

def stale_notebooks(profile: str, root: Path | None = None, deps: str | None = None) -> list[Path]:
    """The notebooks whose Make stamp is missing or older than one of its prerequisites (the
    notebook, the ``lossfns`` modules it imports, its data: :func:`lossfns.pipeline.run.data_deps`),
    as ``make reproduce`` would decide, in name order."""
    root = Path(root or repo_root())
    deps = run.data_deps(root) if deps is None else deps
    todo = []
    for line in deps.splitlines():
        target, _, prereqs = line.partition(":")
        parts = Path(target.strip()).parts
        if len(parts) < 2 or parts[-2] != profile:
            continue
        name = Path(target.strip()).name[:-len(".done")]
        notebook = root / "notebooks" / f"{name}.ipynb"
        mark = stamp(profile, name, root)
        if not mark.exists():
            todo.append(notebook)
            continue
        made = mark.stat().st_mtime
        for p in [notebook, *(root / d for d in prereqs.split())]:
            if not p.exists() or p.stat().st_mtime > made:
                todo.append(notebook)
                break
    return sorted(todo)


@dataclass(frozen=True)
class Task:
    """One notebook to run: its path (relative to the checkout when inside it, so that a worker
    finds its own copy), the checked parameters, and the executed notebook's path relative to
    the output root."""

    notebook: str
    profile: str
    parameters: dict
    output: str
    in_place: bool

    @property
    def name(self) -> str:
        return Path(self.notebook).stem


def plan(notebooks, profile: str, parameters: dict | None = None) -> tuple[Path, list[Task]]:
    """``(output root, tasks)``: every notebook's request checked here first
    (:func:`lossfns.pipeline.run.check_request`: names, types, seeds); NotebookError else."""
    checkout = repo_root()
    tasks, root = [], None
    for nb in notebooks:
        nb = Path(nb).resolve()
        if not nb.is_file():
            raise run.NotebookError(f"notebook not found: {nb}")
        params = run.check_request(nb, profile, parameters)
        out_dir = Path(params["out_dir"]).resolve() if params.get("out_dir") else None
        root = out_dir or checkout
        overridden = bool(set(params) - {"profile"})
        output = run.output_path(nb, profile, overridden, out_dir)
        try:
            rel_out = output.relative_to(root).as_posix()
        except ValueError:
            raise run.NotebookError(f"{nb.name}: its executed notebook {output} would lie outside "
                                    f"the output root {root}; give -p out_dir") from None
        in_place = output == nb
        with contextlib.suppress(ValueError):
            nb = nb.relative_to(checkout)
        tasks.append(Task(nb.as_posix(), profile, dict(parameters or {}), rel_out, in_place))
    return root or checkout, tasks


# ------------------------------------------------------------------ on a worker

@contextlib.contextmanager
def _environ(values: dict):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_task(task: Task, want: dict, kernel: str = run.KERNEL) -> dict:
    """Run ``task`` on this machine into a temporary staging tree; never raises. Returns
    ``{"status", "notebook", "host", "seconds"}`` plus, when ``ok``, ``run_id``, ``files``
    (``{path relative to the root: bytes}``) and ``executed`` (the executed notebook's bytes);
    else ``error``, ``traceback`` and, when the kernel ran, ``partial`` (bytes)."""
    import papermill as pm

    t0 = time.perf_counter()
    out = {"notebook": task.name, "host": platform.node(), "status": FAILED}
    try:
        problems = identity_problems(code_identity(), want)
        if problems:
            return {**out, "status": REFUSED, "traceback": "",
                    "error": f"worker {platform.node()} runs other code: " + "; ".join(problems)}
        nb = Path(task.notebook)
        nb = nb if nb.is_absolute() else repo_root() / nb
        params = run.check_request(nb, task.profile, task.parameters)  # as this worker reads it
        with _ENV_LOCK, tempfile.TemporaryDirectory(prefix=f"lossfns-{task.name}-") as scratch:
            scratch = Path(scratch)
            stage = integrity.Stage(scratch, task.profile, task.name, integrity.new_run_id()).create()
            staged_nb = stage.dir / "executed.ipynb"
            env = {**run.KERNEL_ENV, integrity.ENV_STAGE: str(stage.tree),
                   integrity.ENV_RUN_ID: stage.run_id}
            try:
                with _environ(env):
                    pm.execute_notebook(str(nb), str(staged_nb), parameters=params,
                                        kernel_name=kernel, cwd=str(nb.parent), progress_bar=False,
                                        log_output=False, config=run._kernel_config(),
                                        extra_arguments=run._kernel_args(kernel))
            except pm.PapermillExecutionError as exc:
                partial = staged_nb.read_bytes() if staged_nb.exists() else None
                return {**out, "error": f"{nb.name} ({task.profile}) failed in {run._failed_cell(exc)}",
                        "traceback": _ANSI.sub("", "\n".join(exc.traceback or [])), "partial": partial}
            integrity.write_canonical_notebook(staged_nb)
            manifest = results_dir(task.profile, task.name, stage.tree) / "manifest.json"
            if not manifest.exists():
                raise run.NotebookContractError(f"{nb.name} ({task.profile}) ran but wrote no manifest "
                                                f"(its last cell must call run.finish())")
            run._bind_notebook(manifest, staged_nb, scratch / task.output, scratch, task.in_place)
            files = {p.relative_to(stage.tree).as_posix(): p.read_bytes()
                     for p in sorted(stage.tree.rglob("*")) if p.is_file()}
            return {**out, "status": OK, "run_id": stage.run_id, "files": files,
                    "executed": staged_nb.read_bytes(), "seconds": time.perf_counter() - t0}
    except Exception as exc:  # noqa: BLE001 -- every failure is reported, none stops the others
        return {**out, "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                "traceback": traceback.format_exc(), "seconds": time.perf_counter() - t0}


# ------------------------------------------------------------------ back here

def install(result: dict, task: Task, root: Path) -> None:
    """Write a worker's ``ok`` result into ``root`` all or nothing: a staging folder with the
    worker's run id, then :meth:`lossfns.pipeline.integrity.Stage.commit` (the journalled swap
    of a local run). Call it holding the notebook's lock. Touches the notebook's Make stamp."""
    stage = integrity.Stage(root, task.profile, task.name, result["run_id"]).create()
    try:
        allowed = tuple(f"{d}/" for d in stage.set_folders())
        for rel, data in result["files"].items():
            if not rel.startswith(allowed) or ".." in Path(rel).parts:
                raise ValueError(f"{task.name}: a worker returned {rel!r}, outside its set {allowed}")
            path = stage.tree / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        staged_nb = stage.dir / "executed.ipynb"
        staged_nb.write_bytes(result["executed"])
        os.chmod(staged_nb, 0o666 & ~run._umask())
        dest = root / task.output
        dest.parent.mkdir(parents=True, exist_ok=True)
        stage.commit(extra=[(staged_nb, dest)])
    except BaseException:
        stage.discard()
        raise
    manifest = results_dir(task.profile, task.name, root) / "manifest.json"
    if manifest.exists():  # newer than the notebook it came from, as after a local run
        os.utime(manifest)
    _touch_stamp(task, root)


def _touch_stamp(task: Task, root: Path) -> None:
    """What the Makefile does after a successful run: ``make`` then sees it up to date."""
    mark = stamp(task.profile, task.name, root)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.touch()


def _keep_failed(result: dict, task: Task, root: Path) -> Path | None:
    if not result.get("partial"):
        return None
    path = failed_notebook(task.name, task.profile, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(result["partial"])
    return path


@dataclass
class Outcome:
    """One notebook's outcome: ``status`` ok / failed / refused, where it ran, how long."""

    notebook: str
    status: str
    host: str = ""
    seconds: float = 0.0
    error: str = ""
    traceback: str = ""
    partial: Path | None = None
    extra: dict = field(default_factory=dict)


def _local_result(task: Task, kernel: str) -> dict:
    """Run ``task`` here with :func:`lossfns.pipeline.run.execute` (no scheduler)."""
    t0 = time.perf_counter()
    out = {"notebook": task.name, "host": platform.node(), "status": OK}
    try:
        nb = Path(task.notebook)
        run.execute(nb if nb.is_absolute() else repo_root() / nb, task.profile, task.parameters,
                    kernel=kernel, progress=False)
    except integrity.RunLocked:
        raise
    except Exception as exc:  # noqa: BLE001
        out.update(status=FAILED, error=str(exc).splitlines()[0], traceback=traceback.format_exc())
    return {**out, "seconds": time.perf_counter() - t0, "local": True}


def _report(k: int, n: int, o: Outcome, out=sys.stderr) -> None:
    where = f" on {o.host}" if o.host else ""
    line = f"[{k}/{n}] {o.notebook}: {o.status} in {o.seconds:.1f} s{where}"
    if o.status != OK:
        line += f": {o.error}"
    print(line, file=out, flush=True)


def reproduce(notebooks=None, profile: str = "full", parameters: dict | None = None, *,
              scheduler: str | None = None, kernel: str = run.KERNEL,
              connect_timeout: float = CONNECT_TIMEOUT, quiet: bool = False) -> list[Outcome]:
    """Run ``notebooks`` (default: :func:`stale_notebooks` of ``profile`` after
    :func:`lossfns.pipeline.run.stale`) on the Dask cluster at ``scheduler``, or here one at a
    time; write each one's artefacts into the output root as it comes back. Returns one
    :class:`Outcome` per notebook, in the order given. Raises before anything runs:
    NotebookError (a request that cannot run), RunLocked (a notebook being run already),
    WorkerMismatch, RuntimeError (no scheduler at the address)."""
    if profile not in PROFILES:
        raise run.NotebookError(f"profile must be one of {PROFILES}, got {profile!r}")
    if notebooks is None:
        run.stale(profile)
        notebooks = stale_notebooks(profile)
    root, tasks = plan(list(notebooks), profile, parameters)
    log = sys.stderr if not quiet else open(os.devnull, "w")
    outcomes: dict[str, Outcome] = {}
    with contextlib.ExitStack() as locks:
        for t in tasks if scheduler else ():  # held from submission to swap, as execute() holds it
            locks.enter_context(integrity.run_lock(root, profile, t.name,
                                                   command=f"lossfns.run reproduce ({scheduler or 'here'})"))
            for line in integrity.recover(root, profile, t.name):
                print(f"{t.name}: {line}", file=log)
        if not tasks:
            print(f"nothing to run: every {profile}-profile notebook is up to date", file=log)
        elif scheduler:
            _on_cluster(tasks, root, scheduler, kernel, connect_timeout, outcomes, log)
        else:
            for t in tasks:
                _finish(t, _local_result(t, kernel), root, outcomes, len(tasks), log)
    if quiet:
        log.close()
    return [outcomes[t.name] for t in tasks]


def _finish(task: Task, result: dict, root: Path, outcomes: dict, total: int, log) -> None:
    o = Outcome(task.name, result.get("status", FAILED), result.get("host", ""),
                result.get("seconds", 0.0), result.get("error", ""), result.get("traceback", ""))
    if o.status == OK and result.get("local"):
        _touch_stamp(task, root)
    elif o.status == OK:
        try:
            install(result, task, root)
        except Exception as exc:  # noqa: BLE001
            o.status, o.error, o.traceback = FAILED, f"writing its artefacts: {exc}", traceback.format_exc()
    elif o.status != OK:
        o.partial = _keep_failed(result, task, root)
    outcomes[task.name] = o
    _report(len(outcomes), total, o, log)


def _on_cluster(tasks, root, scheduler, kernel, timeout, outcomes, log) -> None:
    with connect(scheduler, timeout) as client:
        from distributed import as_completed
        want = code_identity()
        workers = check_workers(client, want, timeout)
        print(f"{len(workers)} worker(s) at commit {(want['commit'] or 'none')[:12]} agree; "
              f"submitting {len(tasks)} notebook(s) to {scheduler}", file=log, flush=True)
        futures = {client.submit(run_task, t, want, kernel, pure=False,
                                 key=f"lossfns-{t.profile}-{t.name}-{uuid.uuid4().hex[:8]}"): t
                   for t in tasks}
        try:
            for fut in as_completed(list(futures), loop=client.loop):
                t = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 -- worker lost, killed...
                    result = {"notebook": t.name, "status": FAILED,
                              "error": f"{type(exc).__name__}: {exc}".splitlines()[0],
                              "traceback": "".join(traceback.format_exception(exc))}
                fut.release()
                _finish(t, result, root, outcomes, len(tasks), log)
        except BaseException:
            client.cancel(list(futures))
            raise


# ------------------------------------------------------------------ comparing two output roots

def _strip(obj, drop_checksums_of=()):
    if isinstance(obj, dict):
        return {k: _strip(v, drop_checksums_of) for k, v in obj.items()
                if k not in VOLATILE and not (isinstance(k, str) and k.endswith(drop_checksums_of))}
    if isinstance(obj, list):
        return [_strip(v, drop_checksums_of) for v in obj]
    return obj


def compare_sets(a: Path, b: Path, profile: str, notebooks) -> list[str]:
    """How the artefact sets of ``notebooks`` under the roots ``a`` and ``b`` differ (empty:
    the same): every file byte for byte, except provenance (``*.provenance.json``,
    ``manifest.json``: compared without :data:`VOLATILE` and the sidecars' checksums), PNG
    figures (their metadata holds the provenance: compared by their presence) and
    ``timings.json`` (wall-clock times: present in both, not compared, as in
    :mod:`lossfns.pipeline.identity`)."""
    diffs = []
    for name in notebooks:
        files = {}
        for root in (a, b):
            sub = [root / "results" / profile / name, root / "figures" / profile / name]
            files[root] = {p.relative_to(root).as_posix() for d in sub if d.is_dir()
                           for p in d.rglob("*") if p.is_file()}
        for rel in sorted(files[a] ^ files[b]):
            diffs.append(f"{rel}: only under {a if rel in files[a] else b}")
        for rel in sorted(files[a] & files[b]):
            x, y = (a / rel).read_bytes(), (b / rel).read_bytes()
            if x == y or rel.endswith((".png", "timings.json")):
                continue
            if rel.endswith((".provenance.json", "manifest.json")):
                jx, jy = (_strip(json.loads(t), (".provenance.json",)) for t in (x, y))
                rows = compare(jx, jy)
                if rows:
                    diffs.append(f"{rel}: " + ", ".join(r["key"] for r in rows[:5]))
                continue
            diffs.append(f"{rel}: bytes differ")
        nb_a, nb_b = (json.loads((r / "results" / profile / name / "manifest.json").read_text())
                      .get("executed_notebook", {}).get("path") if
                      (r / "results" / profile / name / "manifest.json").exists() else None
                      for r in (a, b))
        if nb_a and nb_a == nb_b and (a / nb_a).read_bytes() != (b / nb_b).read_bytes():
            diffs.append(f"{nb_a}: executed notebooks differ")
    return diffs


# ------------------------------------------------------------------ command line

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.run reproduce",
                                 description="run the stale notebooks of a profile, on a Dask "
                                             "cluster (--scheduler) or here")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="notebooks to run (default: every stale one, as make reproduce decides)")
    ap.add_argument("--profile", choices=PROFILES, default="full")
    ap.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://HOST:8786); "
                                        "without it the notebooks run here, one at a time")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="parameter for every notebook (as execute's -p)")
    ap.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT, metavar="SECONDS",
                    help=f"give up on --scheduler, or on its first worker, after this long "
                         f"(default {CONNECT_TIMEOUT:g})")
    ap.add_argument("--kernel", default=run.KERNEL)
    args = ap.parse_args(argv)
    params = {k: run.parse_value(v) for k, v in args.parameter}
    try:
        outcomes = reproduce(args.notebooks or None, args.profile, params, scheduler=args.scheduler,
                             kernel=args.kernel, connect_timeout=args.connect_timeout)
    except integrity.RunLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 75
    except (run.NotebookError, NotACheckoutError, WorkerMismatch, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bad = [o for o in outcomes if o.status != OK]
    if bad:
        print(f"\n{len(bad)} of {len(outcomes)} notebook(s) did not finish; their previous artefacts "
              f"are unchanged and the next call runs them again:", file=sys.stderr)
        for o in bad:
            print(f"--- {o.notebook} ({o.status} on {o.host or '?'}): {o.error}", file=sys.stderr)
            if o.traceback:
                print(o.traceback.rstrip(), file=sys.stderr)
            if o.partial:
                print(f"partial executed notebook: {o.partial}", file=sys.stderr)
        return 1
    print(f"{len(outcomes)} notebook(s) run ({args.profile})" if outcomes else "up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
