"""Adaptive instance normalisation (Huang & Belongie 2017, "Arbitrary Style Transfer in Real-time with
Adaptive Instance Normalization", ICCV) and the content-keeping score used to grade stylisation.

    adain(content_features, style_features)   (B, C, H, W), (1 or B, C, h, w) -> (B, C, H, W)
    grey_ssim(x, content)                     structural similarity of the greyscale images
"""
from __future__ import annotations

import torch

from ..checks import check_number
from ..data.imageset import check_images
from .losses import _check_features


def adain(content_features: torch.Tensor, style_features: torch.Tensor, *, eps: float = 1e-5) -> torch.Tensor:
    """AdaIN(c, s) = std(s) * (c - mean(c)) / std(c) + mean(s), per channel over positions.

    The content's layout stays; each channel's mean and spread become the style's -- the cheapest
    "style statistic" (a diagonal Gram, in effect). In Huang & Belongie a trained decoder turns the
    result back into an image; the notebook shows it on features and on pixels.
    """
    check_number("eps", eps, low=0, low_open=True)
    c = _check_features(content_features, "content_features")
    s = _check_features(style_features, "style_features")
    if s.shape[1] != c.shape[1] or s.shape[0] not in (1, c.shape[0]):
        raise ValueError(f"style_features {tuple(s.shape)} must have C={c.shape[1]} channels and batch 1 or "
                         f"{c.shape[0]}")
    c_mean, c_std = c.mean(dim=(2, 3), keepdim=True), c.std(dim=(2, 3), keepdim=True) + eps
    s_mean, s_std = s.mean(dim=(2, 3), keepdim=True), s.std(dim=(2, 3), keepdim=True)
    return s_std * (c - c_mean) / c_std + s_mean


def grey_ssim(x: torch.Tensor, content: torch.Tensor) -> float:
    """SSIM (Wang et al. 2004, scikit-image) between the greyscale versions of two images
    (1, 3, H, W) in [0, 1] of the same size: 1 = same structure, about 0 = unrelated."""
    from skimage.metrics import structural_similarity

    for name, image in (("x", x), ("content", content)):
        if not isinstance(image, torch.Tensor) or image.ndim != 4 or image.shape[:2] != (1, 3):
            raise ValueError(f"{name} must be one RGB image (1, 3, H, W), got {getattr(image, 'shape', image)}")
        check_images(image, value_range=(0, 1), channels=3, name=name)   # SSIM's data_range is 1
    if x.shape != content.shape:
        raise ValueError(f"x {tuple(x.shape)} and content {tuple(content.shape)} must have the same size")
    weights = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    grey = lambda image: (image.detach().float().cpu() * weights).sum(1)[0].numpy()
    return float(structural_similarity(grey(x), grey(content), data_range=1.0))
