"""One source for the exercise solutions: the master notebooks in `exercises/`.

What `q1.solution()` shows is the master notebook's own answer: every top-level definition (a
`def`, or a `name = ...`) of a code cell that holds a `### BEGIN SOLUTION` region, with the marker
lines removed (so the learner sees the whole function, docstring included). The student copies and
Colab have no master notebooks next to the package, so the answers are copied into `solutions.json`,
which ships inside the package:

    python -m genimg_edu.exercises.solutions      # run after editing a master notebook

tests/test_exercises_solutions.py fails while the shipped file differs from the masters, so the
notebooks stay the one place an answer is written.
"""
from __future__ import annotations

import ast
import json
from functools import lru_cache
from pathlib import Path

import nbformat

from .student import BEGIN_CODE, END_CODE, _regions

SOLUTIONS_FILE = Path(__file__).with_name("solutions.json")


def _defined_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    targets = statement.targets if isinstance(statement, ast.Assign) else (
        [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else [])
    return [node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)]


def cell_solutions(source: str, where: str = "cell") -> dict[str, str]:
    """name -> code of each top-level definition in `source` that holds (part of) a solution region."""
    lines = source.split("\n")
    regions = _regions(lines, BEGIN_CODE, END_CODE, where)
    markers = {index for region in regions for index in region}
    inside = {index for start, stop in regions for index in range(start + 1, stop)}
    kept = [index for index in range(len(lines)) if index not in markers]  # cleaned line -> original line
    cleaned = [lines[index] for index in kept]
    try:
        tree = ast.parse("\n".join(cleaned))
    except SyntaxError as error:
        raise ValueError(f"{where}: the solution cell does not parse: {error}") from None
    found = {}
    for statement in tree.body:
        span = range(statement.lineno - 1, statement.end_lineno)
        if any(kept[line] in inside for line in span):
            code = "\n".join(cleaned[line] for line in span)
            for name in _defined_names(statement):
                found[name] = code
    return found


def notebook_solutions(nb: nbformat.NotebookNode, *, name: str = "notebook") -> dict[str, str]:
    """name -> solution code for every solution region of a master notebook."""
    found = {}
    for index, cell in enumerate(nb.cells):
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "code" and BEGIN_CODE in source:
            found.update(cell_solutions(source, f"{name}, cell {index}"))
    return found


def extract_solutions(source: str | Path = "exercises") -> dict[str, dict[str, str]]:
    """notebook stem ("05_gans") -> name -> solution code, for every master notebook in `source`."""
    source = Path(source)
    if not source.is_dir():
        raise ValueError(f"source must be the folder of master notebooks, got {str(source)!r}")
    return {path.stem: notebook_solutions(nbformat.read(path, as_version=4), name=str(path))
            for path in sorted(source.glob("*.ipynb"))}


def write_solutions(source: str | Path = "exercises", path: str | Path = SOLUTIONS_FILE) -> Path:
    """Copy the masters' solutions into `path` (the file the package ships)."""
    path = Path(path)
    path.write_text(json.dumps(extract_solutions(source), indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")
    shipped_solutions.cache_clear()
    return path


@lru_cache(maxsize=1)
def shipped_solutions() -> dict[str, dict[str, str]]:
    """The solutions copied from the master notebooks, as shipped with the package."""
    return json.loads(SOLUTIONS_FILE.read_text(encoding="utf-8"))


def solution_code(notebook: str, names: tuple[str, ...]) -> str:
    """The master notebook's solution defining `names` (joined, each definition once)."""
    answers = shipped_solutions().get(notebook)
    if answers is None:
        raise LookupError(f"no solutions for exercises/{notebook}.ipynb in {SOLUTIONS_FILE.name}; "
                          "run python -m genimg_edu.exercises.solutions")
    missing = [name for name in names if name not in answers]
    if missing:
        raise LookupError(f"exercises/{notebook}.ipynb has no solution defining {missing}; "
                          "run python -m genimg_edu.exercises.solutions after editing it")
    return "\n\n".join(dict.fromkeys(answers[name] for name in names))


if __name__ == "__main__":
    written = write_solutions()
    print(f"{sum(len(v) for v in shipped_solutions().values())} solutions from exercises/ written to {written}")
