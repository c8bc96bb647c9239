"""Dataset registry, file lookup, checksums and downloads.

Lookup order for a registered file (:func:`locate`):

1. the explicit ``path`` argument (a folder or the file itself), else the
   folder named by ``LOSSFNS_DATA_DIR``. A ``path`` that does not exist is an
   error (``ValueError`` naming it), never a reason to read the data from
   another folder;
2. the shipped data (:data:`REPO_DATA_DIR`): the repository's ``data/`` folder
   in a checkout (editable installs included), else the package's own copy,
   ``lossfns/datasets/data/``, in an installed wheel;
3. the user cache (``LOSSFNS_CACHE_DIR``, default ``~/.cache/lossfns``);
4. system folders listed in the registry (e.g. /usr/share/datasets/fashion-mnist);
5. a download into the cache, only when allowed (``allow_download=True`` or
   ``LOSSFNS_ALLOW_DOWNLOAD=1``): written to a temporary file, verified, then
   renamed; a file failing its checksum is deleted;
6. otherwise :class:`FileNotFoundError` naming the file, the folders searched,
   where to put it and the download URL.

A file found on disk whose checksum differs from the registry is an error
(:class:`ChecksumError`), never silently used.

Stand-ins (creditcard, cocktailparty, the CIFAR-10 tasks, melanoma; data/README.md,
"Stand-ins, and what they cannot show") are chosen by the loaders' ``stand_in``
argument (:data:`STAND_IN_MODES`): a stand-in the caller did not ask for
(``stand_in="auto"``, the default) comes with a :class:`StandInWarning` that names the
data set and what the stand-in cannot show (:data:`STAND_IN_LIMITS`).

The registry (``registry.json``) is read from the same shipped-data folder.
``lossfns/datasets/data/`` holds byte-identical copies of ``data/registry.json``,
``data/sonar.all-data`` and ``data/ionosphere.data`` (package data of the wheel;
``tests/test_wheel.py`` fails when they drift: edit ``data/`` and copy).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._validation import check_bool_or_choice, check_existing_path

#: Copies of the registry and the small datasets, shipped inside the wheel.
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"
#: Files shipped as package data (kept identical to the repository's ``data/``).
SHIPPED_FILES = ("registry.json", "sonar.all-data", "ionosphere.data")


def _shipped_data_dir() -> Path:
    """``data/`` of the checkout this package lives in, else the packaged copy (a wheel)."""
    root = Path(__file__).resolve().parents[2]
    checkout = (root / "pyproject.toml").is_file() and (root / "data" / "registry.json").is_file()
    return root / "data" if checkout else PACKAGE_DATA_DIR


#: Where the shipped data is read: the checkout's ``data/`` or, installed, the package data.
REPO_DATA_DIR = _shipped_data_dir()
REGISTRY_PATH = REPO_DATA_DIR / "registry.json"


class ChecksumError(ValueError):
    """A data file's checksum differs from the registry's."""


class StandInWarning(UserWarning):
    """A loader returned a stand-in the caller did not ask for (the real files are missing)."""


#: ``stand_in`` of the loaders that have a stand-in (:func:`lossfns.datasets.load_dataset`,
#: ``load_cifar10_binary``, ``load_isic_folder``):
#:
#: * ``"auto"`` (default): the real data when its files are found, else the stand-in with a
#:   :class:`StandInWarning` saying what the stand-in cannot show;
#: * ``"if_missing"``: the same choice without the warning, for a caller that accepts the
#:   stand-in knowingly (and labels its results by ``Dataset.is_stand_in``);
#: * ``True``: always the stand-in (asked for: no warning); ``False``: never (the
#:   missing-file error).
STAND_IN_MODES = ("auto", "if_missing")

_GENERATED = ("a generated set of the registered size, dimension and balance (negatives N(0, I), "
              "positives N(mu, I)): it keeps the class balance and the cost of a run, not the "
              "data's difficulty, feature structure or label noise; its F1 and AUROC levels say "
              "nothing about the real set")
_FASHION = ("Fashion-MNIST classes with the same positive share ({}), grayscale 28 x 28: it shows "
            "how the losses behave at that balance on a real image task, not CIFAR-10's colour "
            "images, nor numbers comparable with CIFAR-10's")
#: What each stand-in cannot show (data/README.md, "Stand-ins, and what they cannot show").
STAND_IN_LIMITS = {
    "creditcard": _GENERATED,
    "cocktailparty": _GENERATED,
    "cifar10-transportation": _FASHION.format("footwear + bag, 40%"),
    "cifar10-frog": _FASHION.format("Shirt, 10%"),
    "melanoma": ("Fashion-MNIST Shirt vs T-shirt/top, a balanced hard pair of grayscale "
                 "28 x 28 images: not dermoscopic images, nor numbers comparable with ISIC's"),
}


def check_stand_in(stand_in):
    """Validate a loader's ``stand_in`` (True, False or one of :data:`STAND_IN_MODES`)."""
    return check_bool_or_choice("stand_in", stand_in, STAND_IN_MODES)


