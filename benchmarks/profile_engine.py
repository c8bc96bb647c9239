"""Where the training engines spend their time: a profile of the calls the slowest notebooks make.

    python benchmarks/profile_engine.py [--epochs 30] [--cnn-images 2000]

Issue 24 asks to profile the full profile's slowest notebooks before changing the CPU engine.
They are 001-6 (the batched CNN of :func:`lossfns.training.train_cnn`) and 003-5-1 / 003-5-1b
(the batched MLP of :func:`lossfns.training.train_batched`, one call per loss of 10 trials).
This runs one such call of each, shortened (``--epochs`` epochs of 003's protocol on
Mammography for F1\\* and BCE; one epoch of 001-6's CNN on ``--cnn-images`` generated 28x28
images per model, two models), under :mod:`cProfile`, and reports each component's share of the
call (cumulative time of the functions named in :data:`COMPONENTS`; components can nest, so the
shares need not sum to 1). Shares, not seconds: the machine is shared, and the shares of one run
are what decides where a change pays. Writes benchmarks/results/profile_engine.json.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: component -> (path suffix of the file, function name) whose cumulative times are summed
COMPONENTS = {
    "mlp": {
        "loss: pooled, one call per model": [("lossfns/training/batched.py", "batch_loss")],
        "  of which input checks": [("lossfns/_validation.py", "prepare_binary")],
        "batch and dropout draws": [("lossfns/training/batched.py", "_draw")],
        "forward": [("lossfns/training/mlp.py", "forward")],
        "backward": [("torch/autograd/__init__.py", "grad")],
        "optimiser step": [("lossfns/training/optim.py", "step")],
        "validation pass (early stopping)": [("lossfns/training/batched.py", "evaluate")],
    },
    "cnn": {
        "forward (vmap over models)": [("lossfns/training/cnn.py", "_stacked_forward")],
        "loss": [("lossfns/training/cnn.py", "model_loss")],
        "backward": [("torch/autograd/__init__.py", "grad")],
        "optimiser step": [("lossfns/training/optim.py", "step")],
        "evaluation passes": [("lossfns/training/cnn.py", "evaluate")],
        "probes": [("lossfns/training/probes.py", "add"), ("lossfns/training/probes.py", "add_params")],
    },
}


def shares(profile: cProfile.Profile, total_fn: tuple[str, str], components: dict) -> dict:
    """``{"total_s", component: share}`` from ``profile``: each component's summed cumulative
    time over the cumulative time of ``total_fn`` (path suffix, function name)."""
    stats = pstats.Stats(profile).stats

    def cum(suffix, name):
        return sum(v[3] for (path, _, fn), v in stats.items()
                   if fn == name and path.replace(os.sep, "/").endswith(suffix))

    total = cum(*total_fn)
    if total <= 0:
        raise RuntimeError(f"{total_fn} was not called in the profile")
    return {"total_s": round(total, 3),
            **{k: round(sum(cum(*f) for f in fns) / total, 4) for k, fns in components.items()}}


def profile_mlp(epochs: int) -> dict:
    from lossfns.experiments.doc003 import tabular as T
    out = {}
    for loss in ("F1*", "BCE"):
        pr = cProfile.Profile()
        pr.enable()
        T.run_losses("mammography", {loss: T.TABLE1_LOSSES[loss]}, trials=10, max_epochs=epochs,
                     patience=10 ** 6)
        pr.disable()
        out[loss] = shares(pr, ("lossfns/training/batched.py", "train_batched"), COMPONENTS["mlp"])
    return out


def profile_cnn(images: int) -> dict:
    import numpy as np
    import torch

    from lossfns.experiments.doc001.losses import make_loss
    from lossfns.experiments.doc001.sigmoid_free import sigmoid_free_cnns
    from lossfns.training import Task, train_cnn
    rng = np.random.default_rng(0)
    tasks = [Task(rng.random((images, 28, 28), dtype=np.float32), rng.integers(0, 2, images),
                  X_val=rng.random((images // 5, 28, 28), dtype=np.float32),
                  y_val=rng.integers(0, 2, images // 5)) for _ in range(2)]
    spec = sigmoid_free_cnns()["logit"]
    fn = make_loss("BCE")   # as 001-6 trains "sigmoid + BCE"

    def loss(z, t):
        return fn(torch.sigmoid(z), t)
    pr = cProfile.Profile()
    pr.enable()
    train_cnn(spec, tasks, loss, epochs=1, batch_size=32, optimizer="adam", optimizer_kwargs={"lr": 1e-3},
              seed=0, model_ids=[0, 1], probes=True, quiet=True)
    pr.disable()
    return {"sigmoid + BCE, 2 models, 1 epoch": shares(pr, ("lossfns/training/cnn.py", "train_cnn"),
                                                       COMPONENTS["cnn"])}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--cnn-images", type=int, default=2000)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "profile_engine.json"))
    args = ap.parse_args(argv)
    if args.epochs < 1 or args.cnn_images < 10:
        ap.error("--epochs must be >= 1 and --cnn-images >= 10")
    import torch
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    out = {"command": "python benchmarks/profile_engine.py " + " ".join(argv or sys.argv[1:]),
           "load_average_before": os.getloadavg()[0],
           "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
           "mlp (003-5-1, 003-5-1b: Mammography, 10 trials batched)": profile_mlp(args.epochs),
           "cnn (001-6)": profile_cnn(args.cnn_images)}
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    return out


if __name__ == "__main__":
    main()
