"""Widget layout that the browser tests check on screen, checked here without a browser: pictures at
their natural size and labels that are not cut off."""
import ipywidgets
import pytest

from genimg_edu.gan import ToyGANSession, ToyGANWidget
from genimg_edu.widgets import png_size
from genimg_edu.widgets import FunctionWidget


def test_toy_gan_picture_is_shown_at_its_natural_size_beside_the_controls():
    widget = ToyGANWidget(ToyGANSession("ring", seed=0, hidden=16, batch_size=32))
    width, height = png_size(widget.image.value)
    assert 200 < width < 600 and 200 < height < 600  # ~350 px: fits a 1280x800 window with its controls
    assert (widget.image.layout.width, widget.image.layout.height) == (f"{width}px", f"{height}px")
    assert isinstance(widget.box, ipywidgets.HBox) and widget.box.children[-1] is widget.image
    assert widget.play in widget.box.children[0].children[0].children  # Play sits beside the picture
    widget.step_button.click()
    assert png_size(widget.image.value) == (int(widget.image.layout.width[:-2]), int(widget.image.layout.height[:-2]))
    assert widget.steps_per_tick.style.description_width == "8em"


def test_png_size_reads_the_header_and_refuses_other_bytes():
    widget = ToyGANWidget(ToyGANSession("ring", seed=0, hidden=16, batch_size=32))
    assert all(isinstance(v, int) and v > 0 for v in png_size(widget.image.value))
    with pytest.raises(ValueError, match="PNG"):
        png_size(b"GIF89a....")


def test_long_descriptions_get_room_and_explicit_widths_are_kept():
    controls = {"a": ipywidgets.IntSlider(description="learning rate"), "b": ipywidgets.IntSlider(description="seed"),
                "c": ipywidgets.IntSlider(description="steps / frame", style={"description_width": "5em"})}
    FunctionWidget(lambda a, b, c: a, controls)
    assert controls["a"].style.description_width == "initial"
    assert controls["b"].style.description_width == ""
    assert controls["c"].style.description_width == "5em"
