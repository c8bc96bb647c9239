"""Dataset registry, lookup order, checksums, loaders (on generated files), splits."""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from lossfns import datasets as ds
import importlib

reg = importlib.import_module("lossfns.datasets.registry")
from lossfns.training import splits as sp
from tests import _data_fixtures as fx

SHARED = next((p for p in [Path(__file__).resolve().parents[1].parent / "shared" / "datasets",
                           Path("/work/shared/datasets")] if (p / "adult.data").is_file()), None)
needs_shared = pytest.mark.skipif(SHARED is None, reason="../shared/datasets not present")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSFNS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LOSSFNS_DATA_DIR", raising=False)
    monkeypatch.delenv("LOSSFNS_ALLOW_DOWNLOAD", raising=False)


@pytest.fixture
def unverified(tmp_path, monkeypatch):
    """Registry copy without checksums, so generated files in the real format load."""
    data = json.loads(reg.REGISTRY_PATH.read_text())
    for name, e in data.items():
        if not name.startswith("_"):
            for f in e["files"].values():
                f["sha256"], f["md5"] = None, None
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(data))
    monkeypatch.setattr(reg, "REGISTRY_PATH", path)


# ---------------------------------------------------------------- registry


def test_registry_has_required_fields():
    for name, e in ds.registry().items():
        for key in ("files", "licence", "citation", "positive_class"):
            assert key in e, (name, key)
        for fname, f in e["files"].items():
            assert "sha256" in f and "urls" in f, (name, fname)


def test_committed_files_match_registry_and_readme():
    readme = (reg.REPO_DATA_DIR / "README.md").read_text()
    for name, fname in (("sonar", "sonar.all-data"), ("ionosphere", "ionosphere.data")):
        sha = ds.sha256_of(reg.REPO_DATA_DIR / fname)
        assert [sha] == ds.entry(name)["files"][fname]["sha256"]
        assert sha in readme


def test_sonar_and_ionosphere_positive_classes():
    s = ds.load_sonar()
    assert s.X.shape == (208, 60) and s.y.sum() == 111 and s.metadata["positive_class"] == "M"
    assert ds.load_sonar(positive="R").y.sum() == 97
    i = ds.load_ionosphere()
    assert i.X.shape == (351, 34) and i.y.sum() == 225 and i.metadata["positive_class"] == "g"
    assert not i.is_stand_in and len(i.metadata["sha256"]) == 64
    with pytest.raises(ValueError, match="positive"):
        ds.load_sonar(positive="X")


def test_ionosphere_40pct_test_split_has_90_positives():
    y = ds.load_ionosphere().y
    from sklearn.model_selection import train_test_split
    _, te = train_test_split(np.arange(len(y)), test_size=0.4, stratify=y, random_state=0)
    assert y[te].sum() == 90  # recalls in document 000 are multiples of 1/90


# ---------------------------------------------------------------- lookup order


def test_lookup_order_explicit_env_repo(tmp_path, monkeypatch):
    src = reg.REPO_DATA_DIR / "sonar.all-data"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "sonar.all-data").write_bytes(src.read_bytes())
    (b / "sonar.all-data").write_bytes(src.read_bytes())
    monkeypatch.setenv("LOSSFNS_DATA_DIR", str(b))
    assert ds.locate("sonar", "sonar.all-data", path=a)[0] == a / "sonar.all-data"
    assert ds.locate("sonar", "sonar.all-data")[0] == b / "sonar.all-data"
    monkeypatch.delenv("LOSSFNS_DATA_DIR")
    assert ds.locate("sonar", "sonar.all-data")[0] == reg.REPO_DATA_DIR / "sonar.all-data"


def test_cache_is_searched(tmp_path, unverified):
    cache = Path(os.environ["LOSSFNS_CACHE_DIR"])
    cache.mkdir()
    fx.write_creditcard(cache / "creditcard.csv")
    assert ds.locate("creditcard", "creditcard.csv")[0] == cache / "creditcard.csv"


