"""Image data sets: CIFAR-10 binary tasks, Fashion-MNIST, ISIC folders, stand-ins.

Images are returned as float32 in [0, 1]: CIFAR-10 (n, 32, 32, 3),
Fashion-MNIST (n, 28, 28), ISIC (n, size, size, 3).
"""
from __future__ import annotations

import gzip
import pickle
import tarfile
from pathlib import Path

import numpy as np

from .registry import Dataset, check_stand_in, locate, make_metadata, warn_stand_in

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck"]
CIFAR10_TASKS = {"transportation": ["airplane", "automobile", "ship", "truck"], "frog": ["frog"]}
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot"]
FASHION_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                 "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
# Stand-ins keep the class balance of the task they replace.
FASHION_STAND_INS = {
    # footwear (sandal, sneaker, ankle boot) + bag: 4 of 10 classes = 40%
    "cifar10-transportation": {"positive": ["Sandal", "Sneaker", "Bag", "Ankle boot"], "negative": None},
    # one class of ten = 10%; shirt, the class most confused with others
    "cifar10-frog": {"positive": ["Shirt"], "negative": None},
    # balanced hard pair for the melanoma experiment of document 001
    "melanoma": {"positive": ["Shirt"], "negative": ["T-shirt/top"]},
}


def _check_part(part):
    if part not in ("all", "train", "test"):
        raise ValueError(f"part must be 'all', 'train' or 'test', got {part!r}")


# ----------------------------------------------------------------- CIFAR-10


