"""Artefacts of a notebook run: atomic writes, provenance, results files.

A notebook starts a run right after its ``parameters`` cell::

    run = lossfns.artifacts.start_run(globals(), "000-3_xtreme_margin_loss")

and then writes everything through it::

    run.save_figure(fig, "fig3_correct_case")       # figures/<profile>/<notebook>/...png
    run.save_table(df, "table1")                    # results/<profile>/<notebook>/table1.{csv,md}
    run.record("table1", df)                        # results.json entry
    run.finish()                                    # results.json + manifest.json

Layout (``out_dir`` defaults to the repository root)::

    <out_dir>/figures/<profile>/<notebook>/<name>.png (+ <name>.png.provenance.json)
    <out_dir>/results/<profile>/<notebook>/<name>.csv, <name>.md (+ provenance sidecars)
    <out_dir>/results/<profile>/<notebook>/results.json   (numbers only: deterministic)
    <out_dir>/results/<profile>/<notebook>/manifest.json  (artefacts + provenance)

Results files hold numbers only, so two runs with the same seed give byte-identical
results; everything volatile (commit, run id, wall time, versions) lives in the provenance
sidecars and the manifest, and wall-clock measurements in ``timings.json``
(:meth:`NotebookRun.record_timing`; fields named in :data:`TIMING_FIELDS` are moved there
wherever they occur).

All or nothing: a run writes into a staging folder and its whole set (figures, tables,
sidecars, results, manifest and, under ``python -m lossfns.run execute``, the executed
notebook) is swapped into place only when the notebook succeeded, under a lock that refuses a
second run of the same notebook into the same output (:mod:`lossfns.pipeline.integrity`).
Every artefact carries the run id; the manifest lists their SHA-256 checksums
(``python -m lossfns.run verify`` checks both).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from ..training.device import DEVICES, resolve_device
from . import integrity
from .paths import OUTPUT_DIRS, figures_dir, repo_root, results_dir
from .profiles import PROFILES, REQUIRED_PARAMETERS

__all__ = ["start_run", "NotebookRun", "atomic_write", "provenance", "repo_root",
           "PROFILES", "DEVICES", "UnknownParameterError", "TIMING_FIELDS", "split_timings", "flat_columns"]

#: Wall-clock fields: wherever a result holds one of these keys (a dict key, a DataFrame
#: column), :meth:`NotebookRun.finish` moves it from results.json to timings.json, at the
#: same place, so that results.json stays byte-identical when the science is.
TIMING_FIELDS = ("wall_s", "wall_s_all_trials", "s_per_epoch", "s_per_100_epochs",
                 "s_per_model_epoch", "s_per_trial")

_VERSIONED = ("lossfns", "numpy", "torch", "tensorflow-cpu", "tensorflow", "keras", "pandas",
              "scikit-learn", "matplotlib", "papermill")


class UnknownParameterError(ValueError):
    """A parameter passed to a notebook (``-p name value``) that it does not declare."""


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", **kwargs):
    """Open a temporary file beside ``path``; rename it over ``path`` on success.

    On any exception (including KeyboardInterrupt) the temporary file is
    removed and ``path`` keeps its previous content, if any. The file gets the
    permissions of an ordinary new file, ``0o666 & ~umask`` (0644 under the
    usual umask 022), not mkstemp's private 0600: artefacts are for others to read.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    umask = None
    with contextlib.suppress(OSError, ValueError, IndexError):  # Linux: read, do not change it
        with open("/proc/self/status") as status:
            umask = next((int(line.split()[1], 8) for line in status if line.startswith("Umask:")), None)
    if umask is None:  # elsewhere: set and restore it (not atomic across threads)
        umask = os.umask(0o022)
        os.umask(umask)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            if hasattr(os, "fchmod"):  # POSIX (Windows has no such mode bits to open up)
                os.fchmod(fh.fileno(), 0o666 & ~umask)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "columns"):  # pandas DataFrame; MultiIndex columns become "a/b"
        o = o.copy()
        o.columns = ["/".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in o.columns]
        return o.to_dict(orient="records")
    if hasattr(o, "to_dict"):  # pandas Series
        return {str(k): v for k, v in o.to_dict().items()}
    raise TypeError(f"cannot serialise {type(o).__name__} to JSON")