def _caller_stacklevel() -> int:
    """``stacklevel`` of the first frame outside ``lossfns.datasets`` (the caller's line),
    counted from the function that calls ``warnings.warn``."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def warn_stand_in(target: str, reason: BaseException | str | None = None) -> None:
    """Issue the :class:`StandInWarning` of an implicit stand-in for ``target`` (a key of
    :data:`STAND_IN_LIMITS`); ``reason``: why the real data was not used (the missing-file
    error). Attributed to the first caller outside ``lossfns.datasets``."""
    why = f" ({reason})" if reason else ""
    warnings.warn(
        f"{target}: the real data was not found{why}, so a STAND-IN is returned: "
        f"{STAND_IN_LIMITS[target]}. Supply the real files for the real data; pass "
        f"stand_in=True (or 'if_missing') to accept the stand-in without this warning, or "
        f"stand_in=False to get the missing-file error instead.",
        StandInWarning, stacklevel=_caller_stacklevel())


@dataclass
class Dataset:
    """A loaded binary-classification data set.

    Attributes:
        X: float array, shape (n, d) (images: (n, h, w) or (n, h, w, c)).
        y: int array of 0/1 labels, shape (n,).
        metadata: dict with at least ``name``, ``positive_class``,
            ``is_stand_in``, ``source`` (file path(s) read) and ``sha256``.
    """

    X: np.ndarray
    y: np.ndarray
    metadata: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.metadata["name"]

    @property
    def is_stand_in(self) -> bool:
        return bool(self.metadata.get("is_stand_in", False))

    def __repr__(self) -> str:
        return (f"Dataset(name={self.name!r}, X={self.X.shape}, positives="
                f"{int(self.y.sum())}/{len(self.y)}, is_stand_in={self.is_stand_in})")


@functools.lru_cache(maxsize=None)
def _load_registry(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def registry() -> dict:
    """The parsed ``registry.json`` (dataset name -> entry; see :data:`REGISTRY_PATH`)."""
    return {k: v for k, v in _load_registry(str(REGISTRY_PATH)).items()
            if not k.startswith("_")}


def entry(name: str) -> dict:
    reg = registry()
    if name not in reg:
        raise KeyError(f"unknown dataset {name!r}; registered: {sorted(reg)}")
    return reg[name]


def file_entry(dataset: str, filename: str) -> dict:
    files = entry(dataset)["files"]
    if filename not in files:
        raise KeyError(f"{filename!r} is not a file of dataset {dataset!r}: {sorted(files)}")
    return files[filename]


def cache_dir() -> Path:
    """User cache folder: ``LOSSFNS_CACHE_DIR`` or ``~/.cache/lossfns``."""
    env = os.environ.get("LOSSFNS_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "lossfns"


def download_allowed(allow_download: bool | None) -> bool:
    if allow_download is not None:
        return bool(allow_download)
    return os.environ.get("LOSSFNS_ALLOW_DOWNLOAD", "0").strip().lower() in ("1", "true", "yes")


def sha256_of(path: Path, *, skip_first_line_if: str | None = None) -> str:
    """Hex sha256 of a file; optionally ignoring a first line starting with a marker."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        if skip_first_line_if is not None:
            first = fh.readline()
            if not first.startswith(skip_first_line_if.encode()):
                h.update(first)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def md5_of(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, fentry: dict) -> str:
    """Check ``path`` against a registry file entry; return its sha256.

    Raises :class:`ChecksumError` when the registry has a checksum and it differs.
    """
    path = Path(path)
    sha = sha256_of(path)
    known = fentry.get("sha256")
    problem = None
    if known:
        ok = sha in known
        marker = fentry.get("skip_first_line_if")
        if not ok and marker:
            ok = sha256_of(path, skip_first_line_if=marker) in known
        if not ok:
            problem = f"sha256 {sha}, expected one of {known}"
    elif fentry.get("md5"):
        md5 = md5_of(path)
        if md5 != fentry["md5"]:
            problem = f"md5 {md5}, expected {fentry['md5']}"
    if problem and fentry.get("content_sha256"):
        # a re-compressed copy (e.g. Debian's) of the same data: compare the decompressed bytes
        content = content_sha256_of(path)
        if content in fentry["content_sha256"]:
            return sha
        problem += f"; decompressed sha256 {content}, expected one of {fentry['content_sha256']}"
    if problem:
        raise ChecksumError(f"checksum mismatch for {path}: {problem}")
    return sha


