r"""Reverse diffusion: start from pure noise and remove a little of it at a time.

One step, from timestep t to an earlier timestep t_prev (t_prev = -1 means "the clean image"):

1. ask the model for the noise eps in xt;
2. estimate the clean image x0 = (xt - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t)   (Ho eq. 15);
3. clip x0 to [-1, 1] (images live there) and, for DDIM, recompute eps from the clipped x0 so
   the two estimates agree again (otherwise the update mixes a clipped x0 with an unclipped eps
   and drifts off the data: measured guided accuracy fell from ~99% to 36-73%);
4. DDPM (Ho et al. 2020, eq. 6-7): draw x_{t_prev} from the Gaussian posterior q(x_{t_prev} | xt, x0);
   DDIM (Song et al. 2021, eq. 12): x_{t_prev} = sqrt(alpha_bar_prev) x0 + direction to xt + eta-noise.

Both steps equal diffusers' DDPMScheduler.step / DDIMScheduler.step (epsilon prediction,
variance_type="fixed_small", set_alpha_to_one=True, DDIM with use_clipped_model_output=True) on the
same inputs and generator. Notebook 06a, section 3; reused by chapter 07.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from tqdm.auto import tqdm

from .forward import check_batch_timesteps, per_sample, predict_eps, predict_x0
from .schedule import NoiseSchedule, timesteps_for

SAMPLERS = ("ddim", "ddpm")


def _alpha_bar_prev(t_prev, x: torch.Tensor, *, schedule: NoiseSchedule) -> torch.Tensor:
    """alpha_bar at t_prev as (B, 1, 1, 1); t_prev = -1 is the clean image (alpha_bar = 1)."""
    if isinstance(t_prev, int) and not isinstance(t_prev, bool):
        t_prev = torch.tensor(t_prev)
    if not isinstance(t_prev, torch.Tensor) or t_prev.is_floating_point():
        raise TypeError(f"t_prev must be an int or an integer tensor, got {type(t_prev).__name__}")
    t_prev = t_prev.long().to(x.device).expand(x.shape[0])
    if int(t_prev.min()) < -1 or int(t_prev.max()) >= schedule.T:
        raise ValueError(f"t_prev must lie in [-1, {schedule.T}) (-1 = clean), got {t_prev.tolist()}")
    picked = per_sample(schedule.alpha_bar, t_prev.clamp(min=0), x)
    return torch.where(t_prev.reshape(picked.shape) >= 0, picked, torch.ones_like(picked))


def _x0_estimate(eps_pred, t, xt, *, schedule, clip_x0):
    if eps_pred.shape != xt.shape:
        raise ValueError(f"eps_pred {tuple(eps_pred.shape)} and xt {tuple(xt.shape)} must have the same shape")
    x0 = predict_x0(xt, t, eps_pred, schedule=schedule)
    return x0.clamp(-1.0, 1.0) if clip_x0 else x0


def ddpm_step(eps_pred: torch.Tensor, t, xt: torch.Tensor, *, schedule: NoiseSchedule,
              generator: torch.Generator | None = None, clip_x0: bool = True, t_prev=None):
    """One ancestral DDPM step. eps_pred, xt: (B, C, H, W); t: int or (B,) long in [0, T);
    t_prev: defaults to t - 1 (set it to skip steps; -1 = clean). Returns (x_prev, x0_pred).
    The posterior q(x_prev | xt, x0) uses x0 directly, so a clipped x0 needs no eps recompute."""
    t = check_batch_timesteps(t, xt, T=schedule.T)
    alpha_bar = per_sample(schedule.alpha_bar, t, xt)
    alpha_bar_prev = _alpha_bar_prev(t - 1 if t_prev is None else t_prev, xt, schedule=schedule)
    x0 = _x0_estimate(eps_pred, t, xt, schedule=schedule, clip_x0=clip_x0)
    alpha = alpha_bar / alpha_bar_prev  # the one-step alpha between t_prev and t
    beta = 1.0 - alpha
    mean = (alpha_bar_prev.sqrt() * beta * x0 + alpha.sqrt() * (1.0 - alpha_bar_prev) * xt) / (1.0 - alpha_bar)
    noisy = (t > 0).reshape(alpha.shape)
    if bool(noisy.any()):  # no noise is drawn on the last step (like diffusers, so generators agree)
        variance = ((1.0 - alpha_bar_prev) / (1.0 - alpha_bar) * beta).clamp(min=1e-20)  # Ho eq. 7
        noise = torch.randn(xt.shape, generator=generator, device=xt.device, dtype=xt.dtype)
        mean = mean + torch.where(noisy, variance.sqrt() * noise, torch.zeros_like(noise))
    return mean, x0


def ddim_step(eps_pred: torch.Tensor, t, t_prev, xt: torch.Tensor, *, schedule: NoiseSchedule,
              eta: float = 0.0, clip_x0: bool = True, generator: torch.Generator | None = None):
    """One DDIM step from t to t_prev (< t; -1 = clean). eta=0: deterministic; eta=1: DDPM-like noise.
    eps_pred, xt: (B, C, H, W). Returns (x_prev, x0_pred). Song et al. 2021, eq. 12 and 16."""
    if not 0.0 <= float(eta):
        raise ValueError(f"eta must be >= 0 (0 = deterministic DDIM, 1 = DDPM-like), got {eta}")
    t = check_batch_timesteps(t, xt, T=schedule.T)
    alpha_bar = per_sample(schedule.alpha_bar, t, xt)
    alpha_bar_prev = _alpha_bar_prev(t_prev, xt, schedule=schedule)
    x0 = _x0_estimate(eps_pred, t, xt, schedule=schedule, clip_x0=clip_x0)
    eps = predict_eps(xt, t, x0, schedule=schedule) if clip_x0 else eps_pred  # agree with clipped x0
    sigma = eta * ((1.0 - alpha_bar_prev) / (1.0 - alpha_bar) * (1.0 - alpha_bar / alpha_bar_prev)).sqrt()
    x_prev = alpha_bar_prev.sqrt() * x0 + (1.0 - alpha_bar_prev - sigma**2).clamp(min=0).sqrt() * eps
    if eta > 0:
        x_prev = x_prev + sigma * torch.randn(xt.shape, generator=generator, device=xt.device, dtype=xt.dtype)
    return x_prev, x0


@dataclass
class Trajectory:
    """What sample() saw on the way. xt: (steps+1, B, C, H, W), from pure noise to the result;
    x0_pred: (steps, B, C, H, W), the model's guess of the clean image at each step; timesteps: (steps,)."""

    xt: torch.Tensor
    x0_pred: torch.Tensor
    timesteps: list[int]


