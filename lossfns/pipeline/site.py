"""The replication site: the executed notebooks, the report, the verdicts and the API reference,
one MkDocs site (Material theme, mkdocs-jupyter for the notebooks), readable offline.

    python -m lossfns.site                 # writes site/index.html and the pages below (make site)
    python -m lossfns.site --out /tmp/s    # elsewhere
    python -m lossfns.site --no-api        # without the API reference (faster)

This module writes the site's sources into a temporary ``docs_dir`` and runs MkDocs on them, with
the configuration of ``mkdocs.yml`` (the API reference's: theme, Markdown extensions,
mkdocstrings, the hooks of ``tools/api_docs.py``) extended by the pages below. Pages:

* ``index.html``: for every notebook its document and section (``metadata.lossfns``), the
  profile, the wall time and commit of its run (``results/<profile>/<notebook>/manifest.json``)
  and the counts of its verdicts (published numbers and claims, from the verdict tables of
  :mod:`lossfns.pipeline.report`, :func:`verdict_counts`).
* ``<notebook>.html``, one per notebook of ``notebooks/``: the executed full-profile notebook
  ``reports/notebooks/full/<notebook>.ipynb`` when present, else the committed quick one,
  rendered by mkdocs-jupyter. It starts with the verdicts of the notebook (the paper's number
  beside ours, verdict, cause; each row anchored ``v-<id>`` and linked to the verdict page), and
  shows each of the run's figures and results tables (as listed by the manifest) right after
  the code cell that saved it (:func:`_producer`: the cell that names it as a string literal),
  so that a verdict's evidence link lands on the code and its output together; those whose
  name is built at run time end the page. A figure
  (``<figure id="fig-<name>">``) is captioned by what it shows, from the caption registry
  ``docs/figure_captions.csv`` (:func:`figure_captions`: one row ``notebook,figure,caption`` per
  figure a notebook saves; a figure without a row is captioned by its name), then by the run
  that drew it (its provenance sidecar: profile, seed, device, commit, run id). A table
  (``id="tab-<name>"``) is captioned by its first line, headers flattened: ``('F1', 'mean')``
  becomes ``F1 mean``.
* ``verdicts.html``: ``reports/verdicts.csv`` as one table, a row per published number and claim,
  anchored by its slugified id (:func:`slug`), linked to its notebook page (to the figure or
  table whose name matches the row's table where one does, else to the row of the notebook's
  summary) and to its entries ``A<n>`` in the ambiguity register. ``verdicts.js`` filters it
  by document, table, verdict, cause and words, and sorts it by a click on a header, in the
  page, without a server (filters also from the address: ``verdicts.html?verdict=not%20reproduced``).
* ``REPLICATION.html`` (``reports/REPLICATION.md``; every section heading has a stable anchor,
  e.g. ``#000-table-1``), ``ambiguities.html`` (``docs/ambiguities.md``, every entry anchored
  ``#A<n>``), ``catalogue.html`` (``docs/catalogue.md``) and ``api/`` (the API reference of
  ``docs/api/``, as ``make api`` builds it alone).

The site's hand-written scripts and styles are in ``docs/site_assets/`` (the MathJax
configuration, ``verdicts.js``, a style sheet). Everything is served from the site: MathJax from
the lock's django-static-mathjax (copied by ``tools/api_docs.py``), no web font (``font: false``),
no CDN (nbconvert's mermaid.js loader is dropped from pages without a diagram); Material's search
plugin indexes every page (offline; its worker needs the site served over HTTP, e.g.
``python -m http.server -d site``, not opened as files).
"""

from __future__ import annotations

import argparse
import copy
import csv
import html
import json
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from .paths import (FIGURES, ambiguities_md, executed_notebook, figures_dir, report_md,
                    repo_root, results_dir)

