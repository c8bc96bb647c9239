"""Execute notebooks with papermill: strict parameters, atomic outputs, clear failures.

Command line (what ``make quick`` / ``make reproduce`` call)::

    python -m lossfns.run execute notebooks/000-3_xtreme_margin_loss.ipynb --profile quick
    python -m lossfns.run execute NOTEBOOK --profile full -p seed 1 -p lambdas "[1, 10]"
    python -m lossfns.run stale --profile quick      # forget runs whose artefacts were deleted
    python -m lossfns.run deps                       # Make dependencies on data files
    python -m lossfns.run params NOTEBOOK            # the parameters a notebook declares

``quick`` runs write the executed notebook back in place (the committed
notebooks carry their quick-profile outputs, which nbval re-checks); ``full``
runs write ``reports/notebooks/full/<name>.ipynb``. The executed notebook is
written to a temporary file and renamed into place only when every cell
succeeded; a failing run exits non-zero naming the notebook and the failing
cell and keeps the partial notebook under ``build/failed/`` for debugging.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .paths import executed_notebook, failed_notebook, repo_root, results_dir
from .profiles import PROFILES, REQUIRED_PARAMETERS

KERNEL = "lossfns"
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
              "PYTHONWARNINGS": "ignore::DeprecationWarning"}


class NotebookError(RuntimeError):
    """A notebook could not be executed; the message says where and why."""


def declared_parameters(path: Path) -> dict:
    """Names and default values of the notebook's ``parameters`` cell."""
    import papermill as pm
    params = pm.inspect_notebook(str(path))
    if not params:
        raise NotebookError(f"{path}: no cell tagged 'parameters'")
    return {k: v.get("default") for k, v in params.items()}


def parse_value(text: str):
    """``-p`` values: Python literals (numbers, lists, None, True) else strings."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def output_path(notebook: Path, profile: str) -> Path:
    if profile == "quick":
        return notebook
    return executed_notebook(notebook.stem, profile)


def manifest_path(notebook: Path, profile: str, out_dir: Path | None = None) -> Path:
    return results_dir(profile, notebook.stem, out_dir) / "manifest.json"


def _strip_volatile(nb_path: Path) -> None:
    """Drop papermill's per-cell timings so re-runs do not churn git diffs."""
    nb = json.loads(nb_path.read_text())
    nb.get("metadata", {}).get("papermill", {}).update(
        {"start_time": None, "end_time": None, "duration": None, "input_path": None,
         "output_path": None})
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id each run
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _failed_cell(exc) -> str:
    count = getattr(exc, "exec_count", None)
    cell = getattr(exc, "cell_index", None)
    where = f"cell {cell}" if cell is not None else "a cell"
    if count is not None:
        where += f" (execution count {count})"
    return f"{where}: {getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"


def execute(notebook, profile: str = "quick", parameters: dict | None = None,
            output: Path | None = None, kernel: str = KERNEL, progress: bool = True) -> Path:
    """Run ``notebook`` through papermill; return the executed notebook's path."""
    import papermill as pm

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise NotebookError(f"notebook not found: {notebook}")
    if profile not in PROFILES:
        raise NotebookError(f"profile must be one of {PROFILES}, got {profile!r}")
    params = {"profile": profile, **(parameters or {})}
    declared = declared_parameters(notebook)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise NotebookError(f"{notebook.name}: unknown parameter(s) {unknown}; "
                            f"it declares {sorted(declared)}")
    lacking = [p for p in REQUIRED_PARAMETERS if p not in declared]
    if lacking:
        raise NotebookError(f"{notebook.name}: parameters cell lacks {lacking}")
    output = Path(output) if output else output_path(notebook, profile)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    os.environ.update(KERNEL_ENV)
    try:
        pm.execute_notebook(str(notebook), tmp, parameters=params, kernel_name=kernel,
                            cwd=str(notebook.parent), progress_bar=progress, log_output=False)
    except BaseException as exc:
        failed = failed_notebook(notebook.stem, profile)
        failed.parent.mkdir(parents=True, exist_ok=True)
        if Path(tmp).exists():
            shutil.move(tmp, failed)
        if isinstance(exc, pm.PapermillExecutionError):
            raise NotebookError(f"{notebook.name} ({profile}) failed in {_failed_cell(exc)}\n"
                                f"partial executed notebook kept at {failed}") from None
        raise
    _strip_volatile(Path(tmp))
    os.replace(tmp, output)
    manifest = manifest_path(notebook, profile)
    if manifest.exists():  # newer than the notebook it came from: Make is satisfied
        os.utime(manifest)
    return output


def stale(profile: str, root: Path | None = None) -> list[Path]:
    """Delete manifests that list an artefact which no longer exists."""
    root = root or repo_root()
    removed = []
    for manifest in sorted(results_dir(profile, root=root).glob("*/manifest.json")):
        listed = json.loads(manifest.read_text()).get("artefacts", [])
        if any(not (root / a).exists() for a in listed):
            manifest.unlink()
            removed.append(manifest)
    return removed


def data_deps(root: Path | None = None) -> str:
    """Make rules: each notebook's manifest depends on the data files it names
    in its metadata (``metadata.lossfns.data``, paths relative to the repo)."""
    root = root or repo_root()
    lines = []
    for nb_path in sorted((root / "notebooks").glob("*.ipynb")):
        meta = json.loads(nb_path.read_text()).get("metadata", {}).get("lossfns", {})
        files = " ".join(meta.get("data", []))
        for profile in PROFILES:
            lines.append(f"{results_dir(profile, nb_path.stem, Path())}/manifest.json: {files}".rstrip())
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.run", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("execute", help="execute one notebook with papermill")
    ex.add_argument("notebook", type=Path)
    ex.add_argument("--profile", choices=PROFILES, default="quick")
    ex.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="notebook parameter (Python literal or string)")
    ex.add_argument("--output", type=Path, help="executed notebook path (default: see module doc)")
    ex.add_argument("--kernel", default=KERNEL)
    ex.add_argument("--no-progress", action="store_true")
    st = sub.add_parser("stale", help="remove manifests whose artefacts are missing")
    st.add_argument("--profile", choices=PROFILES, required=True)
    sub.add_parser("deps", help="print Make rules on data files")
    pa = sub.add_parser("params", help="print a notebook's declared parameters")
    pa.add_argument("notebook", type=Path)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "execute":
            params = {k: parse_value(v) for k, v in args.parameter}
            out = execute(args.notebook, args.profile, params, args.output, args.kernel,
                          progress=not args.no_progress and sys.stderr.isatty())
            print(f"executed {args.notebook} ({args.profile}) -> {out}")
        elif args.cmd == "stale":
            for m in stale(args.profile):
                print(f"artefact missing: will re-run {m.parent.name}")
        elif args.cmd == "deps":
            deps = data_deps()
            sys.stdout.write(deps)
        elif args.cmd == "params":
            print(json.dumps(declared_parameters(args.notebook), indent=2))
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
