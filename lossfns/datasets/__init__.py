"""Data sets of the four documents: registry, loaders, stand-ins.

``load_dataset(name)`` is the one entry point notebooks need; every loader
returns a :class:`Dataset` (X, y 0/1, metadata with ``is_stand_in``).
Lookup order and checksum rules: :mod:`lossfns.datasets.registry`.
"""
from __future__ import annotations

from .images import (CIFAR10_CLASSES, FASHION_CLASSES, fashion_stand_in, load_cifar10_binary,
                     load_fashion_mnist, load_fashion_mnist_ci_subset, load_isic_folder,
                     read_cifar10_tarball, read_idx_gz)
from .registry import (ChecksumError, Dataset, cache_dir, entry, locate, registry, search_dirs,
                       sha256_of, verify)
from .synthetic import generated_stand_in, load_synthetic, make_synthetic_blobs, synthetic_centres
from .._deprecation import moved_names
from .tabular import (cocktailparty_features, load_adult, load_cocktailparty, load_creditcard,
                      load_ionosphere, load_mammography, load_sonar)

__all__ = [
    "ChecksumError", "Dataset", "DATASET_NAMES", "cache_dir", "cocktailparty_features",
    "entry", "fashion_stand_in", "generated_stand_in", "load_adult", "load_cifar10_binary",
    "load_cocktailparty", "load_creditcard", "load_dataset", "load_fashion_mnist",
    "load_fashion_mnist_ci_subset", "load_ionosphere",
    "load_isic_folder", "load_mammography", "load_sonar", "load_synthetic", "locate",
    "make_synthetic_blobs", "synthetic_centres", "read_cifar10_tarball", "read_idx_gz", "registry", "search_dirs",
    "sha256_of", "verify", "CIFAR10_CLASSES", "FASHION_CLASSES",
]

__getattr__ = moved_names(__name__, {"class_weights": "lossfns.training.samplers:class_weights"})

_REAL = {
    "sonar": load_sonar, "ionosphere": load_ionosphere, "adult": load_adult,
    "mammography": load_mammography, "creditcard": load_creditcard,
    "cocktailparty": load_cocktailparty,
}
DATASET_NAMES = sorted(_REAL) + ["cifar10-transportation", "cifar10-frog", "melanoma",
                                  "synthetic-33", "synthetic-5"]


def load_dataset(name: str, path=None, *, stand_in: bool | str = "auto", allow_download=None,
                 seed: int = 0) -> Dataset:
    """Load a data set by name (see ``DATASET_NAMES``).

    ``stand_in``: "auto" uses the documented stand-in only when the real files
    are unreachable (creditcard, cocktailparty -> generated set of the same
    size, dimensionality and balance; CIFAR-10 tasks and melanoma ->
    Fashion-MNIST); True forces the stand-in; False raises the missing-file
    error instead. Sonar, Ionosphere, Adult and Mammography have no stand-in.
    """
    if stand_in not in (True, False, "auto"):
        raise ValueError(f"stand_in must be True, False or 'auto', got {stand_in!r}")
    if name in ("synthetic-33", "synthetic-5"):
        return load_synthetic(name, seed=seed)
    if name.startswith("cifar10-"):
        return load_cifar10_binary(name.split("-", 1)[1], path, allow_download=allow_download,
                                   stand_in=stand_in)
    if name == "melanoma":
        return load_isic_folder(path, stand_in=stand_in)
    if name not in _REAL:
        raise ValueError(f"unknown dataset {name!r}; known: {DATASET_NAMES}")
    has_stand_in = name in ("creditcard", "cocktailparty")
    if stand_in is True and has_stand_in:
        return generated_stand_in(name, seed=seed)
    try:
        return _REAL[name](path, allow_download=allow_download)
    except FileNotFoundError:
        if stand_in == "auto" and has_stand_in:
            return generated_stand_in(name, seed=seed)
        raise
