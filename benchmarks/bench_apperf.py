"""Seconds per AP-Perf optimisation step (003's 32-16-1 MLP, dropout 0.5, 6 features) at batch
20 (the authors' setting) and 100, through ``lossfns.training.apperf.train_apperf`` (one thread).
A benchmark, not a test: it prints the medians over repeats and their ratio, measured in one run.

    .venv/bin/python benchmarks/bench_apperf.py [--steps 15] [--reps 3]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from lossfns.experiments.doc003.theory import PAPER003_SPEC
from lossfns.training import Task
from lossfns.training.apperf import train_apperf


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=15, help="optimisation steps per timed epoch")
    ap.add_argument("--reps", type=int, default=3, help="repeats per batch size")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)

    def data(n):
        X = rng.normal(size=(n, 6))
        return X, (X[:, 0] + rng.normal(size=n) > 1.0).astype(float)

    X0, y0 = data(40)
    train_apperf(PAPER003_SPEC, [Task(X0, y0)], epochs=1)        # warm-up (numba compiles once)
    med = {}
    for B in (20, 100):
        X, y = data(B * args.steps)
        ts = []
        for rep in range(args.reps):
            t = time.perf_counter()
            train_apperf(PAPER003_SPEC, [Task(X, y)], epochs=1, batch_size=B, seed=rep)
            ts.append((time.perf_counter() - t) / args.steps)
        med[B] = float(np.median(ts))
        print(f"batch {B}: s per step {[round(v, 4) for v in ts]}, median {med[B]:.4f}", flush=True)
    print(f"ratio batch 100 / batch 20: {med[100] / med[20]:.2f} (cubic solver: (100/20)^3 = 125 at most; "
          f"fixed costs per step lower it)")
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()
