"""Procedurally rendered shapes with captions: the course's text-to-image data set.

Every image is one shape drawn from five attributes, and its caption says them in words::

    shape      circle, square, triangle, cross
    colour     red, green, blue, yellow, purple
    size       small, large
    position   left, right, top, bottom, center
    background dark, light

    "a small red circle on the left", "a large blue triangle at the top", ...

Rendering is deterministic by seed, anti-aliased (drawn 4x larger, then averaged) and lightly
jittered (position, size, colour, background) so models must learn the concept, not one picture.
Knobs: `weights` skews attribute frequencies (the bias lesson), `exclude` holds attribute
combinations out (the compositional-generalisation lesson), `only` renders just some combinations.
"""
from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F

from .imageset import ImageSet, check_value_range

ATTRIBUTES: dict[str, list[str]] = {
    "shape": ["circle", "square", "triangle", "cross"],
    "colour": ["red", "green", "blue", "yellow", "purple"],
    "size": ["small", "large"],
    "position": ["left", "right", "top", "bottom", "center"],
    "background": ["dark", "light"],
}
RGB = {"red": (0.9, 0.15, 0.15), "green": (0.15, 0.75, 0.2), "blue": (0.2, 0.3, 0.95),
       "yellow": (0.95, 0.85, 0.1), "purple": (0.6, 0.2, 0.8)}
BACKGROUND = {"dark": 0.08, "light": 0.85}
RADIUS = {"small": 0.15, "large": 0.26}  # half-extent as a fraction of the image side
CENTRE = {"left": (0.28, 0.5), "right": (0.72, 0.5), "top": (0.5, 0.28),
          "bottom": (0.5, 0.72), "center": (0.5, 0.5)}  # (x, y) as fractions
POSITION_PHRASE = {"left": "on the left", "right": "on the right", "top": "at the top",
                   "bottom": "at the bottom", "center": "in the center"}
SUPERSAMPLE = 4
MAX_SHAPES = 1_000_000  # larger n would not fit in a laptop's memory


def caption_for(*, shape: str, colour: str, size: str, position: str, **_) -> str:
    """'a small red circle on the left' — the words a text encoder learns from."""
    return f"a {size} {colour} {shape} {POSITION_PHRASE[position]}"


def _check_knobs(weights, exclude, only):
    if weights is not None and not isinstance(weights, dict):
        raise TypeError(f"weights must be a dict attribute -> {{value: weight}}, e.g. {{'colour': {{'red': 5}}}}, "
                        f"got {type(weights).__name__}")
    for name, table in (weights or {}).items():
        if name not in ATTRIBUTES:
            raise ValueError(f"weights: unknown attribute {name!r}; choose from {list(ATTRIBUTES)}")
        if not isinstance(table, dict):
            raise TypeError(f"weights[{name!r}] must be a dict value -> weight, e.g. {{'red': 5}}, "
                            f"got {type(table).__name__}")
        for value, weight in table.items():
            if value not in ATTRIBUTES[name]:
                raise ValueError(f"weights[{name!r}]: unknown value {value!r}; choose from {ATTRIBUTES[name]}")
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not math.isfinite(weight):
                raise TypeError(f"weights[{name!r}][{value!r}] must be a finite number >= 0, got {weight!r}")
            if weight < 0:
                raise ValueError(f"weights[{name!r}][{value!r}] must be >= 0, got {weight}")
    for combos, label in ((exclude, "exclude"), (only, "only")):
        if combos is None:
            continue
        if not isinstance(combos, (list, tuple)) or not all(isinstance(c, dict) for c in combos):
            raise TypeError(f"{label} must be a list of attribute dicts, e.g. [{{'colour': 'blue', "
                            f"'shape': 'triangle'}}], got {combos!r}"[:300])
        for combo in combos:
            for name, value in combo.items():
                if name not in ATTRIBUTES or value not in ATTRIBUTES[name]:
                    raise ValueError(f"{label}: {name}={value!r} is not an attribute value; "
                                     f"choices are {ATTRIBUTES}")


