"""Style transfer you can steer: a live optimisation with Play/Stop, a content<->style weight slider
and style-layer checkboxes, plus an upload box for the learner's own painting or photo.

    session = StyleSession(content, style, net=RandomFeatures())
    w = StyleTransferWidget(session)      # display(w); w.play.value += 1 is one tick (tests)
    up = UploadWidget()                    # up.images["content"] / ["style"] after an upload
    image_from_bytes(data, size=128)       # the pure function behind the upload (no file written)
"""
from __future__ import annotations

import dataclasses
import io
import time

import numpy as np
import torch

from ..checks import check_int
from ..widgets import show_png
from .features import MIN_SIDE, check_image
from .optimise import StyleConfig, StyleProblem, start_logits

MAX_UPLOAD_BYTES = 20_000_000   # larger uploads are refused
MAX_SIDE = 512                   # bigger pictures are shrunk to this (longer side) before anything else


class StyleSession:
    """A Gatys optimisation that advances on demand, with weights and layers changeable between steps.

    Uses Adam (its state survives weight changes; L-BFGS's curvature history would not).
    `step(n)` takes n steps; `image` is the current (1, 3, H, W) in [0, 1]; `history` the losses.
    """

    def __init__(self, content: torch.Tensor, style: torch.Tensor, *, net, config: StyleConfig | None = None):
        if config is not None and not isinstance(config, StyleConfig):
            raise TypeError(f"config must be a StyleConfig or None, got {type(config).__name__}")
        config = dataclasses.replace(config or StyleConfig(), optimiser="adam")
        self.content, self.style, self.net = content, style, net
        self.problem = StyleProblem(content, style, net=net, config=config)
        self.reset()

    @property
    def config(self) -> StyleConfig:
        return self.problem.config

    def reset(self) -> None:
        """Back to the start image (the content photo, or noise)."""
        self.u = start_logits(self.problem).requires_grad_(True)
        self.optimiser = torch.optim.Adam([self.u], lr=self.config.lr or 0.05)
        self.steps_done, self.history = 0, []

    def set_weights(self, *, content_weight: float | None = None, style_weight: float | None = None) -> None:
        changes = {k: v for k, v in (("content_weight", content_weight), ("style_weight", style_weight)) if v is not None}
        self.problem.config = dataclasses.replace(self.config, **changes)  # validated by __post_init__

    def set_style_layers(self, layers) -> None:
        """Match the Gram matrices of these layers only (at least one): a name or names."""
        layers = (layers,) if isinstance(layers, str) else tuple(layers)
        if not layers:
            raise ValueError(f"choose at least one style layer from {self.net.layers}")
        config = dataclasses.replace(self.config, style_layers=layers)
        self.problem = StyleProblem(self.content, self.style, net=self.net, config=config)

    def step(self, n: int = 1) -> dict:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be an int >= 1, got {n!r}")
        for _ in range(n):
            loss, parts = self.problem.loss(torch.sigmoid(self.u))
            self.optimiser.zero_grad()
            loss.backward()
            self.optimiser.step()
            self.steps_done += 1
            self.history.append({"step": self.steps_done, **parts})
        return self.history[-1]

    @property
    def image(self) -> torch.Tensor:
        return torch.sigmoid(self.u).detach()

    def render_png(self) -> bytes:
        """content | style | current image side by side, as PNG bytes."""
        from PIL import Image
        row = [self.content, self.style, self.image]
        height = self.image.shape[2]
        tiles = []
        for x in row:
            tile = Image.fromarray((x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8))
            tiles.append(tile.resize((max(1, round(tile.width * height / tile.height)), height)))
        canvas = Image.new("RGB", (sum(t.width for t in tiles) + 4 * (len(tiles) - 1), height), "white")
        left = 0
        for tile in tiles:
            canvas.paste(tile, (left, 0))
            left += tile.width + 4
        buffer = io.BytesIO()
        canvas.resize((canvas.width * 2, canvas.height * 2), Image.NEAREST).save(buffer, format="PNG")
        return buffer.getvalue()


