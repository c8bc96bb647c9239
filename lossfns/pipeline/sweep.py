"""Run one notebook over a parameter grid with papermill, then gather the results.

    python -m lossfns.sweep notebooks/000-3_xtreme_margin_loss.ipynb \\
        --grid seed 0 1 2 --grid n_points 101 201 --jobs 2 --name xm-grid
    python -m lossfns.sweep NOTEBOOK --grid seed 0 1 --scheduler tcp://host:8786   # Dask cluster
    python -m lossfns.sweep NOTEBOOK --grid seed 0 1 --retry-failed    # re-run failed points only

Each grid point runs in its own ``out_dir`` (``<root>/sweeps/<name>/<point>/``,
holding the executed notebook, figures and results), locally in parallel
processes by default or on an existing Dask cluster (``--scheduler ADDRESS``;
needs ``distributed``: the ``dask`` extra). The scalar entries of every run's
``results.json`` are gathered into ``sweeps/<name>/summary.csv`` (one row per
grid point, in grid order, the same bytes whichever way the points ran), with
a plot of every numeric result against the varied parameter
(``summary.png``) and the exact rows as JSON (``sweep.json``).

A failed point does not stop the others: its row has ``status`` ``failed`` and
the error (the notebook's failing cell), its partial notebook is kept as
``<point>/<notebook>.failed.ipynb`` and the command exits 1 after listing the
failed points. ``--retry-failed`` re-runs only the points that did not succeed
(or are new to the grid) and keeps the others' rows. See ``docs/sweeps.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import multiprocessing
import re
import shlex
import shutil
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from .._progress import progress
from .artifacts import atomic_write
from .paths import failed_notebook, repo_root, results_dir
from .run import KERNEL, NotebookError, declared_parameters, execute, parse_value

__all__ = ["sweep", "grid_points", "point_name", "plot_summary", "main", "SUMMARY_CSV",
           "SUMMARY_PNG", "SWEEP_JSON"]

SUMMARY_CSV = "summary.csv"
SUMMARY_PNG = "summary.png"
SWEEP_JSON = "sweep.json"  # the exact rows (types kept), read back by --retry-failed
#: Columns of the summary that are not notebook results.
META_COLUMNS = ("point", "status", "error")
CONNECT_TIMEOUT = 10.0


def grid_points(grid: dict) -> list[dict]:
    """Cartesian product of ``{name: [values]}`` as a list of parameter dicts."""
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def point_name(params: dict) -> str:
    text = "_".join(f"{k}={v}" for k, v in params.items())
    return re.sub(r"[^A-Za-z0-9=._-]+", "-", text)[:120]


# ------------------------------------------------------------------ one grid point (on a worker)

def _results_files(out_dir: Path, profile: str) -> dict:
    """``results.json`` files under ``out_dir`` with a stamp that changes on every rewrite."""
    found = {}
    for p in results_dir(profile, root=out_dir).glob("*/results.json"):
        st = p.stat()
        found[p] = (st.st_mtime_ns, st.st_ino, st.st_size)
    return found


def _keep_partial(notebook: Path, profile: str, out_dir: Path) -> None:
    """Move the partial notebook of a failed run (``build/failed/``, shared by every run of the
    notebook) into the point's folder, when it is this point's (its injected ``out_dir``)."""
    partial = failed_notebook(notebook.stem, profile)
    try:
        cells = json.loads(partial.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return
    injected = "".join("".join(c.get("source", "")) for c in cells
                       if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    if f'"{out_dir}"' in injected:  # papermill writes out_dir = "<path>"; not a prefix match
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(partial), out_dir / f"{notebook.stem}.failed.ipynb")


def _run_point(notebook: str, profile: str, params: dict, out: str, kernel: str) -> dict:
    """Execute one grid point; never raises: a failure is a row with ``status: failed``."""
    out_dir, nb = Path(out), Path(notebook)
    row = {**params, "point": out_dir.name}
    (out_dir / f"{nb.stem}.failed.ipynb").unlink(missing_ok=True)
    try:
        before = _results_files(out_dir, profile)
        execute(nb, profile, {**params, "out_dir": str(out_dir)},
                output=out_dir / nb.name, kernel=kernel, progress=False)
        after = _results_files(out_dir, profile)
        written = sorted(p for p, stamp in after.items() if before.get(p) != stamp)
        if len(written) != 1:
            raise NotebookError(f"{nb.name} wrote {len(written)} results.json files under {out_dir} "
                                f"(expected one: does it end with run.finish()?)")
        res = json.loads(written[0].read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 -- every failure becomes the point's row
        if isinstance(exc, NotebookError):
            _keep_partial(nb, profile, out_dir)
            error = str(exc).splitlines()[0]
        else:
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return {**row, "status": "failed", "error": error}
    flat = {k: v for k, v in _flatten(res.get("results", {})).items()
            if isinstance(v, (int, float, str, bool)) or v is None}
    return {**row, "status": "ok", **flat}


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _failed(params: dict, point: str, exc: BaseException) -> dict:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return {**params, "point": point, "status": "failed", "error": text}


# ------------------------------------------------------------------ executors

def _run_local(tasks: list[tuple], jobs: int, quiet: bool) -> list[dict]:
    rows: list = [None] * len(tasks)
    # spawn: a fresh interpreter per worker process (forking a process that runs threads,
    # e.g. a Dask client's event loop, can deadlock)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_run_point, *t): i for i, t in enumerate(tasks)}
        for fut in progress(as_completed(futures), total=len(tasks), desc="sweep", unit="run",
                            quiet=quiet):
            i = futures[fut]
            try:
                rows[i] = fut.result()
            except Exception as exc:  # noqa: BLE001 -- e.g. a pool process killed
                rows[i] = _failed(tasks[i][2], Path(tasks[i][3]).name, exc)
    return rows


def _probe(scheduler: str, timeout: float) -> None:
    """Open and close one connection to ``scheduler`` (the Dask handshake included), so that a
    bad address fails here, fast, instead of inside ``Client()`` (whose half-built object then
    takes many seconds to close)."""
    import asyncio

    from distributed.comm import connect as comm_connect

    async def handshake():
        comm = await comm_connect(scheduler, timeout=timeout)
        await comm.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no event loop in this thread (the command line, a script): probe
        asyncio.run(handshake())


def connect(scheduler: str, timeout: float = CONNECT_TIMEOUT):
    """A ``distributed.Client`` on ``scheduler``, or a RuntimeError naming ``--scheduler``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise RuntimeError(f"--scheduler {scheduler}: running on a Dask cluster needs the "
                           f"'distributed' package here and on every worker "
                           f"(pip install 'lossfns[dask]', or make setup)") from exc
    try:
        _probe(scheduler, timeout)
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 -- refused, timed out, bad address, not a scheduler
        raise RuntimeError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                           f"{timeout:g} s ({type(exc).__name__}: {exc}). Check the address "
                           f"(tcp://HOST:8786 as printed by `dask scheduler`) and that it is "
                           f"reachable from here, or raise --connect-timeout") from exc


