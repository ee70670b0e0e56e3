"""Robustness: accuracy as Gaussian noise grows."""
from __future__ import annotations

import torch
import torch.nn as nn

from .models import check_input, head_logits


@torch.no_grad()
def noise_robustness(model: nn.Module, x: torch.Tensor, y: torch.Tensor, sigmas, *, head: str | None = None,
                     seed: int = 0) -> list[float]:
    """Accuracy on x + sigma * noise for each sigma (the noisy image is clipped back to [0, 1]).

    x: (N, C, H, W) in [0, 1]; y: (N,) long; sigmas: increasing noise levels >= 0. Returns one
    accuracy per sigma. The same noise pattern is scaled for every sigma, so the curve is smooth.
    """
    check_input(model, x)
    sigmas = [float(s) for s in sigmas]
    if any(s < 0 for s in sigmas):
        raise ValueError(f"sigmas must be >= 0, got {sigmas}")
    model.eval()
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    return [(head_logits(model, (x + s * noise).clamp(0, 1), head).argmax(1) == y).float().mean().item()
            for s in sigmas]
