"""Namespaces the per-document test files use: every public name of the document,
wherever the architecture files it (losses by kind, theory with the protocols,
samplers with the training layer)."""

from types import SimpleNamespace

from lossfns.experiments.doc003 import theory
from lossfns.losses import classification, embeddings, multiclass, overlap, ranking, regression, softset
from lossfns.training import samplers


def _ns(*modules, **extra):
    names = {}
    for m in modules:
        names.update({n: getattr(m, n) for n in m.__all__})
    names.update(extra)
    return SimpleNamespace(**names, __all__=sorted(names))


#: Document 003: soft-set metrics and losses, its baselines, theory helpers and samplers.
S = _ns(softset, theory, samplers, overlap, ranking, weighted_bce=classification.weighted_bce)
#: Document 002 (the primer): multiclass, embedding and regression losses, focal.
P = _ns(multiclass, embeddings, regression, focal=classification.focal,
        HINGE_VARIANTS=multiclass.HINGE_VARIANTS, CONTRASTIVE_CONVENTIONS=embeddings.CONTRASTIVE_CONVENTIONS)
