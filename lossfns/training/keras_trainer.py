"""Faithful Keras loop for document 000: one model at a time, as the paper ran it.

``keras.Sequential`` exactly as printed in Sec. 7, ``RMSprop()`` with Keras
defaults, ``fit(X, y, epochs, batch_size=32, verbose=0)``, scored with
accuracy on each held-out fold of a stratified K-fold (what
``cross_val_score`` with ``StratifiedKFold`` does). Deterministic for a seed:
``keras.utils.set_random_seed(seed + fold_index)`` before building each model.
"""
from __future__ import annotations

import os
import time

import numpy as np

from .._progress import progress

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def build_paper000_model():
    """The document-000 network (Sec. 7), input shape inferred on first fit."""
    import keras
    from keras.layers import Dense, Dropout

    model = keras.Sequential()
    model.add(Dense(64, activation="relu"))
    model.add(Dropout(0.25))
    model.add(Dense(32, activation="sigmoid"))
    model.add(Dropout(0.25))
    model.add(Dense(16, activation="relu"))
    model.add(Dropout(0.25))
    model.add(Dense(8, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    return model


def keras_cross_val(X, y, loss="binary_crossentropy", *, splits=None, n_splits: int = 10,
                    epochs: int = 100, batch_size: int = 32, seed: int = 0,
                    max_folds: int | None = None, standardize: bool = False,
                    quiet: bool = True) -> dict:
    """Cross-validated accuracy of the document-000 Keras model.

    Args:
        X: (n, d) features; y: (n,) 0/1 labels.
        loss: a Keras loss name ('binary_crossentropy', 'hinge') or a callable
            ``loss(y_true, y_pred)`` returning per-sample (or mean) losses.
        splits: Splits from :func:`lossfns.training.splits.stratified_kfold`
            (default: one repeat of ``n_splits`` folds with ``seed``).
        max_folds: train only the first folds (benchmarks).
        standardize: scale features with a StandardScaler fitted on each
            fold's training rows (the scikit-learn Pipeline reading).
    Returns:
        dict with "scores" (n_folds,) fold accuracies, "seconds" per fold,
        "eval_proba" list of (n_test,) probabilities.
    """
    import keras

    from .splits import standardize as _standardize
    from .splits import stratified_kfold

    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    if not (callable(loss) or loss in ("binary_crossentropy", "hinge")):
        raise ValueError(f"loss must be 'binary_crossentropy', 'hinge' or a callable, got {loss!r}")
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y).astype(np.float32)
    splits = stratified_kfold(y, n_splits, seed=seed) if splits is None else list(splits)
    if max_folds is not None:
        splits = splits[: int(max_folds)]
    scores, seconds, probas = [], [], []
    for k, sp in enumerate(progress(splits, quiet=quiet, desc="folds", leave=False)):
        keras.utils.set_random_seed(int(seed) + k)
        t0 = time.perf_counter()
        model = build_paper000_model()
        model.compile(loss=loss, optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
        X_tr, X_te = X[sp.train], X[sp.test]
        if standardize:
            X_tr, X_te, _ = _standardize(X_tr, X_te)
            X_tr, X_te = X_tr.astype(np.float32), X_te.astype(np.float32)
        model.fit(X_tr, y[sp.train], epochs=int(epochs), batch_size=int(batch_size), verbose=0)
        # a direct call, not predict(): no per-fold tf.function retracing (and its warnings)
        p = np.asarray(model(X_te, training=False)).reshape(-1).astype(np.float64)
        seconds.append(time.perf_counter() - t0)
        probas.append(p)
        # KerasClassifier.predict thresholds at 0.5 (strictly greater)
        scores.append(float(((p > 0.5).astype(np.float32) == y[sp.test]).mean()))
    return {"scores": np.asarray(scores), "seconds": np.asarray(seconds), "eval_proba": probas}
