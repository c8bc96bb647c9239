r"""Document 003, Sec. 5.2 (Tables 2 and 12): the image tasks, on labelled stand-ins.

CIFAR-10 is not available offline. Its tasks are replaced by Fashion-MNIST stand-ins with the
same positive share, classes chosen by balance and difficulty (:data:`STAND_IN_CLASSES`, register
A101: tops = T-shirt/top + Pullover + Coat + Shirt, 40%, for "Transportation"; Pullover, 10%,
for "Frog"); the real CIFAR-10 path (:func:`lossfns.datasets.load_cifar10_binary`) is used when the
tarball is supplied. Reduced protocol (register A86): a small CNN (:func:`image_cnns`) instead
of Tiny Darknet, a subsample of the images per trial, Adam lr 1e-3 (the paper's 1e-4 needs far
more steps than fit), batch 128 as in supp. 4.2, early stopping on the validation loss with the
best epoch restored; metrics averaged over thresholds 0.1-0.9 on the sigmoid of the output (the
released code thresholds logits for logit-output models, a defect not reproduced). A row whose
models do not beat the majority rate is "did not train" (:func:`row_check`, register A102).
"""

from __future__ import annotations

import functools
import time

import numpy as np
import pandas as pd

import lossfns

from ..._validation import check_positive_int
from .tabular import threshold_metrics

__all__ = ["PRESETS", "TASK_SLUGS", "POSITIVE_SHARE", "STAND_IN_CLASSES", "image_cnns", "image_losses", "image_data",
           "run_images", "row_check", "image_claims"]

PRESETS = {
    "003-5-2_images": {
        "quick": {"source": "ci", "trials": 3, "epochs": 3, "patience": 1, "lr": 1e-3, "n_train": 600, "n_val": 200,
                  "n_test": 200, "tasks": ["cifar10-transportation"]},
        # register A86: 100 models x 1.26 CPU s per model-epoch (6,000 training and 1,000 validation
        # images, small CNN, one thread) x about 38 epochs (BCE pilot) = about 80 min; 105 min if all hit the cap
        "full": {"source": "full", "trials": 10, "epochs": 50, "patience": 5, "lr": 1e-3, "n_train": 6000,
                 "n_val": 1000, "n_test": 2000, "tasks": ["cifar10-transportation", "cifar10-frog"]},
    },
}

TASK_SLUGS = {"cifar10-transportation": "cifar10_transportation", "cifar10-frog": "cifar10_frog"}
#: positive share of each CIFAR-10 task (4 of 10 classes; 1 of 10)
POSITIVE_SHARE = {"cifar10-transportation": 0.4, "cifar10-frog": 0.1}


#: Fashion-MNIST classes standing in for each CIFAR-10 task's positives (every other class is
#: negative, subsampled to the task's share): chosen by balance and difficulty (register A101,
#: :func:`linear_probe_difficulty` and the pilot recorded there)
STAND_IN_CLASSES = {"cifar10-transportation": ["T-shirt/top", "Pullover", "Coat", "Shirt"],
                    "cifar10-frog": ["Pullover"]}


@functools.lru_cache(maxsize=4)
def _fashion_split(part: str):
    from lossfns.datasets import load_fashion_mnist
    X, lab, _ = load_fashion_mnist(part=part, allow_download=False)
    return X, lab


class _Images:
    def __init__(self, X, y):
        self.X, self.y = X, y


def _fashion(task: str, part: str) -> _Images:
    """Fashion-MNIST ``part`` split as ``task``'s stand-in: images (n, 28, 28), y = 1 for the
    classes of :data:`STAND_IN_CLASSES`."""
    from lossfns.datasets.images import FASHION_CLASSES
    X, lab = _fashion_split(part)
    return _Images(X, np.isin(lab, [FASHION_CLASSES.index(c) for c in STAND_IN_CLASSES[task]]).astype(np.int64))


