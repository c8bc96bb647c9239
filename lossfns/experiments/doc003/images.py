r"""Document 003, Sec. 5.2 (Tables 2 and 12): the image tasks, on labelled stand-ins.

CIFAR-10 is not available offline. Its tasks are replaced by Fashion-MNIST stand-ins with the
same positive share (:data:`lossfns.datasets.images.FASHION_STAND_INS`: footwear + bag = 40% for
"Transportation", Shirt = 10% for "Frog"); the real CIFAR-10 path
(:func:`lossfns.datasets.load_cifar10_binary`) is used when the tarball is supplied. Reduced
protocol (register A86): a small CNN (:func:`image_cnns`) instead of Tiny Darknet, a subsample of
the images per trial, few epochs; Adam lr 1e-4 and batch 128 as in supp. 4.2; early stopping
on the validation loss; metrics averaged over thresholds 0.1-0.9 on the sigmoid of the output
(the released code thresholds logits for logit-output models, a defect not reproduced).
"""

from __future__ import annotations

import functools
import time

import numpy as np
import pandas as pd

import lossfns

from ..._validation import check_positive_int
from .tabular import threshold_metrics

__all__ = ["PRESETS", "TASK_SLUGS", "POSITIVE_SHARE", "image_cnns", "image_losses", "image_data", "run_images", "image_claims"]

PRESETS = {
    "003-5-2_images": {
        "quick": {"source": "ci", "trials": 3, "epochs": 2, "patience": 2, "n_train": 600, "n_val": 200,
                  "n_test": 200, "tasks": ["cifar10-transportation"]},
        "full": {"source": "full", "trials": 3, "epochs": 15, "patience": 4, "n_train": 4000, "n_val": 1000,
                 "n_test": 2000, "tasks": ["cifar10-transportation", "cifar10-frog"]},
    },
}

TASK_SLUGS = {"cifar10-transportation": "cifar10_transportation", "cifar10-frog": "cifar10_frog"}
#: positive share of each CIFAR-10 task (4 of 10 classes; 1 of 10)
POSITIVE_SHARE = {"cifar10-transportation": 0.4, "cifar10-frog": 0.1}


def image_cnns(real: bool = False):
    """``{"probability": spec, "logit": spec}``: on the stand-ins the small CNN of the reduced
    protocol (conv 8 - pool - conv 16 - pool - dense 32 - 1 on 28 x 28 grayscale, as document
    001's stand-in runs); on real CIFAR-10 (``real``) 003's Tiny Darknet (32 x 32 x 3). Each with
    a probability output (sigmoid) and a logit output (Table 12's "logit-only" Dice)."""
    if real:
        from lossfns.training import TINY_DARKNET
        return {"probability": TINY_DARKNET.with_output("probability"), "logit": TINY_DARKNET.with_output("logit")}
    from ..doc001.sigmoid_free import sigmoid_free_cnns
    return sigmoid_free_cnns()


def _bce(p, t):
    return lossfns.binary_cross_entropy(p, t, reduction="none")


def image_losses() -> dict:
    """label -> (output kind, loss, reduction): Table 2's F1*, Accuracy* (linear H, τ 0.5, δ 0.1)
    and BCE on a sigmoid output; Table 12's Dice on a logit output (the sigmoid inside the loss,
    ``from_logits=True``, register of :func:`lossfns.dice_loss`) and Dice on a sigmoid output."""
    return {"F1*": ("probability", lossfns.soft_f1_loss, "pooled"),
            "Accuracy*": ("probability", lossfns.soft_accuracy_loss, "pooled"),
            "BCE": ("probability", _bce, "mean"),
            "Dice": ("logit", functools.partial(lossfns.dice_loss, from_logits=True), "pooled"),
            "Dice (sigmoid)": ("probability", lossfns.dice_loss, "pooled")}


def _subsample(y, sizes, share, rng):
    """Disjoint index sets of the given ``sizes``, each with ``round(size * share)`` positives."""
    pos, neg = rng.permutation(np.flatnonzero(y == 1)), rng.permutation(np.flatnonzero(y == 0))
    n_pos = [int(round(n * share)) for n in sizes]
    if sum(n_pos) > len(pos) or sum(sizes) - sum(n_pos) > len(neg):
        raise ValueError(f"cannot draw {sum(sizes)} images with {sum(n_pos)} positives from {len(pos)} "
                         f"positives and {len(neg)} negatives")
    out, i, j = [], 0, 0
    for n, k in zip(sizes, n_pos):
        out.append(rng.permutation(np.concatenate([pos[i:i + k], neg[j:j + n - k]])))
        i, j = i + k, j + n - k
    return out


