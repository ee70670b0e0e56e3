"""Style images drawn by the course (offline, any size, deterministic by seed) and content photos.

    style_image("swirl", size=128, seed=0)   -> (1, 3, 128, 128) in [0, 1]
    STYLES = ("swirl", "stained_glass", "pointillism", "stripes")
    texture_image("brick", size=128)         -> scikit-image's grey textures, as RGB (1, 3, H, W)
    content_image("astronaut", size=128)     -> a scikit-image photo, (1, 3, H, W) in [0, 1]

* swirl: brush strokes that follow a swirling flow field (in the spirit of a starry night sky):
  coloured blobs smeared along the field's streamlines (line-integral convolution).
* stained_glass: a Voronoi mosaic of saturated glass panes with dark lead lines.
* pointillism: many small round dots of pure colour on a pale ground (Seurat, Signac).
* stripes: bold parallel bands of a few flat colours at a random angle.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

STYLES = ("swirl", "stained_glass", "pointillism", "stripes")
CONTENT_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "camera", "clock")
_PALETTES = {  # RGB in [0, 1]
    "swirl": [(0.07, 0.12, 0.38), (0.15, 0.30, 0.62), (0.35, 0.55, 0.85), (0.95, 0.82, 0.25), (0.98, 0.95, 0.70)],
    "stained_glass": [(0.75, 0.08, 0.10), (0.10, 0.25, 0.70), (0.05, 0.55, 0.25), (0.95, 0.70, 0.05),
                      (0.45, 0.10, 0.55), (0.05, 0.60, 0.70)],
    "pointillism": [(0.95, 0.45, 0.30), (0.30, 0.65, 0.40), (0.35, 0.50, 0.90), (0.98, 0.85, 0.30),
                    (0.85, 0.35, 0.70)],
    "stripes": [(0.05, 0.05, 0.05), (0.95, 0.10, 0.10), (0.98, 0.98, 0.95), (0.10, 0.35, 0.85)],
}


def _check(size, seed) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 16 <= size <= 1024:
        raise ValueError(f"size must be an int in [16, 1024] (pixels per side), got {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed}")


def _grid(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates in units of the side: (size, size) each, values in (0, 1)."""
    c = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    return torch.meshgrid(c, c, indexing="ij")


def _palette(name: str) -> torch.Tensor:
    return torch.tensor(_PALETTES[name], dtype=torch.float32)


