"""Seeded, recorded data splits and train-only standardisation (scikit-learn based)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler

from .._validation import check_int


@dataclass(frozen=True)
class Split:
    """Row indices of one split, with what produced it.

    ``train``/``test`` (and ``val`` for three-way splits) are sorted int arrays
    into the original data; ``repeat``/``fold`` locate a CV split; ``seed`` is
    the seed that produced it.
    """

    train: np.ndarray
    test: np.ndarray
    val: np.ndarray | None = None
    repeat: int = 0
    fold: int = 0
    seed: int = 0

    def record(self) -> dict:
        """JSON-friendly description (indices as lists)."""
        out = {"repeat": self.repeat, "fold": self.fold, "seed": self.seed,
               "train": self.train.tolist(), "test": self.test.tolist()}
        if self.val is not None:
            out["val"] = self.val.tolist()
        return out


def stratified_kfold(y, n_splits: int = 10, *, n_repeats: int = 1, seed: int = 0) -> list[Split]:
    """Repeated stratified K-fold (``RepeatedStratifiedKFold(random_state=seed)``).

    Returns ``n_repeats * n_splits`` Splits in repeat-major order.
    """
    check_int("n_splits", n_splits, 2, what="an int >= 2", type_error=ValueError)
    check_int("n_repeats", n_repeats, 1, what="an int >= 1", type_error=ValueError)
    y = np.asarray(y)
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    return [Split(np.sort(tr), np.sort(te), None, k // n_splits, k % n_splits, seed)
            for k, (tr, te) in enumerate(cv.split(np.zeros((len(y), 1)), y))]


def train_val_test_split(y, fractions=(0.64, 0.20, 0.16), *, seed: int = 0,
                         stratify: bool = True) -> Split:
    """Three-way split by (train, test, val) fractions, stratified on ``y``.

    Document 003: tabular (0.64, 0.20, 0.16), images (0.67, 0.17, 0.17)
    (supp. 4.1; these sum to 1.01, so the image fractions are renormalised).
    Implemented as two ``train_test_split`` calls: test first, then val out of
    the rest.
    """
    fr = np.asarray(fractions, dtype=float)
    if fr.shape != (3,) or np.any(fr <= 0):
        raise ValueError(f"fractions must be three positive numbers (train, test, val), got {fractions!r}")
    fr = fr / fr.sum()
    y = np.asarray(y)
    idx = np.arange(len(y))
    rest, test = train_test_split(idx, test_size=fr[1], random_state=seed,
                                  stratify=y if stratify else None)
    train, val = train_test_split(rest, test_size=fr[2] / (fr[0] + fr[2]), random_state=seed,
                                  stratify=y[rest] if stratify else None)
    return Split(np.sort(train), np.sort(test), np.sort(val), seed=seed)


TABULAR_FRACTIONS = (0.64, 0.20, 0.16)
IMAGE_FRACTIONS = (0.67, 0.17, 0.17)


def standardize(X_train, *others):
    """Fit ``StandardScaler`` on ``X_train`` only and transform it and ``others``.

    Returns (X_train_scaled, *others_scaled, scaler). Constant columns are
    left centred (sklearn divides by 1 there).
    """
    scaler = StandardScaler().fit(np.asarray(X_train))
    return (scaler.transform(X_train), *[scaler.transform(o) for o in others], scaler)