INDEX_PAGE = "index.html"
REPORT_PAGE = "REPLICATION.html"
VERDICTS_PAGE = "verdicts.html"
REGISTER_PAGE = "ambiguities.html"
CATALOGUE_PAGE = "catalogue.html"
API_PAGE = "api/index.html"
#: The site's hand-written parts (scripts, styles), copied into every build (not ``docs/site``:
#: .gitignore's ``site/`` would leave it out of git).
SOURCES = Path("docs") / "site_assets"
EXTRA_JAVASCRIPT = ["javascripts/mathjax.js", "assets/mathjax/tex-chtml-full.js",
                    "javascripts/verdicts.js"]
EXTRA_CSS = ["stylesheets/site.css"]
_WIDE = "---\nhide:\n  - toc\n---\n\n"   # Material: a wide table's page without the right sidebar

_TUPLE_HEADER = re.compile(r"\('((?:[^'\\]|\\.)*)', '((?:[^'\\]|\\.)*)'\)")
_REGISTER_ENTRY = re.compile(r"\bA\d+\b")
_REGISTER_ROW = re.compile(r"^\|\s*(A\d+)\s*\|", re.MULTILINE)
_ARTEFACT_KEY = re.compile(r"^(table|fig|sec)\w*?\s*(\d+)", re.IGNORECASE)
# nbconvert's loader of mermaid.js (from a CDN) on a notebook page that shows no diagram
_MERMAID_LOADER = re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>',
                             re.DOTALL)
_HEADING = re.compile(r'(<h[1-6][^>]*\bid=")([^"]+)(".*?</h[1-6]>)', re.DOTALL)
_MERMAID_DIAGRAM = re.compile(r"""class=["'][^"']*\bjp-Mermaid\b""")


# --- the data of the pages ---------------------------------------------------------------------

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
        return "—"
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


#: TeX commands of inline math in a notebook title, as the navigation (plain text) shows them
_TEX_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "lambda": "λ", "mu": "μ",
                "sigma": "σ", "tau": "τ", "infty": "∞"}


def plain_math(text: str) -> str:
    """Inline TeX of a title as plain text, for the navigation, which MathJax does not typeset:
    ``F$_\\beta$ losses`` -> ``Fβ losses`` (a command not in :data:`_TEX_SYMBOLS` keeps its name)."""
    def one(m):
        body = re.sub(r"\\([A-Za-z]+)", lambda c: _TEX_SYMBOLS.get(c.group(1), c.group(1)), m.group(1))
        return re.sub(r"[_^{}]", "", body)
    return re.sub(r"\$([^$]+)\$", one, text)


def slug(text: str) -> str:
    """The anchor of a verdict id: ``000/table1/bce/mean_min`` -> ``000-table1-bce-mean_min``."""
    return re.sub(r"[^a-z0-9_.]+", "-", text.lower()).strip("-") or "row"


def figure_captions_csv(root: Path | None = None) -> Path:
    """The caption registry of the notebooks' figures (``notebook,figure,caption``), shown under
    each figure (kept here, with its only reader, rather than in :mod:`.paths`, which every
    notebook imports)."""
    return (root or repo_root()) / "docs" / "figure_captions.csv"


def flat_headers(markdown: str) -> str:
    """Table headers written from a pandas MultiIndex, ``('F1', 'mean')``, as ``F1 mean``."""
    return _TUPLE_HEADER.sub(lambda m: f"{m.group(1)} {m.group(2)}".strip(), markdown)


def verdict_rows(root: Path) -> list[dict]:
    """The rows of ``reports/verdicts.csv`` (none where it is missing), each with its ``anchor``
    (:func:`slug` of the id, made unique) and its ``entries`` in the ambiguity register."""
    path = root / "reports" / "verdicts.csv"
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: Counter = Counter()
    for row in rows:
        anchor = slug(row["id"])
        seen[anchor] += 1
        row["anchor"] = anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}"
        row["entries"] = list(dict.fromkeys(_REGISTER_ENTRY.findall(
            f"{row.get('register', '')} {row.get('cause', '')}")))
    return rows


