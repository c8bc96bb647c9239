"""Helpers for cross-backend tests: run one functional loss on NumPy, torch and
Keras(TensorFlow) inputs built from the same NumPy arrays and compare."""

from __future__ import annotations

import numpy as np
import torch

BACKENDS = ("numpy", "torch", "keras")
# dtype-aware tolerances for parity between backends (rtol, atol)
TOL = {np.float64: (1e-10, 1e-12), np.float32: (2e-5, 1e-6)}


def to_backend(x, backend: str, dtype=np.float64):
    """``x`` (NumPy) as an array of ``backend``; floats cast to ``dtype``, ints kept."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating):
        x = x.astype(dtype)
    if backend == "numpy":
        return x
    if backend == "torch":
        return torch.from_numpy(np.ascontiguousarray(x))
    from keras import ops as K
    return K.convert_to_tensor(x)


def to_numpy(y) -> np.ndarray:
    if isinstance(y, torch.Tensor):
        return y.detach().cpu().numpy()
    return np.asarray(y)


def run_all(fn, inputs, dtype=np.float64, **params) -> dict:
    """Call ``fn(*inputs, **params)`` on every backend; results as NumPy arrays."""
    return {b: to_numpy(fn(*[to_backend(x, b, dtype) for x in inputs], **params)) for b in BACKENDS}


def assert_parity(fn, inputs, dtype=np.float64, **params):
    """Assert NumPy, torch and Keras give the same values (dtype-aware tolerance)."""
    out = run_all(fn, inputs, dtype, **params)
    rtol, atol = TOL[dtype]
    for b in ("torch", "keras"):
        np.testing.assert_allclose(out[b], out["numpy"], rtol=rtol, atol=atol,
                                   err_msg=f"{fn.__name__}: {b} differs from numpy")
    return out["numpy"]


def gradcheck(fn, inputs, grad_args=(0,), **params) -> bool:
    """``torch.autograd.gradcheck`` in float64 w.r.t. the inputs at ``grad_args``."""
    tens = []
    for i, x in enumerate(inputs):
        t = to_backend(x, "torch", np.float64)
        if i in grad_args:
            t = t.clone().requires_grad_(True)
        tens.append(t)
    return torch.autograd.gradcheck(lambda *a: fn(*a, **params), tuple(tens), eps=1e-6, atol=1e-5)
