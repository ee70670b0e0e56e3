"""Chapter 11's widget: a slider over the years of the timeline (`timeline.timeline_entry`), each year's
events as Markdown and a picture the course made. Tests drive it with `.controls["year"].value`. Notebook 11.
"""
from __future__ import annotations

from .timeline import YEARS, check_pictures, timeline_entry


def render_entry(entry: dict):
    """Draw a timeline entry: its Markdown, then its picture (if any) with the course's image_view."""
    from IPython.display import Markdown, display

    from ..widgets import image_view

    display(Markdown(entry["text"]))
    if entry["picture"] is not None:
        title = f"made in this course ({entry['picture_key']})"
        return image_view(entry["picture"], nrow=10, title=title, scale=0.8 if entry["picture"].shape[-1] > 64 else 1.0)
    return None


def timeline_widget(pictures: dict | None = None, *, start: int = 1943):
    """A FunctionWidget: a SelectionSlider over YEARS -> `timeline_entry(year, pictures)`, drawn by
    `render_entry`. `w.controls["year"].value = 2014` is what a learner's drag does; `w.result` is the entry."""
    import ipywidgets

    from ..widgets import FunctionWidget

    pictures = check_pictures(pictures)
    if start not in YEARS:
        raise ValueError(f"start must be one of {list(YEARS)}, got {start!r}")
    slider = ipywidgets.SelectionSlider(options=list(YEARS), value=start, description="year",
                                        continuous_update=False)
    return FunctionWidget(lambda year: timeline_entry(year, pictures), {"year": slider}, render=render_entry,
                          title="A history of image generation")