def read_cifar10_tarball(file) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read ``cifar-10-python.tar.gz``: images uint8 (n, 32, 32, 3), labels (n,), part (n,)."""
    xs, ys, parts = [], [], []
    with tarfile.open(file, "r:gz") as tar:
        names = sorted(m.name for m in tar.getmembers() if m.isfile())
        batches = [n for n in names if Path(n).name.startswith("data_batch_")]
        batches += [n for n in names if Path(n).name == "test_batch"]
        if not batches:
            raise ValueError(f"{file}: no data_batch_*/test_batch members")
        for name in batches:
            d = pickle.load(tar.extractfile(name), encoding="bytes")
            data = np.asarray(d[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
            xs.append(data.transpose(0, 2, 3, 1))
            ys.append(np.asarray(d[b"labels"], dtype=np.int64))
            parts += ["test" if name.endswith("test_batch") else "train"] * len(ys[-1])
    return np.concatenate(xs), np.concatenate(ys), np.asarray(parts)


def load_cifar10_binary(task: str, path=None, *, part: str = "all", allow_download=None,
                        stand_in: bool | str = "auto") -> Dataset:
    """CIFAR-10-Transportation (airplane, automobile, ship, truck = 1) or CIFAR-10-Frog.

    ``path``: a folder holding ``cifar-10-python.tar.gz``, or that file; it must exist.
    ``stand_in``: "auto" (default) falls back to the Fashion-MNIST stand-in with the
    same balance when the tarball is unreachable, with a
    :class:`~lossfns.datasets.registry.StandInWarning` saying what the stand-in cannot
    show; "if_missing" falls back without the warning (the caller accepts the stand-in
    knowingly); True forces it (no warning); False never (the missing-file error).
    """
    if task not in CIFAR10_TASKS:
        raise ValueError(f"task must be one of {sorted(CIFAR10_TASKS)}, got {task!r}")
    _check_part(part)
    mode = check_stand_in(stand_in)
    if mode is not True:
        try:
            file, sha = locate("cifar10", "cifar-10-python.tar.gz", path=path,
                               allow_download=allow_download)
        except FileNotFoundError as exc:
            if mode is False:
                raise
            ds = fashion_stand_in(f"cifar10-{task}", part=part)
            if mode == "auto":
                warn_stand_in(f"cifar10-{task}", exc)
            return ds
        X, lab, parts = read_cifar10_tarball(file)
        keep = np.ones(len(lab), bool) if part == "all" else parts == part
        pos = [CIFAR10_CLASSES.index(c) for c in CIFAR10_TASKS[task]]
        meta = make_metadata("cifar10", source=str(file), sha256=sha, name=f"cifar10-{task}",
                             positive_class="+".join(CIFAR10_TASKS[task]), part=part,
                             part_of_row=parts[keep])
        return Dataset(X[keep].astype(np.float32) / 255.0,
                       np.isin(lab[keep], pos).astype(np.int64), meta)
    return fashion_stand_in(f"cifar10-{task}", part=part)


# ----------------------------------------------------------------- Fashion-MNIST


def read_idx_gz(file) -> np.ndarray:
    """Read a gzipped IDX file (ubyte data) into a numpy array."""
    with gzip.open(file, "rb") as fh:
        raw = fh.read()
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{file}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{file}: header says {shape} but holds {data.size} values")
    return data.reshape(shape)


def load_fashion_mnist(path=None, *, part: str = "all", allow_download=None):
    """Fashion-MNIST images float32 (n, 28, 28) in [0, 1], labels 0..9, metadata dict."""
    _check_part(part)
    xs, ys, srcs, shas = [], [], [], []
    for p in (["train", "test"] if part == "all" else [part]):
        for fname, store in zip(FASHION_FILES[p], (xs, ys)):
            f, sha = locate("fashion-mnist", fname, path=path, allow_download=allow_download)
            store.append(read_idx_gz(f))
            srcs.append(str(f))
            shas.append(sha)
    X, y = np.concatenate(xs), np.concatenate(ys).astype(np.int64)
    if len(X) != len(y):
        raise ValueError(f"fashion-mnist: {len(X)} images but {len(y)} labels")
    meta = make_metadata("fashion-mnist", source=srcs, sha256=shas, positive_class=None, part=part)
    return X.astype(np.float32) / 255.0, y, meta


def load_fashion_mnist_ci_subset(path=None):
    """The committed subset of Fashion-MNIST (``data/fashion-mnist-tshirt-shirt-t10k.npz``):
    every T-shirt/top (0) and Shirt (6) image of the test split, in file order, verified by
    its checksum. Images float32 (2000, 28, 28) in [0, 1], labels 0/6, metadata. For quick
    profiles and CI, where the full data set (Debian package) may be absent."""
    f, sha = locate("fashion-mnist-ci-subset", "fashion-mnist-tshirt-shirt-t10k.npz", path=path)
    with np.load(f) as d:
        X, y = d["images"].astype(np.float32) / 255.0, d["labels"].astype(np.int64)
    meta = make_metadata("fashion-mnist-ci-subset", source=[str(f)], sha256=[sha], positive_class=None,
                         part="test (T-shirt/top and Shirt only)")
    return X, y, meta


def fashion_stand_in(target: str, path=None, *, part: str = "all", allow_download=None) -> Dataset:
    """Fashion-MNIST binary stand-in for ``target`` (keys of ``FASHION_STAND_INS``).

    Raises the missing-file error of :func:`load_fashion_mnist` when
    Fashion-MNIST is not on disk.
    """
    if target not in FASHION_STAND_INS:
        raise ValueError(f"target must be one of {sorted(FASHION_STAND_INS)}, got {target!r}")
    rule = FASHION_STAND_INS[target]
    X, lab, meta = load_fashion_mnist(path, part=part, allow_download=allow_download)
    pos = [FASHION_CLASSES.index(c) for c in rule["positive"]]
    keep = np.ones(len(lab), bool)
    if rule["negative"] is not None:
        keep = np.isin(lab, pos + [FASHION_CLASSES.index(c) for c in rule["negative"]])
    meta.update(name=f"fashion-mnist stand-in for {target}", is_stand_in=True, stand_in_for=target,
                positive_class="+".join(rule["positive"]),
                negative_class="+".join(rule["negative"]) if rule["negative"] else "other classes")
    return Dataset(X[keep], np.isin(lab[keep], pos).astype(np.int64), meta)


# ----------------------------------------------------------------- ISIC


def load_isic_folder(path=None, *, image_size: int = 64, limit: int | None = None,
                     stand_in: bool | str = "auto") -> Dataset:
    """An ISIC-format folder: ground-truth CSV (``image`` + ``MEL`` columns) and images.

    Images ``<image>.jpg`` (or .png) are looked up beside the CSV and in
    ``ISIC_2019_Training_Input/``, resized to ``image_size`` square (Pillow),
    returned float32 (n, image_size, image_size, 3); label MEL (melanoma) = 1.
    ``limit`` keeps the first rows. ``path`` must exist when given. ``stand_in`` as in
    :func:`load_cifar10_binary` (stand-in: Fashion-MNIST shirt vs T-shirt/top, balanced;
    "auto" warns when it falls back, "if_missing" does not).
    """
    import pandas as pd

    mode = check_stand_in(stand_in)
    if mode is True:
        return fashion_stand_in("melanoma")
    try:
        csv, sha = locate("isic", "ISIC_2019_Training_GroundTruth.csv", path=path, allow_download=False)
    except FileNotFoundError as exc:
        csvs = sorted(Path(path).glob("*GroundTruth*.csv")) if path is not None and Path(path).is_dir() else []
        if csvs:
            csv, sha = csvs[0], None
        elif mode is False:
            raise
        else:
            ds = fashion_stand_in("melanoma")
            if mode == "auto":
                warn_stand_in("melanoma", exc)
            return ds
    from PIL import Image

    gt = pd.read_csv(csv)
    for col in ("image", "MEL"):
        if col not in gt.columns:
            raise ValueError(f"{csv}: ground-truth CSV has no {col!r} column")
    if limit is not None:
        gt = gt.iloc[: int(limit)]
    folders = [Path(csv).parent, Path(csv).parent / "ISIC_2019_Training_Input"]
    images = []
    for name in gt["image"]:
        files = [f / f"{name}{ext}" for f in folders for ext in (".jpg", ".jpeg", ".png")]
        found = next((f for f in files if f.is_file()), None)
        if found is None:
            raise FileNotFoundError(f"ISIC image {name!r} not found in {[str(f) for f in folders]}")
        with Image.open(found) as im:
            im = im.convert("RGB").resize((image_size, image_size), Image.BILINEAR)
            images.append(np.asarray(im, dtype=np.float32) / 255.0)
    meta = make_metadata("isic", source=str(csv), sha256=sha, name="isic-melanoma",
                         positive_class="MEL", image_size=image_size)
    return Dataset(np.stack(images), (gt["MEL"].to_numpy() > 0.5).astype(np.int64), meta)
