"""`Problem`: one exercise with `check()`, `hint()` and `solution()`, and the `____` blank.

An exercise notebook asks the learner to define a name (a value or a function); the chapter's
checks module holds one `Problem` per question::

    q1 = Problem("invert", prompt="Write `invert(img)` ...", check=check_invert,
                 hint="White is 1 and black is 0 ...", notebook="01_pixels")

`notebook="01_pixels"` says the solution is the one in the master notebook exercises/01_pixels.ipynb
(shipped in the package as solutions.json, see `solutions.py`): each answer is written once.
A Problem outside the course's notebooks passes its code as `solution="def invert(img): ..."`.

In the notebook the learner writes `invert`, then runs `q1.check()`. `check()` finds `invert` in
the notebook's globals (the frame that called it), hands it to `check_invert`, and answers:

    Correct        the check ran without complaint
    Incorrect      the check raised AssertionError (its message says what is wrong), or the
                   learner's code raised another exception (explained)
    Not attempted  the name is missing, is still `____`, or the code raises NotImplementedError

With GENIMG_EXERCISES_STRICT=1 anything but Correct raises `ExerciseNotPassed`: that is how CI
proves the master notebooks' solutions really pass. Taught in notebook 00 (how exercises work).
"""
from __future__ import annotations

import html
import inspect
import os
import traceback
from typing import Any, Callable, Sequence

STRICT_ENV = "GENIMG_EXERCISES_STRICT"
CORRECT, INCORRECT, NOT_ATTEMPTED = "Correct", "Incorrect", "Not attempted"
_COLOURS = {CORRECT: "#1b7f3b", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#8a6d00",
            "Hint": "#1f5fa8", "Solution": "#444444"}
_SYMBOLS = {CORRECT: "✓", INCORRECT: "✗", NOT_ATTEMPTED: "…", "Hint": "💡", "Solution": "📝"}


class BlankError(TypeError):
    """Raised when code computes with `____` before the learner has replaced it."""


class ExerciseNotPassed(Exception):
    """Strict mode (GENIMG_EXERCISES_STRICT=1): a check did not answer Correct."""


class _Blank:
    """The `____` placeholder in exercise notebooks: a singleton that refuses to be computed with."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____  (a blank: replace ____ with your answer)"

    def __reduce__(self):  # copies and pickles stay the singleton
        return (_Blank, ())

    def _refuse(self, *args, **kwargs):
        raise BlankError("replace ____ with your answer: it is a blank, not a value you can compute with")


for _op in ("add radd sub rsub mul rmul matmul rmatmul truediv rtruediv floordiv rfloordiv mod rmod "
            "pow rpow neg pos abs lt le gt ge call getitem setitem iter len float int index "
            "and rand or ror xor rxor lshift rlshift rshift rrshift invert array").split():
    setattr(_Blank, f"__{_op}__", _Blank._refuse)

____ = _Blank()


def is_blank(value: Any) -> bool:
    """True for `____` itself or a list/tuple/dict that still holds a `____` (one level deep)."""
    if value is ____:
        return True
    if isinstance(value, (list, tuple, set)):
        return any(item is ____ for item in value)
    if isinstance(value, dict):
        return any(item is ____ for item in value.values())
    return False


def strict_mode() -> bool:
    """True under GENIMG_EXERCISES_STRICT=1 (set by `make test` for the master notebooks)."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Feedback:
    """A coloured message: HTML in Jupyter, plain text elsewhere (`str(feedback)`)."""

    def __init__(self, kind: str, message: str = "", *, code: str | None = None):
        self.kind, self.message, self.code = kind, message, code

    def __str__(self) -> str:
        text = f"{_SYMBOLS[self.kind]} {self.kind}" + (f": {self.message}" if self.message else "")
        return text + (f"\n{self.code}" if self.code else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.kind]
        body = f"<b>{_SYMBOLS[self.kind]} {html.escape(self.kind)}</b>"
        if self.message:
            body += ": " + html.escape(self.message).replace("\n", "<br>")
        if self.code:
            body += f"<pre style='margin:4px 0 0 0'>{html.escape(self.code)}</pre>"
        return f"<div style='color:{colour}; border-left:4px solid {colour}; padding-left:8px'>{body}</div>"

    def show(self) -> None:
        if _in_jupyter():
            from IPython.display import display
            display(self)
        else:
            print(self)


class Status(str):
    """The answer of `check()`: a plain string ("Correct", ...) that Jupyter does not echo again."""

    def _ipython_display_(self):  # the coloured Feedback is already on screen
        pass


