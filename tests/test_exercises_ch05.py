"""Chapter 05 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch05_gans as ch05

pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch05.q1, ch05.q2, ch05.q3, ch05.q4]


def reference_d_loss(real, fake):
    return F.softplus(-real).mean() + F.softplus(fake).mean()


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem, d_loss=reference_d_loss)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


def _d_step_without_detach(G, D, opt, real, z):
    loss = reference_d_loss(D(real), D(G(z)))
    opt.zero_grad(); loss.backward(); opt.step()
    return loss.item()


def _d_step_without_zero_grad(G, D, opt, real, z):
    for _ in range(2):
        loss = reference_d_loss(D(real), D(G(z).detach()))
        loss.backward()
    opt.step()
    return loss.item()


def _d_step_without_step(G, D, opt, real, z):
    loss = reference_d_loss(D(real), D(G(z).detach()))
    loss.backward()
    return loss.item()


@pytest.mark.parametrize("problem, wrong, words", [
    (ch05.q1, lambda r, f: reference_d_loss(f, r), "swapped"),
    (ch05.q1, lambda r, f: -reference_d_loss(r, f), "sign"),
    (ch05.q1, lambda r, f: F.softplus(-r) + F.softplus(f), "one number"),
    (ch05.q2, lambda f: torch.log(1 - torch.sigmoid(f)).mean(), "minimax"),
    (ch05.q2, lambda f: F.softplus(f).mean(), "REAL"),
    (ch05.q3, _d_step_without_detach, "detach"),
    (ch05.q3, _d_step_without_step, "opt_D.step()"),
    (ch05.q3, _d_step_without_zero_grad, "zero_grad"),
    (ch05.q3, lambda G, D, opt, real, z: torch.tensor(0.0), "float"),
    (ch05.q4, lambda p, c, r: int((torch.cdist(p, c).min(1).values <= r).sum()), "CENTRES"),
    (ch05.q4, lambda p, c, r: (torch.cdist(c, p) <= r).any(1).sum(), "int"),
])
def test_typical_mistakes_get_a_helpful_message(problem, wrong, words):
    result = problem.evaluate(wrong)
    assert result.kind == "Incorrect" and words in result.message, result.message
