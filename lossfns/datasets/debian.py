"""Fetch a dataset from its Debian package without root: ``apt-get download`` + ``dpkg-deb -x``.

``python -m lossfns.datasets.debian fashion-mnist`` downloads the package named by the
registry's ``debian_package`` (``dataset-fashion-mnist``) into a temporary folder, extracts it,
verifies every file of the dataset against the registry (Debian re-compresses Fashion-MNIST's
files, so they are checked by the sha256 of their decompressed bytes, ``content_sha256``) and
moves them into the user cache (``LOSSFNS_CACHE_DIR`` or ``~/.cache/lossfns``), where the
loaders look. Nothing is left half-written: files are verified in the temporary folder and
renamed into place one by one. ``make data`` (a prerequisite of ``make reproduce``) runs it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .registry import ChecksumError, cache_dir, entry, search_dirs, verify

__all__ = ["fetch_debian", "main"]


def _have_all(dataset: str) -> bool:
    files = entry(dataset)["files"]
    for fname, fentry in files.items():
        found = [d / fname for d in search_dirs(dataset) if (d / fname).is_file()]
        if not found:
            return False
        try:
            verify(found[0], fentry)
        except ChecksumError:
            return False
    return True


def fetch_debian(dataset: str, *, dest: Path | None = None, apt_get: str = "apt-get",
                 dpkg_deb: str = "dpkg-deb", force: bool = False) -> Path:
    """Fetch ``dataset``'s files from its Debian package into ``dest`` (default: the cache).

    Returns ``dest``. Raises ``ValueError`` for a dataset without a Debian package,
    ``FileNotFoundError`` when apt-get/dpkg-deb are missing, ``RuntimeError`` when they fail,
    and :class:`ChecksumError` when an extracted file does not match the registry.
    """
    e = entry(dataset)
    pkg, sub = e.get("debian_package"), e.get("debian_path")
    if not pkg or not sub:
        raise ValueError(f"dataset {dataset!r} has no Debian package in the registry")
    dest = Path(dest) if dest is not None else cache_dir()
    if not force and dest == cache_dir() and _have_all(dataset):
        return dest
    for tool in (apt_get, dpkg_deb):
        if shutil.which(tool) is None:
            raise FileNotFoundError(f"{tool!r} not found: fetching {pkg} needs Debian's apt-get and dpkg-deb")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lossfns-deb-") as tmp:
        tmp = Path(tmp)
        run = subprocess.run([apt_get, "download", pkg], cwd=tmp, capture_output=True, text=True)
        debs = sorted(tmp.glob("*.deb"))
        if run.returncode != 0 or not debs:
            raise RuntimeError(f"apt-get download {pkg} failed (exit {run.returncode}): {run.stderr.strip()[-500:]}")
        root = tmp / "x"
        ext = subprocess.run([dpkg_deb, "-x", str(debs[0]), str(root)], capture_output=True, text=True)
        if ext.returncode != 0:
            raise RuntimeError(f"dpkg-deb -x {debs[0].name} failed: {ext.stderr.strip()[-500:]}")
        staged = []
        for fname, fentry in e["files"].items():
            src = root / sub / fname
            if not src.is_file():
                raise FileNotFoundError(f"{debs[0].name} has no {sub}/{fname}")
            verify(src, fentry)
            staged.append((src, dest / fname))
        for src, target in staged:   # all verified: move into place, each rename atomic
            part = target.with_name(target.name + ".part")
            shutil.copyfile(src, part)
            os.replace(part, target)
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.datasets.debian",
                                 description="fetch a dataset from its Debian package (no root needed)")
    ap.add_argument("dataset", help="registry name, e.g. fashion-mnist")
    ap.add_argument("--dest", type=Path, default=None, help="target folder (default: the lossfns cache)")
    ap.add_argument("--force", action="store_true", help="fetch even when verified files are present")
    args = ap.parse_args(argv)
    try:
        out = fetch_debian(args.dataset, dest=args.dest, force=args.force)
    except (ValueError, FileNotFoundError, RuntimeError, ChecksumError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.dataset}: files verified in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