def _matches(codes: dict[str, torch.Tensor], combos) -> torch.Tensor:
    """(N,) bool: which rows match any of the partial attribute dicts in `combos`."""
    n = len(next(iter(codes.values())))
    hit = torch.zeros(n, dtype=torch.bool)
    for combo in combos:
        row = torch.ones(n, dtype=torch.bool)
        for name, value in combo.items():
            row &= codes[name] == ATTRIBUTES[name].index(value)
        hit |= row
    return hit


def sample_attributes(n: int, *, generator: torch.Generator, weights=None, exclude=None,
                      only=None) -> dict[str, torch.Tensor]:
    """Draw n attribute codes (name -> (n,) int64), honouring weights / exclude / only."""
    _check_knobs(weights, exclude, only)
    chosen = {name: torch.empty(0, dtype=torch.int64) for name in ATTRIBUTES}
    for _ in range(1000):  # rejection sampling; each round draws a generous batch
        draw = {}
        for name, values in ATTRIBUTES.items():
            table = (weights or {}).get(name, {})
            probs = torch.tensor([float(table.get(v, 1.0)) for v in values])
            if probs.sum() <= 0:
                raise ValueError(f"weights[{name!r}] gives every value weight 0")
            draw[name] = torch.multinomial(probs, 2 * n + 16, replacement=True, generator=generator)
        keep = torch.ones(2 * n + 16, dtype=torch.bool)
        if exclude:
            keep &= ~_matches(draw, exclude)
        if only:
            keep &= _matches(draw, only)
        for name in ATTRIBUTES:
            chosen[name] = torch.cat([chosen[name], draw[name][keep]])
        if len(chosen["shape"]) >= n:
            return {name: codes[:n] for name, codes in chosen.items()}
    raise ValueError("exclude/only/weights leave (almost) no attribute combination to draw")


def _masks(codes, *, size: int, generator: torch.Generator) -> torch.Tensor:
    """(n, size, size) coverage in [0, 1] of each shape, anti-aliased by supersampling."""
    n, big = len(codes["shape"]), size * SUPERSAMPLE
    axis = (torch.arange(big, dtype=torch.float32) + 0.5) / big
    ys, xs = torch.meshgrid(axis, axis, indexing="ij")  # (big, big) in (0, 1)
    centres = torch.tensor([CENTRE[p] for p in ATTRIBUTES["position"]])[codes["position"]]
    centres = centres + (torch.rand(n, 2, generator=generator) - 0.5) * 0.06
    radius = torch.tensor([RADIUS[s] for s in ATTRIBUTES["size"]])[codes["size"]]
    radius = radius * (1 + (torch.rand(n, generator=generator) - 0.5) * 0.12)
    dx = (xs - centres[:, 0, None, None]) / radius[:, None, None]  # (n, big, big), 1 = the rim
    dy = (ys - centres[:, 1, None, None]) / radius[:, None, None]
    inside = {
        "circle": dx**2 + dy**2 <= 1,
        "square": torch.maximum(dx.abs(), dy.abs()) <= 0.85,
        # upward triangle: base at dy = 0.8, apex at dy = -1
        "triangle": (dy <= 0.8) & (dy >= -1 + 2 * dx.abs() * 1.8 / 2.0),
        "cross": ((dx.abs() <= 1) & (dy.abs() <= 0.33)) | ((dy.abs() <= 1) & (dx.abs() <= 0.33)),
    }
    shape_names = ATTRIBUTES["shape"]
    mask = torch.zeros(n, big, big)
    for index, name in enumerate(shape_names):
        rows = codes["shape"] == index
        mask[rows] = inside[name][rows].float()
    return F.avg_pool2d(mask.unsqueeze(1), SUPERSAMPLE).squeeze(1)


def render_shapes(codes: dict[str, torch.Tensor], *, size: int = 32,
                  generator: torch.Generator) -> torch.Tensor:
    """Draw one image per row of attribute codes. Returns (n, 3, size, size) float32 in [0, 1]."""
    n = len(codes["shape"])
    coverage = _masks(codes, size=size, generator=generator).unsqueeze(1)  # (n, 1, size, size)
    colour = torch.tensor([RGB[c] for c in ATTRIBUTES["colour"]])[codes["colour"]]
    colour = (colour + (torch.rand(n, 3, generator=generator) - 0.5) * 0.08).clamp(0, 1)
    grey = torch.tensor([BACKGROUND[b] for b in ATTRIBUTES["background"]])[codes["background"]]
    grey = grey + (torch.rand(n, generator=generator) - 0.5) * 0.08
    background = grey[:, None, None, None].expand(n, 3, size, size)
    images = background * (1 - coverage) + colour[:, :, None, None] * coverage
    return images.clamp(0, 1)


