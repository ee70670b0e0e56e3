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


def train_swap(model: SwapAutoencoder, images_a: torch.Tensor, images_b: torch.Tensor, *, steps: int = 2000,
               batch_size: int = 64, lr: float = 2e-3, seed: int = 0) -> list[float]:
    """Alternate A and B reconstruction batches through the shared encoder (binary cross-entropy).
    Returns the loss per step."""
    check_images(images_a, channels=1, name="images_a"), check_images(images_b, channels=1, name="images_b")
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for step in range(steps):
        identity, images = ("a", images_a) if step % 2 == 0 else ("b", images_b)
        x = images[torch.randint(len(images), (batch_size,), generator=generator)]
        loss = F.binary_cross_entropy(model(x, identity), x)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    model.eval()
    return losses


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
