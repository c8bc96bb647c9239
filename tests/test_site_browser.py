"""The site (``python -m lossfns.site``, MkDocs) in a real browser: headless Chromium via Playwright.

Builds the whole site (notebooks, report, verdicts, register, API reference), serves it on
loopback and opens every page: each must load (HTTP 200) without a console or page error and
without any request leaving the machine, every ``<img>`` must have decoded (naturalWidth > 0)
and every internal link must resolve (HTTP 200, and its anchor must name an element of the
target page). Then a reader's path: the verdict table filtered to the not-reproduced numbers of
003's Table 5, one click to the figure that produced them, right below the code cell that saved it; and the search box finds a claim by
a word of its text. Screenshots of the index, the report and one notebook page are kept as
``build/site-index.png``, ``build/site-report.png`` and ``build/site-notebook.png``.

Needs Chromium at ``/usr/bin/chromium`` (Debian: ``apt-get install chromium``; ``make browser``,
which .ci/run calls, installs it where it can) or at ``$LOSSFNS_CHROMIUM``; Playwright never
downloads a browser here. Any request to another host is answered with an empty response and
fails the test.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("LOSSFNS_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
ALLOWED_EXTERNAL_HOSTS: set = set()  # MathJax, styles and scripts: all served by the site
SCREENSHOT = ROOT / "build" / "site-index.png"
SCREENSHOTS = {"index.html": SCREENSHOT, "REPLICATION.html": ROOT / "build" / "site-report.png",
               "003-s6_batch_size.html": ROOT / "build" / "site-notebook.png"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("mkdocs_jupyter") is None,
                       reason="the site needs the lock's mkdocs-jupyter"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no Chromium at {CHROMIUM}: apt-get install chromium "
                              "(or set LOSSFNS_CHROMIUM) to check the site in a browser"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log on stderr
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site served on 127.0.0.1: (base URL, site folder)."""
    from lossfns.pipeline import site as site_mod
    out = tmp_path_factory.mktemp("site")
    site_mod.build(out)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", out
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=ARGS, viewport={"width": 1400, "height": 900})
        try:
            yield context
        finally:
            context.close()


def _crawl(context, base: str):
    """Open every page reachable from the index; return {url: findings}."""
    external = []

    def route(r):
        url = r.request.url
        if url.startswith(base):
            r.continue_()
        else:
            external.append(url)
            r.fulfill(status=200, content_type="application/javascript", body="")

    context.route("**/*", route)
    todo, seen, pages = [base + "index.html"], set(), {}
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page = context.new_page()
        errors = []
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"page error: {exc}"))
        response = page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        images = page.evaluate("""() => Array.from(document.images).map(
            i => ({src: i.currentSrc.slice(0, 60), width: i.naturalWidth, complete: i.complete}))""")
        links = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
        missing_anchors = page.evaluate("""(links) => links.filter(h => {
            const u = new URL(h);
            if (!u.hash || u.origin + u.pathname !== location.origin + location.pathname) return false;
            // as the browser resolves a fragment: the id as written, else percent-decoded
            const id = u.hash.slice(1);
            return !(document.getElementById(id) || document.getElementById(decodeURIComponent(id)));
        })""", links)
        shot = SCREENSHOTS.get(url[len(base):])
        if shot:
            page.screenshot(path=str(shot), full_page=shot == SCREENSHOT)
        pages[url] = {"status": response.status if response else None, "errors": errors,
                      "images": images, "links": links, "missing_anchors": missing_anchors,
                      "ids": set(ids),
                      "text": page.inner_text("body")}
        page.close()
        for link in links:
            target = urldefrag(link).url
            if target.startswith(base) and target.endswith(".html") and target not in seen:
                todo.append(target)  # not the notebooks' .ipynb downloads
    context.unroute("**/*")
    return pages, external


def test_every_page_loads_with_images_links_and_no_console_error(site, browser_context):
    base, out = site
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    pages, external = _crawl(browser_context, base)

    expected = {base + p for p in ("index.html", "REPLICATION.html", "verdicts.html",
                                    "ambiguities.html", "api/index.html")} | {
        base + f"{p.stem}.html" for p in (ROOT / "notebooks").glob("[!.]*.ipynb")}
    assert expected <= set(pages), f"pages not reachable from the index: {sorted(expected - set(pages))}"
    built = {base + p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "404.html"}
    assert built == set(pages), f"built pages not linked: {sorted(built - set(pages))}"
    checked = set()
    for url, found in pages.items():
        assert found["status"] == 200, f"{url}: HTTP {found['status']}"
        assert not found["errors"], f"{url}: console errors {found['errors']}"
        bad = [i for i in found["images"] if not (i["complete"] and i["width"] > 0)]
        assert not bad, f"{url}: images that did not decode: {bad}"
        assert not found["missing_anchors"], f"{url}: anchors without a target {found['missing_anchors']}"
        for link in found["links"]:
            target, anchor = urldefrag(link)
            if not target.startswith(base):
                continue
            if target in pages:  # every anchor on another page, e.g. a verdict's evidence
                assert not anchor or anchor in pages[target]["ids"], f"{url}: no anchor for {link}"
            elif target not in checked:
                checked.add(target)
                status = browser_context.request.get(target).status
                assert status == 200, f"{url}: link {link} answers HTTP {status}"
    notebook_pages = [u for u in pages if u[len(base):].startswith("0")]
    # a notebook with a committed full-profile run shows its figures; one without (its quick
    # figures are not committed) says so instead
    full_run = {u for u in notebook_pages
                if (ROOT / "results" / "full" / u[len(base):].removesuffix(".html") / "manifest.json").exists()}
    assert all(pages[u]["images"] for u in full_run), \
        f"notebook pages of a full run without any figure: {sorted(u for u in full_run if not pages[u]['images'])}"
    assert all("no-full-run" in pages[u]["ids"] for u in set(notebook_pages) - full_run), \
        "a notebook page without a full run that does not say so"
    assert all("no-full-run" not in pages[u]["ids"] for u in full_run)
    hosts = {urlparse(u).hostname for u in external}
    assert hosts <= ALLOWED_EXTERNAL_HOSTS, f"unexpected external requests: {sorted(set(external))}"
    assert all(shot.stat().st_size > 10_000 for shot in SCREENSHOTS.values())


