"""Problem.check() through a real frame lookup, strict mode, hints, and the `____` blank."""
import linecache

import numpy as np
import pytest

from genimg_edu.exercises import (STRICT_ENV, BlankError, ExerciseNotPassed, Problem, Status, ____,
                                  is_blank)

pytestmark = pytest.mark.usefixtures("not_strict")


def check_double(double):
    assert double(2) == 4, f"double(2) should be 4, got {double(2)!r}"


def make_problem():
    return Problem("double", prompt="Write double(x).", check=check_double,
                   hint=["Multiply.", "By two."], solution="def double(x):\n    return 2 * x")


def run_cell(code, **names):
    """Execute `code` the way IPython runs a cell: in a module-like globals dict."""
    scope = {"__name__": "__main__", "q": make_problem(), "____": ____, **names}
    filename = f"<cell-{abs(hash(code))}>"  # IPython registers each cell's lines the same way
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), scope)
    return scope


@pytest.mark.parametrize("cell, status, words", [
    ("def double(x):\n    return 2 * x\nstatus = q.check()", "Correct", "well done"),
    ("def double(x):\n    return x + 1\nstatus = q.check()", "Incorrect", "double(2) should be 4, got 3"),
    ("def double(x):\n    return x / 0\nstatus = q.check()", "Incorrect", "ZeroDivisionError"),
    ("status = q.check()", "Not attempted", "define `double`"),
    ("double = ____\nstatus = q.check()", "Not attempted", "replace the ____"),
    ("def double(x):\n    raise NotImplementedError('Your code here')\nstatus = q.check()",
     "Not attempted", "NotImplementedError"),
    ("def double(x):\n    return ____ * x\nstatus = q.check()", "Not attempted", "blank"),
    ("double = 'return 2 * x'\nstatus = q.check()", "Incorrect", "`double` should be a function (def double("),
    ("double = [2, 4]\nstatus = q.check()", "Incorrect", "`double` should be a function"),
])
def test_check_reads_the_callers_globals(cell, status, words, capsys):
    scope = run_cell(cell)
    printed = capsys.readouterr().out
    assert scope["status"] == status and isinstance(scope["status"], Status)
    assert printed.split(":")[0].endswith(status)
    assert words in printed


def test_crash_is_explained_with_the_learners_line(capsys):
    run_cell("def double(x):\n    return x / 0\nq.check()")
    printed = capsys.readouterr().out
    assert "division by zero" in printed and "return x / 0" in printed


def test_check_with_explicit_values(capsys):
    q = make_problem()
    assert q.check(lambda x: 2 * x) == "Correct"
    assert q.check(lambda x: x) == "Incorrect"
    assert q.check(____) == "Not attempted"
    with pytest.raises(TypeError, match="1 value"):
        q.check(1, 2)


def test_several_names_and_blanks_inside_containers(capsys):
    def check_pair(a, b):
        assert a + b == 3, "a + b should be 3"
    q = Problem(("a", "b"), prompt="", check=check_pair, hint="", solution="a, b = 1, 2")
    assert run_cell("a, b = 1, 2\nstatus = q.check()", q=q)["status"] == "Correct"
    assert run_cell("a = 1\nstatus = q.check()", q=q)["status"] == "Not attempted"
    assert "`b`" in capsys.readouterr().out
    assert q.check([____, 1], 2) == "Not attempted"


def test_strict_mode_raises_on_anything_but_correct(monkeypatch, capsys):
    monkeypatch.setenv(STRICT_ENV, "1")
    q = make_problem()
    assert q.check(lambda x: 2 * x) == "Correct"
    with pytest.raises(ExerciseNotPassed, match="should be 4"):
        q.check(lambda x: x)
    with pytest.raises(ExerciseNotPassed, match="Not attempted"):
        run_cell("q.check()")


def test_hint_and_solution_show_text(capsys):
    q = make_problem()
    q.hint()
    assert "Multiply." in capsys.readouterr().out
    q.hint(2)
    assert "By two." in capsys.readouterr().out
    q.solution()
    assert "return 2 * x" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"\[1, 2\]"):
        q.hint(3)


def test_html_feedback_is_coloured():
    q = make_problem()
    assert "#1b7f3b" in q.evaluate(lambda x: 2 * x)._repr_html_()
    assert "&lt;" in q.evaluate(lambda x: "<")._repr_html_()  # the learner's text is escaped


def test_bad_problem_definitions():
    with pytest.raises(ValueError, match="identifier"):
        Problem("not a name", prompt="", check=check_double, hint="", solution="")
    with pytest.raises(TypeError, match="callable"):
        Problem("x", prompt="", check="nope", hint="", solution="")


def test_blank_refuses_arithmetic_with_a_clear_message():
    assert repr(____).startswith("____")
    assert is_blank(____) and is_blank((1, ____)) and is_blank({"k": ____}) and not is_blank(0)
    for compute in (lambda: ____ + 1, lambda: 2 * ____, lambda: -____, lambda: ____[0],
                    lambda: np.asarray(____, dtype=float), lambda: ____ < 1):
        with pytest.raises(TypeError, match="replace ____ with your answer"):
            compute()
    assert issubclass(BlankError, TypeError)
    import copy
    assert copy.deepcopy(____) is ____


def test_crash_inside_a_library_points_at_the_learners_line(capsys):
    run_cell("import torch\ndef double(x):\n    y = torch.ones(2, 3)\n    return y @ y\nq.check()")
    printed = capsys.readouterr().out
    assert "RuntimeError" in printed and "line 4: `return y @ y`" in printed
    run_cell("import json\ndef double(x):\n    return json.loads('{')\nq.check()")
    printed = capsys.readouterr().out
    assert "JSONDecodeError" in printed and "json.loads('{')" in printed  # not a line inside json/


def test_an_answer_of_the_wrong_kind_is_named_in_words(capsys):
    def check_shape(x):
        assert x.shape == (2, 2), "x should be 2x2"
    q = Problem("x", prompt="Make a 2x2 array.", check=check_shape, hint="np.zeros", solution="x = np.zeros((2, 2))")
    feedback = q.evaluate("a 2x2 array")
    assert feedback.kind == "Incorrect"
    assert "`x` is a str ('a 2x2 array')" in feedback.message and "kind of answer" in feedback.message
    assert q.evaluate(np.zeros((2, 2))).kind == "Correct"
