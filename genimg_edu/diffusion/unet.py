r"""A small UNet that predicts the noise in xt, told the timestep t (and optionally a class or a vector).

The shape of a UNet: convolutions shrink the image level by level (8x8 -> 4x4 -> 2x2) while widening
the channels, then grow it back, and every level on the way up also sees the activations saved on
the way down (the "skips"), so fine detail does not have to squeeze through the bottleneck.
Each residual block is told *how noisy* the input is: t becomes a sinusoidal embedding (like a
transformer's position code), goes through a small MLP, and scales and shifts the block's features.
A class label (or any conditioning vector, e.g. a text embedding in chapter 07) is embedded the same
way and added to the time embedding. Label `num_classes` is the "no label" token that classifier-free
guidance trains with. Ho et al. 2020, appendix B (much smaller). Notebook 06a, section 2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F


@dataclass(frozen=True)
class UNetConfig:
    in_channels: int = 1                  # image channels (1 for digits, 3 for colour)
    base_channels: int = 32               # channels at full resolution
    channel_mults: tuple = (1, 2, 2)      # width multiplier per level; each extra level halves H and W
    num_res_blocks: int = 1               # residual blocks per level on the way down
    groups: int = 8                       # GroupNorm groups (must divide every width)
    num_classes: int | None = None        # class-conditional: labels 0..num_classes-1, num_classes = none
    cond_dim: int | None = None           # a conditioning vector (B, cond_dim) added to the time embedding
    attention: bool = False               # self-attention in the bottleneck
    dropout: float = 0.0                  # dropout inside residual blocks


def timestep_embedding(t: torch.Tensor, dim: int, *, max_period: float = 10_000.0) -> torch.Tensor:
    """Sinusoidal code of integer timesteps. t: (B,) -> (B, dim) (dim even). Vaswani et al. 2017."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    angles = t.float()[:, None] * freqs[None]  # (B, half)
    return torch.cat([angles.cos(), angles.sin()], dim=1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the embedding as a per-channel scale and shift in between.
    x: (B, in_ch, H, W), emb: (B, emb_dim) -> (B, out_ch, H, W)."""

    def __init__(self, in_ch: int, out_ch: int, emb_dim: int, *, groups: int = 8, dropout: float = 0.0):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups, in_ch), nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * out_ch)
        self.norm2, self.conv2 = nn.GroupNorm(groups, out_ch), nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()
        nn.init.zeros_(self.conv2.weight)  # each block starts as the identity: stable early training
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.emb(F.silu(emb))[:, :, None, None].chunk(2, dim=1)  # (B, out_ch, 1, 1) each
        h = self.norm2(h) * (1 + scale) + shift
        return self.skip(x) + self.conv2(self.dropout(F.silu(h)))


class SelfAttention(nn.Module):
    """Every pixel attends to every other (used at the lowest resolution). (B, C, H, W) -> same."""

    def __init__(self, channels: int, *, groups: int = 8, heads: int = 4):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels)
        self.attn = nn.MultiheadAttention(channels, heads, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        h = self.norm(x).flatten(2).transpose(1, 2)  # (B, H*W, C)
        h, _ = self.attn(h, h, h, need_weights=False)
        return x + h.transpose(1, 2).reshape(B, C, H, W)


class UNet(nn.Module):
    """eps = UNet(xt, t, labels=None, cond=None). xt: (B, C, H, W) with H, W divisible by
    2**(levels-1); t: (B,) long in [0, T) (flow matching passes float 1000 * t); labels: (B,) long in [0, num_classes] (num_classes = no label;
    None = no label for all); cond: (B, cond_dim) float (None = zeros). Returns (B, C, H, W)."""

    def __init__(self, config: UNetConfig = UNetConfig()):
        super().__init__()
        self.config = c = config
        widths = [c.base_channels * m for m in c.channel_mults]
        if any(w % c.groups for w in widths):
            raise ValueError(f"groups={c.groups} must divide every width {widths}")
        emb_dim = 4 * c.base_channels
        self.time_mlp = nn.Sequential(nn.Linear(c.base_channels, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.label_emb = nn.Embedding(c.num_classes + 1, emb_dim) if c.num_classes else None
        self.cond_proj = nn.Linear(c.cond_dim, emb_dim) if c.cond_dim else None
        block = lambda i, o: ResBlock(i, o, emb_dim, groups=c.groups, dropout=c.dropout)  # noqa: E731

        self.conv_in = nn.Conv2d(c.in_channels, widths[0], 3, padding=1)
        self.down, skip_widths, width = nn.ModuleList(), [widths[0]], widths[0]
        for level, w in enumerate(widths):
            for _ in range(c.num_res_blocks):
                self.down.append(block(width, w))
                width = w
                skip_widths.append(w)
            if level < len(widths) - 1:
                self.down.append(nn.Conv2d(w, w, 3, stride=2, padding=1))  # halve H and W
                skip_widths.append(w)
        self.mid = nn.ModuleList([block(width, width), block(width, width)])
        self.mid_attn = SelfAttention(width, groups=c.groups) if c.attention else nn.Identity()
        self.up = nn.ModuleList()
        for level in reversed(range(len(widths))):
            for _ in range(c.num_res_blocks + 1):
                self.up.append(block(width + skip_widths.pop(), widths[level]))
                width = widths[level]
            if level > 0:
                self.up.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                             nn.Conv2d(width, width, 3, padding=1)))
        self.norm_out = nn.GroupNorm(c.groups, width)
        self.conv_out = nn.Conv2d(width, c.in_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)  # predict zero noise at first
        nn.init.zeros_(self.conv_out.bias)

    def embed(self, t: torch.Tensor, labels=None, cond=None) -> torch.Tensor:
        """The (B, 4 * base_channels) vector every ResBlock is told: time (+ label) (+ cond)."""
        emb = self.time_mlp(timestep_embedding(t, self.config.base_channels))
        if self.label_emb is not None:
            if labels is None:  # unconditional: the "no label" token
                labels = torch.full((t.shape[0],), self.config.num_classes, device=t.device)
            if labels.shape != (t.shape[0],) or labels.dtype != torch.long:
                raise ValueError(f"labels must be a (B,) long tensor like t, got {tuple(labels.shape)} {labels.dtype}")
            if int(labels.min()) < 0 or int(labels.max()) > self.config.num_classes:
                raise ValueError(f"labels must lie in [0, {self.config.num_classes}] ({self.config.num_classes} = none)")
            emb = emb + self.label_emb(labels)
        elif labels is not None:
            raise ValueError("this UNet has no classes (num_classes=None) but labels were given")
        if cond is not None:
            if self.cond_proj is None:
                raise ValueError("this UNet has no cond_dim but cond was given")
            if cond.shape != (t.shape[0], self.config.cond_dim):
                raise ValueError(f"cond must be (B, {self.config.cond_dim}), got {tuple(cond.shape)}")
            emb = emb + self.cond_proj(cond)
        return emb

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels=None, cond=None) -> torch.Tensor:
        levels = len(self.config.channel_mults)
        if x.ndim != 4 or x.shape[1] != self.config.in_channels:
            raise ValueError(f"x must be (B, {self.config.in_channels}, H, W), got {tuple(x.shape)}")
        if x.shape[-1] % 2 ** (levels - 1) or x.shape[-2] % 2 ** (levels - 1):
            raise ValueError(f"H and W must be divisible by {2 ** (levels - 1)}, got {tuple(x.shape[-2:])}")
        if not isinstance(t, torch.Tensor) or t.shape != (x.shape[0],):
            raise ValueError(f"t must be a (B,) tensor with B={x.shape[0]} (long steps, or float times)")
        emb = self.embed(t, labels, cond)
        h = self.conv_in(x)
        skips = [h]
        for layer in self.down:
            h = layer(h, emb) if isinstance(layer, ResBlock) else layer(h)
            skips.append(h)
        h = self.mid[1](self.mid_attn(self.mid[0](h, emb)), emb)
        for layer in self.up:
            h = layer(torch.cat([h, skips.pop()], dim=1), emb) if isinstance(layer, ResBlock) else layer(h)
        return self.conv_out(F.silu(self.norm_out(h)))