def dumps(obj) -> str:
    """Deterministic JSON (sorted keys, NaN as null)."""
    def clean(o):
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, dict):
            return {str(k): clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return o
    return json.dumps(clean(json.loads(json.dumps(obj, default=_json_default))),
                      indent=2, sort_keys=True) + "\n"


def _git(*args) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=repo_root(), capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def provenance(**extra) -> dict:
    """Git commit and dirty flag, package versions and host, plus ``extra``.

    The dirty flag looks at tracked sources only: the suite's own outputs (``results/``,
    ``figures/``, ``reports/``) do not count, so the artefacts a run writes first cannot make
    the provenance of those it writes later dirty.
    """
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".",
                  *(f":(exclude){d}" for d in OUTPUT_DIRS))
    return {"git_commit": _git("rev-parse", "HEAD"),
            "git_dirty": None if status is None else bool(status),
            "versions": _versions(), "host": platform.node(), "platform": platform.platform(),
            **extra}


def _is_timing(key) -> bool:
    key = str(key)
    return key in TIMING_FIELDS or any(key.endswith(" " + f) for f in TIMING_FIELDS)


def split_timings(obj):
    """``(science, timings)``: ``obj`` (JSON-like, as results.json holds it) without the
    :data:`TIMING_FIELDS` keys, and those keys alone at the same places (lists keep their
    indices; ``None`` where a branch holds no timing)."""
    if isinstance(obj, dict):
        sci, tim = {}, {}
        for k, v in obj.items():
            if _is_timing(k):
                tim[k] = v
                continue
            s, t = split_timings(v)
            sci[k] = s
            if t is not None:
                tim[k] = t
        return sci, (tim or None)
    if isinstance(obj, list):
        pairs = [split_timings(v) for v in obj]
        tims = [t for _, t in pairs]
        return [s for s, _ in pairs], (tims if any(t is not None for t in tims) else None)
    return obj, None


def _merge(a: dict, b: dict, path: str = "") -> dict:
    """``a`` and ``b`` merged key by key (both dicts at a shared key: merged too); a leaf
    that both define is an error, never silently overwritten."""
    out = dict(a)
    for k, v in b.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = _merge(out[k], v, f"{path}{k}/")
        elif k in out:
            raise ValueError(f"timings: {path}{k} is both a timing field of a recorded result and "
                             f"a record_timing() entry; give the record_timing() entry another key")
        else:
            out[k] = v
    return out


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, torch (and Keras when it is already imported)."""
    random.seed(seed)
    np.random.seed(seed)
    import torch
    torch.manual_seed(seed)
    if "keras" in sys.modules:
        import keras
        keras.utils.set_random_seed(seed)


def _assigned_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def declared_and_injected(history: list[str]) -> tuple[list[str], list[str]]:
    """From the kernel's input history, the names of the ``parameters`` cell and
    of papermill's injected cell (``# Parameters`` header) that follows it."""
    for i, src in enumerate(history):
        if src.lstrip().startswith("# Parameters") and i > 0:
            return _assigned_names(history[i - 1]), _assigned_names(src)
    return [], []


def check_parameters(declared, injected) -> None:
    unknown = sorted(set(injected) - set(declared))
    if unknown:
        raise UnknownParameterError(
            f"unknown notebook parameter(s) {unknown}; this notebook declares {sorted(declared)}")


def flat_columns(df):
    """``df`` with one header row: a column named by a tuple (a pandas MultiIndex, e.g. from
    ``groupby(...).agg(["mean", "std"])``) is renamed by its non-empty parts joined by a space.

    >>> import pandas as pd
    >>> t = pd.DataFrame({("loss", ""): ["bce"], ("F1", "mean"): [0.9], ("F1", "std"): [0.01]})
    >>> list(flat_columns(t).columns)
    ['loss', 'F1 mean', 'F1 std']
    """
    names = [" ".join(str(x) for x in c if str(x) != "").strip() if isinstance(c, tuple) else c
             for c in df.columns]
    out = df.copy()
    out.columns = names
    return out


