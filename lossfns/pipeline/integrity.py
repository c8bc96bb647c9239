"""All-or-nothing artefact sets: one run id, a staging folder, a lock, a journalled swap.

A run of notebook ``NB`` in profile ``P`` owns three places under its output root (the
repository, or a sweep point's folder): ``figures/P/NB/``, ``results/P/NB/`` and the executed
notebook. Nothing there is touched while the notebook runs:

1. **Lock.** The run takes ``build/locks/P/NB.lock`` (``fcntl.flock``, released by the
   kernel when the holder dies, so a dead process never leaves it behind). A second run of
   the same notebook and profile into the same root is refused with :class:`RunLocked`,
   whose message names the holder (pid, host, start time, command).
2. **Stage.** The notebook writes every artefact into ``build/staging/P-NB-<run id>/tree/``
   (a mirror of the root), every artefact stamped with the run id; the executed notebook is
   written beside it.
3. **Swap.** Only when the notebook succeeded: a journal (``COMMIT``) listing every
   ``(new, destination, displaced)`` triple is written atomically, then each destination is
   moved aside and its new version renamed into place, then the stage is removed. A run
   stopped before the journal leaves the destinations untouched (its stage is discarded
   later); a run stopped during the swap is rolled forward by :func:`recover`, which every
   later run of that notebook, ``python -m lossfns.run verify`` and ``stale`` call first
   (under the lock). Either way the set on disk is the old one, byte for byte, or wholly
   the new one.

:func:`verify` checks a finished set: every artefact listed by the manifest exists and has the
manifest's checksum, every provenance sidecar carries the manifest's run id, and no file in
the set's folders is foreign to the manifest.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunLocked", "new_run_id", "lock_path", "staging_root", "run_lock", "Stage",
           "recover", "verify_set", "verify", "canonical_notebook", "write_canonical_notebook",
           "sha256", "ENV_RUN_ID", "ENV_STAGE"]

#: Set by ``python -m lossfns.run execute`` in the kernel's environment: the run id and the
#: staging tree the notebook writes into (the outer process then does the swap).
ENV_RUN_ID = "LOSSFNS_RUN_ID"
ENV_STAGE = "LOSSFNS_STAGE_DIR"
JOURNAL = "COMMIT"


class RunLocked(RuntimeError):
    """Another live run holds the notebook's lock."""


