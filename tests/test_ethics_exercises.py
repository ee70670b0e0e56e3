"""Chapter 10 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch10_ethics as ch10

pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch10.q1, ch10.q2, ch10.q3, ch10.q4, ch10.q5]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    answer = shown_solution(problem, np=np)
    assert problem.evaluate(*answer).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


def test_usual_mistakes_are_named():
    def unshifted(x):  # forgot fftshift: distances measured from the corner
        grey = x.mean(1)
        H, W = grey.shape[-2:]
        log_power = torch.log1p(torch.fft.fft2(grey).abs())
        fy, fx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
        ring = torch.sqrt(fy.float() ** 2 + fx.float() ** 2).round().long().clamp(max=H // 2)
        return torch.stack([log_power[:, ring == r].mean(1) for r in range(H // 2 + 1)], 1)
    feedback = ch10.q1.evaluate(unshifted)
    assert feedback.kind == "Incorrect" and "fftshift" in feedback.message

    def upside_down(samples, train):
        two = torch.cdist(samples.flatten(1), train.flatten(1)).topk(2, dim=1, largest=False).values
        return two[:, 1] / two[:, 0]
    feedback = ch10.q2.evaluate(upside_down)
    assert feedback.kind == "Incorrect" and "upside down" in feedback.message

    feedback = ch10.q3.evaluate(lambda m, o: float((np.asarray(m)[:, None] > np.asarray(o)[None]).mean()))
    assert feedback.kind == "Incorrect" and "upside down" in feedback.message

    feedback = ch10.q4.evaluate(lambda x, b: x[..., ::b, ::b].repeat_interleave(b, -1).repeat_interleave(b, -2))
    assert feedback.kind == "Incorrect" and "MEAN" in feedback.message

    feedback = ch10.q5.evaluate(lambda c, bit, delta: delta * np.round(c / delta))
    assert feedback.kind == "Incorrect" and "half-way" in feedback.message
    assert ch10.q4.evaluate(lambda x, b: F.interpolate(F.avg_pool2d(x, b), scale_factor=b)).kind == "Correct"