def _natural(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem)]


def notebooks(root: Path) -> list[dict]:
    """Every notebook of ``notebooks/`` (in natural order: 000-3 < 000-12) with the notebook the
    site shows (full profile when executed, else quick), its metadata and its run's manifest."""
    out = []
    # "[!.]": not the hidden temporary notebooks of runs in flight (pathlib's "*" matches them)
    for nb_path in sorted((root / "notebooks").glob("[!.]*.ipynb"), key=_natural):
        name = nb_path.stem
        full = executed_notebook(name, "full", root)
        src, profile = (full, "full") if full.exists() else (nb_path, "quick")
        manifest = results_dir(profile, name, root) / "manifest.json"
        nb = json.loads(src.read_text())
        out.append({"name": name, "src": src, "profile": profile, "nb": nb,
                    "meta": json.loads(nb_path.read_text())["metadata"].get("lossfns", {}),
                    "prov": json.loads(manifest.read_text()) if manifest.exists() else {},
                    "title": _title(nb, name)})
    return out


def _artefacts(entry: dict, root: Path) -> tuple[list[Path], list[Path]]:
    """The run's figures and results tables (``.md``), in manifest order."""
    name, profile = entry["name"], entry["profile"]
    listed = [root / a for a in entry["prov"].get("artefacts", [])]
    if not listed:  # no manifest: whatever the run left in its folders
        listed = sorted(figures_dir(profile, name, root).glob("*.png")) + sorted(
            results_dir(profile, name, root).glob("*.md"))
    return ([p for p in listed if p.suffix == ".png" and p.exists()],
            [p for p in listed if p.suffix == ".md" and p.exists()])


def _artefact_key(name: str) -> str | None:
    m = _ARTEFACT_KEY.match(name.strip())
    return f"{m.group(1).lower()}{m.group(2)}" if m else None


def evidence_anchor(row: dict, artefacts: dict[str, list[str]]) -> str:
    """Where on its notebook page a verdict's evidence is: the figure or table whose name
    starts like the row's table (``Table 5`` -> ``table5_ours``), else the row of the page's
    verdict summary."""
    key = _artefact_key(row.get("table", ""))
    if key:
        for anchor in artefacts.get(row.get("notebook", ""), []):
            if re.match(rf"{key}(?!\d)", anchor.split("-", 1)[1].lower()):
                return anchor
    return f"v-{row['anchor']}"


# --- the pages' sources ------------------------------------------------------------------------

def _md_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _register_links(entries, page: str = REGISTER_PAGE) -> str:
    return ", ".join(f"<a href='{page}#{e}'>{e}</a>" for e in entries)


def _number(row: dict, key: str) -> str:
    value = row.get(key, "")
    try:
        return f"{float(value):.4g}"
    except ValueError:
        return html.escape(value)


def _ours(row: dict) -> str:
    ours = _number(row, "ours")
    if row.get("ours_lo") and row.get("ours_hi"):
        ours += f" [{_number(row, 'ours_lo')}, {_number(row, 'ours_hi')}]"
    return ours


def _summary_cell(rows: list[dict]) -> dict:
    """The verdicts of one notebook, as the first section of its page."""
    counts = Counter(r["verdict"] for r in rows)
    lines = ["<a id='verdicts-of-this-notebook'></a>", "",
             "## Verdicts of this notebook", "",
             ", ".join(f"{n} {html.escape(v)}" for v, n in counts.most_common())
             + ". Every row links to its entry in the <a href='verdicts.html'>verdict table</a>.", "",
             "<table class='lossfns-summary'><thead><tr><th>table</th><th>what</th><th>paper</th>"
             "<th>ours</th><th>verdict</th><th>cause</th></tr></thead><tbody>"]
    for r in rows:
        what = " · ".join(html.escape(x) for x in (r["row"], r["column"]) if x)
        cause = html.escape(r.get("cause", ""))
        if r["entries"]:
            cause += f" ({_register_links(r['entries'])})"
        lines.append(f"<tr id='v-{r['anchor']}'><td>{html.escape(r['table'])}</td>"
                     f"<td><a href='{VERDICTS_PAGE}#{r['anchor']}'>{what}</a></td>"
                     f"<td>{_number(r, 'published')}</td><td>{_ours(r)}</td>"
                     f"<td>{html.escape(r['verdict'])}</td><td>{cause}</td></tr>")
    lines.append("</tbody></table>")
    return _md_cell("\n".join(lines))


