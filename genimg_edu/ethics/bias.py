"""Bias brushstrokes: a generator inherits the skew of its data — and guidance can amplify it.

We train a class-conditional diffusion model on shapes whose colours are skewed (e.g. 80 % red),
ask only for a shape ("a circle", never a colour), and let the shapes judge read the colour of what
comes out. The mitigation reweights the data we already have (rarer colours drawn more often).

    data = skewed_shapes(red_share=0.8)            # ImageSet in [-1, 1], labels = shape
    model, schedule = train_shapes_diffusion(data, config=BiasConfig())
    images = generate_shapes(model, schedule, n=200, scale=3.0)
    colour_shares(judge, images)                   # {"red": 0.83, "green": 0.04, ...}
    rebalanced = reweight(data, "colour")          # resampled so every colour is equally common

The real-world version: Luccioni et al. (2023), "Stable Bias", measured the gender and ethnicity
of people Stable Diffusion and DALL-E 2 draw for professions. Notebook 10, section 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data import ImageSet, load_dataset
from ..checks import check_int, check_number, check_seed
from ..data.shapes import ATTRIBUTES
from ..diffusion import DiffusionLoss, UNet, UNetConfig, make_schedule
from ..diffusion.digits import generate_digits
from ..ema import EMA
from ..train import TrainConfig, train

COLOURS = ATTRIBUTES["colour"]


@dataclass(frozen=True)
class BiasConfig:
    size: int = 16                    # pixels per side (the shapes judge reads 16 or 32)
    steps: int = 800                  # optimizer steps
    batch_size: int = 64              # images per step
    lr: float = 3e-3                  # AdamW learning rate
    base_channels: int = 16           # UNet width at full resolution (small: colour is easy to learn)
    label_dropout: float = 0.15       # share of "no shape" examples, for classifier-free guidance
    ema_decay: float = 0.99           # EMA of the weights we sample from
    seed: int = 0                     # seeds data order, noise and weights

    def __post_init__(self):
        if self.size not in (16, 32):
            raise ValueError(f"size must be 16 or 32 (the shapes judge's sizes), got {self.size}")
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be a positive int, got {self.steps!r}")


def red_weight(red_share: float) -> float:
    """The `weights` knob value that makes red `red_share` of the data (the other 4 colours weigh 1)."""
    check_number("red_share", red_share, low=0, high=1, low_open=True, high_open=True)
    return 4 * red_share / (1 - red_share)


def skewed_shapes(*, red_share: float = 0.8, n: int = 3000, size: int = 16, seed: int = 0) -> ImageSet:
    """Shapes with red making up about `red_share` of the images, in [-1, 1]; labels = shape index."""
    check_int("n", n, low=1)
    check_seed("seed", seed)
    return load_dataset("shapes", n=n, size=size, seed=seed, value_range=(-1, 1),
                        weights={"colour": {"red": red_weight(red_share)}})


def data_shares(data: ImageSet, attribute: str = "colour") -> dict[str, float]:
    """Share of each value of `attribute` in the data (from its attribute labels)."""
    values = data.attribute_values[attribute]
    counts = torch.bincount(data.attributes[attribute], minlength=len(values)).float()
    return {v: float(c) for v, c in zip(values, counts / counts.sum())}


def reweight(data: ImageSet, attribute: str = "colour", *, seed: int = 0) -> ImageSet:
    """Mitigation by reweighting: resample the same images (with replacement, same total) with
    probability proportional to 1 / frequency of their `attribute` value, so every value is equally
    likely. No new data is collected; rare examples are simply seen more often."""
    if attribute not in data.attributes:
        raise ValueError(f"attribute must be one of {list(data.attributes)}, got {attribute!r}")
    codes = data.attributes[attribute]
    counts = torch.bincount(codes, minlength=len(data.attribute_values[attribute])).float()
    weights = 1.0 / counts[codes]
    rows = torch.multinomial(weights, len(data), replacement=True, generator=torch.Generator().manual_seed(seed))
    return data.subset(rows)


def train_shapes_diffusion(data: ImageSet, *, config: BiasConfig = BiasConfig(), progress: bool = False):
    """Class-conditional (shape) diffusion on `data` (in [-1, 1]). Returns (ema_model in eval mode, schedule)."""
    if tuple(data.value_range) != (-1.0, 1.0):
        raise ValueError(f"data must be in [-1, 1] (value_range=(-1, 1)), got {data.value_range}")
    torch.manual_seed(config.seed)
    schedule = make_schedule("cosine", T=1000)
    model = UNet(UNetConfig(in_channels=3, base_channels=config.base_channels, channel_mults=(1, 2),
                            num_classes=len(data.classes)))
    ema = EMA(model, decay=config.ema_decay)
    loss_fn = DiffusionLoss(schedule, conditional=True, label_dropout=config.label_dropout)
    train(model, loss_fn, data, config=TrainConfig(steps=config.steps, batch_size=config.batch_size,
                                                   lr=config.lr, seed=config.seed, progress=progress,
                                                   log_every=max(config.steps // 20, 1), device="cpu"),
          on_step=[ema])
    return ema.model.eval(), schedule


def generate_shapes(model: UNet, schedule, *, n: int = 200, scale: float = 3.0, size: int = 16,
                    steps: int = 20, seed: int = 0) -> torch.Tensor:
    """n shapes (equal numbers of each shape, colour never asked for) at guidance `scale`.
    Returns (n, 3, size, size) in [0, 1]."""
    labels = torch.arange(n) % model.config.num_classes
    return generate_digits(model, labels=labels, schedule=schedule, size=size, steps=steps, scale=scale,
                           seed=seed)


def colour_shares(judge, images: torch.Tensor) -> dict[str, float]:
    """Share of each colour among `images` (N, 3, S, S) in [0, 1], as the shapes judge reads them."""
    predicted = judge.predict(images)["colour"]
    counts = torch.bincount(predicted, minlength=len(COLOURS)).float()
    return {c: float(v) for c, v in zip(COLOURS, counts / counts.sum())}


def amplification(output_share: float, data_share: float) -> float:
    """How much the model exaggerates a value's share: output / data (1 = faithful, > 1 = amplified)."""
    check_number("output_share", output_share, low=0, high=1)
    check_number("data_share", data_share, low=0, high=1, low_open=True)
    return output_share / data_share
