"""Every master notebook in exercises/ yields a student copy whose checks all say "Not attempted".

The masters themselves run under nbval with GENIMG_EXERCISES_STRICT=1 (`make test`), proving the
solutions pass; this test proves the stubs really are stubs: run the student copy with strict mode
off and no check may answer Correct. Each student copy runs in its own kernel, two at a time.
"""
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from genimg_edu.exercises import STRICT_ENV
from genimg_edu.exercises.student import make_student_notebook

MASTERS = sorted((Path(__file__).resolve().parents[1] / "exercises").glob("*.ipynb"))
CHECK_CALL = re.compile(r"^\s*q\w*\.check\(\)", re.MULTILINE)  # not the commented-out hint lines
STUB_ERRORS = {"NotImplementedError", "BlankError"}  # later cells that use a stub may raise these
KERNELS_AT_ONCE = 2


def run_student_copy(master: Path):
    from nbclient import NotebookClient

    student = make_student_notebook(nbformat.read(master, as_version=4), name=str(master))
    NotebookClient(student, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(master.parent)}}).execute()
    return student


@pytest.fixture(scope="module")
def executed():
    """master path -> its executed student copy (or the exception that stopped it)."""
    with pytest.MonkeyPatch.context() as env:  # the kernels inherit this environment
        env.setenv("GENIMG_FAST", "1")
        env.setenv("OMP_NUM_THREADS", "1")
        env.delenv(STRICT_ENV, raising=False)
        with ThreadPoolExecutor(max_workers=KERNELS_AT_ONCE) as pool:
            futures = {master: pool.submit(run_student_copy, master) for master in MASTERS}
            return {master: future.exception() or future.result() for master, future in futures.items()}


def output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return f"{output.get('ename')}: {output.get('evalue')}"
    return str(output.get("data", {}).get("text/plain", ""))


@pytest.mark.parametrize("master", MASTERS, ids=[p.stem for p in MASTERS])
def test_student_notebook_checks_say_not_attempted(master, executed):
    student = executed[master]
    if isinstance(student, BaseException):
        raise student
    check_cells = [cell for cell in student.cells
                   if cell.cell_type == "code" and CHECK_CALL.search(cell.source)]
    assert check_cells, f"{master.name} has no q.check() calls"
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        texts = [output_text(o) for o in cell.outputs]
        assert not any("✓ Correct" in text for text in texts), f"a stub passes its check:\n{cell.source}"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert all(e.ename in STUB_ERRORS for e in errors), \
            f"student copy crashed in:\n{cell.source}\n{[output_text(e) for e in errors]}"
        if cell in check_cells:
            assert any("Not attempted" in text for text in texts), \
                f"expected 'Not attempted' from:\n{cell.source}\ngot {texts}"
