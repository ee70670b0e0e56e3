"""Chapter 01 checks: the solutions pass, and typical mistakes get the message that explains them."""
import pytest
import torch

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch01_pixels as ch01

pytestmark = pytest.mark.usefixtures("not_strict")


@pytest.mark.parametrize("problem", [ch01.q1, ch01.q2, ch01.q3, ch01.q4, ch01.q5, ch01.q6], ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


def stub(*args):
    raise NotImplementedError("Your code here")


@pytest.mark.parametrize("problem, wrong, words", [
    (ch01.q1, lambda img: img.sub_(1).neg_(), "changed its input"),
    (ch01.q1, lambda img: 255 - img, "1 - v"),
    (ch01.q1, stub, "NotImplementedError"),
    (ch01.q2, lambda img: img.mean(dim=0, keepdim=True), "plain average"),
    (ch01.q2, lambda img: 0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2], "channel dimension"),
    (ch01.q3, lambda img, bits: torch.floor(img * (2**bits - 1)) / (2**bits - 1), "NEAREST"),
    (ch01.q3, lambda img, bits: torch.round(img * 2**bits) / 2**bits, "levels"),
    (ch01.q4, torch.ones(3, 3), "add up to 1"),
    (ch01.q4, torch.tensor([[0, 0.1, 0], [0.1, 0.6, 0.1], [0, 0.1, 0]]), "same weight"),
    (ch01.q4, [[1 / 9] * 3] * 3, "torch.Tensor"),
    (ch01.q5, lambda img, k: torch.nn.functional.conv2d(img[None, None], k.flip(0, 1)[None, None])[0, 0], "flipped"),
    (ch01.q5, lambda img, k: torch.zeros_like(img), "shape"),
    (ch01.q6, lambda img, colour: int((img == torch.tensor(colour).view(3, 1, 1)).any(dim=0).sum()), "ALL THREE"),
    (ch01.q6, lambda img, colour: (img == torch.tensor(colour).view(3, 1, 1)).all(dim=0), "one number"),
])
def test_common_mistakes_are_explained(problem, wrong, words):
    feedback = problem.evaluate(wrong)
    assert feedback.kind == ("Not attempted" if wrong is stub else "Incorrect")
    assert words in feedback.message
