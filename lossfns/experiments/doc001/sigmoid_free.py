"""Document 001, Sec. 6 (the sigmoid-free loss; notebook ``001-6_sigmoid_free``): the
melanoma-style runs on a labelled stand-in (Fashion-MNIST Shirt vs T-shirt/top), issue 22's
protocol (register A97): each seed its own balanced draw, a logit-output CNN for every loss
(the sigmoid inside the sigmoid losses, so the logits are read directly), and the scale-free
tests of logit growth (:func:`loglog_slope`) and of the train-test gap (:func:`final_values`).
Its own module so that the notebook's sources are this file and not the other sections'."""

from __future__ import annotations

import numpy as np
import pandas as pd

import lossfns

from .losses import LOSSES_001, make_loss

__all__ = ["PRESETS", "SIGMOID_LOSSES_001_6", "sigmoid_free_cnns", "melanoma_stand_in", "sigmoid_free_draws",
           "train_sigmoid_free", "loglog_slope", "final_values", "growth"]

PRESETS = {
    "001-6_sigmoid_free": {
        # full: issue 22's protocol (register A97): the sigmoid losses 50 epochs, its minimum
        "quick": {"source": "ci", "n_train": 400, "n_val": 200, "seeds": 3, "epochs": 3, "epochs_sigmoid": 4},
        "full": {"source": "full", "n_train": 10000, "n_val": 2000, "seeds": 10, "epochs": 12, "epochs_sigmoid": 50},
    },
}

def sigmoid_free_cnns():
    """The CNN of the melanoma-style runs (a small one: no pretrained network is available
    offline): conv 8 - pool - conv 16 - pool - dense 32 - 1, with a logit output (the
    sigmoid-free loss) and a probability output (sigmoid + BCE, sigmoid + l6)."""
    from lossfns.training import CNNSpec
    layers = (("conv", 8, 3, True), ("relu",), ("pool",), ("conv", 16, 3, True), ("relu",), ("pool",),
              ("flatten",), ("dense", 32), ("relu",), ("dense", 1))
    return {"logit": CNNSpec((1, 28, 28), layers, output="logit"),
            "probability": CNNSpec((1, 28, 28), layers, output="probability")}


