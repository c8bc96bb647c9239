"""Faithful Keras loop (document 000 ran this way): one model at a time.

``keras.Sequential`` built from an :class:`~lossfns.training.mlp.MLPSpec` (document
000's Sec. 7 network is :data:`lossfns.experiments.doc000.protocols.PAPER000_SPEC`), ``RMSprop()`` with Keras
defaults, ``fit(X, y, epochs, batch_size=32, verbose=0)``, scored with
accuracy on each held-out fold of a stratified K-fold (what
``cross_val_score`` with ``StratifiedKFold`` does). Deterministic for a seed:
``keras.utils.set_random_seed(seed + fold_index)`` before building each model.
"""
from __future__ import annotations

import os
import time

import numpy as np

from .._ops import NUMPY
from .._progress import progress
from .._validation import check_positive_int
from ..metrics import hard_labels
from .spec import MLPSpec



def _import_keras():
    """Import Keras with TensorFlow's start-up logging off (set here, not at import of
    this module, so that importing lossfns never changes the environment)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras
    return keras


def keras_mlp(spec: MLPSpec):
    """A Keras ``Sequential`` of the MLP ``spec`` (input shape inferred on first fit):
    ``Dense(units, activation)`` per hidden layer, each followed by ``Dropout(rate)`` when
    its rate is positive, then ``Dense(1)``, with a sigmoid when ``spec.output`` is ``"probability"``."""
    keras = _import_keras()
    from keras.layers import Dense, Dropout

    model = keras.Sequential()
    for units, activation, rate in spec.hidden:
        model.add(Dense(units, activation=activation))
        if rate > 0:
            model.add(Dropout(rate))
    model.add(Dense(1, activation="sigmoid" if spec.output == "probability" else None))
    return model

def keras_cross_val(X, y, loss="binary_crossentropy", *, spec: MLPSpec, splits=None, n_splits: int = 10,
                    epochs: int = 100, batch_size: int = 32, seed: int = 0,
                    max_folds: int | None = None, standardize: bool = False,
                    quiet: bool = True) -> dict:
    """Cross-validated accuracy of a Keras MLP trained one fold at a time.

    Args:
        X: (n, d) features; y: (n,) 0/1 labels.
        spec: the network (:func:`keras_mlp`), e.g.
            :data:`lossfns.experiments.doc000.protocols.PAPER000_SPEC` for document 000.
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
    keras = _import_keras()

    from .splits import standardize as _standardize
    from .splits import stratified_kfold

    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
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
        model = keras_mlp(spec)
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
        scores.append(float((hard_labels(p, NUMPY, rule=">").astype(np.float32) == y[sp.test]).mean()))
    return {"scores": np.asarray(scores), "seconds": np.asarray(seconds), "eval_proba": probas}