def test_checksum_mismatch_is_an_error(tmp_path):
    (tmp_path / "sonar.all-data").write_text("0.1,R\n")
    with pytest.raises(ds.ChecksumError, match="checksum mismatch"):
        ds.load_sonar(tmp_path)


def test_missing_file_message(tmp_path, monkeypatch):
    # Adult ships in data/: hide that folder so the lookup fails as on a machine without it
    monkeypatch.setattr(importlib.import_module("lossfns.datasets.registry"), "REPO_DATA_DIR", tmp_path / "no-data")
    monkeypatch.setenv("LOSSFNS_CACHE_DIR", str(tmp_path / "no-cache"))
    with pytest.raises(FileNotFoundError) as exc:
        ds.load_adult(tmp_path)
    msg = str(exc.value)
    assert "adult.data" in msg and str(tmp_path) in msg and "archive.ics.uci.edu" in msg
    assert "LOSSFNS_DATA_DIR" in msg and os.environ["LOSSFNS_CACHE_DIR"] in msg


class _FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def test_download_verified_then_renamed(tmp_path, monkeypatch):
    good = (reg.REPO_DATA_DIR / "sonar.all-data").read_bytes()
    monkeypatch.setattr(reg, "REPO_DATA_DIR", tmp_path / "empty")
    monkeypatch.setattr(reg.urllib.request, "urlopen", lambda url, timeout: _FakeResponse(good))
    with pytest.raises(FileNotFoundError):  # downloads are off by default
        ds.locate("sonar", "sonar.all-data")
    path, sha = ds.locate("sonar", "sonar.all-data", allow_download=True)
    assert path == Path(os.environ["LOSSFNS_CACHE_DIR"]) / "sonar.all-data" and path.read_bytes() == good


def test_bad_download_is_deleted(tmp_path, monkeypatch):
    monkeypatch.setattr(reg, "REPO_DATA_DIR", tmp_path / "empty")
    monkeypatch.setenv("LOSSFNS_ALLOW_DOWNLOAD", "1")
    monkeypatch.setattr(reg.urllib.request, "urlopen", lambda url, timeout: _FakeResponse(b"junk"))
    with pytest.raises(ds.ChecksumError):
        ds.locate("sonar", "sonar.all-data")
    cache = Path(os.environ["LOSSFNS_CACHE_DIR"])
    assert not cache.exists() or list(cache.iterdir()) == []


# ---------------------------------------------------------------- real shared files


@needs_shared
def test_adult_and_mammography_from_shared(monkeypatch):
    monkeypatch.setenv("LOSSFNS_DATA_DIR", str(SHARED))
    a = ds.load_adult()
    assert a.X.shape[0] == 48842 and a.y.sum() == 11687 and a.metadata["source"][0].startswith(str(SHARED))
    assert "fnlwgt" not in a.metadata["feature_names"]
    assert ds.load_adult(part="test").X.shape[0] == 16281
    m = ds.load_mammography()
    assert m.X.shape == (11183, 6) and m.y.sum() == 260


@needs_shared
def test_table8_class_weights(monkeypatch):
    """Document 003 Table 8 from the files; weights come from the training split.

    Mammography 0.51 / 21.55 reproduces exactly on the stratified 64% train
    split (the whole set gives 21.51). Adult: W_n = 0.66 reproduces; W_p is
    2.09 on the stratified split (2.08 on adult.data alone) vs the published
    2.07 -- an unstratified split explains it (registered as an ambiguity).
    """
    monkeypatch.setenv("LOSSFNS_DATA_DIR", str(SHARED))
    y = ds.load_mammography().y
    split = sp.train_val_test_split(y, sp.TABULAR_FRACTIONS, seed=0)
    assert [round(w, 2) for w in ds.class_weights(y[split.train])] == [0.51, 21.55]
    assert round(ds.class_weights(y)[1], 2) == 21.51
    y = ds.load_adult().y
    split = sp.train_val_test_split(y, sp.TABULAR_FRACTIONS, seed=0)
    wn, wp = ds.class_weights(y[split.train])
    assert round(wn, 2) == 0.66 and round(wp, 2) == 2.09


