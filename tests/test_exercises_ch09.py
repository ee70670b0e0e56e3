"""Chapter 09 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import pytest
import torch

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch09_style_transfer as ch09
from genimg_edu.style import gram_matrix

pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch09.q1, ch09.q2, ch09.q3]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem, gram_matrix=gram_matrix)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


def _gram_positions(f):
    b, c, h, w = f.shape
    flat = f.reshape(b, c, h * w)
    return flat.transpose(1, 2) @ flat / (h * w)


def _gram_sum(f):
    b, c, h, w = f.shape
    flat = f.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2)


def _style_unnormalised(f, target):
    return ((gram_matrix(f) - target) ** 2).sum(dim=(1, 2)).mean()


@pytest.mark.parametrize("problem, answer, message", [
    (ch09.q1, _gram_positions, "positions"),
    (ch09.q1, _gram_sum, "H \\* W"),
    (ch09.q2, _style_unnormalised, "divide"),
    (ch09.q2, lambda f, t: torch.tensor(1.0), "0"),
    (ch09.q3, lambda rows, floor: max(r["style_weight"] for r in rows), "largest weight"),
    (ch09.q3, lambda rows, floor: rows[0]["style_weight"], "expected style weight"),
])
def test_usual_mistakes_are_named(problem, answer, message):
    feedback = problem.evaluate(answer)
    assert feedback.kind == "Incorrect"
    assert __import__("re").search(message, feedback.message), feedback.message
