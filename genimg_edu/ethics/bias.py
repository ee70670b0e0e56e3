"""Bias brushstrokes: a generator inherits the skew of its data — and guidance can amplify it.

We train a class-conditional diffusion model on shapes whose colours are skewed (e.g. 80 % red),
ask only for a shape ("a circle", never a colour), and let the shapes judge read the colour of what
comes out. Guidance sharpens towards images that show the asked-for shape most clearly, and the
shape shows more clearly in some colours than in others (yellow on a light background hardly shows):
reweighting the data alone is therefore undone by guidance. The mitigation that holds at every
guidance scale names the attribute: the model learns shape *and* colour from the reweighted data,
and the system completes every "a circle" with a colour drawn from the target distribution
(the prompt-side fix OpenAI announced for DALL-E 2 in July 2022).

    data = skewed_shapes(red_share=0.8)            # ImageSet in [-1, 1], labels = shape
    model, schedule = train_shapes_diffusion(data, config=BiasConfig())
    images = generate_shapes(model, schedule, n=200, scale=3.0)
    colour_shares(judge, images)                   # {"red": 0.83, "green": 0.04, ...}
    rebalanced = reweight(data, "colour")          # resampled so every colour is equally common
    fair, _ = train_shapes_diffusion(rebalanced, config=BiasConfig(), condition="shape+colour")
    images = generate_shapes(fair, schedule, n=200, scale=3.0)   # colours drawn uniformly for it

The real-world version: Luccioni et al. (2023), "Stable Bias", measured the gender and ethnicity
of people Stable Diffusion and DALL-E 2 draw for professions. Notebook 10, section 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data import ImageSet, load_dataset, to_unit
from ..checks import check_int, check_number, check_seed
from ..data.shapes import ATTRIBUTES
from ..diffusion import DiffusionLoss, UNet, UNetConfig, make_schedule, sample
from ..diffusion.guidance import guided_model_fn
from ..ema import EMA
from ..train import TrainConfig, train

COLOURS = ATTRIBUTES["colour"]


@dataclass(frozen=True)
class BiasConfig:
    size: int = 16                    # pixels per side (the shapes judge reads 16 or 32)
    steps: int = 800                  # optimizer steps
    batch_size: int = 64              # images per step
    lr: float = 3e-3                  # AdamW learning rate
    base_channels: int = 16           # UNet width at full resolution (8 is 3x cheaper but learns neither shape nor colour skew in 800 steps)
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


CONDITIONS = ("shape", "shape+colour")


def condition_labels(data: ImageSet, condition: str) -> torch.Tensor:
    """(N,) class of every image: its shape (0..3), or shape and colour together (shape * 5 + colour, 0..19)."""
    if condition not in CONDITIONS:
        raise ValueError(f"condition must be one of {CONDITIONS}, got {condition!r}")
    if condition == "shape":
        return data.labels
    return data.labels * len(COLOURS) + data.attributes["colour"]


def train_shapes_diffusion(data: ImageSet, *, config: BiasConfig = BiasConfig(), condition: str = "shape",
                           progress: bool = False):
    """Class-conditional diffusion on `data` (in [-1, 1]), conditioned on the shape alone or on shape and
    colour (`condition`). Returns (ema_model in eval mode, schedule)."""
    if tuple(data.value_range) != (-1.0, 1.0):
        raise ValueError(f"data must be in [-1, 1] (value_range=(-1, 1)), got {data.value_range}")
    labels = condition_labels(data, condition)
    torch.manual_seed(config.seed)
    schedule = make_schedule("cosine", T=1000)
    model = UNet(UNetConfig(in_channels=3, base_channels=config.base_channels, channel_mults=(1, 2),
                            num_classes=len(data.classes) * (len(COLOURS) if condition == "shape+colour" else 1)))
    ema = EMA(model, decay=config.ema_decay)
    loss_fn = DiffusionLoss(schedule, conditional=True, label_dropout=config.label_dropout)
    train(model, loss_fn, (data.images, labels),
          config=TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, seed=config.seed,
                             progress=progress, log_every=max(config.steps // 20, 1), device="cpu"),
          on_step=[ema])
    return ema.model.eval(), schedule


def balanced_colours(n: int, *, seed: int = 0) -> torch.Tensor:
    """(n,) colour indices, each colour equally often (n // 5 or one more), in random order: the
    target distribution the system draws from when a prompt names no colour."""
    colours = torch.arange(n) % len(COLOURS)
    return colours[torch.randperm(n, generator=torch.Generator().manual_seed(seed))]


@torch.no_grad()
def generate_shapes(model: UNet, schedule, *, n: int = 200, scale: float = 3.0, size: int = 16,
                    steps: int = 20, seed: int = 0) -> torch.Tensor:
    """n shapes (equal numbers of each shape) at guidance `scale`. The user never names a colour; a
    shape-and-colour model gets one from `balanced_colours` (the mitigation). Returns (n, 3, size, size) in [0, 1]."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or scale < 0:
        raise ValueError(f"scale must be a number >= 0, got {scale!r}")
    shapes = torch.arange(n) % len(ATTRIBUTES["shape"])
    labels = shapes if model.config.num_classes == len(ATTRIBUTES["shape"]) else \
        shapes * len(COLOURS) + balanced_colours(n, seed=seed)
    x = sample(guided_model_fn(model, labels, scale=scale), shape=(n, model.config.in_channels, size, size),
               schedule=schedule, steps=steps, generator=torch.Generator().manual_seed(seed), progress=False)
    return to_unit(x.clamp(-1, 1))


def shape_accuracy_by_colour(judge, images: torch.Tensor, shapes: torch.Tensor) -> dict[str, float | None]:
    """Why guidance moves colours: for each colour (as the judge reads it), the share of `images` whose
    asked-for `shapes` (N,) the judge recognises. Guidance favours the colours where this is high."""
    predicted = judge.predict(images)
    right = (predicted["shape"] == shapes).float()
    return {c: (float(right[predicted["colour"] == i].mean()) if (predicted["colour"] == i).any() else None)
            for i, c in enumerate(COLOURS)}


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
