"""Find faces offline and hide them — and measure how weak pixelation is.

    boxes = detect_faces(image)            # image: (3, H, W) or (1, H, W) in [0, 1] -> [(top, left, h, w)]
    blur_boxes(image, boxes, sigma=8)      # Gaussian blur inside each box
    pixelate_boxes(image, boxes, block=8)  # big squares inside each box
    pixelate(x, block=5)                   # x: (N, C, H, W) in [0, 1], every image entirely

Detection uses scikit-image's bundled LBP cascade (a frontal-face detector trained by OpenCV, shipped
with scikit-image: no download). depixelate.py trains a small network to undo `pixelate`.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..data import check_images


def _one_image(image: torch.Tensor) -> torch.Tensor:
    if not isinstance(image, torch.Tensor) or image.ndim != 3 or image.shape[0] not in (1, 3):
        raise ValueError(f"image must be (C, H, W) with C = 1 or 3, in [0, 1], got "
                         f"{tuple(image.shape) if isinstance(image, torch.Tensor) else type(image).__name__}")
    check_images(image[None], name="image")
    return image


def detect_faces(image: torch.Tensor, *, min_size: int = 40, max_size: int | None = None,
                 scale_factor: float = 1.2, step_ratio: float = 1.0, min_neighbour_number: int = 4) -> list:
    """Frontal faces in one image (C, H, W) in [0, 1]. Returns [(top, left, height, width)] in pixels."""
    import skimage.data
    from skimage.feature import Cascade

    image = _one_image(image)
    grey = image.mean(0).numpy().astype(np.float64)
    cascade = Cascade(skimage.data.lbp_frontal_face_cascade_filename())
    max_size = max_size or min(grey.shape)
    found = cascade.detect_multi_scale(img=grey, scale_factor=scale_factor, step_ratio=step_ratio,
                                       min_size=(min_size, min_size), max_size=(max_size, max_size),
                                       min_neighbor_number=min_neighbour_number)
    return [(int(d["r"]), int(d["c"]), int(d["height"]), int(d["width"])) for d in found]


def pixelate(x: torch.Tensor, *, block: int) -> torch.Tensor:
    """Replace every block x block square by its mean colour. x: (N, C, H, W) in [0, 1], same shape out
    (edges that do not fill a whole block are averaged over what is there)."""
    check_images(x, name="x")
    if isinstance(block, bool) or not isinstance(block, int) or block < 1:
        raise ValueError(f"block must be a positive int (pixels per square), got {block!r}")
    if not len(x):
        raise ValueError("x must hold at least one image, got an empty batch")
    H, W = x.shape[-2:]
    small = F.avg_pool2d(x, block, ceil_mode=True)
    return F.interpolate(small, scale_factor=block, mode="nearest")[..., :H, :W]


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(3 * sigma))
    taps = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-taps**2 / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    C = x.shape[1]
    x = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1).repeat(C, 1, 1, 1), groups=C)
    return F.conv2d(x, kernel.view(1, 1, -1, 1).repeat(C, 1, 1, 1), groups=C)


def _apply_in_boxes(image, boxes, fn):
    image = _one_image(image)
    out = image.clone()
    for top, left, h, w in boxes:
        if h < 1 or w < 1:
            raise ValueError(f"boxes must have positive height and width, got {(top, left, h, w)}")
        patch = out[:, top:top + h, left:left + w][None]
        out[:, top:top + h, left:left + w] = fn(patch)[0]
    return out


def blur_boxes(image: torch.Tensor, boxes, *, sigma: float = 8.0) -> torch.Tensor:
    """Gaussian-blur (standard deviation `sigma` pixels) the inside of each (top, left, h, w) box."""
    if sigma <= 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    return _apply_in_boxes(image, boxes, lambda patch: _gaussian_blur(patch, sigma))


def pixelate_boxes(image: torch.Tensor, boxes, *, block: int = 8) -> torch.Tensor:
    """Pixelate the inside of each (top, left, h, w) box with block x block squares."""
    return _apply_in_boxes(image, boxes, lambda patch: pixelate(patch, block=block))