def content_sha256_of(path: Path) -> str:
    """Hex sha256 of a gzip file's decompressed bytes (of the file itself when not gzip)."""
    import gzip
    h = hashlib.sha256()
    with open(path, "rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def search_dirs(dataset: str, path=None) -> list[Path]:
    """Folders searched for a dataset's files, in order (see module doc)."""
    dirs: list[Path] = []
    if path is not None:
        dirs.append(Path(path))
    elif os.environ.get("LOSSFNS_DATA_DIR"):
        dirs.append(Path(os.environ["LOSSFNS_DATA_DIR"]))
    dirs.append(REPO_DATA_DIR)
    dirs.append(cache_dir())
    dirs.extend(Path(d) for d in entry(dataset).get("system_dirs", []))
    return dirs


def _download(url: str, target: Path, fentry: dict) -> None:
    """Download ``url`` to a temp file next to ``target``, verify, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                out.write(chunk)
        verify(Path(tmp), fentry)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def locate(dataset: str, filename: str, *, path=None, allow_download: bool | None = None,
           fentry: dict | None = None) -> tuple[Path, str]:
    """Find (or download) one file of a registered dataset.

    Args:
        dataset: registry name, e.g. ``"adult"``.
        filename: file name in the registry entry, e.g. ``"adult.data"``.
        path: a folder to search first, or the file itself; it must exist
            (``ValueError`` naming it otherwise).
        allow_download: download into the cache when not found (default: env
            ``LOSSFNS_ALLOW_DOWNLOAD``, off).
        fentry: override the registry's file entry (checksums, urls).

    Returns:
        (path of the verified file, its sha256).
    """
    fentry = fentry if fentry is not None else file_entry(dataset, filename)
    if path is not None:
        check_existing_path("path", path, f"a folder holding {filename!r} of {dataset}, or that file")
    if path is not None and Path(path).is_file():
        return Path(path), verify(Path(path), fentry)
    dirs = search_dirs(dataset, path)
    for d in dirs:
        candidate = d / filename
        if candidate.is_file():
            return candidate, verify(candidate, fentry)
    urls = fentry.get("urls") or []
    target = cache_dir() / filename
    if urls and download_allowed(allow_download):
        errors = []
        for url in urls:
            try:
                _download(url, target, fentry)
                return target, verify(target, fentry)
            except ChecksumError:
                raise
            except OSError as exc:  # network errors: try the next mirror
                errors.append(f"{url}: {exc}")
        raise FileNotFoundError(f"could not download {filename}: " + "; ".join(errors))
    how = (f"download it from {urls[0]}" if urls else fentry.get("manual", "no public URL known"))
    pkg = entry(dataset).get("debian_package")
    if pkg:
        how += (f"; on Debian/Ubuntu without root: python -m lossfns.datasets.debian {dataset} "
                f"(apt-get download {pkg}, extracted into {cache_dir()})")
    hint = "" if not urls else " (or allow the download: allow_download=True or LOSSFNS_ALLOW_DOWNLOAD=1)"
    searched = ", ".join(str(d) for d in dirs)
    put = dirs[0] if dirs[0] != PACKAGE_DATA_DIR else cache_dir()  # never into site-packages
    raise FileNotFoundError(
        f"{dataset}: file {filename!r} not found. Searched: {searched}. "
        f"Put it in {put} (or set LOSSFNS_DATA_DIR to its folder); {how}{hint}.")


def make_metadata(dataset: str, *, source, sha256, positive_class=None, is_stand_in=False,
                  name=None, **extra) -> dict:
    """Standard metadata dict for a loaded dataset."""
    e = entry(dataset) if dataset in registry() else {}
    meta = {
        "name": name or dataset,
        "dataset": dataset,
        "positive_class": positive_class if positive_class is not None else e.get("positive_class"),
        "is_stand_in": bool(is_stand_in),
        "source": source,
        "sha256": sha256,
        "licence": e.get("licence"),
        "citation": e.get("citation"),
    }
    meta.update(extra)
    return meta
