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

Parameters are checked before the kernel starts: an unknown name, or a value
whose type differs from the one its default declares (:func:`check_types`), is
refused. An interrupted run (Ctrl-C, SIGTERM, SIGHUP) removes its temporary
notebook and exits with 128 + the signal number. Kernels talk to us over
CurveZMQ-encrypted sockets (so ipykernel has no plain-TCP warning to print) and
with TensorFlow's C++ logging off (:data:`KERNEL_ENV`).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import numbers
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .paths import executed_notebook, failed_notebook, repo_root, results_dir, stamp
from .profiles import PROFILES, REQUIRED_PARAMETERS

KERNEL = "lossfns"
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
              "PYTHONWARNINGS": "ignore::DeprecationWarning"}
#: Kernel command-line arguments. jupyter_client interrupts a kernel before shutting it down:
#: when that SIGINT lands inside a message handler ipykernel logs "KeyboardInterrupt caught in
#: kernel." on our stderr although nothing was running, and when a run is stopped mid-cell the
#: reply to the interrupted cell meets the sockets the shutdown already closed (a ZMQError
#: ENOTSOCK traceback). This line, run in the kernel at start-up (not stored in its history,
#: no name left in the namespace), filters exactly those two records out of the kernel's log.
KERNEL_ARGS = ['--IPKernelApp.exec_lines=__import__("logging").getLogger("IPKernelApp").addFilter('
               'lambda r: not ("KeyboardInterrupt caught in kernel" in r.getMessage() or getattr('
               'r.exc_info and r.exc_info[1], "errno", None) == __import__("errno").ENOTSOCK))']
SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


class NotebookError(RuntimeError):
    """A notebook could not be executed; the message says where and why."""


class NotebookInterrupted(NotebookError):
    """A run stopped by a signal; ``exit_code`` is 128 + the signal number."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


class _Signalled(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM/SIGHUP (and SIGINT) during a run."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def parameter_specs(path: Path) -> dict:
    """The notebook's ``parameters`` cell as papermill reads it:
    ``{name: {"default": source text, "help": comment, "inferred_type_name": ...}}``."""
    import papermill as pm
    params = pm.inspect_notebook(str(path))
    if not params:
        raise NotebookError(f"{path}: no cell tagged 'parameters'")
    return params


def declared_parameters(path: Path) -> dict:
    """Names and default values (source text) of the notebook's ``parameters`` cell."""
    return {k: v.get("default") for k, v in parameter_specs(path).items()}


_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
          "tuple": tuple}
# "None: 201 (quick) or 2001 (full)": the literal a None default stands for.
_NONE_MEANS = re.compile(r"\bNone:\s*(\[[^\]]*\]|\"[^\"]*\"|'[^']*'|[-+]?(?:\d+\.\d*|\.\d+|\d+)"
                         r"(?:[eE][-+]?\d+)?(?![\w.]))")


def declared_type(default: str, help: str = "", annotation: str = "None") -> tuple[type | None, bool]:
    """``(type, none_allowed)`` that a parameter's default declares; ``type`` None: anything.

    The type of the default's literal value (``0`` -> int, ``[1.0]`` -> list), or the
    annotation (``n: int | None = None``). A ``None`` default accepts anything, unless its
    comment says what it stands for (``n = None  # None: 201 (quick) or 2001 (full)``): then
    that literal's type, or None. A default whose comment mentions None (``b = 1  # None:
    skip``) also accepts None. A default that is an expression is not checked.

    >>> declared_type("0"), declared_type("[1.0, 2.0]"), declared_type("None", "the repo root")
    ((<class 'int'>, False), (<class 'list'>, False), (None, True))
    >>> declared_type("None", "grid size; None: 201 (quick) or 2001 (full)")
    (<class 'int'>, True)
    """
    ann = re.fullmatch(r"\s*(?:Optional\[\s*(\w+)\s*\]|(\w+)\s*(\|\s*None)?)\s*", annotation or "")
    if ann and (ann.group(1) or ann.group(2)) in _TYPES:
        return _TYPES[ann.group(1) or ann.group(2)], bool(ann.group(1) or ann.group(3)) or default == "None"
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None, True
    if value is not None:  # a comment that says what None means ("None: skip") allows None
        return type(value), bool(re.search(r"\bNone\b", help or ""))
    match = _NONE_MEANS.search(help or "")
    if match:
        with contextlib.suppress(ValueError, SyntaxError):
            meant = ast.literal_eval(match.group(1))
            if meant is not None:
                return type(meant), True
    return None, True


