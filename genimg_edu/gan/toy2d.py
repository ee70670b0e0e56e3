"""A GAN you can watch: 2-D toy data, a tiny generator and discriminator, and a mode counter.

Real data are points in the plane (a single Gaussian, a ring of Gaussians, a grid of Gaussians).
The generator G maps 2-D noise z ~ N(0, I) to points; the discriminator D maps a point to one
logit, "how real does this look". Everything is small enough to train live, step by step, in
notebook 05 (see `genimg_edu.gan.session` and `genimg_edu.gan.widgets`).
"""
from __future__ import annotations

import math

import torch
from torch import nn

TOY_DATASETS = ("gaussian", "ring", "grid")


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int number of points, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    return n


def ring_centres(modes: int = 8, radius: float = 2.0) -> torch.Tensor:
    """The `modes` centres of a ring, evenly spaced on a circle: (modes, 2)."""
    if isinstance(modes, bool) or not isinstance(modes, int) or modes < 1:
        raise ValueError(f"modes must be a positive int, got {modes!r}")
    angles = torch.arange(modes, dtype=torch.float32) * (2 * math.pi / modes)
    return radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def grid_centres(side: int = 5, spacing: float = 1.0) -> torch.Tensor:
    """A side x side grid of centres around the origin: (side**2, 2)."""
    if isinstance(side, bool) or not isinstance(side, int) or side < 1:
        raise ValueError(f"side must be a positive int, got {side!r}")
    ticks = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    gx, gy = torch.meshgrid(ticks, ticks, indexing="xy")
    return torch.stack([gx.flatten(), gy.flatten()], dim=1)


def mixture_of_gaussians(n: int, centres: torch.Tensor, *, std: float,
                         generator: torch.Generator | None = None) -> torch.Tensor:
    """n points: pick a centre uniformly, add N(0, std^2) noise. centres: (K, 2). Returns (n, 2)."""
    _check_n(n)
    if not isinstance(centres, torch.Tensor) or centres.ndim != 2 or centres.shape[1] != 2:
        raise ValueError(f"centres must be a (K, 2) tensor, got {getattr(centres, 'shape', centres)!r}")
    if std <= 0:
        raise ValueError(f"std must be > 0, got {std}")
    which = torch.randint(len(centres), (n,), generator=generator)
    return centres[which] + std * torch.randn(n, 2, generator=generator)


def toy_centres(name: str) -> torch.Tensor:
    """The mode centres of a toy data set (gaussian: 1, ring: 8, grid: 25)."""
    if name == "gaussian":
        return torch.tensor([[1.0, 1.0]])
    if name == "ring":
        return ring_centres(8, 2.0)
    if name == "grid":
        return grid_centres(5, 1.0)
    raise ValueError(f"name must be one of {TOY_DATASETS}, got {name!r}")


TOY_STD = {"gaussian": 0.3, "ring": 0.05, "grid": 0.05}  # spread of each mode


def mode_radius(name: str) -> float:
    """A generated point "hits" a mode when it is within 3 std of its centre (the usual toy-GAN rule)."""
    toy_centres(name)  # validates the name
    return 3 * TOY_STD[name]


def sample_toy(name: str, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """n real points of toy data set `name` (one of TOY_DATASETS): (n, 2) float32."""
    centres = toy_centres(name)
    return mixture_of_gaussians(n, centres, std=TOY_STD[name], generator=generator)


def _mlp(sizes: list[int], activation: type[nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


class ToyGenerator(nn.Module):
    """G: z (B, latent_dim) ~ N(0, I) -> points (B, 2). A small MLP with ReLU."""

    def __init__(self, *, latent_dim: int = 2, hidden: int = 64, layers: int = 3):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = _mlp([latent_dim] + [hidden] * layers + [2], nn.ReLU)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must be (B, {self.latent_dim}), got {tuple(z.shape)}")
        return self.net(z)


class MinibatchStd(nn.Module):
    """Append the batch's average feature spread as one extra feature (Karras et al. 2018).

    A collapsed generator makes a batch of near-identical fakes; D can see that spread is tiny and
    reject them all, so G is pushed to spread out over the modes. (B, F) -> (B, F + 1).
    """

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        spread = h.std(dim=0, unbiased=False).mean() if len(h) > 1 else h.new_zeros(())
        return torch.cat([h, spread.expand(len(h), 1)], dim=1)


class ToyDiscriminator(nn.Module):
    """D: points (B, 2) -> logits (B,) (large = "looks real"). A small MLP with LeakyReLU.

    minibatch_std=True adds `MinibatchStd` before the last layer: the mode-collapse fix of notebook 05.
    """

    def __init__(self, *, hidden: int = 64, layers: int = 3, minibatch_std: bool = False):
        super().__init__()
        self.minibatch_std = minibatch_std
        self.body = _mlp([2] + [hidden] * layers, nn.LeakyReLU)
        self.body.append(nn.LeakyReLU())
        self.mbstd = MinibatchStd() if minibatch_std else nn.Identity()
        self.head = nn.Linear(hidden + int(minibatch_std), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"x must be (B, 2) points, got {tuple(x.shape)}")
        return self.head(self.mbstd(self.body(x))).squeeze(1)


def modes_covered(points: torch.Tensor, centres: torch.Tensor, *, radius: float,
                  min_count: int = 1) -> int:
    """How many centres have at least `min_count` of `points` within `radius`.

    points: (N, 2); centres: (K, 2). A generator that has collapsed onto 2 of 8 ring modes scores 2.
    Notebook 05.
    """
    for name, value in (("points", points), ("centres", centres)):
        if not isinstance(value, torch.Tensor) or value.ndim != 2 or value.shape[1] != 2:
            raise ValueError(f"{name} must be a (N, 2) tensor, got {getattr(value, 'shape', value)!r}")
    if radius <= 0:
        raise ValueError(f"radius must be > 0, got {radius}")
    near = torch.cdist(centres.float(), points.float()) <= radius  # (K, N)
    return int((near.sum(dim=1) >= min_count).sum())


def high_quality_fraction(points: torch.Tensor, centres: torch.Tensor, *, radius: float) -> float:
    """Fraction of points within `radius` of some centre (the rest fell between the modes)."""
    if len(points) == 0:
        raise ValueError("points is empty")
    return float((torch.cdist(points.float(), centres.float()).min(dim=1).values <= radius).float().mean())
