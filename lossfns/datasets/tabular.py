"""Loaders for the tabular data sets of documents 000 and 003.

Every loader returns a :class:`~lossfns.datasets.registry.Dataset` with
``X`` float64 of shape (n, d), ``y`` int64 0/1 of shape (n,) and metadata.
No loader standardises: scaling is fitted on a training split
(:mod:`lossfns.training.splits`).
"""
from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .registry import Dataset, entry, locate, make_metadata

# ----------------------------------------------------------------- 000 data


def _uci_label_last(name: str, filename: str, positive, path, allow_download) -> Dataset:
    e = entry(name)
    positive = e["positive_class"] if positive is None else positive
    if positive not in e["labels"]:
        raise ValueError(f"positive must be one of {e['labels']}, got {positive!r}")
    file, sha = locate(name, filename, path=path, allow_download=allow_download)
    df = pd.read_csv(file, header=None)
    labels = df.iloc[:, -1].astype(str).str.strip()
    unknown = set(labels) - set(e["labels"])
    if unknown:
        raise ValueError(f"{file}: unexpected labels {sorted(unknown)}")
    X = df.iloc[:, :-1].to_numpy(dtype=np.float64)
    y = (labels == positive).to_numpy().astype(np.int64)
    meta = make_metadata(name, source=str(file), sha256=sha, positive_class=positive,
                         positive_class_note=e.get("positive_class_note"))
    return Dataset(X, y, meta)


def load_sonar(path=None, *, positive: str | None = None, allow_download=None) -> Dataset:
    """UCI Sonar: 208 x 60, positive 'M' (mine) unless ``positive='R'``."""
    return _uci_label_last("sonar", "sonar.all-data", positive, path, allow_download)


def load_ionosphere(path=None, *, positive: str | None = None, allow_download=None) -> Dataset:
    """UCI Ionosphere: 351 x 34, positive 'g' (good) unless ``positive='b'``."""
    return _uci_label_last("ionosphere", "ionosphere.data", positive, path, allow_download)


# ----------------------------------------------------------------- Adult

ADULT_COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
                 "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
                 "hours-per-week", "native-country", "income"]
ADULT_NUMERIC = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]


def _read_adult(file: Path) -> pd.DataFrame:
    text = Path(file).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("|")]
    df = pd.read_csv(io.StringIO("\n".join(lines)), header=None, names=ADULT_COLUMNS,
                     skipinitialspace=True, dtype=str)
    df["income"] = df["income"].str.strip().str.rstrip(".")
    return df


def load_adult(path=None, *, part: str = "all", allow_download=None) -> Dataset:
    """UCI Adult: adult.data (32,561) + adult.test (16,281) rows, positive '>50K'.

    adult.test's first line ('|1x3 Cross validator') is skipped and the trailing
    '.' of its labels removed. ``fnlwgt`` is dropped (document 003 supp. 4.1.3);
    the 5 numeric columns are kept, the 8 categoricals one-hot encoded over the
    union of both files ('?' is a category). ``part``: "all" | "train" | "test"
    (metadata ``part_of_row`` gives each row's file in "all").
    """
    if part not in ("all", "train", "test"):
        raise ValueError(f"part must be 'all', 'train' or 'test', got {part!r}")
    f_tr, sha_tr = locate("adult", "adult.data", path=path, allow_download=allow_download)
    f_te, sha_te = locate("adult", "adult.test", path=path, allow_download=allow_download)
    tr, te = _read_adult(f_tr), _read_adult(f_te)
    df = pd.concat([tr, te], ignore_index=True)
    bad = set(df["income"]) - {">50K", "<=50K"}
    if bad:
        raise ValueError(f"adult: unexpected labels {sorted(bad)}")
    cats = [c for c in ADULT_COLUMNS if c not in ADULT_NUMERIC + ["fnlwgt", "income"]]
    feats = pd.concat([df[ADULT_NUMERIC].astype(np.float64),
                       pd.get_dummies(df[cats], prefix=cats, dtype=np.float64)], axis=1)
    part_of_row = np.array(["train"] * len(tr) + ["test"] * len(te))
    keep = np.ones(len(df), bool) if part == "all" else part_of_row == part
    meta = make_metadata("adult", source=[str(f_tr), str(f_te)], sha256=[sha_tr, sha_te],
                         positive_class=">50K", part=part, part_of_row=part_of_row[keep],
                         feature_names=list(feats.columns))
    return Dataset(feats.to_numpy()[keep], (df["income"] == ">50K").to_numpy()[keep].astype(np.int64),
                   meta)


# ----------------------------------------------------------------- Mammography


def _read_openml_table(file: Path) -> tuple[np.ndarray, np.ndarray]:
    """Rows of an OpenML CSV (with or without header) or ARFF: features, raw labels."""
    rows = []
    in_data = not str(file).lower().endswith(".arff")
    for line in Path(file).read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        if s.startswith("@"):
            in_data = in_data or s.lower().startswith("@data")
            continue
        if in_data:
            rows.append([c.strip().strip("'\"") for c in s.split(",")])
    try:
        float(rows[0][0])
    except ValueError:  # CSV header line
        rows = rows[1:]
    X = np.array([r[:-1] for r in rows], dtype=np.float64)
    return X, np.array([r[-1] for r in rows])


