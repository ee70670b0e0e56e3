"""Two ways to let words steer an image network: cross-attention and FiLM.

Cross-attention (what Stable Diffusion uses): every pixel of a feature map asks "which words
matter to me?". Pixels give the queries, the text encoder's per-token states give keys and
values; padded tokens are masked out. Each pixel gets a different mix of words, so "red" can
paint the shape while "left" places it.

FiLM (feature-wise linear modulation, Perez et al. 2018): one pooled caption vector becomes a
per-channel scale and shift, h -> h * (1 + gamma) + beta, the same at every pixel. Simpler and
cheaper; with beta alone it is "addition", how timesteps are usually fed in.
Taught in notebook 07.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from .encoder import MultiHeadAttention


class CrossAttention(nn.Module):
    """Feature map attends to text tokens; residual, so it starts close to identity.

    h: (B, C, H, W); context: (B, L, context_dim); mask: (B, L) bool (True = real token).
    Returns (B, C, H, W). `last_weights` keeps the (B, heads, H*W, L) attention of the last call
    (for pictures of which word each pixel looked at).
    """

    def __init__(self, channels: int, *, context_dim: int, heads: int = 4):
        super().__init__()
        self.norm = nn.GroupNorm(min(8, channels), channels)
        self.attention = MultiHeadAttention(channels, heads=heads, context_dim=context_dim)
        self.last_weights: torch.Tensor | None = None

    def forward(self, h: torch.Tensor, context: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if h.ndim != 4 or context.ndim != 3 or context.shape[0] != h.shape[0]:
            raise ValueError(f"need h (B, C, H, W) and context (B, L, d) with the same B, "
                             f"got {tuple(h.shape)} and {tuple(context.shape)}")
        if mask is not None and mask.shape != context.shape[:2]:
            raise ValueError(f"mask must be (B, L) = {tuple(context.shape[:2])}, got {tuple(mask.shape)}")
        B, C, H, W = h.shape
        pixels = self.norm(h).flatten(2).transpose(1, 2)                       # (B, H*W, C)
        out, weights = self.attention(pixels, context, mask, return_weights=True)
        self.last_weights = weights.detach()
        return h + out.transpose(1, 2).reshape(B, C, H, W)


class FiLM(nn.Module):
    """Pooled text vector -> per-channel scale and shift. h: (B, C, H, W), cond: (B, cond_dim).
    Returns h * (1 + gamma) + beta. With `shift_only=True` it is plain addition (h + beta)."""

    def __init__(self, channels: int, *, cond_dim: int, shift_only: bool = False):
        super().__init__()
        self.shift_only = shift_only
        self.to_scale_shift = nn.Linear(cond_dim, channels if shift_only else 2 * channels)
        nn.init.zeros_(self.to_scale_shift.weight)   # starts as the identity map
        nn.init.zeros_(self.to_scale_shift.bias)

    def forward(self, h: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        if h.ndim != 4 or cond.ndim != 2 or cond.shape[0] != h.shape[0]:
            raise ValueError(f"need h (B, C, H, W) and cond (B, d) with the same B, "
                             f"got {tuple(h.shape)} and {tuple(cond.shape)}")
        params = self.to_scale_shift(cond)[:, :, None, None]                   # (B, 1 or 2 x C, 1, 1)
        if self.shift_only:
            return h + params
        gamma, beta = params.chunk(2, dim=1)
        return h * (1 + gamma) + beta
