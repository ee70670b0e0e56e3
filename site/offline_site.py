"""Sphinx extension of the course website: keep every page working offline.

- The notebooks' "Open in Colab" badge is an inline SVG already (notebooks 00-07); a notebook that
  still points at the badge image on colab.research.google.com gets the same inline badge here, so
  no page fetches it.
- No Thebe scripts (live cells need Binder online; Jupyter Book also declares them twice).
- MathJax 3 (SVG output: no web fonts) is served from the sphinx-mathjax-offline package, copied into
  `_static/mathjax`: the page's tex-svg.js and the parts it loads on demand (TeX extensions, menu,
  accessibility), not the other bundles or the CHTML fonts.
- Notebook execution never stalls on a missed message: the kernel client polls in slices of at most
  POLL_SLICE s (see `_poll_in_slices`).
"""
from __future__ import annotations

import base64
import re
import shutil
import time
from pathlib import Path
from queue import Empty

BADGE_SVG = Path(__file__).resolve().parents[1] / "docs" / "img" / "colab-badge.svg"
REMOTE_BADGE = re.compile(r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
                          r"\((https://colab\.research\.google\.com/[^)\s]+)\)")


def badge_html(link: str) -> str:
    """The offline badge: an inline SVG image linking to `link`."""
    data = base64.b64encode(BADGE_SVG.read_text().strip().encode()).decode()
    return f'<a href="{link}"><img src="data:image/svg+xml;base64,{data}" alt="Open In Colab"/></a>'


def offline_badge(source: str) -> str:
    """`source` with every remote Colab badge replaced by the inline one."""
    return REMOTE_BADGE.sub(lambda m: badge_html(m.group(1)).replace('"', '\\"'), source)


def _source_read(app, docname, content):
    if docname.startswith("notebooks/"):
        content[0] = offline_badge(content[0])


# A display formula wider than the text column scrolls sideways instead of being cut off.
SITE_CSS = 'mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; }\n'
MATHJAX_PARTS = ("tex-svg.js", "input", "output/svg", "output/svg.js", "ui", "a11y", "sre", "adaptors")


def mathjax_source() -> Path:
    """The MathJax 3 distribution shipped by the sphinx-mathjax-offline package."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        folder = Path(distribution("sphinx-mathjax-offline").locate_file("sphinx-mathjax-offline/static/mathjax"))
    except PackageNotFoundError:
        folder = None
    if folder is None or not (folder / "tex-svg.js").exists():
        raise RuntimeError("the website serves MathJax itself: pip install -e '.[site]' (sphinx-mathjax-offline)")
    return folder


def _copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    (Path(app.outdir) / "_static" / "offline_site.css").write_text(SITE_CSS)
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    shutil.rmtree(target, ignore_errors=True)  # nothing left from an earlier MathJax
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        elif (source / part).exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Live code cells (Thebe) need Binder online; Jupyter Book also declares their script twice, an
    error in every page's console. The website leaves them out: notebooks run in Jupyter or Colab."""
    def is_thebe(script) -> bool:
        body = getattr(script, "attributes", {}).get("body") or ""
        return "thebe" in str(script) or "THEBE_JS_URL" in body

    if "script_files" in context:
        context["script_files"] = [script for script in context["script_files"] if not is_thebe(script)]


POLL_SLICE = 5.0  # s: the longest a missed wake-up can delay a notebook


def _poll_in_slices() -> None:
    """Make jupyter_client's asyncio channels wait for a message in slices of POLL_SLICE s.

    Why: executing the notebooks (MyST-NB -> jupyter-cache -> nbclient), the client sometimes misses
    the socket's wake-up for a reply that has arrived (measured in chapter 01: the kernel had run the
    cell and sat idle while the build waited). pyzmq's asyncio poll looks at the socket again only when
    its timeout ends, and nbclient's timeout is the whole cell budget (600 s in fast mode), so one missed
    wake-up cost ten minutes of an idle build. Each slice ends with a real poll of the socket, so the
    same miss now costs at most POLL_SLICE s; the overall timeout is unchanged."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    if getattr(original, "polls_in_slices", False):
        return

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE if deadline is None else min(POLL_SLICE, max(0.0, deadline - time.monotonic()))
            try:
                return await original(self, timeout=left)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    get_msg.polls_in_slices = True
    AsyncZMQSocketChannel.get_msg = get_msg


def setup(app):
    _poll_in_slices()
    app.add_css_file("offline_site.css")
    app.connect("source-read", _source_read)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