def _swirl(size: int, g: torch.Generator) -> torch.Tensor:
    y, x = _grid(size)
    # stream function: a few vortices plus waves; the flow (d psi/dy, -d psi/dx) circles around them
    psi = torch.zeros(size, size)
    for _ in range(4):
        cy, cx, r = torch.rand(3, generator=g).tolist()
        sign = 1 if torch.rand(1, generator=g).item() > 0.5 else -1
        psi += sign * torch.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (0.02 + 0.06 * r))
    phase = torch.rand(2, generator=g) * 6.28
    psi += 0.3 * torch.sin(6 * x + phase[0]) * torch.cos(5 * y + phase[1])
    vy, vx = torch.gradient(psi, spacing=1.0 / size)
    vy, vx = vx, -vy
    speed = torch.sqrt(vx ** 2 + vy ** 2).clamp_min(1e-6)
    vy, vx = vy / speed, vx / speed
    # paint: palette blobs at a coarse scale times fine random dabs, then smear along the flow
    cells = max(4, size // 16)
    index = torch.randint(0, 5, (1, 1, cells, cells), generator=g).float()
    coarse = F.interpolate(index, size=(size, size), mode="nearest")[0, 0].long()
    paint = _palette("swirl")[coarse].permute(2, 0, 1)  # (3, H, W)
    paint = paint * (0.75 + 0.5 * torch.rand(1, size, size, generator=g))
    paint = paint.clamp(0, 1)[None]
    base_y, base_x = y * 2 - 1, x * 2 - 1
    length, step = max(6, size // 10), 2.0 / size
    total = paint.clone()
    for direction in (1, -1):
        py, px = base_y.clone(), base_x.clone()
        for _ in range(length):
            grid = torch.stack([px, py], dim=-1)[None]
            fy = F.grid_sample(vy[None, None], grid, align_corners=False, padding_mode="border")[0, 0]
            fx = F.grid_sample(vx[None, None], grid, align_corners=False, padding_mode="border")[0, 0]
            py, px = py + direction * step * fy, px + direction * step * fx
            grid = torch.stack([px, py], dim=-1)[None]
            total += F.grid_sample(paint, grid, align_corners=False, padding_mode="reflection")
    return (total / (2 * length + 1))[0]


def _stained_glass(size: int, g: torch.Generator) -> torch.Tensor:
    y, x = _grid(size)
    n = 40
    points = torch.rand(n, 2, generator=g)
    d = (y[..., None] - points[:, 0]) ** 2 + (x[..., None] - points[:, 1]) ** 2  # (H, W, n)
    two = d.topk(2, dim=-1, largest=False)
    nearest = two.indices[..., 0]
    colours = _palette("stained_glass")[torch.randint(0, 6, (n,), generator=g)]
    colours = colours * (0.8 + 0.35 * torch.rand(n, 1, generator=g))
    image = colours[nearest].permute(2, 0, 1)  # (3, H, W)
    # lead lines where the nearest and second-nearest centres are almost equally far
    gap = two.values[..., 1].sqrt() - two.values[..., 0].sqrt()
    lead = (gap < 0.012).float()
    shade = 1 - 0.25 * two.values[..., 0].sqrt() / 0.15  # panes a little darker away from their centre
    return (image * shade.clamp(0.6, 1) * (1 - lead) + 0.08 * lead).clamp(0, 1)


def _pointillism(size: int, g: torch.Generator) -> torch.Tensor:
    y, x = _grid(size)
    image = torch.tensor([0.96, 0.93, 0.85]).view(3, 1, 1).expand(3, size, size).clone()
    radius = 1.6 / 64
    n = int(1.3 / (math.pi * radius ** 2))
    centres = torch.rand(n, 2, generator=g)
    colours = _palette("pointillism")[torch.randint(0, 5, (n,), generator=g)]
    r = max(1, int(math.ceil(radius * size)) + 1)
    for (cy, cx), colour in zip(centres.tolist(), colours):
        iy, ix = int(cy * size), int(cx * size)
        top, bottom, left, right = max(0, iy - r), min(size, iy + r + 1), max(0, ix - r), min(size, ix + r + 1)
        inside = ((y[top:bottom, left:right] - cy) ** 2 + (x[top:bottom, left:right] - cx) ** 2) <= radius ** 2
        image[:, top:bottom, left:right] = torch.where(inside, colour.view(3, 1, 1), image[:, top:bottom, left:right])
    return image


def _stripes(size: int, g: torch.Generator) -> torch.Tensor:
    y, x = _grid(size)
    angle = torch.rand(1, generator=g).item() * math.pi
    width = 0.09 + 0.03 * torch.rand(1, generator=g).item()
    along = (x * math.cos(angle) + y * math.sin(angle)) / width
    order = torch.randperm(4, generator=g)
    band = order[torch.floor(along).long() % 4]
    return _palette("stripes")[band].permute(2, 0, 1)


_DRAW = {"swirl": _swirl, "stained_glass": _stained_glass, "pointillism": _pointillism, "stripes": _stripes}


def style_image(name: str, *, size: int = 128, seed: int = 0) -> torch.Tensor:
    """A procedural style image (1, 3, size, size) float32 in [0, 1]; same (name, size, seed) -> same image.

    name: one of STYLES. Patterns are defined in units of the image side, so a bigger size draws
    the same picture more finely.
    """
    if name not in _DRAW:
        raise ValueError(f"name must be one of {STYLES}, got {name!r}")
    _check(size, seed)
    g = torch.Generator().manual_seed(seed * 1009 + STYLES.index(name))
    return _DRAW[name](size, g).clamp(0, 1).float()[None].contiguous()


def texture_image(name: str, *, size: int = 128) -> torch.Tensor:
    """scikit-image's grey texture ("brick", "grass", "gravel") as RGB (1, 3, size, size) in [0, 1]."""
    from ..data.images import TEXTURES, load_textures

    if name not in TEXTURES:
        raise ValueError(f"name must be one of {TEXTURES}, got {name!r}")
    textures = load_textures(size=size)
    return textures.images[TEXTURES.index(name)][None].repeat(1, 3, 1, 1).contiguous()


def content_image(name: str, *, size: int = 128) -> torch.Tensor:
    """A scikit-image photo, centre-cropped square: (1, 3, size, size) float32 in [0, 1]."""
    from ..data.images import PHOTOS, load_photos

    if name not in PHOTOS:
        raise ValueError(f"name must be one of {PHOTOS}, got {name!r}")
    return load_photos(size=size, names=[name]).images.contiguous()
