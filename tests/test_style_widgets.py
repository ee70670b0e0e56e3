"""Chapter 09 widgets, driven headlessly: live optimisation with Stop, weights and layers, uploads."""
import io

import numpy as np
import pytest
import torch
from PIL import Image

from genimg_edu.style import RandomFeatures, StyleConfig, content_image, style_image
from genimg_edu.style.widgets import StyleSession, StyleTransferWidget, UploadWidget, image_from_bytes

NET = RandomFeatures(width=8)


def png_bytes(width, height, fmt="PNG"):
    array = (np.random.default_rng(0).random((height, width, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def widget():
    session = StyleSession(content_image("chelsea", size=32), style_image("stripes", size=32), net=NET,
                           config=StyleConfig(style_weight=10.0))
    return StyleTransferWidget(session)


def test_play_ticks_step_the_optimisation_and_stop_stops(widget):
    widget.steps_per_tick.value = 3
    before = widget.session.image.clone()
    picture = widget.image.value
    widget.play.value += 1
    assert widget.session.steps_done == 3 and not torch.equal(widget.session.image, before)
    assert widget.image.value != picture and "step <b>3</b>" in widget.status.value
    widget.play.playing = True
    widget.stop.click()
    assert not widget.playing
    widget.reset.click()
    assert widget.session.steps_done == 0


def test_style_weight_slider_and_layer_boxes_change_the_problem(widget):
    widget.style_weight.value = 100.0
    assert widget.session.config.style_weight == pytest.approx(100.0)
    widget.layer_boxes["scale1"].value = False
    assert "scale1" not in widget.session.problem.style_layers
    for name, box in widget.layer_boxes.items():
        box.value = name == "scale5"
    assert widget.session.problem.style_layers == ("scale5",)
    widget.layer_boxes["scale5"].value = False  # the last one cannot go
    assert widget.layer_boxes["scale5"].value and "at least one" in widget.status.value
    widget.play.value += 1
    assert widget.session.history[-1]["style"] >= 0


def test_more_style_weight_means_a_lower_style_loss():
    runs = {}
    for weight in (0.1, 100.0):
        session = StyleSession(content_image("chelsea", size=32), style_image("stripes", size=32), net=NET,
                               config=StyleConfig(style_weight=weight))
        session.step(40)
        runs[weight] = session.history[-1]
    assert runs[100.0]["style"] < runs[0.1]["style"] and runs[100.0]["content"] > runs[0.1]["content"]


def test_image_from_bytes_decodes_resizes_and_refuses_non_images():
    x = image_from_bytes(png_bytes(40, 20))
    assert x.shape == (1, 3, 20, 40) and x.dtype == torch.float32 and 0 <= x.min() and x.max() <= 1
    huge = image_from_bytes(png_bytes(1200, 600), max_side=256)
    assert huge.shape == (1, 3, 128, 256)
    assert image_from_bytes(png_bytes(300, 200, "JPEG"), size=64).shape == (1, 3, 64, 64)
    with pytest.raises(ValueError, match="not a picture"):
        image_from_bytes(b"%PDF-1.4 not an image at all")
    with pytest.raises(ValueError, match="empty"):
        image_from_bytes(b"")
    with pytest.raises(TypeError, match="bytes"):
        image_from_bytes("photo.png")


def test_upload_widget_keeps_images_in_memory_and_reports_bad_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = UploadWidget(size=32)
    w.role.value = "style"
    w._on_upload({"new": ({"name": "mine.png", "content": memoryview(png_bytes(64, 48))},)})
    assert w.images["style"].shape == (1, 3, 32, 32) and w.error is None and w.preview.value
    w._on_upload({"new": ({"name": "notes.txt", "content": memoryview(b"hello")},)})
    assert isinstance(w.error, ValueError) and "notes.txt" in w.status.value
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_picture_is_shown_at_its_natural_size_after_every_frame(widget):
    from genimg_edu.widgets import png_size
    for _ in range(2):
        width, height = png_size(widget.image.value)
        assert (widget.image.layout.width, widget.image.layout.height) == (f"{width}px", f"{height}px")
        widget.play.value += 1


def test_step_button_advances_one_frame_and_redraws(widget):
    widget.steps_per_tick.value = 2
    picture = widget.image.value
    widget.step_button.click()
    assert widget.session.steps_done == 2 and widget.image.value != picture
    assert not widget.playing


def test_upload_preview_follows_the_role_and_shows_the_defaults():
    content, style = content_image("chelsea", size=32), style_image("stripes", size=32)
    upload = UploadWidget(size=32, content=content, style=style)
    shown_content = upload.preview.value
    upload.role.value = "style"
    assert upload.preview.value != shown_content and len(upload.preview.value) > 0
    upload.role.value = "content"
    assert upload.preview.value == shown_content
    assert upload.images == {}  # defaults are not uploads


def test_session_widget_and_upload_refuse_bad_arguments_with_named_errors():
    content, style = content_image("chelsea", size=32), style_image("stripes", size=32)
    with pytest.raises(TypeError, match="config must be a StyleConfig or None"):
        StyleSession(content, style, net=NET, config={"steps": 3})
    with pytest.raises(TypeError, match="session must be a StyleSession"):
        StyleTransferWidget("session")
    with pytest.raises(ValueError, match=r"size must be an int in \[16, 512\]"):
        UploadWidget(size=0)
    with pytest.raises(ValueError, match="style must lie in"):
        UploadWidget(style=style * 3)
    session = StyleSession(content, style, net=NET)
    session.set_style_layers("scale2")                 # one name, not its letters
    assert session.problem.style_layers == ("scale2",)


def test_training_a_style_judge_needs_at_least_one_step():
    from genimg_edu.style import train_style_judge
    with pytest.raises(ValueError, match="steps must be an int >= 1"):
        train_style_judge(steps=0)                     # was an untrained judge
