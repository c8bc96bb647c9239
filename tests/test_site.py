"""The replication site (``python -m lossfns.site``, :mod:`lossfns.pipeline.site`), built offline
from a tiny checkout: one notebook, its run's two figures (one with a row in the caption registry,
one without) and table, three verdicts, a register entry; and the repository's caption registry
``docs/figure_captions.csv`` against the figures the notebooks save.

The browser checks of the real site are in ``tests/test_site_browser.py``."""

from __future__ import annotations

import base64
import csv
import json
import re
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

pytest.importorskip("mkdocs_jupyter", reason="the site needs the lock's mkdocs-jupyter")
from bs4 import BeautifulSoup  # noqa: E402

from lossfns.pipeline import site  # noqa: E402

NB = "000-99_fixture"
#: the fixture's registry caption of table5_curves.png (a comma, and markup that must stay text:
#: the loss names F1* and Accuracy* are no Markdown emphasis)
CAPTION = "Recall per epoch of F1* and Accuracy* on Ionosphere (real data), mean ± 1 std over 10 trials; <b> is text"
# a 1x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
HEADER = ("kind,id,document,table,row,column,statistic,published,published_sd,published_n,decimals,ours,"
          "ours_lo,ours_hi,difference,difference_lo,difference_hi,margin,z,verdict,cause,register,evidence,"
          "same_run_as,counted,profile,notebook")
ROWS = [
    f"number,000/table5/bce/recall,000,Table 5,Binary Cross-Entropy,recall,single,0.6667,,1,4,0.9744,"
    f"0.9434,1.005,0.3077,0.2767,0.3388,0.04,,not reproduced,reading,A7,the recalls are multiples of 1/90,,"
    f"true,quick,{NB}",
    f"number,000/table5/hinge/recall,000,Table 5,Hinge,recall,single,0.6,,1,4,0.61,0.58,0.64,0.01,-0.02,"
    f"0.04,0.04,,reproduced,,,,,true,quick,{NB}",
    f"claim,000/s4c/range,000,Sec. 4C,The range of L is (0 e],,,,,,,,,,,,,,,supported,,,exact: max e,,true,"
    f"quick,{NB}",
]


def _notebook() -> dict:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                         "lossfns": {"document": "000", "section": "99"}},
            "cells": [
                {"cell_type": "markdown", "id": "a", "metadata": {},
                 "source": "# 000 §99 — A fixture of F$_\\beta$\n\nThe loss $L = e$ at $|y - t| = 1$."},
                {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1,
                 "source": "print('hello')",
                 "outputs": [{"output_type": "stream", "name": "stdout", "text": "hello\n"}]},
                {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 2,
                 "source": "run.save_figure(fig, \"table5_curves\")  # drawn here", "outputs": []},
                {"cell_type": "markdown", "id": "d", "metadata": {}, "source": "## The end of the narrative"}]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    (root / "notebooks").mkdir()
    (root / "notebooks" / f"{NB}.ipynb").write_text(json.dumps(_notebook()))
    res, fig = root / "results" / "quick" / NB, root / "figures" / "quick" / NB
    res.mkdir(parents=True)
    fig.mkdir(parents=True)
    (fig / "table5_curves.png").write_bytes(PNG)
    (fig / "table5_curves.png.provenance.json").write_text(json.dumps(
        {"notebook": NB, "profile": "quick", "seed": 0, "device": "cpu", "git_commit": "0123456789abcdef"}))
    (fig / "loss_curve.png").write_bytes(PNG)   # no row in the caption registry
    (res / "table5_ours.md").write_text(
        "Table 5 (ours): mean and std over trials\n\n"
        "| ('loss', '') | ('F1', 'mean') | ('F1', 'std') |\n|---|---|---|\n| bce | 0.9 | 0.01 |\n")
    (res / "manifest.json").write_text(json.dumps(
        {"artefacts": [f"figures/quick/{NB}/table5_curves.png", f"figures/quick/{NB}/loss_curve.png",
                       f"results/quick/{NB}/table5_ours.md"],
         "git_commit": "0123456789abcdef", "wall_time_s": 75.0}))
    (root / "reports").mkdir()
    (root / "reports" / "verdicts.csv").write_text("\n".join([HEADER, *ROWS]) + "\n")
    (root / "reports" / "REPLICATION.md").write_text(
        "# Replication report\n\n## 000 — Table 5\n\nThe recalls of Table 5.\n")
    (root / "docs").mkdir()
    with (root / "docs" / "figure_captions.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([("notebook", "figure", "caption"), (NB, "table5_curves", CAPTION),
                                  ("000-98_other", "loss_curve", "another notebook's figure")])
    (root / "docs" / "ambiguities.md").write_text(
        "# Ambiguity register\n\n| # | doc | where |\n|---|---|---|\n| A7 | 000 | the positive class |\n")
    out = tmp_path_factory.mktemp("site") / "site"
    index = site.build(out, root, api=False)
    assert index == out / "index.html"
    return out


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(), "html.parser")