def accepts(kind: type | None, value) -> bool:
    """Whether ``value`` fits ``kind``: an int default takes ints, a float default ints or
    floats (bools are neither), other types themselves; ``None`` takes anything."""
    if kind is None:
        return True
    if kind is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is int:
        return isinstance(value, numbers.Integral)
    if kind is float:
        return isinstance(value, numbers.Real)
    return isinstance(value, kind)


def _type_name(kind: type) -> str:
    return "float (or int)" if kind is float else kind.__name__


def check_types(specs: dict, values: dict) -> list[str]:
    """One message per value of ``values`` whose type its parameter's default does not declare
    (``specs`` as from :func:`parameter_specs`; names not in ``specs`` are ignored)."""
    errors = []
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            continue
        default, help_ = spec.get("default", ""), spec.get("help", "")
        kind, none_ok = declared_type(default, help_, spec.get("inferred_type_name", "None"))
        if (value is None and none_ok) or accepts(kind, value):
            continue
        meant = _NONE_MEANS.search(help_ or "") if default == "None" else None
        why = (f"its default None stands for {help_[meant.start(1):].strip()}" if meant
               else f"its default is {default}")
        errors.append(f"parameter {name!r} must be {_type_name(kind)}{' or None' if none_ok else ''} "
                      f"({why}), got {type(value).__name__} {value!r}")
    return errors


def check_parameter_cell_types(source: str, values: dict) -> None:
    """Raise TypeError when ``values`` do not fit the types the ``parameters`` cell
    ``source`` declares (what :func:`lossfns.pipeline.artifacts.start_run` calls in the kernel)."""
    import nbformat
    from papermill.translators import PythonTranslator
    specs = {p.name: p._asdict() for p in PythonTranslator.inspect(nbformat.v4.new_code_cell(source))}
    errors = check_types(specs, values)
    if errors:
        raise TypeError("; ".join(errors))


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


