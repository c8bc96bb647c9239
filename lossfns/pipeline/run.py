"""Execute notebooks with papermill: strict parameters, atomic outputs, clear failures.

Command line (what ``make quick`` / ``make reproduce`` call)::

    python -m lossfns.run execute notebooks/000-3_xtreme_margin_loss.ipynb --profile quick
    python -m lossfns.run execute NOTEBOOK --profile full -p seed 1 -p lambdas "[1, 10]"
    python -m lossfns.run stale --profile quick      # forget runs whose artefacts were deleted
    python -m lossfns.run deps                       # Make dependencies on data files
    python -m lossfns.run params NOTEBOOK            # the parameters a notebook declares
    python -m lossfns.run verify [--profile full]    # every artefact set whole and unchanged?

A ``quick`` run with the notebook's defaults writes the executed notebook back in place (the
committed notebooks carry their quick-profile outputs, which nbval re-checks); a quick run
with ``-p`` overrides or another ``out_dir`` writes ``<out_dir>/build/notebooks/quick/`` and
never touches ``notebooks/``; ``full`` runs write ``<out_dir>/reports/notebooks/full/<name>.ipynb``.
Executed notebooks are written in a canonical form
(:func:`lossfns.pipeline.integrity.canonical_notebook`), so an unchanged re-run leaves the same
bytes.

All or nothing (:mod:`lossfns.pipeline.integrity`): the run holds the notebook's lock (a
second run of the same notebook and profile into the same output is refused, naming the
holder), the kernel writes every artefact into a staging folder stamped with one run id, and
the whole set, executed notebook included, is swapped into place only when every cell
succeeded. A failing run exits non-zero naming the notebook and the failing cell, keeps the
partial notebook under ``build/failed/`` and leaves the previous set as it was.

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
import threading
from pathlib import Path

from . import integrity
from .notebook_meta import seedless_reason
from .paths import NotACheckoutError, executed_notebook, failed_notebook, repo_root, results_dir, stamp
from .profiles import PROFILES, REQUIRED_PARAMETERS

KERNEL = "lossfns"
#: ``MKL_CBWR``/``ATEN_CPU_CAPABILITY``: one floating-point path on every x86 CPU with AVX2
#: (MKL's conditional numerical reproducibility mode, ATen's AVX2 kernels), so that the committed
#: outputs do not depend on whether the machine has AVX-512 (without them, trained numbers
#: differ in the 3rd-4th decimal between such machines).
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
              "PYTHONWARNINGS": "ignore::DeprecationWarning",
              "MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
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


class NotebookContractError(NotebookError):
    """The notebook ran but broke the suite's contract (e.g. wrote no manifest): running it
    again as it is would fail the same way."""


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


def output_path(notebook: Path, profile: str, overridden: bool = False,
                out_dir: Path | None = None) -> Path:
    """Where the executed notebook goes by default: in place for a quick run with the
    notebook's defaults into the repository (``overridden`` False, no ``out_dir``), else
    ``<out_dir>/build/notebooks/quick/`` (quick) or ``<out_dir>/reports/notebooks/<profile>/``."""
    if profile == "quick":
        if not overridden and out_dir is None:
            return notebook
        return (out_dir or repo_root()) / "build" / "notebooks" / "quick" / notebook.name
    return executed_notebook(notebook.stem, profile, out_dir)


def manifest_path(notebook: Path, profile: str, out_dir: Path | None = None) -> Path:
    return results_dir(profile, notebook.stem, out_dir) / "manifest.json"


def _failed_cell(exc) -> str:
    count = getattr(exc, "exec_count", None)
    cell = getattr(exc, "cell_index", None)
    where = f"cell {cell}" if cell is not None else "a cell"
    if count is not None:
        where += f" (execution count {count})"
    return f"{where}: {getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"


#: While set (during the swap of an artefact set), a signal is recorded, not raised: the swap
#: completes and the run then stops as interrupted (a SIGKILL still can stop it half-way: then
#: the journal lets the next run roll it forward).
_HOLD: list = []


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT/SIGTERM/SIGHUP back during the block; raise :class:`_Signalled` after it
    when one came."""
    _HOLD.append([])
    try:
        yield
    finally:
        pending = _HOLD.pop()
    if pending:
        raise _Signalled(pending[0])


