r"""Noise schedules: how much signal survives at each of the T steps of the forward process.

A schedule is a list of small variances beta_1..beta_T. Each forward step keeps sqrt(1 - beta_t) of
the image and adds fresh Gaussian noise of variance beta_t. Chaining them gives the closed form

    alpha_t = 1 - beta_t,    alpha_bar_t = prod_{s <= t} alpha_s,
    xt = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * eps,    eps ~ N(0, I)   (Ho et al. 2020, eq. 4)

so alpha_bar_t is the share of the signal's variance left at step t and the signal-to-noise ratio is
SNR(t) = alpha_bar_t / (1 - alpha_bar_t). "linear" is DDPM's beta schedule (Ho et al. 2020);
"cosine" is Nichol & Dhariwal 2021 (eq. 17), which destroys small images more gently.
Both are computed exactly as diffusers' DDPMScheduler computes "linear" and "squaredcos_cap_v2"
(float32 betas, cumulative product in float32), so the two agree to rounding. Notebook 06a.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

SCHEDULES = ("linear", "cosine")
COSINE_OFFSET = 0.008  # Nichol & Dhariwal's s: keeps beta_1 from being vanishingly small
MAX_BETA = 0.999  # cosine betas are capped so the last step does not divide by ~0


@dataclass(frozen=True)
class NoiseSchedule:
    """The numbers that define a discrete diffusion process. All tensors are (T,) float32 on the CPU.

    betas[t]: variance of the noise added at step t (t = 0..T-1, i.e. the paper's step t+1).
    alphas[t] = 1 - betas[t]; alpha_bar[t] = prod(alphas[:t+1]): signal variance left after step t.
    kind: "linear" or "cosine" (or "custom" for schedules built by from_betas).
    """

    betas: torch.Tensor
    alphas: torch.Tensor
    alpha_bar: torch.Tensor
    kind: str = "custom"

    @property
    def T(self) -> int:
        """Number of diffusion steps."""
        return int(self.betas.shape[0])

    def snr(self, t) -> torch.Tensor:
        """Signal-to-noise ratio alpha_bar / (1 - alpha_bar) at step(s) t (int or long tensor in [0, T))."""
        t = check_timesteps(t, T=self.T)
        ab = self.alpha_bar[t]
        return ab / (1.0 - ab)

    def to(self, device) -> "NoiseSchedule":
        """The same schedule with its tensors on `device` (the GPU samplers index it there)."""
        return NoiseSchedule(self.betas.to(device), self.alphas.to(device), self.alpha_bar.to(device),
                             self.kind)


def from_betas(betas: torch.Tensor, *, kind: str = "custom") -> NoiseSchedule:
    """A NoiseSchedule from a (T,) tensor of betas in (0, 1)."""
    if not isinstance(betas, torch.Tensor) or betas.ndim != 1 or betas.numel() < 1:
        raise ValueError("betas must be a 1-D tensor of shape (T,) with T >= 1")
    betas = betas.detach().to(device="cpu", dtype=torch.float32)
    if not bool(((betas > 0) & (betas < 1)).all()):
        raise ValueError("every beta must lie strictly between 0 and 1")
    alphas = 1.0 - betas
    return NoiseSchedule(betas=betas, alphas=alphas, alpha_bar=torch.cumprod(alphas, dim=0), kind=kind)


def cosine_betas(T: int) -> torch.Tensor:
    """Betas whose alpha_bar follows cos^2((t/T + s) / (1 + s) * pi/2) (Nichol & Dhariwal 2021)."""
    def f(u: float) -> float:
        return math.cos((u + COSINE_OFFSET) / (1 + COSINE_OFFSET) * math.pi / 2) ** 2

    betas = [min(1 - f((i + 1) / T) / f(i / T), MAX_BETA) for i in range(T)]
    return torch.tensor(betas, dtype=torch.float32)


def make_schedule(kind: str = "linear", *, T: int = 1000, beta_start: float = 1e-4,
                  beta_end: float = 0.02) -> NoiseSchedule:
    """Build a noise schedule. kind: "linear" (betas evenly from beta_start to beta_end) or "cosine"
    (beta_start / beta_end are ignored). T: number of steps (>= 2). Notebook 06a, section 1."""
    if kind not in SCHEDULES:
        raise ValueError(f"kind must be one of {SCHEDULES}, got {kind!r}")
    if not isinstance(T, int) or isinstance(T, bool) or T < 2:
        raise ValueError(f"T must be an int >= 2, got {T!r}")
    if kind == "linear":
        if not 0 < beta_start <= beta_end < 1:
            raise ValueError(f"need 0 < beta_start <= beta_end < 1, got {beta_start}, {beta_end}")
        betas = torch.linspace(beta_start, beta_end, T, dtype=torch.float32)
    else:
        betas = cosine_betas(T)
    return from_betas(betas, kind=kind)


def check_timesteps(t, *, T: int) -> torch.Tensor:
    """t as a long tensor, after checking it is an integer (or integer tensor) in [0, T)."""
    if isinstance(t, bool):
        raise TypeError("t must be an int or an integer tensor, got a bool")
    if isinstance(t, int):
        t = torch.tensor(t)
    if not isinstance(t, torch.Tensor) or t.is_floating_point() or t.is_complex():
        raise TypeError(f"t must be an int or an integer (long) tensor, got {type(t).__name__}"
                        + (f" of dtype {t.dtype}" if isinstance(t, torch.Tensor) else ""))
    t = t.long()
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >= T):
        raise ValueError(f"t must lie in [0, {T}), got values in [{int(t.min())}, {int(t.max())}]")
    return t


def timesteps_for(steps: int, *, T: int, spacing: str = "trailing") -> list[int]:
    """The `steps` timesteps a sampler visits, from noisiest to cleanest (descending, in [0, T)).

    "trailing" starts at T-1 (pure noise) and ends near T/steps, leaving one last jump to x0
    (Lin et al. 2024 show it is the honest choice); "leading" is diffusers' DDIM default
    (0, T//steps, 2*T//steps, ... reversed, so it starts below T-1); "linspace" rounds
    linspace(0, T-1, steps). All three match diffusers' `timestep_spacing` of the same name.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= T:
        raise ValueError(f"steps must be an int in [1, {T}], got {steps!r}")
    if spacing == "trailing":
        return [int(v) - 1 for v in np.round(np.arange(T, 0, -T / steps))]
    if spacing == "leading":
        ratio = T // steps
        return [i * ratio for i in range(steps)][::-1]
    if spacing == "linspace":
        return [int(v) for v in np.linspace(0, T - 1, steps).round()][::-1]
    raise ValueError(f"spacing must be one of 'trailing', 'leading', 'linspace', got {spacing!r}")