def linear_probe_difficulty(X_train, labels_train, X_test, labels_test, class_names, *, sizes=(1, 4),
                            ridge: float = 1.0) -> pd.DataFrame:
    """How hard each candidate positive set is for a linear model: a ridge least-squares probe on
    the pixels (plus an intercept) fitted once to the one-hot class labels; a set's score is the
    sum of its classes' columns clipped to [0, 1] (ridge is linear in the target), judged on the
    test images by :func:`threshold_metrics` (threshold-averaged accuracy and F1, true AUROC).
    One row per set of ``sizes`` classes, with its positive share on the test images."""
    import itertools
    A = np.c_[np.asarray(X_train, float).reshape(len(X_train), -1), np.ones(len(X_train))]
    B = np.c_[np.asarray(X_test, float).reshape(len(X_test), -1), np.ones(len(X_test))]
    k = len(class_names)
    W = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ np.eye(k)[np.asarray(labels_train)])
    S = B @ W
    rows = []
    for size in sizes:
        for sub in itertools.combinations(range(k), size):
            y = np.isin(labels_test, sub).astype(int)
            m = threshold_metrics(np.clip(S[:, list(sub)].sum(1), 0.0, 1.0), y)
            rows.append({"classes": size, "positive": " + ".join(class_names[c] for c in sub), "share": float(y.mean()),
                         "Accuracy": m["Accuracy"], "F1": m["F1"], "AUROC (true)": m["AUROC (true)"]})
    return pd.DataFrame(rows)


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
    from lossfns.datasets import load_cifar10_binary, load_fashion_mnist_ci_subset, locate
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
        tr, te = _fashion(task, "train"), _fashion(task, "test")
        what = (f"STAND-IN for {task}: Fashion-MNIST {' + '.join(STAND_IN_CLASSES[task])} vs the other classes "
                f"(register A101)")
    a, v = _subsample(tr.y, (n_train, n_val), share, rng)
    (b,) = _subsample(te.y, (n_test,), share, rng)
    desc = (f"{what}, {share:.0%} positive; {n_train} training and {n_val} validation images (training "
            f"split), {n_test} test images (test split)")
    return tr.X[a], tr.y[a], tr.X[v], tr.y[v], te.X[b], te.y[b], desc, not real


def _majority(y) -> float:
    m = float(np.mean(y))
    return max(m, 1.0 - m)


