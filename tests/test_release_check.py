import importlib.util
import json
from pathlib import Path

import pytest

from genimg_edu.notebook import release_check

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("GENIMG_FAST", "1")


@pytest.fixture
def full(monkeypatch):
    monkeypatch.delenv("GENIMG_FAST", raising=False)
    monkeypatch.setenv("GENIMG_RELEASE_CHECK", "1")   # as make check-full runs it


@pytest.fixture
def learner_full(monkeypatch):
    monkeypatch.delenv("GENIMG_FAST", raising=False)
    monkeypatch.delenv("GENIMG_RELEASE_CHECK", raising=False)


def test_fast_mode_reports_one_line_and_never_fails(fast, capsys):
    release_check("judge accuracy", 0.31, at_least=0.9)
    assert capsys.readouterr().out == "release check judge accuracy: 0.31 (bar >= 0.9; checked in full mode)\n"
    release_check("Fréchet distance", 800.0, at_most=40, at_least=0)
    assert capsys.readouterr().out == ("release check Fréchet distance: 800 (bar >= 0 and <= 40; "
                                       "checked in full mode)\n")


def test_full_mode_passes_on_the_bar_and_says_so(full, capsys):
    release_check("judge accuracy", 0.9, at_least=0.9)
    release_check("loss", 0.2, at_most=0.25)
    out = capsys.readouterr().out.splitlines()
    assert out == ["release check judge accuracy: 0.9 (bar >= 0.9) ✓", "release check loss: 0.2 (bar <= 0.25) ✓"]


@pytest.mark.parametrize("value, bars, bar_text", [
    (0.89, {"at_least": 0.9}, ">= 0.9"),
    (0.3, {"at_most": 0.25}, "<= 0.25"),
    (5.0, {"at_least": 0, "at_most": 4}, ">= 0 and <= 4"),
    (float("nan"), {"at_least": 0.9}, ">= 0.9"),
])
def test_full_mode_fails_naming_the_bar(full, value, bars, bar_text):
    with pytest.raises(AssertionError, match=f"release check judge accuracy: .* misses the bar {bar_text}"):
        release_check("judge accuracy", value, **bars)


@pytest.mark.parametrize("value, bars, bar_text", [(0.962, {"at_least": 0.98}, ">= 0.98"), (float("nan"), {"at_most": 1}, "<= 1")])
def test_a_learners_full_run_reports_a_miss_and_goes_on(learner_full, capsys, value, bars, bar_text):
    with pytest.warns(UserWarning, match=f"release check VAE shape: .* misses the bar {bar_text}"):
        release_check("VAE shape", value, **bars)
    out = capsys.readouterr().out
    assert "misses the bar" in out and "✗" in out and "the notebook goes on" in out
    release_check("VAE shape", 0.99, at_least=0.98)   # a pass still says so
    assert capsys.readouterr().out == "release check VAE shape: 0.99 (bar >= 0.98) ✓\n"


def test_check_full_turns_misses_into_failures():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("check-full:"):]
    assert "GENIMG_RELEASE_CHECK=1" in recipe.split("\n\n")[0]


def test_bad_input_is_rejected_in_both_modes(monkeypatch):
    for mode in ("1", "0"):
        monkeypatch.setenv("GENIMG_FAST", mode)
        with pytest.raises(ValueError, match="at_least"):
            release_check("accuracy", 0.5)
        with pytest.raises(TypeError, match="value must be a real number"):
            release_check("accuracy", "high", at_least=0.9)
        with pytest.raises(TypeError, match="name"):
            release_check("", 0.5, at_least=0.9)


def _build_site():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "site" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_release_check_cells_are_hidden_on_the_site():
    """The site build adds MyST-NB's remove-cell tag (its list is fixed) to every cell tagged release-check, and
    release_check is only called in such cells: learners never read the release bars as lesson."""
    hide = _build_site().hide_tagged_cells
    tagged = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        staged = json.loads(hide(path) or path.read_text())["cells"]
        for cell, shown in zip(json.loads(path.read_text())["cells"], staged):
            tags = cell.get("metadata", {}).get("tags", [])
            if "release-check" in tags:
                tagged += 1
                assert "remove-cell" in shown["metadata"]["tags"], f"{path.name}: a release check the site would show"
            elif cell["cell_type"] == "code":
                assert "release_check(" not in "".join(cell["source"]), f"{path.name}: release_check in a learner cell"
            assert shown["source"] == cell["source"]
    assert tagged >= 10


def test_the_site_build_tags_only_what_needs_it(tmp_path):
    hide = _build_site().hide_tagged_cells
    notebook = {"cells": [{"cell_type": "code", "metadata": {"tags": ["release-check"]}, "source": ["x"]},
                          {"cell_type": "code", "metadata": {}, "source": ["y"]}], "metadata": {}, "nbformat": 4,
                "nbformat_minor": 5}
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(notebook))
    cells = json.loads(hide(path))["cells"]
    assert cells[0]["metadata"]["tags"] == ["release-check", "remove-cell"] and cells[1]["metadata"] == {}
    notebook["cells"] = notebook["cells"][1:]
    path.write_text(json.dumps(notebook))
    assert hide(path) is None  # nothing to hide: the build keeps its symlink
