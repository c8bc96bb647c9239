"""The loss catalogue, grouped by what each loss is; the source document is a tag
(``LOSSES[name].source`` and each docstring). Every loss is one functional
definition that runs on NumPy, torch and Keras arrays.

==========================  =================================================================
module                      losses
==========================  =================================================================
:mod:`.classification`      binary cross-entropy, hinge, margin hinge, focal, weighted BCE
:mod:`.xtreme_margin`       Xtreme Margin (document 000)
:mod:`.polynomial`          l24, l6, sigmoid-free, broken loss (document 001)
:mod:`.softset`             soft-set confusion-matrix metrics and losses (document 003)
:mod:`.overlap`             Dice
:mod:`.ranking`             Wilcoxon-Mann-Whitney AUROC surrogate
:mod:`.multiclass`          categorical cross-entropy, KL divergence, multiclass hinge, Poly-1
:mod:`.embeddings`          contrastive, triplet, margin ranking, InfoNCE, MNR, ArcFace, GE2E
:mod:`.regression`          MAE, MSE, Huber
==========================  =================================================================
"""

from ._registry import LOSSES, LossSpec, register  # noqa: F401
from .classification import *  # noqa: F401,F403
from .xtreme_margin import *  # noqa: F401,F403
from .polynomial import *  # noqa: F401,F403
from .softset import *  # noqa: F401,F403
from .overlap import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from .multiclass import *  # noqa: F401,F403
from .embeddings import *  # noqa: F401,F403
from .regression import *  # noqa: F401,F403