def test_pure_helpers():
    assert site.slug("000/table1/bce/mean_min") == "000-table1-bce-mean_min"
    assert site.plain_math("Tables 3 and 6: F$_\\beta$ losses") == "Tables 3 and 6: Fβ losses"
    assert site.plain_math("$x^{2}$ and $\\kappa_1$; no math") == "x2 and kappa1; no math"
    assert site.slug("003/t5/F1 (b=0.5)") == "003-t5-f1-b-0.5"
    assert site.flat_headers("| ('F1', 'mean') | ('loss', '') |") == "| F1 mean | loss |"
    artefacts = {NB: ["fig-table5_curves", "tab-table50_x", "tab-table5_ours"]}
    row = {"table": "Table 5", "notebook": NB, "anchor": "x"}
    assert site.evidence_anchor(row, artefacts) == "fig-table5_curves"
    assert site.evidence_anchor({**row, "table": "Table 50"}, artefacts) == "tab-table50_x"
    assert site.evidence_anchor({**row, "table": "Sec. 4C"}, artefacts) == "v-x"
    twice = '<h2 id="a">A<a href="#a">¶</a></h2><h2 id="a">A<a href="#a">¶</a></h2>'
    assert site.unique_heading_ids(twice) == (
        '<h2 id="a">A<a href="#a">¶</a></h2><h2 id="a_1">A<a href="#a_1">¶</a></h2>')
    loader = '<script type="module">\n import("https://cdn.example/mermaid.esm.min.mjs")\n</script>'
    assert site._offline(f"<p>x</p>{loader}") == "<p>x</p>"
    kept = f'<div class="jp-Mermaid"><pre class="mermaid">graph</pre></div>{loader}'
    assert site._offline(kept) == kept


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_pages_of_the_site(built):
    for page in ("index.html", f"{NB}.html", "verdicts.html", "REPLICATION.html", "ambiguities.html",
                 "search/search_index.json", "assets/mathjax/tex-chtml-full.js",
                 "javascripts/verdicts.js", f"figures/quick/{NB}/table5_curves.png"):
        assert (built / page).is_file(), page
    index = (built / "index.html").read_text()
    assert f'href="{NB}.html"' in index and "A fixture" in index and "1 min 15 s" in index
    assert "0123456789" in index and "1 not reproduced" in (built / f"{NB}.html").read_text()
    assert not (built / "api").exists()


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_verdict_page_has_one_anchored_row_per_verdict(built):
    soup = _soup(built / "verdicts.html")
    rows = soup.select("#verdict-table tbody tr")
    assert [r["id"] for r in rows] == ["000-table5-bce-recall", "000-table5-hinge-recall", "000-s4c-range"]
    assert [r["data-verdict"] for r in rows] == ["not reproduced", "reproduced", "supported"]
    assert {s["data-filter"] for s in soup.select("select[data-filter]")} == {
        "document", "table", "verdict", "cause"}
    links = [a["href"] for a in rows[0].select("a")]
    assert f"{NB}.html#fig-table5_curves" in links and "ambiguities.html#A7" in links
    assert f"{NB}.html#v-000-s4c-range" in [a["href"] for a in rows[2].select("a")]


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_notebook_page_shows_summary_figure_caption_flat_headers_and_math(built):
    text = (built / f"{NB}.html").read_text()
    soup = BeautifulSoup(text, "html.parser")
    assert soup.find(id="v-000-table5-bce-recall") and soup.find(id="tab-table5_ours")
    assert "No full-profile run" in soup.find(id="no-full-run").text   # the fixture has a quick run only
    figure = soup.find(id="fig-table5_curves")
    assert figure.img["src"] == f"figures/quick/{NB}/table5_curves.png"
    caption = figure.figcaption.text
    assert caption.startswith(CAPTION)   # the registry's caption, escaped: its <b> is text
    assert "seed 0" in caption and "commit 0123456789" in caption and "table5_curves.png" in caption
    assert caption.index(CAPTION) < caption.index("drawn by this notebook")
    assert not figure.figcaption.find(["b", "em"])
    other = soup.find(id="fig-loss_curve").figcaption   # no row for this notebook: its name
    assert other.b.text == "loss curve" and "another notebook" not in other.text
    assert other.text.startswith("loss curve (loss_curve.png): drawn by this notebook, quick profile")
    assert "F1 mean" in text and "('F1', 'mean')" not in text
    assert "$L = e$" in text and "assets/mathjax/tex-chtml-full.js" in text  # typeset locally
    # the navigation (plain text, not typeset) shows the title's TeX as text, the heading keeps it
    nav = [a.get_text(" ", strip=True) for a in soup.select("a.md-nav__link")]
    assert "000 §99 — A fixture of Fβ" in nav and not any("$" in t for t in nav)


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_every_internal_link_and_anchor_resolves(built):
    ids = {}
    for page in built.rglob("*.html"):  # 404.html: for a web server, its links are absolute
        if page.name == "404.html":
            continue
        ids[page] = {t["id"] for t in _soup(page).find_all(id=True)}
    for page in ids:
        for a in _soup(page).find_all("a", href=True):
            href = a["href"]
            if urlparse(href).scheme or href.startswith(("mailto:", "javascript:")):
                continue
            path, anchor = urldefrag(href)
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.name}: {href} names no file"
            if anchor and target.suffix == ".html":
                assert anchor in ids[target], f"{page.name}: {href} names no anchor"


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_no_page_loads_anything_from_outside_the_site(built):
    external = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import\s+(?:url\()?["']?(?:https?:)?//"""
                          r"""|url\(\s*["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//""")
    for path in [*built.rglob("*.html"), *built.rglob("*.css")]:
        text = path.read_text(errors="replace")
        if path.suffix == ".html":
            soup = BeautifulSoup(text, "html.parser")
            loaded = [t.get("src") for t in soup.find_all(["script", "img", "iframe"])] + [
                t.get("href") for t in soup.find_all("link")]
            assert not [u for u in loaded if u and re.match(r"(?:https?:)?//", u)], path
            text = "\n".join(s.get_text() for s in soup.find_all(["script", "style"]))
        assert not external.search(text), f"{path}: {external.search(text).group(0)}"


@pytest.mark.slow  # builds a site (MkDocs): about 20 s
def test_search_index_has_the_claims(built):
    index = json.loads((built / "search" / "search_index.json").read_text())
    assert any("The range of L is" in doc["text"] for doc in index["docs"]
               if doc["location"].startswith("verdicts.html"))


def test_figure_captions_reads_the_registry(tmp_path):
    assert site.figure_captions(tmp_path) == {}   # no registry: every figure captioned by its name
    (tmp_path / "docs").mkdir()
    registry = tmp_path / "docs" / "figure_captions.csv"
    registry.write_text('notebook,figure,caption\n000-3_x,fig3,"Loss, against y."\n')
    assert site.figure_captions(tmp_path) == {("000-3_x", "fig3"): "Loss, against y."}
    registry.write_text('notebook,figure,caption\n000-3_x,fig3,a\n000-3_x,fig3,b\n')
    with pytest.raises(ValueError, match="two rows"):
        site.figure_captions(tmp_path)
    registry.write_text("notebook,name,text\n000-3_x,fig3,a\n")
    with pytest.raises(ValueError, match="no column figure, caption"):
        site.figure_captions(tmp_path)


def test_every_figure_of_the_notebooks_has_a_caption():
    """docs/figure_captions.csv: a row for every full-profile figure of the repository, rows only
    for the notebooks of notebooks/ and the figures they save, each row once, and no caption that
    is empty or only the figure's name."""
    from lossfns.pipeline.paths import repo_root
    from lossfns.pipeline.site import figure_captions_csv
    root = repo_root()
    with figure_captions_csv(root).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    captions = site.figure_captions(root)   # raises on a row given twice
    assert len(captions) == len(rows)
    full = {(p.parent.name, p.stem) for p in (root / "figures" / "full").glob("*/*.png")}
    assert full, "no full-profile figure in figures/full"
    assert sorted(full - set(captions)) == []   # every figure has a caption
    notebooks = {p.stem: "\n".join("".join(c["source"]) for c in json.loads(p.read_text())["cells"]
                                   if c["cell_type"] == "code")
                 for p in (root / "notebooks").glob("[!.]*.ipynb")}
    for (notebook, figure), caption in captions.items():
        assert notebook in notebooks, f"{notebook}: no notebooks/{notebook}.ipynb"
        # a figure of the full run, or one the notebook's code names (run.save_figure(fig, "name"))
        assert (notebook, figure) in full or f'"{figure}"' in notebooks[notebook], (notebook, figure)
        words = caption.strip().rstrip(".").lower()
        assert words and words not in {figure.lower(), figure.replace("_", " ").lower(), f"{figure}.png".lower()}, (
            notebook, figure)
        assert len(caption.split()) >= 12, (
            f"{notebook}/{figure}: say what is plotted, on which data, what the bands mean")


def test_each_artefact_follows_the_cell_that_saved_it(built):
    """A verdict's evidence link lands on the code and its output together: the figure the
    second code cell saves comes right after that cell, before the narrative goes on; an
    artefact whose name no cell spells out (loss_curve) ends the page under "Figures"."""
    text = (built / f"{NB}.html").read_text()
    code, fig, narrative = (text.index("drawn here"), text.index("id=\"fig-table5_curves\""),
                            text.index("id=\"the-end-of-the-narrative\""))
    assert code < fig < narrative
    assert text.index("id=\"figures\"") < text.index("id=\"fig-loss_curve\"")
    assert narrative < text.index("id=\"fig-loss_curve\"")
    assert narrative < text.index("id=\"tab-table5_ours\"")   # no cell names it either


def test_producer_is_the_last_cell_naming_the_artefact():
    cells = [{"cell_type": "code", "source": ["x = 'table1'\n"]},
             {"cell_type": "markdown", "source": "save 'table1'"},
             {"cell_type": "code", "source": "run.save_table(t, 'table1', caption='...')"},
             {"cell_type": "code", "source": "run.save_table(t, 'table10')"}]
    assert site._producer(cells, "table1") == 2
    assert site._producer(cells, "table10") == 3
    assert site._producer(cells, "table2") is None

