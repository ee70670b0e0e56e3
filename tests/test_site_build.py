"""The website's pieces that need no browser: the discovered table of contents, the offline Colab
badge, and notebook pictures that work offline (the browser tests in tests/browser check the result)."""
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "site" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_site = _load("build_site")
offline_site = _load("offline_site")


def test_table_of_contents_follows_every_notebook_in_name_order():
    notebooks = build_site.chapter_notebooks()
    assert [nb.name for nb in notebooks] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    toc = build_site.table_of_contents(notebooks)
    files = re.findall(r"file: notebooks/(\S+)", toc)
    assert files == [nb.stem for nb in notebooks]
    assert toc.startswith("format: jb-book\nroot: README\n") and "file: docs/PERFORMANCE" in toc
    assert build_site.first_heading(ROOT / "notebooks" / "05_gans.ipynb").startswith("05 · GANs")
    assert json.dumps(build_site.first_heading(ROOT / "notebooks" / "05_gans.ipynb"), ensure_ascii=False) in toc
    assert [nb.name[:2] for nb in build_site.chapter_notebooks(["00", "05"])] == ["00", "05"]
    with pytest.raises(ValueError, match="no notebooks"):
        build_site.chapter_notebooks(["zz"])


def test_a_notebook_without_a_heading_is_refused(tmp_path):
    notebook = tmp_path / "x.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": ["no heading here"]}]}))
    with pytest.raises(ValueError, match="no markdown heading"):
        build_site.first_heading(notebook)


def test_remote_colab_badges_become_inline_and_keep_their_link():
    link = "https://colab.research.google.com/github/genimg-edu/genimg-edu/blob/main/notebooks/09_x.ipynb"
    source = f"# 09\\n\\n[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({link})\\n"
    out = offline_site.offline_badge(source)
    assert "assets/colab-badge.svg" not in out and f'href=\\"{link}\\"' in out
    assert 'src=\\"data:image/svg+xml;base64,' in out and "alt=\\\"Open In Colab\\\"" in out
    assert offline_site.offline_badge("no badge") == "no badge"


def test_course_notebooks_00_to_07_need_no_network_for_their_badge():
    for path in sorted((ROOT / "notebooks").glob("0[0-7]*.ipynb")):
        first = "".join(json.loads(path.read_text())["cells"][0]["source"])
        assert "colab-badge.svg" not in first, path.name
        assert f'<a href="https://colab.research.google.com/github/genimg-edu/genimg-edu/blob/main/notebooks/{path.name}">' \
               '<img src="data:image/svg+xml;base64,' in first, path.name


def test_animations_play_offline():
    from genimg_edu.viz import animate, animation_html

    html = animation_html(animate(torch.rand(3, 2, 1, 8, 8)))
    assert not re.search(r"https?://", html)  # no Font Awesome (or anything else) from a CDN
    assert "fa fa-" not in html and "&#x25B6;" in html  # Unicode buttons instead of icons
    assert html.count("data:image/png") == 3
