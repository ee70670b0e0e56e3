"""The fragile baseline: write the prompt into the PNG file's text chunks.

    data = png_with_text(image, {"prompt": "a large red circle", "generator": "genimg-edu"})
    read_text(data)            # {"prompt": ..., "generator": ...}
    read_text(reencode(data))  # {}: one re-save and the label is gone

Stable Diffusion front-ends write "parameters" this way; anyone can also edit or forge it, since
nothing is signed. Compare credentials.py (signed) and watermark.py (in the pixels).
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo


def png_with_text(image, text: dict[str, str]) -> bytes:
    """PNG bytes of `image` (PIL image or (H, W, 3) uint8 array) with `text` as tEXt chunks."""
    if not isinstance(text, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in text.items()):
        raise TypeError("text must be a dict of str -> str")
    pil = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    info = PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def read_text(data: bytes) -> dict[str, str]:
    """The text chunks of a PNG ({} for a file without any, or a JPEG)."""
    image = Image.open(io.BytesIO(bytes(data)))
    return dict(getattr(image, "text", {}) or {})


def forge_text(data: bytes, text: dict[str, str]) -> bytes:
    """Replace the text chunks with `text`, pixels unchanged: nothing stops anyone doing this."""
    return png_with_text(Image.open(io.BytesIO(bytes(data))), text)
