"""Writers of small files in the real formats of the data sets (for loader tests)."""
from __future__ import annotations

import gzip
import io
import pickle
import tarfile

import numpy as np


def write_idx_gz(path, arr: np.ndarray) -> None:
    arr = np.asarray(arr, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + arr.tobytes())


def write_fashion(folder, n_train=40, n_test=20, seed=0) -> None:
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx_gz(folder / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        write_idx_gz(folder / f"{prefix}-labels-idx1-ubyte.gz", np.arange(n) % 10)


def write_cifar_tarball(path, n_per_batch=10, seed=0) -> None:
    rng = np.random.default_rng(seed)
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            d = {b"data": rng.integers(0, 256, (n_per_batch, 3072)).astype(np.uint8),
                 b"labels": list(np.arange(n_per_batch) % 10)}
            raw = pickle.dumps(d)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))


ADULT_ROWS = [
    "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K",
    "50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, White, Male, 0, 0, 13, United-States, >50K",
    "38, ?, 215646, HS-grad, 9, Divorced, ?, Not-in-family, White, Male, 0, 0, 40, ?, <=50K",
]


def write_adult(folder, with_pipe_line=True) -> None:
    (folder / "adult.data").write_text("\n".join(ADULT_ROWS) + "\n\n")
    test = [r + "." for r in ADULT_ROWS[::-1]]
    head = "|1x3 Cross validator\n" if with_pipe_line else ""
    (folder / "adult.test").write_text(head + "\n".join(test) + "\n")


def write_creditcard(path, n=20, seed=0) -> None:
    rng = np.random.default_rng(seed)
    cols = ["Time"] + [f"V{i}" for i in range(1, 29)] + ["Amount", "Class"]
    lines = [",".join(f'"{c}"' for c in cols)]
    for k in range(n):
        vals = [str(k)] + [f"{v:.6f}" for v in rng.standard_normal(28)] + [f"{k * 10.0:.2f}", f'"{int(k % 5 == 0)}"']
        lines.append(",".join(vals))
    path.write_text("\n".join(lines) + "\n")
