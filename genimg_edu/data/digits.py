"""scikit-learn's 1,797 real handwritten digits (8x8, ink 0..16), shipped inside the package.

The train/test split is fixed by a seed, so every chapter and every judge sees the same held-out
digits. Upsampling to 16/28/32 is bilinear with antialiasing (the real data stay 8x8 underneath).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .imageset import ImageSet, check_value_range

DIGIT_SIZES = (8, 16, 28, 32)
TEST_FRACTION = 0.2


def load_digits(*, split: str = "train", size: int = 8, seed: int = 0,
                value_range=(0.0, 1.0)) -> ImageSet:
    """Real handwritten digits as an ImageSet.

    split: "train" (80%), "test" (20%) or "all". size: one of 8, 16, 28, 32 (pixels per side).
    Returns images (N, 1, size, size) float32 in value_range (ink is bright), labels (N,) in 0..9.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be one of 'train', 'test', 'all', got {split!r}")
    if size not in DIGIT_SIZES:
        raise ValueError(f"size must be one of {DIGIT_SIZES}, got {size!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    low, high = check_value_range(value_range)

    bunch = sklearn_digits()
    images = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (1797, 1, 8, 8)
    labels = torch.tensor(bunch.target, dtype=torch.int64)

    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    n_test = round(len(images) * TEST_FRACTION)
    rows = {"train": order[n_test:], "test": order[:n_test], "all": torch.arange(len(images))}[split]
    images, labels = images[rows], labels[rows]

    if size != 8:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False,
                               antialias=True).clamp(0, 1)
    images = images * (high - low) + low
    return ImageSet(images=images, labels=labels, classes=[str(d) for d in range(10)],
                    value_range=(low, high), name="digits")