def new_run_id() -> str:
    """A sortable, unique run id: UTC time and 8 random hex digits."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:8]


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def lock_path(root: Path, profile: str, notebook: str) -> Path:
    return Path(root) / "build" / "locks" / profile / f"{notebook}.lock"


def staging_root(root: Path) -> Path:
    return Path(root) / "build" / "staging"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def run_lock(root: Path, profile: str, notebook: str, *, command: str | None = None):
    """Hold the lock of ``notebook`` (``profile``) under ``root``; raise :class:`RunLocked`
    naming the holder when a live process has it. On platforms without ``fcntl`` the lock is
    advisory only (the holder file is still written)."""
    path = lock_path(root, profile, notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; still record the holder
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                fh.seek(0)
                holder = fh.read().strip() or "(holder unknown)"
                raise RunLocked(
                    f"{notebook} ({profile}) is already being run into {root}: {holder}. "
                    f"Wait for that run to finish or stop it; two runs into one output would "
                    f"mix their artefacts") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {platform.node()} since "
                 f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} "
                 f"({command or ' '.join([os.path.basename(sys.executable), *sys.argv])})\n")
        fh.flush()
        yield path
    finally:
        fh.close()  # releases the flock


@dataclass
class Stage:
    """The staging folder of one run: ``dir/tree`` mirrors the output root."""

    root: Path
    profile: str
    notebook: str
    run_id: str

    @property
    def dir(self) -> Path:
        return staging_root(self.root) / f"{self.profile}-{self.notebook}-{self.run_id}"

    @property
    def tree(self) -> Path:
        return self.dir / "tree"

    def create(self) -> "Stage":
        self.tree.mkdir(parents=True, exist_ok=False)
        return self

    def set_folders(self) -> list[str]:
        """The folders of the set, relative to the root."""
        return [f"figures/{self.profile}/{self.notebook}", f"results/{self.profile}/{self.notebook}"]

    def commit(self, extra: list[tuple[Path, Path]] = ()) -> None:
        """Swap the staged set into place: the set's folders (replaced wholly; a folder the
        run did not produce is removed) and ``extra`` ``(staged file, destination)`` pairs
        (the executed notebook). Journalled: see the module doc."""
        ops = []
        for i, rel in enumerate(self.set_folders()):
            ops.append({"new": str(self.tree / rel), "dst": str(self.root / rel),
                        "old": str(self.dir / "old" / str(i))})
        for j, (src, dst) in enumerate(extra):
            dst = Path(dst)
            ops.append({"new": str(src), "dst": str(dst),
                        "old": str(dst.with_name(f".{dst.name}.{self.run_id}.old"))})
        for op in ops:
            op["present"] = Path(op["new"]).exists()
        journal = self.dir / JOURNAL
        tmp = journal.with_suffix(".tmp")
        tmp.write_text(json.dumps({"run_id": self.run_id, "ops": ops}, indent=1))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, journal)
        _fsync_dir(self.dir)
        _roll_forward(self.dir)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _roll_forward(stage_dir: Path) -> None:
    """Finish the swap a journal describes (idempotent), then remove the stage."""
    ops = json.loads((stage_dir / JOURNAL).read_text())["ops"]
    for op in ops:
        new, dst, old = Path(op["new"]), Path(op["dst"]), Path(op["old"])
        if op["present"]:
            if new.exists():  # not yet swapped: move the old version aside, the new one in
                if dst.exists() and not old.exists():
                    old.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(dst, old)
                elif dst.exists():  # old already aside and dst is something else: drop it
                    _remove(dst)
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(new, dst)
        elif dst.exists() and not old.exists():  # the run did not produce it: remove
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(dst, old)
    for op in ops:
        _fsync_dir(Path(op["dst"]).parent)
    for op in ops:  # displaced versions
        _remove(Path(op["old"]))
    shutil.rmtree(stage_dir, ignore_errors=True)


def recover(root: Path, profile: str, notebook: str) -> list[str]:
    """Complete or discard the stages an interrupted run of ``notebook`` left under ``root``
    (call it holding the notebook's lock). Returns what was done, one line per stage."""
    done = []
    base = staging_root(root)
    if not base.is_dir():
        return done
    for stage_dir in sorted(base.glob(f"{profile}-{notebook}-*")):
        # "<profile>-<notebook>-<run id>": the run id has no "-" but its own one
        if stage_dir.name[len(f"{profile}-{notebook}-"):].count("-") != 1:
            continue
        if (stage_dir / JOURNAL).exists():
            _roll_forward(stage_dir)
            done.append(f"completed the interrupted swap of {stage_dir.name}")
        else:
            shutil.rmtree(stage_dir, ignore_errors=True)
            done.append(f"discarded the unfinished run {stage_dir.name}")
    return done


# --- checking a set -----------------------------------------------------------------------

def _sidecars(folder: Path):
    return sorted(folder.rglob("*.provenance.json")) if folder.is_dir() else []


def verify_set(root: Path, profile: str, notebook: str) -> dict:
    """Check the artefact set of ``notebook`` (``profile``) under ``root``.

    Returns ``{"notebook", "status", "run_id", "problems"}``; ``status`` is ``ok``,
    ``legacy`` (a set written before run ids: its sidecars agree on commit and parameters,
    checksums cannot be checked), ``bad`` (``problems`` says why) or ``missing``.
    """
    root = Path(root)
    res_dir = root / "results" / profile / notebook
    fig_dir = root / "figures" / profile / notebook
    manifest_file = res_dir / "manifest.json"
    out = {"notebook": notebook, "status": "ok", "run_id": None, "problems": []}
    if not manifest_file.exists():
        out["status"] = "missing"
        if res_dir.exists() or fig_dir.exists():
            out["status"] = "bad"
            out["problems"].append("artefacts without a manifest.json")
        return out
    try:
        manifest = json.loads(manifest_file.read_text())
    except (OSError, ValueError) as exc:
        return {**out, "status": "bad", "problems": [f"manifest.json unreadable: {exc}"]}
    run_id = manifest.get("run_id")
    out["run_id"] = run_id
    problems = out["problems"]
    listed = set(manifest.get("artefacts", []))
    for rel in sorted(listed):
        if not (root / rel).exists():
            problems.append(f"listed artefact missing: {rel}")
    sidecars = [*_sidecars(res_dir), *_sidecars(fig_dir)]
    checksums = manifest.get("checksums", {})
    known = listed | set(checksums) | {manifest_file.relative_to(root).as_posix()}
    known |= {f"{a}.provenance.json" for a in listed}
    for folder in (res_dir, fig_dir):
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                rel = f.relative_to(root).as_posix()
                if f.is_file() and rel not in known:
                    problems.append(f"file not in the manifest: {rel}")
    if run_id is None:  # written before run ids: the sidecars must at least agree
        keys = ("git_commit", "git_dirty", "parameters", "profile")
        want = {k: manifest.get(k) for k in keys}
        for sc in sidecars:
            with contextlib.suppress(OSError, ValueError):
                got = json.loads(sc.read_text())
                diff = [k for k in keys if got.get(k) != want[k]]
                if diff:
                    problems.append(f"{sc.relative_to(root)} differs from the manifest in {diff}")
        out["status"] = "bad" if problems else "legacy"
        return out
    for rel, digest in sorted(checksums.items()):
        p = root / rel
        if p.exists() and sha256(p) != digest:
            problems.append(f"checksum differs from the manifest: {rel}")
    for sc in sidecars:
        try:
            got = json.loads(sc.read_text()).get("run_id")
        except (OSError, ValueError) as exc:
            problems.append(f"unreadable sidecar {sc.relative_to(root)}: {exc}")
            continue
        if got != run_id:
            problems.append(f"{sc.relative_to(root)} is from run {got}, the manifest from {run_id}")
    nb = manifest.get("executed_notebook")
    if nb and nb.get("checked", True):
        p = root / nb["path"]
        if not p.exists():
            problems.append(f"executed notebook missing: {nb['path']}")
        elif sha256(p) != nb["sha256"]:
            problems.append(f"executed notebook differs from the manifest: {nb['path']}")
    if problems:
        out["status"] = "bad"
    return out


def verify(root: Path, profiles=("quick", "full"), notebooks=None, *, repair: bool = True) -> list[dict]:
    """:func:`verify_set` for every set under ``root`` (or ``notebooks``), after completing or
    discarding interrupted runs (``repair``; a set whose lock a live run holds is reported as
    ``running`` and not touched)."""
    root = Path(root)
    rows = []
    for profile in profiles:
        names = set(notebooks or [])
        if notebooks is None:
            for sub in ("results", "figures"):
                base = root / sub / profile
                if base.is_dir():
                    names |= {p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")}
            base = staging_root(root)
            if base.is_dir():
                for p in base.iterdir():
                    if p.name.startswith(profile + "-"):
                        names.add(p.name[len(profile) + 1:].rsplit("-", 2)[0])
        for name in sorted(names):
            try:
                with run_lock(root, profile, name, command="lossfns.run verify"):
                    actions = recover(root, profile, name) if repair else []
                    row = verify_set(root, profile, name)
            except RunLocked as exc:
                row = {"notebook": name, "status": "running", "run_id": None, "problems": [str(exc)]}
                actions = []
            if row["status"] == "missing" and not actions:
                continue
            rows.append({"profile": profile, **row, "repaired": actions})
    return rows


# --- executed notebooks in a canonical form ------------------------------------------------

_VOLATILE_NB = ("start_time", "end_time", "duration", "input_path", "output_path", "exception")


def canonical_notebook(nb: dict) -> dict:
    """The notebook with consecutive stream outputs of one stream merged and volatile metadata
    (papermill's times and paths, per-cell execution times, widget state) dropped, so that a
    re-run whose outputs did not change writes the same bytes."""
    meta = nb.setdefault("metadata", {})
    pm = meta.get("papermill")
    if isinstance(pm, dict):
        for k in _VOLATILE_NB:
            pm.pop(k, None)
    meta.pop("widgets", None)
    for cell in nb.get("cells", []):
        cmeta = cell.setdefault("metadata", {})
        if "injected-parameters" in cmeta.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill draws a random id each run
        cmeta.pop("papermill", None)
        cmeta.pop("execution", None)
        if cell.get("cell_type") != "code":
            continue
        merged = []
        for out in cell.get("outputs", []):
            if (out.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                prev = merged[-1]
                text = prev["text"] if isinstance(prev["text"], str) else "".join(prev["text"])
                add = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                prev["text"] = text + add
                continue
            merged.append(dict(out))
        for out in merged:  # one canonical split of stream text: by lines
            if out.get("output_type") == "stream":
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                out["text"] = text.splitlines(keepends=True)
        cell["outputs"] = merged
    return nb


def write_canonical_notebook(src: Path, dst: Path | None = None) -> Path:
    """Rewrite the notebook ``src`` (to ``dst``, default in place) in canonical form: the JSON
    layout of nbformat (indent 1, sorted keys, UTF-8), a trailing newline."""
    nb = json.loads(Path(src).read_text(encoding="utf-8"))
    text = json.dumps(canonical_notebook(nb), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    dst = Path(dst or src)
    dst.write_text(text, encoding="utf-8")
    return dst