def _run_dask(tasks: list[tuple], scheduler: str, timeout: float, label: str,
              quiet: bool) -> list[dict]:
    rows: list = [None] * len(tasks)
    with connect(scheduler, timeout) as client:
        from distributed import as_completed as dask_completed
        if not client.scheduler_info().get("workers"):
            print(f"note: the scheduler at {scheduler} has no workers yet; the points wait "
                  f"until one connects", file=sys.stderr)
        futures = {}
        for i, t in enumerate(tasks):
            key = f"lossfns-sweep-{label}-{Path(t[3]).name}-{uuid.uuid4().hex[:8]}"
            futures[client.submit(_run_point, *t, key=key, pure=False)] = i
        try:
            done = dask_completed(list(futures), loop=client.loop)
            for fut in progress(done, total=len(tasks), desc="sweep", unit="run", quiet=quiet):
                i = futures[fut]
                try:
                    rows[i] = fut.result()
                except Exception as exc:  # noqa: BLE001 -- worker lost, lossfns missing there...
                    rows[i] = _failed(tasks[i][2], Path(tasks[i][3]).name, exc)
        except BaseException:
            client.cancel(list(futures))
            raise
    return rows


# ------------------------------------------------------------------ summary

def _columns(rows: list[dict], params: list[str]) -> list[str]:
    cols = [*params, "point", "status"]
    for row in rows:
        cols += [k for k in row if k not in cols and k != "error"]
    return [*cols, "error"]


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def plot_summary(summary: pd.DataFrame, params: list[str], path: Path, *,
                 title: str = "") -> list[str]:
    """Write ``path`` (PNG, atomically): one panel per numeric result against the first
    parameter that varies (the others varied: one line each). Returns the results plotted."""
    from matplotlib.figure import Figure

    ok = summary[summary["status"] == "ok"]
    metrics = [c for c in summary.columns if c not in params and c not in META_COLUMNS
               and any(_is_number(v) for v in ok[c] if not (isinstance(v, float) and math.isnan(v)))
               and all(_is_number(v) or v is None or (isinstance(v, float) and math.isnan(v))
                       for v in ok[c])]
    key = summary[params].astype(str) if params else pd.DataFrame(index=summary.index)
    varied = [p for p in params if key[p].nunique() > 1] or params[:1]
    x, others = (varied[0], varied[1:]) if varied else (None, [])
    n = max(len(metrics), 1)
    ncols = min(4, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.6 * ncols, 2.8 * nrows + 0.6), dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    xs_all = list(summary[x]) if x else []
    numeric_x = bool(xs_all) and all(_is_number(v) for v in xs_all)
    labels = list(dict.fromkeys(str(v) for v in xs_all))
    lines = {}  # one line per combination of the other varied parameters, in grid order
    for i in ok.index:
        lines.setdefault(tuple(key.at[i, p] for p in others), []).append(i)
    for ax, metric in zip(axes, metrics):
        for combo, idx in lines.items():
            xv = [ok.at[i, x] if numeric_x else labels.index(str(ok.at[i, x])) for i in idx]
            yv = [ok.at[i, metric] for i in idx]
            order = sorted(range(len(xv)), key=xv.__getitem__)
            lab = ", ".join(f"{p}={v}" for p, v in zip(others, combo)) if others else None
            ax.plot([xv[j] for j in order], [yv[j] for j in order], "o-", label=lab, markersize=4)
        if not numeric_x:
            ax.set_xticks(range(len(labels)), labels, rotation=30, fontsize=7)
        ax.set_title(metric if len(metric) <= 40 else "..." + metric[-37:], fontsize=8)
        ax.set_xlabel(x or "", fontsize=8)
        ax.tick_params(labelsize=7)
        if others and ax is axes[0]:
            ax.legend(fontsize=6)
    for ax in axes[len(metrics):]:
        ax.set_axis_off()
    if not metrics:
        axes[0].text(0.5, 0.5, "no numeric results", ha="center", va="center")
    n_failed = int((summary["status"] != "ok").sum())
    fig.suptitle(f"{title} ({len(summary) - n_failed}/{len(summary)} points ok"
                 f"{f', {n_failed} failed' if n_failed else ''})", fontsize=10)
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png")
    return metrics


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _previous_rows(base: Path, notebook: Path, profile: str, names: set) -> dict:
    """The succeeded rows of the last sweep in ``base`` (for ``--retry-failed``)."""
    state = base / SWEEP_JSON
    if not state.is_file():
        print(f"note: --retry-failed: no previous sweep in {base}; running every point",
              file=sys.stderr)
        return {}
    prev = json.loads(state.read_text(encoding="utf-8"))
    if prev.get("notebook_sha256") != _sha256(notebook) or prev.get("profile") != profile:
        raise ValueError(f"--retry-failed: {notebook.name} or the profile changed since the sweep "
                         f"in {base}; its results would mix two versions. Run without "
                         f"--retry-failed (or with another --name)")
    return {r["point"]: r for r in prev.get("rows", [])
            if r.get("status") == "ok" and r.get("point") in names}


