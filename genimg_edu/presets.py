"""Laptop and GPU presets: the same recipe, sized for a 2-core CPU or for a Colab GPU.

    from genimg_edu.presets import preset
    p = preset("diffusion")        # "gpu" when CUDA is present, else "laptop"; GENIMG_PRESET=laptop|gpu overrides
    model, schedule, result = train_digits_diffusion(p.config, watch=p.eta())

`laptop` is the recipe exactly as the chapter teaches it (8x8 / 16x16 data shipped with the course).
`gpu` trains on the classic data sets at their real size (MNIST / Fashion-MNIST 28x28 through
torchvision, CIFAR-10 32x32, shapes at 32 px), with a wider model, mixed precision (bf16 where the
device computes it natively, else fp16 with a GradScaler; see `device.choose_device_and_amp`) and the
training set copied to the GPU once (`preload`) or page-locked copies (`pin_memory`, non-blocking).
`preset` prints what will train and how long it should take: measured seconds per step where we have
them (laptop presets, 2 CPU threads), and on any device a measured estimate after the first steps
(`Preset.eta()`, a per-step hook).

Chapters register their own presets with `register(recipe, name, factory)`; the factory is called when
the preset is asked for, so it can read the device (e.g. to choose the AMP dtype). Laptop entries here
must stay identical to the chapter's defaults (tests/test_presets.py checks them).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

PRESET_ENV = "GENIMG_PRESET"
NAMES = ("laptop", "gpu")


@dataclass(frozen=True)
class Preset:
    recipe: str                    # e.g. "diffusion"
    name: str                      # "laptop" or "gpu"
    summary: str                   # one line: data, image size, model, steps, precision
    config: Any                    # the recipe's own config object (DigitsDiffusionConfig, GANConfig, ...)
    steps: int                     # optimizer steps the config trains for
    batch_size: int                # images per step
    judge: tuple[str, int]         # (kind, size) for metrics.load_judge
    data: dict = field(default_factory=dict)   # load_dataset(**data) where the recipe takes data from outside
    model: dict = field(default_factory=dict)  # keyword arguments of the model constructors, where needed
    seconds_per_step: dict = field(default_factory=dict)  # measured: "cpu" (2 threads) / "cuda" -> seconds

    def estimate_seconds(self, device_type: str) -> float | None:
        """steps x measured seconds per step on this kind of device, or None if never measured."""
        per_step = self.seconds_per_step.get(device_type)
        return None if per_step is None else self.steps * per_step

    def announce(self, device_type: str | None = None) -> str:
        """The line `preset` prints: what trains, and for how long if we have measured it."""
        from .device import pick_device
        device_type = device_type or pick_device().type
        seconds = self.estimate_seconds(device_type)
        when = (f"estimated {_duration(seconds)} on {device_type} (measured with 2 CPU threads)"
                if seconds is not None and device_type == "cpu" else
                f"estimated {_duration(seconds)} on {device_type}" if seconds is not None else
                f"no timing measured on {device_type} yet: an estimate follows after the first steps")
        return f"preset {self.name!r} for {self.recipe}: {self.summary}; {when}"

    def eta(self, *, after: int = 10, printer: Callable[[str], None] = print) -> "EtaHook":
        """A per-step hook (step, *anything) that prints the measured time left after `after` steps."""
        return EtaHook(self.steps, after=after, printer=printer)


class EtaHook:
    """Called after every optimizer step as hook(step, ...): times steps 2..after+1 (the first step
    pays for warm-up) and prints once how long the remaining steps will take at that pace."""

    def __init__(self, total_steps: int, *, after: int = 10, printer: Callable[[str], None] = print):
        if not isinstance(after, int) or after < 1:
            raise ValueError(f"after must be an int >= 1, got {after!r}")
        self.total, self.after, self.printer = total_steps, after, printer
        self.start = self.seconds_per_step = None

    def __call__(self, step: int, *_):
        if step == 1:
            self.start = time.perf_counter()
        elif self.start is not None and self.seconds_per_step is None and step == 1 + self.after:
            self.seconds_per_step = (time.perf_counter() - self.start) / self.after
            left = (self.total - step) * self.seconds_per_step
            self.printer(f"{self.seconds_per_step * 1000:.0f} ms per step: about {_duration(left)} for the "
                         f"remaining {self.total - step} steps")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


_REGISTRY: dict[str, dict[str, Callable[[], Preset]]] = {}


def register(recipe: str, name: str, factory: Callable[[], Preset]) -> None:
    """Add a preset: factory() -> Preset, called each time it is asked for (so it can read the device)."""
    if name not in NAMES:
        raise ValueError(f"name must be one of {NAMES}, got {name!r}")
    if not callable(factory):
        raise TypeError(f"factory must be callable, got {type(factory).__name__}")
    _REGISTRY.setdefault(recipe, {})[name] = factory


def recipes() -> dict[str, tuple[str, ...]]:
    """recipe -> the preset names it has."""
    return {recipe: tuple(names) for recipe, names in _REGISTRY.items()}


def preset_name(name: str | None = None) -> str:
    """`name` if given, else $GENIMG_PRESET if set, else "gpu" when CUDA is available, else "laptop"."""
    import torch
    chosen = name if name is not None else os.environ.get(PRESET_ENV, "").strip().lower() or (
        "gpu" if torch.cuda.is_available() else "laptop")
    if chosen not in NAMES:
        source = "name" if name is not None else PRESET_ENV
        raise ValueError(f"{source} must be one of {NAMES}, got {chosen!r}")
    return chosen


def preset(recipe: str, name: str | None = None, *, quiet: bool = False) -> Preset:
    """The preset for `recipe` (see `recipes()`), named by `preset_name(name)`; prints `announce()`."""
    if recipe not in _REGISTRY:
        raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(_REGISTRY)}")
    chosen = preset_name(name)
    if chosen not in _REGISTRY[recipe]:
        raise ValueError(f"recipe {recipe!r} has no {chosen!r} preset, only {sorted(_REGISTRY[recipe])}")
    result = _REGISTRY[recipe][chosen]()
    if not quiet:
        print(result.announce())
    return result


def _gpu_amp() -> str:
    """TrainConfig.amp for the GPU presets on this machine: "bf16", "fp16" (GradScaler) or "off"."""
    from .device import choose_device_and_amp
    return choose_device_and_amp()[1]


# --- chapters 05-07 ---------------------------------------------------------------------------------------

def _gan_laptop() -> Preset:
    from .gan.training import GANConfig
    config = GANConfig(steps=1500, loss="hinge")
    return Preset("gan", "laptop", "conditional DCGAN on 8x8 digits, 1,500 steps of 64", config, 1500, 64,
                  ("digits", 8), data=dict(name="digits", split="train", size=8, value_range=(-1, 1)),
                  model=dict(generator=dict(size=8, num_classes=10), discriminator=dict(size=8, num_classes=10)),
                  seconds_per_step={"cpu": 0.024})  # PERFORMANCE.md: 1,500 steps in 36 s, 2 threads


def _gan_gpu() -> Preset:
    from .gan.training import GANConfig
    config = GANConfig(steps=20_000, batch_size=128, loss="hinge", amp="auto", log_every=200)
    amp = "bf16" if _gpu_amp() == "bf16" else "float32"  # gan_step has no loss scaling: no fp16
    return Preset("gan", "gpu", f"conditional DCGAN on CIFAR-10 32x32, G width 256, D width 128, "
                  f"20,000 steps of 128, {amp}", config, 20_000, 128, ("cifar10", 32),
                  data=dict(name="cifar10", split="train", value_range=(-1, 1), download=True),
                  model=dict(generator=dict(size=32, channels=3, width=256, latent_dim=128, num_classes=10),
                             discriminator=dict(size=32, channels=3, width=128, num_classes=10)))


def _diffusion_laptop() -> Preset:
    from .diffusion.digits import DigitsDiffusionConfig
    config = DigitsDiffusionConfig()
    return Preset("diffusion", "laptop", "class-conditional UNet (32-64 channels) on 8x8 digits, 600 steps of 128",
                  config, config.steps, config.batch_size, ("digits", 8),
                  seconds_per_step={"cpu": 0.107})  # performance/bf16.md: 107 ms per step, 2 threads, quiet


def _diffusion_gpu() -> Preset:
    from .diffusion.digits import DigitsDiffusionConfig
    amp = _gpu_amp()
    config = DigitsDiffusionConfig(dataset="mnist", size=28, download=True, steps=8000, batch_size=256, lr=1e-3,
                                   base_channels=64, channel_mults=(1, 2, 2), ema_decay=0.999, amp=amp,
                                   preload=True)
    return Preset("diffusion", "gpu", f"class-conditional UNet (64-128-128 channels) on MNIST 28x28, "
                  f"8,000 steps of 256, amp {amp}", config, config.steps, config.batch_size, ("mnist", 28))


def _text_laptop() -> Preset:
    from .text.config import TextToImageConfig
    config = TextToImageConfig()
    return Preset("text_to_image", "laptop", "text-conditioned UNet on 16x16 shapes, 6,000 steps of 64",
                  config, config.steps, config.batch_size, ("shapes", 16),
                  seconds_per_step={"cpu": 0.054})  # PERFORMANCE.md: 6,000 steps in 326 s, 2 threads


def _text_gpu() -> Preset:
    from .text.config import TextToImageConfig
    amp = _gpu_amp()
    config = TextToImageConfig(image_size=32, n_train=20_000, base_channels=64, channel_mults=(1, 2, 4),
                               text_dim=128, text_depth=3, steps=20_000, batch_size=128, lr=1e-3, amp=amp,
                               preload=True)
    return Preset("text_to_image", "gpu", f"text-conditioned UNet (64-128-256 channels) on 32x32 shapes, "
                  f"20,000 steps of 128, amp {amp}", config, config.steps, config.batch_size, ("shapes", 32))


for _recipe, _laptop, _gpu in (("gan", _gan_laptop, _gan_gpu), ("diffusion", _diffusion_laptop, _diffusion_gpu),
                               ("text_to_image", _text_laptop, _text_gpu)):
    register(_recipe, "laptop", _laptop)
    register(_recipe, "gpu", _gpu)


# --- chapters 04, 08, 09 ----------------------------------------------------------------------------------

def _autoencoder_laptop() -> Preset:
    from .autoencoders.recipe import AutoencoderConfig
    config = AutoencoderConfig()
    return Preset("autoencoder", "laptop", "VAE (MLP 128, 2 latent numbers) on 8x8 digits, 5,000 steps of 128",
                  config, config.steps, config.batch_size, ("digits", 8))


def _autoencoder_gpu() -> Preset:
    from .autoencoders.recipe import AutoencoderConfig
    amp = _gpu_amp()
    config = AutoencoderConfig(dataset="mnist", image_size=28, latent_dim=16, hidden=512, steps=20_000,
                               batch_size=256, lr=1e-3, amp=amp, download=True)
    return Preset("autoencoder", "gpu", f"VAE (MLP 512, 16 latent numbers) on MNIST 28x28 (Fashion-MNIST: "
                  f"dataset='fashion_mnist'), 20,000 steps of 256, amp {amp}", config, config.steps,
                  config.batch_size, ("mnist", 28))


def _mini_sd_laptop() -> Preset:
    from .stable_diffusion.config import MiniSDConfig
    config = MiniSDConfig()
    return Preset("mini_sd", "laptop", f"mini Stable Diffusion on 32x32 shapes: VAE {config.vae_channels}, "
                  f"UNet {config.unet_channels}, {config.unet_steps:,} UNet steps of {config.unet_batch_size}",
                  config, config.unet_steps, config.unet_batch_size, ("shapes", 32))


def _mini_sd_gpu() -> Preset:
    from .stable_diffusion.config import MiniSDConfig
    config = MiniSDConfig(n_train=20_000, vae_channels=(32, 64, 64), vae_steps=3000, vae_batch_size=64,
                          text_dim=128, clip_embed_dim=128, clip_steps=2000, clip_batch_size=256,
                          unet_channels=(64, 128), attention_head_dim=16, unet_steps=20_000, unet_batch_size=128,
                          unet_lr=1e-3, ema_decay=0.999)
    return Preset("mini_sd", "gpu", "mini Stable Diffusion on 32x32 shapes, 20,000 renders: VAE (32, 64, 64), "
                  "text encoder 128 wide, UNet (64, 128), 20,000 UNet steps of 128, float32, every stage "
                  "trained on the GPU when there is one", config, config.unet_steps, config.unet_batch_size, ("shapes", 32))


def _style_laptop() -> Preset:
    from .style.feedforward import FeedForwardConfig
    # notebook 09's feed-forward cell (its STYLE_WEIGHT = 3.0: content at all five RandomFeatures scales)
    config = FeedForwardConfig(steps=400, batch_size=4, crop=64, lr=2e-3, style_weight=3.0, tv_weight=1.0,
                               width=16, blocks=3)
    return Preset("style_transfer", "laptop", "feed-forward style net (width 16, 3 blocks) on 64 px crops of "
                  "128 px photos, random-filter features, 400 steps of 4", config, config.steps,
                  config.batch_size, ("style", 48), data=dict(name="photos", size=128), model=dict(net="random"))


def _style_gpu() -> Preset:
    from .style.feedforward import FeedForwardConfig
    # style weight 1, not the laptop's 3: VGG19 holds content at conv4_2 only (Gatys), while the 3 was chosen
    # for RandomFeatures with content at all five scales; 1 is unmeasured with VGG19 (no GPU run yet)
    config = FeedForwardConfig(steps=2000, batch_size=8, crop=256, width=32, blocks=5, style_weight=1.0)
    return Preset("style_transfer", "gpu", "feed-forward style net (width 32, 5 blocks) on 256 px crops of "
                  "512 px photos, VGG19 features (downloaded), 2,000 steps of 8, float32", config, config.steps,
                  config.batch_size, ("style", 48), data=dict(name="photos", size=512),
                  model=dict(net="vgg19", download=True))


for _recipe, _laptop, _gpu in (("autoencoder", _autoencoder_laptop, _autoencoder_gpu),
                               ("mini_sd", _mini_sd_laptop, _mini_sd_gpu),
                               ("style_transfer", _style_laptop, _style_gpu)):
    register(_recipe, "laptop", _laptop)
    register(_recipe, "gpu", _gpu)


# --- chapter 10 -------------------------------------------------------------------------------------------

def _detector_laptop() -> Preset:
    from .ethics.detector_recipe import DetectorConfig
    config = DetectorConfig()
    return Preset("detector", "laptop", "spectrum + CNN detectors of generated 16x16 digits (chapter 05 GAN vs "
                  "real; chapter 06 diffusion unseen), 800 + 400 images each, CNN 1,000 steps of 64",
                  config, config.cnn_steps, config.batch_size, ("digits", 16))


def _detector_gpu() -> Preset:
    from .ethics.detector_recipe import DetectorConfig
    amp = _gpu_amp()
    config = DetectorConfig(dataset="mnist", size=28, n_train=10_000, n_test=2_000, cnn_steps=4000, cnn_width=64,
                            batch_size=128, gan_steps=10_000, gan_width=256, gan_batch_size=128,
                            diffusion_steps=8000, diffusion_width=64, diffusion_batch_size=256, amp=amp, download=True)
    return Preset("detector", "gpu", f"spectrum + CNN (width 64) detectors on MNIST 28x28: DCGAN (width 256, "
                  f"10,000 steps of 128) vs real, diffusion UNet (64-128-128, 8,000 steps of 256) unseen, "
                  f"10,000 + 2,000 images each, CNN 4,000 steps of 128, amp {amp}", config, config.cnn_steps,
                  config.batch_size, ("mnist", 28))


register("detector", "laptop", _detector_laptop)
register("detector", "gpu", _detector_gpu)