class StyleTransferWidget:
    """Play (start) / Stop / Step (one frame), steps per frame, a style-weight slider and one checkbox per
    style layer.

    Headless use (tests): `w.play.value += 1` is one tick; `w.stop.click()` stops playing;
    `w.style_weight.value = 100` and `w.layer_boxes["scale1"].value = False` act before the next step.
    """

    def __init__(self, session: StyleSession):
        import ipywidgets as widgets

        if not isinstance(session, StyleSession):
            raise TypeError(f"session must be a StyleSession(content, style, net=...), got {type(session).__name__}")
        self.session = session
        wide = {"style": {"description_width": "8em"}}
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=300, description="Play",
                                 show_repeat=False)
        self.stop = widgets.Button(description="Stop", icon="stop")
        self.step_button = widgets.Button(description="Step", icon="step-forward",
                                          tooltip="one frame: 'steps / frame' optimiser steps, then redraw")
        self.reset = widgets.Button(description="Start over", icon="undo")
        self.steps_per_tick = widgets.IntSlider(value=5, min=1, max=50, description="steps / frame", **wide)
        self.style_weight = widgets.FloatLogSlider(value=session.config.style_weight, base=10, min=-2, max=5,
                                                   description="style weight", continuous_update=False, **wide)
        chosen = set(session.problem.style_layers)
        self.layer_boxes = {layer: widgets.Checkbox(value=layer in chosen, description=layer, indent=False)
                            for layer in session.net.layers}
        self.image = widgets.Image(format="png")
        show_png(self.image, session.render_png())  # natural size: never stretched by the page
        self.status = widgets.HTML()
        self.play.observe(self._on_tick, names="value")
        self.stop.on_click(lambda _: setattr(self.play, "playing", False))
        self.step_button.on_click(lambda _: self.advance(self.steps_per_tick.value))
        self.reset.on_click(lambda _: self._start_over())
        for box in self.layer_boxes.values():
            box.observe(self._on_layers, names="value")
        self.style_weight.observe(lambda change: session.set_weights(style_weight=change["new"]), names="value")
        layers = widgets.HBox(list(self.layer_boxes.values()), layout=widgets.Layout(flex_flow="row wrap"))
        buttons = widgets.HBox([self.play, self.stop, self.step_button, self.reset])
        controls = widgets.VBox([buttons, self.steps_per_tick,
                                 self.style_weight, widgets.HTML("<b>style layers</b>"), layers, self.status])
        self.box = widgets.VBox([controls, self.image])
        self._show_status()

    @property
    def playing(self) -> bool:
        return bool(self.play.playing)

    def advance(self, n: int) -> None:
        self.session.step(n)
        show_png(self.image, self.session.render_png())
        self._show_status()

    def _on_tick(self, change) -> None:
        if change["new"] > change["old"]:
            self.advance(self.steps_per_tick.value)

    def _on_layers(self, change) -> None:
        chosen = [layer for layer, box in self.layer_boxes.items() if box.value]
        if not chosen:  # at least one layer: undo the last untick
            change["owner"].value = True
            self.status.value = "<span style='color:#b00'>keep at least one style layer</span>"
            return
        self.session.set_style_layers(chosen)
        self._show_status()

    def _start_over(self) -> None:
        self.play.playing = False
        self.session.reset()
        show_png(self.image, self.session.render_png())
        self._show_status()

    def _show_status(self) -> None:
        h = self.session.history[-1] if self.session.history else None
        losses = f" · content {h['content']:.4f} · style {h['style']:.4f}" if h else ""
        self.status.value = f"step <b>{self.session.steps_done}</b>{losses}"

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def image_from_bytes(data, *, size: int | None = None, max_side: int = MAX_SIDE) -> torch.Tensor:
    """Decode an uploaded picture (PNG, JPEG, ...) held in memory -> (1, 3, H, W) float32 in [0, 1].

    Huge pictures are shrunk (antialiased) so the longer side is max_side; size=N then centre-crops a
    square and resizes it to N x N. Raises ValueError if data is empty, too large or not an image.
    Nothing is written to disk.
    """
    from PIL import Image, UnidentifiedImageError

    if isinstance(data, memoryview):
        data = data.tobytes()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be the file's bytes, got {type(data).__name__}")
    if not data:
        raise ValueError("the uploaded file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is {len(data) / 1e6:.0f} MB; upload a picture under {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 16 <= size <= max_side):
        raise ValueError(f"size must be None or an int in [16, {max_side}], got {size!r}")
    try:
        with Image.open(io.BytesIO(bytes(data))) as picture:
            picture.draft("RGB", (max_side, max_side))  # JPEGs decode straight at a smaller scale
            picture = picture.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValueError(f"that file is not a picture this course can read (PNG, JPEG, GIF, BMP, WebP...): "
                         f"{error}") from None
    if max(picture.size) > max_side:
        picture.thumbnail((max_side, max_side), Image.LANCZOS)
    if size is not None:
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        picture = picture.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
    array = np.asarray(picture, dtype=np.float32) / 255
    return check_image(torch.from_numpy(array).permute(2, 0, 1)[None].contiguous())


class UploadWidget:
    """A FileUpload for the learner's own picture, used as the content photo or the style painting.

    After an upload `images["content"]` or `images["style"]` holds (1, 3, size, size) in [0, 1]; a bad
    file shows a clear message in `status` (and `error` keeps it). Kept in memory only. The preview shows
    the picture now used in the chosen role: the upload, else the `content` / `style` default given.
    """

    def __init__(self, *, size: int = 128, content: torch.Tensor | None = None, style: torch.Tensor | None = None):
        import ipywidgets as widgets

        check_int("size", size, low=MIN_SIDE, high=MAX_SIDE)
        self.size, self.images, self.error = size, {}, None
        self.defaults = {role: check_image(x, role) for role, x in (("content", content), ("style", style))
                         if x is not None}
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload")
        self.role = widgets.ToggleButtons(options=["content", "style"], value="content", description="use as")
        self.status = widgets.HTML("Upload a PNG or JPEG: your photo (content) or a painting (style).")
        self.preview = widgets.Image(format="png")
        self.upload.observe(self._on_upload, names="value")
        self.role.observe(lambda _: self._show_role(), names="value")
        self.box = widgets.VBox([widgets.HBox([self.upload, self.role]), self.status, self.preview])
        self._show_role()

    def _show_role(self) -> None:
        """Preview the picture now used in the chosen role: the upload if there is one, else the default."""
        role = self.role.value
        image = self.images.get(role, self.defaults.get(role))
        if image is None:
            return
        from PIL import Image
        buffer = io.BytesIO()
        Image.fromarray((image[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)).save(buffer, format="PNG")
        show_png(self.preview, buffer.getvalue())

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        file = files[0] if isinstance(files, (tuple, list)) else next(iter(files.values()))
        name = file.get("name", "upload")
        try:
            image = image_from_bytes(file["content"], size=self.size)
        except (ValueError, TypeError) as error:
            self.error = error
            self.status.value = f"<span style='color:#b00'>{name}: {error}</span>"
            return
        self.error = None
        self.images[self.role.value] = image
        self._show_role()
        self.status.value = f"{name}: loaded as the <b>{self.role.value}</b> image ({self.size} x {self.size})"

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
