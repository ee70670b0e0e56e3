"""A short "check your understanding" quiz at the end of every chapter.

    from genimg_edu.quiz import chapter_quiz
    chapter_quiz("05")          # one question at a time: pick an answer, press Check, read why

The questions are data (`genimg_edu.quiz_bank`). `check_answer` is the pure function that grades one
answer; it answers with the exercises' own `Feedback` (Correct / Incorrect / Not attempted), so a quiz
looks and reads like an exercise check. `QuizWidget` only wraps it; tests drive it headlessly
(`.choices.value = ...`, `.check_button.click()`).
"""
from __future__ import annotations

import html

import ipywidgets

from .exercises.problem import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback
from .quiz_bank import QUIZ_BANK, Question

CHAPTERS = tuple(QUIZ_BANK)


def questions(chapter: str) -> tuple[Question, ...]:
    """The questions of `chapter` ("00" ... "11", "06a", "06b"); a ValueError lists the chapters otherwise."""
    if not isinstance(chapter, str) or chapter not in QUIZ_BANK:
        raise ValueError(f"chapter must be one of {', '.join(CHAPTERS)}, got {chapter!r}")
    return QUIZ_BANK[chapter]


def check_answer(chapter: str, index: int, choice: str | None) -> Feedback:
    """Grade `choice` for question `index` (0-based) of `chapter`.

    Returns Feedback: Correct or Incorrect, each with the one-sentence why; Not attempted when `choice` is
    None (nothing picked yet). A choice that is not one of the question's raises ValueError listing them."""
    asked = questions(chapter)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(asked):
        raise ValueError(f"index must be an int in [0, {len(asked) - 1}] for chapter {chapter}, got {index!r}")
    question = asked[index]
    if choice is None:
        return Feedback(NOT_ATTEMPTED, "pick one of the answers, then press Check.")
    if choice not in question.choices:
        raise ValueError(f"choice must be one of {list(question.choices)}, got {choice!r}")
    if choice == question.answer:
        return Feedback(CORRECT, question.why)
    return Feedback(INCORRECT, f"not “{choice}”. {question.why}")


class QuizWidget:
    """One question at a time: the question, its answers as radio buttons, Check and Next buttons, and
    the feedback below. Attributes: chapter, index (the question shown), choices (RadioButtons),
    check_button, next_button, feedback (the last Feedback or None), results (index -> kind of the
    last check), output (where the feedback is shown), widget (the box to display)."""

    def __init__(self, chapter: str):
        self.chapter = chapter
        self.questions = questions(chapter)
        self.results: dict[int, str] = {}
        self.feedback: Feedback | None = None
        self.title = ipywidgets.HTML()
        self.question = ipywidgets.HTML(layout=ipywidgets.Layout(width="100%"))
        self.choices = ipywidgets.RadioButtons(options=[], value=None, layout=ipywidgets.Layout(width="100%"))
        self.check_button = ipywidgets.Button(description="Check", button_style="primary")
        self.next_button = ipywidgets.Button(description="Next question")
        self.output = ipywidgets.Output()
        self.check_button.on_click(lambda _: self.check())
        self.next_button.on_click(lambda _: self.show((self.index + 1) % len(self.questions)))
        self.widget = ipywidgets.VBox([self.title, self.question, self.choices,
                                       ipywidgets.HBox([self.check_button, self.next_button]), self.output])
        self.show(0)

    def show(self, index: int) -> None:
        """Show question `index` (0-based) with nothing picked and no feedback."""
        if not 0 <= index < len(self.questions):
            raise ValueError(f"index must be in [0, {len(self.questions) - 1}], got {index!r}")
        self.index = index
        question = self.questions[index]
        self.choices.options = question.choices
        self.choices.value = None
        self.question.value = f"<p style='margin:0'>{html.escape(question.text)}</p>"
        self.feedback = None
        self.output.outputs = ()
        self._update_title()

    def check(self) -> Feedback:
        """Grade the picked answer (what the Check button does), show it and return it."""
        self.feedback = check_answer(self.chapter, self.index, self.choices.value)
        if self.feedback.kind != NOT_ATTEMPTED:
            self.results[self.index] = self.feedback.kind
        # coloured HTML, plain text as fallback (written directly: Output.append_display_data would start
        # an IPython shell when there is none)
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"text/plain": str(self.feedback), "text/html": self.feedback._repr_html_()}},)
        self._update_title()
        return self.feedback

    @property
    def score(self) -> int:
        """How many questions were last checked Correct."""
        return sum(kind == CORRECT for kind in self.results.values())

    def _update_title(self) -> None:
        self.title.value = (f"<b>Check your understanding · chapter {html.escape(self.chapter)}</b> — question "
                            f"{self.index + 1} of {len(self.questions)} · correct so far: {self.score}")

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def chapter_quiz(chapter: str) -> QuizWidget:
    """The quiz of `chapter` as a widget; the last line of a notebook cell displays it."""
    return QuizWidget(chapter)


__all__ = ["CHAPTERS", "CORRECT", "INCORRECT", "NOT_ATTEMPTED", "QuizWidget", "chapter_quiz", "check_answer",
           "questions"]
