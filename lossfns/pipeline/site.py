"""A static HTML site of the executed notebooks, with an index page.

    python -m lossfns.site            # writes site/index.html and one page per notebook

Pages come from ``reports/notebooks/full/*.ipynb`` (full profile) when present,
else from the quick-profile notebooks in ``notebooks/``; the index says which.
"""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path

from .artifacts import atomic_write
from .paths import executed_notebook, repo_root


def build(out: Path | None = None, root: Path | None = None) -> Path:
    from nbconvert import HTMLExporter

    root = root or repo_root()
    out = out or root / "site"
    exporter = HTMLExporter()
    rows = []
    for nb_path in sorted((root / "notebooks").glob("*.ipynb")):
        full = executed_notebook(nb_path.stem, "full", root)
        src, profile = (full, "full") if full.exists() else (nb_path, "quick")
        body, _ = exporter.from_filename(str(src))
        page = out / f"{nb_path.stem}.html"
        with atomic_write(page) as fh:
            fh.write(body)
        meta = json.loads(nb_path.read_text())["metadata"].get("lossfns", {})
        first_md = next((c for c in json.loads(src.read_text())["cells"] if c["cell_type"] == "markdown"), None)
        title = "".join(first_md["source"]).splitlines()[0].lstrip("# ") if first_md else nb_path.stem
        rows.append(f"<tr><td>{html.escape(meta.get('document', ''))}</td>"
                    f"<td><a href='{page.name}'>{html.escape(title)}</a></td><td>{profile}</td></tr>")
    index = ("<!doctype html><meta charset='utf-8'><title>lossfns notebooks</title>"
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "td,th{padding:.3em .8em;text-align:left}</style>"
             "<h1>lossfns: executed notebooks</h1>"
             "<p>Replication report: <code>reports/REPLICATION.md</code>. Profile <i>quick</i> = CI "
             "settings; <i>full</i> = the papers' protocols (<code>make reproduce</code>).</p>"
             "<table><tr><th>doc</th><th>notebook</th><th>profile</th></tr>" + "".join(rows) + "</table>")
    with atomic_write(out / "index.html") as fh:
        fh.write(index)
    return out / "index.html"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lossfns.site", description="build the HTML site")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    print(f"wrote {build(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
