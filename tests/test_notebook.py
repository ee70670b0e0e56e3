import inspect

import pytest
from IPython.display import Code, Markdown

from genimg_edu import notebook
from genimg_edu.device import steps
from genimg_edu.notebook import show_source
from genimg_edu.train import TrainConfig, TrainResult


def test_function_source_is_returned_and_printed_outside_ipython(capsys, monkeypatch):
    monkeypatch.setattr(notebook, "_in_ipython", lambda: False)
    source = show_source(steps)
    assert source == inspect.getsource(steps)
    assert source.startswith("def steps(full: int, fast: int) -> int:")
    printed = capsys.readouterr().out
    assert "genimg_edu.device.steps — genimg_edu/device.py, line" in printed
    assert source in printed


def test_method_source_is_dedented_and_property_unwrapped(monkeypatch):
    source = show_source(TrainConfig.__post_init__, display=False)
    assert source.startswith("def __post_init__(self):")
    assert show_source(TrainResult.final_loss, display=False).startswith("@property\ndef final_loss")


def test_class_and_module_sources():
    assert show_source(TrainResult, display=False).startswith("@dataclass\nclass TrainResult:")
    assert show_source(notebook, display=False) == inspect.getsource(notebook)


def test_in_ipython_displays_highlighted_code(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(notebook, "_in_ipython", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    source = show_source(steps)
    assert capsys.readouterr().out == ""
    header, code = shown
    assert isinstance(header, Markdown) and "genimg_edu.device.steps" in header.data
    assert isinstance(code, Code) and code.data == source
    assert "<span" in code._repr_html_()  # pygments highlighting, not plain text


def test_display_false_shows_nothing(capsys):
    show_source(steps, display=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("obj", [len, 3, "steps"])
def test_objects_without_source_raise_type_error(obj):
    with pytest.raises(TypeError, match="show_source needs"):
        show_source(obj)


def test_shown_source_is_not_echoed_twice_by_jupyter():
    from IPython.core.formatters import DisplayFormatter

    from genimg_edu.notebook import ShownSource

    shown = show_source(steps)
    assert isinstance(shown, ShownSource) and shown == inspect.getsource(steps)
    # IPython's display hook formats a cell's last value; a shown source yields no second copy
    assert DisplayFormatter().format(shown) == ({}, {})
    assert DisplayFormatter().format(show_source(steps, display=False))[0]  # a plain str still echoes


def test_mode_banner_returns_fast_mode_and_warns_only_in_fast_mode(monkeypatch, capsys):
    from genimg_edu.notebook import mode_banner
    monkeypatch.setenv("GENIMG_FAST", "1")
    assert mode_banner() is True
    assert "deliberately undertrained" in capsys.readouterr().out
    monkeypatch.delenv("GENIMG_FAST")
    assert mode_banner() is False
    assert "undertrained" not in capsys.readouterr().out


def test_fast_note_speaks_only_in_fast_mode_and_needs_text(monkeypatch, capsys):
    from genimg_edu.notebook import fast_note
    monkeypatch.delenv("GENIMG_FAST", raising=False)
    fast_note("still noise")
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("GENIMG_FAST", "1")
    fast_note("still noise")
    assert "still noise" in capsys.readouterr().out
    with pytest.raises(TypeError, match="non-empty str"):
        fast_note("")
