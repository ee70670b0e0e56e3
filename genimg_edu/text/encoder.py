"""A tiny transformer text encoder: token ids -> one vector per word, and one for the caption.

    ids (B, L) --token embedding + position embedding--> (B, L, d)
               --[self-attention + MLP] x depth------->  states (B, L, d)   (for cross-attention)
               --mean over real tokens, LayerNorm----->  pooled (B, d)      (for FiLM and CLIP)

Self-attention lets each word look at the others ("red" next to "circle"), and the padding mask
keeps [PAD] positions out of every softmax and out of the pooled mean, so padding never changes
the result. `MultiHeadAttention` here is reused for cross-attention in `conditioning.py`.
Stable Diffusion does the same with CLIP's 12-layer text encoder (77 tokens, d = 768).
Taught in notebook 07.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    """Queries from `x`, keys/values from `context` (= x for self-attention).

    x: (B, N, dim); context: (B, L, context_dim); mask: (B, L) bool, True = attend to it.
    Returns (B, N, dim). softmax(q k^T / sqrt(d_head)) v per head (Vaswani et al. 2017).
    """

    def __init__(self, dim: int, *, heads: int = 4, context_dim: int | None = None):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim={dim} must be divisible by heads={heads}")
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_kv = nn.Linear(context_dim or dim, 2 * dim, bias=False)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, context=None, mask=None, *, return_weights: bool = False):
        context = x if context is None else context
        B, N, D = x.shape
        q = self.to_q(x).view(B, N, self.heads, -1).transpose(1, 2)          # (B, h, N, dh)
        k, v = self.to_kv(context).chunk(2, dim=-1)
        k = k.view(B, context.shape[1], self.heads, -1).transpose(1, 2)       # (B, h, L, dh)
        v = v.view(B, context.shape[1], self.heads, -1).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / k.shape[-1] ** 0.5                 # (B, h, N, L)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        weights = scores.softmax(dim=-1)
        y = (weights @ v).transpose(1, 2).reshape(B, N, D)                    # (B, N, D)
        return (self.out(y), weights) if return_weights else self.out(y)


class TransformerBlock(nn.Module):
    """Pre-norm transformer layer: x + attention(norm(x)), then x + MLP(norm(x))."""

    def __init__(self, dim: int, *, heads: int, mlp_ratio: int = 2):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads=heads)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x, mask):
        x = x + self.attention(self.norm1(x), mask=mask)
        return x + self.mlp(self.norm2(x))


@dataclass
class TextEncoderConfig:
    vocab_size: int          # tokenizer size, specials included (len(tokenizer))
    max_length: int = 12     # longest token sequence, [BOS] and [EOS] included
    dim: int = 64            # width d of every token state
    depth: int = 2           # transformer layers
    heads: int = 4           # attention heads per layer
    mlp_ratio: int = 2       # MLP hidden width = mlp_ratio * dim


@dataclass
class TextEncoding:
    states: torch.Tensor     # (B, L, d) one vector per token: the cross-attention context
    pooled: torch.Tensor     # (B, d) one vector per caption: FiLM / CLIP input
    mask: torch.Tensor       # (B, L) bool, True on real tokens


class TextEncoder(nn.Module):
    """ids (B, L) long, mask (B, L) bool -> TextEncoding(states (B, L, d), pooled (B, d), mask)."""

    def __init__(self, config: TextEncoderConfig):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.dim)
        self.position_embedding = nn.Parameter(torch.randn(config.max_length, config.dim) * 0.02)
        self.blocks = nn.ModuleList(TransformerBlock(config.dim, heads=config.heads, mlp_ratio=config.mlp_ratio)
                                    for _ in range(config.depth))
        self.norm = nn.LayerNorm(config.dim)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor | None = None) -> TextEncoding:
        if ids.ndim != 2 or ids.dtype != torch.long:
            raise ValueError(f"ids must be a (B, L) long tensor, got {tuple(ids.shape)} {ids.dtype}")
        if ids.shape[1] > self.config.max_length:
            raise ValueError(f"ids has length {ids.shape[1]} > max_length={self.config.max_length}")
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.config.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.config.vocab_size}), got [{ids.min()}, {ids.max()}]")
        mask = torch.ones_like(ids, dtype=torch.bool) if mask is None else mask
        if mask.shape != ids.shape or mask.dtype != torch.bool:
            raise ValueError(f"mask must be a bool tensor shaped like ids {tuple(ids.shape)}")
        x = self.token_embedding(ids) + self.position_embedding[: ids.shape[1]]   # (B, L, d)
        for block in self.blocks:
            x = block(x, mask)
        states = self.norm(x)
        weights = mask.unsqueeze(-1).float()                                     # (B, L, 1)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1)          # masked mean
        return TextEncoding(states=states, pooled=pooled, mask=mask)


def describe_encoding(tokenizer, encoder: TextEncoder, caption: str, *, unknown: str = "unk") -> dict:
    """What a caption becomes as numbers: words, ids, mask, and the state/pooled tensors."""
    ids, mask = tokenizer([caption], unknown=unknown)
    with torch.no_grad():
        encoding = encoder(ids, mask)
    tokens = list(tokenizer.vocab)
    return {"tokens": [tokens[i] for i in ids[0].tolist()], "ids": ids[0], "mask": mask[0],
            "states": encoding.states[0], "pooled": encoding.pooled[0],
            "unknown": tokenizer.unknown_words(caption)}


def cosine_similarity_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a: (N, d), b: (M, d) -> (N, M) cosine similarities in [-1, 1]."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"need (N, d) and (M, d) with the same d, got {tuple(a.shape)} and {tuple(b.shape)}")
    return F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T