@contextlib.contextmanager
def _interruptible():
    """Turn SIGTERM/SIGHUP (and SIGINT) into :class:`_Signalled` in the main thread, once:
    a second signal during the clean-up is ignored so that the clean-up completes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = []

    def handler(signum, frame):
        if _HOLD:
            _HOLD[-1].append(signum)
            return
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


def check_request(notebook: Path, profile: str, parameters: dict | None) -> dict:
    """The parameters of a run of ``notebook`` in ``profile``, checked before any kernel
    starts: names, types, a ``profile`` parameter that contradicts ``profile``, a ``seed`` on
    a notebook that declares no randomness. Raises :class:`NotebookError`."""
    if profile not in PROFILES:
        raise NotebookError(f"profile must be one of {PROFILES}, got {profile!r}")
    parameters = dict(parameters or {})
    if "profile" in parameters and parameters["profile"] != profile:
        raise NotebookError(f"{notebook.name}: parameter profile={parameters['profile']!r} contradicts "
                            f"--profile {profile}; choose the profile with --profile only")
    params = {**parameters, "profile": profile}
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
    reason = seedless_reason(notebook)
    if reason and "seed" in parameters:
        default = parse_value(specs["seed"].get("default", ""))
        if parameters["seed"] != default:
            raise NotebookError(f"{notebook.name} draws no random numbers ({reason}): its seed "
                                f"changes nothing, so seed={parameters['seed']!r} is refused")
    return params


def execute(notebook, profile: str = "quick", parameters: dict | None = None,
            output: Path | None = None, kernel: str = KERNEL, progress: bool = True) -> Path:
    """Run ``notebook`` through papermill, all or nothing; return the executed notebook's path.

    Raises :class:`NotebookError` for a bad parameter (before any kernel starts) or a failing
    cell, :class:`NotebookInterrupted` when a signal stopped the run, and
    :class:`lossfns.pipeline.integrity.RunLocked` when another run of this notebook and profile
    into the same output is alive. In every failing case the previous artefact set and
    executed notebook are left exactly as they were.
    """
    repo_root()  # NotACheckoutError from an installed wheel, before anything is written
    import papermill as pm

    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise NotebookError(f"notebook not found: {notebook}")
    params = check_request(notebook, profile, parameters)
    out_arg = params.get("out_dir")
    out_dir = Path(out_arg).resolve() if out_arg else None
    overridden = bool(set(params) - {"profile"})
    output = Path(output).resolve() if output else output_path(notebook, profile, overridden, out_dir)
    root = out_dir or repo_root()
    output.parent.mkdir(parents=True, exist_ok=True)
    with integrity.run_lock(root, profile, notebook.stem), _interruptible():
        for line in integrity.recover(root, profile, notebook.stem):
            print(f"{notebook.stem}: {line}", file=sys.stderr)
        stage = integrity.Stage(root, profile, notebook.stem, integrity.new_run_id()).create()
        staged_nb = stage.dir / "executed.ipynb"
        saved_env = {k: os.environ.get(k) for k in (*KERNEL_ENV, integrity.ENV_STAGE, integrity.ENV_RUN_ID)}
        os.environ.update({**KERNEL_ENV, integrity.ENV_STAGE: str(stage.tree),
                           integrity.ENV_RUN_ID: stage.run_id})
        committed = False
        try:
            pm.execute_notebook(str(notebook), str(staged_nb), parameters=params, kernel_name=kernel,
                                cwd=str(notebook.parent), progress_bar=progress, log_output=False,
                                config=_kernel_config(), extra_arguments=_kernel_args(kernel))
            integrity.write_canonical_notebook(staged_nb)
            os.chmod(staged_nb, 0o666 & ~_umask())
            manifest = results_dir(profile, notebook.stem, stage.tree) / "manifest.json"
            if not manifest.exists():
                raise NotebookContractError(f"{notebook.name} ({profile}) ran but wrote no manifest "
                                    f"(its last cell must call run.finish()); nothing was replaced")
            _bind_notebook(manifest, staged_nb, output, root, in_place=output == notebook)
            with _signals_held():
                stage.commit(extra=[(staged_nb, output)])
                committed = True
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt) or (
                isinstance(exc, pm.PapermillExecutionError) and exc.ename == "KeyboardInterrupt")
            if interrupted:
                stage.discard()
                signum = getattr(exc, "signum", signal.SIGINT)
                what = ("it had finished: its artefacts are in place" if committed else
                        "its staged artefacts were discarded and the previous ones left as they were")
                raise NotebookInterrupted(
                    f"{notebook.name} ({profile}) interrupted by {signal.Signals(signum).name}; {what}",
                    signum) from None
            failed = failed_notebook(notebook.stem, profile)
            if staged_nb.exists():
                failed.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staged_nb, failed)
            stage.discard()
            if isinstance(exc, pm.PapermillExecutionError):
                raise NotebookError(f"{notebook.name} ({profile}) failed in {_failed_cell(exc)}\n"
                                    f"partial executed notebook kept at {failed}; the previous "
                                    f"artefacts were left as they were") from None
            raise
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    manifest = results_dir(profile, notebook.stem, root) / "manifest.json"
    if manifest.exists():  # newer than the notebook it came from: Make is satisfied
        os.utime(manifest)
    return output


def _bind_notebook(manifest: Path, staged_nb: Path, output: Path, root: Path, in_place: bool) -> None:
    """Add the executed notebook (path and SHA-256) to the staged manifest. A notebook run in
    place is also the source that people edit: its checksum is kept, not checked."""
    data = json.loads(manifest.read_text())
    try:
        path = output.relative_to(root).as_posix()
    except ValueError:
        path = str(output)
    data["executed_notebook"] = {"path": path, "sha256": integrity.sha256(staged_nb),
                                 "checked": not in_place}
    # the layout of artifacts.dumps (sorted keys, indent 2), written then renamed
    tmp = manifest.with_name(f".{manifest.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, manifest)


def stale(profile: str, root: Path | None = None) -> list[Path]:
    """Forget the runs one of whose artefacts no longer exists, or whose set fails
    :func:`lossfns.pipeline.integrity.verify` (after interrupted runs were finished or
    discarded): remove their stamp (and, for a missing artefact, their manifest) so that
    ``make`` re-runs exactly those notebooks. Returns the removed stamps."""
    root = root or repo_root()
    removed = []
    for row in integrity.verify(root, (profile,)):  # finish or discard interrupted runs first
        for line in row["repaired"]:
            print(f"{row['notebook']}: {line}", file=sys.stderr)
        if row["status"] == "bad":  # a mixed or altered set: run it again
            print(f"{row['notebook']}: artefact set fails verify ({'; '.join(row['problems'][:3])})",
                  file=sys.stderr)
            mark = stamp(profile, row["notebook"], root)
            mark.unlink(missing_ok=True)
            removed.append(mark)
    for manifest in sorted(results_dir(profile, root=root).glob("*/manifest.json")):
        listed = json.loads(manifest.read_text()).get("artefacts", [])
        if any(not (root / a).exists() for a in listed):
            mark = stamp(profile, manifest.parent.name, root)
            mark.unlink(missing_ok=True)
            manifest.unlink()
            if mark not in removed:
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
    ve = sub.add_parser("verify", help="check that every artefact set is whole: one run id, "
                        "the manifest's checksums, no foreign file (finishes or discards "
                        "interrupted runs first)")
    ve.add_argument("--profile", choices=PROFILES, action="append",
                    help="profile(s) to check (default: all)")
    ve.add_argument("--out-dir", type=Path, help="output root (default: the repository)")
    ve.add_argument("notebooks", nargs="*", help="notebook names (default: every set found)")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "execute":
            params = {k: parse_value(v) for k, v in args.parameter}
            out = execute(args.notebook, args.profile, params, args.output, args.kernel,
                          progress=not args.no_progress and sys.stderr.isatty())
            print(f"executed {args.notebook} ({args.profile}) -> {out}")
        elif args.cmd == "stale":
            for m in stale(args.profile):
                print(f"will re-run {m.stem} ({args.profile}): an artefact is missing or its set fails verify")
        elif args.cmd == "deps":
            deps = data_deps()
            sys.stdout.write(deps)
        elif args.cmd == "params":
            print(json.dumps(declared_parameters(args.notebook), indent=2))
        elif args.cmd == "verify":
            return _verify_cli(args)
    except integrity.RunLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again when the other run is done
    except NotebookInterrupted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (NotebookError, NotACheckoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _verify_cli(args) -> int:
    root = (args.out_dir or repo_root()).resolve()
    names = [Path(n).stem for n in args.notebooks] or None
    rows = integrity.verify(root, tuple(args.profile or PROFILES), names)
    bad = 0
    for r in rows:
        for line in r["repaired"]:
            print(f"{r['profile']}/{r['notebook']}: {line}")
        mark = {"ok": "ok", "legacy": "ok (legacy: no run id, sidecars agree)",
                "running": "running", "missing": "missing"}.get(r["status"], "BAD")
        print(f"{r['profile']}/{r['notebook']}: {mark}" + (f" (run {r['run_id']})" if r["run_id"] else ""))
        for p in r["problems"]:
            print(f"    {p}")
        bad += r["status"] == "bad"
    print(f"{len(rows)} artefact set(s) checked, {bad} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
