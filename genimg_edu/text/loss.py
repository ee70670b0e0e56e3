"""The text-to-image training loss: chapter 06's denoising loss, with a caption and a v target.

The network predicts v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0 (Salimans & Ho 2022); with
probability `caption_dropout` a caption is replaced by the empty prompt "", so the same network also
learns the unconditional model that classifier-free guidance needs. Notebook 07.
"""
from __future__ import annotations

import torch

from ..diffusion import q_sample
from ..diffusion.forward import per_sample
from .text_to_image import TextToImage


def v_target(x0, t, eps, *, schedule) -> torch.Tensor:
    """v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0, the velocity target (Salimans & Ho 2022)."""
    alpha_bar = per_sample(schedule.alpha_bar, t, x0)
    return alpha_bar.sqrt() * eps - (1 - alpha_bar).sqrt() * x0


def diffusion_loss(model: TextToImage, batch, *, caption_dropout: float) -> torch.Tensor:
    """batch = (x0 (B, 3, s, s) in [-1, 1], ids (B, L), mask (B, L)). Random t and eps,
    captions dropped to "" with probability caption_dropout; MSE between true and predicted v."""
    x0, ids, mask = batch
    null_ids, null_mask = model.tokenizer([""])
    drop = torch.rand(len(x0), device=x0.device) < caption_dropout
    ids = torch.where(drop[:, None], null_ids.to(x0.device), ids)
    mask = torch.where(drop[:, None], null_mask.to(x0.device), mask)
    t = torch.randint(0, model.schedule.T, (len(x0),), device=x0.device)
    eps = torch.randn_like(x0)
    xt = q_sample(x0, t, eps, schedule=model.schedule)
    return ((model(xt, t, ids, mask) - v_target(x0, t, eps, schedule=model.schedule)) ** 2).mean()
