r"""Flow matching / rectified flow: the modern, simpler cousin of diffusion.

Draw a straight line from a data point x0 (time 0) to a noise sample eps (time 1):

    xt = (1 - t) x0 + t eps,        t ~ Uniform(0, 1)

and train a network to predict the velocity along it, v = d xt / dt = eps - x0
(Liu et al. 2023 "rectified flow"; Lipman et al. 2023 "flow matching"). Generating is solving the
ODE dx/dt = v(x, t) backwards from pure noise at t = 1 to t = 0; the Euler method takes `steps`
straight hops. Same UNet, same guidance formula, no schedule to tune. Notebook 06a, section 6.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

TIME_SCALE = 1000.0  # the UNet's time embedding was designed for t in [0, 1000)


def flow_interpolate(x0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """xt = (1 - t) x0 + t eps. x0, eps: (B, ...) same shape; t: (B,) float in [0, 1]."""
    if x0.shape != eps.shape:
        raise ValueError(f"x0 {tuple(x0.shape)} and eps {tuple(eps.shape)} must have the same shape")
    if not isinstance(t, torch.Tensor) or t.shape != (x0.shape[0],) or not t.is_floating_point():
        raise ValueError(f"t must be a float (B,) tensor with B={x0.shape[0]}")
    if t.numel() and (float(t.min()) < 0 or float(t.max()) > 1):
        raise ValueError("t must lie in [0, 1] (0 = data, 1 = noise)")
    t = t.reshape(-1, *([1] * (x0.ndim - 1)))
    return (1 - t) * x0 + t * eps


def flow_target(x0: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """The velocity the network learns: d xt / dt = eps - x0 (constant along each straight line)."""
    return eps - x0


class FlowMatchingLoss:
    """loss_fn(model, batch) for genimg_edu.train: MSE between model(xt, 1000 t[, labels]) and eps - x0.
    batch: x0 (B, ...) or (x0, labels); conditional and label_dropout as in DiffusionLoss."""

    def __init__(self, *, conditional: bool = False, label_dropout: float = 0.1):
        if not 0.0 <= label_dropout < 1.0:
            raise ValueError(f"label_dropout must be in [0, 1), got {label_dropout}")
        self.conditional, self.label_dropout = conditional, label_dropout

    def __call__(self, model: torch.nn.Module, batch) -> torch.Tensor:
        x0, labels = batch if isinstance(batch, (tuple, list)) else (batch, None)
        t = torch.rand(x0.shape[0], device=x0.device)
        eps = torch.randn_like(x0)
        xt = flow_interpolate(x0, eps, t)
        if self.conditional:
            drop = torch.rand(labels.shape, device=labels.device) < self.label_dropout
            labels = torch.where(drop, torch.full_like(labels, model.config.num_classes), labels)
            return F.mse_loss(model(xt, t * TIME_SCALE, labels), flow_target(x0, eps))
        return F.mse_loss(model(xt, t * TIME_SCALE), flow_target(x0, eps))


@torch.no_grad()
def euler_sample(velocity_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *, shape, steps: int,
                 generator: torch.Generator | None = None, device=None, progress: bool = False,
                 return_trajectory: bool = False):
    """Integrate dx/dt = velocity_fn(x, 1000 t) from t = 1 (noise) to t = 0 in `steps` Euler steps.
    velocity_fn(x (B, ...), t (B,) float in [0, 1000]) -> (B, ...). Returns x (B, ...) (unclipped),
    or (x, (steps+1, B, ...) trajectory)."""
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    x = torch.randn(tuple(shape), generator=generator, device=device)
    times = torch.linspace(1.0, 0.0, steps + 1)
    path = [x.cpu()]
    for i in tqdm(range(steps), desc="euler", disable=not progress):
        t, t_next = float(times[i]), float(times[i + 1])
        v = velocity_fn(x, torch.full((x.shape[0],), t * TIME_SCALE, device=x.device))
        x = x + (t_next - t) * v  # t_next < t: step back towards the data
        if return_trajectory:
            path.append(x.cpu())
    return (x, torch.stack(path)) if return_trajectory else x
