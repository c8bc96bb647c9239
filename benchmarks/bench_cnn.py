"""Benchmark: CNN training time per epoch (small CNN, Tiny Darknet) and peak memory.

    python benchmarks/bench_cnn.py [--steps N] [--models M ...] [--threads T] [--device cuda]

A Fashion-MNIST-sized random tensor (60,000 x 28 x 28, labels 0/1) for the
small CNN and a CIFAR-sized one (50,000 x 32 x 32 x 3) for Tiny Darknet; the
real data are not needed for timing. Batch 32, Adam, BCE, float32, CPU. To
keep runs short on a shared machine, only ``--steps`` optimiser steps are
timed (after one warm-up step) on a task of steps x 32 rows, and the time per
epoch is that per step x ceil(n / 32) steps, plus the measured evaluation
time per row x n (one evaluation pass over the training set per epoch, as the
probes need). ``--device`` (cpu, cuda, auto; default cpu) trains and evaluates there; on a
GPU the timings wait for the device (``torch.cuda.synchronize``). Writes
benchmarks/results/cnn.json (``--out`` elsewhere: e.g. cnn-cuda.json).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lossfns.training import Task  # noqa: E402
from lossfns.training.cnn import SMALL_CNN, TINY_DARKNET, n_parameters, predict_cnn, train_cnn  # noqa: E402

SETS = {"small_cnn": (SMALL_CNN, 60_000), "tiny_darknet": (TINY_DARKNET, 50_000)}


def bce(p, t):
    return torch.nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t, reduction="none")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure(spec, n_full, steps, models, eval_rows=2048, device="cpu"):
    rng = np.random.default_rng(0)
    full = rng.normal(size=(n_full,) + tuple(spec.in_shape)).astype(np.float32)  # the full-size tensor
    n = steps * 32
    tasks = [Task(full[m * n:(m + 1) * n], rng.integers(0, 2, n)) for m in range(models)]
    warm = [Task(t.X_train[:32], t.y_train[:32]) for t in tasks]
    train_cnn(spec, warm, bce, epochs=1, quiet=True, device=device)
    _sync(device)
    t0 = time.perf_counter()
    res = train_cnn(spec, tasks, bce, epochs=1, quiet=True, device=device)
    _sync(device)
    train_s = time.perf_counter() - t0
    params = [p.to(device) for p in res.params]  # TrainResult.params come back on the CPU
    predict_cnn(spec, params, full[:32])  # warm-up
    _sync(device)
    t0 = time.perf_counter()
    predict_cnn(spec, params, full[:eval_rows])
    _sync(device)
    eval_per_row = (time.perf_counter() - t0) / eval_rows
    epoch_steps = math.ceil(n_full / 32)
    per_step = train_s / steps
    return {"models": models, "timed_steps": steps, "seconds_per_step": per_step,
            "train_seconds_per_epoch": per_step * epoch_steps,
            "eval_seconds_per_epoch_per_model": eval_per_row * n_full / models,
            "epoch_seconds_per_model": (per_step * epoch_steps + eval_per_row * n_full) / models,
            "peak_rss_mb": rss_mb(), "data_mb": full.nbytes / 2**20}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--models", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (two collapse to ~20x slower when the 2 cores are shared)")
    ap.add_argument("--only", choices=sorted(SETS), default=None)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "cnn.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    from lossfns.training import resolve_device
    device = resolve_device(args.device)
    out = {"command": "python benchmarks/bench_cnn.py " + " ".join(argv or sys.argv[1:]),
           "batch_size": 32, "optimizer": "adam", "dtype": "float32", "threads": args.threads,
           "device": device, "gpu": torch.cuda.get_device_name() if device.startswith("cuda") else None,
           "load_average_before": os.getloadavg()[0], "results": {},
           "machine": {"python": platform.python_version(), "torch": torch.__version__,
                       "cpu_count": os.cpu_count(), "platform": platform.platform()}}
    for name, (spec, n_full) in SETS.items():
        if args.only and name != args.only:
            continue
        out["results"][name] = {"parameters": n_parameters(spec), "rows": n_full, "by_models": []}
        for M in args.models:
            r = measure(spec, n_full, args.steps, M, device=device)
            out["results"][name]["by_models"].append(r)
            print(f"{name} M={M}: {r['seconds_per_step'] * 1e3:.0f} ms/step, "
                  f"{r['epoch_seconds_per_model']:.0f} s per epoch per model, peak RSS {r['peak_rss_mb']:.0f} MB",
                  flush=True)
    out["load_average_after"] = os.getloadavg()[0]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
