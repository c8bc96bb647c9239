"""The HTML site (``python -m lossfns.site``) in a real browser: headless Chromium via Playwright.

Builds the site, serves it on loopback and opens every page: each must load (HTTP 200) without
a console or page error, every ``<img>`` must have decoded (naturalWidth > 0) and every internal
link must resolve (HTTP 200, and an in-page anchor must name an element). A screenshot of the
index is kept as ``build/site-index.png``.

Needs Chromium at ``/usr/bin/chromium`` (Debian: ``apt-get install chromium``; ``make browser``,
which .ci/run calls, installs it where it can) or at ``$LOSSFNS_CHROMIUM``; Playwright never
downloads a browser here.
External requests (only MathJax's CDN, which typesets the notebooks' formulas) are answered with
an empty script, so the check does not depend on the network and the CDN.
"""

from __future__ import annotations

import functools
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
ALLOWED_EXTERNAL_HOSTS = {"cdnjs.cloudflare.com"}  # MathJax (nbconvert's lab template)
SCREENSHOT = ROOT / "build" / "site-index.png"

pytestmark = [
    pytest.mark.slow,
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
        missing_anchors = page.evaluate("""(links) => links.filter(h => {
            const u = new URL(h);
            if (!u.hash || u.origin + u.pathname !== location.origin + location.pathname) return false;
            // as the browser resolves a fragment: the id as written, else percent-decoded
            const id = u.hash.slice(1);
            return !(document.getElementById(id) || document.getElementById(decodeURIComponent(id)));
        })""", links)
        if url.endswith("/index.html"):
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        pages[url] = {"status": response.status if response else None, "errors": errors,
                      "images": images, "links": links, "missing_anchors": missing_anchors,
                      "text": page.inner_text("body")}
        page.close()
        for link in links:
            target = urldefrag(link).url
            if target.startswith(base) and target not in seen:
                todo.append(target)
    context.unroute("**/*")
    return pages, external


def test_every_page_loads_with_images_links_and_no_console_error(site, browser_context):
    base, out = site
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    pages, external = _crawl(browser_context, base)

    expected = {base + "index.html", base + "REPLICATION.html"} | {
        base + f"{p.stem}.html" for p in (ROOT / "notebooks").glob("[!.]*.ipynb")}
    assert expected <= set(pages), f"pages not reachable from the index: {sorted(expected - set(pages))}"
    assert {base + p.name for p in out.glob("*.html")} == set(pages), "a built page is not linked"
    for url, found in pages.items():
        assert found["status"] == 200, f"{url}: HTTP {found['status']}"
        assert not found["errors"], f"{url}: console errors {found['errors']}"
        bad = [i for i in found["images"] if not (i["complete"] and i["width"] > 0)]
        assert not bad, f"{url}: images that did not decode: {bad}"
        assert not found["missing_anchors"], f"{url}: anchors without a target {found['missing_anchors']}"
        for link in found["links"]:
            target = urldefrag(link).url
            if target.startswith(base):
                status = browser_context.request.get(target).status
                assert status == 200, f"{url}: link {link} answers HTTP {status}"
    notebook_pages = [u for u in pages if u.rsplit("/", 1)[1].startswith("0")]
    assert all(pages[u]["images"] for u in notebook_pages), "a notebook page without any figure"
    hosts = {urlparse(u).hostname for u in external}
    assert hosts <= ALLOWED_EXTERNAL_HOSTS, f"unexpected external requests: {sorted(set(external))}"
    assert SCREENSHOT.stat().st_size > 10_000


def test_index_shows_provenance_and_verdicts(site, browser_context):
    base, out = site
    page = browser_context.new_page()
    page.goto(base + "index.html")
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('tr')).slice(1).map(
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
    assert "<table>" in report and "<h1>Replication report</h1>" in report
