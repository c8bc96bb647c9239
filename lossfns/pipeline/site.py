"""A static HTML site of the executed notebooks, with an index page and the replication report.

    python -m lossfns.site            # writes site/index.html, one page per notebook, REPLICATION.html

Pages come from ``reports/notebooks/full/*.ipynb`` (full profile) when present,
else from the quick-profile notebooks in ``notebooks/``; the index says which.
The notebooks display no figure themselves (they save them through ``run.save_figure``): each
page ends with the run's figures (copied to ``site/figures/<profile>/<notebook>/``) and its
results tables (``*.md``), as listed by the run's manifest. For every notebook the index shows
its document and section (``metadata.lossfns``), the profile, the wall time and commit of the run
(``results/<profile>/<notebook>/manifest.json``) and the counts of its verdicts: published numbers
and claims, from the verdict tables of :mod:`lossfns.pipeline.report`. ``REPLICATION.html`` is
``reports/REPLICATION.md`` rendered. The index links the API reference (``site/api/index.html``)
only when ``make api`` has built it there; this module never builds it.

The pages need no network except MathJax (from its CDN, to typeset the notebooks' formulas;
offline the formulas stay in TeX): figures are embedded, styles inlined.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from collections import Counter
from pathlib import Path

from .artifacts import atomic_write
from .paths import FIGURES, executed_notebook, figures_dir, report_md, repo_root, results_dir

REPORT_PAGE = "REPLICATION.html"
CATALOGUE_PAGE = "catalogue.html"
INDEX_PAGE = "index.html"
API_PAGE = "api/index.html"   # the API reference, built by `make api` (MkDocs), never by this module

_NAV = (f"<nav class='lossfns-nav'><a href='{INDEX_PAGE}'>&larr; all notebooks</a> &middot; "
        f"<a href='{REPORT_PAGE}'>replication report</a></nav>")
_NAV_CSS = (".lossfns-nav{font-family:sans-serif;font-size:14px;padding:.6em 1em;"
            "border-bottom:1px solid #ddd;margin-bottom:1em}")
_ARTEFACT_CSS = (".lossfns-artefacts{padding:0 1em 2em;font-family:sans-serif}"
                 ".lossfns-artefacts img{max-width:100%;height:auto;display:block;margin:.5em 0 1.5em}"
                 ".lossfns-artefacts table{border-collapse:collapse;font-size:13px;margin:.5em 0 1.5em}"
                 ".lossfns-artefacts td,.lossfns-artefacts th{padding:.2em .6em;"
                 "border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}")
# The notebooks' pages: JupyterLab's template without require.js (no widgets here, and one
# network request fewer) and with a navigation bar.
_NOTEBOOK_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block extra_css %}<style>""" + _NAV_CSS + _ARTEFACT_CSS + """</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}""" + _NAV + """{%- endblock body_header -%}
{% block body_footer %}{{ resources.lossfns_artefacts }}{{ super() }}{% endblock body_footer %}
"""
_PAGE_CSS = ("body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4}"
             "table{border-collapse:collapse;margin:1em 0}"
             "td,th{padding:.3em .7em;text-align:left;vertical-align:top;border-bottom:1px solid #e4e4e4}"
             "th{background:#f5f5f5}td.num{text-align:right;white-space:nowrap}"
             "code{background:#f5f5f5;padding:0 .2em}.muted{color:#777}" + _NAV_CSS)


def _exporter():
    import jinja2
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name="lab", template_file="lossfns_site.html.j2",
                        extra_loaders=[jinja2.DictLoader({"lossfns_site.html.j2": _NOTEBOOK_TEMPLATE})])


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_PAGE_CSS}</style></head>"
            f"<body>{body}</body></html>\n")


def _wall_time(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _counts(counter: Counter, order) -> str:
    if not counter:
        return "<span class='muted'>—</span>"
    names = [v for v in order if v in counter] + sorted(v for v in counter if v not in order)
    return "<br>".join(f"{counter[v]} {html.escape(v)}" for v in names)


def verdict_counts(root: Path | None = None) -> tuple[dict, dict, tuple, tuple]:
    """Per notebook, the counts of its verdicts on published numbers and on claims (from the
    verdict tables of :mod:`lossfns.pipeline.report`), and the two verdict vocabularies."""
    from . import report
    numbers = report.verdicts(report.published(), report.collect(root))
    claims = report.claim_verdicts(report.claims(), report.collect_claims(root))
    per_number, per_claim = {}, {}
    for table, out in ((numbers, per_number), (claims, per_claim)):
        if table.empty:
            continue
        for nb, verdict in zip(table["notebook"], table["verdict"]):
            if nb:  # a published number no notebook has produced yet has no notebook
                out.setdefault(nb, Counter())[verdict] += 1
    return per_number, per_claim, report.NUMBER_VERDICTS, report.CLAIM_VERDICTS


def _title(nb: dict, default: str) -> str:
    first_md = next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)
    if not first_md:
        return default
    lines = "".join(first_md["source"]).strip().splitlines()
    return lines[0].lstrip("# ").strip() if lines else default


