"""Which captions chapter 07's model saw in training and which it never saw (`HELD_OUT` combinations,
e.g. blue triangles): asking for the unseen ones tests whether it composes words it learned separately.
Captions are parsed in one place, `genimg_edu.data.shapes`."""
from __future__ import annotations

from ..data.shapes import all_captions
from ..data.shapes import is_held_out as shapes_is_held_out
from .config import HELD_OUT


def is_held_out(caption: str, held_out=HELD_OUT) -> bool:
    """True if the caption's attributes match one of the held-out combinations (chapter 07's by default)."""
    return shapes_is_held_out(caption, held_out)


def split_prompts(held_out=HELD_OUT) -> tuple[list[str], list[str]]:
    """(captions seen in training, held-out captions)."""
    captions = all_captions()
    return ([c for c in captions if not is_held_out(c, held_out)], [c for c in captions if is_held_out(c, held_out)])