def sweep(notebook, grid: dict, *, profile: str = "quick", name: str | None = None,
          jobs: int = 2, scheduler: str | None = None, kernel: str = KERNEL,
          root: Path | None = None, retry_failed: bool = False,
          connect_timeout: float = CONNECT_TIMEOUT, quiet: bool = False) -> pd.DataFrame:
    """Execute ``notebook`` at every point of ``grid``; return (and save) the summary table.

    Points run in ``jobs`` local processes, or on the Dask cluster whose scheduler is at
    ``scheduler`` (the notebook and ``root`` must then be at the same paths on the workers:
    a shared file system). ``retry_failed`` keeps the rows of the points that succeeded in
    the previous sweep of the same name and runs the others. Writes ``summary.csv``,
    ``summary.png`` and ``sweep.json`` in ``<root>/sweeps/<name>/``.
    """
    notebook = Path(notebook).resolve()
    declared = declared_parameters(notebook)
    unknown = sorted(set(grid) - set(declared))
    if unknown:
        raise NotebookError(f"{notebook.name}: unknown sweep parameter(s) {unknown}; it declares {sorted(declared)}")
    if "out_dir" in grid:
        raise ValueError("out_dir is set by the sweep (one folder per point); use --root")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    base = Path(root or repo_root()).resolve() / "sweeps" / (name or notebook.stem)
    points = grid_points(grid)
    names = [point_name(p) for p in points]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"grid points share an output folder name: {clash} (values that differ "
                         f"only in punctuation, or names over 120 characters)")
    kept = _previous_rows(base, notebook, profile, set(names)) if retry_failed else {}
    todo = [i for i, n in enumerate(names) if n not in kept]
    tasks = [(str(notebook), profile, points[i], str(base / names[i]), kernel) for i in todo]
    if not tasks:
        ran = []
    elif scheduler:
        ran = _run_dask(tasks, scheduler, connect_timeout, base.name, quiet)
    else:
        ran = _run_local(tasks, jobs, quiet)
    rows = [kept.get(n) for n in names]
    for i, row in zip(todo, ran):
        rows[i] = row
    rows = [{**r, **p} for r, p in zip(rows, points)]  # grid values as given (JSON: no tuples)
    cols = _columns(rows, list(grid))
    summary = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    with atomic_write(base / SWEEP_JSON) as fh:
        json.dump({"notebook": notebook.name, "notebook_sha256": _sha256(notebook),
                   "profile": profile, "grid": grid, "rows": rows}, fh, indent=1, default=str)
    with atomic_write(base / SUMMARY_CSV) as fh:
        summary.to_csv(fh, index=False)
    try:
        plot_summary(summary, list(grid), base / SUMMARY_PNG, title=f"{notebook.stem} [{profile}]")
    except ImportError as exc:  # matplotlib: the notebooks extra
        print(f"note: no {SUMMARY_PNG} ({exc})", file=sys.stderr)
    return summary


