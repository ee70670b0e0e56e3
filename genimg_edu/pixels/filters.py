"""Filters, the first features: convolve2d written from scratch, KERNELS, apply_kernel, edge_magnitude,
rescale_for_display. Notebook 01."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .colour import to_greyscale
from .images import check_image

KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box_blur": [[1 / 9] * 3] * 3,
    "gaussian_blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],    # responds to left-right changes (vertical edges)
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],    # responds to up-down changes (horizontal edges)
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],    # responds to edges in every direction
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def get_kernel(name: str) -> torch.Tensor:
    """One of KERNELS as a (3, 3) float32 tensor."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; choose one of {sorted(KERNELS)}")
    return torch.tensor(KERNELS[name], dtype=torch.float32)


def convolve2d(img: torch.Tensor, kernel: torch.Tensor, *, padding: str = "same") -> torch.Tensor:
    """Slide `kernel` over every channel of `img`: each output pixel is the weighted sum of the
    input pixels under the kernel. img: (..., H, W) float; kernel: (kh, kw) with odd sides.

    padding "same": zeros around the border, output (..., H, W); "valid": only where the kernel
    fits, output (..., H - kh + 1, W - kw + 1). Like torch's conv2d (and every deep-learning
    library) the kernel is not flipped. Values are not clamped: edge filters give negatives.
    """
    img, kernel = _check_convolution(img, kernel, padding)
    kh, kw = kernel.shape
    if padding == "same":
        img = F.pad(img, (kw // 2, kw // 2, kh // 2, kh // 2))  # (left, right, top, bottom) zeros
    out_h, out_w = img.shape[-2] - kh + 1, img.shape[-1] - kw + 1
    out = torch.zeros(*img.shape[:-2], out_h, out_w, dtype=img.dtype)
    # Loop over the kh * kw weights, not the H * W pixels: weight (i, j) multiplies the whole
    # image shifted by (i, j). Adding the shifted copies gives every pixel's weighted sum at once.
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * img[..., i:i + out_h, j:j + out_w]
    return out


def _check_convolution(img, kernel, padding):
    if not isinstance(img, torch.Tensor) or not img.is_floating_point() or img.ndim < 2:
        raise TypeError(f"img must be a float tensor (..., H, W), got "
                        f"{getattr(img, 'dtype', type(img).__name__)} {tuple(getattr(img, 'shape', ()))}")
    kernel = torch.as_tensor(kernel, dtype=img.dtype) if not isinstance(kernel, torch.Tensor) else kernel
    if kernel.ndim != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be 2-D with odd sides, e.g. (3, 3), got {tuple(kernel.shape)}")
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if padding == "valid" and (img.shape[-2] < kernel.shape[0] or img.shape[-1] < kernel.shape[1]):
        raise ValueError(f"image {tuple(img.shape[-2:])} is smaller than the kernel {tuple(kernel.shape)}")
    return img, kernel.to(img.dtype)


def apply_kernel(img: torch.Tensor, name: str) -> torch.Tensor:
    """convolve2d with a named kernel from KERNELS. img: (C, H, W) or (N, C, H, W) in [0, 1]."""
    check_image(img)
    return convolve2d(img, get_kernel(name))


def edge_magnitude(img: torch.Tensor) -> torch.Tensor:
    """How strongly each pixel sits on an edge: sqrt(sobel_x**2 + sobel_y**2) of the greyscale.
    img: (3 or 1, H, W) in [0, 1] -> (1, H, W), 0 on flat regions, up to 4 * sqrt(2)."""
    check_image(img)
    grey = to_greyscale(img) if img.shape[-3] == 3 else img
    return torch.sqrt(apply_kernel(grey, "sobel_x") ** 2 + apply_kernel(grey, "sobel_y") ** 2)


def rescale_for_display(x: torch.Tensor) -> torch.Tensor:
    """Stretch any tensor linearly so its min becomes 0 and its max 1 (all zeros if it is flat).
    For showing filter outputs, which may be negative or above 1; an explicit, visible step."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a float tensor, got {getattr(x, 'dtype', type(x).__name__)}")
    low, high = x.min(), x.max()
    return torch.zeros_like(x) if high == low else (x - low) / (high - low)
