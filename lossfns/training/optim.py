"""Per-element optimisers for stacked parameters (models as the leading dimension).

Every parameter tensor has shape (M, ...), one slice per model. ``step`` takes
the gradients and ``active``, a bool tensor of shape (M,): models that are not
active on this step (padding steps of a shorter epoch, early-stopped models)
keep their parameters *and* their optimiser state (moments, step count)
untouched, exactly as if the step had not happened for them.

Learning rate per model: ``lr`` is a float (every model) or a sequence of M
floats, one per model, so a learning-rate sweep is one batched call. A float
keeps the scalar arithmetic (bit-identical to earlier versions).

Defaults, stated against torch and Keras 3:

============  =======================================  ==========================================
optimiser     torch.optim                              keras.optimizers
============  =======================================  ==========================================
SGD           lr 1e-3, momentum 0, nesterov False      lr 0.01, momentum 0, nesterov False
RMSprop       lr 1e-2, alpha 0.99, eps 1e-8 (outside   lr 1e-3, rho 0.9, eps 1e-7 (inside sqrt)
              sqrt)
Adam          lr 1e-3, betas (0.9, 0.999), eps 1e-8    lr 1e-3, beta_1 0.9, beta_2 0.999, eps 1e-7
============  =======================================  ==========================================

Ours: SGD lr 0.01 (Keras), momentum 0; RMSprop follows Keras (lr 1e-3, rho
0.9, eps 1e-7 inside the square root); Adam ``style="torch"`` (default) or
``"keras"`` with that library's eps.
"""
from __future__ import annotations

import torch

from .._validation import check_positive


