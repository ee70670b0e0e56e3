"""Channels and colour spaces: split_channels, merge_channels, to_greyscale (BT.601 / BT.709 luminance),
rgb_to_hsv, hsv_to_rgb, rgb_to_ycbcr, ycbcr_to_rgb. Notebook 01."""
from __future__ import annotations

import torch

from .images import check_image

# Luminance weights: how bright each primary looks to us. Green dominates because our eyes have the
# most green-sensitive cones. BT.601 is the classic TV / JPEG standard; BT.709 is HDTV's (and
# scikit-image's rgb2gray).
LUMA_WEIGHTS = {"bt601": (0.299, 0.587, 0.114), "bt709": (0.2125, 0.7154, 0.0721)}


def split_channels(img: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(3, H, W) RGB -> three (H, W) tensors: red, green, blue."""
    check_image(img, channels=(3,), batch=False)
    return img[0], img[1], img[2]


def merge_channels(red: torch.Tensor, green: torch.Tensor, blue: torch.Tensor) -> torch.Tensor:
    """Three (H, W) tensors in [0, 1] -> one (3, H, W) RGB image."""
    planes = (red, green, blue)
    for plane, name in zip(planes, ("red", "green", "blue")):
        if not isinstance(plane, torch.Tensor) or plane.ndim != 2:
            raise ValueError(f"{name} must be an (H, W) tensor, got {getattr(plane, 'shape', type(plane).__name__)}")
        check_image(plane[None], name=name, channels=(1,), batch=False)
    if not planes[0].shape == planes[1].shape == planes[2].shape:
        raise ValueError(f"channels must share one (H, W) shape, got {[tuple(p.shape) for p in planes]}")
    return torch.stack(planes)


def to_greyscale(img: torch.Tensor, *, weights: str = "bt601") -> torch.Tensor:
    """RGB (..., 3, H, W) -> grey (..., 1, H, W): a weighted sum of R, G and B.

    weights: "bt601" (0.299, 0.587, 0.114; pure red -> 0.299) or "bt709" (scikit-image's rgb2gray).
    """
    if weights not in LUMA_WEIGHTS:
        raise ValueError(f"weights must be one of {sorted(LUMA_WEIGHTS)}, got {weights!r}")
    check_image(img, channels=(3,))
    w = torch.tensor(LUMA_WEIGHTS[weights], dtype=img.dtype).view(3, 1, 1)
    return (img * w).sum(dim=-3, keepdim=True)


def rgb_to_hsv(img: torch.Tensor) -> torch.Tensor:
    """RGB (..., 3, H, W) -> HSV, every channel in [0, 1] (hue 0 = red, 1/3 = green, 2/3 = blue).

    value = the brightest channel; saturation = how far the darkest is below it; hue = where
    the colour sits on the colour wheel. Grey pixels (no colour) get hue 0 and saturation 0.
    """
    check_image(img, channels=(3,))
    r, g, b = img.unbind(dim=-3)
    value, _ = img.max(dim=-3)
    spread = value - img.min(dim=-3).values  # 0 for greys
    saturation = spread / torch.where(value > 0, value, 1.0)  # black: 0 / 1 = 0
    # Which sixth of the wheel, measured from the dominant channel: red 0, green 2, blue 4 (of 6).
    safe = torch.where(spread > 0, spread, 1.0)
    hue = torch.where(value == r, (g - b) / safe,
                      torch.where(value == g, 2 + (b - r) / safe, 4 + (r - g) / safe))
    hue = torch.where(spread > 0, (hue / 6) % 1.0, 0.0)
    return torch.stack([hue, saturation, value], dim=-3)


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    """HSV (..., 3, H, W) in [0, 1] -> RGB, the inverse of rgb_to_hsv."""
    check_image(hsv, name="hsv", channels=(3,))
    h, s, v = hsv.unbind(dim=-3)
    sector = torch.floor(h * 6) % 6                 # which sixth of the wheel, 0..5
    f = h * 6 - torch.floor(h * 6)                  # how far through that sixth
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = torch.zeros_like(hsv)
    for index, (r, g, b) in enumerate(table):
        mask = sector == index
        out = torch.where(mask.unsqueeze(-3), torch.stack([r, g, b], dim=-3), out)
    return out


# JPEG's YCbCr (full range): Y = brightness, Cb / Cr = blue / red difference around 0.5.
_YCBCR = torch.tensor([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


def rgb_to_ycbcr(img: torch.Tensor) -> torch.Tensor:
    """RGB (..., 3, H, W) -> YCbCr as JPEG stores it: Y in [0, 1], Cb and Cr in [0, 1] centred on 0.5."""
    check_image(img, channels=(3,))
    out = torch.einsum("ij,...jhw->...ihw", _YCBCR.to(img.dtype), img)
    return out + torch.tensor([0.0, 0.5, 0.5], dtype=img.dtype).view(3, 1, 1)


def ycbcr_to_rgb(ycbcr: torch.Tensor) -> torch.Tensor:
    """The inverse of rgb_to_ycbcr. Not every YCbCr triple is a colour: results outside [0, 1]
    are returned as they are (not clamped), so you can see them."""
    check_image(ycbcr, name="ycbcr", channels=(3,))
    centred = ycbcr - torch.tensor([0.0, 0.5, 0.5], dtype=ycbcr.dtype).view(3, 1, 1)
    return torch.einsum("ij,...jhw->...ihw", torch.linalg.inv(_YCBCR.double()).to(ycbcr.dtype), centred)
