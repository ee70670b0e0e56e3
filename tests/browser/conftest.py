"""Real-browser tests: Playwright driving the system's Chromium (never Playwright's own download).

Skipped, with a message saying how to install what is missing, when Chromium or the `playwright`
package is not there. `.ci/run` installs Debian's `chromium` when it can, so CI runs them.
A failing test leaves a screenshot in build/browser-failures/.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAILURES = ROOT / "build" / "browser-failures"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 800}  # every widget must fit a window this size


def find_chromium() -> str | None:
    """$GENIMG_CHROMIUM, else a Chromium/Chrome on PATH (Debian's `chromium` is /usr/bin/chromium)."""
    explicit = os.environ.get("GENIMG_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("browser tests need Chromium: `sudo apt-get install -y chromium` (Debian/Ubuntu), or set "
                    "GENIMG_CHROMIUM=/path/to/chrome")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the `playwright` package: "
                                   "pip install -e '.[dev]' (its own browser download is not needed)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh 1280x800 page; its console errors are collected in page.console_errors."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    request.node.browser_page = page
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "browser_page", None)
    if report.when == "call" and report.failed and page is not None:
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in item.nodeid.split("::", 1)[-1])
        try:
            page.screenshot(path=str(FAILURES / f"{name}.png"), full_page=True)
            report.sections.append(("screenshot", str(FAILURES / f"{name}.png")))
        except Exception as error:  # the page may be gone; the failure itself matters more
            report.sections.append(("screenshot", f"could not take one: {error}"))