class Problem:
    """One exercise. `name`: the name(s) the learner defines; `check(*objects)` raises
    AssertionError with a helpful message when they are wrong; `hint`: text (or a list of texts,
    shown one at a time); `notebook`: the master notebook (e.g. "05_gans") whose solution for these
    names `solution()` shows, or `solution`: the code itself (give exactly one of the two)."""

    def __init__(self, name: str | tuple[str, ...], *, prompt: str, check: Callable[..., Any],
                 hint: str | Sequence[str], solution: str | None = None, notebook: str | None = None,
                 title: str | None = None):
        names = (name,) if isinstance(name, str) else tuple(name)
        if not names or not all(isinstance(n, str) and n.isidentifier() for n in names):
            raise ValueError(f"name must be an identifier or a tuple of identifiers, got {name!r}")
        if not callable(check):
            raise TypeError(f"check must be callable, got {type(check).__name__}")
        if (solution is None) == (notebook is None):
            raise TypeError("give exactly one of solution= (the code) or notebook= (the master notebook's name)")
        self.names = names
        self.prompt, self._solution, self.notebook, self._check = prompt, solution, notebook, check
        self.hints = [hint] if isinstance(hint, str) else list(hint)
        self.title = title or ", ".join(f"`{n}`" for n in names)

    def __repr__(self) -> str:
        return f"Problem({self.title}): {self.prompt}"

    @property
    def solution_code(self) -> str:
        """The code `solution()` shows: the master notebook's answer, or the `solution` given."""
        if self._solution is not None:
            return self._solution
        from .solutions import solution_code
        return solution_code(self.notebook, self.names)

    def _repr_html_(self) -> str:
        return f"<b>{html.escape(self.title)}</b><br>{html.escape(self.prompt)}"

    # -- checking ---------------------------------------------------------------------------
    def evaluate(self, *values: Any) -> Feedback:
        """Run the check on `values` (one per name) and return the Feedback, without showing it."""
        if len(values) != len(self.names):
            raise TypeError(f"check() needs {len(self.names)} value(s) for {self.names}, got {len(values)}")
        blanks = [n for n, v in zip(self.names, values) if is_blank(v)]
        if blanks:
            return Feedback(NOT_ATTEMPTED, f"replace the ____ in {_listing(blanks)} with your answer, "
                                           "then run this cell again.")
        try:
            self._check(*values)
        except NotImplementedError:
            return Feedback(NOT_ATTEMPTED, f"{_listing(self.names)} still raises NotImplementedError: "
                                           "replace that line with your code, then run this cell again.")
        except BlankError:
            return Feedback(NOT_ATTEMPTED, f"{_listing(self.names)} still uses a ____ blank: "
                                           "replace it with your answer.")
        except AssertionError as error:
            return Feedback(INCORRECT, str(error) or "the answer does not pass the check.")
        except Exception as error:  # the learner's code crashed: explain where
            wrong_kind = _wrong_kind(self.names, values, error)
            return Feedback(INCORRECT, wrong_kind or _explain(error))
        return Feedback(CORRECT, "well done!")

    def check(self, *values: Any) -> Status:
        """Check the learner's answer and show a coloured message; return the status string.

        With no arguments the name(s) are looked up in the caller's globals (the notebook);
        `q.check(value)` checks explicit values instead.
        """
        if not values:
            scope = _caller_globals()
            missing = [n for n in self.names if n not in scope]
            if missing:
                feedback = Feedback(NOT_ATTEMPTED, f"define {_listing(missing)} (run its cell), "
                                                   "then run this check again.")
            else:
                feedback = self.evaluate(*(scope[n] for n in self.names))
        else:
            feedback = self.evaluate(*values)
        feedback.show()
        if strict_mode() and feedback.kind != CORRECT:
            raise ExerciseNotPassed(f"{self.title}: {feedback}")
        return Status(feedback.kind)

    def hint(self, n: int = 1) -> None:
        """Show hint number `n` (1-based)."""
        if not 1 <= n <= len(self.hints):
            raise ValueError(f"n must be in [1, {len(self.hints)}] for {self.title}, got {n}")
        more = f" (try hint({n + 1}) for more)" if n < len(self.hints) else ""
        Feedback("Hint", self.hints[n - 1] + more).show()

    def solution(self) -> None:
        """Show one solution as code."""
        Feedback("Solution", "", code=self.solution_code).show()


def _listing(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _caller_globals() -> dict:
    """Globals of the first frame outside this module: the notebook's `__main__` in IPython."""
    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_globals.get("__name__") == __name__:
            frame = frame.f_back
        return frame.f_globals if frame is not None else {}
    finally:
        del frame


def _library_folders() -> tuple[str, ...]:
    """Folders whose code is not the learner's: this package, installed packages, the stdlib."""
    import sysconfig
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # genimg_edu/
    paths = {package} | {sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")}
    return tuple(os.path.join(os.path.abspath(path), "") for path in paths)


def _wrong_kind(names, values, error: Exception) -> str | None:
    """When the check failed because an answer is the wrong kind of thing (a string where a function
    is expected: "'str' object is not callable"), say so in words, not with Python's internals."""
    if not isinstance(error, (TypeError, AttributeError)):
        return None
    text = str(error)
    for name, value in zip(names, values):
        kind = type(value).__name__
        if f"'{kind}' object" not in text:
            continue
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:60] + "..."
        if "not callable" in text:
            return (f"`{name}` should be a function (def {name}(...): ... return ...), but it is a {kind}: "
                    f"{shown}. Define it with def, then run this cell again.")
        return (f"`{name}` is a {kind} ({shown}), which is not the kind of answer this exercise expects "
                f"(check what it asks for: a function, a tensor, a number...). Python said: {text}")
    return None


def _explain(error: Exception) -> str:
    """`ZeroDivisionError: division by zero (raised at line 3: `return x / 0`)`, pointing at the
    learner's own line (a notebook cell), not at library internals."""
    libraries = _library_folders()
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(libraries)]
    where = ""
    if frames:
        last = frames[-1]
        where = f" (raised at line {last.lineno}" + (f": `{last.line.strip()}`" if last.line else "") + ")"
    return f"your code raised {type(error).__name__}: {error}{where}"
