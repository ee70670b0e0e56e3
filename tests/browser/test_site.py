"""The built course website in Chromium: every page of the table of contents loads with no console
error and no request leaving the machine, every figure of the executed notebooks is on its page, each
chapter has its Open-in-Colab badge, the fast-mode banner is shown, and search finds things.

Which website: by default this module builds a small one first with the same script (the README, the
docs and chapter 00, fast mode; about a minute, less when the execution cache has chapter 00), so
`make test` checks the same thing everywhere. GENIMG_SITE_TEST=full checks `make site`'s complete
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

MINI_SITE_CHAPTERS = ["00"]


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
    """The notebook with the outputs the website was built from (from the execution cache)."""
    from jupyter_cache import get_cache

    _, notebook = get_cache(site[1]["cache"]).merge_match_into_file(str(ROOT / "notebooks" / name))
    return notebook


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
    """Load url with every request leaving 127.0.0.1 refused; returns the refused URLs."""
    outside = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return outside


def test_every_page_loads_offline_with_all_its_figures(site, server, page):
    pages = toc_pages(site)
    assert any(p.startswith("notebooks/") for p in pages) and "docs/PERFORMANCE.html" in pages, pages
    for path in pages:
        page.console_errors.clear()
        outside = visit(page, f"{server}/{path}")
        assert not outside, f"{path} asked the network for {outside}"
        assert not page.console_errors, f"{path}: console errors {page.console_errors}"
        broken = page.evaluate("() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                               ".map(i => i.getAttribute('src').slice(0, 80))")
        assert not broken, f"{path}: images that did not load: {broken}"
        if path.startswith("notebooks/"):
            notebook = executed(site, Path(path).stem + ".ipynb")
            figures = sum("image/png" in out.get("data", {}) for cell in notebook.cells
                          for out in cell.get("outputs", []))
            shown = page.locator(".cell_output img").count()
            assert shown == figures, f"{path}: {figures} figures in the executed notebook, {shown} on the page"
            assert figures > 0, f"{path}: no figure at all"
        if page.locator("span.math, div.math").count():  # MathJax is only on pages with formulas
            page.wait_for_function("() => window.MathJax && document.querySelector('.MathJax, .MathJax_SVG, mjx-container')",
                                   timeout=20000)


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