# ---------------------------------------------------------------- generated files


def test_adult_generated_skips_pipe_line_and_dot(tmp_path, unverified):
    fx.write_adult(tmp_path)
    a = ds.load_adult(tmp_path)
    assert a.X.shape[0] == 6 and a.y.tolist() == [0, 1, 0, 0, 1, 0]
    names = a.metadata["feature_names"]
    assert names[:5] == ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    assert "workclass_?" in names and "native-country_United-States" in names
    assert a.metadata["part_of_row"].tolist() == ["train"] * 3 + ["test"] * 3


def test_adult_test_checksum_ignores_uci_header(tmp_path):
    body = (SHARED / "adult.test").read_bytes() if SHARED else None
    if body is None:
        pytest.skip("../shared/datasets not present")
    (tmp_path / "adult.test").write_bytes(b"|1x3 Cross validator\n" + body)
    ds.verify(tmp_path / "adult.test", ds.entry("adult")["files"]["adult.test"])


def test_mammography_csv_and_arff(tmp_path, unverified):
    (tmp_path / "mammography.csv").write_text("0.1,0.2,0.3,0.4,0.5,0.6,'-1'\n1,2,3,4,5,6,'1'\n")
    m = ds.load_mammography(tmp_path)
    assert m.X.shape == (2, 6) and m.y.tolist() == [0, 1]
    arff = "@relation m\n@attribute a1 numeric\n" * 1 + "@data\n1,2,3,4,5,6,'1'\n0,0,0,0,0,0,'-1'\n"
    (tmp_path / "m.arff").write_text(arff)
    m = ds.load_mammography(tmp_path / "m.arff", filename="mammography.arff")
    assert m.y.tolist() == [1, 0] and m.X[0, 5] == 6


def test_creditcard_generated(tmp_path, unverified):
    fx.write_creditcard(tmp_path / "creditcard.csv", n=20)
    c = ds.load_creditcard(tmp_path)
    assert c.X.shape == (20, 29) and c.y.sum() == 4
    assert np.allclose(c.X[:, -1], np.log1p(np.arange(20) * 10.0))


def _cocktail_files(folder, frames=2, seed=0):
    rng = np.random.default_rng(seed)
    pos = ["frame,person,x,y,theta"]
    grp = ["frame,person,group"]
    for f in range(frames):
        for p in range(6):
            x, y, t = rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(-math.pi, math.pi)
            pos.append(f"{f},{p},{x},{y},{t}")
            grp.append(f"{f},{p},{p // 3}")  # two groups of three
    (folder / "cocktailparty_positions.csv").write_text("\n".join(pos))
    (folder / "cocktailparty_groups.csv").write_text("\n".join(grp))


def test_cocktailparty_generated(tmp_path, unverified):
    _cocktail_files(tmp_path)
    c = ds.load_cocktailparty(tmp_path)
    assert c.X.shape == (30, 22) and c.y.sum() == 2 * 6  # 2 frames x (3 + 3) same-group pairs
    assert np.allclose(c.X[:, 0], -c.X[:, 1]) and (c.X[:, 0] < 0).all()  # dyad on the x-axis
    cs = c.X[:, 2:6]
    assert np.allclose(cs[:, 0] ** 2 + cs[:, 1] ** 2, 1)


def test_cocktailparty_features_invariant_to_scene_motion():
    rng = np.random.default_rng(1)
    pos = np.column_stack([rng.normal(size=(6, 2)), rng.uniform(-3, 3, 6)])
    a = 0.7
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    moved = np.column_stack([pos[:, :2] @ R.T + [5.0, -2.0], pos[:, 2] + a])
    assert np.allclose(ds.cocktailparty_features(pos, 1, 4), ds.cocktailparty_features(moved, 1, 4))


