r"""The forward process: jump straight from a clean image x0 to its noisy version xt.

    xt = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * eps,    eps ~ N(0, I)   (Ho et al. 2020, eq. 4)

Training picks a random t per image, makes xt this way, and asks the network to tell which eps was
added. Equal to diffusers' `DDPMScheduler.add_noise` on the same inputs. Notebook 06a, section 1.
"""
from __future__ import annotations

import torch

from .schedule import NoiseSchedule, check_timesteps


def per_sample(values: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """values[t] reshaped to (B, 1, 1, ...) so it broadcasts against `like` (B, ...)."""
    picked = values.to(like.device)[t.to(like.device)].to(like.dtype)
    return picked.reshape(-1, *([1] * (like.ndim - 1)))


def check_batch_timesteps(t, x: torch.Tensor, *, T: int) -> torch.Tensor:
    """t as a (B,) long tensor for a batch x of B items; an int (or 0-d tensor) is used for all."""
    if isinstance(t, int) and not isinstance(t, bool) and not 0 <= t < T:  # also ints too big for a tensor
        raise ValueError(f"t must lie in [0, {T}), got {t}")
    t = check_timesteps(t, T=T)
    if t.ndim == 0:
        t = t.expand(x.shape[0])
    if t.shape != (x.shape[0],):
        raise ValueError(f"t must be an int or a (B,) tensor with B={x.shape[0]}, got shape {tuple(t.shape)}")
    return t


# Images are in [-1, 1] and latents (chapter 08) have unit variance: nothing the course noises comes near
# this. Values beyond it are raw pixels (0..255) or unscaled data, which the schedule would silently drown.
MAX_ABS_VALUE = 10.0


def _check_finite_and_scaled(x: torch.Tensor, name: str) -> None:
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); it needs at least one item")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    biggest = x.abs().max().item()
    if biggest > MAX_ABS_VALUE:
        raise ValueError(f"{name} has values up to {biggest:g}: images must be in [-1, 1] (0..255 pixels: "
                         f"to_signed(x / 255)); nothing is rescaled silently")


def q_sample(x0: torch.Tensor, t, eps: torch.Tensor, *, schedule: NoiseSchedule) -> torch.Tensor:
    """Noise a batch in one jump. x0: (B, C, H, W) (or any (B, ...)) float, in [-1, 1] for images;
    t: (B,) long in [0, T) (or one int for all); eps: same shape as x0, standard normal.
    NaN/inf or values beyond +-MAX_ABS_VALUE (e.g. 0..255 pixels) are a ValueError. Returns xt, same shape as x0. Ho et al. 2020, eq. 4. Notebook 06a."""
    if not isinstance(x0, torch.Tensor) or not x0.is_floating_point() or x0.ndim < 2:
        raise TypeError("x0 must be a float tensor of shape (B, ...), e.g. (B, C, H, W) in [-1, 1]")
    if not isinstance(eps, torch.Tensor) or eps.shape != x0.shape:
        raise ValueError(f"eps must be a tensor of the same shape as x0 {tuple(x0.shape)}, "
                         f"got {tuple(eps.shape) if isinstance(eps, torch.Tensor) else type(eps).__name__}")
    _check_finite_and_scaled(x0, "x0")
    _check_finite_and_scaled(eps, "eps")
    t = check_batch_timesteps(t, x0, T=schedule.T)
    alpha_bar = per_sample(schedule.alpha_bar, t, x0)
    return alpha_bar.sqrt() * x0 + (1.0 - alpha_bar).sqrt() * eps


def predict_x0(xt: torch.Tensor, t, eps: torch.Tensor, *, schedule: NoiseSchedule) -> torch.Tensor:
    """Invert q_sample for x0 given a noise estimate: x0 = (xt - sqrt(1 - alpha_bar) eps) / sqrt(alpha_bar).
    Ho et al. 2020, eq. 15. Shapes as q_sample."""
    t = check_batch_timesteps(t, xt, T=schedule.T)
    alpha_bar = per_sample(schedule.alpha_bar, t, xt)
    return (xt - (1.0 - alpha_bar).sqrt() * eps) / alpha_bar.sqrt()


def predict_eps(xt: torch.Tensor, t, x0: torch.Tensor, *, schedule: NoiseSchedule) -> torch.Tensor:
    """Invert q_sample for eps given an x0 estimate: eps = (xt - sqrt(alpha_bar) x0) / sqrt(1 - alpha_bar).
    Used to make the noise estimate agree with a clipped x0. Shapes as q_sample."""
    t = check_batch_timesteps(t, xt, T=schedule.T)
    alpha_bar = per_sample(schedule.alpha_bar, t, xt)
    return (xt - alpha_bar.sqrt() * x0) / (1.0 - alpha_bar).sqrt()
