"""Old names that moved keep working for a while, with a DeprecationWarning saying where they went."""

from __future__ import annotations

import importlib
import warnings


def moved_names(package: str, moved: dict):
    """A module ``__getattr__`` that forwards each old name of ``package`` to its new home.

    ``moved`` maps an old name to ``"new.module:attribute"``; the new module is
    imported only when the old name is used (no import-time dependency).
    """
    def __getattr__(name):
        if name in moved:
            module, _, attr = moved[name].partition(":")
            warnings.warn(f"{package}.{name} moved to {module}.{attr or name}; import it from there",
                          DeprecationWarning, stacklevel=2)
            return getattr(importlib.import_module(module), attr or name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__


def moved_module(old: str, new: str):
    """A module ``__getattr__`` for a module that moved as a whole: every attribute of ``old``
    is that of ``new`` (imported on first use). Warns once, at import of ``old``, unless
    ``old`` runs as ``__main__`` (``python -m lossfns.run`` stays a documented command)."""
    if old != "__main__":
        warnings.warn(f"{old} moved to {new}; import it from there", DeprecationWarning, stacklevel=3)

    def __getattr__(name):
        return getattr(importlib.import_module(new), name)
    return __getattr__


def warn_renamed(module: str, old: str, new: str) -> None:
    """Warn that class ``module.old`` is now ``module.new`` (called when the old name is
    instantiated; the warning points at the caller's line).

    A ``FutureWarning``, not a ``DeprecationWarning``: the people who meet it write the
    class name in their own scripts and notebooks, and Python hides DeprecationWarnings
    raised from code that is not ``__main__``.
    """
    warnings.warn(f"{module}.{old} is deprecated and will be removed in the next release: "
                  f"use {module}.{new} (same parameters)", FutureWarning, stacklevel=3)