#: The columns of the caption registry ``docs/figure_captions.csv``.
CAPTION_COLUMNS = ("notebook", "figure", "caption")


def figure_captions(root: Path | None = None) -> dict[tuple[str, str], str]:
    """The caption registry ``docs/figure_captions.csv``: ``(notebook, figure stem) -> caption``,
    what each figure the notebooks save shows (plotted quantities, data set, real or stand-in,
    trials, what its bands and error bars mean). Empty when the file is missing; a file without
    the columns ``notebook,figure,caption`` or with a row twice is a ``ValueError``."""
    path = figure_captions_csv(root)
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CAPTION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(CAPTION_COLUMNS)})")
        out: dict[tuple[str, str], str] = {}
        for row in reader:
            key = (row["notebook"].strip(), row["figure"].strip())
            if key in out:
                raise ValueError(f"{path}: figure {key[1]!r} of {key[0]!r} has two rows")
            out[key] = (row["caption"] or "").strip()
    return out


def _figure_caption(fig: Path, entry: dict, captions: dict | None = None) -> str:
    """What a figure shows (its row of the caption registry ``captions``, see
    :func:`figure_captions`; without one, its name) and the run that drew it (its provenance
    sidecar)."""
    sidecar = fig.with_name(fig.name + ".provenance.json")
    prov = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    registered = (captions or {}).get((entry["name"], fig.stem))
    run = [f"{entry['profile']} profile"]
    if "seed" in prov:
        run.append(f"seed {prov['seed']}")
    if prov.get("device"):
        run.append(f"on {prov['device']}")
    if prov.get("git_commit"):
        run.append(f"commit {prov['git_commit'][:10]}{' (dirty)' if prov.get('git_dirty') else ''}")
    if prov.get("run_id"):
        run.append(f"run {prov['run_id']}")
    drawn = f"drawn by this notebook, {html.escape(', '.join(run))}"
    if registered:
        return (f"<span class='lossfns-figure-text'>{html.escape(registered)}</span> "
                f"<span class='lossfns-provenance'>(<code>{html.escape(fig.name)}</code>: {drawn}.)</span>")
    caption = prov.get("caption") or prov.get("title") or fig.stem.replace("_", " ")
    return f"<b>{html.escape(caption)}</b> (<code>{html.escape(fig.name)}</code>): {drawn}."


