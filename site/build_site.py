"""Build the course website (Jupyter Book 1.x) from the notebooks and the docs, offline.

    python site/build_site.py                 # fast mode (GENIMG_FAST=1), with a banner saying so
    python site/build_site.py --full          # full mode: the real lesson (tens of minutes on a CPU)
    python site/build_site.py --only 00 01 --out build/site_mini   # a subset (the browser tests)

The table of contents is discovered, not listed: the README, then every notebooks/*.ipynb ordered by
file name (each page titled by the notebook's first heading), then the docs. Sources are staged as
symlinks into <out>/src; the website is written to <out>/_build/html (index.html is the README). Executed
notebooks are cached in build/site_cache/<mode> (or $GENIMG_SITE_CACHE/<mode>).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
DOCS = ("docs/ARCHITECTURE.md", "docs/PERFORMANCE.md")
FAST_ANNOUNCEMENT = ("Built in fast mode: every model on these pages trained for a handful of steps, so pictures "
                     "and scores are deliberately undertrained. Run a notebook yourself (or make site FULL=1) "
                     "for the real lesson.")


def chapter_notebooks(only: list[str] | None = None) -> list[Path]:
    """notebooks/*.ipynb ordered by name; `only`: keep the names starting with one of these prefixes."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if nb.name.startswith(tuple(only))]
    if not notebooks:
        raise ValueError(f"no notebooks/*.ipynb match {only!r}")
    return notebooks


def first_heading(notebook: Path) -> str:
    """The text of the first markdown heading of a notebook: its chapter title."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^#+\s+(.+?)\s*$", "".join(cell["source"]), re.M)
            if match:
                return match.group(1)
    raise ValueError(f"{notebook.name} has no markdown heading to title its page")


def table_of_contents(notebooks: list[Path]) -> str:
    """_toc.yml: the README as the home page, a part for the chapters, a part for the docs."""
    chapters = "\n".join(f"  - file: notebooks/{nb.stem}\n    title: {json.dumps(first_heading(nb), ensure_ascii=False)}"
                         for nb in notebooks)
    docs = "\n".join(f"  - file: {doc[:-3]}" for doc in DOCS)
    details = sorted((ROOT / "docs" / "performance").glob("*.md"))  # PERFORMANCE.md (last in DOCS) links to them
    if details:
        docs += "\n    sections:\n" + "\n".join(f"    - file: docs/performance/{page.stem}" for page in details)
    return (f"format: jb-book\nroot: README\nparts:\n- caption: Chapters\n  chapters:\n{chapters}\n"
            f"- caption: How the course is built\n  chapters:\n{docs}\n")


HIDDEN_TAGS = ("release-check",)  # cells the website runs but does not show (full-mode bars for `make check-full`)


def hide_tagged_cells(notebook: Path) -> str | None:
    """The notebook's JSON with MyST-NB's `remove-cell` tag added to every cell tagged with one of HIDDEN_TAGS
    (MyST-NB's own list of removing tags is fixed), or None when no cell needs it."""
    content = json.loads(notebook.read_text())
    changed = False
    for cell in content["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if any(tag in tags for tag in HIDDEN_TAGS) and "remove-cell" not in tags:
            cell["metadata"]["tags"] = [*tags, "remove-cell"]
            changed = True
    return json.dumps(content, indent=1, ensure_ascii=False) + "\n" if changed else None


def stage(out: Path, notebooks: list[Path], *, full: bool) -> Path:
    """Symlink the sources into out/src and write its _toc.yml and _config.yml."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "README.md").symlink_to(ROOT / "README.md")
    (src / "docs").symlink_to(ROOT / "docs")
    for nb in notebooks:
        hidden = hide_tagged_cells(nb)
        if hidden is None:
            (src / "notebooks" / nb.name).symlink_to(nb)
        else:  # a copy in which the release checks carry MyST-NB's remove-cell tag
            (src / "notebooks" / nb.name).write_text(hidden)
    (src / "_toc.yml").write_text(table_of_contents(notebooks))
    mode = "full" if full else "fast"
    config = (SITE / "_config.yml").read_text()
    cache = os.environ.get("GENIMG_SITE_CACHE") or ROOT / "build" / "site_cache"  # executed notebooks, per mode
    values = {"@CACHE@": str((Path(cache) / mode).resolve()),
              "@TIMEOUT@": 3600 if full else 600,  # a number: Jupyter Book ignores a string here
              "@ANNOUNCEMENT@": "" if full else FAST_ANNOUNCEMENT,
              "@SITE_DIR@": str(SITE)}
    for key, value in values.items():
        config = config.replace(f'"{key}"', json.dumps(value))
    (src / "_config.yml").write_text(config)
    info = {"mode": mode, "cache": values["@CACHE@"], "notebooks": [nb.name for nb in notebooks]}
    (out / "build_info.json").write_text(json.dumps(info, indent=1))  # read by tests/browser/test_site.py
    return src


def build(*, full: bool = False, only: list[str] | None = None, out: Path = ROOT / "build" / "site") -> Path:
    """Execute the notebooks (fast mode unless full) and build the website; returns the html folder."""
    out = Path(out).resolve()
    src = stage(out, chapter_notebooks(only), full=full)
    env = dict(os.environ)
    if full:
        env.pop("GENIMG_FAST", None)
    else:
        env["GENIMG_FAST"] = "1"
    env.setdefault("OMP_NUM_THREADS", "1")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jupyter_book), "build", str(src), "--path-output", str(out), "--builder", "html"],
                   check=True, env=env, cwd=ROOT)
    html = out / "_build" / "html"
    reports = sorted((out / "_build" / "html" / "reports").rglob("*.err.log")) if (html / "reports").exists() else []
    if reports:
        raise RuntimeError("notebooks failed to execute: " + ", ".join(p.name for p in reports))
    return html


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="execute in full mode (default: fast mode)")
    parser.add_argument("--only", nargs="*", help="only notebooks whose names start with these prefixes")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="output folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    html = build(full=args.full, only=args.only, out=args.out)
    print(f"website: {html / 'index.html'}  ({'full' if args.full else 'fast'} mode, "
          f"{time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