def melanoma_stand_in(source: str = "full", *, n_train: int = 4000, n_val: int = 1000, seed: int = 0):
    """The labelled stand-in for 001's melanoma images: Fashion-MNIST Shirt (positive) vs
    T-shirt/top, a balanced hard pair. ``source="full"``: ``n_train`` balanced training images
    from the training split and ``n_val`` balanced validation images from the test split (the
    Debian package / upstream files); ``"ci"``: the committed subset of the test split, cut into
    ``n_train`` training and ``n_val`` validation images. Returns (X_train, y_train, X_val, y_val,
    description)."""
    from lossfns.datasets import load_fashion_mnist, load_fashion_mnist_ci_subset
    if source not in ("full", "ci"):
        raise ValueError(f"source must be 'full' or 'ci', got {source!r}")
    rng = np.random.default_rng(seed)

    def balanced(X, lab, n):
        idx = np.concatenate([rng.choice(np.flatnonzero(lab == c), n // 2, replace=False) for c in (6, 0)])
        idx = rng.permutation(idx)
        return X[idx], (lab[idx] == 6).astype(np.float64)

    if source == "full":
        Xtr, ytr, _ = load_fashion_mnist(part="train")
        Xte, yte, _ = load_fashion_mnist(part="test")
        a, b = balanced(Xtr, ytr, n_train), balanced(Xte, yte, n_val)
        desc = (f"Fashion-MNIST Shirt vs T-shirt/top (STAND-IN for melanoma images): {n_train} training "
                f"images (train split), {n_val} validation images (test split), half positive")
    else:
        X, lab, _ = load_fashion_mnist_ci_subset()
        if n_train + n_val > len(X):
            raise ValueError(f"n_train + n_val must be at most {len(X)} for the CI subset, got {n_train + n_val}")
        Xs, ys = balanced(X, lab, n_train + n_val)
        a, b = (Xs[:n_train], ys[:n_train]), (Xs[n_train:], ys[n_train:])
        desc = (f"Fashion-MNIST Shirt vs T-shirt/top (STAND-IN for melanoma images; committed CI subset of the "
                f"test split): {n_train} training and {n_val} validation images")
    return a[0], a[1], b[0], b[1], desc


SIGMOID_LOSSES_001_6 = ("BCE", "l24", "l6")


def sigmoid_free_draws(source: str = "full", *, n_train: int = 10000, n_val: int = 2000, seeds: int = 10,
                       seed: int = 0) -> list:
    """One data draw per seed for 001-6 (issue 22): seed ``seed + s`` draws its own balanced
    ``n_train`` training images (from the 12,000 Shirt/T-shirt training images when
    ``source="full"``) and ``n_val`` validation images (``n_val = 2000``: all the test images of
    the two classes), by :func:`melanoma_stand_in`. Returns a list of ``seeds`` tuples."""
    if not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"seeds must be an integer >= 1, got {seeds!r}")
    return [melanoma_stand_in(source, n_train=n_train, n_val=n_val, seed=seed + s) for s in range(seeds)]


def train_sigmoid_free(data, *, seeds: int, epochs: int, epochs_sigmoid: int | None = None,
                       sigmoid_losses=SIGMOID_LOSSES_001_6, batch_size: int = 64, lr: float = 1e-3,
                       quiet: bool = True, seed: int = 0, with_final: bool = False):
    """Train the CNN of :func:`sigmoid_free_cnns` (logit output) with the sigmoid-free loss for
    ``epochs`` epochs and with sigmoid + each of ``sigmoid_losses`` (the sigmoid applied inside the
    loss, so the recorded logits are the network's own, never recovered from clipped
    probabilities) for ``epochs_sigmoid`` epochs (default ``epochs``); Adam, ``seeds`` models per
    loss in one call (model id ``seed + s``: initialisation and shuffles, the same for every loss).
    ``data``: one draw from :func:`melanoma_stand_in` shared by every seed, or a list of
    ``seeds`` draws (:func:`sigmoid_free_draws`: seed s trains and validates on its own).
    Long table: loss, seed, epoch, validation accuracy, sensitivity, specificity, training
    accuracy, parameter norm, mean |logit| on the validation images. ``with_final``: also
    return, per loss and seed, the largest |logit| over the model's own validation images at
    its last epoch (from the network's logits, :func:`lossfns.training.predict_cnn`; the
    per-epoch probes keep the mean only), as ``(curves, final)`` with ``final`` a table loss,
    seed, max_abs_logit."""
    import torch
    from lossfns.training import Task, predict_cnn, train_cnn
    draws = list(data) if isinstance(data, list) else [data] * seeds
    if len(draws) != seeds:
        raise ValueError(f"data must be one draw or a list of seeds = {seeds} draws, got {len(draws)}")
    epochs_sigmoid = epochs if epochs_sigmoid is None else epochs_sigmoid
    if epochs < 1 or epochs_sigmoid < 1:
        raise ValueError(f"epochs and epochs_sigmoid must be >= 1, got {epochs!r}, {epochs_sigmoid!r}")
    unknown = [k for k in sigmoid_losses if k not in LOSSES_001]
    if unknown:
        raise ValueError(f"sigmoid_losses must be among {sorted(LOSSES_001)}, got {unknown}")
    spec = sigmoid_free_cnns()["logit"]

    def on_sigmoid(label):
        fn = make_loss(label)
        return lambda z, t: fn(torch.sigmoid(z), t)

    runs = {"sigmoid-free": (lambda z, t: lossfns.sigmoid_free(z, t, reduction="none"), epochs)}
    runs.update({f"sigmoid + {k}": (on_sigmoid(k), epochs_sigmoid) for k in sigmoid_losses})
    tasks = [Task(d[0], d[1], X_val=d[2], y_val=d[3]) for d in draws]
    ids = [seed + s for s in range(seeds)]
    rows, final = [], []
    for label, (fn, E) in runs.items():
        res = train_cnn(spec, tasks, fn, epochs=E, batch_size=batch_size, optimizer="adam",
                        optimizer_kwargs={"lr": lr}, seed=0, model_ids=ids, probes=True, quiet=quiet)
        if with_final:
            for s, d in enumerate(draws):
                z = predict_cnn(spec, [t[s:s + 1] for t in res.params], d[2])[0]
                final.append({"loss": label, "seed": ids[s], "max_abs_logit": float(np.abs(z).max())})
        p = res.probes
        for s in range(seeds):
            for e in range(E):
                rows.append({"loss": label, "seed": ids[s], "epoch": e + 1, "param_norm": p["param_norm"][s, e],
                             **{k: p[f"val/{k}"][s, e] for k in ("accuracy", "sensitivity", "specificity",
                                                                  "mean_abs_logit")},
                             "train_accuracy": p["train/accuracy"][s, e]})
    curves = pd.DataFrame(rows)
    return (curves, pd.DataFrame(final)) if with_final else curves


def loglog_slope(curves: pd.DataFrame, col: str, *, last_share: float = 0.5) -> pd.DataFrame:
    """Per loss and seed: the least-squares slope of log(``col``) against log(epoch) over the
    last ``last_share`` of that loss's epochs (at least 2). Scale-free: multiplying ``col`` by a
    constant (a loss whose logits are small by design) leaves the slope unchanged; a slope k
    means ``col`` grows like epoch^k at the end of training (0: it has levelled off).
    Table seeds x losses."""
    if not 0 < last_share <= 1:
        raise ValueError(f"last_share must be in (0, 1], got {last_share!r}")
    out = {}
    for (loss, s), g in curves.groupby(["loss", "seed"], sort=False):
        E = int(g["epoch"].max())
        g = g[g["epoch"] > E - max(2, int(round(last_share * E)))]
        v = g[col].to_numpy(float)
        if np.any(v <= 0) or len(v) < 2:
            raise ValueError(f"{col} must be > 0 over at least 2 epochs for a log-log slope ({loss}, seed {s})")
        out[(s, loss)] = float(np.polyfit(np.log(g["epoch"].to_numpy(float)), np.log(v), 1)[0])
    return pd.Series(out).unstack()[list(dict.fromkeys(curves["loss"]))]


def final_values(curves: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per loss and seed ``col`` at that loss's own last epoch (the losses may train for
    different numbers of epochs). Table seeds x losses."""
    last = curves[curves["epoch"] == curves.groupby("loss")["epoch"].transform("max")]
    return last.pivot(index="seed", columns="loss", values=col)[list(dict.fromkeys(curves["loss"]))]


def growth(curves: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per loss and seed: ``col`` at the last epoch minus at the first (seeds x losses)."""
    E = int(curves["epoch"].max())
    w = curves.pivot_table(index=["seed", "epoch"], columns="loss", values=col)
    return w.xs(E, level="epoch") - w.xs(1, level="epoch")
