"""Turn master exercise notebooks (with solutions) into the learners' copies (with stubs).

In a master notebook's code cells a solution sits between two marker lines::

    def invert(img):                        brightness = 0.5
        ### BEGIN SOLUTION                  ### BEGIN SOLUTION
        return 1 - img                      kernel = np.ones((3, 3)) / 9
        ### END SOLUTION                    ### END SOLUTION

Indented markers (inside a function body) become `# YOUR CODE HERE` and
`raise NotImplementedError("Your code here")` at that indentation; top-level markers become one
`name = ____  # YOUR CODE HERE` per assigned name. In markdown cells the text between
`<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->` becomes "YOUR ANSWER HERE". Outputs are
cleared. `genimg-edu student` calls `write_student_notebooks()`.
"""
from __future__ import annotations

import ast
import copy
from pathlib import Path

import nbformat

BEGIN_CODE, END_CODE = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_MD, END_MD = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
STUB_COMMENT = "# YOUR CODE HERE"
STUB_RAISE = 'raise NotImplementedError("Your code here")'
ANSWER_HERE = "YOUR ANSWER HERE"


def _regions(lines: list[str], begin: str, end: str, where: str) -> list[tuple[int, int]]:
    """(begin_line, end_line) index pairs of the marked regions; unbalanced markers -> ValueError."""
    regions, start = [], None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker == begin:
            if start is not None:
                raise ValueError(f"{where}: line {index + 1} opens '{begin}' again before "
                                 f"'{end}' closed the region opened at line {start + 1}")
            start = index
        elif marker == end:
            if start is None:
                raise ValueError(f"{where}: line {index + 1} has '{end}' without a '{begin}' before it")
            regions.append((start, index))
            start = None
    if start is not None:
        raise ValueError(f"{where}: '{begin}' at line {start + 1} is never closed by '{end}'")
    return regions


def _assigned_names(source: str, where: str) -> list[str]:
    """Names assigned at the top level of `source`, in order, each once."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"{where}: the solution region does not parse: {error}") from None
    names: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        else:
            continue  # helper lines (imports, prints) inside the region simply disappear
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and node.id not in names:
                    names.append(node.id)
    if not names:
        raise ValueError(f"{where}: a top-level solution region must assign at least one name "
                         "(`name = ...`); put markers inside a function body to stub a function")
    return names


def _stub_code(source: str, where: str) -> tuple[str, bool]:
    """The cell source with every solution region stubbed; also whether a `____` stub was made."""
    lines = source.split("\n")
    regions = _regions(lines, BEGIN_CODE, END_CODE, where)
    out, previous, used_blank = [], 0, False
    for start, stop in regions:
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        if lines[stop][: len(lines[stop]) - len(lines[stop].lstrip())] != indent:
            raise ValueError(f"{where}: '{BEGIN_CODE}' (line {start + 1}) and '{END_CODE}' "
                             f"(line {stop + 1}) must have the same indentation")
        out += lines[previous:start]
        if indent:
            out += [indent + STUB_COMMENT, indent + STUB_RAISE]
        else:
            body = "\n".join(lines[start + 1: stop])
            out += [f"{name} = ____  {STUB_COMMENT}" for name in _assigned_names(body, where)]
            used_blank = True
        previous = stop + 1
    out += lines[previous:]
    return "\n".join(out), used_blank


def _stub_markdown(source: str, where: str) -> str:
    lines = source.split("\n")
    out, previous = [], 0
    for start, stop in _regions(lines, BEGIN_MD, END_MD, where):
        out += lines[previous:start] + [ANSWER_HERE]
        previous = stop + 1
    return "\n".join(out + lines[previous:])


def make_student_notebook(nb: nbformat.NotebookNode, *, name: str = "notebook") -> nbformat.NotebookNode:
    """A copy of the master notebook `nb` with solutions replaced by stubs and outputs cleared.

    name: how error messages call the notebook (its path). Unbalanced markers -> ValueError naming
    the notebook and cell; top-level stubs without `____` imported anywhere -> ValueError.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        raise TypeError(f"nb must be an nbformat NotebookNode (nbformat.read(...)), got {type(nb).__name__}")
    student = copy.deepcopy(nb)
    used_blank = False
    for index, cell in enumerate(student.cells):
        where = f"{name}, cell {index} ({cell.cell_type})"
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "code":
            cell.source, blank = _stub_code(source, where)
            used_blank |= blank
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown":
            cell.source = _stub_markdown(source, where)
    if used_blank and not any(c.cell_type == "code" and "import" in c.source and "____" in c.source
                              for c in student.cells):
        raise ValueError(f"{name}: its stubs use `____` but no cell imports it; add "
                         "`from genimg_edu.exercises import ____` to the imports")
    return student


def write_student_notebooks(source: str | Path = "exercises", output: str | Path = "build/student") -> list[Path]:
    """Write a student copy of every `*.ipynb` in `source` into `output`; return the new paths."""
    source, output = Path(source), Path(output)
    if not source.is_dir():
        raise ValueError(f"source must be a folder of master notebooks, got {str(source)!r}")
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        student = make_student_notebook(nbformat.read(path, as_version=4), name=str(path))
        target = output / path.name
        nbformat.write(student, target)
        written.append(target)
    return written
