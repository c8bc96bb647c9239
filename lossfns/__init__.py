"""lossfns: loss functions for binary classification, and a replication suite.

Every loss is one functional definition that runs on NumPy arrays, torch tensors
and TensorFlow/Keras tensors alike; ``lossfns.torch`` adds ``nn.Module``
wrappers and ``lossfns.keras`` adds ``keras.losses.Loss`` classes.
Sub-packages: ``lossfns.datasets`` (loaders, splits), ``lossfns.training``
(batched PyTorch trainer, faithful Keras trainer), ``lossfns.evaluation``
(metrics, bias-variance), ``lossfns.artifacts`` / ``lossfns.run`` /
``lossfns.sweep`` / ``lossfns.report`` (the notebook pipeline).
"""

import importlib

__version__ = "0.1.0"

from ._validation import value_checks  # noqa: E402,F401
from .losses import LOSSES  # noqa: E402,F401
from .losses import *  # noqa: E402,F401,F403

_LAZY = ("torch", "keras", "datasets", "training", "evaluation", "artifacts", "run", "sweep", "report")


def __getattr__(name):  # lazy sub-modules: `import lossfns` stays light
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lossfns' has no attribute {name!r}")


def _catalogue() -> str:
    by_doc: dict = {}
    for spec in LOSSES.values():
        by_doc.setdefault(spec.source.split()[0], []).append(spec)
    lines = ["", "Catalogue (function: torch class / Keras class -- source):", ""]
    for doc in sorted(by_doc):
        lines.append(f"Document {doc}:")
        for s in by_doc[doc]:
            keras = s.class_name if s.keras else "-"
            lines.append(f"    {s.name}: {s.class_name} / {keras} -- {s.source}")
    return "\n".join(lines)


__doc__ += _catalogue()
