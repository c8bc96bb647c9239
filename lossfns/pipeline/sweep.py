"""Run one notebook over a parameter grid with papermill, then gather the results.

    python -m lossfns.sweep notebooks/000-3_xtreme_margin_loss.ipynb \
        --grid seed 0 1 2 --grid n_points 101 201 --jobs 2 --name xm-grid
    python -m lossfns.sweep NOTEBOOK --grid seed 0 1 --scheduler tcp://host:8786   # Dask cluster

Each grid point runs in its own ``out_dir`` (``sweeps/<name>/<point>/``, holding
the executed notebook, figures and results), locally in parallel processes by
default or on an existing Dask scheduler (``pip install distributed``). The
scalar entries of every run's ``results.json`` are gathered into
``sweeps/<name>/summary.csv`` (one row per grid point); a failed point is
reported with its error and the others still run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from .._progress import progress
from .artifacts import atomic_write
from .paths import repo_root, results_dir
from .run import KERNEL, NotebookError, declared_parameters, execute, parse_value


def grid_points(grid: dict) -> list[dict]:
    """Cartesian product of ``{name: [values]}`` as a list of parameter dicts."""
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def point_name(params: dict) -> str:
    text = "_".join(f"{k}={v}" for k, v in params.items())
    return re.sub(r"[^A-Za-z0-9=._-]+", "-", text)[:120]


def _run_point(notebook: str, profile: str, params: dict, out: str, kernel: str) -> dict:
    out_dir = Path(out)
    try:
        execute(notebook, profile, {**params, "out_dir": str(out_dir)},
                output=out_dir / Path(notebook).name, kernel=kernel, progress=False)
    except NotebookError as exc:
        return {**params, "status": "failed", "error": str(exc).splitlines()[0]}
    res = json.loads(next(results_dir(profile, root=out_dir).glob("*/results.json")).read_text())
    flat = {k: v for k, v in _flatten(res.get("results", {})).items()
            if isinstance(v, (int, float, str, bool)) or v is None}
    return {**params, "status": "ok", **flat}


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def sweep(notebook, grid: dict, *, profile: str = "quick", name: str | None = None,
          jobs: int = 2, scheduler: str | None = None, kernel: str = KERNEL,
          root: Path | None = None) -> pd.DataFrame:
    """Execute ``notebook`` at every point of ``grid``; return (and save) the summary table."""
    notebook = Path(notebook).resolve()
    declared = declared_parameters(notebook)
    unknown = sorted(set(grid) - set(declared))
    if unknown:
        raise NotebookError(f"{notebook.name}: unknown sweep parameter(s) {unknown}; it declares {sorted(declared)}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    base = (root or repo_root()) / "sweeps" / (name or notebook.stem)
    points = grid_points(grid)
    args = [(str(notebook), profile, p, str(base / point_name(p)), kernel) for p in points]
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise RuntimeError("--scheduler needs the 'distributed' package (pip install distributed)") from exc
        with Client(scheduler) as client:
            futures = [client.submit(_run_point, *a, pure=False) for a in args]
            rows = [f.result() for f in progress(futures, desc="sweep", unit="run")]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            rows = list(progress(pool.map(_run_point, *zip(*args)), total=len(args), desc="sweep", unit="run"))
    summary = pd.DataFrame(rows)
    with atomic_write(base / "summary.csv") as fh:
        summary.to_csv(fh, index=False)
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.sweep", description=__doc__.split("\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--grid", nargs="+", action="append", required=True, metavar=("NAME", "VALUE"),
                    help="a parameter and its values (Python literals), repeatable")
    ap.add_argument("--profile", choices=("quick", "full"), default="quick")
    ap.add_argument("--name", help="folder under sweeps/ (default: the notebook name)")
    ap.add_argument("--jobs", type=int, default=2, help="local parallel runs (default 2)")
    ap.add_argument("--scheduler", help="address of an existing Dask scheduler")
    args = ap.parse_args(argv)
    grid = {}
    for name, *values in args.grid:
        if not values:
            ap.error(f"--grid {name} needs at least one value")
        grid[name] = [parse_value(v) for v in values]
    try:
        summary = sweep(args.notebook, grid, profile=args.profile, name=args.name, jobs=args.jobs,
                        scheduler=args.scheduler)
    except (NotebookError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}")
        return 1
    failed = summary[summary.status != "ok"]
    print(summary.to_string(index=False, max_cols=12))
    return 1 if len(failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
