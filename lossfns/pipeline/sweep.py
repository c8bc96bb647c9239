"""Run one notebook over a parameter grid with papermill, then gather the results.

    python -m lossfns.sweep notebooks/002-1_information.ipynb \\
        --grid seed 0 1 2 --grid n_classes 3 10 --jobs 2 --name info-grid
    python -m lossfns.sweep NOTEBOOK --grid seed 0 1 --scheduler tcp://host:8786   # Dask cluster
    python -m lossfns.sweep NOTEBOOK --grid seed 0 1 --retry-failed    # re-run failed points only

Each grid point runs in its own ``out_dir`` (``<root>/sweeps/<name>/<point>/``,
holding the executed notebook, figures and results), locally in parallel
processes by default or on an existing Dask cluster (``--scheduler ADDRESS``;
needs ``distributed``: the ``dask`` extra). The scalar entries of every run's
``results.json`` are gathered into ``sweeps/<name>/summary.csv`` (one row per
grid point, in grid order, the same bytes whichever way the points ran), with
a plot of the results that vary (``summary.png``: :func:`plan_summary_plot`
says which, and how seeds are summarised) and the exact rows as JSON
(``sweep.json``).

Nothing runs unless every point can: ``--name`` must be one folder name under
``sweeps/``, every grid value must have the type its parameter's default
declares (:func:`check_grid`), and a notebook that declares itself seedless
(``metadata.lossfns.seedless``) is not swept over ``seed``.

A failed point does not stop the others: its row has ``status`` ``failed`` (it
may succeed when run again) or ``invalid`` (its parameters or the notebook's
contract are wrong: it would fail again), with the error (the notebook's
failing cell); its partial notebook, when there is one, is kept as
``<point>/<notebook>.failed.ipynb`` and the command exits 1 after listing the
failed points. ``--retry-failed`` re-runs only the points that did not succeed
(or are new to the grid) and keeps the others' rows. See ``docs/sweeps.md``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import itertools
import json
import math
import multiprocessing
import numbers
import re
import shlex
import shutil
import sys
import textwrap
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._progress import progress
from .artifacts import atomic_write
from .notebook_meta import seedless_reason
from .paths import failed_notebook, repo_root, results_dir
from .profiles import PROFILES, REQUIRED_PARAMETERS
from .run import (KERNEL, NotebookContractError, NotebookError, check_types, execute, parameter_specs,
                  parse_value)

__all__ = ["sweep", "sweep_dir", "check_grid", "grid_points", "point_name", "plan_summary_plot",
           "plot_summary", "seed_intervals", "SummaryPlot", "main", "SUMMARY_CSV", "SUMMARY_PNG",
           "SWEEP_JSON", "BOOKKEEPING", "MAX_PANELS"]

SUMMARY_CSV = "summary.csv"
SUMMARY_PNG = "summary.png"
SWEEP_JSON = "sweep.json"  # the exact rows (types kept), read back by --retry-failed
#: Columns of the summary that are not notebook results.
META_COLUMNS = ("point", "status", "error")
#: ``status`` of a row: ran to the end / failed but may succeed when run again (a cell's
#: error, a lost worker, an interrupted run) / would fail again as it is (its parameters do
#: not fit the notebook, or the notebook breaks the run contract).
OK, FAILED, INVALID = "ok", "failed", "invalid"
CONNECT_TIMEOUT = 10.0
SEED = "seed"
#: ``--name``: one folder name (no separator, no leading dot: no ``..``, no hidden folder).
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._=+-]{0,119}")
#: Results that come with an estimate rather than being one: the last part of a result's
#: dotted key is one of these (sample size, standard error, interval bounds, seeds), or it
#: starts with ``n_`` (counts: ``n_repeats``, ``n_points``). Never plotted.
BOOKKEEPING = ("n", "se", "lo", "hi", "seed", "seeds")
#: Panels of summary.png at most; the outputs beyond are named in the figure and sweep.json.
MAX_PANELS = 12


# ------------------------------------------------------------------ checks before anything runs

def sweep_dir(notebook, name: str | None = None, root: Path | None = None) -> Path:
    """``<root>/sweeps/<name>`` (``name`` defaults to the notebook's name). ``name`` must be
    one folder name, so that a sweep never writes outside ``sweeps/``: letters, digits and
    ``. _ - = +``, not starting with ``.``, at most 120 characters (ValueError naming --name)."""
    folder = Path(notebook).stem if name is None else name
    if not isinstance(folder, str) or not NAME_PATTERN.fullmatch(folder):
        what = "--name" if name is not None else "--name (default: the notebook's name)"
        raise ValueError(f"{what} {folder!r} is not allowed: it must be one folder name under "
                         f"sweeps/ (letters, digits and . _ - = +, not starting with '.', at most "
                         f"120 characters): no absolute path, no '/' or '\\', no '..'")
    sweeps = Path(root or repo_root()).resolve() / "sweeps"
    base = sweeps / folder
    if base.parent != sweeps:  # the pattern already guarantees it; kept as the invariant
        raise ValueError(f"--name {folder!r} would write outside {sweeps}")
    return base


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _seed_refusal(notebook: Path, specs: dict, seeds: list) -> str | None:
    """Why ``seeds`` cannot be swept: the notebook declares itself seedless and a value
    differs from its default (:func:`lossfns.pipeline.notebook_meta.seedless_reason`)."""
    reason = seedless_reason(notebook)
    default = _literal(specs.get(SEED, {}).get("default", ""))
    if reason and any(v != default for v in seeds):
        return (f"{notebook.name} draws no random numbers ({reason}; its metadata.lossfns."
                f"seedless), so every seed would give the same results")
    return None


def _point_problems(notebook: Path, params: dict) -> list[str]:
    """Why ``params`` cannot run in ``notebook`` (as this process reads it)."""
    specs = parameter_specs(notebook)
    unknown = sorted(set(params) - set(specs))
    problems = ([f"unknown parameter(s) {unknown}; the notebook declares {sorted(specs)}"]
                if unknown else [])
    seedless = _seed_refusal(notebook, specs, [params[SEED]]) if SEED in params else None
    return problems + check_types(specs, params) + ([seedless] if seedless else [])


def check_grid(notebook, grid: dict, profile: str = "quick") -> dict:
    """Refuse, before any point starts, a grid that cannot run; return the notebook's
    parameter specs (:func:`lossfns.pipeline.run.parameter_specs`).

    Refused: an empty grid or a parameter without values; ``out_dir`` and ``profile`` (the
    sweep sets them: ``--root``, ``--profile``); a name the notebook does not declare; a value
    whose type its parameter's default does not declare (:func:`lossfns.pipeline.run.check_types`,
    checked for every value, hence every point); ``seed`` values other than the default of a
    notebook that declares itself seedless (:func:`lossfns.pipeline.notebook_meta.seedless_reason`).
    """
    notebook = Path(notebook)
    if profile not in PROFILES:
        raise ValueError(f"--profile must be one of {PROFILES}, got {profile!r}")
    if not grid:
        raise ValueError("the grid is empty: give at least one --grid NAME VALUE [VALUE ...]")
    for name, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"--grid {name}: needs a list of at least one value, got {values!r}")
    if "out_dir" in grid:
        raise ValueError("--grid out_dir: out_dir is set by the sweep (one folder per point); "
                         "use --root")
    if "profile" in grid:
        raise ValueError("--grid profile: the profile is set by the sweep; use --profile")
    if not notebook.is_file():
        raise NotebookError(f"notebook not found: {notebook}")
    specs = parameter_specs(notebook)
    unknown = sorted(set(grid) - set(specs))
    if unknown:
        raise NotebookError(f"{notebook.name}: unknown sweep parameter(s) {unknown} (--grid); "
                            f"it declares {sorted(specs)}")
    lacking = [p for p in REQUIRED_PARAMETERS if p not in specs]
    if lacking:
        raise NotebookError(f"{notebook.name}: parameters cell lacks {lacking}")
    bad: dict = {}  # one message per distinct (parameter, value)
    for name, values in grid.items():
        for value in values:
            bad.update(dict.fromkeys(f"--grid {name} {value!r}: {e}"
                                     for e in check_types(specs, {name: value})))
    if bad:
        raise ValueError(f"{notebook.name}: {len(bad)} grid value(s) do not fit the notebook's "
                         f"parameters; nothing ran:\n  " + "\n  ".join(bad))
    refusal = _seed_refusal(notebook, specs, grid[SEED]) if SEED in grid else None
    if refusal:
        raise ValueError(f"--grid seed: {refusal}; sweep another parameter")
    return specs


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


def partial_notebook(out_dir: Path, notebook: Path) -> Path:
    """Where a failed point keeps its partial executed notebook (when the run left one)."""
    return Path(out_dir) / f"{Path(notebook).stem}.failed.ipynb"


def _keep_partial(notebook: Path, profile: str, out_dir: Path) -> None:
    """Move the partial notebook of a failed run (``build/failed/`` under the repository or
    under the point's folder) into the point's folder, when it is this point's (its injected
    ``out_dir``). A run that failed before its kernel started leaves none."""
    for partial in dict.fromkeys([failed_notebook(notebook.stem, profile),
                                  failed_notebook(notebook.stem, profile, root=out_dir)]):
        try:
            cells = json.loads(partial.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        injected = "".join("".join(c.get("source", "")) for c in cells
                           if "injected-parameters" in c.get("metadata", {}).get("tags", []))
        if f'"{out_dir}"' in injected:  # papermill writes out_dir = "<path>"; not a prefix match
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(partial), partial_notebook(out_dir, notebook))
            return


class _Invalid(NotebookError):
    """The point would fail again as it is (status ``invalid``)."""


def _run_point(notebook: str, profile: str, params: dict, out: str, kernel: str) -> dict:
    """Execute one grid point; never raises: a failure is a row with ``status`` ``failed``
    (may succeed when run again) or ``invalid`` (would fail again as it is)."""
    out_dir, nb = Path(out), Path(notebook)
    row = {**params, "point": out_dir.name}
    partial_notebook(out_dir, nb).unlink(missing_ok=True)
    try:
        # the notebook as this worker sees it (check_grid read the client's copy)
        problems = _point_problems(nb, params)
        if problems:
            raise _Invalid(f"{nb.name}: " + "; ".join(problems))
        before = _results_files(out_dir, profile)
        execute(nb, profile, {**params, "out_dir": str(out_dir)},
                output=out_dir / nb.name, kernel=kernel, progress=False)
        after = _results_files(out_dir, profile)
        written = sorted(p for p, stamp in after.items() if before.get(p) != stamp)
        if len(written) != 1:
            raise _Invalid(f"{nb.name} wrote {len(written)} results.json files under {out_dir} "
                           f"(expected one: does it end with run.finish()?)")
        res = json.loads(written[0].read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 -- every failure becomes the point's row
        if isinstance(exc, (_Invalid, NotebookContractError)):
            return {**row, "status": INVALID, "error": str(exc).splitlines()[0]}
        if isinstance(exc, NotebookError):
            _keep_partial(nb, profile, out_dir)
            error = str(exc).splitlines()[0]
        else:
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return {**row, "status": FAILED, "error": error}
    flat = {k: v for k, v in _flatten(res.get("results", {})).items()
            if isinstance(v, (int, float, str, bool)) or v is None}
    return {**row, "status": OK, **flat}


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
    return {**params, "point": point, "status": FAILED, "error": text}


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


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _number(v) -> float | None:
    """``v`` as a finite float, else None (booleans are not numbers here)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _integer(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def is_bookkeeping(output: str) -> bool:
    """Whether a result's dotted key names bookkeeping (:data:`BOOKKEEPING`, ``n_*``)."""
    last = output.rsplit(".", 1)[-1]
    return last in BOOKKEEPING or last.startswith("n_")


@dataclass(frozen=True)
class SummaryPlot:
    """What ``summary.png`` shows (:func:`plan_summary_plot`)."""

    outputs: list = field(default_factory=list)   # one panel each, in the summary's column order
    left_out: dict = field(default_factory=dict)  # output -> why it has no panel
    x: str | None = None       # the parameter on the x axis
    lines: list = field(default_factory=list)     # varied parameters drawn as one line per value
    over_seeds: bool = False   # seed varied: mean and 95% t interval over the seeds


def plan_summary_plot(summary: pd.DataFrame, params: list[str],
                      max_panels: int = MAX_PANELS) -> SummaryPlot:
    """Choose the panels of ``summary.png`` from the rows that succeeded.

    A result gets a panel when it is a number at every point that has it, is not bookkeeping
    (:func:`is_bookkeeping`: ``.n``, ``.se``, ``.lo``, ``.hi``, ``.seed``, ``.seeds``, ``n_*``),
    varies across the points and is not just a copy of a varied parameter; the first
    ``max_panels`` such results (in column order, the order of ``results.json``) are plotted,
    the others are listed in ``left_out`` with the reason.

    Axes: when ``seed`` varies with other parameters, x is the first other varied parameter
    and every point is the mean over the seeds with its 95% t interval (one line per value of
    the remaining varied parameters); when ``seed`` is the only one, x is the seed (each
    seed's value, their mean and the mean's 95% t interval); otherwise x is the first varied
    parameter (one line per value of the others).
    """
    if max_panels < 1:
        raise ValueError(f"max_panels must be >= 1, got {max_panels}")
    ok = summary[summary["status"] == OK] if "status" in summary else summary
    key = summary[params].astype(str) if params else pd.DataFrame(index=summary.index)
    varied = [p for p in params if key[p].nunique() > 1]
    others = [p for p in varied if p != SEED]
    x = (others or varied or list(params) or [None])[0]
    lines = [p for p in others if p != x]
    chosen, left_out = [], {}
    for col in summary.columns:
        if col in params or col in META_COLUMNS:
            continue
        present = [(i, v) for i, v in ok[col].items() if not _missing(v)]
        nums = [_number(v) for _, v in present]
        if is_bookkeeping(col):
            left_out[col] = "bookkeeping"
        elif not present:
            left_out[col] = "no value"
        elif any(n is None for n in nums):
            left_out[col] = "not numeric"
        elif len(set(nums)) < 2:
            left_out[col] = "constant"
        else:
            echo = next((p for p in varied if all(_number(ok.at[i, p]) == n
                                                  for (i, _), n in zip(present, nums))), None)
            if echo is not None:
                left_out[col] = f"copy of parameter {echo}"
            else:
                chosen.append(col)
    for col in chosen[max_panels:]:
        left_out[col] = "over the panel cap"
    return SummaryPlot(chosen[:max_panels], left_out, x, lines, SEED in varied)


def seed_intervals(summary: pd.DataFrame, params: list[str], output: str) -> pd.DataFrame:
    """``output`` over the seeds of the points that succeeded: one row per combination of the
    other parameters (in grid order) with the number of seeds ``n``, the ``mean`` and its 95%
    t interval ``lo``, ``hi`` (:func:`lossfns.verdicts.mean_interval`; NaN with one seed)."""
    from ..verdicts import mean_interval

    ok = summary[summary["status"] == OK]
    others = [p for p in params if p != SEED]
    key = ok[others].astype(str)
    groups: dict = {}
    for i in ok.index:
        v = _number(ok.at[i, output])
        if v is not None:
            groups.setdefault(tuple(key.at[i, p] for p in others), (i, []))[1].append(v)
    rows = []
    for first, values in groups.values():
        est = mean_interval(values)
        rows.append({**{p: ok.at[first, p] for p in others}, "n": est.n, "mean": est.value,
                     "lo": est.lo, "hi": est.hi})
    return pd.DataFrame(rows, columns=[*others, "n", "mean", "lo", "hi"])


def _wrap(text: str, width: int = 34, max_lines: int = 3) -> str:
    """A long result name on a few lines, broken after ``.``, ``/``, ``_`` or a space."""
    out, cur = [], ""
    for part in re.split(r"(?<=[./_ ])", text):
        while len(part) > width:
            if cur:
                out.append(cur)
                cur = ""
            out, part = [*out, part[:width]], part[width:]
        if cur and len(cur) + len(part) > width:
            out.append(cur)
            cur = part
        else:
            cur += part
    out.append(cur)
    if len(out) > max_lines:
        out = [out[0] + " ...", *out[-(max_lines - 1):]]
    return "\n".join(out)


def _left_out_note(plan: SummaryPlot, max_panels: int) -> str:
    kinds: dict = {}
    for name, why in plan.left_out.items():
        kind = "copying a parameter" if why.startswith("copy of") else why
        kinds.setdefault(kind, []).append(name)
    capped = kinds.pop("over the panel cap", [])
    parts = [f"{len(v)} {k}" for k, v in kinds.items()]
    rule = ", ".join("." + b for b in BOOKKEEPING)
    note = f"not plotted: {', '.join(parts)} (bookkeeping: {rule}, n_*)" if parts else ""
    if capped:
        names = ", ".join(capped)
        names = names if len(names) <= 240 else names[:237] + "..."
        note += ("\n" if note else "") + (f"over the {max_panels}-panel cap ({len(capped)}): "
                                           f"{names}")
    return note + ("\n(all in sweep.json: plot.left_out)" if note else "")


def _x_axis(summary: pd.DataFrame, x: str | None):
    """``(position of a value, ticks, tick labels, integer)`` for the x parameter's values."""
    values = list(summary[x]) if x else []
    if values and all(_number(v) is not None for v in values):
        distinct = sorted(set(float(v) for v in values))
        integer = all(_integer(v) for v in values)
        ticks = distinct if len(distinct) <= (15 if integer else 8) else None
        labels = [f"{int(t)}" if integer else f"{t:g}" for t in ticks] if ticks else None
        return (lambda v: float(v)), ticks, labels, integer
    labels = list(dict.fromkeys(str(v) for v in values))
    return (lambda v: float(labels.index(str(v)))), list(range(len(labels))), labels, True


def plot_summary(summary: pd.DataFrame, params: list[str], path: Path, *, title: str = "",
                 max_panels: int = MAX_PANELS) -> SummaryPlot:
    """Write ``path`` (PNG, atomically): the panels :func:`plan_summary_plot` chooses.
    Failed points are left out; the title counts them. Returns the plan."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from ..verdicts import mean_interval

    plan = plan_summary_plot(summary, params, max_panels)
    ok = summary[summary["status"] == OK]
    key = summary[params].astype(str) if params else pd.DataFrame(index=summary.index)
    n = max(len(plan.outputs), 1)
    ncols = min(4, n)
    nrows = math.ceil(n / ncols)
    width = max(3.8 * ncols, 7.6)  # room for the title and the note under one panel
    fig = Figure(figsize=(width, 3.0 * nrows + 1.2), dpi=100, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    pos, ticks, labels, int_x = _x_axis(summary, plan.x)
    per_seed = plan.over_seeds and plan.x == SEED
    groups: dict = {}  # one line per combination of plan.lines, in grid order
    for i in ok.index:
        groups.setdefault(tuple(key.at[i, p] for p in plan.lines), []).append(i)
    xs = sorted({pos(v) for v in summary[plan.x]}) if plan.x else []
    gap = min((b - a for a, b in zip(xs, xs[1:])), default=1.0)
    seeds = sorted(set(ok[SEED])) if plan.over_seeds else []
    for ax, output in zip(axes, plan.outputs):
        if per_seed:
            pts = [(pos(ok.at[i, SEED]), _number(ok.at[i, output])) for i in ok.index]
            pts = [(s, v) for s, v in pts if v is not None]
            est = mean_interval([v for _, v in pts])
            ax.plot([s for s, _ in pts], [v for _, v in pts], "o", markersize=5, label="one seed")
            ax.axhline(est.value, color="C1", linewidth=1.2, label=f"mean of {est.n} seeds")
            if math.isfinite(est.lo):
                ax.axhspan(est.lo, est.hi, color="C1", alpha=0.2, linewidth=0,
                           label="95% t interval of the mean")
        over_seeds = plan.over_seeds and not per_seed
        table = seed_intervals(summary, params, output) if over_seeds else None
        for j, (combo, idx) in enumerate(groups.items() if not per_seed else []):
            label = ", ".join(f"{p}={v}" for p, v in zip(plan.lines, combo)) or None
            if table is not None:  # mean and 95% t interval over the seeds at each x
                mine = table[[all(str(table.at[r, p]) == c for p, c in zip(plan.lines, combo))
                              for r in table.index]]
                mine = mine.assign(_x=[pos(v) for v in mine[plan.x]]).sort_values("_x")
                shift = 0.06 * gap * (j - (len(groups) - 1) / 2) if len(groups) > 1 else 0.0
                yerr = [(mine["mean"] - mine["lo"]).fillna(0.0),
                        (mine["hi"] - mine["mean"]).fillna(0.0)]
                ax.errorbar(mine["_x"] + shift, mine["mean"], yerr=yerr, fmt="o-", capsize=3,
                            markersize=4, label=label)
            else:
                pts = sorted((pos(ok.at[i, plan.x]), ok.at[i, output]) for i in idx
                             if _number(ok.at[i, output]) is not None)
                ax.plot([p for p, _ in pts], [v for _, v in pts], "o-", markersize=4, label=label)
        if ticks is not None:
            ax.set_xticks(ticks, labels, rotation=30 if max(map(len, labels), default=0) > 6 else 0)
        elif int_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not plan.over_seeds and all(_integer(v) for v in ok[output] if not _missing(v)):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(_wrap(output), fontsize=8)
        ax.set_xlabel(plan.x or "", fontsize=8)
        ax.tick_params(labelsize=7)
        if ax is axes[0] and (per_seed or len(groups) > 1):
            ax.legend(fontsize=6)
    for ax in axes[len(plan.outputs):]:
        ax.set_axis_off()
    if not plan.outputs:
        axes[0].text(0.5, 0.5, f"no result varies across the {len(ok)} point(s) that succeeded"
                     if len(ok) else "no point succeeded", ha="center", va="center", fontsize=9)
    n_failed = len(summary) - len(ok)
    head = (f"{title} ({len(ok)}/{len(summary)} points ok"
            f"{f', {n_failed} failed' if n_failed else ''})").strip()
    if per_seed:
        head += "\neach seed's value, their mean and the 95% t interval of the mean"
    elif plan.over_seeds and seeds:
        head += (f"\nmean and 95% t interval over seeds {', '.join(map(str, seeds))} at each "
                 f"{plan.x}{' (failed points left out)' if n_failed else ''}")
    fig.suptitle("\n".join(textwrap.fill(line, int(width * 12)) for line in head.splitlines()),
                 fontsize=10)
    note = _left_out_note(plan, max_panels)
    if note:
        fig.supxlabel("\n".join(textwrap.fill(line, int(width * 17))
                                for line in note.splitlines()), fontsize=7)
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png")
    return plan


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
    ``summary.png`` and ``sweep.json`` in ``<root>/sweeps/<name>/`` (:func:`sweep_dir`).

    Nothing runs, and nothing is written, when ``name`` is not one folder name
    (:func:`sweep_dir`) or the grid cannot run (:func:`check_grid`): ValueError or
    NotebookError saying which option and value.
    """
    notebook = Path(notebook).resolve()
    base = sweep_dir(notebook, name, root)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"--jobs must be an integer >= 1, got {jobs!r}")
    check_grid(notebook, grid, profile)
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
    plan = plan_summary_plot(summary, list(grid))
    with atomic_write(base / SWEEP_JSON) as fh:
        json.dump({"notebook": notebook.name, "notebook_sha256": _sha256(notebook),
                   "profile": profile, "grid": grid, "rows": rows, "plot": asdict(plan)},
                  fh, indent=1, default=str)
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
    ap.add_argument("--name", help="one folder name under sweeps/: letters, digits and . _ - = + "
                                   "(default: the notebook name)")
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
        if name in grid:
            ap.error(f"--grid {name} is given twice; list all its values after one --grid {name}")
        grid[name] = [parse_value(v) for v in values]
    try:
        summary = sweep(args.notebook, grid, profile=args.profile, name=args.name, jobs=args.jobs,
                        scheduler=args.scheduler, kernel=args.kernel, root=args.root,
                        retry_failed=args.retry_failed, connect_timeout=args.connect_timeout,
                        quiet=not sys.stderr.isatty())
    except (NotebookError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    notebook = args.notebook.resolve()
    base = sweep_dir(notebook, args.name, args.root)
    print(summary.drop(columns=["error"]).to_string(index=False, max_cols=12))
    print(f"summary: {base / SUMMARY_CSV} (plot: {SUMMARY_PNG})")
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        capped = [k for k, why in json.loads((base / SWEEP_JSON).read_text(encoding="utf-8"))
                  ["plot"]["left_out"].items() if why == "over the panel cap"]
        if capped:
            print(f"note: {SUMMARY_PNG} shows the first {MAX_PANELS} results that vary; not "
                  f"plotted: {', '.join(capped)}")
    failed = summary[summary.status != OK]
    if len(failed):
        _report_failures(failed, len(summary), base, notebook, argv)
        return 1
    return 0


def _report_failures(failed: pd.DataFrame, total: int, base: Path, notebook: Path,
                     argv: list[str]) -> None:
    """List the failed points; name only partial notebooks that exist, and suggest
    ``--retry-failed`` only when a point may succeed when run again."""
    print(f"\n{len(failed)} of {total} point(s) failed:", file=sys.stderr)
    for _, r in failed.iterrows():
        print(f"  {r['point']}: {r['error']}", file=sys.stderr)
    partials = [p for p in (partial_notebook(base / r, notebook) for r in failed["point"])
                if p.is_file()]
    if partials:
        print("partial notebooks:\n" + "".join(f"  {p}\n" for p in partials), end="",
              file=sys.stderr)
    invalid = list(failed.loc[failed.status == INVALID, "point"])
    if invalid:
        print(f"{len(invalid)} point(s) would fail the same way again (their parameters do not "
              f"fit the notebook, or the notebook breaks the run contract): fix the grid or the "
              f"notebook: {', '.join(invalid)}", file=sys.stderr)
    if (failed.status != INVALID).any():
        retry = argv if "--retry-failed" in argv else [*argv, "--retry-failed"]
        print(f"re-run only the failed points: python -m lossfns.sweep {shlex.join(retry)}",
              file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
