import collections
import json
from pathlib import Path

import ipywidgets
import pytest

from genimg_edu.exercises.problem import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback
from genimg_edu.quiz import CHAPTERS, QuizWidget, chapter_quiz, check_answer, questions
from genimg_edu.quiz_bank import QUIZ_BANK, Question

ROOT = Path(__file__).resolve().parents[1]
ALL_CHAPTERS = ("00", "01", "02", "03", "04", "05", "06a", "06b", "07", "08", "09", "10", "11")


def test_every_chapter_has_three_to_five_questions():
    assert CHAPTERS == ALL_CHAPTERS
    for chapter in ALL_CHAPTERS:
        assert 3 <= len(questions(chapter)) <= 5, chapter


def test_every_chapter_has_a_notebook():
    stems = {path.name.split("_")[0] for path in (ROOT / "notebooks").glob("*.ipynb")}
    assert set(ALL_CHAPTERS) <= stems


def test_every_answer_is_one_of_its_choices_and_fits_a_line():
    for chapter, asked in QUIZ_BANK.items():
        for question in asked:
            assert question.answer in question.choices, (chapter, question.text)
            assert len(set(question.choices)) == len(question.choices)
            assert all(len(choice) <= 110 for choice in question.choices), question.choices  # one line on screen
            assert question.why.strip() and question.text.strip()


def test_the_right_answer_is_not_always_in_the_same_place():
    places = collections.Counter(q.choices.index(q.answer) for asked in QUIZ_BANK.values() for q in asked)
    assert len(places) >= 3 and max(places.values()) < 0.6 * sum(places.values()), places


def test_question_rejects_an_answer_outside_its_choices():
    with pytest.raises(ValueError, match="not one of the choices"):
        Question("2 + 2?", ("3", "5"), "4", "Arithmetic.")
    with pytest.raises(ValueError, match="2-5"):
        Question("2 + 2?", ("4",), "4", "Arithmetic.")
    with pytest.raises(ValueError, match="why"):
        Question("2 + 2?", ("3", "4"), "4", "")


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_check_answer_grades_every_choice(chapter):
    for index, question in enumerate(questions(chapter)):
        for choice in question.choices:
            feedback = check_answer(chapter, index, choice)
            assert isinstance(feedback, Feedback)
            assert feedback.kind == (CORRECT if choice == question.answer else INCORRECT)
            assert question.why in feedback.message
        assert check_answer(chapter, index, None).kind == NOT_ATTEMPTED


def test_bad_chapter_index_or_choice_is_a_clear_error():
    with pytest.raises(ValueError, match=r"chapter must be one of 00, 01, .*06a, 06b.*11, got '12'"):
        check_answer("12", 0, "x")
    with pytest.raises(ValueError, match="chapter must be one of"):
        chapter_quiz(5)
    with pytest.raises(ValueError, match=r"index must be an int in \[0, "):
        check_answer("05", 99, "x")
    with pytest.raises(ValueError, match="choice must be one of"):
        check_answer("05", 0, "a made-up answer")


def test_widget_gives_instant_feedback_through_value_and_click():
    quiz = chapter_quiz("02")
    assert isinstance(quiz, QuizWidget) and isinstance(quiz.widget, ipywidgets.VBox)
    first = questions("02")[0]
    assert quiz.choices.options == first.choices and quiz.choices.value is None
    assert first.text in quiz.question.value and "question 1 of 5" in quiz.title.value

    quiz.check_button.click()                       # nothing picked yet
    assert quiz.feedback.kind == NOT_ATTEMPTED and "pick one" in quiz.output.outputs[0]["data"]["text/plain"]

    wrong = next(c for c in first.choices if c != first.answer)
    quiz.choices.value = wrong
    quiz.check_button.click()
    shown = quiz.output.outputs
    assert len(shown) == 1 and shown[0]["data"]["text/plain"].startswith("✗ Incorrect")
    assert first.why in shown[0]["data"]["text/plain"] and "#b3261e" in shown[0]["data"]["text/html"]

    quiz.choices.value = first.answer
    quiz.check_button.click()
    assert quiz.output.outputs[0]["data"]["text/plain"] == f"✓ Correct: {first.why}"
    assert quiz.score == 1 and "correct so far: 1" in quiz.title.value

    quiz.next_button.click()                        # the next question, fresh
    second = questions("02")[1]
    assert quiz.index == 1 and quiz.choices.options == second.choices
    assert quiz.choices.value is None and quiz.output.outputs == () and quiz.feedback is None
    for _ in range(len(questions("02")) - 1):
        quiz.next_button.click()
    assert quiz.index == 0                          # wraps round to the first question



MY_NOTEBOOKS = ("00", "01", "02", "03", "04", "05", "08", "09", "10", "11")  # 06a, 06b, 07: their quiz cells come separately


@pytest.mark.parametrize("chapter", ALL_CHAPTERS)
def test_a_notebook_ends_with_a_summary_box_and_its_own_quiz(chapter):
    path = next((ROOT / "notebooks").glob(f"{chapter}_*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "release-check" not in c["metadata"].get("tags", [])]
    quiz_cells = [c for c in code if "chapter_quiz(" in "".join(c["source"])]
    if chapter not in MY_NOTEBOOKS and not quiz_cells:
        pytest.skip(f"{path.name}: no quiz cell yet")
    assert quiz_cells == [code[-1]], f"{path.name}: the quiz must be the last code cell, and only once"
    assert f'chapter_quiz("{chapter}")' in "".join(code[-1]["source"]), f"{path.name} shows another chapter's quiz"
    summary = [c for c in cells[:cells.index(code[-1])] if c["cell_type"] == "markdown"
               and "## Summary" in "".join(c["source"])]
    assert len(summary) == 1, f"{path.name}: one markdown Summary before the quiz"
    if chapter in MY_NOTEBOOKS:
        text = "".join(summary[0]["source"])
        bullets = [line for line in text.splitlines() if line.startswith("- ")]
        assert 'class="alert' in text and 4 <= len(bullets) <= 6, f"{path.name}: a boxed summary of 4-6 bullets"


def test_checking_outside_jupyter_starts_no_ipython_shell():
    from IPython import get_ipython
    assert get_ipython() is None
    quiz = chapter_quiz("00")
    quiz.choices.value = questions("00")[0].answer
    quiz.check_button.click()
    assert get_ipython() is None  # later tests (and scripts) must still see "not in IPython"