def _bcast(active: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    return active.view(-1, *([1] * (p.dim() - 1)))


#: Moments below this are set to 0: idle units' moments otherwise decay into
#: float32 denormals, which make CPU arithmetic several times slower (worker
#: threads ignore torch.set_flush_denormal). 1e-30 is far below the eps
#: (1e-7) they are added to, so updates are unchanged.
TINY = 1e-30


def _lr(lr, params):
    """A float stays a float; a sequence of M values becomes an (M,) tensor."""
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        check_positive("lr", lr)
        return float(lr)
    vals = [float(v) for v in lr]
    M = params[0].shape[0]
    if len(vals) != M:
        raise ValueError(f"lr must be a float or one value per model ({M}), got {len(vals)}")
    for v in vals:
        check_positive("lr", v)
    return torch.tensor(vals, dtype=params[0].dtype, device=params[0].device)


def _scale(lr, p):
    """lr broadcast against p (M, ...): a float as is, an (M,) tensor reshaped."""
    return lr if isinstance(lr, float) else lr.view(-1, *([1] * (p.dim() - 1)))


def _flush(t: torch.Tensor, on: bool = True) -> torch.Tensor:
    return t.masked_fill_(t.abs() < TINY, 0.0) if on else t


class StackedOptimizer:
    """Base class: holds the parameter list and applies masked updates."""

    #: flush tiny moments (see TINY); the trainer turns it off when the hardware
    #: already flushes denormals (single-threaded CPU with torch.set_flush_denormal).
    flush_tiny: bool = True

    def __init__(self, params):
        self.params = list(params)

    @torch.no_grad()
    def step(self, grads, active: torch.Tensor) -> None:
        """Update every parameter; ``active`` (M,) bool selects the models that step."""
        everyone = bool(active.all())
        for i, (p, g) in enumerate(zip(self.params, grads)):
            self._update(i, p, g, None if everyone else _bcast(active, p))

    def _update(self, i, p, g, act):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(StackedOptimizer):
    """(Sub)gradient descent, optionally with momentum / Nesterov (torch's form).

    buf <- momentum * buf + g;  step = g + momentum * buf (Nesterov) or buf;
    w <- w - lr * step. ``momentum=0`` is plain w <- w - lr * g. With a
    constant lr this equals Keras' v <- momentum v - lr g, w <- w + v
    (Nesterov: w <- w + momentum v - lr g), since v = -lr buf. Defaults: lr
    0.01 (Keras; torch 1e-3), momentum 0, nesterov False (both libraries).
    """

    def __init__(self, params, lr=0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(params)
        self.lr = _lr(lr, self.params)
        if not 0.0 <= float(momentum) < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov needs momentum > 0 (as in torch.optim.SGD)")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.buf = [torch.zeros_like(p) for p in self.params] if self.momentum else None

    def _update(self, i, p, g, act):
        if self.momentum:
            buf = self.buf[i] * self.momentum + g
            self.buf[i] = buf if act is None else torch.where(act, buf, self.buf[i])
            g = g + self.momentum * buf if self.nesterov else buf
        if isinstance(self.lr, float):
            if act is None:
                p.add_(g, alpha=-self.lr)
            else:
                p.copy_(torch.where(act, p.add(g, alpha=-self.lr), p))
            return
        new = p - _scale(self.lr, p) * g
        p.copy_(new if act is None else torch.where(act, new, p))


class RMSprop(StackedOptimizer):
    """Keras 3 RMSprop (no momentum, not centred), keras/src/optimizers/rmsprop.py:

    v <- rho * v + (1 - rho) * g**2;  w <- w - lr * g / sqrt(v + eps)

    (eps inside the square root, unlike torch.optim.RMSprop). Keras defaults:
    lr 1e-3, rho 0.9, eps 1e-7 (ours); torch.optim.RMSprop's are lr 1e-2,
    alpha (= rho) 0.99, eps 1e-8 added to sqrt(v).
    """

    def __init__(self, params, lr=1e-3, rho: float = 0.9, eps: float = 1e-7):
        super().__init__(params)
        check_positive("eps", eps)
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"rho must be in [0, 1), got {rho!r}")
        self.lr, self.rho, self.eps = _lr(lr, self.params), float(rho), float(eps)
        self.v = [torch.zeros_like(p) for p in self.params]

    def _update(self, i, p, g, act):
        # v = rho v + (1 - rho) g^2;  w -= lr g / sqrt(v + eps). Same arithmetic
        # on both paths (in place when every model steps), so masking never
        # changes the rounding of the models that do step.
        if not isinstance(self.lr, float):
            v = _flush(self.v[i].mul(self.rho).addcmul_(g, g, value=1.0 - self.rho), self.flush_tiny)
            p_new = p - _scale(self.lr, p) * g / (v + self.eps).sqrt_()
            if act is None:
                self.v[i] = v
                p.copy_(p_new)
                return
        elif act is None:
            v = _flush(self.v[i].mul_(self.rho).addcmul_(g, g, value=1.0 - self.rho), self.flush_tiny)
            p.addcdiv_(g, (v + self.eps).sqrt_(), value=-self.lr)
            return
        else:
            v = _flush(self.v[i].mul(self.rho).addcmul_(g, g, value=1.0 - self.rho), self.flush_tiny)
            p_new = p.addcdiv(g, (v + self.eps).sqrt_(), value=-self.lr)
        self.v[i] = torch.where(act, v, self.v[i])
        p.copy_(torch.where(act, p_new, p))


class Adam(StackedOptimizer):
    """Adam with a per-model step count.

    ``style="torch"`` (torch.optim.Adam, eps default 1e-8):
        w <- w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    ``style="keras"`` (keras/src/optimizers/adam.py, eps default 1e-7):
        w <- w - lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
    with m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2 and t the model's own
    count of real steps.
    """

    def __init__(self, params, lr=1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
                 eps: float | None = None, style: str = "torch"):
        super().__init__(params)
        if style not in ("torch", "keras"):
            raise ValueError(f"style must be 'torch' or 'keras', got {style!r}")
        eps = (1e-8 if style == "torch" else 1e-7) if eps is None else eps
        check_positive("eps", eps)
        for name, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {b!r}")
        self.lr, self.b1, self.b2, self.eps, self.style = _lr(lr, self.params), float(beta_1), float(beta_2), float(eps), style
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = torch.zeros(self.params[0].shape[0], dtype=self.params[0].dtype,
                             device=self.params[0].device)

    @torch.no_grad()
    def step(self, grads, active: torch.Tensor) -> None:
        self.t = self.t + active.to(self.t.dtype)
        super().step(grads, active)

    def _update(self, i, p, g, act):
        lr = _scale(self.lr, p)
        t = self.t.clamp(min=1.0).view(-1, *([1] * (p.dim() - 1)))
        m_new = _flush(self.m[i] + (g - self.m[i]) * (1.0 - self.b1), self.flush_tiny)
        v_new = _flush(self.v[i] + (g * g - self.v[i]) * (1.0 - self.b2), self.flush_tiny)
        if act is None:
            self.m[i], self.v[i] = m_new, v_new
        else:
            self.m[i] = torch.where(act, m_new, self.m[i])
            self.v[i] = torch.where(act, v_new, self.v[i])
        bc1 = 1.0 - self.b1 ** t
        bc2 = 1.0 - self.b2 ** t
        if self.style == "keras":
            upd = self.m[i] * (lr * torch.sqrt(bc2) / bc1) / (torch.sqrt(self.v[i]) + self.eps)
        else:
            upd = (lr / bc1) * self.m[i] / (torch.sqrt(self.v[i]) / torch.sqrt(bc2) + self.eps)
        if act is None:
            p.sub_(upd)
        else:
            p.copy_(torch.where(act, p - upd, p))


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def make_optimizer(name: str, params, **kwargs) -> StackedOptimizer:
    """``"rmsprop"`` | ``"adam"`` | ``"sgd"`` with keyword overrides (lr, rho, eps,
    momentum, nesterov, ...); ``lr`` may be one value per model."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](params, **kwargs)
