"""An autoencoder and a variational autoencoder for 8x8 digits (small MLPs). Notebook 04.

Both take the image size and channels (default 8x8 grey, the chapter's digits; the `gpu` preset of
genimg_edu.presets uses 28x28 MNIST / Fashion-MNIST): the MLP sees channels * size * size pixels.

Autoencoder: x -> encoder -> z (a handful of numbers) -> decoder -> x_hat; trained so x_hat ~ x.
VAE (Kingma & Welling 2014): the encoder outputs a Gaussian q(z|x) = N(mu, diag(exp(logvar)));
we sample z = mu + sigma * eps (the reparameterisation trick, eq. 10) and train on

    loss = reconstruction(x_hat, x) + beta * KL(q(z|x) || N(0, I))            (eq. 7, 10)
    KL   = -1/2 * sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))               (appendix B)

so that decoding z ~ N(0, I) gives new digits.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

PIXELS = 64  # 8 x 8, the chapter's digits


def mlp_encoder(out_features: int, hidden: int, *, image_shape: tuple[int, int, int] = (1, 8, 8)) -> nn.Sequential:
    """(B, C, H, W) -> (B, out_features): flatten the C*H*W pixels, two hidden ReLU layers."""
    pixels = image_shape[0] * image_shape[1] * image_shape[2]
    return nn.Sequential(nn.Flatten(), nn.Linear(pixels, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, out_features))


def mlp_decoder(latent_dim: int, hidden: int, *, image_shape: tuple[int, int, int] = (1, 8, 8)) -> nn.Sequential:
    """(B, latent_dim) -> (B, C, H, W) in (0, 1): the encoder's mirror image, a sigmoid at the end."""
    pixels = image_shape[0] * image_shape[1] * image_shape[2]
    return nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, pixels), nn.Sigmoid(),  # pixels in (0, 1)
                         nn.Unflatten(1, tuple(image_shape)))


def _check_inputs(x: torch.Tensor, image_shape: tuple[int, int, int] = (1, 8, 8)) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or tuple(x.shape[1:]) != tuple(image_shape):
        what = "digits" if tuple(image_shape) == (1, 8, 8) else "images"
        raise ValueError(f"x must be {what} of shape (B, {', '.join(map(str, image_shape))}) in [0, 1], got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")


def _check_latent(z: torch.Tensor, latent_dim: int) -> None:
    if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"z must have shape (B, {latent_dim}), got "
                         f"{tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__}")


def _check_latent_dim(latent_dim, pixels: int = PIXELS) -> None:
    if not isinstance(latent_dim, int) or isinstance(latent_dim, bool) or not 1 <= latent_dim <= pixels:
        raise ValueError(f"latent_dim must be an int in [1, {pixels}], got {latent_dim!r}")


def _image_shape(image_size, channels, hidden) -> tuple[int, int, int]:
    """Check the size arguments every model takes; return (C, H, W)."""
    for name, value in (("image_size", image_size), ("channels", channels), ("hidden", hidden)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return channels, image_size, image_size


class Autoencoder(nn.Module):
    """64 pixels -> `latent_dim` numbers -> 64 pixels. x: (B, 1, 8, 8) in [0, 1].

    image_size, channels: other images, x (B, channels, image_size, image_size) in [0, 1]."""

    def __init__(self, latent_dim: int = 2, *, hidden: int = 128, image_size: int = 8, channels: int = 1):
        super().__init__()
        self.image_shape = _image_shape(image_size, channels, hidden)
        _check_latent_dim(latent_dim, channels * image_size * image_size)
        self.latent_dim = latent_dim
        self.encoder = mlp_encoder(latent_dim, hidden, image_shape=self.image_shape)
        self.decoder = mlp_decoder(latent_dim, hidden, image_shape=self.image_shape)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 8, 8) -> z (B, latent_dim)."""
        _check_inputs(x, self.image_shape)
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (B, latent_dim) -> images (B, 1, 8, 8) in (0, 1)."""
        _check_latent(z, self.latent_dim)
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, *,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): random, yet differentiable in mu and logvar."""
    if mu.shape != logvar.shape:
        raise ValueError(f"mu and logvar must have the same shape, got {tuple(mu.shape)} and {tuple(logvar.shape)}")
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per example, in nats. mu, logvar: (B, D) -> (B,)."""
    if mu.shape != logvar.shape or mu.ndim != 2:
        raise ValueError(f"mu and logvar must both be (B, D), got {tuple(mu.shape)} and {tuple(logvar.shape)}")
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)


class VAELoss(NamedTuple):
    total: torch.Tensor           # reconstruction + beta * kl, the number we minimise
    reconstruction: torch.Tensor  # binary cross-entropy summed over pixels, mean over the batch
    kl: torch.Tensor              # KL to N(0, I), mean over the batch


def vae_loss(x_hat: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, *,
             beta: float = 1.0) -> VAELoss:
    """The VAE objective (the negative ELBO when beta = 1). x, x_hat: (B, 1, 8, 8) in [0, 1]."""
    if x_hat.shape != x.shape:
        raise ValueError(f"x_hat and x must have the same shape, got {tuple(x_hat.shape)} and {tuple(x.shape)}")
    if x.numel() and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"x must lie in [0, 1], got [{x.min().item():.3f}, {x.max().item():.3f}]")
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    reconstruction = F.binary_cross_entropy(x_hat, x, reduction="sum") / len(x)
    kl = kl_to_standard_normal(mu, logvar).mean()
    return VAELoss(reconstruction + beta * kl, reconstruction, kl)


class VAE(nn.Module):
    """A variational autoencoder: the encoder gives (mu, logvar), the decoder turns z into a digit.
    image_size, channels: as for Autoencoder (default 8x8 grey digits)."""

    def __init__(self, latent_dim: int = 2, *, hidden: int = 128, image_size: int = 8, channels: int = 1):
        super().__init__()
        self.image_shape = _image_shape(image_size, channels, hidden)
        _check_latent_dim(latent_dim, channels * image_size * image_size)
        self.latent_dim = latent_dim
        self.encoder = mlp_encoder(2 * latent_dim, hidden, image_shape=self.image_shape)
        self.decoder = mlp_decoder(latent_dim, hidden, image_shape=self.image_shape)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 1, 8, 8) -> mu, logvar, each (B, latent_dim)."""
        _check_inputs(x, self.image_shape)
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z (B, latent_dim) -> images (B, 1, 8, 8) in (0, 1)."""
        _check_latent(z, self.latent_dim)
        return self.decoder(z)

    def forward(self, x: torch.Tensor, *, generator: torch.Generator | None = None):
        """Returns x_hat, mu, logvar: everything `vae_loss` needs."""
        mu, logvar = self.encode(x)
        return self.decode(reparameterise(mu, logvar, generator=generator)), mu, logvar

    @torch.no_grad()
    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """n new digits: decode z ~ N(0, I). Returns (n, 1, 8, 8) in (0, 1)."""
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        device = next(self.parameters()).device
        return self.decode(torch.randn(n, self.latent_dim, generator=generator, device=device))