def run_images(task: str, *, source: str, trials: int, epochs: int, patience: int, n_train: int,
               n_val: int, n_test: int, batch_size: int = 128, lr: float = 1e-4,
               quiet: bool = True, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """Every loss of :func:`image_losses` on ``trials`` trials of ``task`` (trial i: image draw
    seed ``seed + i``, initialisation seed ``seed + i``, the same for every loss; the trials of
    one loss train in one :func:`train_cnn` call, early stopping on the validation loss with
    ``patience`` epochs' window, the best epoch's parameters restored; the test images are
    scored once, after training).
    Returns one row per loss and trial (test metrics of :func:`threshold_metrics` on the
    sigmoid of the output; the majority rate of the trial's test images and ``trained``: the
    threshold-averaged accuracy beats it; best and stopping epoch and ``capped``: still
    improving within the window at the cap; CPU seconds per model-epoch and wall time of the
    call, both timing fields) and the data description."""
    from lossfns.training import Task, predict_cnn, train_cnn
    check_positive_int("trials", trials)
    check_positive_int("epochs", epochs)
    check_positive_int("patience", patience)
    data = [image_data(task, source, n_train=n_train, n_val=n_val, n_test=n_test, seed=seed + t)
            for t in range(trials)]
    tasks = [Task(d[0], d[1].astype(np.float64), X_val=d[2], y_val=d[3].astype(np.float64)) for d in data]
    stand_in = bool(data[0][7])
    specs = image_cnns(real=not stand_in)
    rows = []
    for label, (out, fn, reduction) in image_losses().items():
        start, cpu = time.perf_counter(), time.process_time()
        res = train_cnn(specs[out], tasks, fn, epochs=epochs, batch_size=batch_size, optimizer="adam",
                        optimizer_kwargs={"lr": lr}, seed=0, model_ids=[seed + t for t in range(trials)], patience=patience,
                        restore_best=True, loss_reduction=reduction, quiet=quiet)
        scores = [predict_cnn(specs[out], [p[t:t + 1] for p in res.params], data[t][4])[0] for t in range(trials)]
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        model_epochs = int(np.sum(np.asarray(res.stopped_epoch) + 1))
        for t in range(trials):
            s = np.asarray(scores[t], float)
            p = 1.0 / (1.0 + np.exp(-s)) if out == "logit" else s
            m = threshold_metrics(p, data[t][5])
            best, stopped = int(res.best_epoch[t]), int(res.stopped_epoch[t])
            rows.append({"dataset": task, "stand_in": stand_in, "loss": label, "output": out, "trial": t, **m,
                         "majority rate": _majority(data[t][5]), "trained": bool(m["Accuracy"] > _majority(data[t][5])),
                         "best_epoch": best, "stopped_epoch": stopped, "capped": bool(epochs - 1 - best < patience),
                         "cpu s_per_model_epoch": cpu / model_epochs, "wall_s_all_trials": wall})
    return pd.DataFrame(rows), data[0][6]


def row_check(results: pd.DataFrame) -> pd.DataFrame:
    """Did each row (task x loss) of ``results`` (:func:`run_images`) train? Per task and loss:
    the mean majority rate of the test images and mean threshold-averaged accuracy, how many of
    the models beat the majority rate, the share of models stopped by the epoch cap (goal: at
    most 10%) and their mean stopping epoch (1-based), and ``judged``: every model of the row
    beat the majority rate **and** so did every BCE model of the task (the sanity check: when
    BCE did not train, the protocol did not train on that task and none of its rows is a
    result). A row not judged is "did not train": no published number or claim is judged
    from it."""
    out = []
    for (task, loss), g in results.groupby(["dataset", "loss"], sort=False):
        out.append({"dataset": task, "loss": loss, "models": len(g), "majority rate": float(g["majority rate"].mean()),
                    "Accuracy": float(g["Accuracy"].mean()), "trained": int(g["trained"].sum()),
                    "capped share": float(g["capped"].mean()), "mean stopping epoch": float(g["stopped_epoch"].mean() + 1),
                    "all trained": bool(g["trained"].all())})
    check = pd.DataFrame(out)
    bce = check[check["loss"] == "BCE"].set_index("dataset")["all trained"]
    check["judged"] = check["all trained"] & check["dataset"].map(bce).fillna(False).astype(bool)
    return check.drop(columns="all trained")


def image_claims(results: pd.DataFrame, check: pd.DataFrame | None = None) -> dict:
    """Sec. 5.2 and Supp. 7.3 statements on the image tasks in ``results`` as the arguments of
    ``run.claim`` (claim id -> ``{"parts": {part name: per-trial differences, paired by
    trial}}``), one part per task and comparison, named ``"<task> <A> - <B> on <metric>"``:

    * ``003/s5.2/f1_beats_bce_images``: F1* minus BCE on F1 and on accuracy;
    * ``003/s5.2/acc_beats_bce_images``: Accuracy* minus BCE on F1 and on accuracy;
    * ``003/supp7.3/beats_dice_images``: F1* minus Dice and minus Dice (sigmoid) on F1.

    A claim whose comparison needs a row that is not judged (``check``, :func:`row_check`;
    computed from ``results`` when not given) is ``{"result": not comparable}`` with the rows
    that did not train: no claim is judged from a model that did not beat the majority rate."""
    check = row_check(results) if check is None else check
    judged = {(r["dataset"], r["loss"]): bool(r["judged"]) for _, r in check.iterrows()}

    def on_each(pairs):
        out, untrained = {}, []
        for task, g in results.groupby("dataset", sort=False):
            untrained += [f"{task} {loss}" for loss in dict.fromkeys(x for a, b, _ in pairs for x in (a, b))
                          if not judged.get((task, loss), False)]
            w = {col: g.pivot_table(index="trial", columns="loss", values=col) for _, _, col in pairs}
            for a, b, col in pairs:
                out[f"{task} {a} - {b} on {col}"] = (w[col][a] - w[col][b]).dropna().to_numpy()
        if untrained:
            return {"result": {"verdict": "not comparable",
                               "reason": f"did not train (a model not above the majority rate, or the task's BCE not): "
                                         f"{', '.join(untrained)}; a model that did not train is no result"}}
        return {"parts": out}

    return {"003/s5.2/f1_beats_bce_images": on_each([("F1*", "BCE", "F1"), ("F1*", "BCE", "Accuracy")]),
            "003/s5.2/acc_beats_bce_images": on_each([("Accuracy*", "BCE", "F1"), ("Accuracy*", "BCE", "Accuracy")]),
            "003/supp7.3/beats_dice_images": on_each([("F1*", "Dice", "F1"), ("F1*", "Dice (sigmoid)", "F1")])}
