"""Master notebook -> student notebook: stubs replace every solution region."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from genimg_edu.exercises.student import make_student_notebook, write_student_notebooks

IMPORTS = "from genimg_edu.exercises import ____"


def notebook(*cells):
    nb = new_notebook()
    nb.cells = [new_code_cell(IMPORTS)] + [
        new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    return nb


def test_indented_region_becomes_not_implemented():
    master = notebook(("code", "def invert(img):\n    '''Doc.'''\n    ### BEGIN SOLUTION\n"
                               "    out = 1 - img\n    return out\n    ### END SOLUTION\n\nq1.check()"))
    master.cells[1].outputs = [new_output("stream", text="Correct")]
    master.cells[1].execution_count = 3
    cell = make_student_notebook(master).cells[1]
    assert cell.source == ("def invert(img):\n    '''Doc.'''\n    # YOUR CODE HERE\n"
                           "    raise NotImplementedError(\"Your code here\")\n\nq1.check()")
    assert cell.outputs == [] and cell.execution_count is None
    assert "1 - img" in master.cells[1].source  # the master is left untouched
    namespace = {}
    exec(cell.source.replace("q1.check()", ""), namespace)
    with pytest.raises(NotImplementedError):
        namespace["invert"](0.5)


def test_top_level_region_becomes_blanks_one_per_name():
    master = notebook(("code", "import numpy as np\n### BEGIN SOLUTION\nkernel = np.ones((3, 3))\n"
                               "kernel /= kernel.sum()\nlow: int = 0\nprint(kernel)\n"
                               "### END SOLUTION\nq2.check()"))
    source = make_student_notebook(master).cells[1].source
    assert source == ("import numpy as np\nkernel = ____  # YOUR CODE HERE\nlow = ____  # YOUR CODE HERE\n"
                      "q2.check()")


def test_tuple_targets_and_several_regions_in_one_cell():
    master = notebook(("code", "### BEGIN SOLUTION\na, (b, c) = 1, (2, 3)\n### END SOLUTION\nx = 5\n"
                               "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"))
    source = make_student_notebook(master).cells[1].source
    assert source.splitlines() == ["a = ____  # YOUR CODE HERE", "b = ____  # YOUR CODE HERE",
                                   "c = ____  # YOUR CODE HERE", "x = 5", "def f():",
                                   "    # YOUR CODE HERE", '    raise NotImplementedError("Your code here")']


def test_markdown_answers_are_blanked():
    master = notebook(("md", "Why blur?\n\n<!-- BEGIN SOLUTION -->\nIt averages noise.\n<!-- END SOLUTION -->\nEnd."))
    assert make_student_notebook(master).cells[1].source == "Why blur?\n\nYOUR ANSWER HERE\nEnd."


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without a"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "again"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n### END SOLUTION", "same indentation"),
    ("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION", "assign at least one name"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "does not parse"),
])
def test_bad_regions_name_the_notebook_and_cell(source, words):
    with pytest.raises(ValueError, match=words) as error:
        make_student_notebook(notebook(("code", "y = 0"), ("code", source)), name="exercises/99_x.ipynb")
    assert "exercises/99_x.ipynb, cell 2" in str(error.value)


def test_unbalanced_markdown_markers():
    with pytest.raises(ValueError, match="cell 1 .markdown."):
        make_student_notebook(notebook(("md", "<!-- BEGIN SOLUTION -->\nanswer")))


def test_blanks_need_the_import():
    nb = notebook(("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"))
    nb.cells.pop(0)
    with pytest.raises(ValueError, match="from genimg_edu.exercises import ____"):
        make_student_notebook(nb)
    with pytest.raises(TypeError, match="NotebookNode"):
        make_student_notebook({"cells": []})


def test_write_student_notebooks(tmp_path):
    source = tmp_path / "exercises"
    source.mkdir()
    nbformat.write(notebook(("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")), source / "01_a.ipynb")
    nbformat.write(notebook(("code", "y = 2")), source / "02_b.ipynb")
    written = write_student_notebooks(source, tmp_path / "build" / "student").written
    assert [p.name for p in written] == ["01_a.ipynb", "02_b.ipynb"]
    assert nbformat.read(written[0], as_version=4).cells[1].source == "x = ____  # YOUR CODE HERE"
    with pytest.raises(ValueError, match="folder"):
        write_student_notebooks(tmp_path / "missing", tmp_path / "out")


def test_student_copies_a_learner_edited_are_kept_unless_forced(tmp_path):
    source, out = tmp_path / "exercises", tmp_path / "student"
    source.mkdir()
    nbformat.write(notebook(("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")), source / "01_a.ipynb")
    nbformat.write(notebook(("code", "y = 2")), source / "02_b.ipynb")
    first = write_student_notebooks(source, out)
    assert [p.name for p in first.written] == ["01_a.ipynb", "02_b.ipynb"] and first.kept == []

    edited = nbformat.read(out / "01_a.ipynb", as_version=4)
    edited.cells[1].source = "x = 41 + 1  # my answer"
    nbformat.write(edited, out / "01_a.ipynb")
    answer = (out / "01_a.ipynb").read_text()
    (out / "02_b.ipynb").write_text("a teacher's own file, not a notebook")
    nbformat.write(notebook(("code", "y = 3")), source / "02_b.ipynb")  # the master changed meanwhile

    again = write_student_notebooks(source, out)
    assert again.written == [] and [p.name for p in again.kept] == ["01_a.ipynb", "02_b.ipynb"]
    assert (out / "01_a.ipynb").read_text() == answer  # the learner's answer survives a re-run
    assert (out / "02_b.ipynb").read_text() == "a teacher's own file, not a notebook"

    nbformat.write(notebook(("code", "z = 4")), source / "03_c.ipynb")
    untouched = nbformat.read(out / "01_a.ipynb", as_version=4)
    untouched.metadata.pop("genimg_edu")  # no fingerprint: not provably ours either
    nbformat.write(untouched, out / "01_a.ipynb")
    assert [p.name for p in write_student_notebooks(source, out).written] == ["03_c.ipynb"]

    ran = nbformat.read(out / "03_c.ipynb", as_version=4)  # only run, not edited: outputs don't count
    ran.cells[1].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    ran.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(ran, out / "03_c.ipynb")
    nbformat.write(notebook(("code", "z = 5")), source / "03_c.ipynb")
    third = write_student_notebooks(source, out)
    assert [p.name for p in third.written] == ["03_c.ipynb"]  # an unedited copy follows the master
    assert nbformat.read(out / "03_c.ipynb", as_version=4).cells[1].source == "z = 5"

    forced = write_student_notebooks(source, out, force=True)
    assert len(forced.written) == 3 and forced.kept == []
    assert "41 + 1" not in (out / "01_a.ipynb").read_text()


def test_student_output_that_cannot_be_written_is_a_clear_error(tmp_path, monkeypatch):
    source = tmp_path / "exercises"
    source.mkdir()
    nbformat.write(notebook(("code", "y = 2")), source / "01.ipynb")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="output must be a folder"):
        write_student_notebooks(source, a_file)
    with pytest.raises(ValueError, match="cannot write student notebooks into .*--output"):
        write_student_notebooks(source, a_file / "inside")  # a folder under a file cannot exist
    (source / "02.ipynb").write_text("")
    with pytest.raises(ValueError, match="02.ipynb is not a readable notebook"):
        write_student_notebooks(source, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # a broken master stops before anything is written
