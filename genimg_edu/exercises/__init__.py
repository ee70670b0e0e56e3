"""Exercises for every chapter: `q1.check()`, `q1.hint()`, `q1.solution()`.

    from genimg_edu.exercises import ____            # the blank learners replace
    from genimg_edu.exercises.ch01_pixels import q1, q2, q3

`Problem` and `____` live in `problem.py`; `student.py` turns the master notebooks in
`exercises/` into the learners' copies (solutions replaced by stubs).
"""
from .problem import (CORRECT, INCORRECT, NOT_ATTEMPTED, STRICT_ENV, BlankError, ExerciseNotPassed,
                      Feedback, Problem, Status, ____, is_blank, strict_mode)

__all__ = ["CORRECT", "INCORRECT", "NOT_ATTEMPTED", "STRICT_ENV", "BlankError", "ExerciseNotPassed",
           "Feedback", "Problem", "Status", "____", "is_blank", "strict_mode"]
