r"""Soft-set confusion-matrix losses, document 003 (Tsoi et al., "Bridging the Gap:
Unifying the Training and Evaluation of Neural Network Binary Classifiers",
NeurIPS 2022, with supplement).

Confusion-matrix metrics made differentiable in two steps:

1. a Heaviside approximation :math:`\mathcal{H}(p, \tau)` replaces the step
   :math:`H(p, \tau) = \mathbb{1}[p \ge \tau]` (eq. 1): :mod:`.heaviside`;
2. soft-set counts :math:`|TP_s|, |FP_s|, |FN_s|, |TN_s|` (eq. 6,
   :mod:`.counts`) enter the metric's usual formula (:mod:`.metrics`); the loss
   is :math:`1 - \text{metric}` (:mod:`.losses`).

Thresholds: ``tau`` is a scalar in (0, 1) or a 1-D grid of shape ``(T,)``;
counts and metrics have shape ``()`` or ``(T,)``. Safe division
(torchmetrics' convention): a ratio whose denominator is 0 (e.g. recall in a
batch without positives) is 0; values and gradients stay finite.

The baselines of the paper's experiments live with their kind: class-weighted
BCE in :mod:`lossfns.losses.classification`, the WMW AUROC surrogate in
:mod:`lossfns.losses.ranking`, Dice in :mod:`lossfns.losses.overlap`; class
weights and random oversampling in :mod:`lossfns.training.samplers`; the
theory helpers of supp. Sec. 1 in :mod:`lossfns.experiments.doc003.theory`.

Example:
    A batch-level loss: one soft confusion matrix over the batch, on probabilities
    (``from_logits=True`` for logits); the torch module gives a gradient:

    >>> import numpy as np
    >>> import lossfns
    >>> p, t = np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])
    >>> round(float(lossfns.soft_f1_loss(p, t)), 4)
    0.2889
    >>> round(float(lossfns.soft_auroc_loss(p, t)), 4)
    0.0686
    >>> import torch
    >>> from lossfns.torch import SoftF1Loss
    >>> y = torch.tensor(p, requires_grad=True)
    >>> SoftF1Loss()(y, torch.tensor(t)).backward()
    >>> bool(y.grad[0] < 0)  # raising the positive's probability lowers the loss
    True
"""

from .counts import *  # noqa: F401,F403
from .heaviside import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from . import counts, heaviside, losses, metrics

__all__ = [*heaviside.__all__, *counts.__all__, *metrics.__all__, *losses.__all__]