def load_mammography(path=None, *, filename: str = "mammography.csv", allow_download=None) -> Dataset:
    """OpenML 310 Mammography: 11,183 x 6, label '1' (positive) / '-1'.

    Reads the CSV (labels quoted or not, header optional) or the ARFF export
    (pass ``filename='mammography.arff'`` with ``path`` to the file or folder).
    """
    fentry = None if filename == "mammography.csv" else {"sha256": None}
    file, sha = locate("mammography", filename, path=path, allow_download=allow_download,
                       fentry=fentry)
    X, raw = _read_openml_table(file)
    bad = set(raw) - {"1", "-1"}
    if bad:
        raise ValueError(f"{file}: unexpected labels {sorted(bad)}")
    return Dataset(X, (raw == "1").astype(np.int64),
                   make_metadata("mammography", source=str(file), sha256=sha))


# ----------------------------------------------------------------- Kaggle credit card

CREDITCARD_COLUMNS = ["Time"] + [f"V{i}" for i in range(1, 29)] + ["Amount", "Class"]


def load_creditcard(path=None, *, allow_download=None) -> Dataset:
    """Kaggle credit-card fraud (``creditcard.csv``: Time,V1..V28,Amount,Class).

    Time is dropped and Amount replaced by log(1 + Amount) (document 003
    supp. 4.1.5): 29 features; positive Class 1 (fraud).
    """
    file, sha = locate("creditcard", "creditcard.csv", path=path, allow_download=allow_download)
    df = pd.read_csv(file)
    missing = [c for c in CREDITCARD_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{file}: not the Kaggle layout, missing columns {missing}")
    X = df[[f"V{i}" for i in range(1, 29)]].to_numpy(np.float64)
    X = np.column_stack([X, np.log1p(df["Amount"].to_numpy(np.float64))])
    y = df["Class"].astype(str).str.strip().astype(int).to_numpy(np.int64)
    return Dataset(X, y, make_metadata("creditcard", source=str(file), sha256=sha,
                                       feature_names=[f"V{i}" for i in range(1, 29)] + ["log1p(Amount)"]))


# ----------------------------------------------------------------- CocktailParty


def cocktailparty_features(positions: np.ndarray, i: int, j: int) -> np.ndarray:
    """22 dyad features of document 003 supp. 4.1.2 for persons ``i``, ``j``.

    Args:
        positions: (6, 3) array of (x, y, theta) for the six people of a frame,
            theta the orientation in radians.
    Returns:
        (22,) array: coordinates are translated so the origin is halfway
        between i and j and rotated so that i lies on the negative and j on
        the positive x-axis. Then [x_i, x_j, cos t_i, sin t_i, cos t_j, sin t_j]
        (the dyad's y are 0 and dropped) followed by (x, y, cos t, sin t) of
        the other four people sorted by distance to the origin: 6 + 16 = 22.
    """
    xy, theta = positions[:, :2], positions[:, 2]
    mid = (xy[i] + xy[j]) / 2.0
    d = xy[j] - xy[i]
    phi = math.atan2(d[1], d[0])
    c, s = math.cos(-phi), math.sin(-phi)
    rot = (xy - mid) @ np.array([[c, s], [-s, c]])  # row vectors rotated by -phi
    t = theta - phi
    others = sorted((k for k in range(len(positions)) if k not in (i, j)),
                    key=lambda k: (float(np.hypot(*rot[k])), k))
    f = [rot[i, 0], rot[j, 0], math.cos(t[i]), math.sin(t[i]), math.cos(t[j]), math.sin(t[j])]
    for k in others:
        f += [rot[k, 0], rot[k, 1], math.cos(t[k]), math.sin(t[k])]
    return np.asarray(f, dtype=np.float64)


def load_cocktailparty(path=None, *, allow_download=None) -> Dataset:
    """CocktailParty dyads (document 003 supp. 4.1.2): 320 frames x 15 pairs = 4800 rows.

    Expects two CSV files (converted from the FBK TEV release):
    ``cocktailparty_positions.csv`` with columns frame,person,x,y,theta
    (theta in radians) and ``cocktailparty_groups.csv`` with columns
    frame,person,group (conversational group id in that frame; singletons get
    their own id). Label 1 when the pair shares a group. Features: see
    :func:`cocktailparty_features`.
    """
    fp, sha_p = locate("cocktailparty", "cocktailparty_positions.csv", path=path,
                       allow_download=allow_download)
    fg, sha_g = locate("cocktailparty", "cocktailparty_groups.csv", path=path,
                       allow_download=allow_download)
    pos = pd.read_csv(fp).sort_values(["frame", "person"])
    grp = pd.read_csv(fg).set_index(["frame", "person"])["group"]
    X, y, frames = [], [], []
    for frame, block in pos.groupby("frame", sort=True):
        people = block["person"].to_numpy()
        arr = block[["x", "y", "theta"]].to_numpy(np.float64)
        for a, b in itertools.combinations(range(len(people)), 2):
            X.append(cocktailparty_features(arr, a, b))
            y.append(int(grp[(frame, people[a])] == grp[(frame, people[b])]))
            frames.append(frame)
    meta = make_metadata("cocktailparty", source=[str(fp), str(fg)], sha256=[sha_p, sha_g],
                         frame_of_row=np.asarray(frames))
    return Dataset(np.asarray(X), np.asarray(y, np.int64), meta)
