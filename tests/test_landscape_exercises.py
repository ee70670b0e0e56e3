"""Chapter 11 checks: the shown solutions pass, blanks are not attempted, usual mistakes are named."""
import pytest

from genimg_edu.exercises import ____
from genimg_edu.exercises import ch11_landscape as ch11

pytestmark = pytest.mark.usefixtures("not_strict")

PROBLEMS = [ch11.q1, ch11.q2, ch11.q3, ch11.q4, ch11.q5]


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda q: q.names[0])
def test_shown_solutions_are_correct_and_blanks_are_not_attempted(problem, shown_solution):
    assert problem.evaluate(*shown_solution(problem)).kind == "Correct"
    assert problem.evaluate(*[____] * len(problem.names)).kind == "Not attempted"


@pytest.mark.parametrize("problem, wrong, words", [
    (ch11.q1, lambda m, k, n: m * k * n, "2 FLOPs"),
    (ch11.q1, lambda m, k, n: 2 * m * n, "multiply by k"),
    (ch11.q2, lambda b, ci, co, s, k: b * co * s * s * ci * k * k, "twice"),
    (ch11.q2, lambda b, ci, co, s, k: 2 * b * co * s * s * k * k, "c_in"),
    (ch11.q2, lambda b, ci, co, s, k: 2 * b * co * s * s * ci * k, "kernel ** 2"),
    (ch11.q3, lambda h, g, l, u: h * g * u / l / (365.25 * 24 * 3600), "3600"),
    (ch11.q3, lambda h, g, l, u: h * 3600 * g / l / (365.25 * 24 * 3600), "utilization"),
    (ch11.q3, lambda h, g, l, u: h * 3600 * g * u / l / (365 * 24 * 3600) * 1.01, "expected about"),
    (ch11.q3, lambda h, g, l, u: h * 3600 * l * u / g / (365.25 * 24 * 3600), "upside down"),
    (ch11.q4, lambda rows, t: next((r["n_images"] for r in rows if r["copying_ratio"] >= t), None), "every row"),
    (ch11.q4, lambda rows, t: min((r["share"] for r in rows if r["copying_ratio"] >= t), default=None), "n_images"),
    (ch11.q5, "copying_ratio", "same in every row"),
    (ch11.q5, "speed", "one of"),
])
def test_typical_mistakes_get_a_helpful_message(problem, wrong, words):
    result = problem.evaluate(wrong)
    assert result.kind == "Incorrect" and words in result.message, result.message


def test_a_365_day_year_is_close_enough():
    answer = lambda h, g, l, u: h * 3600 * g * u / l / (365 * 24 * 3600)
    assert ch11.q3.evaluate(answer).kind == "Correct"


def test_measured_curve_is_sorted_and_matches_the_question():
    n = [r["n_images"] for r in ch11.MEASURED_CURVE]
    assert n == sorted(n) and n[0] == 10 and n[-1] == 1438
    assert len({r["accuracy"] for r in ch11.MEASURED_CURVE}) <= 2      # accuracy is (nearly) blind to data size
    assert ch11.MEASURED_CURVE[0]["copying_ratio"] < 0.5 < ch11.MEASURED_CURVE[-1]["copying_ratio"]
