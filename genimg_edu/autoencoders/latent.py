"""Walking around a latent space: codes, interpolation and 2-D grids of decoded digits. Notebook 04."""
from __future__ import annotations

import torch

from ..data import check_images
from .models import VAE, Autoencoder


def _check_model(model) -> None:
    if not isinstance(model, (Autoencoder, VAE)):
        raise TypeError(f"model must be an Autoencoder or VAE, got {type(model).__name__}")


@torch.no_grad()
def encode(model, x: torch.Tensor) -> torch.Tensor:
    """x: (N, 1, 8, 8) in [0, 1] -> codes (N, latent_dim). For a VAE: the mean mu (no sampling)."""
    _check_model(model)
    check_images(x, value_range=(0, 1), channels=1, name="x")
    model.eval()
    return model.encode(x)[0] if isinstance(model, VAE) else model.encode(x)


@torch.no_grad()
def decode(model, z: torch.Tensor) -> torch.Tensor:
    """z: (N, latent_dim) -> digits (N, 1, 8, 8) in (0, 1)."""
    _check_model(model)
    model.eval()
    return model.decode(z)


def interpolate(model, x_a: torch.Tensor, x_b: torch.Tensor, steps: int = 8) -> torch.Tensor:
    """Morph digit x_a into x_b: decode (1 - t) * z_a + t * z_b for t = 0 .. 1 in `steps` steps.

    x_a, x_b: one digit each, (1, 8, 8) or (1, 1, 8, 8), in [0, 1]. Returns (steps, 1, 8, 8).
    """
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an int >= 2 (the two ends), got {steps!r}")
    pair = []
    for name, x in (("x_a", x_a), ("x_b", x_b)):
        if not isinstance(x, torch.Tensor) or tuple(x.shape) not in ((1, 8, 8), (1, 1, 8, 8)):
            raise ValueError(f"{name} must be one digit of shape (1, 8, 8) or (1, 1, 8, 8), got "
                             f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
        pair.append(x.reshape(1, 1, 8, 8))
    z_a, z_b = encode(model, torch.cat(pair))                 # each (latent_dim,)
    t = torch.linspace(0, 1, steps).unsqueeze(1)              # (steps, 1)
    return decode(model, (1 - t) * z_a + t * z_b)             # (steps, 1, 8, 8)


def latent_grid(ranges, n: int) -> torch.Tensor:
    """The n x n points of a 2-D latent grid, (n * n, 2), read like a page: row by row from the top.

    ranges: ((z1_low, z1_high), (z2_low, z2_high)). z1 grows to the right, z2 grows upwards.
    """
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    try:
        (z1_low, z1_high), (z2_low, z2_high) = [(float(lo), float(hi)) for lo, hi in ranges]
    except (TypeError, ValueError):
        raise ValueError(f"ranges must be ((z1_low, z1_high), (z2_low, z2_high)), got {ranges!r}") from None
    if not (z1_low < z1_high and z2_low < z2_high):
        raise ValueError(f"each range must be (low, high) with low < high, got {ranges!r}")
    z1 = torch.linspace(z1_low, z1_high, n)
    z2 = torch.linspace(z2_high, z2_low, n)                   # top row = highest z2
    rows, cols = torch.meshgrid(z2, z1, indexing="ij")        # (n, n) each
    return torch.stack([cols.flatten(), rows.flatten()], dim=1)


def decode_grid(model, ranges=((-2.5, 2.5), (-2.5, 2.5)), n: int = 10) -> torch.Tensor:
    """Decode every point of a 2-D latent grid: (n * n, 1, 8, 8), ready for show_images(nrow=n)."""
    _check_model(model)
    if model.latent_dim != 2:
        raise ValueError(f"decode_grid needs a model with latent_dim=2, got {model.latent_dim}")
    return decode(model, latent_grid(ranges, n))


def decode_point(model, z1: float, z2: float) -> torch.Tensor:
    """The digit at one point of a 2-D latent space: (1, 1, 8, 8). The explorer's sliders call this."""
    _check_model(model)
    if model.latent_dim != 2:
        raise ValueError(f"decode_point needs a model with latent_dim=2, got {model.latent_dim}")
    return decode(model, torch.tensor([[float(z1), float(z2)]]))


def neighbour_accuracy(train_codes: torch.Tensor, train_labels: torch.Tensor, test_codes: torch.Tensor,
                       test_labels: torch.Tensor, *, k: int = 5) -> float:
    """How well the codes keep digits apart: accuracy of a k-nearest-neighbour vote in code space."""
    if train_codes.ndim != 2 or test_codes.ndim != 2 or train_codes.shape[1] != test_codes.shape[1]:
        raise ValueError(f"codes must be (N, D) with the same D, got {tuple(train_codes.shape)} "
                         f"and {tuple(test_codes.shape)}")
    if not 1 <= k <= len(train_codes):
        raise ValueError(f"k must be in [1, {len(train_codes)}], got {k!r}")
    nearest = torch.cdist(test_codes, train_codes).topk(k, largest=False).indices   # (N_test, k)
    votes = train_labels[nearest].mode(dim=1).values
    return (votes == test_labels).float().mean().item()