def test_index_shows_provenance_and_verdicts(site, browser_context):
    base, out = site
    page = browser_context.new_page()
    page.goto(base + "index.html")
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('article table tr')).slice(1).map(
        tr => Array.from(tr.cells).map(td => td.innerText.trim()))""")
    page.close()
    header = ["doc", "section", "notebook", "profile", "wall time", "published numbers", "claims", "commit"]
    by_name = {r[2].splitlines()[-1]: dict(zip(header, r)) for r in rows}
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[!.]*.ipynb"))
    assert sorted(by_name) == notebooks
    for name, row in by_name.items():
        meta = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())["metadata"]["lossfns"]
        assert row["doc"] == meta["document"] and row["section"] == str(meta.get("section", ""))
        assert row["profile"] in ("quick", "full")
        manifest = ROOT / "results" / row["profile"] / name / "manifest.json"
        if manifest.exists():
            assert row["wall time"].endswith(("s", "min")), row
    from lossfns.pipeline import site as site_mod
    per_number, per_claim, _, _ = site_mod.verdict_counts()
    for name, counts in per_number.items():
        text = by_name[name]["published numbers"]
        for verdict, n in counts.items():
            assert f"{n} {verdict}" in text, (name, verdict, text)
    for name, counts in per_claim.items():
        if name in by_name:
            for verdict, n in counts.items():
                assert f"{n} {verdict}" in by_name[name]["claims"], (name, verdict)
    report = (out / "REPLICATION.html").read_text()
    assert "<table>" in report and '<h2 id="000-table-1">' in report  # stable section anchors


def test_from_a_not_reproduced_number_of_table_5_to_its_figure(site, browser_context):
    base, _ = site
    page = browser_context.new_page()
    page.goto(base + "verdicts.html?document=003&table=Table%205&verdict=not%20reproduced")
    total = page.locator("#verdict-table tbody tr").count()
    visible = page.locator("#verdict-table tbody tr:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total
    for i in range(shown):
        row = visible.nth(i)
        assert row.get_attribute("data-table") == "Table 5"
        assert row.get_attribute("data-verdict") == "not reproduced"
    page.select_option("select[data-filter='verdict']", "*")  # the filter narrows, "all" widens
    assert visible.count() > shown
    page.select_option("select[data-filter='verdict']", "not reproduced")
    link = visible.first.locator("a[href*='003-s6_batch_size.html#']")
    anchor = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(base + "003-s6_batch_size.html")
    target = page.locator(f"[id='{anchor}']")
    assert target.count() == 1 and target.locator("img").count() == 1  # the figure itself
    # ... right below the code cell that saved it: the evidence is the code and its output together
    producer = page.evaluate("""(id) => {
        let cell = document.getElementById(id).closest('.jp-Cell');
        let prev = cell && cell.previousElementSibling;
        while (prev && !prev.classList.contains('jp-Cell')) prev = prev.previousElementSibling;
        return prev ? {code: prev.classList.contains('jp-CodeCell'), text: prev.innerText} : null;
    }""", anchor)
    stem = anchor.split("-", 1)[1]
    assert producer and producer["code"] and f'"{stem}"' in producer["text"], (anchor, producer)
    page.wait_for_function("() => document.querySelector('.jp-RenderedMarkdown mjx-container')",
                           timeout=20_000)  # the notebook's TeX, typeset by the site's MathJax
    page.close()


def test_search_finds_a_claim_by_a_word(site, browser_context):
    base, _ = site
    page = browser_context.new_page()
    page.goto(base + "index.html")
    page.locator("input.md-search__input").click()
    # a word of a claim (Prop. 4.1 i): "a1 is the maximal point of G")
    page.locator("input.md-search__input").fill("maximal")
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=20_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("verdicts.html" in h or "REPLICATION.html" in h for h in hrefs), hrefs
    page.close()
