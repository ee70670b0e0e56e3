"""Images as numbers: the one input check every chapter 01 function shares, and the way in and out of
8-bit pictures. Notebook 01.

Every function in `genimg_edu.pixels` takes an image as a torch tensor `(C, H, W)` float32 in [0, 1]
(C = 3 for RGB, 1 for grey); colour conversions, quantise and the resolution functions also accept a
batch `(N, C, H, W)`. Raw 8-bit pictures (numpy `(H, W, 3)` uint8, as `load_photo` gives) come in
through `from_uint8` and go back out through `to_uint8`.
"""
from __future__ import annotations

import numpy as np
import torch

RANGE_ATOL = 1e-5  # float rounding allowed outside [0, 1], e.g. after a colour-space round trip


def check_image(img, *, name: str = "img", channels: tuple[int, ...] = (1, 3), batch: bool = True) -> torch.Tensor:
    """Raise TypeError/ValueError unless `img` is a float tensor (C, H, W) (or (N, C, H, W) when
    `batch`) with C in `channels` and values in [0, 1] (give or take RANGE_ATOL of float rounding).
    Returns `img` unchanged."""
    shapes = "(C, H, W) or (N, C, H, W)" if batch else "(C, H, W)"
    if not isinstance(img, torch.Tensor):
        hint = " (use from_uint8(array) for a uint8 picture)" if isinstance(img, np.ndarray) else ""
        raise TypeError(f"{name} must be a torch.Tensor of shape {shapes}, got {type(img).__name__}{hint}")
    if img.ndim not in ((3, 4) if batch else (3,)):
        raise ValueError(f"{name} must have shape {shapes}, got {tuple(img.shape)}")
    if not img.is_floating_point():
        raise TypeError(f"{name} must be floating point in [0, 1], got {img.dtype}; "
                        "convert 0..255 bytes with from_uint8(...)")
    if img.shape[-3] not in channels:
        raise ValueError(f"{name} must have {' or '.join(map(str, channels))} channel(s) at dim -3, "
                         f"got shape {tuple(img.shape)}")
    if img.numel() and (img.min() < -RANGE_ATOL or img.max() > 1 + RANGE_ATOL):
        raise ValueError(f"{name} must lie in [0, 1], got values in [{img.min().item():.3f}, {img.max().item():.3f}]")
    return img


def from_uint8(array) -> torch.Tensor:
    """(H, W, C) or (H, W) uint8 in 0..255 (numpy or torch) -> (C, H, W) float32 in [0, 1]."""
    tensor = torch.as_tensor(np.asarray(array)) if isinstance(array, np.ndarray) else array
    if not isinstance(tensor, torch.Tensor) or tensor.dtype != torch.uint8:
        raise TypeError(f"array must be uint8 (0..255), got {getattr(array, 'dtype', type(array).__name__)}")
    if tensor.ndim == 2:
        tensor = tensor[:, :, None]
    if tensor.ndim != 3:
        raise ValueError(f"array must have shape (H, W, C) or (H, W), got {tuple(tensor.shape)}")
    return tensor.permute(2, 0, 1).float() / 255


def to_uint8(img: torch.Tensor) -> np.ndarray:
    """(C, H, W) float in [0, 1] -> numpy (H, W, C) uint8, each value rounded to the nearest of 0..255."""
    check_image(img, batch=False)
    return torch.round(img * 255).to(torch.uint8).permute(1, 2, 0).numpy()
