"""Chapter 03's classifier: `SmallCNN`, the checks its inputs pass, and the size arithmetic of a conv.

Images are (N, C, H, W) in [0, 1]. Taught in notebook 03.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import check_images


class SmallCNN(nn.Module):
    """conv(3x3) -> ReLU -> pool -> conv(3x3) -> ReLU -> pool -> linear.

    in_channels: 1 (digits) or 3 (shapes). size: image side, divisible by 4.
    num_classes: int K -> forward gives (N, K) logits; dict name -> K gives dict name -> (N, K).
    width: channels of the first conv (the second has 2 * width).
    """

    def __init__(self, in_channels: int = 1, num_classes: int | dict = 10, *, size: int = 8, width: int = 16):
        super().__init__()
        if size % 4:
            raise ValueError(f"size must be divisible by 4 (two 2x2 pools), got {size}")
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, padding=1)     # (N, w, s, s)
        self.conv2 = nn.Conv2d(width, 2 * width, kernel_size=3, padding=1)       # (N, 2w, s/2, s/2)
        n_features = 2 * width * (size // 4) ** 2                                # after two pools
        heads = num_classes if isinstance(num_classes, dict) else {"logits": num_classes}
        self.heads = nn.ModuleDict({name: nn.Linear(n_features, k) for name, k in heads.items()})
        self.multi_head = isinstance(num_classes, dict)
        self.in_channels, self.size = in_channels, size

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The feature maps after each conv block: [(N, w, s, s), (N, 2w, s/2, s/2)] (before pooling)."""
        maps1 = F.relu(self.conv1(x))
        maps2 = F.relu(self.conv2(F.max_pool2d(maps1, 2)))
        return [maps1, maps2]

    def forward(self, x: torch.Tensor):
        h = F.max_pool2d(self.features(x)[-1], 2).flatten(1)                    # (N, 2w * s/4 * s/4)
        out = {name: head(h) for name, head in self.heads.items()}
        return out if self.multi_head else out["logits"]


def check_input(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """x must be (N, C, size, size) in [0, 1] for the model (any nn.Module: checks what it declares)."""
    channels, size = getattr(model, "in_channels", None), getattr(model, "size", None)
    check_images(x, value_range=(0, 1), channels=channels, name="x")
    if size is not None and tuple(x.shape[2:]) != (size, size):
        raise ValueError(f"x must be (N, {channels}, {size}, {size}), got {tuple(x.shape)}")
    return x


def head_logits(model, x, head):
    """Logits (N, K) of `model` on x: its only output, or the output of `head` for a multi-head model."""
    out = model(x)
    if isinstance(out, dict):
        if head not in out:
            raise ValueError(f"this model has heads {list(out)}; pass head=<one of them>, got {head!r}")
        return out[head]
    return out


def conv_output_size(size: int, *, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Side of a conv's output: floor((size + 2 * padding - kernel) / stride) + 1."""
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ValueError(f"a {kernel}x{kernel} kernel does not fit a {size}x{size} input "
                         f"with padding {padding}")
    return out
