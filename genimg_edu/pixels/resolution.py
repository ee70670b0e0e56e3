"""Resolution and bits: downsample (block average), upsample (nearest / bilinear), quantise,
quantisation_error. Notebook 01."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .images import check_image


def downsample(img: torch.Tensor, factor: int) -> torch.Tensor:
    """Fewer pixels: each factor x factor block becomes its average. (C, H, W) -> (C, H/f, W/f)."""
    check_image(img)
    factor = _check_factor(factor)
    if img.shape[-2] % factor or img.shape[-1] % factor:
        raise ValueError(f"height and width {tuple(img.shape[-2:])} must be divisible by factor {factor}")
    return F.avg_pool2d(img.unsqueeze(0) if img.ndim == 3 else img, factor).reshape(
        *img.shape[:-2], img.shape[-2] // factor, img.shape[-1] // factor)


def upsample(img: torch.Tensor, factor: int, *, mode: str = "nearest") -> torch.Tensor:
    """More pixels, no new detail: "nearest" copies each pixel into a factor x factor block;
    "bilinear" blends neighbours smoothly. (C, H, W) -> (C, H*f, W*f)."""
    check_image(img)
    factor = _check_factor(factor)
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"mode must be 'nearest' or 'bilinear', got {mode!r}")
    batch = img.unsqueeze(0) if img.ndim == 3 else img
    extra = {} if mode == "nearest" else {"align_corners": False}
    out = F.interpolate(batch, scale_factor=factor, mode=mode, **extra)
    return out[0] if img.ndim == 3 else out


def _check_factor(factor) -> int:
    if not isinstance(factor, int) or isinstance(factor, bool) or factor < 1:
        raise ValueError(f"factor must be a positive int, got {factor!r}")
    return factor


def quantise(img: torch.Tensor, bits: int) -> torch.Tensor:
    """Keep only 2**bits evenly spaced levels per channel (0 and 1 included): each value snaps to
    the nearest level. bits in [1, 16]; 8 bits is what a normal picture file stores."""
    check_image(img)
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= 16:
        raise ValueError(f"bits must be an int in [1, 16], got {bits!r}")
    steps = 2**bits - 1  # gaps between the levels
    return torch.round(img * steps) / steps


def quantisation_error(img: torch.Tensor, bits: int) -> dict:
    """How much quantise(img, bits) changes img: {"levels", "max_error", "mean_error", "psnr_db"}.
    The worst case is half a step, 1 / (2 * (2**bits - 1))."""
    diff = (quantise(img, bits) - img).abs()
    mse = (diff**2).mean().item()
    return {"levels": 2**bits, "max_error": diff.max().item(), "mean_error": diff.mean().item(),
            "psnr_db": float("inf") if mse == 0 else 10 * np.log10(1 / mse)}
