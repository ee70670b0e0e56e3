"""One source for the exercise solutions: the master notebooks; the package ships a copy of them."""
import importlib
import json
import pkgutil
from pathlib import Path

import nbformat
import pytest

import genimg_edu.exercises as exercises
from genimg_edu.exercises import Problem
from genimg_edu.exercises.solutions import SOLUTIONS_FILE, cell_solutions, extract_solutions, solution_code
from genimg_edu.exercises.student import make_student_notebook

ROOT = Path(__file__).resolve().parents[1]  # the repository, where the master notebooks live


def _chapter_problems():
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name.startswith("ch"):
            module = importlib.import_module(f"genimg_edu.exercises.{info.name}")
            yield from ((info.name, p) for p in vars(module).values() if isinstance(p, Problem))


def test_shipped_solutions_equal_the_master_notebooks():
    shipped = json.loads(SOLUTIONS_FILE.read_text(encoding="utf-8"))
    assert shipped == extract_solutions(ROOT / "exercises"), (
        "a master notebook changed: run python -m genimg_edu.exercises.solutions")


def test_every_problem_shows_its_master_notebooks_answer():
    problems = list(_chapter_problems())
    assert len(problems) >= 40
    masters = extract_solutions(ROOT / "exercises")
    for module, problem in problems:
        assert problem.notebook is not None, f"{module} {problem.title}: take the solution from the master"
        assert module[2:4] == problem.notebook[:2]
        for name in problem.names:
            assert masters[problem.notebook][name] in problem.solution_code


def test_solution_needs_no_master_notebook_nearby(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a student copy or Colab: no exercises/ folder here
    from genimg_edu.exercises.ch05_gans import q1
    assert q1.solution_code.startswith("def d_loss(real_logits, fake_logits):")
    assert "### BEGIN SOLUTION" not in q1.solution_code


def test_cell_solutions_take_whole_definitions_without_markers_or_helpers():
    source = ("import torch\n\ndef double(x):\n    \"\"\"x -> 2x.\"\"\"\n    ### BEGIN SOLUTION\n"
              "    return 2 * x  # twice\n    ### END SOLUTION\n\nhelper = 3\n### BEGIN SOLUTION\n"
              "a, b = 1, 2\nc = a + b\n### END SOLUTION\nprint(c)")
    found = cell_solutions(source)
    assert found == {"double": 'def double(x):\n    """x -> 2x."""\n    return 2 * x  # twice',
                     "a": "a, b = 1, 2", "b": "a, b = 1, 2", "c": "c = a + b"}
    with pytest.raises(ValueError, match="never closed"):
        cell_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1")


def test_the_student_copy_hides_what_solution_shows():
    nb = nbformat.read(ROOT / "exercises" / "05_gans.ipynb", as_version=4)
    student = "\n".join(cell.source for cell in make_student_notebook(nb).cells)
    from genimg_edu.exercises.ch05_gans import q1
    assert q1.solution_code.splitlines()[-1] not in student


def test_problem_takes_exactly_one_source_and_names_a_missing_answer():
    with pytest.raises(TypeError, match="exactly one"):
        Problem("x", prompt="", check=lambda x: None, hint="")
    with pytest.raises(TypeError, match="exactly one"):
        Problem("x", prompt="", check=lambda x: None, hint="", solution="x = 1", notebook="01_pixels")
    with pytest.raises(LookupError, match="python -m genimg_edu.exercises.solutions"):
        solution_code("01_pixels", ("no_such_answer",))
    with pytest.raises(LookupError, match="no solutions"):
        Problem("x", prompt="", check=lambda x: None, hint="", notebook="99_nothing").solution_code