@torch.no_grad()
def sample(model_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *, shape, schedule: NoiseSchedule,
           steps: int, sampler: str = "ddim", eta: float = 0.0, clip_x0: bool = True,
           generator: torch.Generator | None = None, progress: bool = True, return_trajectory: bool = False,
           spacing: str = "trailing", device=None):
    """Generate images. model_fn(xt (B, C, H, W), t (B,) long) -> eps prediction, same shape as xt.
    shape: (B, C, H, W); steps: how many model calls (1..T); sampler: "ddim" or "ddpm".
    Returns x (B, C, H, W) (in [-1, 1] when clip_x0), or (x, Trajectory) with return_trajectory.
    Checks its inputs, then runs `sampling_loop` (the idea, taught in notebook 06a, section 3)."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if not callable(model_fn):
        raise TypeError("model_fn must be callable: model_fn(xt, t) -> predicted noise")
    shape = tuple(shape)
    if len(shape) < 2 or not all(isinstance(n, int) and n > 0 for n in shape):
        raise ValueError(f"shape must be positive ints like (B, C, H, W), got {shape}")
    if not 0.0 <= float(eta):
        raise ValueError(f"eta must be >= 0 (0 = deterministic DDIM, 1 = DDPM-like), got {eta}")
    timesteps = timesteps_for(steps, T=schedule.T, spacing=spacing)
    return sampling_loop(model_fn, shape=shape, timesteps=timesteps, schedule=schedule, sampler=sampler, eta=eta,
                         clip_x0=clip_x0, generator=generator, progress=progress,
                         return_trajectory=return_trajectory, device=device)


def sampling_loop(model_fn, *, shape, timesteps, schedule, sampler="ddim", eta=0.0, clip_x0=True, generator=None,
                  progress=False, return_trajectory=False, device=None):
    """The reverse process, from pure noise to an image: one model call and one step per timestep.
    No input checks (`sample` does them). timesteps: descending list of ints, e.g. [999, 899, ..., 99]."""
    # 1. start from pure Gaussian noise: the forward process at t = T-1 looks like this
    x = torch.randn(shape, generator=generator, device=device)
    xs, x0s = [x.cpu()], []
    for i, t in enumerate(tqdm(timesteps, desc=f"{sampler} sampling", disable=not progress)):
        t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        # 2. the model predicts the noise in the current image
        eps = model_fn(x, torch.full((shape[0],), t, dtype=torch.long, device=x.device))
        # 3. take one step back towards the data (the step estimates x0 and clips it)
        if sampler == "ddim":
            x, x0 = ddim_step(eps, t, t_prev, x, schedule=schedule, eta=eta, clip_x0=clip_x0,
                              generator=generator)
        else:
            x, x0 = ddpm_step(eps, t, x, schedule=schedule, generator=generator, clip_x0=clip_x0, t_prev=t_prev)
        if return_trajectory:
            xs.append(x.cpu())
            x0s.append(x0.cpu())
    # 4. after the last step (t_prev = -1) x is the generated image
    if return_trajectory:
        return x, Trajectory(xt=torch.stack(xs), x0_pred=torch.stack(x0s), timesteps=timesteps)
    return x
