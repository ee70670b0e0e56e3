"""Walking through latent space: every point between two z's is an image too. Notebook 05."""
from __future__ import annotations

import torch


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between latents z0, z1 (same shape (..., D)) at t in [0, 1].

    Gaussian latents live near a sphere of radius sqrt(D); a straight line between two of them
    dips towards the origin, where G has rarely been; the arc keeps the norm. (White 2016.)
    """
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same shape, got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must be in [0, 1], got {t}")
    a, b = z0 / z0.norm(dim=-1, keepdim=True), z1 / z1.norm(dim=-1, keepdim=True)
    omega = torch.acos((a * b).sum(-1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))  # angle between them
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so) * z0 + (torch.sin(t * omega) / so) * z1


def interpolate_latents(z0: torch.Tensor, z1: torch.Tensor, steps: int, *, mode: str = "slerp") -> torch.Tensor:
    """`steps` latents from z0 to z1 (both (D,)), ends included: (steps, D). mode: "linear" or "slerp"."""
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must both be (D,), got {tuple(z0.shape)} and {tuple(z1.shape)}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an int >= 2, got {steps!r}")
    if mode not in ("linear", "slerp"):
        raise ValueError(f"mode must be 'linear' or 'slerp', got {mode!r}")
    ts = torch.linspace(0, 1, steps).tolist()
    if mode == "linear":
        return torch.stack([(1 - t) * z0 + t * z1 for t in ts])
    return torch.stack([slerp(z0, z1, t) for t in ts])
