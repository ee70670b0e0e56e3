"""History: letter_a, a 176x176 binary 'A', the size of the first digitised picture (1957). Notebook 01."""
from __future__ import annotations

import torch


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