def test_cifar10_tarball_generated(tmp_path, unverified):
    fx.write_cifar_tarball(tmp_path / "cifar-10-python.tar.gz")
    t = ds.load_cifar10_binary("transportation", tmp_path)
    assert t.X.shape == (60, 32, 32, 3) and t.y.mean() == pytest.approx(0.4) and not t.is_stand_in
    assert t.X.dtype == np.float32 and 0 <= t.X.min() and t.X.max() <= 1
    f = ds.load_cifar10_binary("frog", tmp_path, part="test")
    assert f.X.shape[0] == 10 and f.y.tolist() == [int(k == 6) for k in range(10)]


def test_fashion_idx_and_stand_ins(tmp_path, unverified):
    fx.write_fashion(tmp_path)
    X, y, meta = ds.load_fashion_mnist(tmp_path)
    assert X.shape == (60, 28, 28) and y.tolist()[:10] == list(range(10))
    s = ds.fashion_stand_in("cifar10-transportation", tmp_path)
    assert s.is_stand_in and s.name == "fashion-mnist stand-in for cifar10-transportation"
    assert s.y.mean() == pytest.approx(0.4)
    assert ds.fashion_stand_in("cifar10-frog", tmp_path).y.mean() == pytest.approx(0.1)
    mel = ds.fashion_stand_in("melanoma", tmp_path)
    assert len(mel.y) == 12 and mel.y.mean() == 0.5


def test_cifar_falls_back_to_stand_in(tmp_path, unverified, monkeypatch):
    fx.write_fashion(tmp_path)
    monkeypatch.setenv("LOSSFNS_DATA_DIR", str(tmp_path))
    with pytest.warns(ds.StandInWarning, match="cifar10-transportation"):
        t = ds.load_dataset("cifar10-transportation")
    assert t.is_stand_in and t.metadata["stand_in_for"] == "cifar10-transportation"
    with pytest.raises(FileNotFoundError, match="cifar-10-python.tar.gz"):
        ds.load_dataset("cifar10-frog", stand_in=False)


def test_stand_in_without_fashion_raises_clear_error(tmp_path):
    if any(Path(d).is_dir() for d in ds.entry("fashion-mnist").get("system_dirs", [])):
        pytest.skip("Fashion-MNIST is installed system-wide here")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        ds.load_dataset("cifar10-transportation", tmp_path)


def test_isic_folder_generated(tmp_path):
    from PIL import Image
    rows = ["image,MEL,NV"]
    sub = tmp_path / "ISIC_2019_Training_Input"
    sub.mkdir()
    for k in range(4):
        Image.fromarray(np.full((10, 12, 3), 60 * k, np.uint8)).save(sub / f"ISIC_{k:07d}.jpg")
        rows.append(f"ISIC_{k:07d},{float(k % 2)},{float(1 - k % 2)}")
    (tmp_path / "ISIC_2019_Training_GroundTruth.csv").write_text("\n".join(rows))
    d = ds.load_isic_folder(tmp_path, image_size=8, stand_in=False)
    assert d.X.shape == (4, 8, 8, 3) and d.y.tolist() == [0, 1, 0, 1] and not d.is_stand_in


def test_generated_stand_ins_and_synthetic():
    c = ds.load_dataset("creditcard", stand_in=True)
    assert c.is_stand_in and c.X.shape == (284807, 29) and c.y.sum() == 492
    assert c.name == "generated stand-in for creditcard"
    cp = ds.generated_stand_in("cocktailparty", seed=1)
    assert cp.X.shape == (4800, 22) and cp.y.sum() == 1454
    s33, s5 = ds.load_synthetic("synthetic-33"), ds.load_synthetic("synthetic-5")
    assert s33.y.mean() == pytest.approx(1 / 3, abs=1e-3) and s5.y.mean() == pytest.approx(0.0476, abs=1e-3)
    assert np.array_equal(ds.load_synthetic("synthetic-5").X, s5.X)


def test_load_dataset_auto_stand_in_when_missing(tmp_path):
    with pytest.warns(ds.StandInWarning, match="cocktailparty"):
        d = ds.load_dataset("cocktailparty", tmp_path)
    assert d.is_stand_in
    with pytest.raises(FileNotFoundError, match="cocktailparty_positions.csv"):
        ds.load_dataset("cocktailparty", tmp_path, stand_in=False)


# ---------------------------------------------------------------- silent data (issue 19)


