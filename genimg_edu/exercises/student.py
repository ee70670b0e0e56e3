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
cleared. `genimg-edu student` calls `write_student_notebooks()`, which never replaces a copy a
learner has edited (unless force=True).
"""
from __future__ import annotations

import ast
import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

BEGIN_CODE, END_CODE = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_MD, END_MD = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
STUB_COMMENT = "# YOUR CODE HERE"
STUB_RAISE = 'raise NotImplementedError("Your code here")'
ANSWER_HERE = "YOUR ANSWER HERE"
METADATA_KEY = "genimg_edu"  # notebook metadata: the fingerprint of the copy as written


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


def _source_hash(nb: nbformat.NotebookNode) -> str:
    """A fingerprint of what a learner types: every cell's kind and source (not outputs or metadata,
    which Jupyter changes by itself when a notebook is merely opened or run)."""
    cells = [[cell.cell_type, cell.source if isinstance(cell.source, str) else "".join(cell.source)]
             for cell in nb.cells]
    return hashlib.sha256(json.dumps(cells).encode("utf-8")).hexdigest()


def _untouched_copy(path: Path) -> bool:
    """True when `path` is a student copy this module wrote and nobody has edited since; False for
    an edited copy, a notebook from elsewhere or a file that is not a notebook."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook at all: it is not ours to replace
        return False
    recorded = nb.metadata.get(METADATA_KEY, {}).get("source_sha256")
    return recorded is not None and recorded == _source_hash(nb)


@dataclass
class StudentCopies:
    """What `write_student_notebooks` did: the notebooks it wrote, and those it kept because a
    learner had changed them (or they were not written by this command)."""
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def write_student_notebooks(source: str | Path = "exercises", output: str | Path = "build/student", *,
                            force: bool = False) -> StudentCopies:
    """Write a student copy of every `*.ipynb` in `source` into `output`.

    A copy already in `output` is replaced only if it is unchanged since this function wrote it;
    a learner's edited copy (or any other file of that name) is kept and listed in `.kept`, unless
    force=True. Nothing is written when a master notebook is broken (ValueError before any write).
    Raises ValueError for a missing source, an output that is not a folder or cannot be written.
    """
    source, output = Path(source), Path(output)
    if not source.is_dir():
        raise ValueError(f"source must be a folder of master notebooks, got {str(source)!r}")
    if output.exists() and not output.is_dir():
        raise ValueError(f"output must be a folder, but {str(output)!r} is a file; choose another --output")
    students = []  # stub every master first: a broken master stops before anything is written
    for path in sorted(source.glob("*.ipynb")):
        try:
            master = nbformat.read(path, as_version=4)
        except Exception as error:
            raise ValueError(f"{path} is not a readable notebook ({type(error).__name__}: "
                             f"{str(error)[:200]})") from None
        student = make_student_notebook(master, name=str(path))
        student.metadata[METADATA_KEY] = {"source_sha256": _source_hash(student)}
        students.append((output / path.name, student))
    result = StudentCopies()
    try:
        output.mkdir(parents=True, exist_ok=True)
        for target, student in students:
            if target.exists() and not force and not _untouched_copy(target):
                result.kept.append(target)
                continue
            nbformat.write(student, target)
            result.written.append(target)
    except OSError as error:
        raise ValueError(f"cannot write student notebooks into {str(output)!r} ({error.strerror or error}); "
                         "choose a folder you can write to with --output") from error
    return result