def load_shapes(*, split: str = "train", n: int | None = None, size: int = 32, seed: int = 0,
                value_range=(0.0, 1.0), weights: dict | None = None, exclude: list | None = None,
                only: list | None = None) -> ImageSet:
    """Rendered shapes with captions and attribute labels.

    split: "train" or "test" (disjoint random streams of the same distribution).
    n: how many images (default 5000 train / 1000 test). size: pixels per side, 16..128.
    weights: {"colour": {"red": 5}} makes red 5x as common as each other colour (default weight 1).
    exclude: [{"colour": "blue", "shape": "triangle"}] never draws blue triangles.
    only: render only combinations matching one of these partial attribute dicts.
    Returns images (n, 3, size, size) in value_range, labels = shape index,
    attributes (name -> (n,) int64), captions ("a small red circle on the left").
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    n = (5000 if split == "train" else 1000) if n is None else n
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if n > MAX_SHAPES:
        raise ValueError(f"n must be at most {MAX_SHAPES:,} (about {MAX_SHAPES * 3 * 32 * 32 * 4 / 1e9:.0f} GB "
                         f"at 32 px), got {n:,}")
    if not isinstance(size, int) or not 16 <= size <= 128:
        raise ValueError(f"size must be an int in [16, 128], got {size!r}")
    low, high = check_value_range(value_range)
    generator = torch.Generator().manual_seed(seed * 2 + (split == "test") + 12345)

    codes = sample_attributes(n, generator=generator, weights=weights, exclude=exclude, only=only)
    chunks = [render_shapes({k: v[i:i + 512] for k, v in codes.items()}, size=size, generator=generator)
              for i in range(0, n, 512)]
    images = torch.cat(chunks) * (high - low) + low
    captions = [caption_for(**{k: ATTRIBUTES[k][int(v[i])] for k, v in codes.items()}) for i in range(n)]
    return ImageSet(images=images, labels=codes["shape"].clone(), classes=list(ATTRIBUTES["shape"]),
                    value_range=(low, high), attributes=codes, attribute_values=ATTRIBUTES,
                    captions=captions, name="shapes")


def parse_caption(caption: str) -> dict[str, str]:
    """'a small red circle on the left' -> {"size": "small", "colour": "red", "shape": "circle",
    "position": "left"}. Raises ValueError for anything that is not a full shapes caption."""
    phrase_to_position = {phrase: pos for pos, phrase in POSITION_PHRASE.items()}
    match = re.fullmatch(r"a (\w+) (\w+) (\w+) (.+)", caption.strip().lower()) if isinstance(caption, str) else None
    if not match or match.group(4) not in phrase_to_position:
        raise ValueError(f"not a shapes caption like 'a small red circle on the left': {caption!r}")
    size, colour, shape, phrase = match.groups()
    parsed = {"size": size, "colour": colour, "shape": shape, "position": phrase_to_position[phrase]}
    for name, value in parsed.items():
        if value not in ATTRIBUTES[name]:
            raise ValueError(f"{name} {value!r} is not one of {ATTRIBUTES[name]} in {caption!r}")
    return parsed


def all_captions() -> list[str]:
    """The 200 full captions (4 shapes x 5 colours x 2 sizes x 5 positions)."""
    return [caption_for(shape=s, colour=c, size=z, position=p) for s in ATTRIBUTES["shape"]
            for c in ATTRIBUTES["colour"] for z in ATTRIBUTES["size"] for p in ATTRIBUTES["position"]]


def is_held_out(caption: str, held_out) -> bool:
    """True if the caption's attributes match one of the held-out combinations."""
    parsed = parse_caption(caption)
    return any(all(parsed[k] == v for k, v in combo.items()) for combo in held_out)
