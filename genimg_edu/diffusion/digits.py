r"""The chapter's recipe: a class-conditional diffusion model of handwritten digits, trained on a CPU.

    model, schedule, result = train_digits_diffusion(DigitsDiffusionConfig(size=8, steps=600))
    images = generate_digits(model, labels=balanced_labels(100), schedule=schedule, size=8, steps=10)
    evaluate_samples(load_judge("digits", size=8), images, labels=...)

Data in [-1, 1]; a small UNet with a "no label" token (label dropout) so one network serves both
halves of classifier-free guidance; an EMA of the weights is what we sample from. Notebook 06a.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data import load_dataset, to_unit
from ..device import resolve_device
from ..train import TrainConfig, check_fields, train
from .guidance import guided_model_fn
from .samplers import sample
from .schedule import NoiseSchedule, make_schedule
from .training import EMA, DiffusionLoss
from .unet import UNet, UNetConfig


@dataclass(frozen=True)
class DigitsDiffusionConfig:
    size: int = 8                     # 8 or 16 pixels per side
    steps: int = 600                  # optimizer steps (99% judge agreement from ~300 on 8x8)
    batch_size: int = 128             # images per step
    lr: float = 2e-3                  # AdamW learning rate
    schedule: str = "cosine"          # noise schedule: "cosine" keeps small images recognisable longer
    T: int = 1000                     # diffusion steps of the forward process
    label_dropout: float = 0.15       # share of "no label" examples, for classifier-free guidance
    base_channels: int = 32           # UNet width at full resolution
    channel_mults: tuple = (1, 2)     # UNet levels (8x8 -> 4x4)
    ema_decay: float = 0.995          # EMA of the weights that we sample from
    seed: int = 0                     # seeds the data order, noise and initial weights
    channels_last: bool = True        # NHWC layout: about 1.4x faster for these convs on CPU
    per_class: int | None = None      # train on only this many digits of each class (None: all ~144)
    dataset: str = "digits"           # "digits" (offline, 8 or 16 px) or "mnist" / "fashion_mnist" (28 px)
    download: bool = False            # torchvision data sets only: fetch the files if missing (internet)
    amp: str = "off"                  # mixed precision, as TrainConfig.amp: "off" | "bf16" | "fp16" | "auto"
    preload: bool = False             # copy the whole training set to the device once (GPU: no per-step copy)

    def __post_init__(self):
        def is_int(value, low):
            return isinstance(value, int) and not isinstance(value, bool) and value >= low

        def is_number(value):
            return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        check_fields(self, {  # size is checked against the dataset in train_digits_diffusion
            "size": (self.size in (8, 16, 28), "8 or 16 (digits) or 28 (mnist, fashion_mnist)"),
            "steps": (is_int(self.steps, 1), "an int >= 1"),
            "batch_size": (is_int(self.batch_size, 1), "an int >= 1"),
            "lr": (is_number(self.lr) and 0 < self.lr < float("inf"), "a finite number > 0"),
            "T": (is_int(self.T, 2), "an int >= 2"),
            "label_dropout": (is_number(self.label_dropout) and 0 <= self.label_dropout < 1, "a number in [0, 1)"),
            "base_channels": (is_int(self.base_channels, 1), "an int >= 1"),
            "ema_decay": (is_number(self.ema_decay) and 0 <= self.ema_decay < 1, "a number in [0, 1)"),
            "seed": (is_int(self.seed, 0), "an int >= 0"),
            "per_class": (self.per_class is None or is_int(self.per_class, 1), "None or an int >= 1"),
        })


def make_digits_unet(config: DigitsDiffusionConfig) -> UNet:
    """The UNet of the recipe: 1 channel in and out, 10 classes plus the "no label" token.
    `.image_size` records the size it is made for (generate_digits checks it)."""
    model = UNet(UNetConfig(in_channels=1, base_channels=config.base_channels,
                            channel_mults=tuple(config.channel_mults), num_classes=10))
    model.image_size = config.size
    return model


def train_digits_diffusion(config: DigitsDiffusionConfig = DigitsDiffusionConfig(), *, progress: bool = True,
                           callbacks=(), device=None, watch=None) -> tuple[UNet, NoiseSchedule, object]:
    """Train the recipe. Returns (ema_model in eval mode, schedule, TrainResult).
    callbacks: callback(step, logs) as in train(); watch: watch(step, ema_model, schedule) after every
    optimizer step (e.g. a benchmark judging the model part-way; it must restore train mode)."""
    sizes = {"digits": (8, 16), "mnist": (28,), "fashion_mnist": (28,)}
    if config.dataset not in sizes:
        raise ValueError(f"dataset must be one of {sorted(sizes)}, got {config.dataset!r}")
    if config.size not in sizes[config.dataset]:
        raise ValueError(f"size must be one of {sizes[config.dataset]} for dataset {config.dataset!r}, got {config.size}")
    torch.manual_seed(config.seed)
    if config.dataset == "digits":
        data = load_dataset("digits", split="train", size=config.size, value_range=(-1, 1))
    else:
        data = load_dataset(config.dataset, split="train", value_range=(-1, 1), download=config.download)
    if config.per_class is not None:
        data = data.per_class(config.per_class, seed=config.seed)
    schedule = make_schedule(config.schedule, T=config.T)
    model = make_digits_unet(config)
    ema = EMA(model, decay=config.ema_decay)
    loss_fn = DiffusionLoss(schedule, conditional=True, label_dropout=config.label_dropout)
    train_config = TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, seed=config.seed,
                               log_every=max(config.steps // 30, 1), progress=progress, device=device,
                               channels_last=config.channels_last, amp=config.amp)
    if config.preload:  # a tuple of tensors already on the device: batches are gathered there
        target = resolve_device(device)
        data = (data.images.to(target), data.labels.to(target))
    hooks = [ema] if watch is None else [ema, lambda step, _: watch(step, ema.model, schedule)]
    result = train(model, loss_fn, data, config=train_config, callbacks=callbacks, on_step=hooks,
                   checkpoint_modules={"ema": ema.model})
    ema.model.to(next(model.parameters()).device)
    if config.channels_last:
        ema.model.to(memory_format=torch.channels_last)
    return ema.model.eval(), schedule, result


def balanced_labels(n: int) -> torch.Tensor:
    """0, 1, ..., 9, 0, 1, ... of length n: equal numbers of every digit (n a multiple of 10 is exact)."""
    return torch.arange(n) % 10


def _check_digit_labels(labels) -> None:
    if not isinstance(labels, torch.Tensor):
        example = f"torch.tensor({labels!r})" if isinstance(labels, (list, tuple, int)) else "torch.tensor([3, 1, 4])"
        raise TypeError(f"labels must be a 1-D long tensor of digits 0..9, e.g. {example[:80]} or "
                        f"balanced_labels(n), got {type(labels).__name__}")
    if labels.is_floating_point() or labels.dtype == torch.bool or labels.ndim != 1:
        raise TypeError(f"labels must be a 1-D integer tensor of digits 0..9, got dtype {labels.dtype} "
                        f"shape {tuple(labels.shape)}")
    if labels.numel() == 0:
        raise ValueError("labels is empty: give at least one digit to draw")
    if int(labels.min()) < 0 or int(labels.max()) > 9:
        raise ValueError(f"labels must be digits 0..9, got values in [{int(labels.min())}, {int(labels.max())}] "
                         "(10 is the internal 'no label' token: for unconditional samples use scale=0)")


@torch.no_grad()
def generate_digits(model: UNet, *, labels: torch.Tensor, schedule: NoiseSchedule, size: int, steps: int = 10,
                    scale: float = 2.0, sampler: str = "ddim", eta: float = 0.0, clip_x0: bool = True,
                    seed: int = 0, progress: bool = False, return_trajectory: bool = False):
    """Digits of the given labels ((N,) long in 0..9) with classifier-free guidance `scale`.
    Returns images (N, 1, S, S) in [0, 1] (and the Trajectory, in [-1, 1], with return_trajectory).
    labels must be a 1-D integer tensor in 0..9 (10 is the model's internal "no label" token: use scale=0
    for unconditional samples); a list is refused with how to convert it, never converted silently."""
    _check_digit_labels(labels)
    trained = getattr(model, "image_size", None)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive int (pixels per side), got {size!r}")
    if trained is not None and size != trained:
        raise ValueError(f"size={size} but this model was trained on {trained}x{trained} digits; "
                         f"pass size={trained} (train a size={size} model for bigger digits)")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 <= scale < float("inf"):
        raise ValueError(f"scale must be a finite number >= 0 (0: unconditional), got {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    device = next(model.parameters()).device
    shape = (len(labels), model.config.in_channels, size, size)
    out = sample(guided_model_fn(model, labels.to(device), scale=scale), shape=shape,
                 schedule=schedule, steps=steps, sampler=sampler, eta=eta, clip_x0=clip_x0,
                 generator=torch.Generator(device).manual_seed(seed), progress=progress,
                 return_trajectory=return_trajectory, device=device)
    x, trajectory = out if return_trajectory else (out, None)
    images = to_unit(x.clamp(-1, 1)).cpu()  # without clip_x0 a sample may overshoot [-1, 1] slightly
    return (images, trajectory) if return_trajectory else images