def _markdown():
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _artefacts(name: str, profile: str, prov: dict, root: Path, out: Path) -> str:
    """HTML of a run's figures (copied into ``out``) and results tables, in manifest order."""
    listed = [root / a for a in prov.get("artefacts", [])]
    if not listed:  # no manifest: whatever the run left in its folders
        listed = sorted(figures_dir(profile, name, root).glob("*.png")) + sorted(
            results_dir(profile, name, root).glob("*.md"))
    figures = [p for p in listed if p.suffix == ".png" and p.exists()]
    tables = [p for p in listed if p.suffix == ".md" and p.exists()]
    parts = []
    if figures:
        parts.append(f"<h2 id='figures'>Figures ({profile} profile)</h2>")
    for fig in figures:
        rel = Path(FIGURES) / profile / name / fig.name
        with atomic_write(out / rel, "wb") as fh:
            fh.write(fig.read_bytes())
        parts.append(f"<h3>{html.escape(fig.stem)}</h3><img src='{html.escape(rel.as_posix())}' "
                     f"alt='{html.escape(fig.stem)}'>")
    if tables:
        md = _markdown()
        parts.append(f"<h2 id='tables'>Results tables ({profile} profile)</h2>")
        parts += [f"<h3>{html.escape(t.stem)}</h3>{md.render(t.read_text())}" for t in tables]
    return f"<section class='lossfns-artefacts'>{''.join(parts)}</section>" if parts else ""


def render_report(md_path: Path) -> str:
    """``reports/REPLICATION.md`` as an HTML page (markdown-it-py, CommonMark with tables)."""
    md = _markdown()
    if md_path.exists():
        body = md.render(md_path.read_text())
    else:
        body = (f"<h1>Replication report</h1><p>No <code>{html.escape(md_path.name)}</code> yet: "
                "run <code>make report</code>.</p>")
    return _page("lossfns: replication report", _NAV + body)


def build(out: Path | None = None, root: Path | None = None) -> Path:
    """Write the site into ``out`` (default ``<root>/site``); return the index page's path."""
    root = root or repo_root()
    out = out or root / "site"
    exporter = _exporter()
    per_number, per_claim, number_order, claim_order = verdict_counts(root)
    rows = []
    natural = lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.stem)]  # noqa: E731
    # "[!.]": not the hidden temporary notebooks of runs in flight (pathlib's "*" matches them)
    for nb_path in sorted((root / "notebooks").glob("[!.]*.ipynb"), key=natural):  # 000-3 < 000-12
        name = nb_path.stem
        full = executed_notebook(name, "full", root)
        src, profile = (full, "full") if full.exists() else (nb_path, "quick")
        manifest = results_dir(profile, name, root) / "manifest.json"
        prov = json.loads(manifest.read_text()) if manifest.exists() else {}
        body, _ = exporter.from_filename(
            str(src), resources={"lossfns_artefacts": _artefacts(name, profile, prov, root, out)})
        page = out / f"{name}.html"
        with atomic_write(page) as fh:
            fh.write(body)
        meta = json.loads(nb_path.read_text())["metadata"].get("lossfns", {})
        title = _title(json.loads(src.read_text()), name)
        commit = (prov.get("git_commit") or "")[:10]
        commit += " (dirty)" if commit and prov.get("git_dirty") else ""
        rows.append(
            f"<tr><td>{html.escape(str(meta.get('document', '')))}</td>"
            f"<td>{html.escape(str(meta.get('section', '')))}</td>"
            f"<td><a href='{html.escape(page.name)}'>{html.escape(title)}</a><br>"
            f"<span class='muted'>{html.escape(name)}</span></td>"
            f"<td>{profile}</td><td class='num'>{_wall_time(prov.get('wall_time_s'))}</td>"
            f"<td>{_counts(per_number.get(name, Counter()), number_order)}</td>"
            f"<td>{_counts(per_claim.get(name, Counter()), claim_order)}</td>"
            f"<td><code>{html.escape(commit) or '—'}</code></td></tr>")
    with atomic_write(out / REPORT_PAGE) as fh:
        fh.write(render_report(report_md(root)))
    catalogue = root / "docs" / "catalogue.md"
    if catalogue.exists():   # the generated loss catalogue (lossfns.pipeline.catalogue)
        with atomic_write(out / CATALOGUE_PAGE) as fh:
            fh.write(_page("lossfns: loss catalogue", _NAV + _markdown().render(catalogue.read_text())))
    # the API reference, linked only where `make api` has built it into this site
    api = (f"every function and class of the library: <a href='{API_PAGE}'>API reference</a> "
           "(<code>make api</code>). " if (out / API_PAGE).is_file() else "")
    body = ("<h1>lossfns: executed notebooks</h1>"
            f"<p>Replication report (every published number and claim next to ours): "
            f"<a href='{REPORT_PAGE}'>REPLICATION</a> (<code>reports/REPLICATION.md</code>); "
            f"every loss with its formula, classes and peers: <a href='{CATALOGUE_PAGE}'>catalogue</a> "
            f"(<code>docs/catalogue.md</code>){'; ' if api else '. '}{api}"
            "Profile <i>quick</i> = CI settings; <i>full</i> = the papers' protocols "
            "(<code>make reproduce</code>). Wall time and commit: the run's "
            "<code>results/&lt;profile&gt;/&lt;notebook&gt;/manifest.json</code>; verdicts: "
            "<code>python -m lossfns.report</code>'s tables (full profile preferred).</p>"
            "<table><tr><th>doc</th><th>section</th><th>notebook</th><th>profile</th>"
            "<th>wall time</th><th>published numbers</th><th>claims</th><th>commit</th></tr>"
            + "".join(rows) + "</table>")
    index = out / INDEX_PAGE
    with atomic_write(index) as fh:
        fh.write(_page("lossfns notebooks", body))
    return index


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.site", description="build the HTML site")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    print(f"wrote {build(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
