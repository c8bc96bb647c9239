"""lossfns: loss functions for binary classification, and a replication suite.

Every loss is one functional definition that runs on NumPy arrays, torch tensors
and TensorFlow/Keras tensors alike; ``lossfns.torch`` adds ``nn.Module``
wrappers and ``lossfns.keras`` adds ``keras.losses.Loss`` classes.
``import lossfns`` needs NumPy only (torch, Keras and the suite's
dependencies are imported when used; a part whose extra is missing says which
to install, e.g. ``pip install "lossfns[torch]"``).

Names: the functions are shared by every framework (``lossfns.focal``); the
torch classes are named as ``torch.nn`` names its own (``lossfns.torch.FocalLoss``),
the Keras classes as ``keras.losses`` does (``lossfns.keras.BinaryFocalCrossentropy``).
Inputs: the first line of each loss's docstring says what it takes; the binary
losses take probabilities by default everywhere (``from_logits=True``: logits).

Layers, each importing only those below it (``docs/architecture.md``):

1. the core library: the losses (:mod:`lossfns.losses`), :mod:`lossfns.metrics`,
   ``lossfns.torch`` and ``lossfns.keras``;
2. data and training: ``lossfns.datasets``, ``lossfns.training``, ``lossfns.evaluation``;
3. paper protocols: ``lossfns.experiments`` (one subpackage per document);
4. the pipeline: ``lossfns.pipeline`` (run, sweep, artifacts, report, site;
   ``python -m lossfns.run|sweep|report|site``).
"""

import importlib as _importlib
from types import ModuleType as _ModuleType

__version__ = "0.1.0"

from ._extras import install as _install_extras  # noqa: E402

_install_extras()  # a part whose optional dependency is missing names the extra to install

from ._deprecation import moved_names as _moved_names  # noqa: E402
from ._validation import value_checks  # noqa: E402
from . import losses  # noqa: E402
from .losses import *  # noqa: E402,F401,F403
from .metrics import conditional_accuracy, hard_labels  # noqa: E402

# The star import also binds the loss families' modules and the registry's decorator: not API
# (they stay in lossfns.losses).
for _name in [n for n, v in vars(losses).items() if isinstance(v, _ModuleType) or n == "register"]:
    globals().pop(_name, None)
del _name

#: The public API: every loss and helper of lossfns.losses and the registry (LOSSES,
#: LossSpec), the hard prediction and conditional accuracy, and the value-check switch. The
#: tuples of a parameter's choices (APPROXIMATIONS, WMW_FORMS, BROKEN_CONSTANTS) stay
#: importable but are documented with their parameter, in lossfns.losses.
__all__ = [n for n, v in vars(losses).items()
           if not n.startswith("_") and not isinstance(v, _ModuleType) and n != "register"
           and (n == "LOSSES" or not n.isupper())]
__all__ += ["conditional_accuracy", "hard_labels", "value_checks"]

#: Sub-packages imported on first use (``import lossfns`` stays light); the first nine are
#: the documented parts (the others are the old homes of the pipeline's modules).
_SUBMODULES = ("losses", "metrics", "torch", "keras", "datasets", "training", "evaluation",
               "experiments", "pipeline")
_LAZY = ("torch", "keras", "datasets", "training", "evaluation", "experiments", "pipeline",
         "artifacts", "run", "sweep", "report", "site")

#: Names that left the core library for the layer they belong to.
_MOVED = {
    **{n: f"lossfns.experiments.doc001.theory:{n}" for n in
       ("phi_sqrt", "phi_arctan", "toy_gain", "toy_G", "toy_G_derivative_closed_form")},
    **{n: f"lossfns.experiments.doc003.theory:{n}" for n in
       ("linear_heaviside_slopes", "lipschitz_constant", "f1_limit", "accuracy_limit", "auroc_limit")},
    "class_weights": "lossfns.training.samplers:class_weights",
    "random_oversample": "lossfns.training.samplers:random_oversample",
}
_moved = _moved_names(__name__, _MOVED)


def __getattr__(name):  # lazy sub-modules: `import lossfns` stays light
    if name in _LAZY:
        return _importlib.import_module(f".{name}", __name__)
    return _moved(name)


def __dir__():
    """The public API (``__all__``) and the documented sub-packages, for ``dir()`` and tab
    completion."""
    dunders = (n for n in globals() if n.startswith("__") and n.endswith("__"))
    return sorted({*__all__, *_SUBMODULES, *dunders})


def _catalogue() -> str:
    by_doc: dict = {}
    for spec in LOSSES.values():
        by_doc.setdefault(spec.source.split()[0], []).append(spec)
    lines = ["", "Catalogue (function: torch class / Keras class -- source):", ""]
    for doc in sorted(by_doc):
        lines.append(f"Document {doc}:")
        for s in by_doc[doc]:
            keras = s.keras_name if s.keras else "-"
            lines.append(f"    {s.name}: {s.torch_name} / {keras} -- {s.source}")
    return "\n".join(lines)


__doc__ += _catalogue()
