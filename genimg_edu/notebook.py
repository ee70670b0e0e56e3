"""Notebook helpers: show the learner the real code behind a function.

The first time an idea appears in a notebook, the learner reads its core -- the very source the
library runs, not a copy that could drift::

    from genimg_edu.notebook import show_source
    show_source(train)        # syntax-highlighted in Jupyter / Colab, printed elsewhere
"""
from __future__ import annotations

import inspect
import os
import textwrap
from pathlib import Path


def _in_ipython() -> bool:
    """True inside a Jupyter/IPython shell that can render rich output."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _where(obj) -> str:
    """'genimg_edu.train.train -- genimg_edu/train.py, line 160' (a package-relative path)."""
    module = inspect.getmodule(obj)
    name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
    title = f"{module.__name__}.{name}" if module is not None and module is not obj else name
    try:
        file = Path(inspect.getsourcefile(obj))
        root = module.__name__.split(".")[0] if module is not None else None
        parts = file.parts
        shown = Path(*parts[parts.index(root):]) if root in parts else Path(file.name)
        line = inspect.getsourcelines(obj)[1]
        return f"{title} — {shown.as_posix()}, line {max(line, 1)}"
    except (TypeError, OSError):
        return title


class ShownSource(str):
    """The source text `show_source` returns after displaying it: a plain str, except that Jupyter
    does not echo it a second time when `show_source(...)` is the last line of a cell."""

    def _ipython_display_(self):
        pass  # already on screen


def show_source(obj, *, display: bool = True) -> str:
    """Show the source code of a function, class, method or module, and return it as a string.

    In Jupyter/Colab it is displayed syntax-highlighted under a line naming where it lives; outside
    IPython it is printed. display=False only returns the string. Objects without Python source
    (built-ins, C extensions) raise TypeError. Used in every notebook from 01 on.
    """
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if isinstance(obj, property):
        obj = obj.fget
    if callable(obj) and not inspect.isclass(obj):
        obj = inspect.unwrap(obj)  # @torch.no_grad() etc.: show (and name) the function itself, not the wrapper
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"show_source needs a Python function, class, method or module with source code, "
                        f"got {obj!r} ({error})") from None
    source = textwrap.dedent(source).rstrip() + "\n"  # methods come indented
    if display:
        if _in_ipython():
            from IPython.display import Code, Markdown, display as ipython_display
            ipython_display(Markdown(f"**{_where(obj)}**"), Code(source, language="python"))
        else:
            print(f"# {_where(obj)}\n{source}")
        return ShownSource(source)
    return source


RELEASE_ENV = "GENIMG_RELEASE_CHECK"  # "1": a full-mode bar that is missed raises (make check-full)

FAST_BANNER = ("**Fast mode** (`GENIMG_FAST=1`): every model here trains for a handful of steps so the whole "
               "notebook runs in seconds. Pictures and scores are deliberately undertrained — noise and "
               "near-chance numbers are expected. Unset `GENIMG_FAST` and re-run for the real lesson.")


def _show_markdown(text: str) -> None:
    if _in_ipython():
        from IPython.display import Markdown, display as ipython_display
        ipython_display(Markdown(text))
    else:
        print(text)


def mode_banner() -> bool:
    """Say at the top of a notebook which mode it runs in, and return `fast_mode()`.

    In fast mode a boxed warning explains that results are deliberately undertrained; in full mode one
    line says so. When a CUDA GPU is present one more line names it, its memory and the mixed precision
    training will use (`colab.describe_device()`), so every notebook says where it runs. Notebooks start
    with `FAST = mode_banner()`."""
    import torch

    from .device import fast_mode
    fast = fast_mode()
    _show_markdown(f"> ⚠️ {FAST_BANNER}" if fast else "*Full mode: the real lesson.*")
    if torch.cuda.is_available():
        from .colab import describe_device
        _show_markdown(f"*Running on a GPU:* {describe_device('cuda')}")
    return fast


def fast_note(text: str) -> None:
    """In fast mode only, show `text` — for cells whose picture or number means little when undertrained,
    e.g. `fast_note("30 training steps: these samples are still noise.")`. Prints nothing in full mode."""
    from .device import fast_mode
    if not isinstance(text, str) or not text.strip():
        raise TypeError(f"fast_note needs a non-empty str, got {text!r:.60}")
    if fast_mode():
        _show_markdown(f"> ⚠️ *Fast mode:* {text}")


def _bar(at_least, at_most) -> str:
    parts = ([f">= {at_least:g}"] if at_least is not None else []) + ([f"<= {at_most:g}"] if at_most is not None else [])
    return " and ".join(parts)


def release_check(name: str, value: float, *, at_least: float | None = None, at_most: float | None = None) -> None:
    """Check a full-mode quality bar (the ones in docs/PERFORMANCE.md) in a cell tagged `release-check`.

    In fast mode the models are deliberately undertrained, so the bar would be meaningless: one line
    reports the value and the bar, e.g. `release check judge accuracy: 0.31 (bar >= 0.9; checked in full
    mode)`. In full mode a value outside the bar raises AssertionError naming it when the run is a release
    check (`make check-full` sets GENIMG_RELEASE_CHECK=1); in a learner's own full run it prints the miss
    and warns (UserWarning) instead, so one training that lands below a measured bar does not stop the
    rest of the notebook."""
    import math
    from .device import fast_mode
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"release_check: name must be a non-empty str, got {name!r:.60}")
    if at_least is None and at_most is None:
        raise ValueError(f"release_check {name!r}: give a bar, at_least=... and/or at_most=...")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"release_check {name!r}: value must be a real number, got {value!r:.60}") from None
    bar = _bar(at_least, at_most)
    if fast_mode():
        print(f"release check {name}: {value:g} (bar {bar}; checked in full mode)")
        return
    ok = not math.isnan(value) and (at_least is None or value >= at_least) and (at_most is None or value <= at_most)
    if not ok:
        message = f"release check {name}: {value:g} misses the bar {bar} (docs/PERFORMANCE.md)"
        if os.environ.get(RELEASE_ENV, "").strip() == "1":
            raise AssertionError(message)
        import warnings
        print(f"{message} ✗ -- this training landed below the course's measured result; the notebook goes on")
        warnings.warn(message, UserWarning, stacklevel=2)
        return
    print(f"release check {name}: {value:g} (bar {bar}) ✓")
