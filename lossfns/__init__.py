"""lossfns: loss functions for binary classification, and a replication suite.

Every loss is one functional definition that runs on NumPy arrays, torch tensors
and TensorFlow/Keras tensors alike; ``lossfns.torch`` adds ``nn.Module``
wrappers and ``lossfns.keras`` adds ``keras.losses.Loss`` classes.
``import lossfns`` needs NumPy only (torch, Keras and the suite's
dependencies are imported when used).

Layers, each importing only those below it (``docs/architecture.md``):

1. the core library: the losses (:mod:`lossfns.losses`), :mod:`lossfns.metrics`,
   ``lossfns.torch`` and ``lossfns.keras``;
2. data and training: ``lossfns.datasets``, ``lossfns.training``, ``lossfns.evaluation``;
3. paper protocols: ``lossfns.experiments`` (one module per document);
4. the pipeline: ``lossfns.pipeline`` (run, sweep, artifacts, report, site;
   ``python -m lossfns.run|sweep|report|site``).
"""

import importlib

__version__ = "0.1.0"

from ._deprecation import moved_names  # noqa: E402
from ._validation import value_checks  # noqa: E402,F401
from .losses import LOSSES  # noqa: E402,F401
from .losses import *  # noqa: E402,F401,F403
from .metrics import conditional_accuracy, hard_labels  # noqa: E402,F401

_LAZY = ("torch", "keras", "datasets", "training", "evaluation", "experiments", "pipeline",
         "artifacts", "run", "sweep", "report", "site")

#: Names that left the core library for the layer they belong to.
_MOVED = {
    **{n: f"lossfns.experiments.paper001:{n}" for n in
       ("phi_sqrt", "phi_arctan", "toy_gain", "toy_G", "toy_G_derivative_closed_form")},
    **{n: f"lossfns.experiments.paper003:{n}" for n in
       ("linear_heaviside_slopes", "lipschitz_constant", "f1_limit", "accuracy_limit", "auroc_limit")},
    "class_weights": "lossfns.training.samplers:class_weights",
    "random_oversample": "lossfns.training.samplers:random_oversample",
}
_moved = moved_names(__name__, _MOVED)


def __getattr__(name):  # lazy sub-modules: `import lossfns` stays light
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    return _moved(name)


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