@contextlib.contextmanager
def no_warnings():
    """Every warning inside is recorded; the block must emit none."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("missing", ["no/such/folder", "tmp/no-such-file.csv"])
def test_a_path_that_does_not_exist_is_an_error_naming_it(tmp_path, missing):
    # it used to return the shipped Sonar (the lookup went on to data/)
    bad = str(tmp_path / missing) if missing.startswith("tmp/") else missing
    msg = (r"path must be an existing folder or file \(a folder holding 'sonar.all-data' of sonar, or "
           rf"that file\), got '{re.escape(bad)}', which does not exist")
    with pytest.raises(ValueError, match=msg):
        ds.load_dataset("sonar", path=bad)
    with pytest.raises(ValueError, match=msg):
        ds.load_sonar(bad)
    with pytest.raises(ValueError, match=msg):
        ds.locate("sonar", "sonar.all-data", path=bad)


def test_a_missing_path_is_not_replaced_by_a_stand_in(tmp_path):
    missing = tmp_path / "no-such-folder"
    for call in (lambda: ds.load_dataset("creditcard", missing),
                 lambda: ds.load_dataset("cocktailparty", missing, stand_in="if_missing"),
                 lambda: ds.load_dataset("cifar10-frog", missing),
                 lambda: ds.load_isic_folder(missing)):
        with pytest.raises(ValueError, match=f"path must be an existing folder or file .*{re.escape(str(missing))}"):
            call()


def test_an_existing_path_still_searches_as_documented(tmp_path):
    # an existing folder without the file keeps the documented lookup order (shipped data next)
    assert ds.load_sonar(tmp_path).metadata["source"] == str(reg.REPO_DATA_DIR / "sonar.all-data")
    own = tmp_path / "sonar.all-data"
    own.write_bytes((reg.REPO_DATA_DIR / "sonar.all-data").read_bytes())
    assert ds.load_dataset("sonar", path=own).metadata["source"] == str(own)


def test_implicit_generated_stand_in_warns_what_it_cannot_show():
    with pytest.warns(ds.StandInWarning) as record:
        c = ds.load_dataset("creditcard")
    assert c.is_stand_in and c.X.shape == (284807, 29)
    assert len(record) == 1 and issubclass(record[0].category, UserWarning)
    msg = str(record[0].message)
    assert msg.startswith("creditcard: the real data was not found (creditcard: file 'creditcard.csv' not found.")
    assert ds.STAND_IN_LIMITS["creditcard"] in msg and "feature structure" in msg
    assert "stand_in=True" in msg and "stand_in=False" in msg
    assert record[0].filename == __file__  # attributed to the caller's line, not the loader's


@pytest.mark.parametrize("stand_in", [True, "if_missing"])
def test_explicit_stand_in_does_not_warn(stand_in):
    with no_warnings():
        c = ds.load_dataset("cocktailparty", stand_in=stand_in)
        g = ds.generated_stand_in("creditcard", n_rows=1000)
    assert c.is_stand_in and c.X.shape == (4800, 22) and g.is_stand_in


def test_image_stand_ins_warn_only_when_implicit(tmp_path, unverified, monkeypatch):
    fx.write_fashion(tmp_path)
    monkeypatch.setenv("LOSSFNS_DATA_DIR", str(tmp_path))
    for call, target in ((lambda s: ds.load_dataset("cifar10-frog", stand_in=s), "cifar10-frog"),
                         (lambda s: ds.load_cifar10_binary("transportation", stand_in=s), "cifar10-transportation"),
                         (lambda s: ds.load_isic_folder(stand_in=s), "melanoma"),
                         (lambda s: ds.load_dataset("melanoma", stand_in=s), "melanoma")):
        with pytest.warns(ds.StandInWarning, match=f"^{target}: the real data was not found .*STAND-IN"):
            assert call("auto").metadata["stand_in_for"] == target
        with no_warnings():
            assert call("if_missing").is_stand_in and call(True).is_stand_in
            ds.fashion_stand_in(target)
        with pytest.raises(FileNotFoundError):
            call(False)


def test_stand_in_argument_is_checked():
    for bad in (1, "yes", None):
        with pytest.raises(ValueError, match=rf"stand_in must be True, False or one of \('auto', 'if_missing'\), got {bad!r}"):
            ds.load_dataset("cocktailparty", stand_in=bad)
    with pytest.raises(ValueError, match="stand_in must be"):
        ds.load_cifar10_binary("frog", stand_in="always")
    with pytest.raises(ValueError, match="stand_in must be"):
        ds.load_isic_folder(stand_in=0)


def test_protocol_loader_asks_for_its_stand_in():
    # lossfns.experiments.doc003.tabular.load accepts the labelled stand-in knowingly:
    # the notebooks that use it must print no StandInWarning
    from lossfns.experiments.doc003 import tabular as T
    with no_warnings():
        d = T.load("cocktailparty", stand_in_rows=300)
    assert d.is_stand_in and len(d.y) == 300


# ---------------------------------------------------------------- splits


def test_stratified_kfold_recorded_and_deterministic():
    y = ds.load_sonar().y
    a = sp.stratified_kfold(y, 10, n_repeats=2, seed=3)
    b = sp.stratified_kfold(y, 10, n_repeats=2, seed=3)
    assert len(a) == 20 and all(np.array_equal(x.test, z.test) for x, z in zip(a, b))
    assert (a[0].repeat, a[0].fold, a[-1].repeat, a[-1].fold, a[0].seed) == (0, 0, 1, 9, 3)
    for s in a[:10]:
        assert abs(y[s.test].mean() - y.mean()) < 0.06
    assert sorted(np.concatenate([s.test for s in a[:10]]).tolist()) == list(range(208))
    assert set(a[0].record()) >= {"train", "test", "repeat", "fold", "seed"}


def test_three_way_splits():
    y = (np.arange(1000) % 4 == 0).astype(int)
    s = sp.train_val_test_split(y, sp.TABULAR_FRACTIONS, seed=0)
    assert (len(s.train), len(s.test), len(s.val)) == (640, 200, 160)
    assert len(set(s.train) | set(s.test) | set(s.val)) == 1000
    assert y[s.train].mean() == pytest.approx(0.25, abs=0.01)
    s = sp.train_val_test_split(y, sp.IMAGE_FRACTIONS, seed=0)
    assert abs(len(s.train) - 663) <= 1
    with pytest.raises(ValueError, match="fractions"):
        sp.train_val_test_split(y, (0.5, 0.5))


def test_standardize_fits_on_train_only():
    rng = np.random.default_rng(0)
    tr, te = rng.normal(5, 2, (50, 3)), rng.normal(0, 1, (20, 3))
    a, b, scaler = sp.standardize(tr, te)
    assert np.allclose(a.mean(0), 0) and np.allclose(a.std(0), 1)
    assert np.allclose(b, (te - tr.mean(0)) / tr.std(0))


def test_synthetic_centres_fixed_across_seeds():
    # issue 11: the difficulty must not change with the seed (make_blobs' random centres did:
    # centre distance 3.6, 11.8, 8.5, 6.5, 3.4 for seeds 0-4)
    for seed in range(5):
        s = ds.load_synthetic("synthetic-33", seed=seed)
        mu0, mu1 = s.X[s.y == 0].mean(0), s.X[s.y == 1].mean(0)
        # 5,000 negatives and 2,500 positives of unit variance: class means within 0.1 of
        # the centres (standard errors 0.014 and 0.02)
        assert np.allclose(mu0, [0.0, 0.0], atol=0.1) and np.allclose(mu1, [2.0, 0.0], atol=0.1)
        assert s.metadata["centre_distance"] == 2.0
    assert not np.array_equal(ds.load_synthetic("synthetic-5", seed=0).X, ds.load_synthetic("synthetic-5", seed=1).X)
    with pytest.raises(ValueError, match="distance"):
        ds.synthetic_centres(2, -1.0)
    with pytest.raises(ValueError, match="n_features"):
        ds.synthetic_centres(0)
