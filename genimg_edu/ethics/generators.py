"""The course's own generators, trained once and reused by every section of chapter 10.

    fake = generated_digits("gan", n=1000, size=16)        # chapter 05 DCGAN, (n, 1, 16, 16) in [0, 1]
    fake = generated_digits("diffusion", n=1000, size=16)  # chapter 06 diffusion on all training digits
    model, schedule = digits_diffusion(per_class=10, steps=800)   # for memorisation / membership

Models are trained with the earlier chapters' own code and cached (safetensors) in
`cache_dir() / "ethics"`, keyed by their settings, so the notebook and the benchmark share them.
At 16x16 the detector's generators are half as wide as chapters 05/06 make them (RECIPES): a quarter
of the training cost, and the detector's lesson (>= 95 % on the generator it knows, a drop on an
unseen one and after JPEG + resize) is measured on these (docs/performance/ethics.md).
"""
from __future__ import annotations

import torch

from ..checkpoint import load_checkpoint, save_checkpoint
from ..data import load_dataset, to_unit
from ..device import cache_dir

GENERATORS = ("gan", "diffusion")
# (kind, size) -> training steps, width (GAN: generator width; the discriminator gets half; diffusion:
# UNet base channels) and batch size (diffusion only; the GAN trains on batches of 64).
RECIPES = {("gan", 8): dict(steps=1500, width=128), ("gan", 16): dict(steps=1000, width=64),
           ("diffusion", 8): dict(steps=600, width=32, batch_size=128),
           ("diffusion", 16): dict(steps=300, width=16, batch_size=64)}


def _cache(name: str):
    folder = cache_dir() / "ethics"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.safetensors"


def digits_diffusion(*, per_class: int | None = None, steps: int = 600, size: int = 8, width: int = 32,
                     batch_size: int = 128, seed: int = 0, cache: bool = True, progress: bool = False):
    """Chapter 06's digits diffusion (size 8 or 16; UNet base channels `width`, up to `batch_size` images
    per step; chapter 06 uses 32 and 128) trained on `per_class` digits of each class (None: all ~144).
    A batch never holds more images than the training set: 100 digits train on batches of 100, 10 on
    batches of 10, so every step shows each image once (a batch of 128 drawn from 10 images would
    repeat each about 13 times: 13x the cost for a less noisy gradient of the same 10 images).
    Returns (ema_model in eval mode, schedule)."""
    from ..diffusion import make_schedule
    from ..diffusion.digits import DigitsDiffusionConfig, make_digits_unet, train_digits_diffusion
    if per_class is not None:
        n_images = len(load_dataset("digits", split="train", size=size).per_class(per_class, seed=seed))
        batch_size = min(batch_size, n_images)
    config = DigitsDiffusionConfig(size=size, steps=steps, per_class=per_class, seed=seed, base_channels=width,
                                   batch_size=batch_size)
    recipe = "" if (width, batch_size) == (32, 128) else f"_w{width}_b{batch_size}"  # chapter 06's keeps its old name
    path = _cache(f"diffusion{size}_pc{per_class}_s{steps}{recipe}_seed{seed}")
    if cache and path.exists():
        model = make_digits_unet(config)
        try:
            load_checkpoint(path, modules={"ema": model})
            if config.channels_last:
                model = model.to(memory_format=torch.channels_last)
            return model.eval(), make_schedule(config.schedule, T=config.T)
        except Exception:  # a corrupt or outdated cache is retrained
            pass
    model, schedule, _ = train_digits_diffusion(config, progress=progress)
    if cache:
        save_checkpoint(path, modules={"ema": model})
    return model, schedule


def _gan(steps: int, size: int, width: int, seed: int, cache: bool, progress: bool):
    from ..gan import DCGANDiscriminator, DCGANGenerator, GANConfig, GANTrainer
    torch.manual_seed(seed)
    generator, discriminator = DCGANGenerator(size=size, width=width), DCGANDiscriminator(size=size, width=width // 2)
    recipe = "" if width == 128 else f"_w{width}"    # chapter 05's widths (128 / 64) keep their old name
    path = _cache(f"gan{size}_s{steps}{recipe}_seed{seed}")
    config = GANConfig(steps=steps, seed=seed, progress=progress, device="cpu",
                       checkpoint_path=str(path) if cache else None)
    data = load_dataset("digits", split="train", size=size, value_range=(-1, 1))
    trainer = GANTrainer(generator, discriminator, data, config=config)  # resumes from the cache
    if trainer.step < steps:
        trainer.fit()
    return trainer


def generated_digits(kind: str, *, n: int = 1000, size: int = 16, steps: int | None = None,
                     width: int | None = None, seed: int = 0, cache: bool = True, progress: bool = False) -> torch.Tensor:
    """n digits (n, 1, size, size) in [0, 1] (size 8 or 16) from one of GENERATORS, trained for `steps`
    with `width` (None: RECIPES[kind, size]; GAN: generator width, the discriminator gets half, an even
    int >= 2; diffusion: UNet base channels). Sampling uses `seed + 1` so samples differ from the
    training noise."""
    if kind not in GENERATORS:
        raise ValueError(f"kind must be one of {GENERATORS}, got {kind!r}")
    if size not in (8, 16):
        raise ValueError(f"size must be 8 or 16, got {size!r}")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    recipe = RECIPES[kind, size]
    steps = steps or recipe["steps"]
    width = recipe["width"] if width is None else width
    if isinstance(width, bool) or not isinstance(width, int) or width < 2 or (kind == "gan" and width % 2):
        raise ValueError(f"width must be {'an even' if kind == 'gan' else 'an'} int >= 2 (or None), got {width!r}")
    if kind == "gan":
        trainer = _gan(steps, size, width, seed, cache, progress)
        return to_unit(trainer.sample(n, seed=seed + 1).clamp(-1, 1))
    from ..diffusion.digits import balanced_labels, generate_digits
    model, schedule = digits_diffusion(steps=steps, size=size, width=width, batch_size=recipe["batch_size"], seed=seed,
                                       cache=cache, progress=progress)
    return generate_digits(model, labels=balanced_labels(n), schedule=schedule, size=size, steps=10,
                           scale=1.0, seed=seed + 1)
