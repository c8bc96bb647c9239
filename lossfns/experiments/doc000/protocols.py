"""Document 000 (Xtreme Margin) protocols on the batched PyTorch trainer.

The constant architecture of Sec. 7 (:data:`PAPER000_SPEC`),
RMSprop with Keras defaults. Two choices the paper leaves open (ambiguity
register A19-A21): features are standardised on each training part
(``standardize=True``; with raw features BCE stays well below Table 1), and the
batch size is a parameter (32, Keras' default, or 1, the only size the paper's
XM code runs with). Losses are named like the paper's tables:
``"bce"``, ``"hinge"`` (Keras hinge on sigmoid outputs) and ``"xm(l1,l2)"``.

Common random numbers: model ``m`` of a protocol draws its initialisation,
shuffles and dropout masks from ``(seed, m)`` whatever the loss, so two losses
are compared on the same folds, inits and masks.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ... import evaluation
from ...losses import binary_cross_entropy, hinge, xtreme_margin
from ..._ops import NUMPY
from ..._validation import check_fraction, check_positive_int, check_xy
from ...metrics import hard_labels
from ...training import MLPSpec, Task, cv_tasks, stratified_kfold, train_batched
from ...training import standardize as standardize_train_only

__all__ = ["PAPER000_SPEC", "BOUNDARY_SPEC", "parse_xm", "build_paper000_model", "make_loss", "loss_label", "cv_scores", "minmax_summary", "lambda_grid_scores",
           "bootstrap_bias", "train_curves", "holdout_metrics", "holdout_tasks", "HOLDOUT_TEST_FRACTION",
           "CURVES_TEST_FRACTION", "BOUNDARY_TEST_FRACTION", "RATIO_PAIRS", "PRESETS",
           "published_key", "xm_curve", "boundary_values", "loss_range_on_grid", "convexity_on_grid"]

_XM = re.compile(r"^xm\(\s*([0-9.eE+-]+)\s*[,;]\s*([0-9.eE+-]+)\s*\)$")


def parse_xm(name: str):
    """``"xm(2,100)" -> (2.0, 100.0)``; ``None`` for any other loss name."""
    m = _XM.match(str(name).replace(" ", ""))
    return (float(m.group(1)), float(m.group(2))) if m else None
#: Document 000 Sec. 7 (the Keras Sequential model), sigmoid output.
PAPER000_SPEC = MLPSpec(((64, "relu", 0.25), (32, "sigmoid", 0.25), (16, "relu", 0.25), (8, "relu", 0.0)))
#: A small network for 2-feature decision-boundary plots (document 000 Fig. 10-12).
BOUNDARY_SPEC = MLPSpec(((16, "relu", 0.0), (8, "relu", 0.0)))


def build_paper000_model():
    """The document-000 network of Sec. 7 as a Keras ``Sequential`` (input shape inferred
    on first fit): :func:`lossfns.training.keras_trainer.keras_mlp` of :data:`PAPER000_SPEC`."""
    from ...training.keras_trainer import keras_mlp
    return keras_mlp(PAPER000_SPEC)

#: Sec. 17 split: a stratified 60/40 split of Ionosphere with 'g' positive puts
#: exactly 90 positives in the test set, matching recalls that are multiples of 1/90.
HOLDOUT_TEST_FRACTION = 0.4
#: Sec. 14 hold-out split (the paper states none): stratified, 30% test.
CURVES_TEST_FRACTION = 0.3
#: Sec. 15 decision boundaries: stratified, 30% test.
BOUNDARY_TEST_FRACTION = 0.3
#: (lam1, lam2) pairs for conditional accuracy vs log10(lam2 / lam1): the
#: Fig. 10-11 values {2, 100, 500} with the other lambda fixed at 2, plus 10.
RATIO_PAIRS = ((500, 2), (100, 2), (10, 2), (2, 2), (2, 10), (2, 100), (2, 500))

#: The settings of each document-000 notebook per profile: ``quick`` (CI and nbval, seconds)
#: and ``full`` (the paper's protocols). A notebook reads its own with
#: ``lossfns.pipeline.profiles.preset(PRESETS[name], profile, key=value, ...)``, where a
#: parameter the user set (not ``None``) wins. The keys are the notebook's parameters.
PRESETS = {
    "000-3_xtreme_margin_loss": {
        "quick": {"n_points": 201},
        "full": {"n_points": 2001}},
    "000-8_cv_tables": {
        "quick": {"n_repeats": 1, "epochs": 20, "xm_batch1_epochs": 3, "keras_folds": 4,
                  "keras_epochs": 20},
        # keras_folds 20: the first two repeats of 10-fold CV
        "full": {"n_repeats": 20, "epochs": 100, "xm_batch1_epochs": 100, "keras_folds": 20,
                 "keras_epochs": 100}},
    "000-8b_lambda_tuning": {
        # quick: lambda = 100 on the grid, so the Fig. 1-2 claims' code runs (1 repeat: inconclusive)
        "quick": {"lambdas": [0.1, 10.0, 100.0, 1000.0], "heat_lambdas": [1.0, 100.0], "n_repeats": 1,
                  "epochs": 10},
        # 13 lambdas, 10**(-1..3) in thirds of a decade
        "full": {"lambdas": [float(10 ** (k / 3)) for k in range(-3, 10)],
                 "heat_lambdas": [0.1, 1.0, 10.0, 100.0, 1000.0], "n_repeats": 10, "epochs": 100}},
    "000-12_subgradient": {
        # alt_batch_size None: the second reading (batch size 1, the paper's XM code) is skipped
        "quick": {"n_seeds": 3, "epochs": 60, "alt_batch_size": None, "alt_n_seeds": 3,
                  "test_fraction": CURVES_TEST_FRACTION},
        "full": {"n_seeds": 20, "epochs": 100, "alt_batch_size": 1, "alt_n_seeds": 10,
                 "test_fraction": CURVES_TEST_FRACTION}},
    "000-13_bias": {
        "quick": {"n_boot": 8, "epochs": 10},
        "full": {"n_boot": 100, "epochs": 50}},  # 50 epochs, as the paper
    "000-14_training_convergence": {
        "quick": {"n_seeds": 3, "epochs": 15, "test_fraction": CURVES_TEST_FRACTION},
        "full": {"n_seeds": 20, "epochs": 50, "test_fraction": CURVES_TEST_FRACTION}},
    "000-15_decision_boundaries": {
        "quick": {"n_seeds": 3, "alt_batch_size": None, "test_fraction": BOUNDARY_TEST_FRACTION,
                  "grid_size": 81, "ratio_pairs": RATIO_PAIRS, "n_splits": 5, "n_repeats": 1,
                  "ratio_epochs": 30},
        "full": {"n_seeds": 10, "alt_batch_size": 1, "test_fraction": BOUNDARY_TEST_FRACTION,
                 "grid_size": 201, "ratio_pairs": RATIO_PAIRS, "n_splits": 10, "n_repeats": 5,
                 "ratio_epochs": 50}},
    "000-17_precision_recall_auc": {
        "quick": {"n_seeds": 3, "epochs": 10},
        "full": {"n_seeds": 20, "epochs": 50}},
}


def holdout(y, test_fraction: float, seed: int):
    """Stratified (train, test) row indices, ``sklearn.model_selection.train_test_split``."""
    from sklearn.model_selection import train_test_split
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=test_fraction, random_state=seed, stratify=y)
    return np.sort(train), np.sort(test)


def holdout_tasks(X, y, *, n_seeds: int, test_fraction: float, seed: int = 0,
                  standardize: bool = True):
    """One stratified hold-out split per seed ``seed + s`` and its :class:`Task`.

    Returns ``(tasks, splits, scalers)``; ``splits[s] = (train_idx, test_idx)``;
    ``scalers[s]`` is the StandardScaler fitted on the training rows (``None``
    without ``standardize``).
    """
    X, y = check_xy(X, y)
    check_positive_int("n_seeds", n_seeds)
    check_fraction("test_fraction", test_fraction)
    tasks, splits, scalers = [], [], []
    for s in range(n_seeds):
        tr, te = holdout(y, test_fraction, seed + s)
        if standardize:
            Xtr, Xte, sc = standardize_train_only(X[tr], X[te])
        else:
            Xtr, Xte, sc = X[tr], X[te], None
        tasks.append(Task(Xtr, y[tr], Xte, y[te]))
        splits.append((tr, te))
        scalers.append(sc)
    return tasks, splits, scalers


def make_loss(name: str, s_reading: str = "product"):
    """Per-sample loss callable ``fn(y_prob, y_true)`` for a table name."""
    if name == "bce":
        return lambda p, t: binary_cross_entropy(p, t, reduction="none")
    if name == "hinge":
        return lambda p, t: hinge(p, t, reduction="none")
    lams = parse_xm(name)
    if lams:
        lam1, lam2 = lams
        return lambda p, t: xtreme_margin(p, t, lam1=lam1, lam2=lam2, s_reading=s_reading,
                                          reduction="none")
    raise ValueError(f"loss must be 'bce', 'hinge' or 'xm(l1,l2)', got {name!r}")


def loss_label(name: str) -> str:
    lams = parse_xm(name)
    if lams:
        return f"Xtreme Margin ({lams[0]:g}, {lams[1]:g})"
    return {"bce": "Binary Cross-Entropy", "hinge": "Hinge"}[name]


def published_key(name: str) -> str:
    """The loss part of an id of ``data/published_numbers.csv``:
    ``"xm(1,50)" -> "xm_1_50"``, ``"bce" -> "bce"`` (as in ``000/bias/xm_1_50``)."""
    return name.replace("xm(", "xm_").replace(",", "_").replace(")", "")


# --------------------------------------------------------------------------- Sec. 9 (Fig. 3-5)

def xm_curve(y, t, lam: float, reading: str = "product"):
    """XM(``lam``, ``lam``) per sample along the probability grid ``y`` for the label ``t``."""
    y = np.asarray(y, dtype=np.float64)
    return xtreme_margin(y, np.full_like(y, t), lam1=lam, lam2=lam, s_reading=reading,
                         reduction="none")


def boundary_values(readings=("product", "exponential"), eps: float = 1e-9) -> pd.DataFrame:
    """XM (default lambdas) on each side of the decision boundary |y - t| = 0.5 and at
    |y - t| = 1, per reading of ``s`` and label: one row per (reading, t) with the
    correct-side and wrong-side values ``eps`` from the boundary and their ``jump``.

    At exactly y = 0.5, t = 1, eq. 6 already counts the prediction as wrong, so the
    wrong side of t = 1 is probed at ``0.5 - eps`` and that of t = 0 at 0.5 itself.
    """
    rows = []
    for reading in readings:
        for t in (0, 1):
            y_corr, y_wrong = (0.5 - eps, 0.5) if t == 0 else (0.5 + eps, 0.5 - eps)
            left = float(xtreme_margin(np.array([y_corr]), np.array([t]), s_reading=reading))
            right = float(xtreme_margin(np.array([y_wrong]), np.array([t]), s_reading=reading))
            worst = float(xtreme_margin(np.array([1.0 - t]), np.array([t]), s_reading=reading))
            rows.append({"reading": reading, "t": t, "L correct side at boundary": left,
                         "L wrong side at boundary": right, "jump": right - left,
                         "L at |y-t|=1": worst})
    return pd.DataFrame(rows)


def loss_range_on_grid(y, lambdas, readings=("product", "exponential")) -> dict:
    """Largest and smallest XM(lam, lam) over the grid ``y``, both labels and every lambda,
    per reading: ``{"max": {reading: ...}, "min": {reading: ...}, "e": e}`` (Sec. 4C says
    the range is (0, e])."""
    curves = {r: [xm_curve(y, t, lam, r) for t in (0, 1) for lam in lambdas] for r in readings}
    return {"max": {r: float(max(c.max() for c in curves[r])) for r in readings},
            "min": {r: float(min(c.min() for c in curves[r])) for r in readings},
            "e": float(np.e)}


def _convex(values) -> bool:
    """Non-negative second differences on an evenly spaced grid (up to rounding)."""
    return bool(np.all(np.diff(values, 2) >= -1e-12))


def convexity_on_grid(y, readings=("product", "exponential"), lam: float = 1.0) -> dict:
    """Sec. 9: is XM(lam, lam) convex in y on each case's part of the grid ``y``?
    Case 1 (t = 1, y >= 0.5; correct side), case 2a (t = 0, y >= 0.5) and case 2b
    (t = 1, y < 0.5), both wrong sides. ``{reading: {"case1", "case2a", "case2b"}}``."""
    y = np.asarray(y, dtype=np.float64)
    return {r: {"case1": _convex(xm_curve(y, 1, lam, r)[y >= 0.5]),
                "case2a": _convex(xm_curve(y, 0, lam, r)[y >= 0.5]),
                "case2b": _convex(xm_curve(y, 1, lam, r)[y < 0.5])} for r in readings}


def cv_scores(X, y, loss: str, *, n_splits: int = 10, n_repeats: int = 20, epochs: int = 100,
              batch_size: int = 32, standardize: bool = True,
              seed: int = 0, device: str = "auto", optimizer: str = "rmsprop",
              optimizer_kwargs: dict | None = None, spec=PAPER000_SPEC, quiet: bool = True,
              s_reading: str = "product") -> pd.DataFrame:
    """Repeated stratified K-fold accuracy (Sec. 7-8): one row per (repeat, fold).

    All ``n_repeats * n_splits`` models train at once. Accuracy thresholds the
    sigmoid output at 0.5 (strictly greater, as Keras' ``predict_classes``).
    """
    splits = stratified_kfold(y, n_splits, n_repeats=n_repeats, seed=seed)
    res = train_batched(spec, cv_tasks(X, y, splits, standardize=standardize),
                        make_loss(loss, s_reading), epochs=epochs,
                        batch_size=batch_size, optimizer=optimizer, optimizer_kwargs=optimizer_kwargs,
                        seed=seed, device=device, quiet=quiet, track_eval=False)
    y = np.asarray(y)
    acc = [float((hard_labels(p, NUMPY, rule=">") == y[sp.test]).mean()) for p, sp in zip(res.eval_proba, splits)]
    return pd.DataFrame({"loss": loss, "repeat": [sp.repeat for sp in splits],
                         "fold": [sp.fold for sp in splits], "accuracy": acc})


def minmax_summary(scores: pd.DataFrame) -> dict:
    """Tables 1-2: min and max over repeats of the mean and of the std (ddof=0,
    numpy's default, as ``cross_val_score(...).std()``) of fold accuracies."""
    per_rep = scores.groupby("repeat")["accuracy"].agg(mean="mean", std=lambda a: float(np.std(a)))
    return {"mean_min": float(per_rep["mean"].min()), "mean_max": float(per_rep["mean"].max()),
            "std_min": float(per_rep["std"].min()), "std_max": float(per_rep["std"].max()),
            "mean_of_means": float(per_rep["mean"].mean()), "n_repeats": int(len(per_rep))}


def lambda_grid_scores(X, y, pairs, **cv_kwargs) -> pd.DataFrame:
    """Mean and std (over repeats of the per-repeat mean / std) of CV accuracy for
    each ``(lam1, lam2)`` in ``pairs``."""
    rows = []
    for lam1, lam2 in pairs:
        s = cv_scores(X, y, f"xm({lam1},{lam2})", **cv_kwargs)
        per_rep = s.groupby("repeat")["accuracy"].agg(["mean", lambda a: float(np.std(a))])
        per_rep.columns = ["mean", "std"]
        rows.append({"lam1": lam1, "lam2": lam2, "cv_mean": float(per_rep["mean"].mean()),
                     "cv_std": float(per_rep["std"].mean()),
                     "cv_mean_se": float(per_rep["mean"].std(ddof=1) / np.sqrt(len(per_rep)))
                     if len(per_rep) > 1 else float("nan")})
    return pd.DataFrame(rows)


def _scaled(X, train):
    """All rows of X standardised with the statistics of the rows ``train`` only."""
    return standardize_train_only(X[train], X)[1]


def bootstrap_bias(X, y, losses, *, n_boot: int = 50, epochs: int = 50, test_fraction: float = 0.3,
                   batch_size: int = 32, standardize: bool = True, seed: int = 0,
                   device: str = "auto", quiet: bool = True) -> pd.DataFrame:
    """Sec. 13: bootstrap bias-variance decomposition on a stratified hold-out split.

    ``n_boot`` models per loss train on bootstrap resamples of the training part
    and predict the test part; :func:`lossfns.evaluation.bias_variance` splits
    their errors (squared error of probabilities; Domingos 0-1).
    """
    X, y = np.asarray(X, float), np.asarray(y)
    train, test = holdout(y, test_fraction, seed)
    X = _scaled(X, train) if standardize else X
    rng = np.random.default_rng(seed)
    boots = [train[rng.integers(0, len(train), len(train))] for _ in range(n_boot)]
    tasks = [Task(X[b], y[b], X[test], y[test]) for b in boots]
    rows = []
    for loss in losses:
        res = train_batched(PAPER000_SPEC, tasks, make_loss(loss), epochs=epochs, seed=seed,
                            batch_size=batch_size, device=device, quiet=quiet, track_eval=False)
        dec = evaluation.bias_variance(y[test], np.stack(res.eval_proba))
        rows.append({"loss": loss, **dec})
    return pd.DataFrame(rows)


def train_curves(X, y, loss: str, *, n_seeds: int = 20, epochs: int = 50, test_fraction: float = 0.3,
                 batch_size: int = 32, standardize: bool = True, seed: int = 0, device: str = "auto",
                 spec=PAPER000_SPEC, quiet: bool = True) -> pd.DataFrame:
    """Sec. 14: train/test accuracy per epoch for ``n_seeds`` seeds, each with its
    own stratified split; long format (seed, epoch, train_acc, test_acc)."""
    X, y = np.asarray(X, float), np.asarray(y)
    tasks, _, _ = holdout_tasks(X, y, n_seeds=n_seeds, test_fraction=test_fraction, seed=seed,
                                standardize=standardize)
    res = train_batched(spec, tasks, make_loss(loss), epochs=epochs, seed=seed, device=device,
                        batch_size=batch_size, quiet=quiet, track_eval=True)
    h = res.history
    return pd.DataFrame([{"loss": loss, "seed": s, "epoch": e + 1, "train_acc": h["train_acc"][s, e],
                          "test_acc": h["eval_acc"][s, e]}
                         for s in range(n_seeds) for e in range(epochs)])


def holdout_metrics(X, y, loss: str, *, n_seeds: int = 20, epochs: int = 50,
                    test_fraction: float = HOLDOUT_TEST_FRACTION, batch_size: int = 32,
                    standardize: bool = True, seed: int = 0, device: str = "auto",
                    quiet: bool = True) -> pd.DataFrame:
    """Sec. 17: precision, recall, AUROC and conditional accuracies on a stratified
    hold-out split, one row per seed (each seed its own split and init)."""
    X, y = np.asarray(X, float), np.asarray(y)
    tasks, splits, _ = holdout_tasks(X, y, n_seeds=n_seeds, test_fraction=test_fraction, seed=seed,
                                     standardize=standardize)
    res = train_batched(PAPER000_SPEC, tasks, make_loss(loss), epochs=epochs, seed=seed,
                        batch_size=batch_size, device=device, quiet=quiet, track_eval=False)
    rows = []
    for s, ((_, te), p) in enumerate(zip(splits, res.eval_proba)):
        t = y[te]
        ca = evaluation.conditional_accuracy(t, p)
        rows.append({"loss": loss, "seed": s, "n_test_pos": int(t.sum()),
                     "precision": evaluation.precision(t, p), "recall": evaluation.recall(t, p),
                     "auroc": evaluation.auroc(t, p), "accuracy": evaluation.accuracy(t, p),
                     "cond_acc_0": ca[0], "cond_acc_1": ca[1]})
    return pd.DataFrame(rows)


def keras_agreement(X, y, *, n_splits: int = 10, n_repeats: int = 1, epochs: int = 100,
                    max_folds: int | None = None, standardize: bool = True, seed: int = 0,
                    device: str = "auto") -> pd.DataFrame:
    """BCE fold accuracies of the faithful Keras loop and of the batched torch
    trainer on the same folds (one row per fold), for a paired comparison."""
    from ...training.keras_trainer import keras_cross_val

    splits = stratified_kfold(y, n_splits, n_repeats=n_repeats, seed=seed)[:max_folds]
    k = keras_cross_val(X, y, "binary_crossentropy", spec=PAPER000_SPEC, splits=splits, epochs=epochs,
                        standardize=standardize, seed=seed)
    res = train_batched(PAPER000_SPEC, cv_tasks(X, y, splits, standardize=standardize),
                        make_loss("bce"), epochs=epochs, seed=seed, device=device, quiet=True,
                        track_eval=False)
    y = np.asarray(y)
    torch_acc = [float((hard_labels(p, NUMPY, rule=">") == y[sp.test]).mean()) for p, sp in zip(res.eval_proba, splits)]
    return pd.DataFrame({"repeat": [sp.repeat for sp in splits], "fold": [sp.fold for sp in splits],
                         "keras": k["scores"], "torch": torch_acc})
