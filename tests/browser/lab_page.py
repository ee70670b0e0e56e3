"""Driving a notebook in JupyterLab from Playwright: open, Run All, wait for idle, find the widgets,
move a slider or press a button, read what the widget shows."""
from __future__ import annotations

import time

WIDGET_OUTPUT = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output"  # one per displayed output
INTERACTIVE = ".noUi-handle, button.jupyter-button"

_STATE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  for (const cell of cells) {
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return {status: kernel ? kernel.status : 'none', cells: cells.length,
          unexecuted: cells.filter(c => c.model.executionCount === null).length,
          running: cells.filter(c => (c.promptNode && c.promptNode.textContent || '').includes('*')).length,
          errors};
}"""


def notebook_state(page) -> dict | None:
    return page.evaluate(_STATE_JS)


_OPEN_IN_APP_JS = """async (name) => {
  const app = window.jupyterapp;
  for (const widget of Array.from(app.shell.widgets('main'))) widget.dispose();  // no "save changes?" dialog
  for (const dialog of document.querySelectorAll('.jp-Dialog')) dialog.remove();
  await app.commands.execute('docmanager:open', {path: name});
}"""
_OPENED_JS = ("(name) => { const w = window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.shell.currentWidget;"
              " return !!(w && w.sessionContext && w.context && w.context.path === name); }")


def open_notebook(page, lab_url: str, name: str, *, timeout: float = 90.0) -> None:
    """Open notebooks/<name> in JupyterLab (left sidebar collapsed) and wait for an idle kernel. A page
    that has JupyterLab loaded already closes its tabs and opens the notebook in place: loading the
    front end again costs seconds of CPU per notebook."""
    loaded = page.url.startswith(lab_url) and page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell)")
    if loaded:
        try:
            page.evaluate(_OPEN_IN_APP_JS, name)
            page.wait_for_function(_OPENED_JS, arg=name, timeout=30000)
        except Exception:  # a dialog or a broken state left by an earlier failure: load JupyterLab afresh
            loaded = False
    if not loaded:
        page.goto(f"{lab_url}/lab/tree/{name}?reset")  # ?reset: no tabs restored from an earlier test
        page.wait_for_function(_OPENED_JS, arg=name, timeout=timeout * 1000)
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    wait_idle(page, timeout=timeout, all_executed=False)


def wait_idle(page, *, timeout: float, all_executed: bool = True, settle: float = 0.5) -> dict:
    """Wait until the kernel is idle (and, with all_executed, every code cell ran) for `settle` s.
    Returns the last state; stops early when a cell raised."""
    deadline, idle_since = time.monotonic() + timeout, None
    while True:
        state = notebook_state(page)
        done = state is not None and state["status"] == "idle" and state["running"] == 0 and \
            (not all_executed or state["unexecuted"] == 0)
        if state is not None and state["errors"]:
            return state
        if done:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle:
                return state
        else:
            idle_since = None
        if time.monotonic() > deadline:
            raise TimeoutError(f"the notebook did not finish within {timeout:.0f} s: {state}")
        time.sleep(0.25)


def run_all(page, *, timeout: float) -> dict:
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return wait_idle(page, timeout=timeout)  # done only when every code cell has run (none had run before)


def interactive_widgets(page) -> list:
    """The current notebook's displayed top-level widgets that have a slider or a button (progress
    bars are not)."""
    panel = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    return [w for w in page.query_selector_all(f"[id='{panel}'] {WIDGET_OUTPUT}")
            if w.query_selector(".jupyter-widgets") and w.query_selector(INTERACTIVE)]


def picture(widget) -> str:
    """What the widget shows: the sources of its images (a redraw makes new ones) and the text of its
    output areas (a timeline card, a message)."""
    return widget.evaluate("el => Array.from(el.querySelectorAll('img')).map(i => i.src).join('|') + '|' + "
                           "Array.from(el.querySelectorAll('.widget-output')).map(o => o.innerText).join('|')")


def drag_slider(page, handle) -> None:
    """Drag a slider handle 60 px towards the side with more room, as a learner would."""
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    track = handle.evaluate_handle("h => h.closest('.noUi-target')").as_element().bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    dx = 60 if x < track["x"] + track["width"] / 2 else -60
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=6)
    page.mouse.up()


def wait_for_change(page, widget, before: str, *, timeout: float) -> bool:
    """After an action: wait for the kernel to finish, then up to a few seconds for a new picture."""
    time.sleep(0.3)
    wait_idle(page, timeout=timeout, all_executed=False, settle=0.3)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        now = picture(widget)
        if now.strip("|") and now != before:
            return True
        time.sleep(0.2)
    return False


def respond(page, widget, *, timeout: float) -> str:
    """Move each slider, then press each button (not Play's, which would keep running), until the
    picture changes. Returns a description of what changed it; raises AssertionError if nothing did."""
    tried = []
    for handle in widget.query_selector_all(".noUi-handle"):
        if not handle.is_visible() or handle.evaluate("h => h.closest('[disabled]') !== null || h.getAttribute('aria-disabled') === 'true'"):
            continue
        label = handle.evaluate("h => { const s = h.closest('.widget-slider'); const l = s && s.querySelector"
                                "('.widget-label'); return l ? l.textContent : 'slider'; }")
        before = picture(widget)
        drag_slider(page, handle)
        if wait_for_change(page, widget, before, timeout=timeout):
            return f"slider {label!r}"
        tried.append(f"slider {label!r}")
    for button in widget.query_selector_all("button.jupyter-button"):
        if not button.is_visible() or button.evaluate("b => b.disabled || b.closest('.widget-play') !== null"):
            continue
        label = button.inner_text().strip() or "button"
        before = picture(widget)
        button.scroll_into_view_if_needed()
        button.click()
        if wait_for_change(page, widget, before, timeout=timeout):
            return f"button {label!r}"
        tried.append(f"button {label!r}")
    raise AssertionError(f"the picture did not change after: {', '.join(tried) or 'nothing to move or press'}")


def fit_problems(widget, viewport: dict) -> list[str]:
    """Ways the widget fails to fit the window or shows a picture scaled (blurred)."""
    return widget.evaluate("""(el, vp) => {
      const problems = [];
      const box = el.getBoundingClientRect();
      if (box.height > vp.height) problems.push(`widget is ${Math.round(box.height)} px tall (window ${vp.height})`);
      if (box.right > vp.width + 1) problems.push(`widget ends at x = ${Math.round(box.right)} (window ${vp.width})`);
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`widget overflows sideways: ${el.scrollWidth} > ${el.clientWidth} px`);
      for (const label of el.querySelectorAll('.widget-label')) {
        if (label.scrollWidth > label.clientWidth + 1) problems.push(`label cut off: "${label.textContent}"`);
      }
      for (const img of el.querySelectorAll('img')) {
        if (!img.complete || !img.naturalWidth) continue;
        const pixelated = ['pixelated', 'crisp-edges'].includes(getComputedStyle(img).imageRendering);
        if (Math.abs(img.clientWidth - img.naturalWidth) > 1 && !pixelated)
          problems.push(`picture shown ${img.clientWidth} px wide, natural ${img.naturalWidth} px: scaled, so blurred`);
      }
      return problems;
    }""", viewport)


def widget_errors(widget) -> list[str]:
    """Error messages the widget shows: a traceback, or an exception line (FunctionWidget prints
    `ValueError: ...` into its output instead of swallowing it)."""
    return widget.evaluate("""el => Array.from(el.querySelectorAll('.widget-output .jp-OutputArea-output'))
      .map(o => o.innerText)
      .filter(t => /Traceback|^\\w*(Error|Exception)\\b.*:/m.test(t))
      .map(t => t.slice(0, 300))""")