@contextlib.contextmanager
def _interruptible():
    """Turn SIGTERM/SIGHUP (and SIGINT) into :class:`_Signalled` in the main thread, once:
    a second signal during the clean-up is ignored so that the clean-up completes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = []

    def handler(signum, frame):
        if not fired:
            fired.append(signum)
            raise _Signalled(signum)

    previous = {}
    try:
        for sig in SIGNALS:
            with contextlib.suppress(OSError, ValueError):
                previous[sig] = signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _umask() -> int:
    """The process's umask (read from /proc on Linux, else set and restored)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _kernel_args(kernel: str) -> list[str]:
    """:data:`KERNEL_ARGS` for an IPython kernel (``ipykernel`` in its kernelspec), else none."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        argv = KernelSpecManager().get_kernel_spec(kernel).argv
    except NoSuchKernel:  # papermill says so, in its words
        return []
    return list(KERNEL_ARGS) if any("ipykernel" in a for a in argv) else []


def _kernel_config():
    """Encrypted kernel sockets when zmq and the kernelspec support CurveZMQ ("auto")."""
    import zmq
    from traitlets.config import Config
    return Config({"KernelManager": {"transport_encryption": "auto"}}) if zmq.has("curve") else Config()


def execute(notebook, profile: str = "quick", parameters: dict | None = None,
            output: Path | None = None, kernel: str = KERNEL, progress: bool = True) -> Path:
    """Run ``notebook`` through papermill; return the executed notebook's path.

    Raises :class:`NotebookError` for a bad parameter (before any kernel starts) or a failing
    cell, :class:`NotebookInterrupted` when a signal stopped the run (its temporary notebook
    is removed; ``output`` keeps its previous content).
    """
    import papermill as pm

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise NotebookError(f"notebook not found: {notebook}")
    if profile not in PROFILES:
        raise NotebookError(f"profile must be one of {PROFILES}, got {profile!r}")
    params = {"profile": profile, **(parameters or {})}
    specs = parameter_specs(notebook)
    unknown = sorted(set(params) - set(specs))
    if unknown:
        raise NotebookError(f"{notebook.name}: unknown parameter(s) {unknown}; "
                            f"it declares {sorted(specs)}")
    lacking = [p for p in REQUIRED_PARAMETERS if p not in specs]
    if lacking:
        raise NotebookError(f"{notebook.name}: parameters cell lacks {lacking}")
    mistyped = check_types(specs, params)
    if mistyped:
        raise NotebookError(f"{notebook.name}: " + "; ".join(mistyped))
    output = Path(output) if output else output_path(notebook, profile)
    output.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(KERNEL_ENV)
    tmp = None
    with _interruptible():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
            os.close(fd)
            pm.execute_notebook(str(notebook), tmp, parameters=params, kernel_name=kernel,
                                cwd=str(notebook.parent), progress_bar=progress, log_output=False,
                                config=_kernel_config(), extra_arguments=_kernel_args(kernel))
            _strip_volatile(Path(tmp))
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it private (0600)
            os.replace(tmp, output)
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt) or (
                isinstance(exc, pm.PapermillExecutionError) and exc.ename == "KeyboardInterrupt")
            if interrupted:
                if tmp is not None:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(tmp)
                signum = getattr(exc, "signum", signal.SIGINT)
                raise NotebookInterrupted(
                    f"{notebook.name} ({profile}) interrupted by {signal.Signals(signum).name}; "
                    f"its temporary notebook was removed and {output} was left as it was",
                    signum) from None
            failed = failed_notebook(notebook.stem, profile)
            failed.parent.mkdir(parents=True, exist_ok=True)
            if tmp is not None and Path(tmp).exists():
                shutil.move(tmp, failed)
            if isinstance(exc, pm.PapermillExecutionError):
                raise NotebookError(f"{notebook.name} ({profile}) failed in {_failed_cell(exc)}\n"
                                    f"partial executed notebook kept at {failed}") from None
            raise
    manifest = manifest_path(notebook, profile)
    if manifest.exists():  # newer than the notebook it came from: Make is satisfied
        os.utime(manifest)
    return output


def stale(profile: str, root: Path | None = None) -> list[Path]:
    """Forget the runs one of whose artefacts no longer exists: remove their stamp (and their
    manifest) so that ``make`` re-runs exactly those notebooks. Returns the removed stamps."""
    root = root or repo_root()
    removed = []
    for manifest in sorted(results_dir(profile, root=root).glob("*/manifest.json")):
        listed = json.loads(manifest.read_text()).get("artefacts", [])
        if any(not (root / a).exists() for a in listed):
            mark = stamp(profile, manifest.parent.name, root)
            mark.unlink(missing_ok=True)
            manifest.unlink()
            removed.append(mark)
    return removed


def data_deps(root: Path | None = None) -> str:
    """Make rules: each notebook's stamp depends on the ``lossfns`` modules it imports,
    transitively (:func:`lossfns.pipeline.freshness.notebook_sources`), and on the data files
    it names in its metadata (``metadata.lossfns.data``, paths relative to the repo)."""
    from .freshness import notebook_sources
    root = root or repo_root()
    lines = []
    for nb_path in sorted((root / "notebooks").glob("[!.]*.ipynb")):
        meta = json.loads(nb_path.read_text()).get("metadata", {}).get("lossfns", {})
        sources = [p.relative_to(root).as_posix() for p in notebook_sources(nb_path, root)]
        files = " ".join([*sources, *meta.get("data", [])])
        for profile in PROFILES:
            lines.append(f"{stamp(profile, nb_path.stem, Path()).as_posix()}: {files}".rstrip())
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
    except NotebookInterrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
