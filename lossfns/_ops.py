"""Array namespaces: one numerical definition of each loss, run by any backend.

Every loss in :mod:`lossfns.losses` is written once against a small
NumPy-like namespace ``ops`` and executes natively on the array it receives:

* :class:`numpy.ndarray` (and Python scalars / lists) -> :data:`NUMPY`, the
  reference backend used by plots and tests;
* :class:`torch.Tensor` -> :data:`TORCH` (autograd, CUDA);
* TensorFlow / Keras tensors -> :data:`KERAS` (``keras.ops``; works inside
  ``model.fit`` graphs).

The namespaces only rename functions: no data is copied between backends, so a
loss called on a CUDA tensor stays on the GPU and keeps its autograd graph.
``benchmarks/bench_losses.py`` measures that this dispatch costs nothing
against hand-written torch code.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

__all__ = ["get_ops", "NUMPY", "backend_name"]


def _np_log_sigmoid(x):
    # log(sigmoid(x)) = -softplus(-x) = -logaddexp(0, -x): stable for |x| large.
    return -np.logaddexp(0.0, -x)


def _np_sigmoid(x):
    # exp(log_sigmoid) avoids overflow warnings of 1/(1+exp(-x)) at x << 0.
    return np.exp(_np_log_sigmoid(x))


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


NUMPY = SimpleNamespace(
    name="numpy",
    asarray=np.asarray,
    abs=np.abs, exp=np.exp, log=np.log, log1p=np.log1p, sqrt=np.sqrt,
    square=np.square, tanh=np.tanh, arctan=np.arctan, arccos=np.arccos,
    cos=np.cos, sin=np.sin, sign=np.sign,
    where=np.where, maximum=np.maximum, minimum=np.minimum, clip=np.clip,
    sigmoid=_np_sigmoid, log_sigmoid=_np_log_sigmoid,
    softplus=lambda x: np.logaddexp(0.0, x),
    logsumexp=_np_logsumexp,
    sum=np.sum, mean=np.mean, max=np.max, min=np.min, prod=np.prod,
    matmul=np.matmul, stack=np.stack, concatenate=np.concatenate,
    expand_dims=np.expand_dims, reshape=np.reshape, transpose=np.transpose,
    zeros_like=np.zeros_like, ones_like=np.ones_like,
    cast=lambda x, like: np.asarray(x, dtype=like.dtype),
    const=lambda v, like: np.asarray(v, dtype=like.dtype),
    linspace=lambda a, b, n, like: np.linspace(a, b, n, dtype=like.dtype),
    is_floating=lambda x: np.issubdtype(x.dtype, np.floating),
    is_bool=lambda x: x.dtype == np.bool_,
    to_numpy=lambda x: np.asarray(x),
    eager=lambda x: True,
    e=math.e,
    # appended for lookup tables (softset.heaviside_lookup): floor, integer
    # index cast and a gather from a flattened array (np.take semantics)
    floor=np.floor,
    as_index=lambda x: np.asarray(x).astype(np.int64),
    take=np.take,
    # appended for chunked pair losses (ranking.wmw_auroc_loss): host integer
    # indices as an index array on the backend (and device) of `like`
    index_like=lambda idx, like: np.asarray(idx, dtype=np.int64),
    # appended for the where-free Heaviside (softset): 0/1 masks of x >= b / x > b in
    # x's dtype, broadcast (torch writes them in one pass, without a bool temporary)
    mask_ge=lambda x, b: np.greater_equal(x, b).astype(x.dtype),
    mask_gt=lambda x, b: np.greater(x, b).astype(x.dtype),
    # appended for table lookups (softset.heaviside_lookup): NaN replaced by `value`, for a
    # float about to become a gather index only (NaN has no integer value). The lookup points
    # it at a NaN entry of its table, so the NaN comes back from the gather (issue 19).
    fill_nan=lambda x, value: np.nan_to_num(x, nan=value),
)


def _make_torch():
    import torch
    import torch.nn.functional as F

    def cast(x, like):
        return x.to(dtype=like.dtype, device=like.device)

    def const(v, like):
        return torch.as_tensor(v, dtype=like.dtype, device=like.device)

    def _mask(compare):
        def mask(x, b):
            shape = torch.broadcast_shapes(x.shape, b.shape) if isinstance(b, torch.Tensor) else x.shape
            # comparison written straight into a floating output: ~8x faster than bool + cast
            return compare(x, b, out=torch.empty(shape, dtype=x.dtype, device=x.device))
        return mask

    return SimpleNamespace(
        name="torch",
        asarray=torch.as_tensor,
        abs=torch.abs, exp=torch.exp, log=torch.log, log1p=torch.log1p,
        sqrt=torch.sqrt, square=torch.square, tanh=torch.tanh,
        arctan=torch.arctan, arccos=torch.arccos, cos=torch.cos, sin=torch.sin,
        sign=torch.sign,
        where=torch.where, maximum=torch.maximum, minimum=torch.minimum,
        clip=torch.clip,
        # softplus as -log_sigmoid(-x): F.softplus returns x itself above its threshold 20
        # (absolute error up to 2e-9 in float64)
        sigmoid=torch.sigmoid, log_sigmoid=F.logsigmoid, softplus=lambda x: -F.logsigmoid(-x),
        logsumexp=lambda x, axis=None, keepdims=False: torch.logsumexp(
            x, dim=tuple(range(x.ndim)) if axis is None else axis, keepdim=keepdims),
        sum=torch.sum, mean=torch.mean, prod=torch.prod,
        max=lambda x, axis=None, keepdims=False: (
            torch.amax(x) if axis is None else torch.amax(x, dim=axis, keepdim=keepdims)),
        min=lambda x, axis=None, keepdims=False: (
            torch.amin(x) if axis is None else torch.amin(x, dim=axis, keepdim=keepdims)),
        matmul=torch.matmul, stack=torch.stack, concatenate=torch.cat,
        expand_dims=torch.unsqueeze, reshape=torch.reshape,
        transpose=lambda x, axes=None: x.permute(*axes) if axes else x.T,
        zeros_like=torch.zeros_like, ones_like=torch.ones_like,
        cast=cast, const=const,
        linspace=lambda a, b, n, like: torch.linspace(a, b, n, dtype=like.dtype, device=like.device),
        is_floating=lambda x: x.is_floating_point(),
        is_bool=lambda x: x.dtype == torch.bool,
        to_numpy=lambda x: x.detach().cpu().numpy(),
        eager=lambda x: True,
        e=math.e,
        floor=torch.floor,
        as_index=lambda x: x.long(),
        # torch.take / advanced indexing measured ~12 ms for 9k indices on CPU
        # (torch 2.13); index_select on the flattened array is ~1000x faster
        take=lambda a, idx: torch.index_select(a.reshape(-1), 0, idx.reshape(-1)).reshape(idx.shape),
        index_like=lambda idx, like: torch.as_tensor(idx, dtype=torch.long, device=like.device),
        mask_ge=_mask(torch.ge), mask_gt=_mask(torch.gt),
        fill_nan=lambda x, value: torch.nan_to_num(x, nan=value),
    )


def _make_keras():
    import keras
    from keras import ops as K

    def is_floating(x):
        return "float" in str(keras.backend.standardize_dtype(x.dtype))

    def eager(x):
        try:
            import tensorflow as tf
        except ImportError:  # pragma: no cover - other Keras backends
            return False
        return tf.executing_eagerly() and not isinstance(x, keras.KerasTensor)

    def cast(x, like):
        return K.cast(x, like.dtype)

    def const(v, like):
        return K.convert_to_tensor(v, dtype=like.dtype)

    return SimpleNamespace(
        name="keras",
        asarray=K.convert_to_tensor,
        abs=K.abs, exp=K.exp, log=K.log, log1p=K.log1p, sqrt=K.sqrt,
        square=K.square, tanh=K.tanh, arctan=K.arctan, arccos=K.arccos,
        cos=K.cos, sin=K.sin, sign=K.sign,
        where=K.where, maximum=K.maximum, minimum=K.minimum, clip=K.clip,
        sigmoid=K.sigmoid, log_sigmoid=K.log_sigmoid, softplus=K.softplus,
        logsumexp=K.logsumexp,
        sum=K.sum, mean=K.mean, max=K.max, min=K.min, prod=K.prod,
        matmul=K.matmul, stack=K.stack, concatenate=K.concatenate,
        expand_dims=K.expand_dims, reshape=K.reshape, transpose=K.transpose,
        zeros_like=K.zeros_like, ones_like=K.ones_like,
        cast=cast, const=const,
        linspace=lambda a, b, n, like: K.cast(K.linspace(a, b, n), like.dtype),
        is_floating=is_floating,
        is_bool=lambda x: keras.backend.standardize_dtype(x.dtype) == "bool",
        to_numpy=lambda x: np.asarray(K.convert_to_numpy(x)),
        eager=eager,
        e=math.e,
        floor=K.floor,
        as_index=lambda x: K.cast(x, "int32"),
        take=K.take,
        index_like=lambda idx, like: K.convert_to_tensor(np.asarray(idx), dtype="int32"),
        # the bound in x's dtype (a Python float would be compared as float32)
        mask_ge=lambda x, b: K.cast(K.greater_equal(x, K.convert_to_tensor(b, dtype=x.dtype)), x.dtype),
        mask_gt=lambda x, b: K.cast(K.greater(x, K.convert_to_tensor(b, dtype=x.dtype)), x.dtype),
        fill_nan=lambda x, value: K.nan_to_num(x, nan=value),
    )


_CACHE: dict[str, SimpleNamespace] = {"numpy": NUMPY}


def backend_name(x) -> str:
    """Name of the backend that owns array ``x``: "torch", "keras" or "numpy"."""
    mod = type(x).__module__
    if mod.startswith("torch"):
        return "torch"
    if mod.startswith(("tensorflow", "keras", "tf_keras", "jax", "jaxlib")):
        return "keras"
    return "numpy"


def get_ops(*arrays) -> SimpleNamespace:
    """Namespace for the backend of the first non-NumPy array among ``arrays``.

    Mixing a torch tensor with a NumPy array is allowed (the NumPy array is
    converted by the caller); mixing torch with TensorFlow is an error.
    """
    names = {backend_name(a) for a in arrays if a is not None}
    names.discard("numpy")
    if len(names) > 1:
        raise TypeError(f"inputs mix array backends {sorted(names)}; pass arrays of one framework")
    name = names.pop() if names else "numpy"
    if name not in _CACHE:
        _CACHE[name] = _make_torch() if name == "torch" else _make_keras()
    return _CACHE[name]
