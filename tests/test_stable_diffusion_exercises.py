"""Chapter 08 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import pytest

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch08_stable_diffusion as ch08

pytest.importorskip("diffusers")
pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch08.q1, ch08.q2, ch08.q3, ch08.q4]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


@pytest.mark.parametrize("wrong, message", [
    (lambda image, latent: (latent[0] * latent[1] * latent[2]) / (image[0] * image[1] * image[2]), "upside down"),
    (lambda image, latent: image[1] / latent[1], "channels"),
])
def test_compression_factor_mistakes(wrong, message):
    feedback = ch08.q1.evaluate(wrong)
    assert feedback.kind == "Incorrect" and message in feedback.message


@pytest.mark.parametrize("wrong, message", [
    (lambda u, t, w: t + w * (u - t), "swapped"),
    (lambda u, t, w: w * (t - u), "add the unconditional"),
    (lambda u, t, w: u + (w - 1) * (t - u), "wrong for w"),
])
def test_guidance_mistakes(wrong, message):
    feedback = ch08.q2.evaluate(wrong)
    assert feedback.kind == "Incorrect" and message in feedback.message


def test_img2img_step_mistakes_and_strength_rounding():
    assert "rounds down" in ch08.q3.evaluate(lambda s, n: round(s * n)).message
    assert "skipped" in ch08.q3.evaluate(lambda s, n: n - int(n * s)).message
    assert ch08.q4.evaluate(lambda run, n: run / n).kind == "Incorrect"  # 0.29 * 100 rounds down to 28
    assert ch08.q4.evaluate(lambda run, n: 2.0).kind == "Incorrect"
