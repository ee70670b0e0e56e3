"""Saliency: which pixels the class score is most sensitive to (Simonyan et al. 2014)."""
from __future__ import annotations

import torch
import torch.nn as nn

from .models import check_input, head_logits


def saliency(model: nn.Module, x: torch.Tensor, target: torch.Tensor, *,
             head: str | None = None) -> torch.Tensor:
    """How strongly each pixel sways the score of class `target`: |d logit_target / d x|, max over channels.

    x: (N, C, H, W) in [0, 1]; target: (N,) long. Returns (N, H, W) >= 0. Simonyan et al. 2014.
    """
    check_input(model, x)
    if not isinstance(target, torch.Tensor) or target.shape != (len(x),):
        got = getattr(target, "shape", target)
        raise ValueError(f"target must be a tensor of shape ({len(x)},), got {got}")
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    scores = head_logits(model, x, head).gather(1, target.view(-1, 1)).sum()  # each image's own class score
    (grad,) = torch.autograd.grad(scores, x)
    return grad.abs().amax(dim=1)
