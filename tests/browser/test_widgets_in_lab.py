"""Every notebook with a widget, in JupyterLab in Chromium (fast mode): Run All must finish with no
error output and no "Error displaying widget"; each widget must fit a 1280x800 window without scaling
its pictures, and moving one of its sliders (or pressing one of its buttons) must change its picture.

Notebooks are discovered (notebooks/*.ipynb whose code uses a widget), so new chapters are covered
without editing this file. One test class per notebook: pytest-xdist's `--dist loadscope` spreads
them over the workers; each worker starts one JupyterLab and keeps one page with it loaded, opening each
notebook in place. Each test appends the time of its phases (open, Run All, widgets) to
build/browser-timings.txt.
"""
from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from .conftest import FAILURES, ROOT, VIEWPORT
from .jupyter_lab import JupyterLab
from .lab_page import fit_problems, interactive_widgets, open_notebook, respond, run_all, widget_errors

RUN_TIMEOUT = 480.0  # s for Run All in fast mode (most take 10-60 s on a quiet machine; much more when shared)
ACTION_TIMEOUT = 90.0  # s for the kernel to answer one slider move or button press
# GENIMG_SCREENSHOTS=docs/img: also save a picture of every widget after use (for the README).
SCREENSHOTS = ROOT / os.environ["GENIMG_SCREENSHOTS"] if os.environ.get("GENIMG_SCREENSHOTS") else None
WIDGET_CODE = re.compile(r"\bipywidgets\b|\w*Widget\b|\w*_widget\b|\w*[Ee]xplorer\b|\w*playground\b")


def uses_widgets(notebook) -> bool:
    """True when a code cell (comments stripped) builds or imports a widget. The Colab install cell
    names ipywidgets only to keep Colab's own, so it never counts."""
    import json

    from genimg_edu.colab import INSTALL_CELL

    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]) != INSTALL_CELL.rstrip("\n"):
            code = "\n".join(line.split("#", 1)[0] for line in "".join(cell["source"]).splitlines())
            if WIDGET_CODE.search(code):
                return True
    return False


WIDGET_NOTEBOOKS = [nb for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) if uses_widgets(nb)]


@pytest.fixture(scope="session")
def lab(chromium_path, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    root.mkdir()
    server = JupyterLab(root, log=root.parent / "jupyterlab.log")
    yield server
    server.close()


@pytest.fixture(scope="session")
def lab_page(browser, lab):
    """One 1280x800 page per worker with JupyterLab loaded once; notebooks are opened in it in turn."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


class NotebookInLab:
    """Base of the generated per-notebook classes (named Test<notebook>)."""
    notebook = None

    def test_run_all_then_every_widget_responds(self, lab, lab_page, request):
        page = request.node.browser_page = lab_page  # a failure leaves a screenshot
        shutil.copy(self.notebook, lab.root / self.notebook.name)  # Run All must not write into the repo
        request.addfinalizer(lab.shut_down_kernels)
        phases, start = {}, time.monotonic()
        request.addfinalizer(lambda: _log_phases(self.notebook.name, phases, time.monotonic() - start))
        open_notebook(page, lab.url, self.notebook.name)
        phases["open"] = time.monotonic() - start
        state = run_all(page, timeout=RUN_TIMEOUT)
        phases["run_all"] = time.monotonic() - start - phases["open"]
        assert not state["errors"], f"{self.notebook.name}: a cell raised: {state['errors']}"
        assert "Error displaying widget" not in page.inner_text("body")
        widgets = interactive_widgets(page)
        assert widgets, f"{self.notebook.name} uses widgets but none with a slider or button is displayed"
        for index, widget in enumerate(widgets):
            widget.scroll_into_view_if_needed()
            assert not fit_problems(widget, VIEWPORT), f"widget {index}: {fit_problems(widget, VIEWPORT)}"
            action = respond(page, widget, timeout=ACTION_TIMEOUT)
            assert not fit_problems(widget, VIEWPORT), f"widget {index} after use: {fit_problems(widget, VIEWPORT)}"
            errors = widget_errors(widget)
            assert not errors, f"widget {index} shows an error after {action}: {errors}"
            if SCREENSHOTS:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                widget.screenshot(path=str(SCREENSHOTS / f"widget-{self.notebook.stem}-{index}.png"))
        assert "Error displaying widget" not in page.inner_text("body")
        phases["widgets"] = time.monotonic() - start - phases["open"] - phases["run_all"]


def _log_phases(name: str, phases: dict, total: float) -> None:
    FAILURES.parent.mkdir(parents=True, exist_ok=True)
    with open(FAILURES.parent / "browser-timings.txt", "a") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {name}: total {total:.1f} s, "
                  + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in phases.items())
                  + f", load {os.getloadavg()[0]:.1f}\n")


def test_widget_notebooks_are_discovered():
    names = [nb.name for nb in WIDGET_NOTEBOOKS]
    assert {"01_pixels.ipynb", "05_gans.ipynb", "07_text_conditioning.ipynb"} <= set(names), names
    assert "00_welcome.ipynb" not in names


for _notebook in WIDGET_NOTEBOOKS:
    _name = "Test_" + re.sub(r"\W", "_", _notebook.stem)
    globals()[_name] = type(_name, (NotebookInLab,), {"notebook": _notebook})
