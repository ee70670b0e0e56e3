"""DCGAN for the digits, and its conditional twin (Radford et al. 2016; Mirza & Osindero 2014).

Generator: z (B, latent_dim) -> a 4x4 feature map -> (upsample 2x, conv) until `size` -> tanh, so
images come out in [-1, 1], the range the GAN trains in. Discriminator: strided convs down to 4x4
-> one logit. Spectral norm (Miyato et al. 2018) keeps D smooth, which matters on 1,438 digits.

Conditional (num_classes=10): G reads the label through a learned embedding concatenated to z;
D uses a *projection* (Miyato & Koyama 2018): logit = w·h + embed(y)·h, i.e. "does this image
look real AND does it look like class y". Notebook 05.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

DCGAN_SIZES = (8, 16, 32)


def _check_size(size: int) -> int:
    if size not in DCGAN_SIZES:
        raise ValueError(f"size must be one of {DCGAN_SIZES}, got {size!r}")
    return size


def _check_labels(labels, batch: int, num_classes: int | None) -> None:
    if num_classes is None:
        if labels is not None:
            raise ValueError("this model is unconditional (num_classes=None): call it without labels")
        return
    if labels is None:
        raise ValueError(f"this model is conditional: pass labels (B,) in [0, {num_classes})")
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.long or labels.shape != (batch,):
        raise ValueError(f"labels must be a ({batch},) long tensor, got "
                         f"{getattr(labels, 'dtype', type(labels).__name__)} {tuple(getattr(labels, 'shape', ()))}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got [{labels.min()}, {labels.max()}]")


class DCGANGenerator(nn.Module):
    """G(z[, y]): z (B, latent_dim), y (B,) long -> images (B, channels, size, size) in [-1, 1]."""

    def __init__(self, *, latent_dim: int = 32, size: int = 8, channels: int = 1, width: int = 128,
                 num_classes: int | None = None, embed_dim: int = 16):
        super().__init__()
        self.latent_dim, self.size, self.channels, self.num_classes = latent_dim, _check_size(size), channels, num_classes
        self.embed = nn.Embedding(num_classes, embed_dim) if num_classes else None
        self.project = nn.Sequential(                                     # z -> (width, 4, 4)
            nn.Linear(latent_dim + (embed_dim if num_classes else 0), width * 16),
            nn.Unflatten(1, (width, 4, 4)), nn.BatchNorm2d(width), nn.ReLU())
        blocks, c = [], width
        for _ in range(int(math.log2(size // 4))):                        # 4 -> 8 -> 16 -> 32
            blocks += [nn.Upsample(scale_factor=2, mode="nearest"),
                       nn.Conv2d(c, c // 2, 3, padding=1), nn.BatchNorm2d(c // 2), nn.ReLU()]
            c //= 2
        self.upsample = nn.Sequential(*blocks)
        self.to_image = nn.Sequential(nn.Conv2d(c, channels, 3, padding=1), nn.Tanh())

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must be (B, {self.latent_dim}), got {tuple(z.shape)}")
        _check_labels(labels, len(z), self.num_classes)
        if self.embed is not None:
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.to_image(self.upsample(self.project(z)))             # (B, C, size, size)


class DCGANDiscriminator(nn.Module):
    """D(x[, y]): images (B, channels, size, size) in [-1, 1] -> logits (B,)."""

    def __init__(self, *, size: int = 8, channels: int = 1, width: int = 64,
                 num_classes: int | None = None, spectral: bool = True):
        super().__init__()
        self.size, self.channels, self.num_classes = _check_size(size), channels, num_classes
        sn = spectral_norm if spectral else (lambda layer: layer)
        layers, c = [sn(nn.Conv2d(channels, width, 3, padding=1)), nn.LeakyReLU(0.2)], width
        for _ in range(int(math.log2(size // 4))):                        # size -> ... -> 4
            layers += [sn(nn.Conv2d(c, c * 2, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            c *= 2
        self.features = nn.Sequential(*layers, nn.Flatten())              # (B, c * 16)
        self.head = sn(nn.Linear(c * 16, 1))
        self.embed = sn(nn.Embedding(num_classes, c * 16)) if num_classes else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        expected = (self.channels, self.size, self.size)
        if x.ndim != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"x must be (B, {', '.join(map(str, expected))}), got {tuple(x.shape)}")
        _check_labels(labels, len(x), self.num_classes)
        h = self.features(x)
        logits = self.head(h).squeeze(1)
        if self.embed is not None:                                       # projection: class match
            logits = logits + (self.embed(labels) * h).sum(dim=1)
        return logits
