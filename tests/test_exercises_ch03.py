"""Chapter 03 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import pytest
import torch.nn.functional as F

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch03_computer_vision as ch03

pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch03.q1, ch03.q2, ch03.q3, ch03.q4, ch03.q5]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


@pytest.mark.parametrize("problem, wrong, words", [
    (ch03.q1, lambda size, kernel, stride, padding: (size + 2 * padding - kernel) / stride + 1, "round DOWN"),
    (ch03.q1, lambda size, kernel, stride, padding: (size + padding - kernel) // stride + 1, "both sides"),
    (ch03.q2, lambda x: F.avg_pool2d(x[None, None], 2)[0, 0], "LARGEST"),
    (ch03.q2, lambda x: x[::2, ::2], "largest of"),
    (ch03.q2, lambda x: x, "half"),
    (ch03.q3, lambda logits, labels: float((logits.argmax(1) == labels).sum()), "NUMBER right"),
    (ch03.q3, lambda logits, labels: (logits.argmax(0)[:len(labels)] == labels).float().mean().item(), "0.5"),
    (ch03.q4, lambda sal: (int(sal.argmax()) % sal.shape[1], int(sal.argmax()) // sal.shape[1]), "swapped"),
    (ch03.q4, lambda sal: (0, int(sal.argmax())), "flat index"),
    (ch03.q4, lambda sal: int(sal.argmax()), "tuple"),
    (ch03.q5, lambda c_in, c_out, k: c_in * c_out * k * k, "bias"),
    (ch03.q5, lambda c_in, c_out, k: c_out * (k * k + 1), "in_channels x kernel"),
])
def test_typical_mistakes_get_a_helpful_message(problem, wrong, words):
    result = problem.evaluate(wrong)
    assert result.kind == "Incorrect" and words in result.message, result.message
