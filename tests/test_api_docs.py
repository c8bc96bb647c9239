"""The API reference (issue 26): MkDocs + mkdocstrings build it from the docstrings, offline and
strict, with a page per loss family, the formulas typeset by a local MathJax, and each family's
runnable example (a doctest of ``pytest --doctest-modules lossfns``)."""

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lossfns.losses import LOSSES

ROOT = Path(__file__).resolve().parents[1]
TOOLCHAIN = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python", "griffe", "mathjax")
MISSING = [m for m in TOOLCHAIN if importlib.util.find_spec(m.split(".")[0]) is None]
needs_mkdocs = pytest.mark.skipif(bool(MISSING), reason=f"the docs toolchain is not installed "
                                  f"({', '.join(MISSING)}); the lock installs it")

#: family page -> the lossfns.losses module it documents
FAMILIES = {"classification.md": "classification", "xtreme-margin.md": "xtreme_margin",
            "polynomial.md": "polynomial", "softset.md": "softset", "overlap.md": "overlap",
            "ranking.md": "ranking", "multiclass.md": "multiclass", "embeddings.md": "embeddings",
            "regression.md": "regression"}


def _api_docs_tool():
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "tools" / "api_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _family_of(spec) -> str:
    return spec.fn.__module__.split(".")[2]


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def test_every_loss_family_has_a_page_and_every_page_is_in_the_nav():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)
    families = {_family_of(s) for s in LOSSES.values()}
    assert families == set(FAMILIES.values())
    nav = str(config["nav"])
    for page, family in FAMILIES.items():
        text = (ROOT / "docs" / "api" / page).read_text()
        assert f"::: lossfns.losses.{family}\n" in text and "<!-- lossfns:classes -->" in text
        assert page in nav, page
    assert config["site_dir"] == "site/api" and config["docs_dir"] == "docs/api"


@pytest.mark.parametrize("family", sorted(FAMILIES.values()))
def test_each_family_module_has_a_runnable_example(family):
    spec = importlib.util.find_spec(f"lossfns.losses.{family}")
    doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text()))
    example = doc[doc.index("\nExample:\n"):]
    assert example.count(">>> ") >= 3, "an example that computes something"


def test_rst_markup_becomes_markdown():
    tool = _api_docs_tool()
    doc = ("Loss :math:`\\ell_6` of :func:`l24` and :mod:`.polynomial`::\n\n"
           "    .. math::\n\n        a = b\n\n        c = d\n\n    after\n\nExample:\n    >>> 1\n    1")
    assert tool.rst_to_markdown(doc) == (
        "Loss $\\ell_6$ of `l24` and `polynomial`:\n\n\n    $$\n    a = b\n    $$\n\n"
        "    $$\n    c = d\n    $$\n\n    after\n\nExamples:\n    >>> 1\n    1")


def test_the_classes_table_comes_from_the_registry():
    table = _api_docs_tool().classes_table("lossfns.losses.polynomial")
    assert "| `lossfns.broken_loss` | `BrokenLoss` | `BrokenLoss` |" in table
    assert "| `lossfns.l24` | `L24Loss` | `L24` |" in table
    with pytest.raises(ValueError, match="no registered loss comes from lossfns.losses.nope"):
        _api_docs_tool().classes_table("lossfns.losses.nope")


def test_make_api_builds_the_reference_into_site_api():
    if shutil.which("make") is None:
        pytest.skip("GNU Make is not installed")
    out = subprocess.run(["make", "-n", "--no-print-directory", "api", "INSTALLED=/dev/null"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "mkdocs build --strict --site-dir site/api" in out.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if MISSING:
        pytest.skip(f"the docs toolchain is not installed ({', '.join(MISSING)}); the lock installs it")
    out_dir = tmp_path_factory.mktemp("api")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out_dir)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return out_dir


@needs_mkdocs
@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(FAMILIES))
def test_family_page_shows_formulas_example_and_every_loss(site, page):
    html = (site / page.replace(".md", ".html")).read_text()
    family = FAMILIES[page]
    assert 'class="arithmatex"' in html, "formulas are typeset (pymdownx.arithmatex)"
    assert "&gt;&gt;&gt;" in html, "the family's example"
    for spec in LOSSES.values():
        if _family_of(spec) == family:
            assert f'id="lossfns.losses.{family}.{spec.name}"' in html, spec.name
            assert f"<code>{spec.torch_name}</code>" in html
            if spec.keras:
                assert f"<code>{spec.keras_name}</code>" in html
    for markup in (".. math::", ":math:`", ":func:`", "@LOSS_ARGS@"):
        assert markup not in html, f"reStructuredText left in the page: {markup}"


@needs_mkdocs
@pytest.mark.slow
def test_class_pages_list_todays_names_only(site):
    torch_html, keras_html = (site / "torch.html").read_text(), (site / "keras.html").read_text()
    for spec in LOSSES.values():
        assert f'id="lossfns.torch.{spec.torch_name}"' in torch_html
        if spec.keras:
            assert f'id="lossfns.keras.{spec.keras_name}"' in keras_html
    assert 'id="lossfns.torch.BrokenLossLoss"' not in torch_html
    assert 'id="lossfns.keras.XtremeMarginLoss"' not in keras_html


@needs_mkdocs
@pytest.mark.slow
def test_the_site_works_offline(site):
    mathjax = site / "assets" / "mathjax"
    assert (mathjax / "tex-chtml-full.js").is_file() and (mathjax / "LICENSE").is_file()
    assert any((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    for page in site.glob("*.html"):
        html = page.read_text()
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert remote == [], f"{page.name} loads {remote}"
    assert 'src="assets/mathjax/tex-chtml-full.js"' in (site / "classification.html").read_text()