@dataclass
class NotebookRun:
    """One execution of a notebook: where its artefacts go and what they carry."""

    notebook: str
    params: dict
    profile: str
    seed: int
    device: str
    out_dir: Path
    started: float = field(default_factory=time.time)
    results: dict = field(default_factory=dict)
    artefacts: list = field(default_factory=list)
    #: Stamped on every artefact and the manifest.
    run_id: str = field(default_factory=integrity.new_run_id)
    #: Where the files are written: a staging tree mirroring ``out_dir`` (swapped into
    #: ``out_dir`` when the run succeeds), or ``out_dir`` itself when None.
    write_dir: Path | None = None
    timings: dict = field(default_factory=dict)
    #: Set when this run staged itself (no ``python -m lossfns.run execute`` around it): it
    #: holds the lock and swaps its set into place in :meth:`finish`.
    _own_stage: object = field(default=None, repr=False)
    _lock: object = field(default=None, repr=False)

    @property
    def _root(self) -> Path:
        return self.write_dir or self.out_dir

    @property
    def figures_dir(self) -> Path:
        return figures_dir(self.profile, self.notebook, self._root)

    @property
    def results_dir(self) -> Path:
        return results_dir(self.profile, self.notebook, self._root)

    def _provenance(self) -> dict:
        return provenance(notebook=self.notebook, run_id=self.run_id, parameters=self.params,
                          seed=self.seed, profile=self.profile, device=self.device,
                          wall_time_s=round(time.time() - self.started, 3))

    def _register(self, path: Path, sidecar: bool = True) -> Path:
        if sidecar:
            with atomic_write(path.with_name(path.name + ".provenance.json")) as fh:
                fh.write(dumps(self._provenance()))
        rel = path.relative_to(self._root)
        self.artefacts.append(rel.as_posix())
        return self.out_dir / rel  # where it is once the set is in place (finish())

    def save_figure(self, fig, name: str, dpi: int = 120) -> Path:
        """Save a matplotlib figure as PNG with provenance in its metadata and a sidecar."""
        path = self.figures_dir / f"{name}.png"
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight",
                    metadata={"Software": "lossfns", "Description": dumps(self._provenance())})
        with atomic_write(path, "wb") as fh:
            fh.write(buf.getvalue())
        return self._register(path)

    def save_table(self, df, name: str, floatfmt: str = ".4f", caption: str | None = None) -> Path:
        """Save a pandas DataFrame as ``<name>.csv`` and ``<name>.md``, with flat headers
        (:func:`flat_columns`: ``("F1", "mean")`` is written ``F1 mean``)."""
        df = flat_columns(df)
        csv_path = self.results_dir / f"{name}.csv"
        with atomic_write(csv_path) as fh:
            df.to_csv(fh, index=False, float_format="%.10g")
        # '|' inside a cell (e.g. "|y - t|") would split a Markdown column: escape it.
        esc = df.rename(columns=lambda c: str(c).replace("|", "\\|")).map(
            lambda v: v.replace("|", "\\|") if isinstance(v, str) else v)
        md = esc.to_markdown(index=False, floatfmt=floatfmt)  # pandas -> tabulate
        md_path = self.results_dir / f"{name}.md"
        with atomic_write(md_path) as fh:
            fh.write((f"{caption}\n\n" if caption else "") + md + "\n")
        self._register(csv_path)
        return self._register(md_path)

    def record(self, key: str, value) -> None:
        """Add ``value`` (numbers, lists, dicts, DataFrames) to results.json under ``key``
        (fields named in :data:`TIMING_FIELDS` go to timings.json instead)."""
        self.results[key] = value

    def record_timing(self, key: str, value) -> None:
        """Add a wall-clock measurement (or anything derived from one: a speed ratio, a timing
        table) to ``timings.json`` under ``key``: it differs from run to run and machine to
        machine, so it is kept out of results.json and out of the re-run identity check."""
        self.timings[key] = value

    def verdict_table(self, rows, name: str = "verdicts", *, caption: str | None = None,
                      quick_note: bool = True):
        """The verdicts on a notebook's claims: ``rows`` of ``(claim, verdict, evidence)``
        (or a DataFrame with those columns) saved as ``<name>.csv``/``<name>.md`` and
        recorded under ``name`` in results.json. In the quick profile every verdict gets
        " (quick profile: indicative only)" appended, unless ``quick_note=False`` (claims
        whose test does not depend on the profile). Returns the table (a DataFrame).
        """
        import pandas as pd

        columns = ["claim", "verdict", "evidence"]
        if isinstance(rows, pd.DataFrame):
            missing = [c for c in columns if c not in rows.columns]
            if missing:
                raise ValueError(f"verdict table lacks column(s) {missing}")
            table = rows.copy()
        else:
            rows = [tuple(r) for r in rows]
            bad = [r for r in rows if len(r) != len(columns)]
            if bad:
                raise ValueError(f"each verdict row must be (claim, verdict, evidence), got {bad[0]!r}")
            table = pd.DataFrame(rows, columns=columns)
        if quick_note and self.profile == "quick":
            table["verdict"] = table["verdict"] + " (quick profile: indicative only)"
        self.save_table(table, name, caption=caption)
        self.record(name, table)
        return table

    def reproduce(self, key: str, value: float, *, dataset: str, stand_in: bool = False,
                  note: str = "", estimate=None) -> None:
        """Record our value of the published number ``key`` (an id of
        ``data/published_numbers.csv``) for the replication report.

        ``estimate``: our 95% interval (a :class:`lossfns.verdicts.Estimate` from
        ``bootstrap`` / ``mean_interval`` / ``single_run_interval``); the report judges the
        number with :func:`lossfns.verdicts.number_verdict`. Without one the number is
        "inconclusive" (no interval to decide with).
        """
        from .published import published
        if key not in published().index:
            raise KeyError(f"{key!r} is not an id of data/published_numbers.csv")
        entry = {"value": float(value), "dataset": dataset, "stand_in": bool(stand_in), "note": note}
        if estimate is not None:
            entry["estimate"] = estimate if isinstance(estimate, dict) else estimate.as_dict()
        self.results.setdefault("reproduced", {})[key] = entry

    def claim(self, key: str, result: dict | None = None, *, parts: dict | None = None, dataset: str,
              stand_in: bool = False, note: str = "", timing: bool = False) -> dict:
        """Record the verdict of claim ``key`` (an id of ``data/claims.csv``).

        ``parts`` (part name -> paired differences ``A_i - B_i``, e.g. one part per data set):
        the claim is judged by the claims file's ``kind`` (one of
        :data:`lossfns.verdicts.DIFFERENCE_KINDS`) and ``margin``
        (:func:`lossfns.verdicts.judge_parts`: each part one-sided or two one-sided tests
        against the margin, the parts combined with Holm's correction), and the differences are
        kept, so the report judges them again from the file (:func:`report.rejudge_claim`).
        Otherwise ``result`` comes from :mod:`lossfns.verdicts` (``exact_claim``,
        ``rank_claim``, ...) or, for a claim the run cannot test, ``{"verdict": "not
        comparable", "reason": ...}``.
        A claim on a stand-in dataset is recorded as "not comparable" with the test's own
        verdict kept under ``direction``. ``timing=True``: a claim about speed, judged from
        wall-clock measurements of this run, recorded in timings.json (flagged
        ``"timing": true``). Returns the recorded entry."""
        from lossfns.verdicts import CLAIM_VERDICTS

        result = self.judge(key, result, parts=parts)
        if result.get("verdict") not in CLAIM_VERDICTS:
            raise ValueError(f"result['verdict'] must be one of {CLAIM_VERDICTS}, got "
                             f"{result.get('verdict')!r}")
        entry = {**result, "dataset": dataset, "stand_in": bool(stand_in), "note": note}
        if stand_in and result["verdict"] != "not comparable":
            entry.update(verdict="not comparable", direction=result["verdict"])
        if timing:
            entry["timing"] = True
            self.timings.setdefault("claims", {})[key] = entry
        else:
            self.results.setdefault("claims", {})[key] = entry
        return entry

    def judge(self, key: str, result: dict | None = None, *, parts: dict | None = None) -> dict:
        """The verdict of claim ``key`` as :meth:`claim` would record it, without recording it
        (for the readings a notebook shows beside the main one): ``parts`` judged by the claims
        file's ``kind`` and ``margin`` (:func:`lossfns.verdicts.judge_parts`), or ``result`` as
        given. Raises for an unknown id, for both or neither given, and for ``parts`` on a claim
        whose kind is not one of :data:`lossfns.verdicts.DIFFERENCE_KINDS`."""
        from lossfns.verdicts import DIFFERENCE_KINDS, judge_parts

        from .published import claims
        if key not in claims().index:
            raise KeyError(f"{key!r} is not an id of data/claims.csv")
        if (result is None) == (parts is None):
            raise ValueError(f"claim {key!r}: give either result or parts, not {'both' if parts is not None else 'neither'}")
        if parts is None:
            return result
        spec = claims().loc[key]
        if spec.get("kind") not in DIFFERENCE_KINDS:
            raise ValueError(f"claim {key!r}: parts need a claims.csv kind in {DIFFERENCE_KINDS}, the file says "
                             f"{spec.get('kind')!r}")
        return judge_parts(parts, spec["kind"], float(spec["margin"]))

    def finish(self) -> None:
        """Write results.json (and timings.json when the run measured time) and manifest.json
        (the artefacts, their checksums, the run id and provenance); a run that staged itself
        then swaps its set into place. Prints where the artefacts are."""
        science, moved = split_timings(json.loads(dumps(self.results)))
        head = {"notebook": self.notebook, "profile": self.profile, "seed": self.seed}
        res = self.results_dir / "results.json"
        with atomic_write(res) as fh:
            fh.write(dumps({**head, "results": science}))
        self._register(res, sidecar=True)
        timings = _merge(moved or {}, json.loads(dumps(self.timings)))
        if timings:
            with atomic_write(self.results_dir / "timings.json") as fh:
                fh.write(dumps({**head, "timings": timings}))
            self._register(self.results_dir / "timings.json", sidecar=True)
        listed = sorted(set(self.artefacts))
        files = [*listed, *(f"{a}.provenance.json" for a in listed
                            if (self._root / f"{a}.provenance.json").exists())]
        checksums = {f: integrity.sha256(self._root / f) for f in sorted(files)}
        manifest = {"artefacts": listed, "checksums": checksums, **self._provenance()}
        with atomic_write(self.results_dir / "manifest.json") as fh:
            fh.write(dumps(manifest))
        if self._own_stage is not None:
            self._own_stage.commit()
            self._own_stage = None
            self._lock.close()
            self._lock = None
        # no run id here: the printed line is part of the executed notebook, which must not
        # change when the results do not
        print(f"{len(listed)} artefacts written for {self.notebook} ({self.profile})")


