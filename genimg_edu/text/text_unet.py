"""A text-conditioned UNet: chapter 06's UNet blocks, with words fed in at every level.

    eps = TextUNet(xt, t, text)      xt: (B, 3, 16, 16), t: (B,), text: a TextEncoding

The residual blocks, the timestep embedding and the down/up/skip layout are chapter 06's
(`genimg_edu.diffusion.unet`). After each residual block of the lower-resolution levels sits a
conditioning layer, one of two kinds (`conditioning=`):

  "cross_attention"  pixels attend to the per-token text states (Stable Diffusion's way);
  "film"             the pooled caption vector scales and shifts the channels (one vector per image).

Both variants have the same blocks and sizes, so the benchmark compares only how words get in.
Taught in notebook 07.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..diffusion.unet import ResBlock, timestep_embedding
from .conditioning import FiLM, CrossAttention
from .encoder import TextEncoding

CONDITIONINGS = ("cross_attention", "film")


@dataclass(frozen=True)
class TextUNetConfig:
    in_channels: int = 3                  # image channels
    base_channels: int = 32               # channels at full resolution
    channel_mults: tuple = (1, 2, 2)      # width per level; each extra level halves H and W
    groups: int = 8                       # GroupNorm groups
    context_dim: int = 64                 # width of the text states (TextEncoderConfig.dim)
    heads: int = 4                        # cross-attention heads
    conditioning: str = "cross_attention"  # "cross_attention" or "film"
    text_levels: tuple = (1, 2)           # which levels (0 = full resolution) get a conditioning layer


class TextUNet(nn.Module):
    """eps = TextUNet(xt, t, text). xt: (B, C, H, W), H and W divisible by 2**(levels-1);
    t: (B,) long; text: TextEncoding with states (B, L, context_dim), pooled, mask. Returns (B, C, H, W)."""

    def __init__(self, config: TextUNetConfig = TextUNetConfig()):
        super().__init__()
        if config.conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {config.conditioning!r}")
        self.config = c = config
        widths = [c.base_channels * m for m in c.channel_mults]
        emb_dim = 4 * c.base_channels
        self.time_mlp = nn.Sequential(nn.Linear(c.base_channels, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))

        def text_layer(w):
            if c.conditioning == "cross_attention":
                return CrossAttention(w, context_dim=c.context_dim, heads=c.heads)
            return FiLM(w, cond_dim=c.context_dim)

        self.conv_in = nn.Conv2d(c.in_channels, widths[0], 3, padding=1)
        self.down, self.down_text, self.downsample = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        width, skip_widths = widths[0], []
        for level, w in enumerate(widths):
            self.down.append(ResBlock(width, w, emb_dim, groups=c.groups))
            self.down_text.append(text_layer(w) if level in c.text_levels else nn.Identity())
            width = w
            skip_widths.append(w)
            self.downsample.append(nn.Conv2d(w, w, 3, stride=2, padding=1) if level < len(widths) - 1 else nn.Identity())
        self.mid = ResBlock(width, width, emb_dim, groups=c.groups)
        self.mid_text = text_layer(width)
        self.up, self.up_text, self.upsample = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for level in reversed(range(len(widths))):
            self.up.append(ResBlock(width + skip_widths.pop(), widths[level], emb_dim, groups=c.groups))
            self.up_text.append(text_layer(widths[level]) if level in c.text_levels else nn.Identity())
            width = widths[level]
            self.upsample.append(nn.Upsample(scale_factor=2, mode="nearest") if level > 0 else nn.Identity())
        self.norm_out = nn.GroupNorm(c.groups, width)
        self.conv_out = nn.Conv2d(width, c.in_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def _condition(self, layer, h, text: TextEncoding):
        if isinstance(layer, CrossAttention):
            return layer(h, text.states, text.mask)
        if isinstance(layer, FiLM):
            return layer(h, text.pooled)
        return h

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: TextEncoding) -> torch.Tensor:
        levels = len(self.config.channel_mults)
        if x.ndim != 4 or x.shape[1] != self.config.in_channels or x.shape[-1] % 2 ** (levels - 1):
            raise ValueError(f"x must be (B, {self.config.in_channels}, H, W) with H, W divisible by "
                             f"{2 ** (levels - 1)}, got {tuple(x.shape)}")
        if not isinstance(t, torch.Tensor) or t.shape != (x.shape[0],) or t.is_floating_point():
            raise ValueError(f"t must be a (B,) long tensor with B={x.shape[0]}")
        if text.states.shape[0] != x.shape[0] or text.states.shape[-1] != self.config.context_dim:
            raise ValueError(f"text states must be (B={x.shape[0]}, L, {self.config.context_dim}), "
                             f"got {tuple(text.states.shape)}")
        emb = self.time_mlp(timestep_embedding(t, self.config.base_channels))
        h, skips = self.conv_in(x), []
        for block, text_layer, down in zip(self.down, self.down_text, self.downsample):
            h = self._condition(text_layer, block(h, emb), text)                    # (B, w, H', W')
            skips.append(h)
            h = down(h)
        h = self._condition(self.mid_text, self.mid(h, emb), text)
        for block, text_layer, up in zip(self.up, self.up_text, self.upsample):
            h = self._condition(text_layer, block(torch.cat([h, skips.pop()], dim=1), emb), text)
            h = up(h)
        return self.conv_out(F.silu(self.norm_out(h)))