def image_data(task: str, source: str, *, n_train: int, n_val: int, n_test: int, seed: int = 0,
               path=None):
    """Images of one trial: ``(X_train, y_train, X_val, y_val, X_test, y_test, description,
    stand_in)``, each set with the task's positive share. ``source="full"``: real CIFAR-10 when
    its tarball is found (``path``, ``LOSSFNS_DATA_DIR``, the cache: images (n, 3, 32, 32),
    training and validation images from its training batches, test images from its test batch),
    else the Fashion-MNIST stand-in (training and validation images from its training split,
    test images from its test split); ``"ci"``: the committed CI subset (T-shirt/top vs Shirt
    of the test split), positives subsampled to the task's share: a stand-in of a stand-in, for
    the quick profile only."""
    from lossfns.datasets import (fashion_stand_in, load_cifar10_binary, load_fashion_mnist_ci_subset,
                                  locate)
    if task not in POSITIVE_SHARE:
        raise ValueError(f"task must be one of {sorted(POSITIVE_SHARE)}, got {task!r}")
    if source not in ("full", "ci"):
        raise ValueError(f"source must be 'full' or 'ci', got {source!r}")
    for name, v in (("n_train", n_train), ("n_val", n_val), ("n_test", n_test)):
        check_positive_int(name, v)
    share, rng = POSITIVE_SHARE[task], np.random.default_rng(seed)
    if source == "ci":
        X, lab, _ = load_fashion_mnist_ci_subset()
        y = (lab == 6).astype(np.int64)
        parts = _subsample(y, (n_train, n_val, n_test), share, rng)
        (Xa, ya), (Xv, yv), (Xt, yt) = [(X[p], y[p]) for p in parts]
        desc = (f"STAND-IN for {task}: Fashion-MNIST Shirt vs T-shirt/top from the committed CI subset, "
                f"{share:.0%} positive (quick profile only)")
        return Xa, ya, Xv, yv, Xt, yt, desc, True
    try:
        locate("cifar10", "cifar-10-python.tar.gz", path=path, allow_download=False)
        real = True
    except FileNotFoundError:
        real = False
    name = task.split("-", 1)[1]
    if real:
        tr = load_cifar10_binary(name, path, part="train", stand_in=False, allow_download=False)
        te = load_cifar10_binary(name, path, part="test", stand_in=False, allow_download=False)
        tr.X, te.X = np.transpose(tr.X, (0, 3, 1, 2)), np.transpose(te.X, (0, 3, 1, 2))
        what = f"CIFAR-10 ({tr.metadata['positive_class']} positive, real)"
    else:
        tr, te = fashion_stand_in(task, part="train"), fashion_stand_in(task, part="test")
        what = f"STAND-IN for {task}: {tr.metadata['name']} (positive: {tr.metadata['positive_class']})"
    a, v = _subsample(tr.y, (n_train, n_val), share, rng)
    (b,) = _subsample(te.y, (n_test,), share, rng)
    desc = (f"{what}, {share:.0%} positive; {n_train} training and {n_val} validation images (training "
            f"split), {n_test} test images (test split)")
    return tr.X[a], tr.y[a], tr.X[v], tr.y[v], te.X[b], te.y[b], desc, not real


def run_images(task: str, *, source: str, trials: int, epochs: int, patience: int, n_train: int,
               n_val: int, n_test: int, batch_size: int = 128, lr: float = 1e-4,
               quiet: bool = True, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """Every loss of :func:`image_losses` on ``trials`` trials of ``task`` (trial i: image draw
    seed ``seed + i``, initialisation seed ``seed + i``, the same for every loss; the trials of
    one loss train in one :func:`train_cnn` call).
    Returns one row per loss and trial (test metrics of :func:`threshold_metrics` on the
    sigmoid of the output, stopping epoch, wall time of the call) and the data description."""
    from lossfns.training import Task, train_cnn
    check_positive_int("trials", trials)
    data = [image_data(task, source, n_train=n_train, n_val=n_val, n_test=n_test, seed=seed + t)
            for t in range(trials)]
    tasks = [Task(d[0], d[1].astype(np.float64), X_eval=d[4], y_eval=d[5], X_val=d[2], y_val=d[3].astype(np.float64))
             for d in data]
    stand_in = bool(data[0][7])
    specs = image_cnns(real=not stand_in)
    rows = []
    for label, (out, fn, reduction) in image_losses().items():
        start = time.perf_counter()
        res = train_cnn(specs[out], tasks, fn, epochs=epochs, batch_size=batch_size, optimizer="adam",
                        optimizer_kwargs={"lr": lr}, seed=0, model_ids=[seed + t for t in range(trials)], patience=patience,
                        restore_best=True, loss_reduction=reduction, quiet=quiet)
        wall = time.perf_counter() - start
        for t in range(trials):
            s = np.asarray(res.eval_proba[t], float)
            p = 1.0 / (1.0 + np.exp(-s)) if out == "logit" else s
            rows.append({"dataset": task, "stand_in": stand_in, "loss": label, "output": out, "trial": t,
                         **threshold_metrics(p, data[t][5]), "stopped_epoch": int(res.stopped_epoch[t]),
                         "wall_s_all_trials": wall})
    return pd.DataFrame(rows), data[0][6]


def image_claims(results: pd.DataFrame) -> dict:
    """Sec. 5.2 and Supp. 7.3 statements on the image tasks in ``results`` as claim parts (claim
    id -> part name -> per-trial differences, paired by trial), one part per task and
    comparison, named ``"<task> <A> - <B> on <metric>"``:

    * ``003/s5.2/f1_beats_bce_images``: F1* minus BCE on F1 and on accuracy;
    * ``003/s5.2/acc_beats_bce_images``: Accuracy* minus BCE on F1 and on accuracy;
    * ``003/supp7.3/beats_dice_images``: F1* minus Dice and minus Dice (sigmoid) on F1.
    """
    def on_each(pairs):
        out = {}
        for task, g in results.groupby("dataset", sort=False):
            w = {col: g.pivot_table(index="trial", columns="loss", values=col) for _, _, col in pairs}
            for a, b, col in pairs:
                out[f"{task} {a} - {b} on {col}"] = (w[col][a] - w[col][b]).dropna().to_numpy()
        return out

    return {"003/s5.2/f1_beats_bce_images": on_each([("F1*", "BCE", "F1"), ("F1*", "BCE", "Accuracy")]),
            "003/s5.2/acc_beats_bce_images": on_each([("Accuracy*", "BCE", "F1"), ("Accuracy*", "BCE", "Accuracy")]),
            "003/supp7.3/beats_dice_images": on_each([("F1*", "Dice", "F1"), ("F1*", "Dice (sigmoid)", "F1")])}
