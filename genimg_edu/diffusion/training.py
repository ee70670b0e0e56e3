r"""Training a denoiser: the whole objective is "guess the noise".

    loss = || eps - model(sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps, t) ||^2,
    t ~ Uniform{0..T-1}, eps ~ N(0, I)                                   (Ho et al. 2020, eq. 14)

`DiffusionLoss` is a loss_fn for genimg_edu.train.train; with `label_dropout` it also teaches the
"no label" case that classifier-free guidance needs. `EMA` (from genimg_edu.ema) keeps an exponential
moving average of the weights (sampling from it gives cleaner images after short training). Notebook 06a, section 2.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..ema import EMA  # noqa: F401  (re-exported: chapter 06 imports it from here)
from .forward import q_sample
from .schedule import NoiseSchedule


class DiffusionLoss:
    """loss_fn(model, batch) -> MSE between the true and predicted noise.
    batch: (x0, labels) with x0 (B, C, H, W) in [-1, 1] (labels ignored when conditional=False) or x0.
    label_dropout: share of labels replaced by the "no label" token (model.config.num_classes)."""

    def __init__(self, schedule: NoiseSchedule, *, conditional: bool = False, label_dropout: float = 0.1):
        if not 0.0 <= label_dropout < 1.0:
            raise ValueError(f"label_dropout must be in [0, 1), got {label_dropout}")
        self.schedule, self.conditional, self.label_dropout = schedule, conditional, label_dropout

    def __call__(self, model: torch.nn.Module, batch) -> torch.Tensor:
        x0, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
        if x0.min() < -1.0 - 1e-6 or x0.max() > 1.0 + 1e-6:
            raise ValueError("x0 must lie in [-1, 1]: load data with value_range=(-1, 1)")
        t = torch.randint(0, self.schedule.T, (x0.shape[0],), device=x0.device)
        eps = torch.randn_like(x0)
        xt = q_sample(x0, t, eps, schedule=self.schedule)
        if self.conditional:
            drop = torch.rand(labels.shape, device=labels.device) < self.label_dropout
            labels = torch.where(drop, torch.full_like(labels, model.config.num_classes), labels)
            return F.mse_loss(model(xt, t, labels), eps)
        return F.mse_loss(model(xt, t), eps)
