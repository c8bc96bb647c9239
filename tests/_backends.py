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


def assert_keras_wrapper(spec, params: dict, y, t):
    """The Keras class of a registered loss equals its function, takes Keras'
    (B,) labels against a (B, 1) output, and round-trips through its config and
    Keras serialisation. Returns the Keras value."""
    import keras
    import pytest

    from lossfns import keras as lk

    cls = getattr(lk, spec.keras_name)
    loss = cls(**params)
    y32, t32 = np.asarray(y, np.float32), np.asarray(t, np.float32)
    T, Y = keras.ops.convert_to_tensor(t32), keras.ops.convert_to_tensor(y32)
    got = loss(T, Y)
    assert float(got) == pytest.approx(float(spec.fn(y32, t32, reduction="mean", **params)), rel=1e-6)
    got2 = loss(T, keras.ops.convert_to_tensor(y32[:, None]))
    assert float(got2) == pytest.approx(float(got), rel=1e-6)
    cfg = loss.get_config()
    for k, v in params.items():
        assert cfg[k] == v
    assert cls.from_config(cfg).params == loss.params
    back = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert type(back) is cls and back.params == loss.params
    assert float(back(T, Y)) == pytest.approx(float(got), rel=1e-7)
    return got
