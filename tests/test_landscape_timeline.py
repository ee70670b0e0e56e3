"""Chapter 11 timeline: every event dated and sourced, the pure function picks text and picture,
and the widget is driven headlessly the way a learner's drag drives it."""
import re

import pytest
import torch

from genimg_edu.landscape.timeline import EVENTS, YEARS, events_in, timeline_entry
from genimg_edu.landscape.widgets import render_entry, timeline_widget
from genimg_edu.pixels import letter_a

CHAPTERS = {"", "01", "02", "03", "04", "05", "06", "07", "08"}


def test_the_issue_s_milestones_are_there_in_order():
    for year in (1943, 1957, 1986, 2012, 2013, 2014, 2015, 2020, 2021, 2022, 2023):
        assert year in YEARS
    assert list(YEARS) == sorted(YEARS)
    titles = " ".join(e.title + " " + e.text for e in EVENTS)
    for word in ("McCulloch", "Kirsch", "AlexNet", "Variational", "adversarial", "Sohl-Dickstein", "DDPM", "CLIP",
                 "DALL-E 2", "Midjourney", "Stable Diffusion", "SDXL", "DiT", "flow matching"):
        assert word.lower() in titles.lower(), word


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: f"{e.year}-{e.title[:20]}")
def test_every_event_has_a_dated_source_and_a_known_chapter(event):
    years = [int(y) for y in re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", event.source)]
    assert years, f"source of {event.title!r} has no year"
    assert event.chapter in CHAPTERS


def test_events_in_checks_its_argument():
    assert [e.year for e in events_in(1957)] == [1957]
    with pytest.raises(ValueError, match="no events in 1900"):
        events_in(1900)
    with pytest.raises(TypeError, match="year must be an int"):
        events_in("1957")


def test_timeline_entry_text_and_picture():
    a = letter_a(176)[None]
    entry = timeline_entry(1957, {"letter_a": a})
    assert entry["picture_key"] == "letter_a" and entry["picture"] is a
    assert "176 x 176" in entry["text"] and "Source: NIST" in entry["text"] and "chapter 01" in entry["text"]
    no_picture = timeline_entry(1957)
    assert no_picture["picture"] is None and no_picture["text"] == entry["text"]
    assert timeline_entry(2014, {"letter_a": a})["picture"] is None     # 2014 has no course picture here


def test_timeline_entry_rejects_bad_pictures():
    with pytest.raises(TypeError, match="pictures must be a dict"):
        timeline_entry(1957, [torch.zeros(1, 1, 4, 4)])
    with pytest.raises(ValueError, match=r"pictures\['letter_a'\]"):
        timeline_entry(1957, {"letter_a": torch.zeros(4, 4)})
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        timeline_entry(1957, {"letter_a": torch.full((1, 1, 4, 4), 2.0)})


def test_widget_follows_the_slider_headlessly():
    import matplotlib
    matplotlib.use("Agg")
    digits = torch.rand(20, 1, 8, 8)
    w = timeline_widget({"letter_a": letter_a(32)[None], "diffusion": digits})
    assert w.result["year"] == 1943 and w.error is None
    w.controls["year"].value = 1957
    assert w.error is None and w.result["picture_key"] == "letter_a"
    w.controls["year"].value = 2020
    assert w.result["picture"] is digits and "DDPM" in w.result["text"]
    w.controls["year"].value = 2014
    assert w.result["picture"] is None and "Goodfellow" in w.result["text"]
    assert list(w.controls["year"].options) == list(YEARS)
    with pytest.raises(ValueError, match="start must be one of"):
        timeline_widget(start=1900)


def test_render_entry_draws_the_picture():
    import matplotlib
    matplotlib.use("Agg")
    fig = render_entry(timeline_entry(1957, {"letter_a": letter_a(32)[None]}))
    assert fig is not None and len(fig.axes) >= 1
    assert render_entry(timeline_entry(2014)) is None
