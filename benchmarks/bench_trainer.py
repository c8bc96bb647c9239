"""Benchmark: document 000 Table 1 protocol with the batched trainer vs Keras.

    python benchmarks/bench_trainer.py [--quick] [--keras-folds N] [--threads T] [--no-keras]

Sonar, 20 x stratified 10-fold CV, 100 epochs, batch 32, RMSprop (Keras
defaults), losses BCE, Keras hinge on probabilities and Xtreme Margin (1, 1):
600 trainings in one batched call (the three losses act on three blocks of
200 models). Then the same protocol, a few folds, with the faithful Keras
one-model-at-a-time loop. Writes benchmarks/results/trainer.json (atomic).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# --lossfns-root DIR: import lossfns from DIR instead (e.g. an older commit
# exported with `git archive <commit> lossfns | tar -x -C DIR`), to time
# "before" and "after" with the same script in one session.
if "--lossfns-root" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--lossfns-root") + 1])

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lossfns.pipeline.artifacts import atomic_write  # noqa: E402
from lossfns.datasets import load_sonar  # noqa: E402
from lossfns.experiments.doc000.protocols import make_loss  # noqa: E402
from lossfns.experiments.doc000.protocols import PAPER000_SPEC  # noqa: E402
from lossfns.training import cv_tasks, stratified_kfold, train_batched  # noqa: E402

# The package's own losses, as the document 000 notebooks train them.
LOSSES = {name: make_loss(name) for name in ("bce", "hinge", "xm(1,1)")}


def stacked_loss(block: int):
    fns = list(LOSSES.values())

    def loss(p, t):
        return torch.cat([f(p[k * block:(k + 1) * block], t[k * block:(k + 1) * block])
                          for k, f in enumerate(fns)])
    return loss


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def atomic_write_json(path: Path, obj) -> None:
    with atomic_write(path) as fh:
        json.dump(obj, fh, indent=2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 repeats, 10 epochs, 1 Keras fold")
    ap.add_argument("--keras-folds", type=int, default=None)
    ap.add_argument("--no-keras", action="store_true", help="batched trainer only")
    ap.add_argument("--lossfns-root", default=None, help="import lossfns from this directory")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: OpenMP threads collapse when the 2 cores are shared)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "trainer.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    repeats, epochs = (2, 10) if args.quick else (20, 100)
    keras_folds = args.keras_folds or (1 if args.quick else 3)

    d = load_sonar()
    splits = stratified_kfold(d.y, 10, n_repeats=repeats, seed=0)
    tasks = cv_tasks(d.X, d.y, splits)
    block = len(tasks)
    all_tasks = tasks * len(LOSSES)
    t0 = time.perf_counter()
    res = train_batched(PAPER000_SPEC, all_tasks, stacked_loss(block), epochs=epochs, batch_size=32,
                        optimizer="rmsprop", seed=0, track_eval=False, device="cpu", quiet=False)
    batched_s = time.perf_counter() - t0
    rss_batched = rss_mb()
    acc = np.array([((p >= 0.5) == t.y_eval).mean() for p, t in zip(res.eval_proba, all_tasks)])
    table = {}
    for k, name in enumerate(LOSSES):
        a = acc[k * block:(k + 1) * block].reshape(repeats, 10)
        means, stds = a.mean(1), a.std(1)
        table[name] = {"mean_min": means.min(), "mean_max": means.max(),
                       "std_min": stds.min(), "std_max": stds.max()}
    n_models = len(all_tasks)
    print(f"batched: {n_models} models x {epochs} epochs in {batched_s:.1f} s "
          f"({n_models / batched_s:.1f} models/s), peak RSS {rss_batched:.0f} MB, "
          f"load average {os.getloadavg()[0]:.1f}, lossfns from {Path(sys.modules['lossfns'].__file__).parent}")
    if args.no_keras:
        return {"batched_seconds": batched_s, "peak_rss_mb": rss_batched, "table1": table}

    from lossfns.training.keras_trainer import keras_cross_val

    t0 = time.perf_counter()
    kr = keras_cross_val(d.X, d.y, "binary_crossentropy", spec=PAPER000_SPEC, splits=splits, epochs=epochs,
                         max_folds=keras_folds, seed=0)
    keras_s = time.perf_counter() - t0
    keras_per_model = float(np.mean(kr["seconds"]))
    batched_per_model = batched_s / n_models
    out = {
        "command": "python benchmarks/bench_trainer.py" + (" --quick" if args.quick else ""),
        "protocol": {"dataset": "sonar", "repeats": repeats, "folds": 10, "epochs": epochs,
                     "batch_size": 32, "optimizer": "RMSprop (Keras defaults)",
                     "losses": list(LOSSES), "xm_source": "lossfns.xtreme_margin (via lossfns.experiments.doc000.protocols.make_loss)"},
        "batched": {"models": n_models, "seconds": batched_s, "models_per_s": n_models / batched_s,
                    "seconds_per_model": batched_per_model, "peak_rss_mb": rss_batched,
                    "threads": args.threads, "dtype": "float32"},
        "keras": {"models": keras_folds, "seconds": keras_s, "seconds_per_model": keras_per_model,
                  "fold_accuracies": kr["scores"].tolist()},
        "per_model_speedup": keras_per_model / batched_per_model,
        "peak_rss_mb_total": rss_mb(),
        "table1": table,
        "batched_first_folds_bce_accuracy": acc[:keras_folds].tolist(),
        "machine": {"python": platform.python_version(), "torch": torch.__version__,
                    "cpu_count": os.cpu_count(), "platform": platform.platform()},
    }
    atomic_write_json(Path(args.out), out)
    print(f"keras: {keras_folds} models in {keras_s:.1f} s ({keras_per_model:.2f} s/model); "
          f"per-model speed-up {out['per_model_speedup']:.0f}x; peak RSS {out['peak_rss_mb_total']:.0f} MB")
    print(json.dumps(table, indent=1))
    return out


if __name__ == "__main__":
    main()
