"""Chapter 10's widgets, each over a pure function that tests call directly.

    watermark_widget(image)     # JPEG-quality slider: the watermarked image after JPEG, bit accuracy, PSNR
    anonymise_widget(image)     # blur / pixelate the detected faces, with a strength slider
"""
from __future__ import annotations

import ipywidgets
import torch

from ..widgets import FunctionWidget
from .anonymise import blur_boxes, detect_faces, pixelate_boxes
from .detector import jpeg
from .watermark import DEFAULT_BITS, bit_accuracy, embed, extract, psnr, random_bits


def jpeg_watermark_view(marked: torch.Tensor, bits, *, quality: int) -> dict:
    """Compress a watermarked image (3, H, W) in [0, 1] at JPEG `quality` and read the message back.
    Returns {"image": attacked (3, H, W), "bit_accuracy", "psnr" (dB, attacked vs watermarked), "quality"}."""
    attacked = jpeg(marked[None], quality)[0]
    received = extract(attacked, len(bits))
    return {"image": attacked, "bit_accuracy": bit_accuracy(bits, received), "psnr": psnr(marked, attacked),
            "quality": quality}


def render_jpeg_watermark(view: dict):
    from ..viz import show_images
    return show_images(view["image"][None], nrow=1, scale=2.0,
                       title=f"JPEG {view['quality']}: {100 * view['bit_accuracy']:.0f} % of bits read back, "
                             f"PSNR {view['psnr']:.1f} dB")


def watermark_widget(image: torch.Tensor, *, n_bits: int = DEFAULT_BITS, seed: int = 0) -> FunctionWidget:
    """Embed a random message in `image` (3, H, W) in [0, 1], then a JPEG-quality slider shows what survives."""
    bits = random_bits(n_bits, seed=seed)
    marked = embed(image, bits)
    controls = {"quality": ipywidgets.IntSlider(value=75, min=5, max=95, step=5, description="JPEG quality",
                                                continuous_update=False)}
    widget = FunctionWidget(lambda quality: jpeg_watermark_view(marked, bits, quality=quality), controls,
                            render=render_jpeg_watermark, title="How much JPEG does the watermark survive?")
    widget.bits, widget.marked = bits, marked
    return widget


def anonymise_view(image: torch.Tensor, boxes, *, method: str, strength: int) -> torch.Tensor:
    """image (C, H, W) in [0, 1] with every box blurred (sigma = strength) or pixelated (block = strength)."""
    if method == "blur":
        return blur_boxes(image, boxes, sigma=float(strength))
    if method == "pixelate":
        return pixelate_boxes(image, boxes, block=int(strength))
    raise ValueError(f"method must be 'blur' or 'pixelate', got {method!r}")


def anonymise_widget(image: torch.Tensor, boxes=None) -> FunctionWidget:
    """Pick blur or pixelate and its strength; the faces (detected when `boxes` is None) change live."""
    from ..widgets import image_view
    boxes = detect_faces(image) if boxes is None else boxes
    controls = {"method": ipywidgets.Dropdown(options=["pixelate", "blur"], value="pixelate", description="method"),
                "strength": ipywidgets.IntSlider(value=8, min=1, max=32, description="strength",
                                                 continuous_update=False)}
    widget = FunctionWidget(lambda method, strength: anonymise_view(image, boxes, method=method, strength=strength),
                            controls, render=image_view(nrow=1, scale=2.0), title="Hide the faces")
    widget.boxes = boxes
    return widget