def _artefact_cells(entry: dict, root: Path, docs: Path,
                    captions: dict | None = None) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The run's figures (copied into ``docs``, captioned from the registry ``captions``) and
    tables as ``(kind, stem, html)`` items (``kind``: ``"figure"`` or ``"table"``), and their
    anchors (``fig-<stem>``, ``tab-<stem>``)."""
    figures, tables = _artefacts(entry, root)
    items, anchors = [], []
    name, profile = entry["name"], entry["profile"]
    for fig in figures:
        rel = Path(FIGURES) / profile / name / fig.name
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fig, docs / rel)
        anchors.append(f"fig-{fig.stem}")
        items.append(("figure", fig.stem,
                      f"<figure id='fig-{html.escape(fig.stem)}'><img src='{html.escape(rel.as_posix())}' "
                      f"alt='{html.escape(fig.stem)}'><figcaption>{_figure_caption(fig, entry, captions)}"
                      "</figcaption></figure>"))
    for table in tables:
        anchors.append(f"tab-{table.stem}")
        text = flat_headers(table.read_text())
        items.append(("table", table.stem, f"<a id='tab-{html.escape(table.stem)}'></a>\n\n"
                                           f"### {table.stem}\n\n<code>{html.escape(table.name)}</code>: {text}"))
    return items, anchors


def _producer(cells: list[dict], stem: str) -> int | None:
    """Index of the code cell that saved the artefact ``stem``: the last one whose source names
    it as a string literal (``run.save_figure(fig, "table5_ours")``); None when none does (a
    name built at run time, e.g. in a loop)."""
    quoted = (f'"{stem}"', f"'{stem}'")
    found = None
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if any(q in src for q in quoted):
                found = i
    return found


def _place_artefacts(nb_cells: list[dict], items: list[tuple[str, str, str]], profile: str) -> list[dict]:
    """The notebook's cells with each artefact right after the cell that saved it
    (:func:`_producer`: a verdict's evidence link lands on the code and its output together);
    artefacts whose producer is not found end the page under "Figures" and "Results tables"."""
    after, rest = {}, []
    for kind, stem, text in items:
        i = _producer(nb_cells, stem)
        if i is None:
            rest.append((kind, text))
        else:
            label = "Figure" if kind == "figure" else "Table"
            after.setdefault(i, []).append(
                _md_cell(f"*{label} saved by the cell above ({profile} profile):*\n\n{text}"))
    out = []
    for i, cell in enumerate(nb_cells):
        out += [cell, *after.get(i, [])]
    figures = [t for k, t in rest if k == "figure"]
    tables = [t for k, t in rest if k == "table"]
    if figures:
        out.append(_md_cell("\n".join(["<a id='figures'></a>", "", f"## Figures ({profile} profile)", "", *figures])))
    if tables:
        out.append(_md_cell(f"<a id='tables'></a>\n\n## Results tables ({profile} profile)"))
        out += [_md_cell(t) for t in tables]
    return out


#: the note on the page of a notebook without a committed full-profile run
NO_FULL_RUN = ("<p id='no-full-run'><b>No full-profile run of this notebook is committed yet.</b> This page "
               "shows the quick profile (CI settings), whose figures are not committed: a fresh clone shows "
               "them after <code>make quick</code>, and <code>make reproduce</code> runs the papers' "
               "protocol.</p>")


def _notebook_source(entry: dict, rows: list[dict], root: Path, docs: Path,
                     captions: dict | None = None) -> list[str]:
    """Write the notebook page's source (the notebook with its verdict summary first and each
    artefact after the cell that saved it) into ``docs``; return the anchors of its figures and
    tables."""
    nb = copy.deepcopy(entry["nb"])
    items, anchors = _artefact_cells(entry, root, docs, captions)
    nb["cells"] = _place_artefacts(nb["cells"], items, entry["profile"])
    if entry["profile"] != "full":   # quick-profile figures are not committed: say where they come from
        nb["cells"].insert(1, _md_cell(NO_FULL_RUN))
    first_md = next((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"), -1)
    if rows:
        nb["cells"].insert(first_md + 1, _summary_cell(rows))
    for cell in nb["cells"]:  # nbformat 4.5 wants cell ids; the added cells have none
        cell.pop("id", None)
    nb["nbformat_minor"] = min(nb.get("nbformat_minor", 4), 4)
    (docs / f"{entry['name']}.ipynb").write_text(json.dumps(nb))
    return anchors


def _index_source(entries: list[dict], root: Path, api: bool) -> str:
    per_number, per_claim, number_order, claim_order = verdict_counts(root)
    lines = [
        _WIDE + "# lossfns: the replication", "",
        "Four papers on loss functions for binary classification, replicated by executed notebooks. "
        "Every published number and claim next to ours: the [replication report](REPLICATION.md) "
        "(`reports/REPLICATION.md`) and the [verdict table](verdicts.md) (`reports/verdicts.csv`, "
        "filterable and sortable); the readings we chose where a paper is ambiguous: the "
        "[ambiguity register](ambiguities.md)"
        + ("; every loss with its formula: the [loss catalogue](catalogue.md)"
           if (root / "docs" / "catalogue.md").exists() else "")
        + ("; every function and class of the library: the [API reference](api/index.md)." if api else "."),
        "",
        "Profile *quick* = CI settings; *full* = the papers' protocols (`make reproduce`). Wall time "
        "and commit: the run's `results/<profile>/<notebook>/manifest.json`; verdicts: "
        "`python -m lossfns.report`'s tables (full profile preferred).", "",
        "| doc | section | notebook | profile | wall time | published numbers | claims | commit |",
        "|---|---|---|---|--:|---|---|---|",
    ]
    for e in entries:
        name, prov, meta = e["name"], e["prov"], e["meta"]
        commit = (prov.get("git_commit") or "")[:10]
        commit += " (dirty)" if commit and prov.get("git_dirty") else ""
        title = e["title"].replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
        lines.append(
            f"| {meta.get('document', '')} | {meta.get('section', '')} | [{title}]({name}.ipynb)<br>"
            f"`{name}` | {e['profile']} | {_wall_time(prov.get('wall_time_s'))} | "
            f"{_counts(per_number.get(name, Counter()), number_order)} | "
            f"{_counts(per_claim.get(name, Counter()), claim_order)} | "
            f"{f'`{commit}`' if commit else '—'} |")
    return "\n".join(lines) + "\n"


_FILTERS = (("document", "document"), ("table", "table"), ("verdict", "verdict"), ("cause", "cause"))
_COLUMNS = (("id", "text"), ("doc", "text"), ("table", "text"), ("row", "text"), ("column", "text"),
            ("paper", "number"), ("ours", "number"), ("verdict", "text"), ("cause", "text"),
            ("register", "text"), ("notebook", "text"), ("evidence", None))


def _verdicts_source(rows: list[dict], artefacts: dict[str, list[str]]) -> str:
    """The verdict page: one anchored row per row of ``reports/verdicts.csv``."""
    filters = "".join(
        f"<label>{label} <select data-filter='{key}'><option value='*'>all</option></select></label>"
        for label, key in _FILTERS)
    head = "".join(f"<th{f' data-sort={chr(39)}{kind}{chr(39)}' if kind else ''}>{name}</th>"
                   for name, kind in _COLUMNS)
    body = []
    for r in rows:
        nb = r.get("notebook", "")
        nb_link = (f"<a href='{html.escape(nb)}.html#{evidence_anchor(r, artefacts)}'>{html.escape(nb)}</a>"
                   if nb and nb in artefacts else html.escape(nb) or "—")
        evidence = html.escape(r.get("evidence", ""))
        data = " ".join(f"data-{key}='{html.escape(r.get(key, ''), quote=True)}'" for _, key in _FILTERS)
        body.append(
            f"<tr id='{r['anchor']}' {data}>"
            f"<td><a href='#{r['anchor']}'><code>{html.escape(r['id'])}</code></a></td>"
            f"<td>{html.escape(r['document'])}</td><td>{html.escape(r['table'])}</td>"
            f"<td>{html.escape(r['row'])}</td><td>{html.escape(r['column'])}</td>"
            f"<td class='num' data-value='{html.escape(r['published'])}'>{_number(r, 'published')}</td>"
            f"<td class='num' data-value='{html.escape(r['ours'])}'>{_ours(r)}</td>"
            f"<td class='lossfns-verdict'>{html.escape(r['verdict'])}</td>"
            f"<td>{html.escape(r.get('cause', ''))}</td><td>{_register_links(r['entries'])}</td>"
            f"<td>{nb_link}</td>"
            f"<td>{f'<details><summary>evidence</summary>{evidence}</details>' if evidence else ''}</td></tr>")
    return (_WIDE + "# Verdicts\n\n"
            "Every published number and claim of the four papers with our verdict "
            "(`reports/verdicts.csv`, written by `python -m lossfns.report`; the rules: "
            "`docs/verdicts.md`). Filter by document, table, verdict and cause or by a word, sort by a "
            "click on a column header; every row has its own anchor (`verdicts.html#<id>`) and links to "
            "the notebook that produced it and to the register entries of its reading.\n\n"
            f"<div class='lossfns-filters'>{filters}<label>words <input id='verdict-text' "
            "type='search' placeholder='e.g. recall'></label><span id='verdict-count'></span></div>\n\n"
            f"<table id='verdict-table'><thead><tr>{head}</tr></thead><tbody>\n"
            + "\n".join(body) + "\n</tbody></table>\n")


def _register_source(text: str) -> str:
    """The ambiguity register, with an anchor ``A<n>`` on every entry."""
    return _REGISTER_ROW.sub(lambda m: f"| <span id='{m.group(1)}'></span>{m.group(1)} |", text)


# --- the build ---------------------------------------------------------------------------------

def _api_nav(config: dict) -> list:
    """The API reference's navigation of ``mkdocs.yml``, its pages under ``api/``."""
    def prefix(item):
        if isinstance(item, str):
            return f"api/{item}"
        if isinstance(item, list):
            return [prefix(i) for i in item]
        return {k: prefix(v) for k, v in item.items()}
    return prefix(config.get("nav", []))


