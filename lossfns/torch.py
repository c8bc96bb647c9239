"""PyTorch API: the functional losses plus ``nn.Module`` wrappers.

Every functional loss of :mod:`lossfns.losses` accepts torch tensors directly
(``lossfns.xtreme_margin(y_pred, y_true)``). This module adds one
``torch.nn.Module`` per loss, named after it (``XtremeMarginLoss``), built from
the registry so that the module and the function can never disagree::

    >>> import torch
    >>> from lossfns.torch import XtremeMarginLoss
    >>> crit = XtremeMarginLoss(lam1=2.0, lam2=2.0)
    >>> round(float(crit(torch.tensor([0.9, 0.3]), torch.tensor([1.0, 0.0]))), 4)
    0.5981
"""

from __future__ import annotations

import inspect

import torch

from .losses import LOSSES
from .losses import *  # noqa: F401,F403  (functional API re-exported)

__all__ = [spec.class_name for spec in LOSSES.values()] + ["compile_loss"]


def _make_module(spec):
    sig = inspect.signature(spec.fn)
    defaults = {k: p.default for k, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}

    def __init__(self, **params):
        torch.nn.Module.__init__(self)
        unknown = set(params) - set(defaults)
        if unknown:
            raise TypeError(f"{spec.class_name} got unknown parameter(s) {sorted(unknown)}; "
                            f"expected some of {sorted(defaults)}")
        self.params = {**defaults, **params}

    def forward(self, *inputs):
        return spec.fn(*inputs, **self.params)

    def extra_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self.params.items() if defaults[k] != v)

    doc = (f"``torch.nn.Module`` wrapper of :func:`lossfns.{spec.name}` ({spec.source}).\n\n"
           f"``{spec.class_name}(**params)(*{', '.join(spec.inputs)})`` equals "
           f"``{spec.name}(*inputs, **params)``; parameters and defaults: {defaults}.")
    return type(spec.class_name, (torch.nn.Module,),
                {"__init__": __init__, "forward": forward, "extra_repr": extra_repr,
                 "__doc__": doc, "__module__": __name__})


for _spec in LOSSES.values():
    globals()[_spec.class_name] = _make_module(_spec)


def compile_loss(fn, **params):
    """``torch.compile`` a loss into fused kernels, for speed in a training loop.

    ``compile_loss(lossfns.xtreme_margin, lam1=100, lam2=100)`` returns a callable
    ``f(*inputs)`` equal to ``fn(*inputs, **params)``. Inside it the value
    checks (finite, range, label set: host read-backs that would split the graph)
    are off; shape and dtype checks still run when the function is traced.
    Validate your data once, or call the plain loss while debugging.
    ``benchmarks/bench_losses.py`` measures the gain (rows ``*_compiled``).
    """
    import functools

    from ._validation import value_checks

    compiled = torch.compile(functools.partial(fn, **params), dynamic=False)

    @functools.wraps(fn)
    def call(*inputs):
        with value_checks(False):
            return compiled(*inputs)

    return call
