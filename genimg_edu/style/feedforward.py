"""One pass instead of hundreds: a small feed-forward network trained for ONE style
(Johnson, Alahi & Fei-Fei 2016, "Perceptual Losses for Real-Time Style Transfer and Super-Resolution").

Gatys optimises the pixels of each new photo (hundreds of forward+backward passes per image). Here a
network T learns, once, to map any photo x to T(x) with low total_loss(T(x)) -- the same content,
style and TV losses, now averaged over a training set of photos. Afterwards stylising is one forward
pass (milliseconds), but only in the style it was trained for.

    config = FeedForwardConfig(steps=400, style_weight=3.0)
    model, history = train_feedforward(style, net=RandomFeatures(), config=config)
    y = stylise_fast(model, photo)              # (B, 3, H, W) in [0, 1], any H, W divisible by 4
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import check_number, check_seed
from ..device import resolve_device, seed_everything
from .features import check_image
from .losses import gram_matrix, total_loss


def _conv(c_in: int, c_out: int, kernel: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, padding_mode="reflect"),
                         nn.InstanceNorm2d(c_out, affine=True), nn.ReLU())


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(_conv(channels, channels, 3),
                                  nn.Conv2d(channels, channels, 3, 1, 1, padding_mode="reflect"),
                                  nn.InstanceNorm2d(channels, affine=True))

    def forward(self, h):
        return h + self.body(h)


class StyleNet(nn.Module):
    """Johnson's image transformation network, slimmed for a CPU: downsample x4, residual blocks,
    upsample x4 (nearest + conv, which avoids checkerboards), instance norm (Ulyanov et al. 2016).

    x: (B, 3, H, W) in [0, 1], H and W divisible by 4 -> (B, 3, H, W) in [0, 1] (a sigmoid at the end).
    width: channels of the first layer (x2, x4 further in); blocks: residual blocks.
    """

    def __init__(self, *, width: int = 16, blocks: int = 3):
        super().__init__()
        w = width
        self.down = nn.Sequential(_conv(3, w, 9), _conv(w, 2 * w, 3, 2), _conv(2 * w, 4 * w, 3, 2))
        self.res = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(blocks)])
        self.up1, self.up2 = _conv(4 * w, 2 * w, 3), _conv(2 * w, w, 3)
        self.out = nn.Conv2d(w, 3, 9, 1, 4, padding_mode="reflect")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.res(self.down(x - 0.5))
        h = self.up1(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.up2(F.interpolate(h, scale_factor=2, mode="nearest"))
        return torch.sigmoid(self.out(h))


@dataclass(kw_only=True)
class FeedForwardConfig:
    steps: int = 400              # training steps (Adam)
    batch_size: int = 4           # photos per step
    crop: int = 64                # training crop side (the net is fully convolutional: use it at any size)
    lr: float = 2e-3              # Adam learning rate
    content_weight: float = 1.0   # weights of the three losses, as in StyleConfig
    style_weight: float = 3.0     # as measured in benchmarks/style_transfer.py (was 10, never measured)
    tv_weight: float = 1.0
    width: int = 16               # StyleNet width
    blocks: int = 3               # StyleNet residual blocks
    seed: int = 0                 # weights and crop order

    def __post_init__(self):
        for name in ("steps", "batch_size", "crop", "width", "blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if self.crop % 4 or self.crop < 16:
            raise ValueError(f"crop must be a multiple of 4 and >= 16, got {self.crop}")
        for name in ("lr", "content_weight", "style_weight", "tv_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
            check_number(name, value, low=0)
        check_seed("seed", self.seed)


def random_crops(photos: torch.Tensor, n: int, size: int, generator: torch.Generator) -> torch.Tensor:
    """n random size x size crops (with random horizontal flips) of photos (N, 3, H, W) -> (n, 3, size, size)."""
    count, _, h, w = photos.shape
    index = torch.randint(0, count, (n,), generator=generator)
    tops = torch.randint(0, h - size + 1, (n,), generator=generator)
    lefts = torch.randint(0, w - size + 1, (n,), generator=generator)
    flips = torch.rand(n, generator=generator) < 0.5
    crops = [photos[i, :, t:t + size, l:l + size] for i, t, l in zip(index.tolist(), tops.tolist(), lefts.tolist())]
    crops = torch.stack(crops)
    return torch.where(flips.view(n, 1, 1, 1), crops.flip(-1), crops)


def train_feedforward(style: torch.Tensor, *, net, photos: torch.Tensor | None = None,
                      config: FeedForwardConfig | None = None, callback=None, device: str | None = "cpu"):
    """Train a StyleNet for one style image. style: (1, 3, H, W) in [0, 1]; net: the feature network
    of the losses; photos: (N, 3, H, W) in [0, 1] to train on (default: the course's offline photos at
    128 px). callback(step, parts) every 20 steps. device: where to train ("cpu" by default; None:
    pick_device(), e.g. the GPU preset; `net` is moved there). Returns (model on the CPU in eval mode,
    history list of dicts)."""
    config = config or FeedForwardConfig()
    check_image(style, "style")
    if photos is None:
        from ..data import load_dataset
        photos = load_dataset("photos", size=128).images
    check_image(photos, "photos")
    if min(photos.shape[2:]) < config.crop:
        raise ValueError(f"photos ({tuple(photos.shape[2:])}) are smaller than crop={config.crop}")
    seed_everything(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = StyleNet(width=config.width, blocks=config.blocks)
    device = resolve_device(device)
    model, net = model.to(device), net.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    with torch.no_grad():
        style_grams = {k: gram_matrix(v) for k, v in net(style.to(device)).items() if k in net.style_layers}
    history = []
    model.train()
    for step in range(1, config.steps + 1):
        x = random_crops(photos, config.batch_size, config.crop, generator).to(device, non_blocking=True)
        with torch.no_grad():
            content_features = {k: v for k, v in net(x).items() if k in net.content_layers}
        y = model(x)
        loss, parts = total_loss(y, net(y), content_features, style_grams, content_layers=net.content_layers,
                                 style_layers=net.style_layers, content_weight=config.content_weight,
                                 style_weight=config.style_weight, tv_weight=config.tv_weight)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step == 1 or step % 20 == 0 or step == config.steps:
            history.append({"step": step, **parts})
            if callback is not None:
                callback(step, parts)
    return model.cpu().eval(), history


@torch.no_grad()
def stylise_fast(model: StyleNet, x: torch.Tensor) -> torch.Tensor:
    """One forward pass: photos x (B, 3, H, W) in [0, 1], H and W divisible by 4 -> (B, 3, H, W) in [0, 1]."""
    if not isinstance(model, StyleNet):
        raise TypeError(f"model must be a StyleNet (from train_feedforward), got {type(model).__name__}")
    if isinstance(x, torch.Tensor) and x.ndim == 4 and not len(x):
        raise ValueError(f"x must hold at least one image, got shape {tuple(x.shape)}")
    check_image(x)
    if not torch.isfinite(x).all():
        raise ValueError("x must have finite pixels in [0, 1], got NaN or inf")
    if x.shape[2] % 4 or x.shape[3] % 4:
        raise ValueError(f"x: height and width must be divisible by 4 for StyleNet, got {tuple(x.shape[2:])}")
    return model(x)