def stage(docs: Path, root: Path, *, api: bool = True) -> list:
    """Write the site's sources into ``docs`` (a MkDocs ``docs_dir``); return its navigation."""
    code = repo_root()
    shutil.copytree(code / SOURCES, docs, dirs_exist_ok=True)
    entries = notebooks(root)
    rows = verdict_rows(root)
    by_notebook: dict[str, list[dict]] = {}
    for r in rows:
        by_notebook.setdefault(r.get("notebook", ""), []).append(r)
    captions = figure_captions(root)   # read once per build
    artefacts = {e["name"]: _notebook_source(e, by_notebook.get(e["name"], []), root, docs, captions)
                 for e in entries}
    (docs / "index.md").write_text(_index_source(entries, root, api))
    (docs / "verdicts.md").write_text(_verdicts_source(rows, artefacts))
    report = report_md(root)
    (docs / "REPLICATION.md").write_text(
        report.read_text() if report.exists()
        else "# Replication report\n\nNo `reports/REPLICATION.md` yet: run `make report`.\n")
    register = ambiguities_md(root)
    (docs / "ambiguities.md").write_text(
        _register_source(register.read_text()) if register.exists()
        else "# Ambiguity register\n\nNo `docs/ambiguities.md`.\n")
    nav = [{"Home": "index.md"}, {"Replication report": "REPLICATION.md"},
           {"Verdicts": "verdicts.md"}, {"Ambiguity register": "ambiguities.md"}]
    groups: dict[str, list] = {}
    for e in entries:
        doc = str(e["meta"].get("document", "")) or "other"
        groups.setdefault(f"Notebooks {doc}", []).append({e["title"]: f"{e['name']}.ipynb"})
    nav += [{k: v} for k, v in groups.items()]
    catalogue = root / "docs" / "catalogue.md"
    if catalogue.exists():   # the generated loss catalogue (lossfns.pipeline.catalogue)
        shutil.copyfile(catalogue, docs / "catalogue.md")
        nav.append({"Loss catalogue": "catalogue.md"})
    if api:
        api_docs = code / "docs" / "api"
        shutil.copytree(api_docs, docs / "api", ignore=shutil.ignore_patterns("javascripts"))
        nav.append({"API reference": _api_nav(_base_config(code))})
    return nav


