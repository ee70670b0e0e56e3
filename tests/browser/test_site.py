"""The built course website in Chromium: every page of the table of contents loads with no console
error and no request leaving the machine, every figure of the executed notebooks is on its page, each
chapter has its Open-in-Colab badge, the fast-mode banner is shown, and search finds things.

Pages with formulas must typeset them with the site's own MathJax and no console error, no failed
request (a 404 for a file MathJax wants, a font it may not load) served over http and opened as a file
(the README says where index.html is, so readers open it directly too).

Which website: by default this module builds a small one first with the same script (the README, the
docs, chapter 00 and chapter 09, which has formulas; fast mode; one to two minutes, seconds when the
execution cache has both), so `make test` checks the same thing everywhere. GENIMG_SITE_TEST=full checks `make site`'s complete
build/site/_build/html instead (it must be newer than every notebook). Skipped, saying what to
install, without the `site` extra.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT

MINI_SITE_CHAPTERS = ["00", "09"]  # 09: LaTeX ($...$, $$...$$, \\mathcal, \\text) for MathJax


def _site_is_fresh(html: Path) -> bool:
    index = html / "index.html"
    if not index.exists():
        return False
    sources = list((ROOT / "notebooks").glob("*.ipynb")) + [ROOT / "README.md", ROOT / "site" / "_config.yml"]
    return index.stat().st_mtime > max(p.stat().st_mtime for p in sources)


@pytest.fixture(scope="module")
def site(chromium_path, tmp_path_factory):
    """(html folder, build_info) of a built website; build_info: mode, cache, notebooks."""
    html = ROOT / "build" / "site" / "_build" / "html"
    if os.environ.get("GENIMG_SITE_TEST") == "full":
        assert _site_is_fresh(html), "GENIMG_SITE_TEST=full: run make site first (build/site is missing or older than a notebook)"
    else:
        if not Path(sys.executable).with_name("jupyter-book").exists():
            pytest.skip("the website test needs the site tools: make site-deps (pip install -e '.[site]')")
        sys.path.insert(0, str(ROOT / "site"))
        try:
            import build_site
        finally:
            sys.path.remove(str(ROOT / "site"))
        html = build_site.build(only=MINI_SITE_CHAPTERS, out=tmp_path_factory.mktemp("site"))
    return html, json.loads((html.parents[1] / "build_info.json").read_text())


def executed(site, name: str):
    """The notebook with the outputs the website was built from (from the execution cache), as staged
    for the build (release-check cells carry MyST-NB's remove-cell tag there)."""
    from jupyter_cache import get_cache

    staged = site[0].parents[1] / "src" / "notebooks" / name
    _, notebook = get_cache(site[1]["cache"]).merge_match_into_file(str(staged))
    return notebook


HIDING_TAGS = {"remove-cell", "remove-output"}  # MyST-NB leaves these cells' outputs off the page


@pytest.fixture(scope="module")
def server(site):
    """The website served on a free 127.0.0.1 port (as a web host would serve it)."""
    handler = functools.partial(_QuietHandler, directory=str(site[0]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def toc_pages(site) -> list[str]:
    """Every page of the table of contents, as paths relative to the html folder."""
    html = site[0]
    pages = ["README.html"] + sorted(p.relative_to(html).as_posix() for p in (html / "notebooks").glob("*.html"))
    return pages + [p.relative_to(html).as_posix() for p in sorted((html / "docs").glob("*.html"))]


def visit(page, url: str) -> list[str]:
    """Load url with every request leaving the machine refused; returns the refused URLs. Requests
    that fail or answer >= 400 (a missing file) are added to page.console_errors."""
    outside = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "file:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            page.refused.add(route.request.url)
            route.abort()

    if not hasattr(page, "refused"):
        page.refused = set()  # reported by the caller, not as a failed request
        page.on("response", lambda r: page.console_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("requestfailed", lambda r: None if r.url in page.refused else
                page.console_errors.append(f"failed: {r.url} ({r.failure})"))
    page.route("**/*", guard)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return outside


def typeset_formulas(page, where: str) -> int:
    """Wait until MathJax has typeset the page (and fetched what it needed); returns how many formulas
    it drew. Fails on a formula MathJax could not read."""
    if not page.locator("span.math, div.math").count():
        return 0
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("() => MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    drawn = page.locator("mjx-container svg").count()
    assert drawn > 0, f"{where}: formulas in the text, none typeset"
    assert page.locator("mjx-merror, [data-mjx-error]").count() == 0, f"{where}: MathJax could not read a formula"
    return drawn


def test_every_page_loads_offline_with_all_its_figures(site, server, page):
    pages, formulas = toc_pages(site), 0
    assert any(p.startswith("notebooks/") for p in pages) and "docs/PERFORMANCE.html" in pages, pages
    for path in pages:
        page.console_errors.clear()
        outside = visit(page, f"{server}/{path}")
        assert not outside, f"{path} asked the network for {outside}"
        formulas += typeset_formulas(page, path)
        assert not page.console_errors, f"{path}: console errors {page.console_errors}"
        broken = page.evaluate("() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                               ".map(i => i.getAttribute('src').slice(0, 80))")
        assert not broken, f"{path}: images that did not load: {broken}"
        if path.startswith("notebooks/"):
            notebook = executed(site, Path(path).stem + ".ipynb")
            figures = sum("image/png" in out.get("data", {}) for cell in notebook.cells
                          if not HIDING_TAGS & set(cell.get("metadata", {}).get("tags", []))
                          for out in cell.get("outputs", []))
            shown = page.locator(".cell_output img").count()
            assert shown == figures, f"{path}: {figures} figures in the executed notebook, {shown} on the page"
            assert figures > 0, f"{path}: no figure at all"
    assert formulas > 0, "no page with formulas was checked (the small website includes chapter 09 for that)"


def test_formula_pages_opened_as_files(site, page):
    """index.html opened straight from the disk (file://): formulas still typeset, nothing fails."""
    formula_pages = [path for path in toc_pages(site) if 'class="math' in (site[0] / path).read_text()]
    assert formula_pages, "no page with formulas in this website"
    for path in formula_pages:
        page.console_errors.clear()
        outside = visit(page, (site[0] / path).as_uri())
        assert not outside, f"{path} asked the network for {outside}"
        assert typeset_formulas(page, path) > 0, f"file://{path}: no formula typeset"
        assert not page.console_errors, f"file://{path}: console errors {page.console_errors}"


def test_chapters_in_order_with_badges_and_the_fast_mode_banner(site, server, page):
    visit(page, f"{server}/README.html")
    chapters = [Path(p).stem for p in toc_pages(site) if p.startswith("notebooks/")]
    links = page.eval_on_selector_all("nav.bd-links a.reference.internal", "els => els.map(e => e.getAttribute('href'))")
    in_nav = [Path(href.split("#")[0]).stem for href in links if "notebooks/" in href]
    assert in_nav == chapters, f"table of contents {in_nav}, chapters {chapters}"
    if site[1]["mode"] == "fast":
        announcement = page.locator(".bd-header-announcement").inner_text()
        assert "fast mode" in announcement.lower(), announcement
    for name in chapters:
        visit(page, f"{server}/notebooks/{name}.html")
        colab = f"https://colab.research.google.com/github/genimg-edu/genimg-edu/blob/main/notebooks/{name}.ipynb"
        badge = page.locator(f'article a[href="{colab}"] img')  # the chapter's own badge, not the header's
        assert badge.count() == 1, f"{name}: {badge.count()} Open-in-Colab badges in the text"
        assert badge.evaluate("img => img.naturalWidth > 0 && img.alt === 'Open In Colab'")
        source = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
        if "FAST = mode_banner()" in "".join("".join(c["source"]) for c in source["cells"]):
            assert "Fast mode" in page.inner_text("main"), f"{name}: the notebook's fast-mode banner is missing"
    if os.environ.get("GENIMG_SCREENSHOTS"):  # a picture of a chapter page, for the README
        visit(page, f"{server}/notebooks/{chapters[min(5, len(chapters) - 1)]}.html")
        (ROOT / os.environ["GENIMG_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / os.environ["GENIMG_SCREENSHOTS"] / "site.png"))


def test_search_finds_a_chapter(server, page):
    visit(page, f"{server}/search.html?q=pixels")
    page.wait_for_selector("#search-results ul.search li", timeout=20000)
    assert page.locator("#search-results ul.search li").count() > 0
