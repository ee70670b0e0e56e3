r"""Classifier-free guidance: push samples harder towards their condition.

One network is trained both with labels and, 10-20% of the time, with the "no label" token, so it
predicts the noise two ways: eps(xt, t, y) and eps(xt, t, none). At sampling time we extrapolate

    eps_guided = eps_uncond + scale * (eps_cond - eps_uncond)        (Ho & Salimans 2022, eq. 6)

scale = 1 is the plain conditional model, 0 the unconditional one, > 1 trades diversity for
samples that look more like their class. Notebook 06a, section 5; reused by chapter 07.
"""
from __future__ import annotations

from typing import Callable

import torch

ModelFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def check_scale(scale) -> float:
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise TypeError(f"scale must be a number, got {type(scale).__name__}")
    if scale < 0:
        raise ValueError(f"scale must be >= 0 (0 = unconditional, 1 = conditional), got {scale}")
    return float(scale)


def combine_guidance(eps_cond: torch.Tensor, eps_uncond: torch.Tensor, scale: float) -> torch.Tensor:
    """eps_uncond + scale * (eps_cond - eps_uncond); both (B, C, H, W)."""
    if eps_cond.shape != eps_uncond.shape:
        raise ValueError(f"eps_cond {tuple(eps_cond.shape)} and eps_uncond {tuple(eps_uncond.shape)} differ")
    return eps_uncond + check_scale(scale) * (eps_cond - eps_uncond)


def classifier_free_guidance(model_fn_cond: ModelFn, model_fn_uncond: ModelFn, scale: float) -> ModelFn:
    """A model_fn(xt, t) for sample() that combines two model_fns with guidance `scale`."""
    scale = check_scale(scale)

    def guided(xt: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if scale == 1.0:
            return model_fn_cond(xt, t)
        if scale == 0.0:
            return model_fn_uncond(xt, t)
        return combine_guidance(model_fn_cond(xt, t), model_fn_uncond(xt, t), scale)

    return guided


def guided_model_fn(model: torch.nn.Module, labels: torch.Tensor, *, scale: float,
                    null_label: int | None = None) -> ModelFn:
    """A model_fn(xt, t) for a class-conditional model(xt, t, labels): one forward pass on a doubled
    batch (conditional and "no label" halves) per step. labels: (B,) long; null_label defaults to
    model.config.num_classes (the UNet's "no label" token)."""
    if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or labels.dtype != torch.long:
        raise TypeError("labels must be a (B,) long tensor of class indices")
    scale = check_scale(scale)
    if null_label is None:
        null_label = getattr(getattr(model, "config", None), "num_classes", None)
        if null_label is None:
            raise ValueError("pass null_label: the model has no config.num_classes to take it from")

    def guided(xt: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        y = labels.to(xt.device)
        if xt.shape[0] != y.shape[0]:
            raise ValueError(f"{y.shape[0]} labels for a batch of {xt.shape[0]} images")
        if scale == 1.0:
            return model(xt, t, y)
        none = torch.full_like(y, null_label)
        if scale == 0.0:
            return model(xt, t, none)
        eps = model(torch.cat([xt, xt]), torch.cat([t, t]), torch.cat([y, none]))
        eps_cond, eps_uncond = eps.chunk(2)
        return combine_guidance(eps_cond, eps_uncond, scale)

    return guided