# ------------------------------------------------------------------ command line

def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m lossfns.sweep", description=__doc__.split("\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--grid", nargs="+", action="append", required=True, metavar=("NAME", "VALUE"),
                    help="a parameter and its values (Python literals), repeatable")
    ap.add_argument("--profile", choices=("quick", "full"), default="quick")
    ap.add_argument("--name", help="folder under sweeps/ (default: the notebook name)")
    ap.add_argument("--root", type=Path,
                    help="write <root>/sweeps/<name>/ (default: the repository root)")
    ap.add_argument("--jobs", type=int, default=2, help="local parallel runs (default 2)")
    ap.add_argument("--scheduler", help="address of an existing Dask scheduler (tcp://HOST:8786)")
    ap.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT, metavar="SECONDS",
                    help=f"give up on --scheduler after this long (default {CONNECT_TIMEOUT:g})")
    ap.add_argument("--retry-failed", action="store_true",
                    help="re-run only the points that failed (or are new) in the last sweep "
                         "of this name; keep the others")
    ap.add_argument("--kernel", default=KERNEL, help=f"Jupyter kernel (default {KERNEL})")
    args = ap.parse_args(argv)
    grid = {}
    for name, *values in args.grid:
        if not values:
            ap.error(f"--grid {name} needs at least one value")
        grid[name] = [parse_value(v) for v in values]
    try:
        summary = sweep(args.notebook, grid, profile=args.profile, name=args.name, jobs=args.jobs,
                        scheduler=args.scheduler, kernel=args.kernel, root=args.root,
                        retry_failed=args.retry_failed, connect_timeout=args.connect_timeout,
                        quiet=not sys.stderr.isatty())
    except (NotebookError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    base = Path(args.root or repo_root()).resolve() / "sweeps" / (args.name or args.notebook.stem)
    print(summary.drop(columns=["error"]).to_string(index=False, max_cols=12))
    print(f"summary: {base / SUMMARY_CSV} (plot: {SUMMARY_PNG})")
    failed = summary[summary.status != "ok"]
    if len(failed):
        print(f"\n{len(failed)} of {len(summary)} point(s) failed:", file=sys.stderr)
        for _, r in failed.iterrows():
            print(f"  {r['point']}: {r['error']}", file=sys.stderr)
        retry = argv if "--retry-failed" in argv else [*argv, "--retry-failed"]
        print(f"partial notebooks: {base}/<point>/*.failed.ipynb\n"
              f"re-run only these: python -m lossfns.sweep {shlex.join(retry)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
