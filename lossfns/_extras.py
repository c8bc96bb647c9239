"""Optional dependencies that explain themselves.

``import lossfns`` needs NumPy only; each other part needs an extra of
``pyproject.toml`` (``lossfns.torch``: ``torch``; ``lossfns.keras``: ``keras`` and a
backend; ``lossfns.datasets``, ``lossfns.training``, ``lossfns.evaluation``:
``data``...). When importing a part of lossfns fails because a module of an extra
is not installed, the bare ``No module named 'sklearn'`` becomes a
:class:`MissingExtraError` naming the extra to install::

    ModuleNotFoundError: lossfns.datasets needs scikit-learn (module 'sklearn'), which is
    not installed: pip install "lossfns[data]" (the 'data' extra: scipy, scikit-learn,
    pandas, tqdm)

It works for every ``lossfns.*`` module, however it is imported (``import
lossfns.datasets``, ``from lossfns.training import ...``, ``lossfns.datasets``
as an attribute): :func:`install` puts a finder in front of ``sys.meta_path`` that
wraps the ``exec_module`` of the loader of each ``lossfns.*`` module it finds
(the loader itself, its class and its other methods are unchanged). Only a missing
module that a lossfns module imports itself is translated (a library's own
missing dependency keeps its message), and so is a missing Keras backend.
``tests/test_public_api.py`` checks :data:`MODULES` against ``pyproject.toml``.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["MissingExtraError", "MODULES", "install"]

#: Import name -> (distribution, extra of pyproject.toml that installs it). A module that
#: several extras install is listed under the smallest of them.
MODULES = {
    "scipy": ("scipy", "data"),
    "sklearn": ("scikit-learn", "data"),
    "pandas": ("pandas", "data"),
    "tqdm": ("tqdm", "data"),
    "torch": ("torch", "torch"),
    "keras": ("keras", "keras"),
    "papermill": ("papermill", "notebooks"),
    "ipykernel": ("ipykernel", "notebooks"),
    "nbconvert": ("nbconvert", "notebooks"),
    "nbformat": ("nbformat", "notebooks"),
    "matplotlib": ("matplotlib", "notebooks"),
    "tabulate": ("tabulate", "notebooks"),
    "dask": ("dask", "dask"),
    "distributed": ("distributed", "dask"),
    "playwright": ("playwright", "browser"),
    "ap_perf": ("ap-perf", "apperf"),
    "numba": ("numba", "apperf"),
    "threadpoolctl": ("threadpoolctl", "apperf"),
}

#: Keras 3's backends (KERAS_BACKEND); the ``keras`` extra installs none of them.
KERAS_BACKENDS = ("tensorflow", "jax")

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _extra_contents(extra: str) -> str:
    return ", ".join(dist for dist, e in MODULES.values() if e == extra)


class MissingExtraError(ModuleNotFoundError):
    """A part of lossfns needs a module that is not installed; the message names the extra
    (``pip install "lossfns[data]"``). ``name`` is the missing module, ``extra`` the extra
    (``None`` for a Keras backend), ``part`` the lossfns module being imported."""

    def __init__(self, missing: str, part: str, importer: str):
        super().__init__("", name=missing)
        self.missing, self.importer = missing, importer
        self.extra = MODULES[missing][1] if missing in MODULES else None
        self.set_part(part)

    def set_part(self, part: str) -> None:
        """Name the outermost lossfns module being imported (the one the user asked for)."""
        self.part = part
        by = "" if self.importer == part else f", imported by {self.importer}"
        if self.extra is None:  # a Keras backend
            self._say(f"{part} needs Keras 3 with a backend, and the backend "
                      f"'{self.missing}' (Keras' default unless KERAS_BACKEND says otherwise) "
                      f"is not installed{by}: pip install {self.missing} (or install jax or torch "
                      f"and set KERAS_BACKEND=jax or KERAS_BACKEND=torch)")
            return
        dist = MODULES[self.missing][0]
        self._say(f"{part} needs {dist} (module '{self.missing}'{by}), which is not installed: "
                  f"pip install \"lossfns[{self.extra}]\" (the '{self.extra}' extra: "
                  f"{_extra_contents(self.extra)})")

    def _say(self, message: str) -> None:
        self.msg, self.args = message, (message,)


def _innermost_file(exc: BaseException) -> str:
    """The file of the frame that raised ``exc`` (importlib's own frames are not in it)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename if tb is not None else ""


def explain(exc: ModuleNotFoundError, part: str) -> ModuleNotFoundError | None:
    """The :class:`MissingExtraError` that ``exc``, raised while importing lossfns module
    ``part``, stands for; ``None`` when it is not a missing optional dependency."""
    if isinstance(exc, MissingExtraError):
        exc.set_part(part)
        return exc
    top = (exc.name or "").partition(".")[0]
    if top in KERAS_BACKENDS:
        return MissingExtraError(top, part, part)
    where = _innermost_file(exc)
    if top in MODULES and where.startswith(_PACKAGE_DIR):
        importer = "lossfns." + Path(where).relative_to(_PACKAGE_DIR).with_suffix("").as_posix() \
            .replace("/", ".").removesuffix(".__init__")
        return MissingExtraError(top, part, importer)
    return None


class _ExplainingFinder:
    """Finds ``lossfns.*`` modules with the rest of ``sys.meta_path`` and wraps their
    loader's ``exec_module`` so that a missing extra explains itself."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("lossfns."):
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find is None or type(finder).__name__ == "_ExplainingFinder":
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None or getattr(exec_module, "_explains_extras", False):
            return spec

        def explained(module):
            try:
                exec_module(module)
            except ModuleNotFoundError as exc:
                better = explain(exc, module.__name__)
                if better is None or better is exc:
                    raise
                raise better.with_traceback(exc.__traceback__) from None

        explained._explains_extras = True
        try:
            loader.exec_module = explained
        except AttributeError:  # a loader without instance attributes: left as it is
            pass
        return spec


def install() -> None:
    """Put the finder first in ``sys.meta_path`` (once)."""
    if not any(type(f).__name__ == "_ExplainingFinder" for f in sys.meta_path):
        sys.meta_path.insert(0, _ExplainingFinder())
