"""Fetching a dataset from its Debian package, on a generated package (no network)."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import stat
import subprocess

import importlib

import pytest

from lossfns.datasets import debian

registry = importlib.import_module("lossfns.datasets.registry")

pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs Debian's dpkg-deb")


def _fake_entry(tmp_path, content: bytes, good: bool = True):
    pkgroot = tmp_path / "pkg"
    (pkgroot / "DEBIAN").mkdir(parents=True)
    (pkgroot / "DEBIAN" / "control").write_text(
        "Package: dataset-fake\nVersion: 1\nArchitecture: all\nMaintainer: x <x@y>\nDescription: fake\n")
    d = pkgroot / "usr/share/datasets/fake"
    d.mkdir(parents=True)
    with gzip.GzipFile(d / "a.gz", "wb", mtime=0) as fh:
        fh.write(content)
    deb = tmp_path / "dataset-fake_1_all.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(pkgroot), str(deb)], check=True,
                   capture_output=True)
    fake_apt = tmp_path / "apt-get"
    fake_apt.write_text(f"#!/bin/sh\ncp {deb} .\n")
    fake_apt.chmod(fake_apt.stat().st_mode | stat.S_IEXEC)
    digest = hashlib.sha256(content if good else b"other").hexdigest()
    return {"files": {"a.gz": {"sha256": ["0" * 64], "content_sha256": [digest]}},
            "debian_package": "dataset-fake", "debian_path": "usr/share/datasets/fake"}, str(fake_apt)


def test_fetch_verifies_decompressed_content_and_moves_into_place(tmp_path, monkeypatch):
    e, apt = _fake_entry(tmp_path, b"idx bytes")
    monkeypatch.setattr(debian, "entry", lambda name: e)
    out = debian.fetch_debian("fake", dest=tmp_path / "cache", apt_get=apt)
    assert (out / "a.gz").is_file() and not list(out.glob("*.part"))
    assert registry.content_sha256_of(out / "a.gz") == hashlib.sha256(b"idx bytes").hexdigest()


def test_fetch_rejects_a_mismatch_and_leaves_nothing(tmp_path, monkeypatch):
    e, apt = _fake_entry(tmp_path, b"idx bytes", good=False)
    monkeypatch.setattr(debian, "entry", lambda name: e)
    with pytest.raises(registry.ChecksumError, match="decompressed sha256"):
        debian.fetch_debian("fake", dest=tmp_path / "cache", apt_get=apt)
    assert not (tmp_path / "cache" / "a.gz").exists()


def test_fetch_errors_name_the_problem(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="no Debian package"):
        debian.fetch_debian("sonar", dest=tmp_path)
    e, _ = _fake_entry(tmp_path, b"x")
    monkeypatch.setattr(debian, "entry", lambda name: e)
    with pytest.raises(FileNotFoundError, match="not found"):
        debian.fetch_debian("fake", dest=tmp_path / "c", apt_get="no-such-apt-get")
