"""Keras 3 API: ``keras.losses.Loss`` subclasses for ``model.compile(loss=...)``.

Keras calls losses as ``loss(y_true, y_pred)``; the package's functions take
``(y_pred, y_true)`` like PyTorch. The classes here swap the order, return the
element-wise loss and let Keras apply its reduction and ``sample_weight``.
They serialise with ``get_config`` and are registered under the package name
``lossfns`` for ``keras.saving.deserialize_keras_object``::

    model.compile(optimizer="rmsprop", loss=lossfns.keras.XtremeMarginLoss(lam1=100, lam2=100))

Inside a compiled graph only static shape/dtype checks run; value checks
(label set, range, NaN) run when the loss is called eagerly.
"""

from __future__ import annotations

import inspect

import keras
from keras import ops as K

from .losses import LOSSES

__all__ = [spec.class_name for spec in LOSSES.values() if spec.keras]


def _match_rank(y_true, y_pred):
    # Keras feeds labels of shape (B,) to models with output (B, 1): align them
    # explicitly (only a trailing axis of size 1 is added or removed).
    rt, rp = len(y_true.shape), len(y_pred.shape)
    if rt == rp - 1 and y_pred.shape[-1] == 1:
        y_true = K.expand_dims(y_true, -1)
    elif rp == rt - 1 and y_true.shape[-1] == 1:
        y_true = K.squeeze(y_true, -1)
    return y_true


def _make_loss(spec):
    sig = inspect.signature(spec.fn)
    defaults = {k: p.default for k, p in sig.parameters.items()
                if p.kind is p.KEYWORD_ONLY and k != "reduction"}

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **params):
        unknown = set(params) - set(defaults)
        if unknown:
            raise TypeError(f"{spec.class_name} got unknown parameter(s) {sorted(unknown)}; "
                            f"expected some of {sorted(defaults)}")
        keras.losses.Loss.__init__(self, name=name or spec.name, reduction=reduction, dtype=dtype)
        self.params = {**defaults, **params}
        # Validate the hyper-parameters now rather than at the first batch.
        if spec.inputs == ("y_pred", "y_true"):
            spec.fn(K.convert_to_tensor([0.25, 0.75]), K.convert_to_tensor([0.0, 1.0]),
                    reduction="none", **self.params)

    def call(self, y_true, y_pred):
        y_true = _match_rank(y_true, y_pred)
        return spec.fn(y_pred, y_true, reduction="none", **self.params)

    def get_config(self):
        return {**keras.losses.Loss.get_config(self), **self.params}

    doc = (f"Keras loss wrapping :func:`lossfns.{spec.name}` ({spec.source}); "
           f"called as ``loss(y_true, y_pred)``. Parameters and defaults: {defaults}.")
    cls = type(spec.class_name, (keras.losses.Loss,),
               {"__init__": __init__, "call": call, "get_config": get_config,
                "__doc__": doc, "__module__": __name__})
    return keras.saving.register_keras_serializable(package="lossfns")(cls)


for _spec in LOSSES.values():
    if _spec.keras:
        globals()[_spec.class_name] = _make_loss(_spec)