def _base_config(code: Path) -> dict:
    from mkdocs.utils import yaml_load
    with (code / "mkdocs.yml").open() as fh:
        return yaml_load(fh)


def _offline(content: str) -> str:
    """A page without nbconvert's mermaid.js loader (a CDN address) where it shows no diagram."""
    return content if _MERMAID_DIAGRAM.search(content) else _MERMAID_LOADER.sub("", content)


def unique_heading_ids(content: str) -> str:
    """A notebook page's repeated heading ids made unique as the page's table of contents names
    them (Python-Markdown's ``toc``: ``verdicts``, ``verdicts_1``, ...); nbconvert repeats them."""
    seen: set[str] = set()

    def rename(m):
        anchor, n = m.group(2), 0
        while (anchor if n == 0 else f"{anchor}_{n}") in seen:
            n += 1
        new = anchor if n == 0 else f"{anchor}_{n}"
        seen.add(new)
        rest = m.group(3).replace(f'href="#{anchor}"', f'href="#{new}"') if n else m.group(3)
        return f"{m.group(1)}{new}{rest}"

    return _HEADING.sub(rename, content)


def _site_plugin():
    from mkdocs.plugins import BasePlugin

    class SitePlugin(BasePlugin):
        """The site's own step: pages that name no address outside the site, notebook pages
        whose headings have one id each and whose title (mkdocs-jupyter's, from the first
        heading: shown in the navigation, which MathJax does not typeset) is plain text."""

        def on_page_content(self, html, page, config, files):
            if page.file.src_uri.endswith(".ipynb"):
                html = unique_heading_ids(html)
                if page.title:
                    page.title = plain_math(page.title)
            return _offline(html)

    return SitePlugin()