def start_run(namespace: dict, notebook: str) -> NotebookRun:
    """Validate a notebook's parameters and start its run.

    ``namespace`` is the notebook's ``globals()``. Checks that the notebook
    declares the required parameters (``profile``, ``seed``, ``device``,
    ``out_dir``), that papermill injected no parameter the notebook does not
    declare (papermill itself only warns), their types (those of their defaults,
    :func:`lossfns.pipeline.run.check_types`) and values; then resolves the
    device, seeds every RNG and returns the :class:`NotebookRun`.
    """
    missing = [p for p in REQUIRED_PARAMETERS if p not in namespace]
    if missing:
        raise ValueError(f"notebook {notebook} lacks required parameter(s) {missing} in its "
                         f"'parameters' cell")
    history = list(namespace.get("In", []))
    declared, injected = declared_and_injected(history)
    check_parameters(declared, injected)
    if injected:  # values papermill injected: of the types their defaults declare
        from .run import check_parameter_cell_types
        cell = next(history[i - 1] for i, src in enumerate(history)
                    if i > 0 and src.lstrip().startswith("# Parameters"))
        check_parameter_cell_types(cell, {k: namespace[k] for k in injected if k in namespace})
    profile, seed, device = namespace["profile"], namespace["seed"], namespace["device"]
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, got {profile!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    out_dir = Path(namespace["out_dir"]) if namespace["out_dir"] else repo_root()
    names = declared or [k for k in REQUIRED_PARAMETERS]
    params = {k: namespace[k] for k in names if k in namespace}
    dev = resolve_device(device)
    seed_everything(seed)
    out_dir = out_dir.resolve()
    stage_env, run_id = os.environ.get(integrity.ENV_STAGE), os.environ.get(integrity.ENV_RUN_ID)
    if stage_env and run_id:  # under `python -m lossfns.run execute`: it holds the lock and swaps
        return NotebookRun(notebook, params, profile, seed, dev, out_dir, run_id=run_id,
                           write_dir=Path(stage_env))
    # run by hand (Jupyter, nbval): stage and lock here, swap in finish()
    lock = contextlib.ExitStack()
    lock.enter_context(integrity.run_lock(out_dir, profile, notebook,
                                          command=f"a kernel running {notebook}"))
    try:
        integrity.recover(out_dir, profile, notebook)
        run = NotebookRun(notebook, params, profile, seed, dev, out_dir)
        stage = integrity.Stage(out_dir, profile, notebook, run.run_id).create()
    except BaseException:
        lock.close()
        raise
    run.write_dir, run._own_stage, run._lock = stage.tree, stage, lock
    return run
