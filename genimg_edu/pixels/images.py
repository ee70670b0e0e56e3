"""The Pixel Playground: an image is a grid of numbers. Notebook 01.

Every function here takes an image as a torch tensor `(C, H, W)` float32 in [0, 1] (C = 3 for
RGB, 1 for grey); colour conversions, quantise and the resolution functions also accept a batch
`(N, C, H, W)`. Raw 8-bit pictures (numpy `(H, W, 3)` uint8, as `load_photo` gives) come in
through `from_uint8` and go back out through `to_uint8`.

    channels      split_channels, merge_channels
    colour        to_greyscale (BT.601 / BT.709 luminance), rgb_to_hsv, hsv_to_rgb, rgb_to_ycbcr, ycbcr_to_rgb
    resolution    downsample (block average), upsample (nearest / bilinear)
    bits          quantise, quantisation_error
    history       letter_a: a 176x176 binary 'A', the size of the first digitised picture (1957)
    filters       convolve2d written from scratch, KERNELS, apply_kernel, edge_magnitude
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# Luminance weights: how bright each primary looks to us. Green dominates because our eyes have the
# most green-sensitive cones. BT.601 is the classic TV / JPEG standard; BT.709 is HDTV's (and
# scikit-image's rgb2gray).
RANGE_ATOL = 1e-5  # float rounding allowed outside [0, 1], e.g. after a colour-space round trip
LUMA_WEIGHTS = {"bt601": (0.299, 0.587, 0.114), "bt709": (0.2125, 0.7154, 0.0721)}


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


# -- channels and colour spaces ---------------------------------------------------------------
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


# -- resolution and bits -----------------------------------------------------------------------
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


# -- history: the letter A -------------------------------------------------------------------
def letter_a(size: int = 176, *, thickness: float = 0.11) -> torch.Tensor:
    """A binary capital 'A' drawn from three straight strokes: (1, size, size), 1 = ink, 0 = paper.

    176 x 176 was the size of the first digitised picture (Russell Kirsch's scanner at the US
    National Bureau of Standards, 1957). thickness: stroke width as a fraction of the side.
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 8:
        raise ValueError(f"size must be an int >= 8, got {size!r}")
    centres = (torch.arange(size, dtype=torch.float64) + 0.5) / size   # pixel centres in (0, 1)
    y, x = torch.meshgrid(centres, centres, indexing="ij")
    apex, left_foot, right_foot = (0.5, 0.1), (0.16, 0.9), (0.84, 0.9)   # (x, y), y points down
    bar_y = 0.62
    at = lambda foot: (apex[0] + (foot[0] - apex[0]) * (bar_y - apex[1]) / (foot[1] - apex[1]), bar_y)
    strokes = [(apex, left_foot), (apex, right_foot), (at(left_foot), at(right_foot))]
    ink = torch.zeros(size, size, dtype=torch.bool)
    for (x0, y0), (x1, y1) in strokes:  # ink = pixels whose centre lies near the segment
        dx, dy = x1 - x0, y1 - y0
        s = (((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)).clamp(0, 1)
        ink |= (x - x0 - s * dx) ** 2 + (y - y0 - s * dy) ** 2 <= (thickness / 2) ** 2
    return ink.float().unsqueeze(0)


# -- filters: the first features -------------------------------------------------------------
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