def config(docs: Path, out: Path, nav: list, *, api: bool = True):
    """The MkDocs configuration of the site: ``mkdocs.yml`` (theme, extensions, hooks,
    mkdocstrings) with the site's pages, scripts and the mkdocs-jupyter plugin."""
    from mkdocs.config import load_config
    code = repo_root()
    base = _base_config(code)
    plugins = [{"search": {}},
               {"mkdocs-jupyter": {"include": ["*.ipynb"], "cache": False, "include_source": True,
                                   # the notebooks' MathJax: the site's (extra_javascript) only
                                   "custom_mathjax_url": EXTRA_JAVASCRIPT[0]}}]
    if api:
        plugins += [p for p in base.get("plugins", []) if isinstance(p, dict) and "mkdocstrings" in p]
    cfg = load_config(
        str(code / "mkdocs.yml"), site_name="lossfns: the replication",
        site_description="Four papers on losses for binary classification, replicated; "
                         "the library's API reference",
        docs_dir=str(docs), site_dir=str(out), nav=nav, plugins=plugins,
        extra_javascript=EXTRA_JAVASCRIPT, extra_css=EXTRA_CSS,
        theme={**base["theme"], "features": [*base["theme"].get("features", []),
                                             "navigation.top", "search.highlight"]},
        extra={**base.get("extra", {}), "generator": False})
    cfg.plugins["lossfns-site"] = _site_plugin()
    return cfg


def build(out: Path | None = None, root: Path | None = None, *, api: bool = True) -> Path:
    """Write the site into ``out`` (default ``<root>/site``); return the index page's path.
    ``api=False`` leaves the API reference out (a faster build)."""
    from mkdocs.commands.build import build as mkdocs_build
    root = root or repo_root()
    out = Path(out or root / "site").resolve()
    with tempfile.TemporaryDirectory(prefix="lossfns-site-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        nav = stage(docs, root, api=api)
        mkdocs_build(config(docs, out, nav, api=api))
    return out / INDEX_PAGE


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.site", description="build the HTML site")
    ap.add_argument("--out", type=Path, default=None, help="the site's folder (default: site/)")
    ap.add_argument("--no-api", action="store_true", help="leave the API reference out")
    args = ap.parse_args(argv)
    print(f"wrote {build(args.out, api=not args.no_api)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
