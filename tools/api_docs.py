"""Build helpers of the API reference (``mkdocs.yml``; ``make api`` writes ``site/api/``), also
the hooks of the replication site (``python -m lossfns.site`` extends ``mkdocs.yml``).

Two pieces, both named in ``mkdocs.yml``:

* :class:`RstMarkup`, a Griffe extension (mkdocstrings-python's ``extensions``): the
  docstrings are written for ``help()`` and Sphinx (``.. math::`` blocks, ``:math:``,
  ``:func:`` roles); MkDocs reads Markdown. The extension rewrites each docstring before
  mkdocstrings renders it: a math block becomes ``$$ ... $$`` and ``:math:`x``` becomes
  ``$x$`` (typeset by pymdownx.arithmatex + MathJax), a cross-reference role becomes code
  (```name```), a paragraph's closing ``::`` a colon, and an ``Example:`` section Griffe's
  ``Examples:`` (rendered as code). The source is not changed.
* MkDocs hooks: ``on_page_markdown`` replaces the marker ``<!-- lossfns:classes -->`` of
  a family's page with the table of its losses (function, torch class, Keras class),
  read from the registry so that the page cannot drift from the code; ``on_post_build``
  copies MathJax (the ``django-static-mathjax`` wheel's MathJax 3, which the lock
  installs: no CDN, the pages typeset their formulas offline) into ``assets/mathjax/``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import shutil
from pathlib import Path

try:  # the extension needs Griffe (mkdocstrings-python); the hooks need nothing more
    import griffe
except ImportError:  # pragma: no cover - only without the docs toolchain
    griffe = None

CLASSES_MARKER = "<!-- lossfns:classes -->"
MATHJAX_FILES = ("tex-chtml-full.js",)
MATHJAX_DIRS = ("output", "input", "ui", "a11y", "adaptors")

_MATH_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*$")
_MATH_ROLE = re.compile(r":math:`(?P<tex>[^`]+)`")
_XREF_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|attr|meth|obj|exc):`~?\.?(?P<name>[^`]+)`")
_LITERAL_INTRO = re.compile(r"(?<=\S)::$")
_EXAMPLE_HEADER = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$")


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def rst_to_markdown(text: str) -> str:
    """The docstring ``text`` with its reStructuredText markup in Markdown (see the module doc)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _MATH_BLOCK.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = m.group("indent")
        i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or _indent_of(lines[i]) > len(indent)):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        depth = min((_indent_of(b) for b in body if b.strip()), default=0)
        equations, current = [], []
        for b in body:  # a blank line separates two equations of one directive
            if b.strip():
                current.append(b[depth:])
            elif current:
                equations.append(current)
                current = []
        if current:
            equations.append(current)
        for eq in equations:
            out += ["", f"{indent}$$", *(f"{indent}{e}" for e in eq), f"{indent}$$"]
        out.append("")
    text = "\n".join(out)
    text = _MATH_ROLE.sub(lambda m: f"${m.group('tex').strip()}$", text)
    text = _XREF_ROLE.sub(lambda m: f"`{m.group('name')}`", text)
    # Griffe reads "Examples:" as the doctest section (code blocks); "Example:" as prose.
    text = "\n".join(_EXAMPLE_HEADER.sub(r"\g<indent>Examples:", line) for line in text.splitlines())
    return "\n".join(_LITERAL_INTRO.sub(":", line) for line in text.splitlines())


#: Modules whose docstrings may be completed at import time (the soft-set losses and metrics
#: share their argument text, appended to ``__doc__``): their run-time docstring is rendered.
RUNTIME_DOCS = ("lossfns.losses.",)


def runtime_docstring(path: str) -> str | None:
    """The cleaned ``__doc__`` of the object at ``path`` (``lossfns.losses.x.f``) as imported,
    for a module of :data:`RUNTIME_DOCS` (NumPy-only modules); else ``None``."""
    if not path.startswith(RUNTIME_DOCS):
        return None
    module, _, name = path.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return inspect.getdoc(obj) if callable(obj) else None


if griffe is not None:
    class RstMarkup(griffe.Extension):
        """Rewrite every docstring's reStructuredText markup as Markdown (:func:`rst_to_markdown`),
        after taking the run-time docstring of a function completed at import time."""

        def on_object(self, *, obj, **kwargs) -> None:
            if obj.is_module:  # a deprecated 0.1 name (``_renamed_to``) is not documented
                for name, member in list(obj.members.items()):
                    if not member.is_alias and member.is_class and "_renamed_to" in member.members:
                        del obj.members[name]
            if obj.docstring is None:
                return
            if obj.is_function:
                obj.docstring.value = runtime_docstring(obj.path) or obj.docstring.value
            obj.docstring.value = rst_to_markdown(obj.docstring.value)


# --- MkDocs hooks ------------------------------------------------------------------------------

def classes_table(module: str) -> str:
    """The Markdown table of the losses registered by ``module`` (a family of lossfns.losses)."""
    from lossfns.losses import LOSSES

    rows = ["| function | PyTorch (`lossfns.torch`) | Keras (`lossfns.keras`) |",
            "|---|---|---|"]
    for spec in LOSSES.values():
        if spec.fn.__module__ == module or spec.fn.__module__.startswith(module + "."):
            keras = f"`{spec.keras_name}`" if spec.keras else "— (not a `(y_true, y_pred)` loss)"
            rows.append(f"| `lossfns.{spec.name}` | `{spec.torch_name}` | {keras} |")
    if len(rows) == 2:
        raise ValueError(f"{CLASSES_MARKER}: no registered loss comes from {module}")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if CLASSES_MARKER not in markdown:
        return markdown
    found = re.search(r"^::: (lossfns\.losses\.[\w.]+)", markdown, re.MULTILINE)
    if not found:
        raise ValueError(f"{page.file.src_path}: {CLASSES_MARKER} needs a '::: lossfns.losses.<family>' "
                         f"block on the same page")
    return markdown.replace(CLASSES_MARKER, classes_table(found.group(1)))


def mathjax_dir() -> Path:
    """MathJax 3's ``es5`` folder, from the ``django-static-mathjax`` distribution (package
    ``mathjax``: static files only, no Django needed)."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("MathJax is not installed: pip install django-static-mathjax "
                                "(the lock pins it; the API reference typesets formulas offline)")
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / MATHJAX_FILES[0]).is_file():
        raise FileNotFoundError(f"{es5 / MATHJAX_FILES[0]} is missing: reinstall django-static-mathjax")
    return es5


def on_config(config, **kwargs):
    mathjax_dir()  # fail before building, with the install hint
    return config


def on_post_build(config, **kwargs) -> None:
    es5, dest = mathjax_dir(), Path(config["site_dir"]) / "assets" / "mathjax"
    dest.mkdir(parents=True, exist_ok=True)
    for name in MATHJAX_FILES:
        shutil.copy2(es5 / name, dest / name)
    for name in MATHJAX_DIRS:
        shutil.copytree(es5 / name, dest / name, dirs_exist_ok=True)
    shutil.copy2(es5.parent / "LICENSE", dest / "LICENSE")
