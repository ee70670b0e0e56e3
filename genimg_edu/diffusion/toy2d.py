r"""Diffusion you can see: points in the plane instead of pixels.

Two interleaved half-moons are the "data set". The same schedule and samplers as for images noise
them into a round Gaussian blob and bring them back. The network predicts eps, and eps hides a
vector field: the score, the direction in which the data become more likely,

    score(x, t) = grad log p_t(x) = -eps(x, t) / sqrt(1 - alpha_bar_t)          (Song et al. 2021)

so at every noise level the model is drawing arrows towards the moons. Notebook 06a, section 4.
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from .schedule import NoiseSchedule, check_timesteps
from .unet import timestep_embedding


def make_moons(n: int, *, noise: float = 0.05, seed: int = 0) -> torch.Tensor:
    """n points (n, 2) on two interleaved half-moons, scaled into [-1, 1]."""
    from sklearn.datasets import make_moons as sklearn_moons

    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    points, _ = sklearn_moons(n, noise=noise, random_state=seed)
    points = (torch.tensor(points, dtype=torch.float32) - torch.tensor([0.5, 0.25])) / 1.6
    return points.clamp(-1, 1)  # noise may push a rare point a hair past the edge


class ToyDenoiser(nn.Module):
    """eps = ToyDenoiser(xt (B, 2), t (B,)) -> (B, 2): an MLP told the timestep by a sinusoidal code."""

    def __init__(self, *, hidden: int = 128, time_dim: int = 32):
        super().__init__()
        self.time_dim = time_dim
        self.inp = nn.Linear(2 + time_dim, hidden)
        self.body = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(2)])
        self.out = nn.Linear(hidden, 2)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != 2 or t.shape != (x.shape[0],):
            raise ValueError(f"x must be (B, 2) and t (B,), got {tuple(x.shape)} and {tuple(t.shape)}")
        h = F.silu(self.inp(torch.cat([x, timestep_embedding(t, self.time_dim)], dim=1)))
        for layer in self.body:
            h = h + F.silu(layer(h))
        return self.out(h)


@torch.no_grad()
def score_field(model: nn.Module, *, t: int, schedule: NoiseSchedule, lim: float = 1.5, n: int = 21):
    """The learned score on an n x n grid over [-lim, lim]^2 at timestep t.
    Returns (points (n*n, 2), score (n*n, 2)) with score = -eps / sqrt(1 - alpha_bar_t)."""
    t = int(check_timesteps(t, T=schedule.T))
    ticks = torch.linspace(-lim, lim, n)
    gx, gy = torch.meshgrid(ticks, ticks, indexing="xy")
    points = torch.stack([gx.flatten(), gy.flatten()], dim=1)
    eps = model(points, torch.full((len(points),), t, dtype=torch.long))
    return points, -eps / (1.0 - schedule.alpha_bar[t]).sqrt()


def plot_score_field(model: nn.Module, *, t: int, schedule: NoiseSchedule, data=None, ax=None, lim: float = 1.5):
    """Quiver plot of the score at timestep t (arrows normalised to show direction), data in grey."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    points, score = score_field(model, t=t, schedule=schedule, lim=lim)
    direction = score / score.norm(dim=1, keepdim=True).clamp_min(1e-8)
    if data is not None:
        ax.scatter(data[:, 0], data[:, 1], s=2, c="0.7")
    ax.quiver(points[:, 0], points[:, 1], direction[:, 0], direction[:, 1], score.norm(dim=1),
              cmap="viridis", scale=30, width=0.005)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal",
           title=f"score at t={t}  (SNR {float(schedule.snr(t)):.2g})")
    return ax
