"""The original (2017) deepfake architecture at toy scale: one shared encoder, one decoder per identity.

Train the encoder with decoder A on identity A's images and with decoder B on identity B's. The
shared encoder must describe both with the same code — pose, expression, light — while each decoder
learns to paint one identity. The swap: encode a picture of A, decode with B's decoder.

Here the two "identities" are two digits (chapter 04's MLP autoencoder parts, 8x8): the swap turns a
3 into an 8 that keeps the 3's slant and stroke weight — the same trick, with nothing personal in it.

    model = SwapAutoencoder(latent_dim=8)
    train_swap(model, images_a, images_b, steps=2000)     # (N, 1, 8, 8) in [0, 1] each
    fake_b = model.swap(images_a)                         # A's "pose", B's "identity"
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..autoencoders.models import mlp_decoder, mlp_encoder
from ..data import check_images


class SwapAutoencoder(nn.Module):
    """encoder: (B, 1, 8, 8) -> (B, latent_dim); decoders "a" and "b": (B, latent_dim) -> (B, 1, 8, 8)."""

    def __init__(self, *, latent_dim: int = 8, hidden: int = 128):
        super().__init__()
        self.encoder = mlp_encoder(latent_dim, hidden)
        self.decoders = nn.ModuleDict({"a": mlp_decoder(latent_dim, hidden), "b": mlp_decoder(latent_dim, hidden)})

    def forward(self, x: torch.Tensor, identity: str) -> torch.Tensor:
        """Reconstruct x (B, 1, 8, 8) in [0, 1] with the decoder of `identity` ("a" or "b")."""
        if identity not in self.decoders:
            raise ValueError(f"identity must be 'a' or 'b', got {identity!r}")
        check_images(x, channels=1, name="x")
        return self.decoders[identity](self.encoder(x))

    @torch.no_grad()
    def swap(self, x_a: torch.Tensor) -> torch.Tensor:
        """A's images drawn as identity B: decoder b applied to A's codes."""
        return self(x_a, "b")


def swap_loss(model: SwapAutoencoder, batch) -> torch.Tensor:
    """batch = (x (B, 1, 8, 8) in [0, 1], identity (B,) 0 = A / 1 = B): every image reconstructed through
    the shared encoder and its own identity's decoder (binary cross-entropy). The loss_fn of train()."""
    x, identity = batch
    codes = model.encoder(x)
    is_b = (identity == 1)[:, None, None, None]
    out = torch.where(is_b, model.decoders["b"](codes), model.decoders["a"](codes))
    return F.binary_cross_entropy(out, x)


def train_swap(model: SwapAutoencoder, images_a: torch.Tensor, images_b: torch.Tensor, *, steps: int = 2000,
               batch_size: int = 64, lr: float = 2e-3, seed: int = 0) -> list[float]:
    """Alternate batches of A (even steps) and B (odd steps) through the shared encoder with the generic
    `train()` loop (AdamW). Returns the mean loss of every 10 steps."""
    from ..train import TrainConfig, batch_indices, train
    check_images(images_a, channels=1, name="images_a"), check_images(images_b, channels=1, name="images_b")
    data = (torch.cat([images_a, images_b]),
            torch.cat([torch.zeros(len(images_a), dtype=torch.long), torch.ones(len(images_b), dtype=torch.long)]))

    def rows(step: int) -> torch.Tensor:  # A's shuffled epochs on even steps, B's on odd ones
        if step % 2 == 0:
            return batch_indices(step // 2, n=len(images_a), batch_size=batch_size, seed=seed)
        return len(images_a) + batch_indices(step // 2, n=len(images_b), batch_size=batch_size, seed=seed + 1)

    result = train(model, swap_loss, data, batch_rows=rows,
                   config=TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, grad_clip=None,
                                      log_every=10, progress=False, device="cpu"))
    model.eval()
    return [record["loss"] for record in result.history]


def ink(x: torch.Tensor) -> torch.Tensor:
    """(N,) total brightness of each image: how heavy the stroke is (a "pose" feature a swap should keep)."""
    return x.flatten(1).sum(1)


def slant(x: torch.Tensor) -> torch.Tensor:
    """(N,) slant of each image: the brightness-weighted covariance of column with row, over row variance
    (positive: the top leans right)."""
    _, _, H, W = x.shape
    rows = torch.arange(H, dtype=torch.float32).view(1, H, 1)
    cols = torch.arange(W, dtype=torch.float32).view(1, 1, W)
    w = x[:, 0] / x[:, 0].flatten(1).sum(1).clamp_min(1e-8)[:, None, None]
    mr, mc = (w * rows).sum((1, 2)), (w * cols).sum((1, 2))
    cov = (w * (rows - mr[:, None, None]) * (cols - mc[:, None, None])).sum((1, 2))
    var = (w * (rows - mr[:, None, None]) ** 2).sum((1, 2)).clamp_min(1e-8)
    return -cov / var


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two (N,) tensors."""
    a, b = a.double() - a.double().mean(), b.double() - b.double().mean()
    return float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-12))
